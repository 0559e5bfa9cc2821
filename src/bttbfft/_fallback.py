"""Pure-NumPy FFT backend (``bttbfft.backend == "python"``).

The same algorithms as the C core, written with vectorised NumPy array operations:

* powers of two: iterative radix-2 Cooley-Tukey -- an explicit bit-reversal permutation (one
  fancy-indexing gather with a cached index array) followed by ``log2(n)`` butterfly passes, each
  pass a handful of whole-array operations over every butterfly of every batch row.  The in-place
  primitives (``c2c_inplace`` and friends for power-of-two lengths, ``bit_reverse_inplace``)
  do the same work chunk by chunk, on at most ``_CHUNK_BYTES`` of the data per operation and in
  place, so that ``bttbfft.fft_inplace`` and ``bttbfft.bit_reverse`` allocate nothing
  proportional to the data (only per-length tables, cached like plans);
* other lengths: Bluestein's chirp-z algorithm, a circular convolution of length
  ``next_pow2(2n - 1)`` done with the radix-2 transform above (the chirp and the spectrum of the
  convolution kernel are cached per length, precision and direction);
* real transforms: one complex transform of half the length plus a twiddled post-pass (n even),
  a full complex transform for n odd.

Twiddles and chirps come from exactly reduced angles (the index is reduced modulo ``n`` or
``2n`` with exact integer arithmetic before the sin/cos, computed in double precision and cast to
the working precision); there are no recurrences.  complex64 data is transformed in complex64.

This module never calls ``numpy.fft``, ``scipy.fft`` or ``scipy.signal``: those are the references
the backends are tested against.  The primitive contract is described in ``bttbfft._backend``.

>>> import numpy as np
>>> from bttbfft import _fallback
>>> x = np.array([1, 2, 3, 4], dtype=complex)
>>> _fallback.c2c_inplace(x, 0, False, 1.0)
>>> x
array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

__all__ = ["name", "c2c_inplace", "r2c", "c2r", "bit_reverse_inplace"]

name = "python"

#: Results and work arrays (the compiled backend keeps large freed blocks for reuse; see
#: bttbfft._backend).
empty = np.empty

_CACHE_MAX = 128
_cache: OrderedDict[tuple, object] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key, make):
    """Bounded, thread-safe LRU cache of immutable per-size tables."""
    with _cache_lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
            return value
    value = make()  # computed outside the lock; a duplicate computation is harmless
    with _cache_lock:
        old = _cache.get(key)
        if old is not None:
            _cache.move_to_end(key)
            return old
        _cache[key] = value
        while len(_cache) > _CACHE_MAX:
            _cache.popitem(last=False)
    return value


def _is_pow2(n):
    return n >= 1 and (n & (n - 1)) == 0


def _next_pow2(n):
    return 1 << (int(n) - 1).bit_length()


def _unit_circle(num, den):
    """exp(-2*pi*i*num/den) in complex128 for an integer array ``num``.

    The angle is reduced exactly with integer arithmetic: ``num mod den``, then to a quadrant and
    to [0, pi/4] by symmetry, so sin/cos only ever see an angle in [0, pi/4] and the multiples of
    pi/4 are exact (1, -1, +-i come out without rounding).
    """
    num = np.asarray(num, dtype=np.int64) % den
    q, r = np.divmod(4 * num, den)  # phi = 2 pi num/den = q*pi/2 + (pi/2)*r/den
    swap = 2 * r > den
    r = np.where(swap, den - r, r)
    alpha = (0.5 * np.pi) * (r.astype(np.float64) / float(den))  # in [0, pi/4]
    c = np.cos(alpha)
    s = np.sin(alpha)
    c, s = np.where(swap, s, c), np.where(swap, c, s)
    # exp(i phi) = i**q * (c + i s)
    conds = [q == 0, q == 1, q == 2, q == 3]
    re = np.select(conds, [c, -s, -c, s])
    im = np.select(conds, [s, c, -s, -c])
    out = np.empty(num.shape, dtype=np.complex128)
    out.real = re
    out.imag = -im
    return out


# ----------------------------------------------------------------------------------------------
# tables
# ----------------------------------------------------------------------------------------------
def _make_rev(n):
    rev = np.zeros(1, dtype=np.intp)
    while rev.size < n:
        rev = np.concatenate((2 * rev, 2 * rev + 1))
    rev.flags.writeable = False
    return rev


def _bitrev(n):
    return _cached(("rev", n), lambda: _make_rev(n))


def _make_stage_twiddles(n, cdtype, inverse):
    """Per-stage twiddles for a radix-2 transform of length n (a list, stage h = 1, 2, 4, ...)."""
    stages = []
    h = 1
    while h < n:
        w = _unit_circle(np.arange(h), 2 * h)  # exp(-2 pi i k / (2h)), k < h
        if inverse:
            w = np.conj(w)
        w = w.astype(cdtype)
        w.flags.writeable = False
        stages.append(w)
        h *= 2
    return tuple(stages)


def _stage_twiddles(n, cdtype, inverse):
    return _cached(("tw", n, cdtype.char, bool(inverse)),
                   lambda: _make_stage_twiddles(n, cdtype, inverse))


def _radix2(y, inverse):
    """Unnormalised radix-2 transform of the rows of the C-contiguous (B, n) complex array y.

    Returns the result (a new array); y itself may be used as scratch.
    """
    bsz, n = y.shape
    if n == 1:
        return y
    cdtype = y.dtype
    z = y[:, _bitrev(n)]  # bit-reversal permutation (a gather into a new array)
    _stages(z, _stage_twiddles(n, cdtype, inverse), np.empty(bsz * (n // 2), dtype=cdtype))
    return z


# ----------------------------------------------------------------------------------------------
# in place, chunk by chunk: c2c_inplace of power-of-two lengths and bit_reverse_inplace
# ----------------------------------------------------------------------------------------------
#: Chunk size of the in-place radix-2 path (``c2c_inplace``/``c2c_contig``/``c2c_rows`` of
#: power-of-two lengths, hence ``bttbfft.fft_inplace``) and of ``bit_reverse_inplace`` (hence
#: ``bttbfft.bit_reverse``): every array operation of those works on at most this many bytes of
#: the data, 512 KiB = 2**15 complex128 or 2**16 complex64 elements (rounded down to a power of
#: two of elements for other item sizes, at least 2), so the temporaries of one call are a couple
#: of chunks (about 1 MiB for complex128, plus NumPy's own ufunc buffers) whatever the size of
#: the array.  A chunk holds whole lines (batch rows) when a line fits in it; a longer line is
#: processed piece by piece.  Lines of n <= chunk elements: bit reversal by gathering a chunk
#: of lines and copying it back, then every butterfly stage on that chunk while it is in cache.
#: Longer lines: bit reversal by swapping pairs (i, rev(i)) a chunk at a time, the stages
#: h < chunk on one chunk-sized segment after the other, then each larger stage chunk by chunk.
#: The per-length tables are cached like the compiled backend's plans (see _cached): the stage
#: twiddles (n - 1 complex values in all), the bit-reversal index table (n intp, lines that fit
#: in a chunk) or the two tables of swap pairs (about n/2 intp each, longer lines).
_CHUNK_BYTES = 1 << 19


def _chunk_elems(itemsize):
    """Elements of one chunk for an item size: a power of two >= 2."""
    c = _CHUNK_BYTES // max(int(itemsize), 1)
    return 1 << (c.bit_length() - 1) if c >= 2 else 2


def _make_swap_pairs(n):
    rev = _make_rev(n)
    si = np.flatnonzero(np.arange(n, dtype=np.intp) < rev).astype(np.intp, copy=False)
    sj = rev[si]
    si.flags.writeable = False
    sj.flags.writeable = False
    return si, sj


def _swap_pairs(n):
    """The pairs i < j = rev(i) the bit reversal of length n swaps: (i, j), intp, ascending i."""
    return _cached(("swap", n), lambda: _make_swap_pairs(n))


def _swap_row(row, si, sj, piece):
    """Bit-reverse the 1-D view row in place, swapping at most piece pairs at a time."""
    for p in range(0, si.shape[0], piece):
        i = si[p:p + piece]
        j = sj[p:p + piece]
        xi = row[i]
        row[i] = row[j]
        row[j] = xi


def _line_chunks(xv, rows):
    """Views that together cover every line of xv (shape (..., n)) once, each of at most rows
    lines (rows >= 1): the whole array, or slices along one batch axis of the lines that share
    the outer indices (the inner batch axes are kept whole)."""
    lead = xv.shape[:-1]
    p = len(lead)
    count = 1
    while p > 0 and count * lead[p - 1] <= rows:
        count *= lead[p - 1]
        p -= 1
    if p == 0:
        yield xv
        return
    k = max(1, rows // count)
    d = lead[p - 1]
    for idx in np.ndindex(lead[:p - 1]):
        sub = xv[idx]
        for s in range(0, d, k):
            yield sub[s:s + k]


def _stages(seg, tw, buf):
    """The butterfly stages h = 1, 2, ..., len(tw) of the lines of seg (shape (..., L)), whose
    entries are in bit-reversed order, in place: the butterflies of _radix2, operation for
    operation (so the same bits).  The lines of seg have unit stride, so seg is laid out in C
    order (up to the sign of the outer strides), as the scratch products t taken from buf are."""
    lead = seg.shape[:-1]
    L = seg.shape[-1]
    h = 1
    for w in tw:
        v = seg.reshape(lead + (L // (2 * h), 2, h))  # splits the last axis: always a view
        a = v[..., 0, :]
        b = v[..., 1, :]
        t = buf[:a.size].reshape(a.shape)
        if h == 1:
            np.copyto(t, b)
        else:
            np.multiply(b, w, out=t)
        np.subtract(a, t, out=b)
        np.add(a, t, out=a)
        h *= 2


def _pow2_inplace(xv, inverse, scale):
    """Radix-2 transform in place of the lines of xv (shape (..., n), n a power of two, any
    strides), times scale, chunk by chunk (see _CHUNK_BYTES).

    Every butterfly is computed as _radix2 computes it (b*w, a - t, a + t, then the scaling), on
    operands laid out as _radix2's are, so the bits are those of transforming a C-contiguous copy:
    aligned lines of unit stride are transformed where they are; other lines (another axis, a
    strided or reversed view, unaligned data) go through a contiguous work chunk (NumPy's complex
    multiplication may round differently when an operand has a negative stride)."""
    n = xv.shape[-1]
    cdtype = xv.dtype
    if n == 1:
        if scale != 1.0:
            np.multiply(xv, scale, out=xv)
        return
    csize = _chunk_elems(cdtype.itemsize)
    tw = _stage_twiddles(n, cdtype, inverse)
    unit = xv.strides[-1] == cdtype.itemsize and xv.flags.aligned
    work = None if unit else np.empty(min(csize, xv.size), dtype=cdtype)
    if n <= csize:
        rev = _bitrev(n)
        buf = np.empty(min(csize, xv.size) // 2, dtype=cdtype)  # the products b*w of a chunk
        for seg in _line_chunks(xv, csize // n):
            if unit:
                seg[...] = seg[..., rev]
                _stages(seg, tw, buf)
                if scale != 1.0:
                    np.multiply(seg, scale, out=seg)
            else:
                wk = work[:seg.size].reshape(seg.shape)
                q = max(1, n // 4)  # gathered a quarter of the lines at a time
                for p in range(0, n, q):
                    wk[..., p:p + q] = seg[..., rev[p:p + q]]
                _stages(wk, tw, buf)
                if scale != 1.0:
                    np.multiply(wk, scale, out=seg)
                else:
                    np.copyto(seg, wk)
        return
    si, sj = _swap_pairs(n)
    nsmall = csize.bit_length() - 1  # the stages h < csize stay inside one segment of csize
    half = csize // 2
    small, large = tw[:nsmall], tw[nsmall:]
    buf = np.empty(half, dtype=cdtype)
    last = len(large) - 1
    for idx in np.ndindex(xv.shape[:-1]):
        row = xv[idx]
        _swap_row(row, si, sj, csize // 4)
        segs = row.reshape(n // csize, csize)
        for s in range(n // csize):
            if unit:
                _stages(segs[s], small, buf)
            else:
                np.copyto(work, segs[s])
                _stages(work, small, buf)
                np.copyto(segs[s], work)
        for st, w in enumerate(large):  # h = csize, 2*csize, ..., n/2: half a chunk at a time
            h = w.shape[0]
            q = h // half
            v = row.reshape(n // (2 * h), 2, q, half)
            ww = w.reshape(q, half)
            for blk in range(n // (2 * h)):
                for c in range(q):
                    a = v[blk, 0, c]
                    b = v[blk, 1, c]
                    if unit:
                        np.multiply(b, ww[c], out=buf)
                    else:
                        wb = work[:half]
                        np.copyto(wb, b)
                        np.multiply(wb, ww[c], out=buf)
                    np.subtract(a, buf, out=b)
                    np.add(a, buf, out=a)
                    if st == last and scale != 1.0:
                        np.multiply(a, scale, out=a)
                        np.multiply(b, scale, out=b)


def _make_bluestein(n, cdtype, inverse):
    m = _next_pow2(2 * n - 1)
    j = np.arange(n, dtype=np.uint64)
    r = (j * j) % np.uint64(2 * n)  # exact: j*j < 2**64 for every n that fits in memory
    chirp = _unit_circle(r.astype(np.int64), 2 * n)  # exp(-pi i j^2 / n)
    if inverse:
        chirp = np.conj(chirp)
    # kernel d_m = conj(chirp_m), circularly wrapped, its spectrum scaled by 1/m (double precision)
    d = np.zeros((1, m), dtype=np.complex128)
    dc = np.conj(chirp)
    d[0, :n] = dc
    if n > 1:
        d[0, m - n + 1:] = dc[:0:-1]
    spec = _radix2(d, False)[0] * (1.0 / m)
    chirp_c = chirp.astype(cdtype)
    spec_c = spec.astype(cdtype)
    chirp_c.flags.writeable = False
    spec_c.flags.writeable = False
    return m, chirp_c, spec_c


def _bluestein_tables(n, cdtype, inverse):
    return _cached(("blue", n, cdtype.char, bool(inverse)),
                   lambda: _make_bluestein(n, cdtype, inverse))


def _c2c_rows(y, inverse):
    """Unnormalised transform of the rows of the C-contiguous (B, n) complex array y.

    Returns the result (possibly y itself, possibly a new array); y may be destroyed.
    """
    bsz, n = y.shape
    if n == 1 or bsz == 0:
        return y
    if _is_pow2(n):
        return _radix2(y, inverse)
    m, chirp, spec = _bluestein_tables(n, y.dtype, inverse)
    a = np.zeros((bsz, m), dtype=y.dtype)
    np.multiply(y, chirp, out=a[:, :n])
    a = _radix2(a, False)
    a *= spec
    a = _radix2(a, True)
    out = a[:, :n]
    out *= chirp
    return out


def _complex_of(dtype):
    single = dtype in (np.float32, np.complex64)
    return np.dtype(np.complex64) if single else np.dtype(np.complex128)


def _real_of(dtype):
    return np.dtype(np.float32) if dtype in (np.float32, np.complex64) else np.dtype(np.float64)


# ----------------------------------------------------------------------------------------------
# primitives
# ----------------------------------------------------------------------------------------------
def _drop_ones(xv):
    """xv (lines along its last axis) without its other axes of length one: a view with fewer
    axes, so that the butterflies' reshapes (two more axes) stay within numpy's 64 dimensions."""
    ones = tuple(i for i in range(xv.ndim - 1) if xv.shape[i] == 1)
    return np.squeeze(xv, axis=ones) if ones else xv


def _c2c_inplace_impl(x, axis, inverse, scale):
    """Transform the writeable complex array x in place along axis (unnormalised, times scale)."""
    n = x.shape[axis]
    if x.size == 0:
        return None
    xv = _drop_ones(np.moveaxis(x, axis, -1))
    if _is_pow2(n):
        _pow2_inplace(xv, bool(inverse), scale)
        return None
    # Bluestein: works on a zero-padded copy of length next_pow2(2n - 1) anyway
    y = np.array(xv.reshape(-1, n), dtype=x.dtype, order="C", copy=True)
    res = _c2c_rows(y, bool(inverse)).reshape(xv.shape)
    if scale != 1.0:
        np.multiply(res, scale, out=xv)
    else:
        np.copyto(xv, res)
    return None


def _make_rpost(n, cdtype):
    """Post-pass coefficients for r2c of even n: X_k = Z_k*A_k + conj(Z_{m-k})*B_k, k = 0..m."""
    m = n // 2
    w = _unit_circle(np.arange(m + 1), n)
    a = 0.5 * (1.0 - 1j * w)
    b = 0.5 * (1.0 + 1j * w)
    # pre-pass for c2r: Z'_k = X_k*C_k + conj(X_{m-k})*D_k, k = 0..m-1
    c = (1.0 + 1j * np.conj(w))[:m]
    d = (1.0 - 1j * np.conj(w))[:m]
    out = tuple(v.astype(cdtype) for v in (a, b, c, d))
    for v in out:
        v.flags.writeable = False
    return out


def _rpost(n, cdtype):
    return _cached(("real", n, cdtype.char), lambda: _make_rpost(n, cdtype))


def _r2c_impl(x, axis, scale):
    """Real-to-complex forward transform along axis; returns a new array (n//2+1 along axis)."""
    n = x.shape[axis]
    cdtype = _complex_of(x.dtype)
    xv = np.moveaxis(x, axis, -1)
    oshape = xv.shape[:-1] + (n // 2 + 1,)
    if x.size == 0:
        return np.moveaxis(np.zeros(oshape, dtype=cdtype), -1, axis)
    xr = xv.reshape(-1, n)  # may be a view: never written
    bsz = xr.shape[0]
    if n % 2 == 0:
        m = n // 2
        z = np.empty((bsz, m), dtype=cdtype)
        z.real = xr[:, 0::2]
        z.imag = xr[:, 1::2]
        z = _c2c_rows(z, False)
        zext = np.empty((bsz, m + 1), dtype=cdtype)
        zext[:, :m] = z
        zext[:, m] = z[:, 0]
        a, b, _, _ = _rpost(n, cdtype)
        if scale != 1.0:
            a = a * scale
            b = b * scale
        out = zext * a
        rev = np.conj(zext[:, ::-1])
        rev *= b
        out += rev
    else:
        y = np.array(xr, dtype=cdtype, order="C", copy=True)
        y = _c2c_rows(y, False)
        out = y[:, : n // 2 + 1]
        if scale != 1.0:
            out = out * scale
        else:
            out = out.copy()
    return np.moveaxis(out.reshape(oshape), -1, axis)


def _c2r_impl(x, n, axis, scale):
    """Complex-to-real inverse transform to length n along axis; returns a new real array."""
    rdtype = _real_of(x.dtype)
    cdtype = _complex_of(x.dtype)
    xv = np.moveaxis(x, axis, -1)
    h = n // 2
    oshape = xv.shape[:-1] + (n,)
    if x.size == 0:
        return np.moveaxis(np.zeros(oshape, dtype=rdtype), -1, axis)
    xw = np.array(xv.reshape(-1, h + 1), dtype=cdtype, order="C", copy=True)
    bsz = xw.shape[0]
    xw.imag[:, 0] = 0
    out = np.empty((bsz, n), dtype=rdtype)
    if n % 2 == 0:
        xw.imag[:, h] = 0
        _, _, c, d = _rpost(n, cdtype)
        z = xw[:, :h] * c
        rev = np.conj(xw[:, :0:-1])  # conj(X_{m-k}), k = 0..m-1
        rev *= d
        z += rev
        z = _c2c_rows(z, True)
        if scale != 1.0:
            np.multiply(z.real, scale, out=out[:, 0::2])
            np.multiply(z.imag, scale, out=out[:, 1::2])
        else:
            out[:, 0::2] = z.real
            out[:, 1::2] = z.imag
    else:
        y = np.empty((bsz, n), dtype=cdtype)
        y[:, : h + 1] = xw
        if h:
            y[:, h + 1:] = np.conj(xw[:, h:0:-1])
        y = _c2c_rows(y, True)
        if scale != 1.0:
            np.multiply(y.real, scale, out=out)
        else:
            out[...] = y.real
    return np.moveaxis(out.reshape(oshape), -1, axis)


def bit_reverse_inplace(x, axis):
    """Bit-reversal permutation of x (any dtype, power-of-two length) along axis, in place.

    Works chunk by chunk (see _CHUNK_BYTES): the temporaries are a few chunks, whatever the size
    of x."""
    n = x.shape[axis]
    if n <= 2 or x.size == 0:
        return None
    xv = np.moveaxis(x, axis, -1)
    csize = _chunk_elems(x.dtype.itemsize)
    if n <= csize:
        rev = _bitrev(n)
        for seg in _line_chunks(xv, csize // n):
            seg[...] = seg[..., rev]  # a gather of one chunk, then copied back
    else:
        si, sj = _swap_pairs(n)
        for idx in np.ndindex(xv.shape[:-1]):
            _swap_row(xv[idx], si, sj, csize // 2)
    return None


def c2c_inplace(x, axis, inverse, scale):
    """Transform the writeable complex array x in place along axis (unnormalised, times scale)."""
    with np.errstate(all="ignore"):  # NaN/inf propagate silently, as in numpy.fft
        _c2c_inplace_impl(x, axis, inverse, scale)


def c2c_contig(x, out, inverse, scale):
    """One transform of the 1-D contiguous complex array x into out (same dtype and length; out
    may be x)."""
    if out is not x:
        out[...] = x
    c2c_inplace(out, 0, inverse, scale)


def c2c_rows(x, out, inverse, scale):
    """Every row of the 2-D C-contiguous complex array x into the same row of out."""
    out[...] = x
    c2c_inplace(out, 1, inverse, scale)


def r2c_contig(x, out, scale):
    """One real transform of the 1-D contiguous float array x into out (n//2+1 complex)."""
    out[...] = r2c(x, 0, scale)


def _into(res, out):
    if out is None:
        return res
    if out.shape != res.shape:
        raise ValueError(f"out has shape {out.shape}, expected {res.shape}")
    out[...] = res
    return out


def r2c(x, axis, scale, out=None):
    """Real-to-complex forward transform along axis; returns a new array (n//2+1 along axis), or
    out holding it."""
    with np.errstate(all="ignore"):
        return _into(_r2c_impl(x, axis, scale), out)


def c2r(x, n, axis, scale, out=None):
    """Complex-to-real inverse transform to length n along axis; returns a new real array, or
    out holding it."""
    if n < 1 or x.shape[axis] != n // 2 + 1:
        raise ValueError(f"c2r: {n // 2 + 1} entries along the axis expected for n = {n}, got "
                         f"{x.shape[axis]}")
    with np.errstate(all="ignore"):
        return _into(_c2r_impl(x, n, axis, scale), out)

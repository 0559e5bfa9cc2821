"""Pure-NumPy FFT backend (``bttbfft.backend == "python"``).

The same algorithms as the C core, written with vectorised NumPy array operations:

* powers of two: iterative radix-2 Cooley-Tukey -- an explicit bit-reversal permutation (one
  fancy-indexing gather with a cached index array) followed by ``log2(n)`` butterfly passes, each
  pass a handful of whole-array operations over every butterfly of every batch row;
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
    tw = _stage_twiddles(n, cdtype, inverse)
    half = n // 2
    tmp = np.empty((bsz, half), dtype=cdtype)
    h = 1
    for w in tw:
        blocks = n // (2 * h)
        v = z.reshape(bsz, blocks, 2, h)
        a = v[:, :, 0, :]
        b = v[:, :, 1, :]
        t = tmp.reshape(bsz, blocks, h)
        if h == 1:
            np.copyto(t, b)
        else:
            np.multiply(b, w, out=t)
        np.subtract(a, t, out=b)
        np.add(a, t, out=a)
        h *= 2
    return z


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
def _c2c_inplace_impl(x, axis, inverse, scale):
    """Transform the writeable complex array x in place along axis (unnormalised, times scale)."""
    n = x.shape[axis]
    if x.size == 0:
        return None
    xv = np.moveaxis(x, axis, -1)
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
    """Bit-reversal permutation of x (any dtype, power-of-two length) along axis, in place."""
    n = x.shape[axis]
    if n <= 2 or x.size == 0:
        return None
    xv = np.moveaxis(x, axis, -1)
    xv[...] = xv[..., _bitrev(n)]  # the gather makes a copy first, so this is safe in place
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

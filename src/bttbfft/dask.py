"""Convolution of chunked dask arrays with a small in-memory kernel, one FFT per chunk.

``convolve2d``, ``correlate2d`` and ``fftconvolve`` take a (possibly chunked) dask array ``in1``
and a small array ``in2`` (a NumPy array, or anything ``numpy.asarray`` accepts; a dask array is
computed), and return a lazy dask array equal to what the in-memory ``bttbfft`` function (and
``scipy.signal``) gives for the whole arrays: same shape, dtype, 'same' centring and boundary
rules.  The work runs through ``dask.array`` (``overlap`` + ``map_blocks``), so it runs on any
dask scheduler, including a ``dask.distributed`` cluster.  This module needs dask
(``pip install "dask[array]"``); the ``bttbfft`` package itself does not.

How it works
------------
Along each convolution axis an output element ``out[t]`` is
``sum_q h[q] * x_ext[s + t - q]`` (``h`` the convolution kernel -- for the correlations the
flipped, conjugated ``in2`` -- ``x_ext`` the input extended by the boundary rule, ``s`` the offset
of the mode's window in the full convolution: 0 for 'full', ``k - 1`` for 'valid', ``(k-1)//2``
for 'same', and ``k//2`` for ``correlate2d``'s 'same').  The outputs are split between the input
chunks (for 'same' output chunk ``j`` is exactly input chunk ``j``; for 'full' the first and last
chunks also own the ``k - 1`` extra outputs; for 'valid' ownership is shifted by about ``k/2`` so
the halo is balanced), each chunk gets a halo of ``depth`` elements on both sides from
``dask.array.overlap.overlap`` -- with the boundary rule applied at the array's edges:

=====================  ===========================  =======================================
scipy boundary         dask ``overlap`` boundary     notes
=====================  ===========================  =======================================
'fill'/'pad'           the fill value (a constant)   ``fillvalue`` cast to the result dtype
'wrap'/'circular'      'periodic'
'symm'/'symmetric'     'reflect'                     dask's 'reflect' repeats the edge sample
                                                     (``x[1], x[0] | x[0], x[1]``): that is
                                                     scipy's 'symm' / ``numpy.pad``'s
                                                     'symmetric', not ``numpy.pad``'s 'reflect'
=====================  ===========================  =======================================

and the in-memory bttbfft function computes the 'valid' convolution of the part of the
extended chunk its outputs need.  ``depth`` is ``ceil((k-1)/2)`` for 'same' and 'valid' and
``k - 1`` for 'full' (per axis).  dask needs ``depth <= `` every chunk: smaller chunks are merged
(``dask.array.overlap.ensure_minimum_chunksize``) before the overlap.  Cases the chunked path
cannot express exactly -- a kernel longer than the image along an axis with a 'wrap'/'symm'
boundary, a halo longer than the image, 'valid' with the inputs swapped (``in2`` larger than
``in1``), fftconvolve axes along which ``in2`` is neither 1 nor ``in1``'s length -- are computed
by the in-memory function on a single chunk (still lazily).
"""
from __future__ import annotations

import functools
import math

import numpy as np

try:
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize, overlap as _overlap
except ImportError as _exc:  # the package works without dask; only this module needs it
    raise ImportError("bttbfft.dask needs dask: pip install 'dask[array]' (and 'distributed' for "
                      f"a cluster) ({_exc})") from _exc

from . import _conv

__all__ = ["convolve2d", "correlate2d", "fftconvolve"]

_DASK_BOUNDARY = {"wrap": "periodic", "symm": "reflect"}


# ------------------------------------------------------------------------------------------------
# planning along one axis
def _boundaries(chunks, o, e):
    """Output ranges [B_j, B_j+1) owned by each input chunk (a partition of [0, o))."""
    starts = np.cumsum((0,) + tuple(chunks))
    bounds = [0] + [min(max(int(c) + e, 0), o) for c in starts[1:-1]] + [o]
    return starts, bounds


def _needs(chunks, k, s, o, e):
    """Halo depth needed with these chunks and the crop (lo, hi) of every chunk's x_ext range."""
    starts, bounds = _boundaries(chunks, o, e)
    depth = 0
    ranges = []
    for j in range(len(chunks)):
        b0, b1 = bounds[j], bounds[j + 1]
        if b1 <= b0:
            ranges.append(None)
            continue
        lo, hi = b0 + s - (k - 1), b1 + s          # x_ext[lo:hi] feeds outputs [b0, b1)
        depth = max(depth, int(starts[j]) - lo, hi - int(starts[j + 1]))
        ranges.append((lo, hi))
    return depth, starts, bounds, ranges


def _plan_axis(m, k, s, o, chunks, same):
    """(depth, chunks, out_chunks, crops) for one convolution axis, or None (not chunkable).

    ``crops[j]`` is the slice of chunk j's overlapped block (which covers x_ext[c0-depth,
    c1+depth)) whose 'valid' convolution with the kernel gives output chunk j.
    """
    e = 0 if same else (k - 1) // 2 - s
    for _ in range(8):
        depth, starts, bounds, ranges = _needs(chunks, k, s, o, e)
        if depth > m:
            return None
        if depth == 0 or min(chunks) >= depth:
            break
        chunks = ensure_minimum_chunksize(depth, chunks)
    else:  # pragma: no cover - the depth is bounded by k - 1, so this converges at once
        return None
    out_chunks = tuple(bounds[j + 1] - bounds[j] for j in range(len(chunks)))
    crops = []
    for j, r in enumerate(ranges):
        if r is None:
            crops.append(None)
        else:
            base = int(starts[j]) - depth
            crops.append((r[0] - base, r[1] - base))
    return depth, tuple(chunks), out_chunks, crops


# ------------------------------------------------------------------------------------------------
# per-block work (module-level functions so distributed workers can unpickle them)
def _block(x, *, crops, out_chunks, fn, dtype, block_id=None):
    sl = []
    for ax, j in enumerate(block_id):
        c = crops[ax][j]
        if c is None:
            shape = tuple(oc[jj] for oc, jj in zip(out_chunks, block_id))
            return np.empty(shape, dtype=dtype)
        sl.append(slice(c[0], c[1]))
    return fn(x[tuple(sl)])


def _valid2d(x, *, kernel):
    return _conv.convolve2d(x, kernel, "valid")


def _validnd(x, *, kernel, axes):
    return _conv.fftconvolve(x, kernel, "valid", axes=axes)


def _whole(x, *, fn, kwargs):
    return fn(x, **kwargs)


def _as_dask(a):
    a = a if isinstance(a, da.Array) else da.asarray(a)
    if any(math.isnan(c) for cs in a.chunks for c in cs):
        raise ValueError("bttbfft.dask: in1 has unknown chunk sizes (e.g. after boolean "
                         "indexing); call in1.compute_chunk_sizes() first")
    return a


def _as_numpy(a, name):
    if isinstance(a, da.Array):
        a = a.compute()
    return _conv._asarray(a, name)


def _meta(ndim, dtype):
    return np.empty((0,) * ndim, dtype=dtype)


def _single_chunk(x, fn, kwargs, out_shape, dtype):
    """Lazy in-memory fallback: the whole array as one chunk."""
    x1 = x.rechunk(x.shape)
    return x1.map_blocks(functools.partial(_whole, fn=fn, kwargs=kwargs),
                         chunks=tuple((int(n),) for n in out_shape), dtype=dtype,
                         meta=_meta(len(out_shape), dtype))


def _chunked(x, fn, plans, boundary, dtype):
    """Run fn on every overlapped chunk.  plans: per axis (depth, chunks, out_chunks, crops)."""
    x = x.rechunk(tuple(p[1] for p in plans))
    depth = {ax: p[0] for ax, p in enumerate(plans)}
    if any(depth.values()):
        bnd = {ax: boundary for ax in range(x.ndim)}
        x = _overlap(x, depth=depth, boundary=bnd, allow_rechunk=False)
    out_chunks = tuple(p[2] for p in plans)
    crops = tuple(p[3] for p in plans)
    return x.map_blocks(functools.partial(_block, crops=crops, out_chunks=out_chunks, fn=fn,
                                          dtype=dtype),
                        chunks=out_chunks, dtype=dtype, meta=_meta(x.ndim, dtype))


def _window(mode, m, k, corr):
    """(s, o): offset in the full convolution and output length along one axis (no swap)."""
    if mode == "full":
        return 0, m + k - 1
    if mode == "same":
        return (k // 2 if corr else (k - 1) // 2), m
    return k - 1, m - k + 1


def _dask_boundary(bnd, fillvalue, rt):
    """dask overlap boundary for scipy boundary bnd (fillvalue: read for 'fill' only, as scipy,
    in the result dtype rt)."""
    if bnd != "fill":
        return _DASK_BOUNDARY[bnd]
    return np.asarray(_conv._fillvalue(fillvalue, rt)).item()


# ------------------------------------------------------------------------------------------------
# public API
def _conv2d(in1, in2, mode, boundary, fillvalue, corr):
    fname = "correlate2d" if corr else "convolve2d"
    ref = _conv.correlate2d if corr else _conv.convolve2d
    x = _as_dask(in1)
    kern = _as_numpy(in2, "in2")
    if x.ndim != 2 or kern.ndim != 2:
        raise ValueError(f"{fname} inputs must both be 2-D arrays (got shapes {x.shape} and "
                         f"{kern.shape})")
    if x.size == 0:  # raise exactly as the in-memory function
        ref(np.zeros(x.shape, x.dtype), kern, mode, boundary, fillvalue)
    # validates mode, boundary, fillvalue and dtypes exactly as the in-memory function, and
    # gives the result dtype
    rt = ref(np.zeros((1, 1), dtype=x.dtype), kern, mode, boundary, fillvalue).dtype
    bnd = _conv._check_boundary(boundary)
    kwargs = dict(in2=kern, mode=mode, boundary=boundary, fillvalue=fillvalue)
    m, k = x.shape, kern.shape
    swap = mode == "valid" and _conv._swap_needed(mode, m, k, (0, 1))
    if swap:
        return _single_chunk(x, ref, kwargs, [a - b + 1 for a, b in zip(k, m)], rt)
    h = kern[::-1, ::-1] if corr else kern
    if corr and h.dtype.kind == "c":
        h = np.conj(h)
    h = np.ascontiguousarray(h)
    plans = []
    for ax in range(2):
        s, o = _window(mode, m[ax], k[ax], corr)
        p = _plan_axis(m[ax], k[ax], s, o, x.chunks[ax], mode == "same")
        if p is None:
            return _single_chunk(x, ref, kwargs, [_window(mode, a, b, corr)[1]
                                                  for a, b in zip(m, k)], rt)
        plans.append(p)
    x = x.astype(rt)  # the fill value and the halo live in the result dtype, as in scipy
    if mode == "valid":
        dask_bnd = 0  # never read
    else:
        dask_bnd = _dask_boundary(bnd, fillvalue, rt)
    return _chunked(x, functools.partial(_valid2d, kernel=h), plans, dask_bnd, rt)


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """2-D convolution of a dask array with a small kernel (scipy.signal.convolve2d semantics).

    ``in1``: a 2-D dask array (chunked along both axes or not; a NumPy array is wrapped with
    ``dask.array.asarray``); ``in2``: a small 2-D kernel held in memory.  ``mode``: 'full',
    'same', 'valid'; ``boundary``: 'fill'/'pad' (with ``fillvalue``), 'wrap'/'circular',
    'symm'/'symmetric'.  Returns a lazy dask array; each chunk (plus its halo) is convolved by
    ``bttbfft.convolve2d``.

    >>> import numpy as np, dask.array as da, scipy.signal, bttbfft.dask
    >>> img = np.arange(100.0).reshape(10, 10)
    >>> k = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> out = bttbfft.dask.convolve2d(da.from_array(img, chunks=4), k, "same", "symm")
    >>> out.shape, out.chunks
    ((10, 10), ((4, 4, 2), (4, 4, 2)))
    >>> bool(np.allclose(out.compute(), scipy.signal.convolve2d(img, k, "same", "symm")))
    True
    """
    return _conv2d(in1, in2, mode, boundary, fillvalue, corr=False)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """2-D cross-correlation of a dask array with a small kernel (scipy.signal.correlate2d
    semantics, including its 'same' centring for even kernel sizes).

    Same arguments and chunking as ``convolve2d``.

    >>> import numpy as np, dask.array as da, scipy.signal, bttbfft.dask
    >>> img = np.arange(100.0).reshape(10, 10)
    >>> k = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> out = bttbfft.dask.correlate2d(da.from_array(img, chunks=4), k, "same", "wrap")
    >>> bool(np.allclose(out.compute(), scipy.signal.correlate2d(img, k, "same", "wrap")))
    True
    """
    return _conv2d(in1, in2, mode, boundary, fillvalue, corr=True)


def fftconvolve(in1, in2, mode="full", axes=None):
    """N-D convolution of a dask array with a small kernel by FFT (scipy.signal.fftconvolve
    semantics: zero boundary, modes 'full', 'same', 'valid', ``axes`` with broadcasting).

    ``in1``: a dask array (any chunking); ``in2``: a small in-memory array with ``in1.ndim``
    dimensions.  Along the convolution axes the chunks get a halo from their neighbours; along
    the other axes ``in2`` must have length 1 (or ``in1``'s length: that axis is then kept in one
    chunk).  Returns a lazy dask array; each chunk is convolved by ``bttbfft.fftconvolve``.

    >>> import numpy as np, dask.array as da, scipy.signal, bttbfft.dask
    >>> img = np.arange(100.0).reshape(10, 10)
    >>> k = np.ones((3, 4))
    >>> out = bttbfft.dask.fftconvolve(da.from_array(img, chunks=(5, 4)), k, "valid")
    >>> out.shape
    (8, 7)
    >>> bool(np.allclose(out.compute(), scipy.signal.fftconvolve(img, k, "valid")))
    True
    """
    x = _as_dask(in1)
    kern = _as_numpy(in2, "in2")
    _conv._check_mode(mode)
    if x.ndim != kern.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality (shape mismatch: "
                         f"{x.shape} and {kern.shape})")
    kwargs = dict(in2=kern, mode=mode, axes=axes)
    if x.ndim == 0 or x.size == 0 or kern.size == 0:  # degenerate: in memory, as scipy
        res = np.asarray(_conv.fftconvolve(x.compute(), kern, mode, axes))
        return da.from_array(res, chunks=-1) if res.ndim else da.asarray(res)
    # validation (dtype, axes, broadcasting) as the in-memory function; result dtype
    rt = _conv.fftconvolve(np.zeros(kern.shape, x.dtype), kern, "full", axes).dtype
    user_axes = _conv._normalize_axes(axes, x.ndim)
    m, k = x.shape, kern.shape
    # scipy: axes along which either input has length 1 are broadcast, not convolved
    conv_axes = [d for d in user_axes if m[d] != 1 and k[d] != 1]
    for d in range(x.ndim):
        if d not in conv_axes and m[d] != k[d] and m[d] != 1 and k[d] != 1:
            raise ValueError(f"incompatible shapes for in1 and in2: {m} and {k} (shape mismatch "
                             "along the broadcast dimensions)")

    def out_shape():  # scipy.signal.fftconvolve's output shape
        full = [m[d] + k[d] - 1 if d in conv_axes else max(m[d], k[d]) for d in range(x.ndim)]
        if mode == "full":
            return full
        if mode == "same":
            return list(m)
        if _conv._swap_needed(mode, m, k, conv_axes):
            return [k[d] - m[d] + 1 if d in conv_axes else full[d] for d in range(x.ndim)]
        return [m[d] - k[d] + 1 if d in conv_axes else full[d] for d in range(x.ndim)]

    if mode == "valid" and _conv._swap_needed(mode, m, k, conv_axes):
        return _single_chunk(x, _conv.fftconvolve, kwargs, out_shape(), rt)
    plans = []
    for d in range(x.ndim):
        if d in conv_axes:
            s, o = _window(mode, m[d], k[d], False)
            p = _plan_axis(m[d], k[d], s, o, x.chunks[d], mode == "same")
            if p is None:
                return _single_chunk(x, _conv.fftconvolve, kwargs, out_shape(), rt)
        elif k[d] == 1:
            p = (0, x.chunks[d], x.chunks[d], [(0, c) for c in x.chunks[d]])
        elif m[d] == k[d]:
            p = (0, (m[d],), (m[d],), [(0, m[d])])
        else:  # in1 broadcast against a longer in2 along a non-convolution axis
            return _single_chunk(x, _conv.fftconvolve, kwargs, out_shape(), rt)
        plans.append(p)
    fn = functools.partial(_validnd, kernel=kern, axes=user_axes)
    return _chunked(x, fn, plans, 0, rt)


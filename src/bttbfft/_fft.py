"""numpy.fft-compatible API and the radix-2 primitives (shared by both backends).

Every transform goes through the FFT primitives of the selected backend, looked up at call time
as ``_backend.fft.<primitive>`` (see ``bttbfft._backend`` for the contract), so the test-suite
can switch backends.  This module does the argument checking, the dtype rules, ``n``/``s``
cropping and zero-padding, axes, norms, ``out=``, ``overwrite_x`` and ``workers``.

Precision: float32/complex64 (and float16) give complex64 (float32 for the irfft family); float64,
complex128, integers and bool give complex128 (float64).  long double, object, string, bytes,
datetime, timedelta and void arrays raise TypeError.  A bool ``axis``/``n`` (or bool entries of
``axes``/``s``) raises TypeError, where numpy takes True as 1: almost always a mistake.

Single-precision input is transformed in double precision and the result rounded once to
complex64/float32 -- what numpy 2's numpy.fft does -- so the error is one rounding of the exact
result, not the O(eps32 log n) of single-precision arithmetic.  The primitive ``fft_inplace``
(and the C API) compute complex64 in single precision, in place, as FFTW and scipy.fft do.
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from . import _backend, _workers
from ._helper import next_pow2

try:
    from numpy.exceptions import AxisError
except ImportError:  # numpy < 1.25
    from numpy import AxisError

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "fft_inplace", "bit_reverse", "bit_reverse_indices", "next_pow2"]

_C64 = np.dtype(np.complex64)
_C128 = np.dtype(np.complex128)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_MINUS_ONE = -1  # compared by identity in the fast paths (small ints are cached)

# input dtypes of the fast paths -> the dtype the transform is computed in; single precision is
# computed in double and rounded once: block by block along the last axis of C-contiguous rows
# (_single_rows), otherwise from a double copy, rounded at the end (_narrow)
_FAST_C = {_C128: _C128, _C64: _C128, _F64: _C128, _F32: _C128}
_SINGLE_IN = frozenset([_C64, _F32])
_COMPLEX_TO_REAL = {_C64: _F32, _C128: _F64}

_NORMS = {None: 0, "backward": 0, "ortho": 1, "forward": 2}
_DTYPE_HELP = ("expected bool, an integer, float16/float32/float64 or complex64/complex128 "
               "(long double, object, string, bytes, datetime, timedelta and void are not "
               "supported)")


# ----------------------------------------------------------------------------------------------
# argument checking
# ----------------------------------------------------------------------------------------------
def _asarray(a, fname):
    if isinstance(a, np.ndarray):
        return a if type(a) is np.ndarray else np.asarray(a)
    if a is None or isinstance(a, (str, bytes, dict, set, frozenset)):
        raise TypeError(f"{fname}: a must be an array-like of numbers, got {type(a).__name__}")
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{fname}: a must be an array-like of numbers, got "
                        f"{type(a).__name__} ({exc})") from None
    if arr.dtype.kind == "O":
        raise TypeError(f"{fname}: a must be an array-like of numbers, got {type(a).__name__} "
                        "(converts to an object array)")
    return arr


def _complex_dtype(dt, fname):
    """Working complex dtype for input dtype dt (TypeError if unsupported)."""
    kind = dt.kind
    if kind == "c":
        if dt.itemsize == 8:
            return _C64
        if dt.itemsize == 16:
            return _C128
    elif kind == "f":
        if dt.itemsize <= 4:
            return _C64
        if dt.itemsize == 8:
            return _C128
    elif kind in "biu":
        return _C128
    raise TypeError(f"{fname}: unsupported dtype {dt}; {_DTYPE_HELP}")


def _axis(axis, ndim, name="axis"):
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer, got bool")
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {type(axis).__name__}") from None
    if not -ndim <= ax < ndim:
        raise AxisError(ax, ndim, name)
    return ax + ndim if ax < 0 else ax


def _check_n(n, name="n"):
    if isinstance(n, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer >= 1 or None, got bool")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"{name} must be an integer >= 1 or None, got {type(n).__name__}") from None
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified; "
                         f"{name} must be >= 1")
    return n


def _normcode(norm):
    try:
        return _NORMS[norm]
    except (KeyError, TypeError):
        raise ValueError("norm must be one of None, 'backward', 'ortho', 'forward', "
                         f"got {norm!r}") from None


def _scale(code, n, inverse):
    if code == 0:
        return 1.0 / n if inverse else 1.0
    if code == 1:
        return 1.0 / math.sqrt(n)
    return 1.0 if inverse else 1.0 / n


def _check_out(out, shape, dtype, fname):
    """Validate out for a result of shape and dtype.  Returns True when out has another dtype
    that the result casts to under numpy's "same_kind" rule (as numpy.fft's out=: complex64 for
    a complex128 result, a non-native byte order, ...): the caller then computes the result
    without out and casts it into out (_cast_into)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{fname}: out must be a numpy.ndarray or None, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"{fname}: output array has wrong shape {out.shape}; expected "
                         f"{tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError(f"{fname}: output array is read-only")
    if out.dtype == dtype:
        return False
    if not np.can_cast(dtype, out.dtype, casting="same_kind"):
        raise TypeError(f"{fname}: cannot cast the result of dtype {dtype} to the output "
                        f"array's dtype {out.dtype} with casting rule 'same_kind'")
    return True


def _cast_into(out, res):
    np.copyto(out, res, casting="same_kind")
    return out


def _with_len(shape, ax, n):
    return shape[:ax] + (n,) + shape[ax + 1:]


def _narrow(res, out, dtype, nw=1):
    """Round the double-precision result res of a single-precision transform to dtype (once),
    into out when given (nw threads for large arrays)."""
    dst = out if out is not None else _backend.fft.empty(res.shape, dtype)
    _workers.narrow(dst, res, nw)
    return dst


def _single_rows(kind, arr, ax, shape, dtype, n, inverse, scale, out=None, nw=1):
    """The transform of length n along axis ax of arr into out, or into a new array of shape and
    dtype, computed in double precision row by row (or block by block) and rounded once
    (_workers.rows_via_double).  None when that path does not apply: ax is not the last axis,
    arr's length there needs a crop or pad (n, or n//2+1 for kind "i"), or arr and the output
    do not allow it (see _workers.via_double_ok)."""
    if (n < 1 or ax != arr.ndim - 1 or arr.shape[ax] != (n // 2 + 1 if kind == "i" else n)
            or not _workers.via_double_ok(arr, out)):
        return None
    dst = out if out is not None else _backend.fft.empty(shape, dtype)
    _workers.rows_via_double(kind, arr, dst, n, inverse, scale, nw)
    return dst


_fill = _workers._fill   # dst <- src cropped or zero-padded along an axis (one definition)


# ----------------------------------------------------------------------------------------------
# one axis, validated arguments
# ----------------------------------------------------------------------------------------------
def _c2c_axis(arr, n, ax, inverse, code, out, reuse, nw, cdt):
    m = arr.shape[ax]
    if n is None:
        n = m
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified; the "
                             "transform axis is empty")
    if out is not None:
        w = out
    elif reuse and n == m and arr.dtype == cdt and arr.flags.writeable:
        w = arr
    else:
        w = _backend.fft.empty(_with_len(arr.shape, ax, n), cdt)
    scale = _scale(code, n, inverse)
    if w is not arr and ax == 0 and n == m and arr.size and _workers.fused_cols_ok(arr, w):
        # out of place along axis 0 without crop or pad: the copy fused with the bit reversal
        # and first pass of the columns (same bits as copy, then transform)
        _workers.fft2_from(arr, w, inverse, 1.0, scale, nw, rows=False)
        return w
    if out is None and w is not arr:
        if w.size:  # copy and transform fused per chunk (threads copy in parallel)
            _workers.c2c_from(arr, w, ax, inverse, scale, nw)
        return w
    if w is not arr:
        _fill(w, arr, ax, m, n)
    if w.size:
        _workers.c2c(w, ax, inverse, scale, nw)
    return w


def _r2c_axis(arr, n, ax, code, out, nw, cdt):
    m = arr.shape[ax]
    if n is None:
        n = m
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified; the "
                             "transform axis is empty")
    rdt = _COMPLEX_TO_REAL[cdt]
    if n == m and arr.dtype == rdt:
        x = arr  # r2c never modifies its input
    else:
        x = _backend.fft.empty(_with_len(arr.shape, ax, n), rdt)
        _fill(x, arr, ax, m, n)
    oshape = _with_len(arr.shape, ax, n // 2 + 1)
    if x.size == 0:
        res = np.zeros(oshape, dtype=cdt)
    elif out is not None and not np.may_share_memory(out, x):
        return _workers.r2c(x, ax, _scale(code, n, False), nw, out)
    else:
        res = _workers.r2c(x, ax, _scale(code, n, False), nw)
    if out is not None:
        np.copyto(out, res)
        return out
    return res


def _c2r_axis(arr, n, ax, code, out, nw, cdt):
    m = arr.shape[ax]
    if n is None:
        n = 2 * (m - 1)
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified; irfft needs "
                             f"n >= 1 (the input has {m} points along the transform axis)")
    h = n // 2 + 1
    if h == m and arr.dtype == cdt:
        x = arr  # c2r never modifies its input
    else:
        x = _backend.fft.empty(_with_len(arr.shape, ax, h), cdt)
        _fill(x, arr, ax, m, h)
    rdt = _COMPLEX_TO_REAL[cdt]
    oshape = _with_len(arr.shape, ax, n)
    if x.size == 0:
        res = np.zeros(oshape, dtype=rdt)
    elif out is not None and not np.may_share_memory(out, x):
        return _workers.c2r(x, n, ax, _scale(code, n, True), nw, out)
    else:
        res = _workers.c2r(x, n, ax, _scale(code, n, True), nw)
    if out is not None:
        np.copyto(out, res)
        return out
    return res


def _real_input_dtype(arr, fname):
    dt = arr.dtype
    if dt.kind == "c":
        raise TypeError(f"{fname}: input must be real, got dtype {dt} (use fft for complex "
                        "input)")
    return _complex_dtype(dt, fname)


def _ndim_check(arr, fname):
    if arr.ndim == 0:
        raise ValueError(f"{fname}: a must have at least one dimension, got a 0-d array")


# ----------------------------------------------------------------------------------------------
# 1-D transforms
# ----------------------------------------------------------------------------------------------
def _c2c_public(a, n, axis, norm, out, overwrite_x, workers, inverse, fname):
    arr = _asarray(a, fname)
    cdt = _complex_dtype(arr.dtype, fname)
    _ndim_check(arr, fname)
    ax = _axis(axis, arr.ndim)
    if n is not None:
        n = _check_n(n)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    if n is None:
        n = _check_n(arr.shape[ax])
    if out is not None and _check_out(out, _with_len(arr.shape, ax, n), cdt, fname):
        return _cast_into(out, _c2c_public(a, n, axis, norm, None, overwrite_x, workers, inverse,
                                           fname))
    if cdt is _C64:
        res = _single_rows("c", arr, ax, arr.shape, _C64, n, inverse, _scale(code, n, inverse),
                           out, nw)
        if res is not None:
            return res
        res = _c2c_axis(arr, n, ax, inverse, code, None, False, nw, _C128)
        return _narrow(res, out, _C64, nw)
    reuse = _may_reuse(overwrite_x, arr, a)
    return _c2c_axis(arr, n, ax, inverse, code, out, reuse, nw, cdt)


def _c2c_last_fast(a, cdt, inverse, scale):
    """The fast path of fft/ifft with default arguments, after their 1-D complex128 case: the
    transform of the ndarray a (not empty; compute dtype cdt) along its last axis, times
    scale."""
    if cdt is a.dtype and a.flags.c_contiguous and a.flags.aligned:
        # rows straight into the result (no copy first; 2048 x 2048: 0.73x the time)
        w = _backend.fft.empty(a.shape, cdt)
        m = a.shape[-1]
        _backend.fft.c2c_rows(a.reshape(-1, m), w.reshape(-1, m), inverse, scale)
        return w
    if a.dtype in _SINGLE_IN:
        res = _single_rows("c", a, a.ndim - 1, a.shape, _C64, a.shape[-1], inverse, scale)
        if res is not None:
            return res
    w = a.copy() if cdt is a.dtype else a.astype(cdt)
    _backend.fft.c2c_inplace(w, a.ndim - 1, inverse, scale)
    return w.astype(_C64) if a.dtype in _SINGLE_IN else w


def fft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """One-dimensional discrete Fourier transform (as ``numpy.fft.fft``).

    ``n`` crops or zero-pads the input along ``axis``; ``norm`` is one of None, "backward",
    "ortho", "forward"; ``out`` receives the result (exact shape; a dtype the result casts to
    under numpy's "same_kind" rule);
    ``overwrite_x=True`` allows the input buffer to be reused; ``workers`` threads are used for
    batched transforms (None = 1, -1 = all cores).

    >>> import numpy as np, bttbfft
    >>> bttbfft.fft([1, 2, 3, 4])
    array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    if (type(a) is np.ndarray and n is None and norm is None and out is None
            and workers is None and overwrite_x is False and axis is _MINUS_ONE):
        cdt = _FAST_C.get(a.dtype)
        if cdt is not None and a.ndim and a.size:
            if cdt is a.dtype and a.ndim == 1 and a.flags.c_contiguous and a.flags.aligned:
                # out of place: bit reversal fused with the first pass
                w = _backend.fft.empty(a.shape, cdt)
                _backend.fft.c2c_contig(a, w, False, 1.0)
                return w
            return _c2c_last_fast(a, cdt, False, 1.0)
    return _c2c_public(a, n, axis, norm, out, overwrite_x, workers, False, "fft")


def ifft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """One-dimensional inverse discrete Fourier transform (as ``numpy.fft.ifft``).

    >>> import numpy as np, bttbfft
    >>> bttbfft.ifft([10, -2+2j, -2, -2-2j])
    array([1.+0.j, 2.+0.j, 3.+0.j, 4.+0.j])
    """
    if (type(a) is np.ndarray and n is None and norm is None and out is None
            and workers is None and overwrite_x is False and axis is _MINUS_ONE):
        cdt = _FAST_C.get(a.dtype)
        if cdt is not None and a.ndim and a.size:
            if cdt is a.dtype and a.ndim == 1 and a.flags.c_contiguous and a.flags.aligned:
                w = _backend.fft.empty(a.shape, cdt)
                _backend.fft.c2c_contig(a, w, True, 1.0 / a.shape[0])
                return w
            return _c2c_last_fast(a, cdt, True, 1.0 / a.shape[-1])
    return _c2c_public(a, n, axis, norm, out, overwrite_x, workers, True, "ifft")


def rfft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """Discrete Fourier transform of real input (as ``numpy.fft.rfft``): ``n//2 + 1`` outputs.

    Complex input raises TypeError (as numpy).

    >>> import numpy as np, bttbfft
    >>> bttbfft.rfft([1.0, 2.0, 3.0, 4.0])
    array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    if (type(a) is np.ndarray and n is None and norm is None
            and workers is None and axis is _MINUS_ONE):
        dt = a.dtype
        if dt is _F64 and a.ndim and a.size:
            if a.ndim == 1 and a.flags.c_contiguous and a.flags.aligned:   # 1-D fast path
                cdt = _C128
                m = a.shape[0] // 2 + 1
                if out is None:
                    res = _backend.fft.empty((m,), cdt)
                elif (type(out) is np.ndarray and out.dtype is cdt and out.shape == (m,)
                      and out.flags.c_contiguous and out.flags.aligned and out.flags.writeable
                      and not np.may_share_memory(a, out)):
                    res = out
                else:
                    res = None
                if res is not None:
                    _backend.fft.r2c_contig(a, res, 1.0)
                    return res
            elif out is None:
                return _backend.fft.r2c(a, a.ndim - 1, 1.0)
        elif dt is _F32 and a.ndim and a.size and out is None:   # computed in double, rounded
            m = a.shape[-1]
            res = _single_rows("r", a, a.ndim - 1, a.shape[:-1] + (m // 2 + 1,), _C64, m, False,
                               1.0)
            if res is not None:
                return res
            return _backend.fft.r2c(a.astype(_F64), a.ndim - 1, 1.0).astype(_C64)
    fname = "rfft"
    arr = _asarray(a, fname)
    cdt = _real_input_dtype(arr, fname)
    _ndim_check(arr, fname)
    ax = _axis(axis, arr.ndim)
    if n is not None:
        n = _check_n(n)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    if n is None:
        n = _check_n(arr.shape[ax])
    if out is not None and _check_out(out, _with_len(arr.shape, ax, n // 2 + 1), cdt, fname):
        return _cast_into(out, _py_rfft(a, n, axis, norm, None, overwrite_x=overwrite_x,
                                        workers=workers))
    if cdt is _C64:
        res = _single_rows("r", arr, ax, _with_len(arr.shape, ax, n // 2 + 1), _C64, n, False,
                           _scale(code, n, False), out, nw)
        if res is not None:
            return res
        return _narrow(_r2c_axis(arr, n, ax, code, None, nw, _C128), out, _C64, nw)
    return _r2c_axis(arr, n, ax, code, out, nw, cdt)


def irfft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """Inverse of ``rfft`` (as ``numpy.fft.irfft``); ``n`` defaults to ``2*(m - 1)``.

    The imaginary parts of the zero-frequency term (and of the Nyquist term for even ``n``) are
    ignored.  float32/complex64/float16 input gives float32, everything else float64.

    >>> import numpy as np, bttbfft
    >>> bttbfft.irfft([10, -2+2j, -2])
    array([1., 2., 3., 4.])
    """
    if (type(a) is np.ndarray and n is None and norm is None and out is None
            and workers is None and axis is _MINUS_ONE):
        dt = a.dtype
        if (dt is _C128 or dt is _C64) and a.ndim and a.size and a.shape[-1] > 1:
            nn = 2 * (a.shape[-1] - 1)
            if dt is _C64:
                res = _single_rows("i", a, a.ndim - 1, a.shape[:-1] + (nn,), _F32, nn, True,
                                   1.0 / nn)
                if res is not None:
                    return res
                return _backend.fft.c2r(a.astype(_C128), nn, a.ndim - 1, 1.0 / nn).astype(_F32)
            return _backend.fft.c2r(a, nn, a.ndim - 1, 1.0 / nn)
    fname = "irfft"
    arr = _asarray(a, fname)
    cdt = _complex_dtype(arr.dtype, fname)
    _ndim_check(arr, fname)
    ax = _axis(axis, arr.ndim)
    if n is not None:
        n = _check_n(n)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    if n is None:
        n = _check_n(2 * (arr.shape[ax] - 1))
    if out is not None and _check_out(out, _with_len(arr.shape, ax, n), _COMPLEX_TO_REAL[cdt],
                                      fname):
        return _cast_into(out, irfft(a, n, axis, norm, None, overwrite_x=overwrite_x,
                                     workers=workers))
    if cdt is _C64:
        res = _single_rows("i", arr, ax, _with_len(arr.shape, ax, n), _F32, n, True,
                           _scale(code, n, True), out, nw)
        if res is not None:
            return res
        return _narrow(_c2r_axis(arr, n, ax, code, None, nw, _C128), out, _F32, nw)
    return _c2r_axis(arr, n, ax, code, out, nw, cdt)


# ----------------------------------------------------------------------------------------------
# n-D transforms
# ----------------------------------------------------------------------------------------------
def _axes_list(axes, ndim):
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        axes = (axes,)
    try:
        items = list(axes)
    except TypeError:
        raise TypeError(f"axes must be None or a sequence of integers, got "
                        f"{type(axes).__name__}") from None
    return [_axis(ax, ndim, "axes") for ax in items]


def _s_list(s):
    if isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)):
        s = (s,)
    try:
        items = list(s)
    except TypeError:
        raise TypeError(f"s must be None or a sequence of integers, got "
                        f"{type(s).__name__}") from None
    out = []
    for v in items:
        if v is None:
            out.append(None)
            continue
        if isinstance(v, (bool, np.bool_)):
            raise TypeError("s must contain integers, got bool")
        try:
            v = operator.index(v)
        except TypeError:
            raise TypeError(f"s must contain integers, got {type(v).__name__}") from None
        if v < 1 and v != -1:
            raise ValueError(f"Invalid number of FFT data points ({v}) specified in s; "
                             "entries must be >= 1 (or -1 for the input's length)")
        out.append(v)
    return out


def _cook(arr, s, axes, invreal):
    """numpy 2's rules for s and axes: returns (s, axes), s entries int or None (= default)."""
    nd = arr.ndim
    if axes is not None:
        axes = _axes_list(axes, nd)
    if s is None:
        shapeless = True
        if axes is None:
            axes = list(range(nd))
        s = [arr.shape[ax] for ax in axes]
    else:
        shapeless = False
        s = _s_list(s)
        if axes is None:
            warnings.warn(
                "`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). "
                "In a future version of NumPy, this will raise an error and `s[i]` will "
                "correspond to the size along the transformed axis specified by `axes[i]`. "
                "To retain current behaviour, pass a sequence [0, ..., k-1] to `axes` for an "
                "array of dimension k.", DeprecationWarning, stacklevel=4)
            if len(s) > nd:
                raise ValueError(f"s has {len(s)} entries but the input has only {nd} "
                                 "dimensions")
            axes = list(range(nd - len(s), nd))
    if len(s) != len(axes):
        raise ValueError(f"Shape and axes have different lengths: s has {len(s)} entries, "
                         f"axes has {len(axes)}")
    if invreal and shapeless and s:
        s[-1] = (arr.shape[axes[-1]] - 1) * 2
    if any(v is None for v in s):
        warnings.warn(
            "Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 and "
            "will raise an error in a future version of NumPy. To use the default behaviour of "
            "the corresponding 1-D transform, pass the value matching the default for its `n` "
            "parameter. To use the default behaviour for every axis, the `s` argument can be "
            "omitted.", DeprecationWarning, stacklevel=4)
    s = [arr.shape[ax] if v == -1 else v for v, ax in zip(s, axes)]
    for v in s:
        if v is not None and v < 1:
            raise ValueError(f"Invalid number of FFT data points ({v}) specified; every "
                             "transform length must be >= 1")
    return s, axes


def _shape_after(shape, steps):
    """Shapes after each (n, axis, kind) step, kind in 'c', 'r' (r2c), 'i' (c2r)."""
    shapes = []
    cur = list(shape)
    for n, ax, kind in steps:
        m = cur[ax]
        if kind == "c":
            nn = m if n is None else n
        elif kind == "r":
            nn = (m if n is None else n) // 2 + 1
        else:
            nn = 2 * (m - 1) if n is None else n
        cur[ax] = nn
        shapes.append(tuple(cur))
    return shapes


def _cnd(a, s, axes, norm, out, overwrite_x, workers, inverse, fname):
    arr = _asarray(a, fname)
    cdt = _complex_dtype(arr.dtype, fname)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    s, axes = _cook(arr, s, axes, 0)
    steps = [(s[ii], axes[ii], "c") for ii in range(len(axes) - 1, -1, -1)]
    shapes = _shape_after(arr.shape, steps)
    final = shapes[-1] if shapes else arr.shape
    if out is not None and _check_out(out, final, cdt, fname):
        return _cast_into(out, _cnd(a, s, axes, norm, None, overwrite_x, workers, inverse,
                                    fname))
    if not steps:
        if out is None:
            return arr.astype(cdt, copy=True)
        np.copyto(out, arr, casting="unsafe")
        return out
    cur = arr
    reuse = _may_reuse(overwrite_x, arr, a)
    single, cdt = cdt is _C64, _C128
    if (len(steps) == 2 and steps[0][1] == 1 and steps[1][1] == 0 and not reuse
            and tuple(final) == arr.shape and _workers.fused2d_ok(arr)
            and (out is None or single or _workers.separate_out(out, arr))):
        # 2-D, no crop or pad: rows fused with the first column pass (same bits); complex64
        # rows are widened as they are read, transformed in double and rounded at the end
        n1, n2 = arr.shape
        res = out if out is not None and not single else _backend.fft.empty(arr.shape, cdt)
        _workers.fft2_from(arr, res, inverse, _scale(code, n2, inverse),
                           _scale(code, n1, inverse), nw)
        return _narrow(res, out, _C64, nw) if single else res
    for (n, ax, _), shp in zip(steps, shapes):
        o = out if (out is not None and shp == final and not single) else None
        cur = _c2c_axis(cur, n, ax, inverse, code, o, reuse, nw, cdt)
        reuse = True
    return _narrow(cur, out, _C64, nw) if single else cur


def fftn(a, s=None, axes=None, norm=None, out=None, *, overwrite_x=False, workers=None):
    """N-dimensional discrete Fourier transform (as ``numpy.fft.fftn``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(8.0).reshape(2, 4)
    >>> np.allclose(bttbfft.fftn(x), np.fft.fftn(x))
    True
    """
    return _cnd(a, s, axes, norm, out, overwrite_x, workers, False, "fftn")


def ifftn(a, s=None, axes=None, norm=None, out=None, *, overwrite_x=False, workers=None):
    """N-dimensional inverse discrete Fourier transform (as ``numpy.fft.ifftn``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(8.0).reshape(2, 4)
    >>> np.allclose(bttbfft.ifftn(bttbfft.fftn(x)), x)
    True
    """
    return _cnd(a, s, axes, norm, out, overwrite_x, workers, True, "ifftn")


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None, *, overwrite_x=False, workers=None):
    """Two-dimensional discrete Fourier transform (as ``numpy.fft.fft2``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> np.allclose(bttbfft.fft2(x), np.fft.fft2(x))
    True
    """
    return _cnd(a, s, axes, norm, out, overwrite_x, workers, False, "fft2")


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None, *, overwrite_x=False, workers=None):
    """Two-dimensional inverse discrete Fourier transform (as ``numpy.fft.ifft2``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> np.allclose(bttbfft.ifft2(x), np.fft.ifft2(x))
    True
    """
    return _cnd(a, s, axes, norm, out, overwrite_x, workers, True, "ifft2")


def _rnd(a, s, axes, norm, out, overwrite_x, workers, fname):
    arr = _asarray(a, fname)
    cdt = _real_input_dtype(arr, fname)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    s, axes = _cook(arr, s, axes, 0)
    if not axes:
        raise ValueError(f"{fname}: axes must not be empty")
    steps = [(s[-1], axes[-1], "r")] + [(s[ii], axes[ii], "c")
                                         for ii in range(len(axes) - 2, -1, -1)]
    shapes = _shape_after(arr.shape, steps)
    final = shapes[-1]
    if out is not None and _check_out(out, final, cdt, fname):
        return _cast_into(out, _rnd(a, s, axes, norm, None, overwrite_x, workers, fname))
    single, cdt = cdt is _C64, _C128
    dst = None if single else out
    if (len(steps) == 2 and steps[0][1] == 1 and steps[1][1] == 0
            and s[0] == arr.shape[0] and s[1] == arr.shape[1] and _workers.fused_r2c_ok(arr)
            and (dst is None or _workers.separate_out(dst, arr))):
        # 2-D, no crop or pad: real rows fused with the first column pass (same bits); float32
        # rows are widened as they are read, transformed in double and rounded at the end
        n1, n2 = arr.shape
        res = dst if dst is not None else _backend.fft.empty(final, cdt)
        _workers.fft2_from(arr, res, False, _scale(code, n2, False), _scale(code, n1, False), nw)
        return _narrow(res, out, _C64, nw) if single else res
    n0, ax0, _ = steps[0]
    cur = None
    if single:
        # real rows in single precision: widened, transformed and (for the last step) rounded
        # row by row
        last = len(steps) == 1
        nr = arr.shape[ax0] if n0 is None else n0
        cur = _single_rows("r", arr, ax0, shapes[0], _C64 if last else cdt, nr, False,
                           _scale(code, nr, False), out if last else None, nw)
        if cur is not None and last:
            return cur
    if cur is None:
        cur = _r2c_axis(arr, n0, ax0, code,
                        dst if (dst is not None and shapes[0] == final) else None, nw, cdt)
    for (n, ax, _), shp in zip(steps[1:], shapes[1:]):
        o = dst if (dst is not None and shp == final) else None
        cur = _c2c_axis(cur, n, ax, False, code, o, True, nw, cdt)
    return _narrow(cur, out, _C64, nw) if single else cur


def _ind(a, s, axes, norm, out, overwrite_x, workers, fname):
    arr = _asarray(a, fname)
    cdt = _complex_dtype(arr.dtype, fname)
    code = _normcode(norm)
    nw = _workers.resolve(workers)
    s, axes = _cook(arr, s, axes, 1)
    if not axes:
        raise ValueError(f"{fname}: axes must not be empty")
    steps = [(s[ii], axes[ii], "c") for ii in range(len(axes) - 1)] + [(s[-1], axes[-1], "i")]
    shapes = _shape_after(arr.shape, steps)
    final = shapes[-1]
    if out is not None and _check_out(out, final, _COMPLEX_TO_REAL[cdt], fname):
        return _cast_into(out, _ind(a, s, axes, norm, None, overwrite_x, workers, fname))
    cur = arr
    reuse = _may_reuse(overwrite_x, arr, a)
    single, cdt = cdt is _C64, _C128
    for n, ax, _ in steps[:-1]:
        cur = _c2c_axis(cur, n, ax, True, code, None, reuse, nw, cdt)
        reuse = True
    n, ax, _ = steps[-1]
    if single:
        if n is None:
            n = 2 * (cur.shape[ax] - 1)
        res = _single_rows("i", cur, ax, final, _F32, n, True, _scale(code, n, True), out, nw)
        if res is not None:
            return res
        return _narrow(_c2r_axis(cur, n, ax, code, None, nw, cdt), out, _F32, nw)
    return _c2r_axis(cur, n, ax, code, out, nw, cdt)


def rfftn(a, s=None, axes=None, norm=None, out=None, *, overwrite_x=False, workers=None):
    """N-dimensional transform of real input (as ``numpy.fft.rfftn``).

    The real transform runs along the last of ``axes``, complex transforms along the others.

    >>> import numpy as np, bttbfft
    >>> x = np.arange(24.0).reshape(2, 3, 4)
    >>> np.allclose(bttbfft.rfftn(x), np.fft.rfftn(x))
    True
    """
    return _rnd(a, s, axes, norm, out, overwrite_x, workers, "rfftn")


def irfftn(a, s=None, axes=None, norm=None, out=None, *, overwrite_x=False, workers=None):
    """Inverse of ``rfftn`` (as ``numpy.fft.irfftn``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(24.0).reshape(2, 3, 4)
    >>> np.allclose(bttbfft.irfftn(bttbfft.rfftn(x), x.shape, axes=(0, 1, 2)), x)
    True
    """
    return _ind(a, s, axes, norm, out, overwrite_x, workers, "irfftn")


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None, *, overwrite_x=False, workers=None):
    """Two-dimensional transform of real input (as ``numpy.fft.rfft2``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> np.allclose(bttbfft.rfft2(x), np.fft.rfft2(x))
    True
    """
    return _rnd(a, s, axes, norm, out, overwrite_x, workers, "rfft2")


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None, *, overwrite_x=False, workers=None):
    """Inverse of ``rfft2`` (as ``numpy.fft.irfft2``).

    >>> import numpy as np, bttbfft
    >>> x = np.arange(12.0).reshape(3, 4)
    >>> np.allclose(bttbfft.irfft2(bttbfft.rfft2(x), x.shape), x)
    True
    """
    return _ind(a, s, axes, norm, out, overwrite_x, workers, "irfft2")


# ----------------------------------------------------------------------------------------------
# radix-2 primitives
# ----------------------------------------------------------------------------------------------
def _is_pow2(n):
    return n >= 1 and (n & (n - 1)) == 0


def _may_share(x):
    """True if two elements of the array x may share memory (a zero stride, an overlapping
    strided view such as a writeable sliding_window_view).  A cheap sufficient test of the
    opposite: with the axes sorted by stride, each stride clears the span of the smaller ones;
    the rare layouts that interleave without overlapping also count as "may share"."""
    if x.size <= 1:
        return False
    span = x.itemsize
    for st, n in sorted((abs(st), n) for st, n in zip(x.strides, x.shape) if n > 1):
        if st < span:
            return True
        span += st * (n - 1)
    return False


def _may_reuse(overwrite_x, arr, a):
    """Whether a transform may work in the caller's input a (overwrite_x=True) rather than in a
    copy: only when arr, the array the transform reads, is a itself and no two of its elements
    share memory (a transform computed in place would then read values already overwritten)."""
    return bool(overwrite_x) and arr is a and not _may_share(arr)


def _inplace_target(x, fname):
    """x as a base-class ndarray view for an in-place primitive (an np.matrix or other subclass
    is transformed through a plain view of its memory), after checking that no two of its
    elements share memory."""
    if _may_share(x):
        raise ValueError(f"{fname}: x has elements that share memory (a zero stride or an "
                         "overlapping strided view); transform a copy")
    return x if type(x) is np.ndarray else x.view(np.ndarray)


def fft_inplace(x, *, inverse=False, norm=None, axis=-1):
    """Transform the writeable complex64/complex128 array ``x`` in place and return it.

    The length along ``axis`` must be a power of two.  Nothing proportional to the data is
    allocated.  Real or non-numeric arrays raise TypeError; read-only arrays, arrays some of whose
    elements share memory (a zero stride, an overlapping strided view) and lengths that are not
    powers of two raise ValueError.

    >>> import numpy as np, bttbfft
    >>> x = np.array([1, 2, 3, 4], dtype=complex)
    >>> y = bttbfft.fft_inplace(x)
    >>> y is x, x
    (True, array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j]))
    """
    if (type(x) is np.ndarray and axis is _MINUS_ONE and norm is None and x.ndim == 1
            and (x.dtype is _C128 or x.dtype is _C64)):
        fl = x.flags
        if fl.writeable and fl.c_contiguous and fl.aligned:   # 1-D fast path
            n = x.shape[0]
            if n & (n - 1) == 0 and n:
                _backend.fft.c2c_contig(x, x, bool(inverse), 1.0 / n if inverse else 1.0)
                return x
    if not isinstance(x, np.ndarray):
        raise TypeError("fft_inplace: x must be a complex64 or complex128 numpy.ndarray, got "
                        f"{type(x).__name__}")
    dt = x.dtype
    if dt != _C64 and dt != _C128:
        raise TypeError("fft_inplace: x must be a complex64 or complex128 array (native byte "
                        f"order), got dtype {dt}")
    if x.ndim == 0:
        raise ValueError("fft_inplace: x must have at least one dimension")
    ax = _axis(axis, x.ndim)
    code = _normcode(norm)
    if not x.flags.writeable:
        raise ValueError("fft_inplace: x is read-only; a writeable array is required")
    n = x.shape[ax]
    if not _is_pow2(n):
        raise ValueError(f"fft_inplace: the length along axis must be a power of two, got {n}")
    if x.size:
        _backend.fft.c2c_inplace(_inplace_target(x, "fft_inplace"), ax, bool(inverse),
                                 _scale(code, n, bool(inverse)))
    return x


def bit_reverse(x, *, axis=-1):
    """Apply the bit-reversal permutation to ``x`` along ``axis`` in place and return ``x``.

    Any dtype is accepted; the length along ``axis`` must be a power of two and ``x`` writeable,
    with no two elements sharing memory (ValueError otherwise).

    >>> import numpy as np, bttbfft
    >>> bttbfft.bit_reverse(np.arange(8))
    array([0, 4, 2, 6, 1, 5, 3, 7])
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"bit_reverse: x must be a numpy.ndarray, got {type(x).__name__}")
    if x.ndim == 0:
        raise ValueError("bit_reverse: x must have at least one dimension")
    ax = _axis(axis, x.ndim)
    if not x.flags.writeable:
        raise ValueError("bit_reverse: x is read-only; a writeable array is required")
    n = x.shape[ax]
    if not _is_pow2(n):
        raise ValueError(f"bit_reverse: the length along axis must be a power of two, got {n}")
    if x.size and n > 2:
        _backend.fft.bit_reverse_inplace(_inplace_target(x, "bit_reverse"), ax)
    return x


def bit_reverse_indices(n):
    """The bit-reversal permutation of ``range(n)`` (``n`` a power of two) as an intp array.

    >>> import bttbfft
    >>> bttbfft.bit_reverse_indices(8)
    array([0, 4, 2, 6, 1, 5, 3, 7])
    """
    if isinstance(n, (bool, np.bool_)):
        raise TypeError("bit_reverse_indices: n must be a power-of-two integer, got bool")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError("bit_reverse_indices: n must be a power-of-two integer, got "
                        f"{type(n).__name__}") from None
    if not _is_pow2(n):
        raise ValueError(f"bit_reverse_indices: n must be a power of two >= 1, got {n}")
    rev = np.zeros(n, dtype=np.intp)
    length = 1
    while length < n:  # rev_{2L} = [2*rev_L, 2*rev_L + 1]
        np.multiply(rev[:length], 2, out=rev[:length])
        np.add(rev[:length], 1, out=rev[length:2 * length])
        length *= 2
    return rev


# ----------------------------------------------------------------------------------------------
# compiled entry points
# ----------------------------------------------------------------------------------------------
def _use_compiled_entry_points():
    """With the compiled backend, the public fft_inplace, fft and rfft are Cython functions that
    run the plainest call (1-D, contiguous, default arguments) without the Python-call overhead
    of this module and hand every other call to the Python functions above (see bttbfft._core).
    Returns the three functions to publish."""
    py = (fft_inplace, fft, rfft)
    if _backend.name != "c" or not hasattr(_backend.fft, "_install_entry_points"):
        return py
    core = _backend.fft
    core._install_entry_points(_backend, *py)
    compiled = (core.fft_inplace, core.fft, core.rfft)
    for c, p in zip(compiled, py):
        try:
            c.__doc__ = p.__doc__
        except (AttributeError, TypeError):  # pragma: no cover - older Cython without binding
            pass
    return compiled


_py_fft_inplace, _py_fft, _py_rfft = fft_inplace, fft, rfft
fft_inplace, fft, rfft = _use_compiled_entry_points()

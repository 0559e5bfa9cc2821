"""A ``scipy.fft`` backend that runs scipy.fft's transforms on bttbfft (uarray protocol).

Use it like any scipy.fft backend::

    import scipy.fft, scipy.signal, bttbfft.scipy_fft
    with scipy.fft.set_backend(bttbfft.scipy_fft):
        y = scipy.fft.fft(x)                     # computed by bttbfft
        z = scipy.signal.fftconvolve(a, b)       # its rfftn/irfftn run on bttbfft
    # or for the whole process, with scipy's own backend registered again as the fallback
    # (set_global_backend replaces it, and the calls bttbfft leaves to scipy -- dct, plan=,
    # long double, bad arguments -- would then raise BackendNotImplementedError):
    scipy.fft.set_global_backend(bttbfft.scipy_fft)
    scipy.fft.register_backend("scipy")

Supported (dispatched to bttbfft): ``fft, ifft, rfft, irfft, hfft, ihfft, fft2, ifft2, rfft2,
irfft2, hfft2, ihfft2, fftn, ifftn, rfftn, irfftn, hfftn, ihfftn`` on NumPy arrays (or
lists/tuples/scalars) of dtype bool, integer, float16/32/64 or complex64/128, with scipy.fft's
signature ``(x, n|s, axis|axes, norm, overwrite_x, workers, *, plan)`` and scipy.fft's rules
(``s``/``axes`` as scipy's ``_init_nd_shape_and_axes``: an ``s`` without ``axes`` means the last
``len(s)`` axes, ``-1`` in ``s`` keeps that axis' length; ``workers=None`` is scipy's default
(``scipy.fft.set_workers``), negative ``workers`` count back from ``os.cpu_count()``).
Precision is kept as scipy.fft does (float32/complex64 in -> complex64 out, float16 computed as
float32). The Hermitian transforms use the exact identities
``hfft(x, n, norm) == irfft(conj(x), n, norm')`` and ``ihfft(x, n, norm) == conj(rfft(x, n,
norm'))`` where ``norm'`` swaps "backward" and "forward" (numpy.fft computes them the same way).

Everything else returns ``NotImplemented`` so that scipy falls back to its own implementation
(or to the next backend): a ``plan``; long double, object and other dtypes; non-NumPy arrays
(CuPy, torch, dask, ...); empty inputs; arguments scipy would reject (bad ``norm``, ``n < 1``,
repeated or out-of-range axes, complex input to ``rfft``, ...) -- scipy then raises its own
error; and every other scipy.fft function (``dct``, ``dst``, ``fht``, ...).
``scipy.fft.next_fast_len`` is not dispatched by scipy, so ``scipy.signal.fftconvolve`` pads to
5-smooth lengths: bttbfft handles those with Bluestein's algorithm, powers of two go straight to
its radix-2 core.

>>> import numpy as np, scipy.fft, bttbfft.scipy_fft
>>> x = np.arange(8.0)
>>> with scipy.fft.set_backend(bttbfft.scipy_fft, only=True):
...     y = scipy.fft.rfft(x)
>>> bool(np.allclose(y, np.fft.rfft(x)))
True
"""
from __future__ import annotations

import operator
import os

import numpy as np

from . import _fft

__all__ = ["__ua_domain__", "__ua_function__", "SUPPORTED"]

__ua_domain__ = "numpy.scipy.fft"

_NORMS = (None, "backward", "ortho", "forward")
_SWAP_NORM = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}
_NI = NotImplemented


# ----------------------------------------------------------------------------------------------
# argument binding (scipy.fft's signatures)
# ----------------------------------------------------------------------------------------------
def _bind_1d(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    return x, n, axis, norm, overwrite_x, workers, plan


def _bind_nd(x, s=None, axes=None, norm=None, overwrite_x=False, workers=None, *, plan=None):
    return x, s, axes, norm, overwrite_x, workers, plan


def _bind_2d(x, s=None, axes=(-2, -1), norm=None, overwrite_x=False, workers=None, *,
             plan=None):
    return x, s, axes, norm, overwrite_x, workers, plan


class _Reject(Exception):
    """Raised internally when an argument is not supported: the backend returns NotImplemented."""


def _array(x, real_only):
    """x as an ndarray of a supported dtype (or _Reject)."""
    if isinstance(x, np.ndarray):
        arr = np.asarray(x)  # subclasses (np.matrix, ...) -> plain ndarray, as scipy does
    elif isinstance(x, (list, tuple, int, float, complex, np.generic)) and not isinstance(
            x, (str, bytes)):
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError):
            raise _Reject from None
    else:
        raise _Reject  # CuPy, torch, dask, array-likes of other libraries: scipy handles them
    dt = arr.dtype
    kind = dt.kind
    if kind in "biu":
        pass
    elif kind == "f":
        if dt.itemsize not in (2, 4, 8):
            raise _Reject  # long double
    elif kind == "c":
        if real_only or dt.itemsize not in (8, 16):
            raise _Reject  # scipy raises "x must be a real sequence" / keeps clongdouble
    else:
        raise _Reject  # object, str, datetime, void...
    if arr.ndim == 0 or arr.size == 0:
        raise _Reject  # scipy's own error (or empty result)
    return arr


def _int(v):
    if isinstance(v, (bool, np.bool_)):
        raise _Reject
    try:
        return operator.index(v)
    except TypeError:
        raise _Reject from None


def _norm(norm):
    if norm is not None and not isinstance(norm, str):
        raise _Reject
    if norm not in _NORMS:
        raise _Reject
    return norm


def _workers(workers):
    """scipy.fft's workers rules -> a positive thread count for bttbfft."""
    if workers is None:
        try:
            import scipy.fft
            return max(1, int(scipy.fft.get_workers()))
        except Exception:  # pragma: no cover - scipy without get_workers
            return 1
    w = _int(workers)
    if w < 0:
        ncpu = os.cpu_count() or 1
        if w < -ncpu:
            raise _Reject
        w += 1 + ncpu
    if w == 0:
        raise _Reject
    return w


def _plan(plan):
    if plan is not None:
        raise _Reject


def _one_d(x, n, axis, norm, workers, plan, real_only):
    _plan(plan)
    arr = _array(x, real_only)
    norm = _norm(norm)
    ax = _int(axis)
    if not -arr.ndim <= ax < arr.ndim:
        raise _Reject
    if n is not None:
        n = _int(n)
        if n < 1:
            raise _Reject
    return arr, n, ax, norm, _workers(workers)


def _as_int_list(v):
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return [int(v)]
    try:
        items = list(v)
    except TypeError:
        raise _Reject from None
    return [_int(i) for i in items]


def _shape_axes(arr, s, axes):
    """scipy's _init_nd_shape_and_axes (s and axes fully resolved), or _Reject."""
    nd = arr.ndim
    if axes is not None:
        axes = [a + nd if a < 0 else a for a in _as_int_list(axes)]
        if any(a < 0 or a >= nd for a in axes) or len(set(axes)) != len(axes):
            raise _Reject
    if s is not None:
        s = _as_int_list(s)
        if axes is not None and len(axes) != len(s):
            raise _Reject
        if axes is None:
            if len(s) > nd:
                raise _Reject
            axes = list(range(nd - len(s), nd))
        s = [arr.shape[a] if v == -1 else v for v, a in zip(s, axes)]
    else:
        if axes is None:
            axes = list(range(nd))
        s = [arr.shape[a] for a in axes]
    if not axes or any(v < 1 for v in s):
        raise _Reject
    return s, axes


def _n_d(x, s, axes, norm, workers, plan, real_only, inverse_real):
    _plan(plan)
    arr = _array(x, real_only)
    norm = _norm(norm)
    noshape = s is None
    s, axes = _shape_axes(arr, s, axes)
    if inverse_real and noshape:
        s[-1] = 2 * (arr.shape[axes[-1]] - 1)
        if s[-1] < 1:
            raise _Reject
    return arr, s, axes, norm, _workers(workers)


# ----------------------------------------------------------------------------------------------
# the transforms (arguments in scipy.fft's form)
# ----------------------------------------------------------------------------------------------
def _c2c_1d(fn):
    def impl(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
        arr, n, ax, norm, nw = _one_d(x, n, axis, norm, workers, plan, False)
        return fn(arr, n, ax, norm, overwrite_x=bool(overwrite_x) and arr is x, workers=nw)
    return impl


def _rfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    arr, n, ax, norm, nw = _one_d(x, n, axis, norm, workers, plan, True)
    return _fft.rfft(arr, n, ax, norm, workers=nw)


def _irfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    arr, n, ax, norm, nw = _one_d(x, n, axis, norm, workers, plan, False)
    if n is None and 2 * (arr.shape[ax] - 1) < 1:
        raise _Reject
    return _fft.irfft(arr, n, ax, norm, workers=nw)


def _hfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    arr, n, ax, norm, nw = _one_d(x, n, axis, norm, workers, plan, False)
    if n is None and 2 * (arr.shape[ax] - 1) < 1:
        raise _Reject
    return _fft.irfft(np.conjugate(arr), n, ax, _SWAP_NORM[norm], workers=nw)


def _ihfft(x, n=None, axis=-1, norm=None, overwrite_x=False, workers=None, *, plan=None):
    arr, n, ax, norm, nw = _one_d(x, n, axis, norm, workers, plan, True)
    res = _fft.rfft(arr, n, ax, _SWAP_NORM[norm], workers=nw)
    return np.conjugate(res, out=res)


def _c2c_nd(fn, two_d):
    def impl(*args, **kwargs):
        x, s, axes, norm, overwrite_x, workers, plan = (_bind_2d if two_d else _bind_nd)(
            *args, **kwargs)
        arr, s, axes, norm, nw = _n_d(x, s, axes, norm, workers, plan, False, False)
        return fn(arr, s, axes, norm, overwrite_x=bool(overwrite_x) and arr is x, workers=nw)
    return impl


def _rfftn_impl(two_d):
    def impl(*args, **kwargs):
        x, s, axes, norm, _, workers, plan = (_bind_2d if two_d else _bind_nd)(*args, **kwargs)
        arr, s, axes, norm, nw = _n_d(x, s, axes, norm, workers, plan, True, False)
        return _fft.rfftn(arr, s, axes, norm, workers=nw)
    return impl


def _irfftn_impl(two_d):
    def impl(*args, **kwargs):
        x, s, axes, norm, _, workers, plan = (_bind_2d if two_d else _bind_nd)(*args, **kwargs)
        arr, s, axes, norm, nw = _n_d(x, s, axes, norm, workers, plan, False, True)
        return _fft.irfftn(arr, s, axes, norm, workers=nw)
    return impl


def _hfftn_impl(two_d):
    def impl(*args, **kwargs):
        x, s, axes, norm, _, workers, plan = (_bind_2d if two_d else _bind_nd)(*args, **kwargs)
        arr, s, axes, norm, nw = _n_d(x, s, axes, norm, workers, plan, False, True)
        return _fft.irfftn(np.conjugate(arr), s, axes, _SWAP_NORM[norm], workers=nw)
    return impl


def _ihfftn_impl(two_d):
    def impl(*args, **kwargs):
        x, s, axes, norm, _, workers, plan = (_bind_2d if two_d else _bind_nd)(*args, **kwargs)
        arr, s, axes, norm, nw = _n_d(x, s, axes, norm, workers, plan, True, False)
        res = _fft.rfftn(arr, s, axes, _SWAP_NORM[norm], workers=nw)
        return np.conjugate(res, out=res)
    return impl


def _one(fn):
    def impl(*args, **kwargs):
        x, n, axis, norm, overwrite_x, workers, plan = _bind_1d(*args, **kwargs)
        return fn(x, n, axis, norm, overwrite_x, workers, plan=plan)
    return impl


_IMPL = {
    "fft": _one(_c2c_1d(_fft.fft)),
    "ifft": _one(_c2c_1d(_fft.ifft)),
    "rfft": _one(_rfft),
    "irfft": _one(_irfft),
    "hfft": _one(_hfft),
    "ihfft": _one(_ihfft),
    "fftn": _c2c_nd(_fft.fftn, False),
    "ifftn": _c2c_nd(_fft.ifftn, False),
    "fft2": _c2c_nd(_fft.fft2, True),
    "ifft2": _c2c_nd(_fft.ifft2, True),
    "rfftn": _rfftn_impl(False),
    "rfft2": _rfftn_impl(True),
    "irfftn": _irfftn_impl(False),
    "irfft2": _irfftn_impl(True),
    "hfftn": _hfftn_impl(False),
    "hfft2": _hfftn_impl(True),
    "ihfftn": _ihfftn_impl(False),
    "ihfft2": _ihfftn_impl(True),
}

#: names of the scipy.fft functions this backend implements (others return NotImplemented)
SUPPORTED = frozenset(_IMPL)


def __ua_function__(method, args, kwargs):
    """uarray entry point: run scipy.fft's ``method`` on bttbfft, or return NotImplemented.

    >>> import numpy as np, scipy.fft, bttbfft.scipy_fft
    >>> bttbfft.scipy_fft.__ua_function__(scipy.fft.fft, ([1.0, 2.0, 3.0, 4.0],), {})
    array([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    >>> bttbfft.scipy_fft.__ua_function__(scipy.fft.dct, ([1.0, 2.0],), {})
    NotImplemented
    >>> x = np.arange(4, dtype=np.longdouble)
    >>> bttbfft.scipy_fft.__ua_function__(scipy.fft.fft, (x,), {})
    NotImplemented
    """
    impl = _IMPL.get(getattr(method, "__name__", None))
    if impl is None:
        return _NI
    try:
        return impl(*args, **kwargs)
    except (_Reject, TypeError):
        # _Reject: unsupported argument.  TypeError: arguments that do not bind to scipy.fft's
        # signature (or that bttbfft refuses): scipy reports its own error.
        return _NI

"""Helper routines of the FFT API that do no transform work (shared by both backends).

``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift`` follow numpy.fft's semantics exactly;
``next_pow2`` is the size helper of the radix-2 core.
"""
from __future__ import annotations

import operator

import numpy as np

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift", "next_pow2"]


def _check_device(device):
    if device not in (None, "cpu"):
        raise ValueError(f"device must be None or 'cpu', got {device!r}")


def _check_int_n(n, fname):
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{fname}: n should be an integer, got {type(n).__name__}")
    return int(n)


def fftfreq(n, d=1.0, device=None):
    """Sample frequencies of the discrete Fourier transform (as ``numpy.fft.fftfreq``).

    Returns ``[0, 1, ..., n//2 - 1 + n%2, -(n//2), ..., -1] / (d*n)``.

    >>> import bttbfft
    >>> bttbfft.fftfreq(4, d=0.5)
    array([ 0. ,  0.5, -1. , -0.5])
    """
    _check_device(device)
    n, val = _check_int_n(n, "fftfreq"), 1.0 / (n * d)   # val with n as given, as numpy
    results = np.empty(n, dtype=int)
    npos = (n - 1) // 2 + 1
    results[:npos] = np.arange(0, npos, dtype=int)
    results[npos:] = np.arange(-(n // 2), 0, dtype=int)
    return results * val


def rfftfreq(n, d=1.0, device=None):
    """Sample frequencies of ``rfft`` (as ``numpy.fft.rfftfreq``): ``[0, 1, ..., n//2] / (d*n)``.

    >>> import bttbfft
    >>> bttbfft.rfftfreq(5)
    array([0. , 0.2, 0.4])
    """
    _check_device(device)
    n, val = _check_int_n(n, "rfftfreq"), 1.0 / (n * d)  # val with n as given, as numpy
    return np.arange(0, n // 2 + 1, dtype=int) * val


def _shifts(x, axes, sign):
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [sign * (dim // 2) for dim in x.shape]
    elif isinstance(axes, (int, np.integer)) and not isinstance(axes, (bool, np.bool_)):
        shift = sign * (x.shape[axes] // 2)
    else:
        shift = [sign * (x.shape[ax] // 2) for ax in axes]
    return shift, axes


def fftshift(x, axes=None):
    """Shift the zero-frequency component to the centre (as ``numpy.fft.fftshift``).

    >>> import bttbfft
    >>> bttbfft.fftshift([0, 1, 2, -2, -1])
    array([-2, -1,  0,  1,  2])
    """
    x = np.asarray(x)
    shift, axes = _shifts(x, axes, 1)
    return np.roll(x, shift, axes)


def ifftshift(x, axes=None):
    """Inverse of ``fftshift`` (as ``numpy.fft.ifftshift``).

    >>> import bttbfft
    >>> bttbfft.ifftshift([-2, -1, 0, 1, 2])
    array([ 0,  1,  2, -2, -1])
    """
    x = np.asarray(x)
    shift, axes = _shifts(x, axes, -1)
    return np.roll(x, shift, axes)


def next_pow2(n):
    """Smallest power of two ``>= n`` for an integer ``n >= 1``.

    bool, float and other non-integers raise TypeError; ``n <= 0`` raises ValueError.

    >>> import bttbfft
    >>> bttbfft.next_pow2(1), bttbfft.next_pow2(5), bttbfft.next_pow2(1024)
    (1, 8, 1024)
    """
    if isinstance(n, (bool, np.bool_)):
        raise TypeError("n must be an integer >= 1, got bool")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"n must be an integer >= 1, got {type(n).__name__}") from None
    if n <= 0:
        raise ValueError(f"n must be an integer >= 1, got {n}")
    return 1 << (n - 1).bit_length()

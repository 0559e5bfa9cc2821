"""CNN-style 2-D convolution with torch semantics on NumPy arrays (shared by both backends).

``conv2d`` matches ``torch.nn.functional.conv2d`` (a cross-correlation; stride, padding including
"valid"/"same", dilation, groups) and ``torch.nn.Conv2d``'s ``padding_mode`` ("zeros", "reflect",
"replicate", "circular": the input is padded with ``F.pad``'s mode, then convolved with padding 0).

Two paths, chosen by a cost model (``_choose_path``):

* direct: im2col through a strided view (``np.lib.stride_tricks.as_strided``) of the padded input
  and one batched matmul per group, ``(O/g, C/g*kH*kW) @ (C/g*kH*kW, Ho*Wo)``; float32 data are
  multiplied in float32 (BLAS sgemm, as torch), float64 in float64;
* fft: the padded input and the (dilated) kernels are transformed with ``bttbfft.rfft2`` at a
  power-of-two size ``P >= padded input`` (the valid part of a cross-correlation has no circular
  wrap-around for such P, so no extra padding by the kernel size is needed), the channel sum is a
  complex matmul per frequency, one ``bttbfft.irfft2`` per output map, then the stride subsamples.
  The transforms are computed in float64 (also for float32 data) on the active backend's radix-2
  core, so float32 results are at least as accurate as torch's.

inf and NaN stay local as in torch's direct computation (an output is non-finite exactly when its
window holds a non-finite input value of a channel of its group, with inf * 0 = NaN and
inf + -inf = NaN): the FFT path transforms the padded input with its non-finite entries set to 0
and adds their terms back to the outputs that read them (``bttbfft._conv._fft_operands``, shared
with ``convolve2d``); a non-finite weight, or more than one such term per 8 outputs, selects the
direct path.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._conv import _add_terms, _asarray, _fft_operands

__all__ = ["conv2d", "conv_output_size"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NP_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

# cost model (seconds), fitted (non-negative least squares on relative errors) to timings of both
# paths on 10 layer shapes x 2 dtypes on the development machine (2 shared cores):
#   direct: mac * N*O*Ho*Wo*(C/g)*kH*kW + copy * N*C*kH*kW*Ho*Wo + d0     (per dtype)
#   fft:    _C_FFT * (N*C + N*O + O*C/g) * P1*P2*log2(P1*P2) + _C_CMAC * N*O*(C/g)*P1*(P2/2+1)
#           + _C_FIXED_FFT                                         (computed in float64 always)
_C_DIRECT = {np.dtype(np.float32): (2.9e-10, 2.3e-10, 1e-4),
             np.dtype(np.float64): (5.6e-10, 7.4e-10, 1e-4)}
_C_FFT = 2.9e-10
_C_CMAC = 1.3e-8
_C_FIXED_FFT = 1e-3


def _next_pow2(n):
    return 1 if n <= 1 else 1 << (int(n) - 1).bit_length()


def _int(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        if isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu":
            return int(v)
        raise TypeError(f"{name} must be an int, got {v!r}")
    return int(v)


def _pair(v, name, minimum):
    if isinstance(v, (tuple, list, np.ndarray)):
        if len(v) == 1:
            v = (v[0], v[0])
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {v!r}")
        out = (_int(v[0], name), _int(v[1], name))
    else:
        out = (_int(v, name),) * 2
    if min(out) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v!r}")
    return out


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """``floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride + 1)`` (torch's formula;
    may be <= 0 when the kernel does not fit).

    >>> import bttbfft
    >>> bttbfft.conv_output_size(32, 3, stride=2, padding=1)
    16
    """
    size = _int(size, "size")
    kernel_size = _int(kernel_size, "kernel_size")
    stride = _int(stride, "stride")
    padding = _int(padding, "padding")
    dilation = _int(dilation, "dilation")
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be >= 1, got {kernel_size}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    if dilation < 1:
        raise ValueError(f"dilation must be >= 1, got {dilation}")
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _float_array(a, name, dtype=None):
    a = _asarray(a, name)
    if dtype is None:
        if a.dtype.kind != "f" or a.dtype.itemsize not in (4, 8):
            raise TypeError(f"{name} must be float32 or float64 (conv2d supports these dtypes), "
                            f"got {a.dtype}")
        return a.astype(a.dtype.newbyteorder("="), copy=False)   # native byte order
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real (float32 or float64), got {a.dtype}")
    return np.asarray(a, dtype=dtype)


def _pads(padding, kshape_dil, stride):
    """-> ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            if stride != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions "
                                 f"(stride={stride})")
            out = []
            for kd in kshape_dil:
                total = kd - 1
                out.append((total // 2, total - total // 2))   # extra pad on the right/bottom
            return tuple(out)
        raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got "
                         f"{padding!r}")
    ph, pw = _pair(padding, "padding", 0)
    return ((ph, ph), (pw, pw))


def _check_pads(pads, mode, H, W):
    (t, bt), (l, r) = pads
    if mode == "reflect":
        if max(t, bt) >= H or max(l, r) >= W:
            raise ValueError(f"padding_mode='reflect': padding {pads} must be less than the "
                             f"corresponding input dimension {(H, W)}")
    elif mode == "circular":
        if max(t, bt) > H or max(l, r) > W:
            raise ValueError(f"padding_mode='circular': padding {pads} must not exceed the "
                             f"corresponding input dimension {(H, W)} (it would wrap around "
                             "more than once)")


def _pad_input(x, pads, mode):
    (t, bt), (l, r) = pads
    if t == bt == l == r == 0:
        return x
    width = ((0, 0), (0, 0), (t, bt), (l, r))
    return np.pad(x, width, mode=_NP_PAD[mode])


def _choose_path(N, C, O, g, kh, kw, Ho, Wo, P1, P2, stride, dtype):
    cg = C // g
    mac, copy, d0 = _C_DIRECT[np.dtype(dtype)]
    direct = mac * N * O * Ho * Wo * cg * kh * kw + copy * N * C * kh * kw * Ho * Wo + d0
    # the FFT path computes every stride-1 output, then subsamples
    fft = (_C_FFT * (N * C + N * O + O * cg) * P1 * P2 * math.log2(max(2, P1 * P2))
           + _C_CMAC * N * O * cg * P1 * (P2 // 2 + 1) + _C_FIXED_FFT)
    return "fft" if fft < direct else "direct"


def _direct(xp, w, g, stride, dil, Ho, Wo):
    """im2col + matmul.  xp (N, C, Hp, Wp) padded, w (O, Cg, kh, kw) -> (N, O, Ho, Wo).

    The im2col matrix of each group is laid out (K, n*Ho*Wo) (K = Cg*kh*kw) so that one GEMM per
    group covers a whole chunk of the batch: (O/g, K) @ (K, n*Ho*Wo)."""
    N, C, Hp, Wp = xp.shape
    O, cg, kh, kw = w.shape
    og = O // g
    xp = np.ascontiguousarray(xp)
    sN, sC, sH, sW = xp.strides
    K = cg * kh * kw
    L = Ho * Wo
    out = np.empty((N, O, Ho, Wo), dtype=xp.dtype)
    wg = np.ascontiguousarray(w.reshape(g, og, K))
    # chunk the batch so one im2col buffer stays below ~64 MB
    per = max(1, int(64e6 // max(1, g * K * L * xp.itemsize)))
    for n0 in range(0, N, per):
        n1 = min(N, n0 + per)
        nb = n1 - n0
        view = as_strided(xp[n0:], shape=(g, cg, kh, kw, nb, Ho, Wo),
                          strides=(sC * cg, sC, sH * dil[0], sW * dil[1], sN,
                                   sH * stride[0], sW * stride[1]), writeable=False)
        cols = view.reshape(g, K, nb * L)                     # the im2col copy
        if g == 1:
            res = (wg[0] @ cols[0])[None]
        elif og == 1:
            res = np.einsum("gk,gkl->gl", wg[:, 0, :], cols)[:, None, :]
        else:
            res = np.matmul(wg, cols)                         # (g, og, nb*L)
        out[n0:n1] = res.reshape(O, nb, Ho, Wo).transpose(1, 0, 2, 3)
    return out


def _fft_path(xp, w, g, stride, dil, Ho, Wo):
    """Cross-correlation through bttbfft.rfft2/irfft2 (float64), then stride subsampling."""
    from ._fft import irfft2, rfft2
    N, C, Hp, Wp = xp.shape
    O, cg, kh, kw = w.shape
    og = O // g
    khd, kwd = dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1
    P1, P2 = _next_pow2(Hp), _next_pow2(Wp)
    # kernel for a convolution = flipped (dilated) correlation kernel; place it so that the
    # circular convolution's index i corresponds to the correlation output i:
    #   y[i] = sum_a x[i + a] w[a]  ==  (x (*) v)[i]  with v[(-a) mod P] = w[a]
    wd = np.zeros((O, cg, P1, P2), dtype=np.float64)
    ia = (-(np.arange(kh) * dil[0])) % P1
    ib = (-(np.arange(kw) * dil[1])) % P2
    wd[:, :, ia[:, None], ib[None, :]] = w
    Wf = rfft2(wd)                                            # (O, cg, P1, F2)
    Xf = rfft2(np.asarray(xp, dtype=np.float64), s=(P1, P2))  # (N, C, P1, F2)
    F2 = Xf.shape[-1]
    nF = P1 * F2
    Hv, Wv = Hp - khd + 1, Wp - kwd + 1                       # stride-1 valid output
    out = np.empty((N, O, Ho, Wo), dtype=xp.dtype)
    Xg = Xf.reshape(N, g, cg, nF)
    Wg = Wf.reshape(g, og, cg, nF)
    for gi in range(g):
        if cg == 1 and og == 1:
            Yf = Xg[:, gi, 0, :] * Wg[gi, 0, 0, :]            # (N, nF)
            Yf = Yf[:, None, :]
        else:
            # per frequency: (N, cg) @ (cg, og)
            A = np.ascontiguousarray(np.moveaxis(Xg[:, gi], 2, 0))          # (nF, N, cg)
            Bm = np.ascontiguousarray(np.moveaxis(Wg[gi], 2, 0)).transpose(0, 2, 1)  # (nF,cg,og)
            Yf = np.moveaxis(np.matmul(A, Bm), 0, 2)                         # (N, og, nF)
        y = irfft2(np.ascontiguousarray(Yf).reshape(N, -1, P1, F2), s=(P1, P2))
        y = y[:, :, :Hv:stride[0], :Wv:stride[1]][:, :, :Ho, :Wo]
        out[:, gi * og:(gi + 1) * og] = y
    return out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros"):
    """2-D cross-correlation with ``torch.nn.functional.conv2d`` semantics on NumPy arrays.

    input: (N, C, H, W) or (C, H, W) (then the result is unbatched, (O, Ho, Wo)); float32 or
    float64 -- the result has the input's dtype, weight and bias are cast to it.
    weight: (O, C/groups, kH, kW); bias: (O,) or None.
    stride, dilation: int or (sH, sW) (>= 1).  padding: int or (pH, pW) (>= 0), "valid" (none) or
    "same" (output size = input size; stride must be 1; for an odd total the extra row/column is
    padded at the bottom/right, as torch).  groups: divides C and O.
    padding_mode: as torch.nn.Conv2d -- "zeros", "reflect", "replicate" or "circular".
    Output size per axis: ``conv_output_size(size, k, stride, padding, dilation)``.

    A direct im2col path (small kernels) or an FFT path on bttbfft's radix-2 core (large kernels)
    is chosen by a cost model; with either, an inf or NaN in the input only reaches the outputs
    whose window holds it, as in torch.  Arrays of non-native byte order are accepted (the result
    is native).  Raises TypeError for unsupported dtypes / non-arrays and ValueError for
    inconsistent shapes, bad stride/padding/dilation/groups/padding_mode values (also for an
    empty batch), or an output that would be empty.

    >>> import numpy as np, bttbfft
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)          # (N, C, H, W)
    >>> w = np.ones((1, 1, 2, 2))                         # (O, C, kH, kW)
    >>> bttbfft.conv2d(x, w, stride=2)
    array([[[[10., 18.],
             [42., 50.]]]])
    >>> bttbfft.conv2d(x, w, padding="same").shape
    (1, 1, 4, 4)
    """
    return _conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode, None)


def _conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode, path):
    x = _float_array(input, "input")
    dtype = x.dtype
    w = _float_array(weight, "weight", dtype)
    if x.ndim not in (3, 4):
        raise ValueError(f"input must be 3-D (C, H, W) or 4-D (N, C, H, W), got shape {x.shape}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    if w.ndim != 4:
        raise ValueError(f"weight must be 4-D (O, C/groups, kH, kW), got shape {w.shape}")
    groups = _int(groups, "groups")
    if groups < 1:
        raise ValueError(f"groups must be a positive integer, got {groups}")
    if not isinstance(padding_mode, str) or padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(map(repr, _PADDING_MODES))}, "
                         f"got {padding_mode!r}")
    N, C, H, W = x.shape
    O, cg, kh, kw = w.shape
    if C % groups or O % groups:
        raise ValueError(f"groups={groups} must divide both the input channels ({C}) and the "
                         f"output channels ({O})")
    if cg * groups != C:
        raise ValueError(f"weight of shape {w.shape} expects input with {cg * groups} channels "
                         f"(weight.shape[1] * groups), but got input of shape {x.shape}")
    if min(w.shape) == 0 or min(x.shape[1:]) == 0:
        raise ValueError(f"zero-size weight {w.shape} or input {x.shape}")
    b = None
    if bias is not None:
        b = _float_array(bias, "bias", dtype)
        if b.shape != (O,):
            raise ValueError(f"bias must have shape ({O},), got {b.shape}")
    stride = _pair(stride, "stride", 1)
    dil = _pair(dilation, "dilation", 1)
    khd, kwd = dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1
    pads = _pads(padding, (khd, kwd), stride)
    Hp, Wp = H + sum(pads[0]), W + sum(pads[1])
    Ho = (Hp - khd) // stride[0] + 1
    Wo = (Wp - kwd) // stride[1] + 1
    if Hp < khd or Wp < kwd or Ho < 1 or Wo < 1:
        raise ValueError(f"Calculated padded input size per channel: ({Hp} x {Wp}). Kernel size "
                         f"(dilated): ({khd} x {kwd}). Kernel size can't be greater than actual "
                         "input size")
    _check_pads(pads, padding_mode, H, W)
    if N == 0:
        out = np.zeros((0, O, Ho, Wo), dtype=dtype)
        return out[0] if unbatched else out
    xp = _pad_input(x, pads, padding_mode)
    if path is None:
        path = _choose_path(N, C, O, groups, kh, kw, Ho, Wo, _next_pow2(Hp), _next_pow2(Wp),
                            stride, dtype)
    # inf/NaN: the direct path's result (see bttbfft._conv._fft_operands)
    path, xp, terms = _fft_operands(path, xp, w, groups, stride, dil, (Ho, Wo))
    if path == "fft":
        out = _fft_path(xp, w, groups, stride, dil, Ho, Wo)
        _add_terms(out, terms)
    else:
        out = _direct(xp, w, groups, stride, dil, Ho, Wo)
    if b is not None:
        out += b[None, :, None, None]
    return out[0] if unbatched else out


def _conv2d_path(input, weight, path, bias=None, stride=1, padding=0, dilation=1, groups=1,
                 padding_mode="zeros"):
    """conv2d with a forced path ("direct" or "fft") -- for tests and benchmarks."""
    return _conv2d(input, weight, bias, stride, padding, dilation, groups, padding_mode, path)

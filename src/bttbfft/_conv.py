"""scipy.signal-compatible convolution API (shared by both backends).

``convolve``, ``correlate``, ``fftconvolve``, ``convolve2d``, ``correlate2d`` and
``choose_conv_method`` follow scipy.signal's semantics (output shapes, 'same' centring, 'valid'
input swapping, dtype rules, boundary names).  1-D and 2-D problems run on the
``_backend.conv.Conv2D`` primitive (1-D as image shape ``(1, n)``); problems with more than two
convolution axes, or whose two operands both vary along the broadcast dimensions, run on the
radix-2 primitives of ``_backend.fft`` with power-of-two sizes.  Integer data go through an exact
integer tap loop (wrap-around arithmetic as scipy's direct code) unless the FFT in float64 is
provably exact (a bound on its rounding error, see ``_int_fft_safe``) and faster.

Documented differences from scipy.signal
----------------------------------------
* ``convolve2d``/``correlate2d`` use the FFT path whenever the cost model says it is faster, with
  every boundary mode (the input is extended by the boundary rule -- only by the margin the output
  window needs -- and the 'valid' part of the extended input is computed).
* ``convolve2d``/``correlate2d`` keep inf and NaN where scipy's direct code puts them, also on
  the FFT path: an output is non-finite exactly when its direct sum is (inf * 0 = NaN,
  inf + -inf = NaN, otherwise +-inf).  The FFT runs on the input with its non-finite entries set
  to 0 and the outputs that read them are fixed up (see ``_fft_operands``); with many of them
  (more than one fix-up term per 8 outputs) or a non-finite kernel the direct path runs.  For
  complex entries with an infinite part the products follow NumPy's complex multiplication, as
  the direct engines do, where scipy's C code applies C99 Annex G: the same outputs are
  non-finite, but a part scipy gives as +-inf may be NaN here (e.g. (inf+inf*j) * 1).
  ``fftconvolve`` and the FFT method of ``convolve``/``correlate`` spread a non-finite value
  over the whole output, as scipy's FFT methods do.
* ``method="auto"`` uses a cost model fitted to this implementation (see ``_COST``).  For integer
  results it picks 'fft' only when the float64 FFT provably rounds to the exact integers (an
  error bound, see ``_int_fft_safe``); scipy's rule (the result fits in the float64 mantissa)
  ignores the rounding error of the FFT, and scipy's 'fft' answers can be off by one or more.
* ``convolve``/``correlate`` accept ``axes=`` with fftconvolve's rules.
* Unsupported dtypes (object, str, void, datetime, long double) and non-array-likes raise
  TypeError (scipy raises ValueError for some of them); zero-size inputs raise ValueError in
  ``convolve``, ``correlate``, ``convolve2d`` and ``correlate2d`` (scipy returns arrays of odd
  shapes or fails inside NumPy); ``fftconvolve`` returns an empty array as scipy does.
"""
from __future__ import annotations

import functools
import math
import operator

import numpy as np

from . import _backend
from ._fallback_conv import fft_work as _fft_work

__all__ = ["convolve", "correlate", "fftconvolve", "convolve2d", "correlate2d",
           "choose_conv_method"]

_MODES = ("full", "valid", "same")
_METHODS = ("auto", "direct", "fft")
_BOUNDARIES = {"fill": "fill", "pad": "fill", "wrap": "wrap", "circular": "wrap",
               "symm": "symm", "symmetric": "symm"}

# ------------------------------------------------------------------------------------------------
# Cost model of the Conv2D primitive, in seconds:
#   t_direct = d_elem * taps * outputs * batch + d_tap * taps + d_0   ("direct1d" for 1-D rows)
#   t_fft    = f_work * W * batch + f_tile * tiles * batch + f_0
# taps = k1*k2, outputs = o1*o2, (W, tiles) = _fallback_conv.fft_work(...) (sum over the
# overlap-add tiles of P1*P2*log2(2*P1*P2), and the tile count).
# Fitted by benchmarks/fit_conv_cost.py (non-negative least squares on relative errors, timing
# Conv2D direct and fft -- plan construction plus one call, as convolve2d uses it -- on a grid of
# image sizes 8..1024 and kernel sizes 1..127, 1-D and 2-D, float64 'same' windows) on the
# development machine (x86-64 with AVX-512, 2 shared cores).  Re-run the script after changing
# a backend and paste its output here.  The "python" entry is the pure-NumPy fallback's own fit;
# the "c" entry was re-fitted after the C convolver gained the AVX2+FMA direct kernel (about 8x
# faster than the SSE2 loop), shorter last tiles and huge-page kernel spectra.
_COST = {
    # fitted (rms relative error 0.27 direct1d, 0.41 fft); the 2-D direct element cost grows
    # with the image (cache): the value is the fit over images >= 256^2 only
    "python": {"direct": (2.0e-09, 3.4e-06, 1.7e-06), "direct1d": (2.64e-10, 3.12e-06, 5.5e-06),
               "fft": (5.5e-09, 2.36e-05, 0.000167)},
    # fitted on the compiled backend (full grid; rms relative error 0.25 direct (images
    # >= 256^2), 0.07 direct1d, 0.29 fft); W is the fallback's tiling, a proxy for the C plan's
    # work (the C plan's own tiling is at least as cheap)
    "c": {"direct": (8.13e-11, 0.0, 8.33e-06), "direct1d": (5.4e-11, 7.72e-09, 3.74e-06),
          "fft": (2.54e-10, 8.28e-07, 1.01e-05)},
}


def _cost_consts():
    return _COST.get(_backend.name, _COST["python"])


def _conv2d_times(kshape, mshape, start, oshape, batch=1):
    """Predicted (t_direct, t_fft) of a Conv2D plan plus one call."""
    c = _cost_consts()
    one_d = kshape[0] == 1 and mshape[0] == 1
    (d1, d2, d0), (f1, f2, f0) = c["direct1d" if one_d and "direct1d" in c else "direct"], c["fft"]
    taps = kshape[0] * kshape[1]
    outs = oshape[0] * oshape[1]
    t_direct = d1 * taps * outs * batch + d2 * taps + d0
    w, tiles = _fft_work(kshape, mshape, start, oshape)
    t_fft = f1 * w * batch + f2 * tiles * batch + f0
    return t_direct, t_fft


def _pick_2d(kshape, mshape, start, oshape, batch=1):
    """'fft' or 'direct' for a Conv2D plan of these shapes (the cost model; the answer depends on
    the shapes and the backend only, so it is memoised: the model's Python took 6 us warm and
    33-36 us between other large calls, against a dict lookup)."""
    return _pick_2d_memo(_backend.name, tuple(kshape), tuple(mshape), tuple(start),
                         tuple(oshape), int(batch))


@functools.lru_cache(maxsize=1024)
def _pick_2d_memo(backend_name, kshape, mshape, start, oshape, batch):
    del backend_name   # part of the key: _cost_consts() reads the active backend
    t_direct, t_fft = _conv2d_times(kshape, mshape, start, oshape, batch)
    return "fft" if t_fft < t_direct else "direct"


def _pick_nd(kshape, mshape, oshape, batch=1):
    (d1, d2, d0), (f1, f2, f0) = (lambda c: (c["direct"], c["fft"]))(_cost_consts())
    taps = math.prod(kshape)
    t_direct = d1 * taps * math.prod(oshape) * batch + d2 * taps + d0
    n = math.prod(_next_pow2(m + k - 1) for m, k in zip(mshape, kshape))
    t_fft = f1 * 1.5 * n * math.log2(2 * n) * batch + f0
    return "fft" if t_fft < t_direct else "direct"


def _next_pow2(n):
    n = int(n)
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


# ------------------------------------------------------------------------------------------------
# argument checking
def _asarray(a, name):
    if isinstance(a, np.ndarray):
        arr = a
    else:
        if a is None or isinstance(a, (str, bytes, dict, set)):
            raise TypeError(f"{name} must be an array-like of numbers, got {type(a).__name__}")
        try:
            arr = np.asarray(a)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"{name} must be an array-like of numbers: {exc}") from exc
    if arr.dtype.kind not in "biufc" or arr.dtype.char in "gG":
        raise TypeError(f"{name} has unsupported dtype {arr.dtype}; accepted: bool, integer, "
                        "float16/32/64, complex64/128")
    return arr


def _check_mode(mode):
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be one of 'full', 'valid', 'same' (Acceptable mode flags are "
                         f"'valid', 'same', or 'full'); got mode={mode!r}")


def _check_method(method):
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError("method must be one of 'auto', 'direct', 'fft' (Acceptable method flags "
                         f"are 'auto', 'direct', or 'fft'); got method={method!r}")


def _check_boundary(boundary):
    if not isinstance(boundary, str) or boundary not in _BOUNDARIES:
        raise ValueError("boundary must be one of 'fill' (or 'pad'), 'wrap' (or 'circular'), "
                         f"'symm' (or 'symmetric'); got boundary={boundary!r}")
    return _BOUNDARIES[boundary]


def _check_nonempty(in1, in2, fname):
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"{fname}: in1 and in2 must be non-empty (got zero-size input with shapes "
                         f"{in1.shape} and {in2.shape})")


def _swap_needed(mode, s1, s2, axes):
    if mode != "valid" or not s1:
        return False
    ok1 = all(s1[i] >= s2[i] for i in axes)
    ok2 = all(s2[i] >= s1[i] for i in axes)
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every "
                         f"dimension (shape mismatch: {tuple(s1)} and {tuple(s2)})")
    return not ok1


def _normalize_axes(axes, ndim):
    if axes is None:
        return list(range(ndim))
    given = axes
    if np.ndim(axes) == 0:
        axes = [axes]
    try:
        axes = [operator.index(a) for a in axes]
    except TypeError as exc:  # ValueError, as scipy
        raise ValueError(f"axes must be a scalar or iterable of integers (got {given!r})") from exc
    if not axes:
        raise ValueError("when provided, axes cannot be empty")
    if any(a < -ndim or a >= ndim for a in axes):
        raise ValueError(f"axes exceeds dimensionality of input (axis out of range for ndim={ndim}:"
                         f" {axes})")
    axes = [a % ndim for a in axes]
    if len(set(axes)) != len(axes):
        raise ValueError("all axes must be unique")
    return axes


def _compute_dtype(rt):
    """Floating dtype the engines work in for result dtype rt."""
    rt = np.dtype(rt)
    if rt.kind == "c":
        return np.dtype(np.complex64) if rt == np.complex64 else np.dtype(np.complex128)
    if rt.kind == "f":
        return np.dtype(np.float32) if rt.itemsize <= 4 else np.dtype(np.float64)
    return np.dtype(np.float64)


def _int_representable(a, b):
    """scipy's rule: max|a| * max|b| * min(a.size, b.size) fits in the float64 mantissa (used by
    ``choose_conv_method`` when one operand is integer, and as a part of ``_int_fft_safe``)."""
    if a.size == 0 or b.size == 0:
        return True
    def amax(z):
        if z.dtype.kind == "b":
            return int(z.any())
        if z.dtype.kind in "iu":
            return max(abs(int(z.max())), abs(int(z.min())))
        m = float(np.max(np.abs(z)))
        # inf / NaN (the other operand is integer): not exact in float64 -> "direct"
        return int(math.ceil(m)) if math.isfinite(m) else 2 ** 64
    ma, mb = amax(a), amax(b)
    return ma * mb * min(a.size, b.size) <= 2 ** np.finfo(np.float64).nmant - 1


# Integer convolution by FFT in float64 is exact after np.rint when the computed result is within
# 1/2 of the exact one.  Bound (u = 2**-53, L = product over the convolution axes of the
# power-of-two transform sizes, an upper bound of every tile the engines use): a radix-2 FFT with
# twiddles accurate to u (both backends reduce the twiddle angles exactly) has a relative 2-norm
# error <= eta * log2(L), eta = u + gamma_4 * (sqrt(2) + u) ~= 6.7u (Higham, Accuracy and
# Stability of Numerical Algorithms, 2nd ed., Thm 24.2); the real-data transforms add one twiddled
# pass, so eps = 6.7u * (log2(L) + 1) per transform.  Then, with A = fft(a), B = fft(b):
#   * ||dA .* B||_1 <= ||dA||_2 ||B||_2 <= eps * L * ||a||_2 ||b||_2 (Parseval), the same for
#     A .* dB, and the complex products add sqrt(2) * gamma_2 ~= 2.9u relative; the inverse DFT
#     maps a 1-norm error e to an inf-norm error e / L: (2 eps + 2.9u) ||a||_2 ||b||_2 in all;
#   * the inverse transform's own error is <= eps * ||y||_2 <= eps * M (Young's inequality),
#     M = min(||a||_2 ||b||_1, ||a||_1 ||b||_2), and ||a||_2 ||b||_2 <= M as well;
# so ||y_fft - y||_inf <= (3 * 6.7 * (log2(L) + 1) + 2.9) u M <= 23 u (log2(L) + 1) M.
# _INT_FFT_C = 32 covers that with room for the second-order terms, the rounding of the norms
# computed here (relative n*u) and the radix-4/8 passes of the C core (no more roundings per
# stage than radix 2).  Requiring the bound <= 1/4 leaves rint a margin of 1/4.
_INT_FFT_C = 32


def _norms_1_2(z, block=1 << 14):
    """(||z||_1, ||z||_2) in float64, by blocks (cache-sized temporaries; no BLAS call, whose
    threads cost more than the sum here)."""
    z = z.reshape(-1)
    s1 = s2 = 0.0
    for i in range(0, z.size, block):
        f = np.abs(z[i:i + block], dtype=np.float64)
        s1 += float(f.sum())
        f *= f
        s2 += float(f.sum())
    return s1, math.sqrt(s2)


def _int_fft_safe(a, b, axes=None):
    """True when the FFT convolution of integer/bool data a and b along axes (None: all; the
    other axes broadcast) in float64 rounds to the exact result: the result is representable
    (``_int_representable``) and the error bound above is <= 1/4."""
    if a.size == 0 or b.size == 0:
        return True
    if not _int_representable(a, b):
        return False
    axes = range(a.ndim) if axes is None else axes
    size = math.prod(_next_pow2(a.shape[d] + b.shape[d] - 1) for d in axes)
    (a1, a2), (b1, b2) = _norms_1_2(a), _norms_1_2(b)
    bound = _INT_FFT_C * 2.0 ** -53 * (math.log2(size) + 1) * min(a2 * b1, a1 * b2)
    return bound <= 0.25


def _to_int_result(out, rt):
    out = np.rint(out)
    if rt.kind == "b":
        return out != 0
    if np.all(np.abs(out) < 2.0 ** 62):
        return out.astype(np.int64).astype(rt)  # wraps like the integer direct sum
    return out.astype(rt)


# ------------------------------------------------------------------------------------------------
# inf and NaN on the FFT paths of convolve2d/correlate2d and conv2d
#
# A direct sum keeps an inf or NaN of the input in the outputs whose window reads it (inf * 0 =
# NaN, inf + -inf = NaN, otherwise +-inf); an FFT spreads it over every output.  So these FFT
# paths transform the input with its non-finite entries set to 0, then add the terms
# x[entry] * w[tap] of those entries to the outputs that read them.  Every such term is
# non-finite (for complex data in both parts: a part of the product is a sum of two real products
# one of which is inf or NaN), so each of those outputs becomes the inf or NaN of the direct sum,
# whatever its finite terms (short of a finite sum overflowing, which depends on the order of the
# direct sum too).  Recomputing those outputs from their whole windows would give the same at
# kh*kw*C/groups operations per output, (kh*kw)**2 per entry: the terms need kh*kw*O/groups per
# entry.  A term costs about 0.1 us (numpy indexing and np.add.at), the FFT path 10-100 ns per
# output: at most _NONFINITE_TERMS_PER_OUTPUT = 1/8 term per output keeps the fix-up within about
# the FFT path's own time.  More terms (e.g. a NaN border from fillvalue=nan), or a non-finite
# kernel, select the direct path, which is never wrong, just slower.
_NONFINITE_TERMS_PER_OUTPUT = 0.125


def _tap_hits(pos, k, s, d, n_out):
    """For input positions pos (1-D): (output index, valid) of shape (len(pos), k), tap a of
    output i reading position i*s + a*d."""
    t = pos[:, None] - np.arange(k) * d
    return t // s, (t >= 0) & (t % s == 0) & (t < n_out * s)


def _fft_operands(method, x, w, groups, stride, dil, oshape, shift=(0, 0)):
    """Method and operands for the cross-correlation

        out[n, o, i, j] = sum_{c, a, b} w[o, c, a, b] * x[n, g*cg + c, i*s0 + a*d0 - shift[0],
                                                          j*s1 + b*d1 - shift[1]]

    (x (N, C, H, W), zero outside its bounds; w (O, cg, kh, kw); cg = C // groups, g the group
    of o: o // (O // groups); out (N, O) + oshape) keeping inf and NaN where a direct sum does.

    method 'direct' is returned as it is.  For 'fft' returns ('direct', x, None) when the direct
    path must run, else ('fft', x0, terms): x0 is x with its non-finite entries set to 0 (x itself
    when it is finite) and terms the fix-up (None when there is none) that ``_add_terms(out,
    terms)`` applies to the FFT result of x0."""
    if method != "fft":
        return method, x, None
    if not np.isfinite(w).all():
        return "direct", x, None
    v = x.reshape(-1)
    with np.errstate(invalid="ignore", over="ignore"):
        # one BLAS pass (the fastest check measured: 1M doubles 0.10 ms, np.sum 0.18,
        # np.isfinite(x).all() 0.18): a sum of squares is non-finite if an entry is (squares
        # are >= 0 for real data, so no inf - inf cancels; for complex data inf or NaN cannot
        # become finite either)
        if np.isfinite(v @ v):
            return method, x, None
    bad = ~np.isfinite(x)
    if not bad.any():                # the sum of squares overflowed
        return method, x, None
    (O, cg, kh, kw), og = w.shape, w.shape[0] // groups
    limit = _NONFINITE_TERMS_PER_OUTPUT * x.shape[0] * O * math.prod(oshape)
    flat = np.flatnonzero(bad)   # (much faster than np.nonzero for a 4-D array)
    if flat.size * og > limit:   # (a quick reject: most entries give og terms or more)
        return "direct", x, None
    pix = np.unravel_index(flat, x.shape)
    xbad = x[pix]
    idx, vals = [], []
    count = 0
    step = max(1, (1 << 20) // (kh * kw))   # entries per chunk: (step, kh, kw) masks
    with np.errstate(invalid="ignore", over="ignore"):
        for e0 in range(0, xbad.size, step):
            n, c, y, z = (q[e0:e0 + step] for q in pix)
            ri, rok = _tap_hits(y + shift[0], kh, stride[0], dil[0], oshape[0])
            ci, cok = _tap_hits(z + shift[1], kw, stride[1], dil[1], oshape[1])
            e, a, b = np.nonzero(rok[:, :, None] & cok[:, None, :])
            count += e.size * og
            if count > limit:
                return "direct", x, None
            o = (c[e] // cg * og)[:, None] + np.arange(og)         # (terms / og, og)
            vals.append(xbad[e0 + e][:, None] * w[o, (c[e] % cg)[:, None], a[:, None], b[:, None]])
            idx.append(((n[e][:, None] * O + o) * oshape[0] + ri[e, a][:, None]) * oshape[1]
                       + ci[e, b][:, None])
    x0 = x.copy()   # C order
    x0.reshape(-1)[flat] = 0
    return method, x0, (np.concatenate(idx).ravel(), np.concatenate(vals).ravel())


def _add_terms(out, terms):
    """Applies the fix-up of ``_fft_operands`` to the FFT result out (shape (N, O) + oshape, or
    oshape when N = O = 1)."""
    if terms is not None:
        with np.errstate(invalid="ignore"):
            np.add.at(out, np.unravel_index(terms[0], out.shape), terms[1])


# ------------------------------------------------------------------------------------------------
# engines
def _direct_nd(a, b, axes, start, oshape, dtype):
    """Window of the full convolution along axes (others broadcast) by an exact tap loop."""
    a = np.asarray(a, dtype=dtype)
    b = np.asarray(b, dtype=dtype)
    if math.prod(b.shape[ax] for ax in axes) > math.prod(a.shape[ax] for ax in axes):
        a, b = b, a  # fewer taps
    nd = a.ndim
    shape = list(np.broadcast_shapes(tuple(1 if d in axes else a.shape[d] for d in range(nd)),
                                     tuple(1 if d in axes else b.shape[d] for d in range(nd))))
    for ax, o in zip(axes, oshape):
        shape[ax] = o
    out = np.zeros(shape, dtype=dtype)
    kshape = [b.shape[ax] for ax in axes]
    for t in np.ndindex(*kshape):
        dst = [slice(None)] * nd
        src = [slice(None)] * nd
        tap = [slice(None)] * nd
        ok = True
        for ax, tt, s, o in zip(axes, t, start, oshape):
            m = a.shape[ax]
            lo, hi = max(0, tt - s), min(o, m + tt - s)
            if hi <= lo:
                ok = False
                break
            dst[ax] = slice(lo, hi)
            src[ax] = slice(s + lo - tt, s + hi - tt)
            tap[ax] = slice(tt, tt + 1)
        if not ok:
            continue
        prod = a[tuple(src)] * b[tuple(tap)]
        if dtype.kind == "b":
            out[tuple(dst)] |= prod
        else:
            out[tuple(dst)] += prod
    return out


def _fft_nd(a, b, axes, start, oshape, cdt):
    """Window of the full convolution along axes (others broadcast) on the radix-2 primitives."""
    f = _backend.fft
    real = cdt.kind == "f"
    ctype = np.dtype(np.complex64) if cdt in (np.float32, np.complex64) else np.dtype(np.complex128)
    sizes = [_next_pow2(a.shape[ax] + b.shape[ax] - 1) for ax in axes]

    def forward(z):
        shape = list(z.shape)
        for ax, p in zip(axes, sizes):
            shape[ax] = p
        buf = np.zeros(shape, dtype=cdt if real else ctype)
        buf[tuple(slice(0, n) for n in z.shape)] = z
        if real:
            buf = f.r2c(buf, axes[-1], 1.0)
            rest = axes[:-1]
        else:
            rest = axes
        for ax in rest:
            f.c2c_inplace(buf, ax, False, 1.0)
        return buf

    spec = forward(a)
    spec = spec * forward(b)
    scale = 1.0 / math.prod(sizes)
    if real:
        for ax in axes[:-1]:
            f.c2c_inplace(spec, ax, True, 1.0)
        full = f.c2r(spec, sizes[-1], axes[-1], scale)
    else:
        for ax in axes[:-1]:
            f.c2c_inplace(spec, ax, True, 1.0)
        f.c2c_inplace(spec, axes[-1], True, scale)
        full = spec
    win = [slice(None)] * full.ndim
    for ax, s, o in zip(axes, start, oshape):
        win[ax] = slice(s, s + o)
    return np.ascontiguousarray(full[tuple(win)])


def _conv_window(a, b, axes, start, oshape, method, cdt):
    """Window [start, start+oshape) along axes of the full convolution of a and b (float/complex
    dtype cdt), broadcasting the other dimensions.  method: 'auto', 'direct' or 'fft'."""
    nd = a.ndim
    if not axes:
        return np.asarray(a * b, dtype=cdt)
    a = np.asarray(a, dtype=cdt)
    b = np.asarray(b, dtype=cdt)
    others = [d for d in range(nd) if d not in axes]
    a_batch = all(a.shape[d] == 1 for d in others)
    b_batch = all(b.shape[d] == 1 for d in others)
    if len(axes) <= 2 and (a_batch or b_batch):
        if a_batch and b_batch:
            img, ker = (a, b) if a.size >= b.size else (b, a)
        elif b_batch:
            img, ker = a, b
        else:
            img, ker = b, a
        dst = list(range(nd - len(axes), nd))
        imv = np.moveaxis(img, axes, dst)
        kv = np.moveaxis(ker, axes, dst)
        bshape = imv.shape[:nd - len(axes)]
        if len(axes) == 1:
            mshape = (1, imv.shape[-1])
            kshape = (1, kv.shape[-1])
            st, osh = (0, start[0]), (1, oshape[0])
        else:
            mshape = imv.shape[-2:]
            kshape = kv.shape[-2:]
            st, osh = tuple(start), tuple(oshape)
        x = np.ascontiguousarray(imv.reshape(bshape + mshape))
        k = np.ascontiguousarray(kv.reshape(kshape))
        if method == "auto":
            method = _pick_2d(kshape, mshape, st, osh, max(1, math.prod(bshape)))
        y = _backend.conv.Conv2D(k, mshape, st, osh, method)(x)
        y = y.reshape(bshape + tuple(oshape))
        return np.ascontiguousarray(np.moveaxis(y, dst, axes))
    if method == "auto":
        method = _pick_nd([min(a.shape[d], b.shape[d]) for d in axes],
                          [max(a.shape[d], b.shape[d]) for d in axes], oshape,
                          max(1, math.prod(max(a.shape[d], b.shape[d]) for d in others)))
    if method == "direct":
        return _direct_nd(a, b, axes, start, oshape, cdt)
    return _fft_nd(a, b, axes, start, oshape, cdt)


def _prepare_axes(in1, in2, mode, axes):
    """fftconvolve's axes rules: returns (in1, in2, conv_axes, start, oshape)."""
    s1, s2 = in1.shape, in2.shape
    axes = _normalize_axes(axes, in1.ndim)
    axes = sorted(a for a in axes if s1[a] != 1 and s2[a] != 1)
    if not all(s1[a] == s2[a] or s1[a] == 1 or s2[a] == 1
               for a in range(in1.ndim) if a not in axes):
        raise ValueError(f"incompatible shapes for in1 and in2: {s1} and {s2} (shape mismatch "
                         "along the broadcast dimensions)")
    if _swap_needed(mode, s1, s2, axes):
        in1, in2 = in2, in1
        s1, s2 = s2, s1
    if mode == "same":
        # scipy centres the broadcast result on in1's shape along every dimension
        for d in range(in1.ndim):
            if d not in axes and s1[d] == 1 and s2[d] > 1:
                c = (s2[d] - 1) // 2
                in2 = in2[(slice(None),) * d + (slice(c, c + 1),)]
    start, oshape = [], []
    for d in axes:
        full = s1[d] + s2[d] - 1
        if mode == "full":
            start.append(0)
            oshape.append(full)
        elif mode == "same":
            start.append((full - s1[d]) // 2)
            oshape.append(s1[d])
        else:
            start.append(s2[d] - 1)
            oshape.append(s1[d] - s2[d] + 1)
    return in1, in2, axes, start, oshape


def _fft_result_dtype(a, b):
    def up(dt):
        if dt.kind in "biu":
            return np.dtype(np.float64)
        if dt == np.float16:
            return np.dtype(np.float32)
        return dt
    return np.result_type(up(a.dtype), up(b.dtype))


# ------------------------------------------------------------------------------------------------
# public API
def fftconvolve(in1, in2, mode="full", axes=None):
    """Convolve two N-dimensional arrays using the FFT (scipy.signal.fftconvolve semantics).

    The output is floating point (complex if either input is complex; float32 inputs stay
    float32, integers become float64).  ``axes`` selects the convolution axes; the other axes
    broadcast.  Runs on the radix-2 core of the active backend.

    >>> import numpy as np, bttbfft
    >>> bttbfft.fftconvolve([1.0, 2.0, 3.0], [1.0, 1.0]).round(12)
    array([1., 3., 5., 3.])
    """
    in1 = _asarray(in1, "in1")
    in2 = _asarray(in2, "in2")
    _check_mode(mode)
    if in1.ndim == in2.ndim == 0:
        return in1 * in2
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality (shape mismatch: "
                         f"{in1.shape} and {in2.shape})")
    if in1.size == 0 or in2.size == 0:
        return np.asarray([])
    rt = _fft_result_dtype(in1, in2)
    a, b, axes, start, oshape = _prepare_axes(in1, in2, mode, axes)
    if not axes:
        return np.array(a * b, copy=True)  # scipy: plain product, dtype kept
    return _conv_window(a, b, axes, start, oshape, "fft", _compute_dtype(rt)).astype(rt,
                                                                                   copy=False)


def _convolve_impl(in1, in2, mode, method, axes, corr):
    fname = "correlate" if corr else "convolve"
    in1 = _asarray(in1, "in1")
    in2 = _asarray(in2, "in2")
    _check_mode(mode)
    _check_method(method)
    if in1.ndim == in2.ndim == 0:
        if corr and in2.dtype.kind == "c":
            return in1 * np.conj(in2)
        return in1 * in2
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality (shape mismatch: "
                         f"{in1.shape} and {in2.shape})")
    _check_nonempty(in1, in2, fname)
    if axes is None:
        _swap_needed(mode, in1.shape, in2.shape, range(in1.ndim))  # raises like scipy
    if corr:
        rax = _normalize_axes(axes, in2.ndim)
        sl = [slice(None)] * in2.ndim
        for d in rax:
            sl[d] = slice(None, None, -1)
        in2 = in2[tuple(sl)]
        if in2.dtype.kind == "c":
            in2 = np.conj(in2)
    rt = np.result_type(in1, in2)
    if method == "auto":
        method = _choose(in1, in2, mode, axes)
    a, b, axes_, start, oshape = _prepare_axes(in1, in2, mode, axes)
    if rt.kind in "biu":
        if method == "direct" or not _int_fft_safe(a, b, axes_):
            if not axes_:
                return np.asarray(a * b, dtype=rt)
            return _direct_nd(a, b, axes_, start, oshape, rt)
        out = _conv_window(a, b, axes_, start, oshape, "fft", np.dtype(np.float64))
        return _to_int_result(out, rt)
    out = _conv_window(a, b, axes_, start, oshape, method, _compute_dtype(rt))
    return out.astype(rt, copy=False)


def convolve(in1, in2, mode="full", method="auto", axes=None):
    """Convolve two N-dimensional arrays (scipy.signal.convolve semantics).

    ``method``: 'auto' (cost model fitted to this implementation), 'direct' or 'fft'.  The result
    dtype is ``numpy.result_type(in1, in2)`` (integers are computed exactly, with either method:
    'fft' falls back to the direct sum when the float64 FFT could round wrongly).  ``axes`` (an
    extension) selects the convolution axes with fftconvolve's broadcasting rules.  With
    method='fft' (and 'auto' when it picks it) an inf or NaN spreads over the output, as in
    scipy.

    >>> import bttbfft
    >>> bttbfft.convolve([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> bttbfft.convolve([1, 2, 3], [1, 1], mode="valid")
    array([3, 5])
    """
    return _convolve_impl(in1, in2, mode, method, axes, corr=False)


def correlate(in1, in2, mode="full", method="auto", axes=None):
    """Cross-correlate two N-dimensional arrays (scipy.signal.correlate semantics).

    ``correlate(in1, in2) == convolve(in1, conj(in2[::-1, ...]))``; 'same' centres as
    scipy.signal.correlate (offset (K-1)//2 in the full correlation).

    >>> import bttbfft
    >>> bttbfft.correlate([1, 2, 3], [0, 1, 0.5], mode="same")
    array([2. , 3.5, 3. ])
    """
    return _convolve_impl(in1, in2, mode, method, axes, corr=True)


def _choose(in1, in2, mode, axes=None):
    if in1.ndim == 0 or in1.size == 0 or in2.size == 0:
        return "direct"
    if in1.dtype.kind == "b" and in2.dtype.kind == "b":
        return "direct"
    try:
        a, b, axes_, start, oshape = _prepare_axes(in1, in2, mode, axes)
    except ValueError:
        return "direct"
    if not axes_:
        return "direct"
    n_int = (a.dtype.kind in "biu") + (b.dtype.kind in "biu")
    # an integer result must be exact; with one float operand, scipy's rule
    if n_int and not (_int_fft_safe(a, b, axes_) if n_int == 2 else _int_representable(a, b)):
        return "direct"
    others = [d for d in range(a.ndim) if d not in axes_]
    batch = max(1, math.prod(max(a.shape[d], b.shape[d]) for d in others))
    if len(axes_) <= 2:
        ka = math.prod(a.shape[d] for d in axes_)
        kb = math.prod(b.shape[d] for d in axes_)
        img, ker = (a, b) if ka >= kb else (b, a)
        ms = tuple(img.shape[d] for d in axes_)
        ks = tuple(ker.shape[d] for d in axes_)
        if len(axes_) == 1:
            ms, ks, st, osh = (1,) + ms, (1,) + ks, (0, start[0]), (1, oshape[0])
        else:
            st, osh = tuple(start), tuple(oshape)
        return _pick_2d(ks, ms, st, osh, batch)
    return _pick_nd([min(a.shape[d], b.shape[d]) for d in axes_],
                    [max(a.shape[d], b.shape[d]) for d in axes_], oshape, batch)


def choose_conv_method(in1, in2, mode="full"):
    """'direct' or 'fft': the faster method of ``convolve(in1, in2, mode)`` on this backend,
    by a cost model fitted to this implementation (see ``_COST``); bool data, and integer data
    whose FFT convolution in float64 is not provably exact (a bound on its rounding error, stricter
    than scipy's rule), get 'direct'; integer data with a float operand follow scipy's rule (the
    result must fit in the float64 mantissa).

    >>> import numpy as np, bttbfft
    >>> bttbfft.choose_conv_method(np.ones(100), np.ones(3))
    'direct'
    >>> bttbfft.choose_conv_method(np.ones(1000), np.ones(500))
    'fft'
    """
    in1 = _asarray(in1, "in1")
    in2 = _asarray(in2, "in2")
    _check_mode(mode)
    if in1.ndim != in2.ndim:
        raise ValueError("volume and kernel should have the same dimensionality (shape mismatch: "
                         f"{in1.shape} and {in2.shape})")
    if _swap_needed(mode, in1.shape, in2.shape, range(in1.ndim)):
        in1, in2 = in2, in1
    return _choose(in1, in2, mode)


def _fillvalue(fillvalue, rt):
    """fillvalue (boundary 'fill' only: scipy ignores it for the other boundaries) in dtype rt."""
    if fillvalue is None or isinstance(fillvalue, (str, bytes)):
        raise TypeError(f"fillvalue must be a number, got {type(fillvalue).__name__}")
    fv = np.asarray(fillvalue)
    if fv.dtype.kind not in "biufc":
        raise TypeError(f"fillvalue must be a number, got dtype {fv.dtype}")
    if fv.size != 1:
        raise ValueError("`fillvalue` must be scalar or an array with one element.")
    fv = fv.reshape(()).item()
    if isinstance(fv, complex) and rt.kind != "c":
        raise ValueError("could not cast `fillvalue` directly to the output type (it was first "
                         f"converted to complex): fillvalue={fillvalue!r}, output dtype {rt}")
    if rt.kind in "iu" and not np.iinfo(rt).min <= fv <= np.iinfo(rt).max:
        # as scipy: an integer output cannot take a fillvalue outside its range (no wrap-around)
        raise ValueError("could not cast `fillvalue` directly to the output type: "
                         f"fillvalue={fillvalue!r} is outside the range of {rt}")
    return np.asarray(fv).astype(rt)[()] if rt.kind != "c" else np.asarray(fv, dtype=rt)[()]


def _conv2d_impl(in1, in2, mode, boundary, fillvalue, corr):
    fname = "correlate2d" if corr else "convolve2d"
    in1 = _asarray(in1, "in1")
    in2 = _asarray(in2, "in2")
    if not in1.ndim == in2.ndim == 2:
        raise ValueError(f"{fname} inputs must both be 2-D arrays (got shapes {in1.shape} and "
                         f"{in2.shape})")
    _check_mode(mode)
    bnd = _check_boundary(boundary)
    _check_nonempty(in1, in2, fname)
    swapped = _swap_needed(mode, in1.shape, in2.shape, (0, 1))
    if swapped:
        in1, in2 = in2, in1
    rt = np.result_type(in1, in2)
    if rt.kind == "b" or rt == np.float16:
        raise ValueError(f"{fname} not available for this type ({rt}); convolve2d not available "
                         "for this type.")
    fv = _fillvalue(fillvalue, rt) if bnd == "fill" else 0  # scipy ignores it otherwise
    k = in2
    if corr:
        k = in2[::-1, ::-1]
        if k.dtype.kind == "c":
            k = np.conj(k)
    (m1, m2), (k1, k2) = in1.shape, k.shape
    if mode == "full":
        start, oshape = [0, 0], [m1 + k1 - 1, m2 + k2 - 1]
    elif mode == "same":
        start = [k1 // 2, k2 // 2] if corr else [(k1 - 1) // 2, (k2 - 1) // 2]
        oshape = [m1, m2]
    else:
        start, oshape = [k1 - 1, k2 - 1], [m1 - k1 + 1, m2 - k2 + 1]
    int_res = rt.kind in "iu"
    work = rt if int_res else _compute_dtype(rt)
    x = in1
    # (scipy's direct sum reads the fill values too: a non-finite kernel times a 0 fill is NaN)
    if mode != "valid" and not (bnd == "fill" and fv == 0 and np.isfinite(k).all()):
        x = np.asarray(in1, dtype=work)
        pads = [(kk - 1 - s, s + o - m) for kk, s, o, m in zip((k1, k2), start, oshape, (m1, m2))]
        if bnd == "fill":
            x = np.pad(x, pads, mode="constant", constant_values=fv)
        else:
            x = np.pad(x, pads, mode="wrap" if bnd == "wrap" else "symmetric")
        start = [k1 - 1, k2 - 1]
    axes = [0, 1]
    if int_res:
        if _int_fft_safe(x, k) and _pick_2d((k1, k2), x.shape, start, oshape) == "fft":
            out = _to_int_result(_conv_window(x, k, axes, start, oshape, "fft",
                                              np.dtype(np.float64)), rt)
        else:
            out = _direct_nd(x, k, axes, start, oshape, rt)
    else:
        x = np.ascontiguousarray(x, dtype=work)
        kk = np.ascontiguousarray(k, dtype=work)
        method = _pick_2d((k1, k2), x.shape, tuple(start), tuple(oshape))
        # as a cross-correlation: output (i, j) reads x[i + a - (k1-1-start0), ...] * kk[k1-1-a]
        method, x4, terms = _fft_operands(method, x[None, None], kk[None, None, ::-1, ::-1], 1,
                                          (1, 1), (1, 1), oshape,
                                          (k1 - 1 - start[0], k2 - 1 - start[1]))
        out = _backend.conv.Conv2D(kk, x.shape, start, oshape, method)(x4[0, 0])
        _add_terms(out, terms)
        out = out.astype(rt, copy=False)
    if swapped and corr:
        out = np.ascontiguousarray(out[::-1, ::-1])
    return out


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """Convolve two 2-D arrays (scipy.signal.convolve2d semantics).

    ``boundary``: 'fill'/'pad' (with ``fillvalue``, which the other boundaries ignore, as
    scipy), 'wrap'/'circular', 'symm'/'symmetric'.  Unlike scipy, the FFT path is used whenever
    the cost model says it is faster, with every boundary; inf and NaN still stay where scipy's
    direct sum puts them (the FFT runs on the input with those entries zeroed and the outputs
    that read them are recomputed; many of them, or a non-finite kernel, select the direct
    path).  Result dtype ``numpy.result_type(in1, in2)``; integer results are exact (with
    scipy's wrap-around on overflow).

    >>> import bttbfft
    >>> bttbfft.convolve2d([[1, 2], [3, 4]], [[1, 1]])
    array([[1, 3, 2],
           [3, 7, 4]])
    >>> bttbfft.convolve2d([[1, 2], [3, 4]], [[1, 1]], mode="same", boundary="wrap")
    array([[3, 3],
           [7, 7]])
    """
    return _conv2d_impl(in1, in2, mode, boundary, fillvalue, corr=False)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """Cross-correlate two 2-D arrays (scipy.signal.correlate2d semantics; 'same' centres with
    offset K//2, unlike ``correlate``'s (K-1)//2 for even kernel sizes).  Paths, inf/NaN and
    integer handling as ``convolve2d``.

    >>> import bttbfft
    >>> bttbfft.correlate2d([[1, 2], [3, 4]], [[1, -1]], mode="same")
    array([[-1,  2],
           [-1,  4]])
    """
    return _conv2d_impl(in1, in2, mode, boundary, fillvalue, corr=True)

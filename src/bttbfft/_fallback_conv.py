"""Pure-NumPy convolution backend (module ``_backend.conv`` of the pure-Python backend).

Conv primitive contract (shared with the compiled twin ``bttbfft._conv_core``)
----------------------------------------------------------------------------
::

    class Conv2D:
        def __init__(self, kernel, image_shape, start, out_shape, method="fft"): ...
        def __call__(self, x): ...
        nbytes: int     # memory the plan holds (kernel spectrum etc.)

- ``kernel``: C-contiguous 2-D ndarray, dtype float32, float64, complex64 or complex128, shape
  ``(k1, k2)`` with ``k1, k2 >= 1``.
- ``image_shape``: ``(m1, m2)``, both ``>= 1``.
- The plan computes the window ``full[s1:s1+o1, s2:s2+o2]`` of the full 2-D linear convolution
  ``full[i1, i2] = sum_{j1,j2} x[j1, j2] * kernel[i1-j1, i2-j2]`` (shape ``(m1+k1-1, m2+k2-1)``),
  with ``start=(s1, s2)``, ``out_shape=(o1, o2)``, ``0 <= s``, ``o >= 1``,
  ``s + o <= full shape`` (the caller guarantees this).
- ``method``: ``"fft"`` (circulant embedding on the radix-2 core with power-of-two sizes,
  overlap-add tiles when the image is much larger than the kernel, pruned row/column transforms,
  real data via real transforms) or ``"direct"`` (spatial sum).
- ``__call__(x)``: ``x`` is a C-contiguous ndarray of shape ``(..., m1, m2)`` with the kernel's
  dtype; returns a new C-contiguous array of shape ``(..., o1, o2)`` and the same dtype.
  Thread-safe: a plan may be called from several threads at once.  The kernel spectrum is
  computed once, in ``__init__``.
- 1-D problems use image shape ``(1, n)`` and kernel shape ``(1, k)``.

Implementation (pure NumPy; the FFTs are ``bttbfft._fallback``'s radix-2 primitives, never
``numpy.fft``/``scipy.fft``/``scipy.signal``)
----------------------------------------------------------------------------------------------
FFT method.  Only the input rows/columns that can reach the window are used (the input is cropped
to them).  Per axis the plan picks a power-of-two transform size ``P``:

* one tile: a circular convolution of size ``P`` reproduces the window exactly as soon as
  ``P >= max(m+k-1-s, s+o)`` (aliased terms land outside the window), so 'valid'-like windows need
  only ``P >= m``;
* several tiles (overlap-add): tiles of ``T = P-k+1`` input samples, each tile's full linear
  convolution (length ``T+k-1 <= P``) is added into the window at the tile's offset.

``(P1, P2)`` are chosen by a small operation-count model (transform work plus a per-tile overhead),
which tiles when the image is much larger than the kernel; memory stays bounded by one strip of
tiles at a time.  Real data go through ``r2c``/``c2r`` along the last axis; the forward row
transforms touch only the nonzero (data) rows of a tile, the inverse row transforms only the rows
that fall in the window.  The kernel spectrum (already scaled by ``1/(P1*P2)``) is computed once
in ``__init__`` and is read-only, so concurrent calls are safe (every call allocates its own
buffers).

Direct method.  A sum over the kernel taps with NumPy slicing; every tap adds its slice of the
input into the window (only the window is computed).
"""
from __future__ import annotations

import math

import numpy as np

from . import _fallback

__all__ = ["Conv2D", "choose_tiles"]

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64),
           np.dtype(np.complex128))

# per-tile overhead of the overlap-add loop, in units of "one complex butterfly element"
_TILE_OVERHEAD = 4096.0
_MAX_POW2 = 1 << 62


def _next_pow2(n):
    n = int(n)
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def _axis_candidates(m, k, s, o):
    """Candidate (P, T, ntiles) for one axis of a cropped problem (m input samples)."""
    p_one = _next_pow2(max(m + k - 1 - s, s + o, 1))
    cands = [(p_one, m, 1)]
    p = _next_pow2(2 * k)
    while p < p_one:
        t = p - k + 1
        nt = -(-m // t)
        if nt > 1:
            cands.append((p, t, nt))
        p <<= 1
    return cands


def choose_tiles(kshape, cshape, start, out_shape):
    """Tile sizes for the FFT method.

    ``kshape``: kernel shape, ``cshape``: (cropped) image shape, ``start``/``out_shape``: window
    in the cropped full-convolution coordinates.  Returns ``((P1, T1, n1), (P2, T2, n2))``.
    """
    c1 = _axis_candidates(cshape[0], kshape[0], start[0], out_shape[0])
    c2 = _axis_candidates(cshape[1], kshape[1], start[1], out_shape[1])
    best = None
    for a in c1:
        for b in c2:
            n = a[0] * b[0]
            cost = a[2] * b[2] * (n * math.log2(2 * n) + _TILE_OVERHEAD)
            if best is None or cost < best[0]:
                best = (cost, a, b)
    return best[1], best[2]


def fft_work(kshape, image_shape, start, out_shape):
    """(transform work, number of tiles) of the FFT plan, for cost models."""
    lo, hi, s = _crop(kshape, image_shape, start, out_shape)
    (p1, _, n1), (p2, _, n2) = choose_tiles(kshape, (hi[0] - lo[0], hi[1] - lo[1]), s, out_shape)
    n = p1 * p2
    return n1 * n2 * n * math.log2(2 * n), n1 * n2


def _crop(kshape, image_shape, start, out_shape):
    """Input range [lo, hi) per axis that reaches the window, and the window start after
    cropping."""
    lo, hi, s = [], [], []
    for k, m, st, o in zip(kshape, image_shape, start, out_shape):
        a = max(0, st - k + 1)
        b = min(m, st + o)
        if b <= a:  # window sees no data at all (cannot happen for valid windows); keep 1 sample
            a, b = min(a, m - 1), min(a, m - 1) + 1
        lo.append(a)
        hi.append(b)
        s.append(st - a)
    return tuple(lo), tuple(hi), tuple(s)


class Conv2D:
    """Plan for a window of the full 2-D linear convolution with a fixed kernel (see module doc)."""

    def __init__(self, kernel, image_shape, start, out_shape, method="fft"):
        kernel = np.asarray(kernel)
        if kernel.ndim != 2 or kernel.dtype not in _DTYPES:
            raise TypeError(
                "Conv2D: kernel must be a 2-D float32/float64/complex64/complex128 array")
        if method not in ("fft", "direct"):
            raise ValueError(f"Conv2D: method must be 'fft' or 'direct', got {method!r}")
        k1, k2 = (int(v) for v in kernel.shape)
        m1, m2 = (int(v) for v in image_shape)
        s1, s2 = (int(v) for v in start)
        o1, o2 = (int(v) for v in out_shape)
        if min(k1, k2, m1, m2, o1, o2) < 1 or min(s1, s2) < 0 \
                or s1 + o1 > m1 + k1 - 1 or s2 + o2 > m2 + k2 - 1:
            raise ValueError("Conv2D: invalid kernel/image/window shapes")
        self.dtype = kernel.dtype
        self.kernel_shape = (k1, k2)
        self.image_shape = (m1, m2)
        self.start = (s1, s2)
        self.out_shape = (o1, o2)
        self.method = method
        self._real = kernel.dtype.kind == "f"
        self._cdtype = np.dtype(np.complex64) if kernel.dtype in (np.float32, np.complex64) \
            else np.dtype(np.complex128)
        if method == "direct":
            self._kernel = np.array(kernel, copy=True)
            self._kernel.flags.writeable = False
            self.nbytes = int(self._kernel.nbytes)
            return
        lo, hi, cs = _crop((k1, k2), (m1, m2), (s1, s2), (o1, o2))
        self._lo, self._hi, self._cs = lo, hi, cs
        cshape = (hi[0] - lo[0], hi[1] - lo[1])
        (p1, t1, n1), (p2, t2, n2) = choose_tiles((k1, k2), cshape, cs, (o1, o2))
        self._tiles = ((p1, t1, n1), (p2, t2, n2))
        scale = 1.0 / (p1 * p2)
        # A kernel near the bottom of the range would lose its bits (or flush to zero) if
        # 1/(P1*P2) were folded into its spectrum: fold it into the inverse row transforms instead.
        self._oscale = 1.0
        fin = np.finfo(kernel.real.dtype)
        kmax = float(np.max(np.abs(kernel.real), initial=0.0))
        if kernel.dtype.kind == "c":
            kmax = max(kmax, float(np.max(np.abs(kernel.imag), initial=0.0)))
        if kmax * scale < float(fin.tiny) * 2.0 ** (fin.nmant + 1):
            self._oscale, scale = scale, 1.0
        if k1 > p1 or k2 > p2:
            # a one-tile plan with a small window may use P < k: fold the kernel modulo P
            # (circular convolution of the folded kernel aliases only outside the window)
            f1, f2 = -(-k1 // p1) * p1, -(-k2 // p2) * p2
            kp = np.zeros((f1, f2), dtype=kernel.dtype)
            kp[:k1, :k2] = kernel
            kernel = kp.reshape(f1 // p1, p1, f2 // p2, p2).sum(axis=(0, 2))
            k1, k2 = min(k1, p1), min(k2, p2)
            kernel = np.ascontiguousarray(kernel[:k1, :k2])
        if self._real:
            buf = np.zeros((k1, p2), dtype=kernel.dtype)
            buf[:, :k2] = kernel
            row = _fallback.r2c(buf, 1, scale)
            spec = np.zeros((p1, p2 // 2 + 1), dtype=self._cdtype)
        else:
            row = np.zeros((k1, p2), dtype=self._cdtype)
            row[:, :k2] = kernel
            _fallback.c2c_inplace(row, 1, False, scale)
            spec = np.zeros((p1, p2), dtype=self._cdtype)
        spec[:k1] = row
        _fallback.c2c_inplace(spec, 0, False, 1.0)
        spec.flags.writeable = False
        self._spec = spec
        self.nbytes = int(spec.nbytes)

    # ------------------------------------------------------------------------------------------
    def __call__(self, x):
        x = np.asarray(x)
        if x.ndim < 2 or tuple(x.shape[-2:]) != self.image_shape:
            raise ValueError(f"Conv2D: expected an array of shape (..., {self.image_shape[0]}, "
                             f"{self.image_shape[1]}), got {x.shape}")
        if x.dtype != self.dtype:
            raise TypeError(f"Conv2D: expected dtype {self.dtype}, got {x.dtype}")
        if self.method == "direct":
            return self._direct(x)
        return self._fft(x)

    def _direct(self, x):
        k = self._kernel
        k1, k2 = self.kernel_shape
        m1, m2 = self.image_shape
        s1, s2 = self.start
        o1, o2 = self.out_shape
        out = np.zeros(x.shape[:-2] + (o1, o2), dtype=self.dtype)
        tmp = None
        for a in range(k1):
            i_lo = max(0, a - s1)
            i_hi = min(o1, m1 + a - s1)
            if i_hi <= i_lo:
                continue
            xa = x[..., s1 + i_lo - a:s1 + i_hi - a, :]
            for b in range(k2):
                j_lo = max(0, b - s2)
                j_hi = min(o2, m2 + b - s2)
                if j_hi <= j_lo:
                    continue
                src = xa[..., s2 + j_lo - b:s2 + j_hi - b]
                dst = out[..., i_lo:i_hi, j_lo:j_hi]
                if tmp is None or tmp.shape != src.shape:
                    tmp = np.empty(src.shape, dtype=self.dtype)
                np.multiply(src, k[a, b], out=tmp)
                dst += tmp
        return out

    def _fft(self, x):
        (p1, t1, n1), (p2, t2, n2) = self._tiles
        k1, k2 = self.kernel_shape
        lo, hi, (s1, s2) = self._lo, self._hi, self._cs
        o1, o2 = self.out_shape
        xc = x[..., lo[0]:hi[0], lo[1]:hi[1]]
        c1, c2 = xc.shape[-2:]
        batch = x.shape[:-2]
        nb = len(batch)
        out = np.zeros(batch + (o1, o2), dtype=self.dtype)
        spec = self._spec
        rdt = self.dtype
        # column tiles: (input lo, input hi) along axis 2
        col_tiles = [(j * t2, min(c2, (j + 1) * t2)) for j in range(n2)]
        # which tiles of a strip contribute to which output columns
        col_parts = []
        for j, (a, b) in enumerate(col_tiles):
            h_lo = max(s2, a)
            h_hi = min(s2 + o2, a + min(p2, (b - a) + k2 - 1))
            if h_hi > h_lo:
                col_parts.append((j, h_lo - a, h_hi - a, h_lo - s2, h_hi - s2))
        if not col_parts:
            return out
        used = sorted({cp[0] for cp in col_parts})
        remap = {j: i for i, j in enumerate(used)}
        nt2 = len(used)
        for i in range(n1):
            a1, b1 = i * t1, min(c1, (i + 1) * t1)
            g_lo = max(s1, a1)
            g_hi = min(s1 + o1, a1 + min(p1, (b1 - a1) + k1 - 1))
            if g_hi <= g_lo:
                continue
            rows = b1 - a1
            strip = xc[..., a1:b1, :]
            # pruned forward row transforms: only the data rows of each tile
            if self._real:
                buf = np.zeros(batch + (nt2, rows, p2), dtype=rdt)
            else:
                buf = np.zeros(batch + (nt2, rows, p2), dtype=self._cdtype)
            for j in used:
                a2, b2 = col_tiles[j]
                buf[..., remap[j], :, :b2 - a2] = strip[..., :, a2:b2]
            if self._real:
                rowspec = _fallback.r2c(buf, nb + 2, 1.0)
            else:
                _fallback.c2c_inplace(buf, nb + 2, False, 1.0)
                rowspec = buf
            spec_t = np.zeros(batch + (nt2, p1, spec.shape[1]), dtype=self._cdtype)
            spec_t[..., :rows, :] = rowspec
            del buf, rowspec
            _fallback.c2c_inplace(spec_t, nb + 1, False, 1.0)
            spec_t *= spec
            _fallback.c2c_inplace(spec_t, nb + 1, True, 1.0)
            # pruned inverse row transforms: only the rows that land in the window
            sel = spec_t[..., g_lo - a1:g_hi - a1, :]
            if self._real:
                y = _fallback.c2r(sel, p2, nb + 2, self._oscale)
            else:
                y = np.array(sel, copy=True)
                _fallback.c2c_inplace(y, nb + 2, True, self._oscale)
            del spec_t, sel
            dst_rows = slice(g_lo - s1, g_hi - s1)
            for j, l_lo, l_hi, d_lo, d_hi in col_parts:
                out[..., dst_rows, d_lo:d_hi] += y[..., remap[j], :, l_lo:l_hi]
        return out

    def __repr__(self):
        return (f"Conv2D(kernel_shape={self.kernel_shape}, image_shape={self.image_shape}, "
                f"start={self.start}, out_shape={self.out_shape}, method={self.method!r}, "
                f"dtype={self.dtype})")

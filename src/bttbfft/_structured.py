"""Circulant, Toeplitz and BTTB products, matrices and LinearOperators (shared by both backends).

Conventions are scipy.linalg's: ``toeplitz(c, r)[i, j] = c[i-j]`` for ``i >= j`` and ``r[j-i]``
otherwise (``r=None`` means ``conj(c)``), ``circulant(c)[i, j] = c[(i-j) % n]``; 2-D arrays are
vectorised row-major (``x.ravel()``).

Every product runs on ``_backend.conv.Conv2D`` plans (a window of a full linear convolution):

* Toeplitz ``T`` (m x n): with ``h = [r[n-1], ..., r[1], c[0], ..., c[m-1]]`` (length m+n-1),
  ``(T x)[i] = sum_j h[i-j+n-1] x[j] = full(x * h)[i+n-1]``: the window start n-1, length m.
  The adjoint ``T^H`` is the Toeplitz matrix of ``conj(h[::-1])`` (n x m).
* circulant: the full linear convolution of x with c, folded modulo n.
* BTTB: ``y[i] = full(x * t)[i + (m-1, n-1)]``; adjoint with ``conj(t[::-1, ::-1])``.
* ``ConvolutionOperator``: ``convolve2d(x, kernel, mode, boundary)``; boundary extension is a
  gather ``P`` (identity for zero fill), so ``A = W C P`` and ``A^H = P^T C^H W^T``, where
  ``C^H W^T`` is again a window of a full convolution, with ``conj(kernel[::-1, ::-1])``.

Result dtypes: operators and functions compute in the inexact promotion of their data
(integers -> float64, float32 stays float32) and of the right-hand side.
"""
from __future__ import annotations

import operator

import numpy as np
import scipy.sparse
from scipy.sparse.linalg import LinearOperator

from . import _backend
from ._conv import _asarray, _check_boundary, _check_mode, _compute_dtype, _pick_2d

__all__ = ["circulant_matvec", "toeplitz_matvec", "bttb_matvec", "bttb_matrix",
           "convolution_matrix", "ToeplitzOperator", "BTTBOperator", "ConvolutionOperator"]


def _inexact(*dts):
    """The floating dtype the engines work in for operands of dtypes dts."""
    return _compute_dtype(np.result_type(*dts))


class _Plan:
    """A forward Conv2D plan on a fixed kernel, with lazily made plans for other dtypes.

    Called on a batch ``x`` of shape (b, m1, m2); real plans apply to complex data by linearity
    (real and imaginary parts as one batch)."""

    def __init__(self, kernel, image_shape, start, out_shape):
        # a private, read-only copy: never the caller's array (which must stay writeable)
        self.kernel = np.array(kernel, order="C", copy=True)
        self.kernel.flags.writeable = False
        self.image_shape = tuple(image_shape)
        self.start = tuple(start)
        self.out_shape = tuple(out_shape)
        self._plans = {}
        self._get(self.kernel.dtype)

    def _get(self, dt):
        dt = np.dtype(dt)
        plan = self._plans.get(dt)
        if plan is None:
            method = _pick_2d(self.kernel.shape, self.image_shape, self.start, self.out_shape)
            plan = _backend.conv.Conv2D(np.ascontiguousarray(self.kernel, dtype=dt),
                                        self.image_shape, self.start, self.out_shape, method)
            self._plans[dt] = plan
        return plan

    def __call__(self, x):
        kd = self.kernel.dtype
        work = _inexact(kd, x.dtype)
        if work.kind == "c" and kd.kind == "f":
            real = np.dtype(np.float32) if work == np.complex64 else np.dtype(np.float64)
            both = np.concatenate([np.ascontiguousarray(x.real, dtype=real),
                                   np.ascontiguousarray(x.imag, dtype=real)]) \
                if x.dtype.kind == "c" else None
            if both is None:
                return self._get(real)(np.ascontiguousarray(x, dtype=real))
            y = self._get(real)(both)
            nb = x.shape[0]
            out = np.empty(y.shape[:0] + (nb,) + y.shape[1:], dtype=work)
            out.real = y[:nb]
            out.imag = y[nb:]
            return out
        return self._get(work)(np.ascontiguousarray(x, dtype=work))

    @property
    def nbytes(self):
        return sum(int(getattr(p, "nbytes", 0)) for p in self._plans.values())


def _vec_or_mat(x, n, name="x"):
    """x of shape (n,) or (n, k) -> (batch (k, n), was_vector)."""
    x = _asarray(x, name)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise ValueError(f"{name} has length {x.shape[0]}, expected {n} (shape mismatch)")
        return x[None, :], True
    if x.ndim == 2:
        if x.shape[0] != n:
            raise ValueError(f"{name} has shape {x.shape}, expected ({n}, k) (shape mismatch)")
        return x.T, False
    raise ValueError(f"{name} must have shape (n,) or (n, k), got {x.shape}")


def _vector(v, name):
    v = _asarray(v, name)
    if v.ndim == 0:
        v = v.reshape(1)
    elif v.ndim != 1:
        # scipy >= 1.17 reads an n-D c or r as a batch of vectors: refused rather than flattened
        # into one long vector (a different matrix, silently)
        raise ValueError(f"{name} must be 1-D, got shape {v.shape} (batches of {name} are not "
                         "supported)")
    if v.size == 0:
        raise ValueError(f"{name} must be non-empty (zero-size input)")
    return v


# ------------------------------------------------------------------------------------------------
# Toeplitz / circulant
def _toeplitz_h(c, r, *more):
    """h = [r[n-1], ..., r[1], c[0], ..., c[m-1]] in the working dtype of c, r and the dtypes
    `more` (a right-hand side's), and m, n."""
    c = _vector(c, "c")
    if r is None:
        r = np.conj(c)
    else:
        r = _vector(r, "r")
    dt = _inexact(c.dtype, r.dtype, *more)
    h = np.concatenate([np.asarray(r[:0:-1], dtype=dt), np.asarray(c, dtype=dt)])
    return h, c.size, r.size


class ToeplitzOperator(LinearOperator):
    """``scipy.linalg.toeplitz(c, r)`` as a LinearOperator (m x n, rectangular allowed).

    Products cost O((m+n) log(m+n)) through Conv2D plans built once (forward and adjoint).

    >>> import numpy as np, bttbfft
    >>> T = bttbfft.ToeplitzOperator([1.0, 2.0, 3.0], [1.0, 4.0])
    >>> T.shape, (T @ np.ones(2)).round(12)
    ((3, 2), array([5., 3., 5.]))
    """

    def __init__(self, c, r=None):
        h, m, n = _toeplitz_h(c, r)
        self._h = h
        super().__init__(dtype=h.dtype, shape=(m, n))
        self._fwd = _Plan(h[None, :], (1, n), (0, n - 1), (1, m))
        self._adj = _Plan(np.conj(h[::-1])[None, :], (1, m), (0, m - 1), (1, n))

    def _apply(self, plan, x, n_in):
        xb, vec = _vec_or_mat(x, n_in)
        y = plan(xb[:, None, :])[:, 0, :]
        return y[0] if vec else np.ascontiguousarray(y.T)

    def _matvec(self, x):
        return self._apply(self._fwd, np.asarray(x).reshape(-1), self.shape[1])

    def _matmat(self, x):
        return self._apply(self._fwd, x, self.shape[1])

    def _rmatvec(self, x):
        return self._apply(self._adj, np.asarray(x).reshape(-1), self.shape[0])

    def _rmatmat(self, x):
        return self._apply(self._adj, x, self.shape[0])

    def toarray(self):
        m, n = self.shape
        i = np.arange(m)[:, None]
        j = np.arange(n)[None, :]
        return self._h[i - j + n - 1]


def toeplitz_matvec(c, r, x):
    """``scipy.linalg.toeplitz(c, r) @ x`` (len(c)=m rows, len(r)=n columns; r=None: conj(c));
    x of shape (n,) or (n, k).

    >>> import bttbfft
    >>> bttbfft.toeplitz_matvec([1.0, 2.0, 3.0], [1.0, 4.0], [1.0, 1.0]).round(12)
    array([5., 3., 5.])
    """
    x = _asarray(x, "x")
    h, m, n = _toeplitz_h(c, r, x.dtype)
    xb, vec = _vec_or_mat(x, n)
    y = _Plan(h[None, :], (1, n), (0, n - 1), (1, m))(xb[:, None, :])[:, 0, :]
    return y[0] if vec else np.ascontiguousarray(y.T)


def circulant_matvec(c, x):
    """``scipy.linalg.circulant(c) @ x``; x of shape (n,) or (n, k).

    >>> import bttbfft
    >>> bttbfft.circulant_matvec([1.0, 2.0, 3.0], [0.0, 1.0, 0.0]).round(12)
    array([3., 1., 2.])
    """
    c = _vector(c, "c")
    n = c.size
    xb, vec = _vec_or_mat(x, n)
    dt = _inexact(c.dtype, xb.dtype)
    full = _Plan(np.asarray(c, dtype=dt)[None, :], (1, n), (0, 0), (1, 2 * n - 1))(
        xb[:, None, :])[:, 0, :]
    y = full[:, :n].copy()
    y[:, :n - 1] += full[:, n:]
    return y[0] if vec else np.ascontiguousarray(y.T)


# ------------------------------------------------------------------------------------------------
# BTTB
def _bttb_t(t, *more):
    """t in the working dtype of its own and the dtypes `more`, and m, n."""
    t = _asarray(t, "t")
    if t.ndim != 2 or t.shape[0] % 2 == 0 or t.shape[1] % 2 == 0:
        raise ValueError(f"t must be a 2-D array of shape (2m-1, 2n-1) (odd sizes), got {t.shape}")
    return (np.asarray(t, dtype=_inexact(t.dtype, *more)), (t.shape[0] + 1) // 2,
            (t.shape[1] + 1) // 2)


def _check_image(x, shape, name="x"):
    x = _asarray(x, name)
    if x.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {x.shape} (shape mismatch)")
    return x


def bttb_matvec(t, x):
    """y[i1,i2] = sum_{j1,j2} t[i1-j1+m-1, i2-j2+n-1] x[j1,j2]; t (2m-1, 2n-1), x (m, n).

    >>> import numpy as np, bttbfft
    >>> t = np.arange(9.0).reshape(3, 3)
    >>> bttbfft.bttb_matvec(t, np.ones((2, 2))).round(12)
    array([[ 8., 12.],
           [20., 24.]])
    """
    x = _asarray(x, "x")
    t, m, n = _bttb_t(t, x.dtype)
    x = _check_image(x, (m, n))
    return _Plan(t, (m, n), (m - 1, n - 1), (m, n))(x[None])[0]


def bttb_matrix(t):
    """Dense (m*n, m*n) matrix with T[i1*n+i2, j1*n+j2] = t[i1-j1+m-1, i2-j2+n-1].

    >>> import numpy as np, bttbfft
    >>> bttbfft.bttb_matrix(np.arange(9.0).reshape(3, 3))
    array([[4., 3., 1., 0.],
           [5., 4., 2., 1.],
           [7., 6., 4., 3.],
           [8., 7., 5., 4.]])
    """
    t = _asarray(t, "t")
    if t.ndim != 2 or t.shape[0] % 2 == 0 or t.shape[1] % 2 == 0:
        raise ValueError(f"t must be a 2-D array of shape (2m-1, 2n-1) (odd sizes), got {t.shape}")
    m, n = (t.shape[0] + 1) // 2, (t.shape[1] + 1) // 2
    i1 = np.arange(m)[:, None, None, None]
    i2 = np.arange(n)[None, :, None, None]
    j1 = np.arange(m)[None, None, :, None]
    j2 = np.arange(n)[None, None, None, :]
    return np.ascontiguousarray(t[i1 - j1 + m - 1, i2 - j2 + n - 1].reshape(m * n, m * n))


class BTTBOperator(LinearOperator):
    """The BTTB matrix of generator t (shape (2m-1, 2n-1)) acting on x.ravel(), x of shape (m, n).

    >>> import numpy as np, bttbfft
    >>> A = bttbfft.BTTBOperator(np.arange(9.0).reshape(3, 3))
    >>> A.shape, (A @ np.ones(4)).round(12)
    ((4, 4), array([ 8., 12., 20., 24.]))
    """

    def __init__(self, t):
        t, m, n = _bttb_t(t)
        self._t = t
        self.grid_shape = (m, n)
        super().__init__(dtype=t.dtype, shape=(m * n, m * n))
        self._fwd = _Plan(t, (m, n), (m - 1, n - 1), (m, n))
        self._adj = _Plan(np.conj(t[::-1, ::-1]), (m, n), (m - 1, n - 1), (m, n))

    def _apply(self, plan, x):
        m, n = self.grid_shape
        xb, vec = _vec_or_mat(x, m * n)
        y = plan(xb.reshape(-1, m, n)).reshape(-1, m * n)
        return y[0] if vec else np.ascontiguousarray(y.T)

    def _matvec(self, x):
        return self._apply(self._fwd, np.asarray(x).reshape(-1))

    def _matmat(self, x):
        return self._apply(self._fwd, x)

    def _rmatvec(self, x):
        return self._apply(self._adj, np.asarray(x).reshape(-1))

    def _rmatmat(self, x):
        return self._apply(self._adj, x)

    def toarray(self):
        return bttb_matrix(self._t)


# ------------------------------------------------------------------------------------------------
# convolution matrices and operators
def _window(mode, mshape, kshape, same_offsets):
    """(start, out_shape) of convolve2d's output in full-convolution coordinates."""
    start, oshape = [], []
    for m, k, so in zip(mshape, kshape, same_offsets):
        if mode == "full":
            start.append(0)
            oshape.append(m + k - 1)
        elif mode == "same":
            start.append(so)
            oshape.append(m)
        else:
            start.append(min(m, k) - 1)
            oshape.append(abs(m - k) + 1)
    return start, oshape


def _src_index(p, m, bnd):
    """Boundary map of extended indices p to [0, m) (-1 where the zero fill applies)."""
    if bnd == "fill":
        return np.where((p >= 0) & (p < m), p, -1)
    if bnd == "wrap":
        return np.mod(p, m)
    q = np.mod(p, 2 * m)
    return np.where(q >= m, 2 * m - 1 - q, q)


def _shape2(shape, what="shape must be a pair of ints"):
    """A pair of positive ints (TypeError for anything but integers, as numpy's shapes)."""
    try:
        mshape = tuple(operator.index(s) for s in shape)
    except TypeError as exc:
        raise TypeError(f"{what}, got {shape!r}") from exc
    if len(mshape) != 2 or min(mshape) <= 0:
        raise ValueError(f"shape must be a pair of positive ints, got {shape!r}")
    return mshape


def _check_conv_args(kernel, shape, mode, boundary):
    kernel = _asarray(kernel, "kernel")
    _check_mode(mode)
    bnd = _check_boundary(boundary)
    if kernel.size == 0:
        raise ValueError("kernel must be non-empty (zero-size input)")
    return kernel, bnd


def convolution_matrix(kernel, shape, mode="full", boundary="fill", *, sparse=False):
    """Matrix A with ``A @ x.ravel() == convolve2d(x, kernel, mode, boundary).ravel()`` for
    ``x.shape == shape`` (2-D kernel, zero fill for 'fill'); for a 1-D kernel and an int shape it is
    ``scipy.linalg.convolution_matrix(kernel, shape, mode)``.  ``sparse=True`` returns a
    ``scipy.sparse.csr_array`` built directly from the nonzeros (O(nnz)).

    >>> import numpy as np, bttbfft
    >>> bttbfft.convolution_matrix([1.0, 1.0], 3)
    array([[1., 0., 0.],
           [1., 1., 0.],
           [0., 1., 1.],
           [0., 0., 1.]])
    >>> A = bttbfft.convolution_matrix(np.ones((2, 2)), (3, 3), mode="valid")
    >>> A.shape, np.allclose(A @ np.arange(9.0), bttbfft.convolve2d(
    ...     np.arange(9.0).reshape(3, 3), np.ones((2, 2)), mode="valid").ravel())
    ((4, 9), True)
    """
    kernel, bnd = _check_conv_args(kernel, shape, mode, boundary)
    if kernel.ndim == 1:
        if np.ndim(shape) != 0:
            raise ValueError("a 1-D kernel needs an int shape (the length n of x)")
        try:
            n = operator.index(shape)
        except TypeError as exc:
            raise TypeError(f"shape must be an int for a 1-D kernel, got {shape!r}") from exc
        if n <= 0:
            raise ValueError(f"n must be a positive integer, got shape={shape!r}")
        k = kernel.size
        trim = min(n, k) - 1
        same = trim // 2  # numpy.convolve's 'same' (length max(n, k))
        if mode == "same":
            start, oshape = [0, same], [1, max(n, k)]
        else:
            start, oshape = _window(mode, (1, n), (1, k), (0, 0))
        kern2, mshape = kernel[None, :], (1, n)
    else:
        if kernel.ndim != 2:
            raise ValueError(f"kernel must be 1-D or 2-D, got shape {kernel.shape}")
        if kernel.dtype.kind == "b":
            # convolve2d, whose matrix this is, is not available for bool (as scipy's)
            raise ValueError("convolution_matrix: a bool 2-D kernel is not supported (convolve2d "
                             "is not available for this type); cast it to an integer or float "
                             "dtype")
        mshape = _shape2(shape, "shape must be a pair of ints for a 2-D kernel")
        kern2 = kernel
        if mode == "valid":
            _valid_ok(mshape, kernel.shape)
        start, oshape = _window(mode, mshape, kernel.shape,
                                [(k - 1) // 2 for k in kernel.shape])
    rows, cols, vals = _conv_entries(kern2, mshape, start, oshape,
                                     bnd if mode != "valid" else "fill")
    nrow, ncol = oshape[0] * oshape[1], mshape[0] * mshape[1]
    if sparse:
        if vals.dtype == np.float16:   # scipy.sparse has no float16: float32 (as FFTs compute it)
            vals = vals.astype(np.float32)
        A = scipy.sparse.coo_array((vals, (rows, cols)), shape=(nrow, ncol)).tocsr()
        A.sum_duplicates()
        return A
    A = np.zeros((nrow, ncol), dtype=kernel.dtype)
    np.add.at(A, (rows, cols), vals)
    return A


def _valid_ok(mshape, kshape):
    ok1 = all(m >= k for m, k in zip(mshape, kshape))
    ok2 = all(k >= m for m, k in zip(mshape, kshape))
    if not (ok1 or ok2):
        raise ValueError("For 'valid' mode, one must be at least as large as the other in every "
                         f"dimension (shape mismatch: {mshape} and {kshape})")


def _conv_entries(kernel, mshape, start, oshape, bnd):
    """COO entries (row, col, value) of the window of the boundary-extended convolution."""
    (k1, k2), (m1, m2) = kernel.shape, mshape
    o1, o2 = oshape
    # per axis: source index of (output i, tap a): p = s + i - a -> boundary map
    src1 = _src_index(start[0] + np.arange(o1)[:, None] - np.arange(k1)[None, :], m1, bnd)
    src2 = _src_index(start[1] + np.arange(o2)[:, None] - np.arange(k2)[None, :], m2, bnd)
    # entries indexed (i1, a, i2, b)
    ok = (src1 >= 0)[:, :, None, None] & (src2 >= 0)[None, None, :, :]
    i1, a, i2, b = np.nonzero(ok)
    rows = i1 * o2 + i2
    cols = src1[i1, a] * m2 + src2[i2, b]
    vals = kernel[a, b]
    return rows, cols, vals


class ConvolutionOperator(LinearOperator):
    """``x.ravel() -> convolve2d(x, kernel, mode, boundary).ravel()`` for x of shape ``shape``
    ('fill' is zero fill), with its adjoint; Conv2D plans built once for both directions.

    >>> import numpy as np, bttbfft
    >>> A = bttbfft.ConvolutionOperator(np.array([[1.0, 1.0]]), (2, 2))     # mode="same"
    >>> A.shape, (A @ np.array([1.0, 2.0, 3.0, 4.0])).round(12)
    ((4, 4), array([1., 3., 3., 7.]))
    """

    def __init__(self, kernel, shape, mode="same", boundary="fill"):
        kernel, bnd = _check_conv_args(kernel, shape, mode, boundary)
        if kernel.ndim != 2:
            raise ValueError(f"kernel must be a 2-D array, got shape {kernel.shape}")
        mshape = _shape2(shape)
        if mode == "valid":
            _valid_ok(mshape, kernel.shape)
            bnd = "fill"
        dt = _inexact(kernel.dtype)
        k = np.asarray(kernel, dtype=dt)
        self.kernel = k
        self.image_shape = mshape
        self.mode, self.boundary = mode, bnd
        K = k.shape
        start, oshape = _window(mode, mshape, K, [(kk - 1) // 2 for kk in K])
        self.out_shape = tuple(oshape)
        super().__init__(dtype=dt, shape=(oshape[0] * oshape[1], mshape[0] * mshape[1]))
        kadj = np.conj(k[::-1, ::-1])
        if bnd == "fill":
            self._idx = None
            self._fwd = _Plan(k, mshape, start, oshape)
            adj_start = [kk - 1 - s for kk, s in zip(K, start)]
            self._adj = _Plan(kadj, oshape, adj_start, mshape)
        else:
            # gather indices of the extended input (only the margin the window needs)
            self._idx = [_src_index(np.arange(s - (kk - 1), s + o), m, bnd)
                         for s, o, kk, m in zip(start, oshape, K, mshape)]
            pshape = tuple(len(ix) for ix in self._idx)
            self._fwd = _Plan(k, pshape, [kk - 1 for kk in K], oshape)
            self._adj = _Plan(kadj, oshape, (0, 0), pshape)

    def _forward(self, xb):
        if self._idx is not None:
            xb = xb[:, self._idx[0][:, None], self._idx[1][None, :]]
        return self._fwd(xb)

    def _backward(self, yb):
        z = self._adj(yb)
        if self._idx is None:
            return z
        m1, m2 = self.image_shape
        i1, i2 = self._idx
        t = np.zeros((z.shape[0], m1, z.shape[2]), dtype=z.dtype)
        np.add.at(t, (slice(None), i1), z)
        out = np.zeros((z.shape[0], m1, m2), dtype=z.dtype)
        np.add.at(out, (slice(None), slice(None), i2), t)
        return out

    def _apply(self, fn, x, n_in, in_shape):
        xb, vec = _vec_or_mat(x, n_in)
        if xb.shape[0] == 0:    # no columns: an empty (n_out, 0) result, as the other operators
            n_out = self.shape[0] + self.shape[1] - n_in
            return np.zeros((n_out, 0), dtype=np.result_type(self.dtype, _inexact(xb.dtype)))
        y = fn(np.asarray(xb).reshape((-1,) + tuple(in_shape)))
        y = y.reshape(y.shape[0], -1)
        return y[0] if vec else np.ascontiguousarray(y.T)

    def _matvec(self, x):
        return self._apply(self._forward, np.asarray(x).reshape(-1), self.shape[1],
                           self.image_shape)

    def _matmat(self, x):
        return self._apply(self._forward, x, self.shape[1], self.image_shape)

    def _rmatvec(self, x):
        return self._apply(self._backward, np.asarray(x).reshape(-1), self.shape[0],
                           self.out_shape)

    def _rmatmat(self, x):
        return self._apply(self._backward, x, self.shape[0], self.out_shape)

    def toarray(self):
        return convolution_matrix(self.kernel, self.image_shape, self.mode,
                                  self.boundary).astype(self.dtype, copy=False)

"""Toeplitz, circulant and BTTB linear solvers (shared by both backends).

``solve_toeplitz``, ``circulant_preconditioner``, ``solve_circulant`` and ``solve_bttb`` (SPEC
section 5).  Every O(n log n) step runs on the active backend's radix-2 core:

* products with T go through ``bttbfft.ToeplitzOperator`` / ``bttbfft.BTTBOperator`` (Conv2D plans
  whose kernel spectrum is computed once per solve);
* circulant eigenvalues are ``bttbfft.fft`` (level 2: ``bttbfft.fft2``) of the circulant's first
  column, and ``C^{-1} x`` is ``ifft(fft(x) / eig)`` (``rfft``/``irfft`` for real data).

Iterative methods are written here in NumPy (no scipy.sparse.linalg solver is called):

* PCG for Hermitian definite T.  The sign is detected from the diagonal ``t0`` (real for a
  Hermitian T): a negative definite T is solved as ``(-T) x = -b``.  Several right-hand sides are
  iterated together (one matmat per iteration; each column has its own step lengths and stops when
  it has converged).  If a curvature ``p^H T p`` of the wrong sign shows T is indefinite, ``"auto"``
  switches to GMRES, ``"pcg"`` raises LinAlgError.
* GMRES(restart) with right preconditioning (the residual it minimises is the true residual of
  ``T x = b``), classical Gram-Schmidt with one reorthogonalisation, complex Givens rotations;
  several right-hand sides are solved one after the other.
* Levinson-Durbin (the general nonsymmetric recursion with forward and backward vectors), O(n^2).

Convergence is always confirmed with the true residual ``||b - T x|| / ||b||`` recomputed from x;
if the recurrence says "converged" but the true residual does not, the iteration continues from the
true residual (residual replacement / a GMRES restart).
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.linalg
from numpy.linalg import LinAlgError
from scipy.sparse.linalg import LinearOperator

from ._conv import _asarray, _compute_dtype
from ._structured import _vector

__all__ = ["solve_toeplitz", "circulant_preconditioner", "solve_circulant", "solve_bttb"]

_METHODS = ("auto", "pcg", "gmres", "levinson")
_KINDS = ("strang", "chan")
_LEVINSON_MAX_N = 48      # method="auto": Levinson up to this size (measured crossover)
_GMRES_RESTART = 50
_DENSE_CHECK_MAX_N = 256  # a Levinson result's residual: dense product up to this size


class _Indefinite(Exception):
    """PCG met a curvature of the wrong sign (T or the preconditioner is not definite) after
    ``iterations`` iterations."""

    def __init__(self, iterations=0):
        super().__init__(iterations)
        self.iterations = iterations


# ------------------------------------------------------------------------------------------------
# scaling: the iterations work on data scaled by powers of two (exact), so that no norm or inner
# product underflows or overflows whatever the magnitude of T and b (a b of 1e-170 would otherwise
# have a squared norm of 0 and be taken for a zero right-hand side)
def _maxabs(a, axis=None):
    """max |re|, |im| (no overflow of |z| for complex entries near the largest double)."""
    m = np.max(np.abs(a.real), axis=axis, initial=0.0)
    if a.dtype.kind == "c":
        m = np.maximum(m, np.max(np.abs(a.imag), axis=axis, initial=0.0))
    return m


def _exponent(m):
    """e with m * 2**-e in [0.5, 1) (0 where m is 0): int array of m's shape."""
    return np.frexp(np.asarray(m, dtype=np.float64))[1]


def _ldexp(a, e):
    """a * 2**e (e an int or int array broadcasting against a's last axis), exactly unless the
    result under- or overflows; complex a part by part."""
    if a.dtype.kind != "c":
        return np.ldexp(a, e)
    out = np.empty_like(a)
    out.real = np.ldexp(a.real, e)
    out.imag = np.ldexp(a.imag, e)
    return out


# ------------------------------------------------------------------------------------------------
# argument checking
def _work_dtype(*dts):
    return np.dtype(np.complex128) if any(np.dtype(d).kind == "c" for d in dts) \
        else np.dtype(np.float64)


def _cr(c_or_cr):
    """scipy.linalg.solve_toeplitz's c_or_cr -> (c, r) 1-D arrays (r None -> conj(c))."""
    if isinstance(c_or_cr, tuple):
        if len(c_or_cr) != 2:
            raise ValueError("c_or_cr must be c or a tuple (c, r)")
        c, r = c_or_cr
        c = _vector(c, "c")
        r = np.conj(c) if r is None else _vector(r, "r")
    else:
        c = _vector(c_or_cr, "c")
        r = np.conj(c)
    if r.size != c.size:
        raise ValueError(f"c and r must have the same length for a square Toeplitz matrix "
                         f"(shape mismatch: {c.size} and {r.size})")
    return c, r


def _rhs(b, n, name="b"):
    """b of shape (n,) or (n, k) -> (B of shape (n, k), was_vector)."""
    b = _asarray(b, name)
    if b.ndim == 1 and b.shape[0] == n:
        return b[:, None], True
    if b.ndim == 2 and b.shape[0] == n:
        return b, False
    raise ValueError(f"{name} must have shape ({n},) or ({n}, k) (shape mismatch), got {b.shape}")


def _check_tol(tol, maxiter, n):
    try:
        tol = float(tol)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"tol must be a real number, got {tol!r}") from exc
    if not (tol >= 0.0) or math.isinf(tol):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    if maxiter is None:
        maxiter = 10 * n
    else:
        if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral):
            raise TypeError(f"maxiter must be an int or None, got {maxiter!r}")
        maxiter = int(maxiter)
        if maxiter < 0:
            raise ValueError(f"maxiter must be >= 0 or None, got {maxiter}")
    return tol, maxiter


def _check_callback(callback):
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")


def _is_hermitian_cr(c, r):
    c0 = c[0]
    if np.iscomplexobj(c0) and c0.imag != 0:
        return False
    return bool(np.array_equal(r[1:], np.conj(c[1:])))


# ------------------------------------------------------------------------------------------------
# circulants
def _fft_mod():
    from . import _fft
    return _fft


def _circ_eigs(col):
    """Eigenvalues of circulant(col) (= fft(col)), radix-2 core (Bluestein for other lengths)."""
    return _fft_mod().fft(np.asarray(col, dtype=np.complex128))


def _strang_column(c, r):
    """First column of Strang's circulant: central diagonals of T copied (midpoint averaged)."""
    n = c.size
    dt = _work_dtype(c.dtype, r.dtype)
    s = np.empty(n, dtype=dt)
    h = n // 2
    s[0] = c[0]
    s[1:h + 1] = c[1:h + 1]                       # t_k, k = 1..n//2
    if n > 1:
        k = np.arange(h + 1, n)                   # t_{k-n} = r[n-k]
        s[h + 1:] = r[n - k]
    if n % 2 == 0 and n > 1:                      # k = n/2 is both t_{n/2} and t_{-n/2}
        s[h] = 0.5 * (c[h] + r[h])
    return s


def _chan_column(c, r):
    """First column of T. Chan's optimal circulant: c_k = ((n-k) t_k + k t_{k-n}) / n."""
    n = c.size
    dt = _work_dtype(c.dtype, r.dtype)
    k = np.arange(n)
    s = np.empty(n, dtype=dt)
    s[0] = c[0]
    if n > 1:
        kk = k[1:]
        s[1:] = ((n - kk) * c[1:] + kk * r[n - kk]) / n
    return s


def _singular(eigs):
    a = np.abs(eigs)
    amax = a.max() if a.size else 0.0
    return not (amax > 0) or a.min() <= a.size * np.finfo(np.float64).eps * amax


def _not_definite(eigs, sign):
    """For a Hermitian circulant (real eigenvalues): not definite with the given sign."""
    ev = sign * eigs.real
    return _singular(eigs) or ev.min() <= 0


class _CirculantInverse(LinearOperator):
    """``C^{-1}`` for a circulant C given by its eigenvalues; real data via rfft/irfft."""

    def __init__(self, column, eigs, kind):
        n = column.size
        self.column = column
        self.eigenvalues = eigs
        self.kind = kind
        self._real = column.dtype.kind != "c"
        self._inv = 1.0 / eigs
        self._inv_half = np.ascontiguousarray(self._inv[: n // 2 + 1])
        super().__init__(dtype=column.dtype, shape=(n, n))

    def _solve_cols(self, x):
        fm = _fft_mod()
        n = self.shape[0]
        if self._real and x.dtype.kind != "c":
            X = fm.rfft(np.asarray(x, dtype=np.float64), axis=0)
            X *= self._inv_half.reshape((-1,) + (1,) * (X.ndim - 1))
            return fm.irfft(X, n=n, axis=0)
        X = fm.fft(np.asarray(x, dtype=np.complex128), axis=0)
        X *= self._inv.reshape((-1,) + (1,) * (X.ndim - 1))
        return fm.ifft(X, axis=0)

    def _matvec(self, x):
        return self._solve_cols(np.asarray(x).reshape(-1))

    def _matmat(self, x):
        return self._solve_cols(np.asarray(x))

    def _adjoint(self):
        col = np.conj(np.roll(self.column[::-1], 1))
        return _CirculantInverse(col, np.conj(self.eigenvalues), self.kind)


def _make_circ_prec(c, r, kind, hermitian_sign=None):
    """Build the circulant preconditioner of toeplitz(c, r); returns _CirculantInverse or None.

    ``hermitian_sign``: +1 / -1 when T is Hermitian with that sign of t0 (the preconditioner must
    then be definite with the same sign); None for a general T.
    """
    tried = ["strang", "chan"] if kind == "strang" else ["chan"]
    for k in tried:
        col = _strang_column(c, r) if k == "strang" else _chan_column(c, r)
        eigs = _circ_eigs(col)
        if hermitian_sign is not None:
            eigs = eigs.real.astype(np.complex128)
            if _not_definite(eigs, hermitian_sign):
                continue
        elif _singular(eigs):
            continue
        return _CirculantInverse(col, eigs, k)
    return None


def circulant_preconditioner(c, r=None, kind="strang"):
    """Circulant preconditioner of ``T = scipy.linalg.toeplitz(c, r)`` (r=None: conj(c)).

    Returns a ``LinearOperator`` applying ``C^{-1}`` (the ``M`` argument of scipy.sparse.linalg
    solvers) in O(n log n) on the radix-2 FFT.  ``kind="strang"``: the central diagonals of T
    copied into a circulant (for even n the two diagonals n/2 and -n/2 are averaged);
    ``kind="chan"``: T. Chan's optimal circulant, ``c_k = ((n-k) t_k + k t_{k-n}) / n``.

    A Strang circulant that is singular -- or, for a Hermitian T, not definite with the sign of
    ``t0`` -- is replaced by T. Chan's (no error); the operator's ``kind`` attribute tells which one
    was used.  Attributes: ``column`` (first column of C), ``eigenvalues`` (of C, = fft(column)),
    ``kind``.  A singular T. Chan circulant raises LinAlgError.

    >>> import numpy as np, scipy.linalg, bttbfft
    >>> M = bttbfft.circulant_preconditioner([4.0, 1.0, 0.0, 0.0])
    >>> M.kind, M.shape
    ('strang', (4, 4))
    >>> C = scipy.linalg.circulant(M.column)
    >>> np.allclose(C @ (M @ np.arange(4.0)), np.arange(4.0))
    True
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of 'strang', 'chan', got {kind!r}")
    c, r = _cr((c, r))
    sign = None
    if _is_hermitian_cr(c, r) and np.real(c[0]) != 0:
        sign = 1.0 if np.real(c[0]) > 0 else -1.0
    prec = _make_circ_prec(c, r, kind, sign)
    if prec is None and sign is not None:
        prec = _make_circ_prec(c, r, kind, None)
    if prec is None:
        raise LinAlgError("the circulant preconditioner is singular (both Strang's and "
                          "T. Chan's circulants have a zero eigenvalue)")
    return prec


def solve_circulant(c, b, singular="raise", tol=None):
    """Solve ``scipy.linalg.circulant(c) @ x = b`` (b of shape (n,) or (n, k)) as
    scipy.linalg.solve_circulant: eigenvalues ``fft(c)`` on the radix-2 core.

    ``singular="raise"`` raises LinAlgError when an eigenvalue has ``|lambda| <= tol`` (default
    ``tol = n * eps * max|lambda|``); ``singular="lstsq"`` returns the least-squares solution
    (those eigenvalues treated as zero).  The result is real when c and b are real; its dtype is
    scipy's: float32/complex64 when c and b are single precision (computed in double, rounded
    once), else float64/complex128.  A b with no columns gives an empty (n, 0) result.

    >>> import bttbfft
    >>> bttbfft.solve_circulant([4.0, 1.0, 1.0], [6.0, 6.0, 6.0]).round(12)
    array([1., 1., 1.])
    """
    if singular not in ("raise", "lstsq"):
        raise ValueError(f"singular must be 'raise' or 'lstsq', got {singular!r}")
    c = _vector(c, "c")
    n = c.size
    B, vec = _rhs(b, n)
    # the result dtype of scipy.linalg.solve_circulant, which transforms c and b apart: each in
    # single precision if it is float16/float32/complex64, else in double, then the two promoted
    # (here computed in double, rounded once)
    odt = np.result_type(_compute_dtype(c.dtype), _compute_dtype(B.dtype))
    real = odt.kind != "c"
    if B.shape[1] == 0:
        return np.zeros((n, 0), dtype=odt)
    fm = _fft_mod()
    eigs = fm.fft(np.asarray(c, dtype=np.complex128))
    absev = np.abs(eigs)
    if tol is None:
        tol = absev.max() * n * np.finfo(np.float64).eps
    near = absev <= tol
    if np.any(near):
        if singular == "raise":
            raise LinAlgError("Singular matrix (solve_circulant: the circulant has an eigenvalue "
                              f"of modulus {absev.min():.3g} <= tol {tol:.3g})")
        eigs = np.where(near, 1.0, eigs)
    X = fm.fft(np.asarray(B, dtype=np.complex128), axis=0)
    X /= eigs[:, None]
    if np.any(near):
        X[near] = 0
    x = fm.ifft(X, axis=0)
    x = np.ascontiguousarray(x.real if real else x, dtype=odt)
    return x[:, 0] if vec else x


# ------------------------------------------------------------------------------------------------
# iterative kernels (operate on (n, k) blocks)
def _colnorm(x):
    return np.sqrt(np.sum(np.abs(x) ** 2, axis=0))


def _nonconv_error(fname, method, it, res, tol):
    return LinAlgError(f"{fname}: {method} did not converge: {it} iterations done, relative "
                       f"residual {res:.3e} reached (tol {tol:.3e})")


def _pcg(A, M, B, tol, maxiter, callback, sign, fname, to_user):
    """PCG on sign*A (Hermitian positive definite) for all columns of B together.

    A(X) and M(X) act on (n, j) blocks; M approximates (sign*A)^{-1}.  Returns X solving A X = B.
    Raises _Indefinite on a wrong-sign curvature, LinAlgError on non-convergence."""
    n, k = B.shape
    dt = B.dtype
    X = np.zeros((n, k), dtype=dt)
    Bs = sign * B
    bnorm = _colnorm(B)
    done = bnorm == 0
    act = np.flatnonzero(~done)
    if act.size == 0:
        return X
    R = Bs[:, act].copy()
    Z = M(R) if M is not None else R.copy()
    P = Z.copy()
    rz = np.real(np.sum(np.conj(R) * Z, axis=0))
    it = 0
    while act.size:
        if it >= maxiter:
            # report the true residual reached (the recurrence's may be far below it)
            tr = _colnorm(Bs[:, act] - sign * A(X[:, act])) / bnorm[act]
            raise _nonconv_error(fname, "PCG", it, float(tr.max()), tol)
        Q = sign * A(P)
        pq = np.real(np.sum(np.conj(P) * Q, axis=0))
        if not np.all(np.isfinite(pq)):
            raise LinAlgError(f"{fname}: PCG broke down (non-finite values) after {it} iterations")
        # rz == 0: the recurrence residual of that column is exactly zero (it has no step to
        # take; the true residual decides below); otherwise a non-positive rz or curvature
        # shows that T or the preconditioner is not definite
        live = rz != 0
        if np.any(rz < 0) or np.any(live & (pq <= 0)):
            raise _Indefinite(it)
        alpha = np.where(live, rz / np.where(live, pq, 1.0), 0.0)
        X[:, act] += alpha * P
        R -= alpha * Q
        it += 1
        if callback is not None:
            callback(to_user(X))
        rn = _colnorm(R) / bnorm[act]
        small = rn <= tol
        if np.any(small):
            # confirm with the true residual
            idx = np.flatnonzero(small)
            cols = act[idx]
            Rt = Bs[:, cols] - sign * A(X[:, cols])
            tr = _colnorm(Rt) / bnorm[cols]
            ok = tr <= tol
            # converged columns leave; the others continue from their true residual
            bad = idx[~ok]
            if bad.size:
                R[:, bad] = Rt[:, ~ok]
                Zb = M(R[:, bad]) if M is not None else R[:, bad].copy()
                P[:, bad] = Zb
                rz[bad] = np.real(np.sum(np.conj(R[:, bad]) * Zb, axis=0))
            keep = np.ones(act.size, dtype=bool)
            keep[idx[ok]] = False
            if not np.all(keep):
                restarted = np.zeros(act.size, dtype=bool)
                restarted[bad] = True
                act, R, P, rz = act[keep], R[:, keep], P[:, keep], rz[keep]
                restarted = restarted[keep]
            else:
                restarted = np.zeros(act.size, dtype=bool)
                restarted[bad] = True
            if act.size == 0:
                break
        else:
            restarted = np.zeros(act.size, dtype=bool)
        Z = M(R) if M is not None else R.copy()
        rz_new = np.real(np.sum(np.conj(R) * Z, axis=0))
        beta = np.where(restarted, 0.0, rz_new / np.where(rz == 0, 1.0, rz))
        P = Z + beta * P
        rz = rz_new
    return X


def _givens(a, b):
    """c (real), s with [[c, s], [-conj(s), c]] @ [a, b] = [rho, 0]."""
    aa = abs(a)
    if aa == 0:
        return 0.0, 1.0
    d = math.hypot(aa, abs(b))
    return aa / d, (a / aa) * np.conj(b) / d


def _gmres1(A, M, b, tol, maxiter, callback, fname, it0, restart, emit):
    """Right-preconditioned restarted GMRES for one column b (n,).  Returns (x, iterations)."""
    n = b.shape[0]
    dt = b.dtype
    bnorm = float(np.linalg.norm(b))
    x = np.zeros(n, dtype=dt)
    if bnorm == 0:
        return x, 0
    Mf = (lambda v: M(v[:, None])[:, 0]) if M is not None else (lambda v: v)
    Af = lambda v: A(v[:, None])[:, 0]  # noqa: E731
    it = 0
    m = max(1, min(restart, n))
    r = b.copy()
    beta = bnorm
    res = 1.0
    while True:
        if res <= tol:
            return x, it
        if it >= maxiter:
            raise _nonconv_error(fname, "GMRES", it0 + it, res, tol)
        V = np.zeros((m + 1, n), dtype=dt)
        H = np.zeros((m + 1, m), dtype=dt)
        cs = np.zeros(m)
        sn = np.zeros(m, dtype=dt)
        g = np.zeros(m + 1, dtype=dt)
        g[0] = beta
        V[0] = r / beta
        j_used = 0
        for j in range(m):
            w = Af(Mf(V[j]))
            Vj = V[: j + 1]
            h = np.conj(Vj) @ w
            w = w - h @ Vj
            h2 = np.conj(Vj) @ w                      # reorthogonalise once (CGS2)
            w = w - h2 @ Vj
            h = h + h2
            hn = float(np.linalg.norm(w))
            H[: j + 1, j] = h
            H[j + 1, j] = hn
            for i in range(j):                        # previous rotations
                t1 = cs[i] * H[i, j] + sn[i] * H[i + 1, j]
                H[i + 1, j] = -np.conj(sn[i]) * H[i, j] + cs[i] * H[i + 1, j]
                H[i, j] = t1
            c_, s_ = _givens(H[j, j], H[j + 1, j])
            cs[j], sn[j] = c_, s_
            H[j, j] = c_ * H[j, j] + s_ * H[j + 1, j]
            H[j + 1, j] = 0
            g[j + 1] = -np.conj(s_) * g[j]
            g[j] = c_ * g[j]
            it += 1
            j_used = j + 1
            est = abs(g[j + 1]) / bnorm
            breakdown = hn <= 1e-14 * max(1.0, float(np.abs(h).max(initial=0.0)))
            if callback is not None:
                y = _backsolve(H, g, j_used)
                emit(x + Mf(y @ V[:j_used]))
            if est <= tol or breakdown or it >= maxiter:
                break
            V[j + 1] = w / hn
        y = _backsolve(H, g, j_used)
        x = x + Mf(y @ V[:j_used])
        r = b - Af(x)
        beta = float(np.linalg.norm(r))
        res = beta / bnorm
        if not math.isfinite(res):
            raise LinAlgError(f"{fname}: GMRES broke down (non-finite values) after "
                              f"{it0 + it} iterations")


def _backsolve(H, g, j):
    y = np.zeros(j, dtype=H.dtype)
    for i in range(j - 1, -1, -1):
        s = g[i] - H[i, i + 1:j] @ y[i + 1:j]
        d = H[i, i]
        y[i] = s / d if d != 0 else 0.0
    return y


def _gmres(A, M, B, tol, maxiter, callback, fname, to_user, restart=_GMRES_RESTART, it0=0):
    """GMRES on each column of B in turn, each with its own budget of maxiter - it0 iterations
    (it0: iterations already spent on the system, by a PCG attempt)."""
    n, k = B.shape
    X = np.zeros((n, k), dtype=B.dtype)
    for j in range(k):
        def emit(xj, j=j):
            Xc = X.copy()
            Xc[:, j] = xj
            callback(to_user(Xc))
        X[:, j], _ = _gmres1(A, M, B[:, j], tol, maxiter - it0, callback, fname, it0, restart,
                             emit)
    return X


# ------------------------------------------------------------------------------------------------
# Levinson
def _levinson(c, r, B, fname="solve_toeplitz"):
    """Solve toeplitz(c, r) X = B by the Levinson recursion (general nonsymmetric T), O(n^2).

    Forward/backward vectors f, g with T_k f = e_0, T_k g = e_{k-1}; raises LinAlgError when a
    leading principal minor is singular."""
    n, k = B.shape
    dt = _work_dtype(c.dtype, r.dtype, B.dtype)
    c = np.asarray(c, dtype=dt)
    r = np.asarray(r, dtype=dt)
    B = np.asarray(B, dtype=dt)
    t0 = c[0]
    if t0 == 0:
        raise LinAlgError(f"{fname}: Levinson breakdown: t0 = 0 (singular leading minor); "
                          "use method='gmres'")
    f = np.zeros(n, dtype=dt)
    g = np.zeros(n, dtype=dt)
    X = np.zeros((n, k), dtype=dt)
    f[0] = g[0] = 1.0 / t0
    X[0] = B[0] / t0
    for m in range(1, n):
        cm = c[m:0:-1]                 # c[m], ..., c[1]
        ef = cm @ f[:m]
        eg = r[1:m + 1] @ g[:m]
        den = 1.0 - ef * eg
        if den == 0 or not np.isfinite(den):
            raise LinAlgError(f"{fname}: Levinson breakdown at order {m} (singular leading "
                              "minor); use method='gmres'")
        fo = f[:m].copy()
        # f_new = ([f;0] - ef [0;g]) / den ; g_new = ([0;g] - eg [f;0]) / den
        f[m] = -ef * g[m - 1] / den
        f[1:m] = (fo[1:] - ef * g[:m - 1]) / den
        f[0] = fo[0] / den
        gnew_last = g[m - 1] / den
        g[1:m] = (g[:m - 1] - eg * fo[1:]) / den
        g[0] = -eg * fo[0] / den
        g[m] = gnew_last
        ex = cm @ X[:m]
        X[: m + 1] += np.outer(g[: m + 1], B[m] - ex)
    return X


# ------------------------------------------------------------------------------------------------
# public solvers
def _resolve_prec(preconditioner):
    if preconditioner is None or (isinstance(preconditioner, str)
                                  and preconditioner == "none"):
        return None
    if isinstance(preconditioner, str):
        if preconditioner not in _KINDS:
            raise ValueError("preconditioner must be one of 'strang', 'chan', None (or a "
                             f"LinearOperator), got {preconditioner!r}")
        return preconditioner
    if hasattr(preconditioner, "matmat") or hasattr(preconditioner, "matvec") \
            or callable(preconditioner):
        return preconditioner
    raise TypeError("preconditioner must be 'strang', 'chan', None or a LinearOperator, got "
                    f"{type(preconditioner).__name__}")


def _user_prec(M, sign, e):
    """The user's preconditioner M (a LinearOperator or a callable approximating the inverse of
    the unscaled system matrix) as a function of a block X, for a system scaled by 2**-e: its
    result times 2**e, and negated when PCG solves the negated system (sign < 0)."""
    if hasattr(M, "matmat"):
        def apply(X):
            return np.asarray(M.matmat(X))
    else:
        f = M.matvec if hasattr(M, "matvec") else M

        def apply(X):
            return np.column_stack([np.asarray(f(X[:, j])) for j in range(X.shape[1])])

    neg = sign is not None and sign < 0
    return lambda X: _ldexp(-apply(X) if neg else apply(X), e)


def _nan_result(B, vec, dt):
    X = np.full(B.shape, np.nan, dtype=dt)
    return X[:, 0] if vec else X


def solve_toeplitz(c_or_cr, b, *, method="auto", preconditioner="strang", tol=1e-10,
                   maxiter=None, callback=None):
    """Solve ``scipy.linalg.toeplitz(c, r) @ x = b`` (``c_or_cr`` = c or (c, r), as
    scipy.linalg.solve_toeplitz; r[0] is ignored, r=None means conj(c)); b of shape (n,) or (n, k).

    method:
      ``"pcg"``      preconditioned conjugate gradients for Hermitian definite T (positive or
                     negative definite: the sign of t0 is detected and ``-T x = -b`` solved);
      ``"gmres"``    restarted GMRES(50), right-preconditioned, for a general T;
      ``"levinson"`` the O(n^2) Levinson recursion (direct; LinAlgError if a leading principal
                     minor is singular, or if the result's relative residual exceeds tol: the
                     recursion is not stable for every T, so its result is always checked);
      ``"auto"``     Levinson for n <= 48 if its residual is within tol; otherwise (and for larger
                     n) PCG when T is Hermitian (c[0] real, r = conj(c)) with a nonzero
                     diagonal, else GMRES; if PCG finds T (or the preconditioner) indefinite it
                     switches to GMRES for the rest of maxiter.
    preconditioner: ``"strang"``, ``"chan"`` (see ``circulant_preconditioner``), None, or a
      LinearOperator approximating ``T^{-1}`` (negated internally when PCG solves ``-T x = -b``).
      A Strang circulant that is singular or not definite where T is replaced by T. Chan's; if
      that one fails too, no preconditioner is used.
    tol: relative residual ``||b - T x|| / ||b||`` per column, confirmed with the true residual.
      The iterations run on T and b scaled by powers of two, so the result does not depend on
      their magnitudes (a b of 1e-170 or 1e170 is solved like a b of 1).
    maxiter: iterations per right-hand side (None: 10*n; a PCG attempt that "auto" abandons
      counts against it).
    callback(xk): called once per iteration with the current iterate (shape of b).

    Raises LinAlgError (naming the iterations done and the residual reached) when the iterative
    method does not converge within maxiter, or when PCG meets an indefinite T with method="pcg".
    Products with T use ``ToeplitzOperator`` (spectrum computed once); everything O(n log n) runs
    on the radix-2 core of the active backend.  Non-finite c, r or b give NaN results.

    >>> import numpy as np, bttbfft
    >>> bttbfft.solve_toeplitz([4.0, 1.0, 0.0], [5.0, 6.0, 5.0]).round(10)
    array([1., 1., 1.])
    >>> c = 0.5 ** np.arange(200)                     # Hermitian positive definite: PCG
    >>> x = bttbfft.solve_toeplitz(c, np.ones(200), method="pcg")
    >>> np.allclose(bttbfft.toeplitz_matvec(c, c, x), 1.0)
    True
    """
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(repr(m) for m in _METHODS)}, "
                         f"got {method!r}")
    prec = _resolve_prec(preconditioner)
    _check_callback(callback)
    c, r = _cr(c_or_cr)
    n = c.size
    B, vec = _rhs(b, n)
    tol, maxiter = _check_tol(tol, maxiter, n)
    dt = _work_dtype(c.dtype, r.dtype, B.dtype)
    c = np.asarray(c, dtype=dt)
    r = np.asarray(r, dtype=dt).copy()
    r[0] = c[0]
    B = np.asarray(B, dtype=dt)
    if B.shape[1] == 0:
        return np.zeros((n, 0), dtype=dt)
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(r)) and np.all(np.isfinite(B))):
        return _nan_result(B, vec, dt)
    # work on T * 2**-et and each column of b times 2**-eb (exact): x = x_scaled * 2**(eb - et)
    et = int(_exponent(max(_maxabs(c), _maxabs(r))))
    eb = _exponent(_maxabs(B, axis=0))
    c, r, B = _ldexp(c, -et), _ldexp(r, -et), _ldexp(B, -eb)

    def result(X):
        X = _ldexp(X, eb - et)
        return X[:, 0] if vec else X

    def to_user(X):
        return result(X.copy())

    hermitian = _is_hermitian_cr(c, r)
    t0 = float(np.real(c[0]))
    requested = method
    from ._structured import ToeplitzOperator
    ops = []

    def A(X):
        if not ops:                 # made on first use (a Levinson result may need no product)
            ops.append(ToeplitzOperator(c, r))
        return ops[0].matmat(X)

    if method in ("auto", "levinson") and (method == "levinson" or n <= _LEVINSON_MAX_N):
        # the Levinson recursion is not stable for every T (a nearly singular leading minor
        # ruins it silently): its result is accepted only if the true relative residual of every
        # column is within tol, else "auto" goes on with an iterative method
        try:
            X = _levinson(c, r, B)
            bn = _colnorm(B)
            TX = scipy.linalg.toeplitz(c, r) @ X if n <= _DENSE_CHECK_MAX_N else A(X)
            res = float(np.max(_colnorm(B - TX) / np.where(bn > 0, bn, 1.0)))
        except LinAlgError:
            if method == "levinson":
                raise
            res = math.inf
        if res <= tol:
            if callback is not None:
                callback(to_user(X))
            return result(X)
        if method == "levinson":
            raise LinAlgError(f"solve_toeplitz: the Levinson recursion is unstable for this "
                              f"matrix: relative residual {res:.3e} reached (tol {tol:.3e}); use "
                              "method='gmres'")
    if method == "auto":
        method = "pcg" if hermitian and t0 != 0 else "gmres"
    if method == "pcg" and not (hermitian and t0 != 0):
        raise ValueError("method='pcg' needs a Hermitian definite Toeplitz matrix (c[0] real and "
                         "nonzero, r == conj(c)); use method='gmres'")

    def make_M(sign):
        if prec is None:
            return None
        if not isinstance(prec, str):
            return _user_prec(prec, sign, et)   # M approximates T^{-1}; T is scaled by 2**-et
        P = _make_circ_prec(c, r, prec, sign)
        if P is None and sign is not None:
            P = _make_circ_prec(c, r, "chan", None)
        if P is None:
            return None
        if sign is not None and sign < 0:
            return lambda X: -P.matmat(X)
        return P.matmat

    it0 = 0
    if method == "pcg":
        sign = 1.0 if t0 > 0 else -1.0
        try:
            return result(_pcg(A, make_M(sign), B, tol, maxiter, callback, sign,
                               "solve_toeplitz", to_user))
        except _Indefinite as exc:
            if requested == "pcg":
                raise LinAlgError("solve_toeplitz: PCG breakdown: T (or the preconditioner) is "
                                  "not definite (a search direction of wrong-sign curvature); "
                                  "use method='gmres'") from None
            it0 = exc.iterations     # GMRES goes on with what is left of maxiter
    return result(_gmres(A, make_M(None), B, tol, maxiter, callback, "solve_toeplitz", to_user,
                         it0=it0))


# ------------------------------------------------------------------------------------------------
# BTTB
def _fold_axis(t, M, kind, axis):
    """Per-axis circulant fold of a Toeplitz generator (length 2M-1 along axis, index d+M-1):
    Strang: c_k = t_{s(k)} (central diagonals, midpoint averaged); Chan:
    c_k = ((M-k) t_k + k t_{k-M}) / M.  Returns length M along axis."""
    k = np.arange(M)
    if kind == "chan":
        ia = k + M - 1                      # d = k
        ib = np.where(k > 0, k - M + M - 1, M - 1)   # d = k - M (unused weight 0 at k = 0)
        wa = (M - k) / M
        wb = k / M
    else:
        h = M // 2
        d = np.where(k <= h, k, k - M)
        ia = d + M - 1
        ib = np.where((M % 2 == 0) & (k == h) & (M > 1), (k - M) + M - 1, ia)
        wa = np.where(ib != ia, 0.5, 1.0)
        wb = np.where(ib != ia, 0.5, 0.0)
    shp = [1] * t.ndim
    shp[axis] = M
    return (np.take(t, ia, axis=axis) * wa.reshape(shp)
            + np.take(t, ib, axis=axis) * wb.reshape(shp))


class _BCCBInverse:
    """Apply ``C^{-1}`` for a BCCB matrix given its 2-D eigenvalues (fft2 of its generator)."""

    def __init__(self, eigs, real, grid):
        self.grid = grid
        self.eigenvalues = eigs
        self._inv = 1.0 / eigs
        self._inv_half = np.ascontiguousarray(self._inv[:, : grid[1] // 2 + 1])
        self._real = real

    def __call__(self, X):
        """X of shape (m*n, k) -> C^{-1} X."""
        fm = _fft_mod()
        m, n = self.grid
        k = X.shape[1]
        Y = np.moveaxis(X.reshape(m, n, k), 2, 0)
        if self._real and X.dtype.kind != "c":
            F = fm.rfft2(np.ascontiguousarray(Y, dtype=np.float64))
            F *= self._inv_half
            Z = fm.irfft2(F, s=(m, n))
        else:
            F = fm.fft2(np.ascontiguousarray(Y, dtype=np.complex128))
            F *= self._inv
            Z = fm.ifft2(F)
        return np.ascontiguousarray(np.moveaxis(Z, 0, 2).reshape(m * n, k))


def _bccb_eigs(t, m, n, kind):
    col = _fold_axis(_fold_axis(t, m, kind, 0), n, kind, 1)
    return _fft_mod().fft2(np.asarray(col, dtype=np.complex128))


def solve_bttb(t, b, *, preconditioner="chan", regularization=0.0, tol=1e-8, maxiter=None,
               callback=None):
    """Solve the BTTB system ``T x = b`` (``T = bttb_matrix(t)``, t of shape (2m-1, 2n-1)) with a
    level-2 circulant (BCCB) preconditioner.

    b: shape (m, n) (an image; the result has the same shape), (m*n,) or (m*n, k).
    preconditioner: ``"chan"`` (level-2 T. Chan: optimal in Frobenius norm on each level),
      ``"strang"`` (level-2 Strang), None, or a LinearOperator approximating the inverse of the
      system matrix.  Eigenvalues are ``bttbfft.fft2`` of the BCCB generator; ``C^{-1} x`` is
      ``irfft2(rfft2(x) / eig)`` on the radix-2 core.
    regularization: ``alpha >= 0``.  With ``alpha > 0`` the Tikhonov system
      ``(T^H T + alpha I) x = T^H b`` is solved by PCG with the preconditioner
      ``|eig|^2 + alpha``; tol then applies to that system's relative residual.
    Without regularization: PCG when T is Hermitian (``t == conj(t[::-1, ::-1])``) with a nonzero
    centre ``t[m-1, n-1]`` (its sign is detected; GMRES if PCG finds T indefinite), GMRES(50)
    otherwise.  tol, maxiter (None: 10*m*n), callback and errors as ``solve_toeplitz``.

    >>> import numpy as np, bttbfft
    >>> t = np.zeros((3, 3))
    >>> t[1, 1], t[0, 1], t[2, 1], t[1, 0], t[1, 2] = 4.0, -1.0, -1.0, -1.0, -1.0  # Laplacian
    >>> x = bttbfft.solve_bttb(t, np.ones((2, 2)))
    >>> x.round(8)
    array([[0.5, 0.5],
           [0.5, 0.5]])
    >>> np.allclose(bttbfft.bttb_matvec(t, x), 1.0)
    True
    """
    prec = _resolve_prec(preconditioner)
    _check_callback(callback)
    t = _asarray(t, "t")
    if t.ndim != 2 or t.shape[0] % 2 == 0 or t.shape[1] % 2 == 0:
        raise ValueError(f"t must be a 2-D array of shape (2m-1, 2n-1) (odd sizes), got {t.shape}")
    m, n = (t.shape[0] + 1) // 2, (t.shape[1] + 1) // 2
    N = m * n
    b = _asarray(b, "b")
    if b.shape == (m, n):
        B, shape_kind = b.reshape(N, 1), "grid"
    elif b.shape == (N,):
        B, shape_kind = b.reshape(N, 1), "vec"
    elif b.ndim == 2 and b.shape[0] == N:
        B, shape_kind = b, "mat"
    else:
        raise ValueError(f"b must have shape {(m, n)}, ({N},) or ({N}, k) (shape mismatch), "
                         f"got {b.shape}")
    try:
        alpha = float(regularization)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"regularization must be a real number, got {regularization!r}") from exc
    if not (alpha >= 0) or math.isinf(alpha):
        raise ValueError(f"regularization must be a finite number >= 0, got {regularization!r}")
    tol, maxiter = _check_tol(tol, maxiter, N)
    dt = _work_dtype(t.dtype, B.dtype)
    t = np.asarray(t, dtype=dt)
    B = np.asarray(B, dtype=dt)

    def shape_out(X, e=0):
        X = _ldexp(X, e) if np.any(e) else X
        if shape_kind == "grid":
            return X[:, 0].reshape(m, n)
        if shape_kind == "vec":
            return X[:, 0]
        return X

    if B.shape[1] == 0:
        return shape_out(np.zeros((N, 0), dtype=dt))
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(B))):
        return shape_out(np.full(B.shape, np.nan, dtype=dt))
    # work on t * 2**-et and each column of b times 2**-eb (exact; see _ldexp): the result is
    # x_scaled * 2**(eb - et), also with regularization (alpha scaled by 2**-2et; et then covers
    # sqrt(alpha) too, so the scaled system matrix has entries of order one)
    et = int(_exponent(max(_maxabs(t), math.sqrt(alpha))))
    eb = _exponent(_maxabs(B, axis=0))
    t, B, alpha = _ldexp(t, -et), _ldexp(B, -eb), math.ldexp(alpha, -2 * et)

    def to_user(X):
        return shape_out(X, eb - et).copy()

    from ._structured import BTTBOperator
    T = BTTBOperator(t)
    real = dt.kind != "c"

    def make_M(kind, transform, sign):
        """kind 'strang'/'chan' -> callable; transform maps eigenvalues; sign for definiteness."""
        eigs = transform(_bccb_eigs(t, m, n, kind))
        if sign is not None:
            eigs = eigs.real.astype(np.complex128)
            if _not_definite(eigs, sign):
                return None
        elif _singular(eigs):
            return None
        P = _BCCBInverse(eigs, real, (m, n))
        return (lambda X: -P(X)) if sign is not None and sign < 0 else P

    def choose_M(transform, sign):
        if prec is None:
            return None
        if not isinstance(prec, str):
            # M approximates the inverse of T (scaled by 2**-et) or of T^H T + alpha I
            # (scaled by 2**-2et)
            return _user_prec(prec, sign, 2 * et if alpha > 0 else et)
        for kind in ([prec, "chan"] if prec == "strang" else [prec]):
            M = make_M(kind, transform, sign)
            if M is not None:
                return M
        if sign is not None:
            return choose_M(transform, None)
        return None

    if alpha > 0:
        rhs = T.rmatmat(B)

        def A(X):
            return T.rmatmat(T.matmat(X)) + alpha * X

        M = choose_M(lambda e: np.abs(e) ** 2 + alpha, 1.0)
        X = _pcg(A, M, rhs, tol, maxiter, callback, 1.0, "solve_bttb", to_user)
        return shape_out(X, eb - et)

    def A(X):
        return T.matmat(X)

    c0 = t[m - 1, n - 1]
    hermitian = bool(np.array_equal(t, np.conj(t[::-1, ::-1]))) and np.real(c0) != 0
    it0 = 0
    if hermitian:
        sign = 1.0 if np.real(c0) > 0 else -1.0
        try:
            X = _pcg(A, choose_M(lambda e: e, sign), B, tol, maxiter, callback, sign,
                     "solve_bttb", to_user)
            return shape_out(X, eb - et)
        except _Indefinite as exc:
            it0 = exc.iterations     # GMRES goes on with what is left of maxiter
    X = _gmres(A, choose_M(lambda e: e, None), B, tol, maxiter, callback, "solve_bttb",
               to_user, it0=it0)
    return shape_out(X, eb - et)

"""solve_toeplitz, circulant_preconditioner, solve_circulant, solve_bttb (SPEC section 5).

Every test runs on both backends (autouse fixture in conftest.py).  References:
scipy.linalg.solve_toeplitz / solve_circulant and numpy.linalg.solve on dense matrices.
"""
import numpy as np
import pytest
import scipy.linalg as sl
from numpy.linalg import LinAlgError
from scipy.sparse.linalg import LinearOperator, cg

import bttbfft
from bttbfft import (
    bttb_matrix,
    circulant_preconditioner,
    solve_bttb,
    solve_circulant,
    solve_toeplitz,
)


# ------------------------------------------------------------------------------------------------
# test families: (c, r) with r None for Hermitian ones
def family(name, n):
    k = np.arange(n, dtype=float)
    if name == "p2":
        return (1.0 + k) ** -2.0, None
    if name == "p1":
        return (1.0 + k) ** -1.0, None
    if name == "p0.1":
        return (1.0 + k) ** -0.1, None
    if name == "kms0.5":
        return 0.5 ** k, None
    if name == "kms0.99":
        return 0.99 ** k, None
    if name == "negdiff":            # -tridiag(-1, 2, -1): symmetric negative definite
        c = np.zeros(n)
        c[0], c[1] = -2.0, 1.0
        return c, None
    if name == "nonsym":
        c = (1.0 + k) ** -1.5
        r = np.r_[1.0, 0.5 * (1.0 + k[1:]) ** -2.0]
        return c, r
    if name == "herm":               # complex Hermitian positive definite
        c = ((1.0 + k) ** -1.5) * np.exp(0.7j * k)
        c[0] = 2.5
        return c, None
    raise KeyError(name)


HERMITIAN = ["p2", "p1", "p0.1", "kms0.5", "kms0.99", "negdiff", "herm"]
ALL = HERMITIAN + ["nonsym"]


def dense(c, r):
    return sl.toeplitz(c, r)


def relres(c, r, x, b):
    T = dense(c, r)
    return np.linalg.norm(T @ x - b) / np.linalg.norm(b)


def cr_arg(c, r):
    return c if r is None else (c, r)


def rhs(n, k=None, complex_=False, seed=0):
    rng = np.random.default_rng(seed)
    shape = (n,) if k is None else (n, k)
    b = rng.standard_normal(shape)
    if complex_:
        b = b + 1j * rng.standard_normal(shape)
    return b


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("method", ["auto", "levinson", "gmres", "pcg"])
def test_families_against_scipy(name, method):
    if method == "pcg" and name not in HERMITIAN:
        pytest.skip("pcg needs a Hermitian T")
    n = 300
    c, r = family(name, n)
    b = rhs(n, complex_=(name == "herm"))
    ref = sl.solve_toeplitz(cr_arg(c, r), b)
    x = solve_toeplitz(cr_arg(c, r), b, method=method)
    assert x.shape == ref.shape
    rx = relres(c, r, x, b)
    assert rx <= 1e-10 * (100 if method == "levinson" else 1.0)
    # forward error bound: cond(T) * (residual of x + residual of the reference)
    cond = np.linalg.cond(dense(c, r))
    bound = 2 * cond * (rx + relres(c, r, ref, b)) + 1e-13
    assert np.linalg.norm(x - ref) <= bound * np.linalg.norm(ref)


@pytest.mark.parametrize("name", ["p1", "kms0.5", "nonsym", "herm"])
def test_small_auto_levinson_matches_numpy(name):
    n = 40
    c, r = family(name, n)
    b = rhs(n, 3, complex_=True)
    x = solve_toeplitz(cr_arg(c, r), b)
    ref = np.linalg.solve(dense(c, r), b)
    np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["p1", "kms0.99"])
def test_iteration_counts_preconditioned(name):
    n = 2000
    c, r = family(name, n)
    b = rhs(n)
    counts = {}
    for pre in ("strang", "chan", None):
        calls = []
        x = solve_toeplitz(c, b, method="pcg", preconditioner=pre,
                           callback=lambda xk: calls.append(1))
        assert relres(c, r, x, b) <= 1e-10
        counts[pre] = len(calls)
    assert counts["strang"] < 15 and counts["chan"] < 15, counts
    assert counts[None] > 3 * max(counts["strang"], counts["chan"]), counts


def test_negative_definite_and_strang_fallback():
    n = 500
    c, _ = family("negdiff", n)
    # Strang's circulant of the second difference is the periodic Laplacian: singular
    P = circulant_preconditioner(c, kind="strang")
    assert P.kind == "chan"
    assert np.all(P.eigenvalues.real < 0)
    b = rhs(n)
    x = solve_toeplitz(c, b, method="pcg", preconditioner="strang")
    assert relres(c, None, x, b) <= 1e-10
    np.testing.assert_allclose(x, np.linalg.solve(dense(c, None), b), rtol=1e-8, atol=1e-8)


def test_multiple_rhs_and_callback_shape():
    n = 400
    c, _ = family("p1", n)
    b = rhs(n, 3)
    b[:, 1] *= 1e-3
    seen = []
    x = solve_toeplitz(c, b, method="pcg", callback=lambda xk: seen.append(xk.shape))
    assert x.shape == (n, 3)
    assert seen and all(s == (n, 3) for s in seen)
    for j in range(3):
        assert relres(c, None, x[:, j], b[:, j]) <= 1e-10
    # gmres, several columns, complex data
    cn, rn = family("nonsym", n)
    bc = rhs(n, 2, complex_=True)
    xg = solve_toeplitz((cn, rn), bc, method="gmres")
    for j in range(2):
        assert relres(cn, rn, xg[:, j], bc[:, j]) <= 1e-10


def test_zero_rhs_column():
    n = 200
    c, _ = family("kms0.5", n)
    b = np.zeros((n, 2))
    b[:, 1] = 1.0
    for method in ("pcg", "gmres"):
        x = solve_toeplitz(c, b, method=method)
        assert np.all(x[:, 0] == 0)
        assert relres(c, None, x[:, 1], b[:, 1]) <= 1e-10


def test_callback_once_per_iteration_and_nonconvergence_message():
    n = 300
    c, _ = family("kms0.99", n)
    b = rhs(n)
    calls = []
    with pytest.raises(LinAlgError, match=r"3 iterations.*residual"):
        solve_toeplitz(c, b, method="pcg", preconditioner=None, maxiter=3,
                       callback=lambda xk: calls.append(xk.copy()))
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(LinAlgError, match=r"4 iterations.*residual"):
        solve_toeplitz(c, b, method="gmres", preconditioner=None, maxiter=4,
                       callback=lambda xk: calls.append(xk.copy()))
    assert len(calls) == 4
    # the callback iterates converge to the solution
    calls.clear()
    x = solve_toeplitz(c, b, method="gmres", callback=lambda xk: calls.append(xk.copy()))
    np.testing.assert_allclose(calls[-1], x, rtol=1e-8, atol=1e-10)


def test_true_residual_and_tolerance():
    n = 600
    c, _ = family("p0.1", n)
    b = rhs(n)
    for tol in (1e-4, 1e-8, 1e-12):
        x = solve_toeplitz(c, b, method="pcg", tol=tol)
        assert relres(c, None, x, b) <= tol


def test_indefinite_hermitian():
    n = 300
    k = np.arange(n)
    c = np.cos(0.3 * k) / (1.0 + k)          # symmetric, indefinite
    c[0] = 0.05
    T = dense(c, None)
    ev = np.linalg.eigvalsh(T)
    assert ev.min() < 0 < ev.max()
    b = rhs(n)
    x = solve_toeplitz(c, b)                 # auto: PCG breaks down -> GMRES
    assert relres(c, None, x, b) <= 1e-10
    with pytest.raises(LinAlgError, match="not definite"):
        solve_toeplitz(c, b, method="pcg")


def test_method_pcg_needs_hermitian():
    c, r = family("nonsym", 200)
    with pytest.raises(ValueError, match="Hermitian"):
        solve_toeplitz((c, r), rhs(200), method="pcg")


def test_user_linear_operator_preconditioner():
    n = 500
    c, _ = family("p1", n)
    M = circulant_preconditioner(c, kind="chan")
    calls = []
    x = solve_toeplitz(c, rhs(n), method="pcg", preconditioner=M,
                       callback=lambda xk: calls.append(1))
    assert relres(c, None, x, rhs(n)) <= 1e-10
    assert len(calls) < 15


def test_levinson_breakdown():
    c = np.array([0.0, 1.0, 2.0])
    r = np.array([0.0, 3.0, 1.0])
    with pytest.raises(LinAlgError):
        solve_toeplitz((c, r), np.ones(3), method="levinson")
    # auto falls back to GMRES for a non-strongly-regular matrix
    x = solve_toeplitz((c, r), np.ones(3))
    np.testing.assert_allclose(dense(c, r) @ x, np.ones(3), atol=1e-10)


def test_nan_propagates():
    c, _ = family("p1", 300)
    b = rhs(300)
    b[5] = np.nan
    x = solve_toeplitz(c, b)
    assert np.all(np.isnan(x))


@pytest.mark.parametrize("bad", [
    dict(method="cg"), dict(preconditioner="jacobi"), dict(tol=-1.0), dict(maxiter=-1)])
def test_bad_arguments(bad):
    c, _ = family("p1", 50)
    with pytest.raises(ValueError):
        solve_toeplitz(c, np.ones(50), **bad)


def test_bad_types_and_shapes():
    c, _ = family("p1", 50)
    with pytest.raises(TypeError):
        solve_toeplitz(np.array(["a"] * 50), np.ones(50))
    with pytest.raises(TypeError):
        solve_toeplitz(c, np.ones(50), callback=3)
    with pytest.raises(ValueError):
        solve_toeplitz(c, np.ones(49))
    with pytest.raises(ValueError):
        solve_toeplitz((c, c[:-1]), np.ones(50))
    with pytest.raises(ValueError):
        circulant_preconditioner(c, kind="optimal")
    with pytest.raises(ValueError):
        solve_toeplitz(np.array([]), np.array([]))


def test_inputs_not_modified():
    c, r = family("nonsym", 300)
    b = rhs(300, 2)
    copies = [a.copy() for a in (c, r, b)]
    solve_toeplitz((c, r), b)
    for a, a0 in zip((c, r, b), copies):
        np.testing.assert_array_equal(a, a0)


# ------------------------------------------------------------------------------------------------
# circulant preconditioners
def test_strang_and_chan_columns():
    n = 9
    c, r = family("nonsym", n)
    S = circulant_preconditioner((c, r)[0], r, kind="strang")
    assert S.kind == "strang"
    expect = np.r_[c[:5], r[4:0:-1]]
    np.testing.assert_allclose(S.column, expect)
    # Chan = Frobenius-optimal circulant: mean of each wrapped diagonal of T
    T = dense(c, r)
    i, j = np.indices((n, n))
    opt = np.array([T[(i - j) % n == k].mean() for k in range(n)])
    Ch = circulant_preconditioner(c, r, kind="chan")
    np.testing.assert_allclose(Ch.column, opt, rtol=1e-14)
    np.testing.assert_allclose(Ch.eigenvalues, np.fft.fft(opt), rtol=1e-12, atol=1e-12)
    # the operator applies C^{-1}
    x = rhs(n)
    np.testing.assert_allclose(sl.circulant(opt) @ Ch.matvec(x), x, atol=1e-12)
    X = rhs(n, 3)
    np.testing.assert_allclose(sl.circulant(opt) @ Ch.matmat(X), X, atol=1e-12)


def test_strang_even_midpoint_hermitian():
    n = 8
    c, _ = family("herm", n)
    S = circulant_preconditioner(c, kind="strang")
    C = sl.circulant(S.column)
    np.testing.assert_allclose(C, C.conj().T, atol=1e-15)
    assert np.all(S.eigenvalues.real > 0)


def test_preconditioner_works_with_scipy_cg():
    n = 1000
    c, _ = family("kms0.99", n)
    M = circulant_preconditioner(c, kind="strang")
    assert isinstance(M, LinearOperator)
    T = bttbfft.ToeplitzOperator(c)
    b = rhs(n)
    it = []
    x, info = cg(T, b, M=M, rtol=1e-10, callback=lambda xk: it.append(1))
    assert info == 0 and len(it) < 15
    assert relres(c, None, x, b) < 1e-9


# ------------------------------------------------------------------------------------------------
# solve_circulant
@pytest.mark.parametrize("n", [1, 7, 16, 100])
@pytest.mark.parametrize("cplx", [False, True])
def test_solve_circulant(n, cplx):
    rng = np.random.default_rng(n)
    c = rng.standard_normal(n) + (1j * rng.standard_normal(n) if cplx else 0)
    c[0] += 5
    for b in (rng.standard_normal(n), rng.standard_normal((n, 3))):
        x = solve_circulant(c, b)
        ref = sl.solve_circulant(c, b)
        assert x.dtype == ref.dtype
        np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-12)


def test_solve_circulant_singular():
    c = np.array([1.0, -1.0, 0.0, 0.0])        # row sums zero: singular
    with pytest.raises(LinAlgError):
        solve_circulant(c, np.ones(4))
    b = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(solve_circulant(c, b, singular="lstsq"),
                               sl.solve_circulant(c, b, singular="lstsq"), atol=1e-12)
    with pytest.raises(ValueError):
        solve_circulant(c, b, singular="ignore")
    with pytest.raises(ValueError):
        solve_circulant(c, np.ones(5))


# ------------------------------------------------------------------------------------------------
# solve_bttb
def _image(size):
    try:
        from skimage import data, transform
        img = data.camera().astype(float) / 255.0
        return transform.resize(img, (size, size), anti_aliasing=True)
    except ImportError:
        y, x = np.mgrid[0:size, 0:size] / size
        return (0.5 + 0.3 * np.sin(12 * x) * np.cos(9 * y) + 0.2 * (x + y > 1)).astype(float)


def gaussian_t(m, n, sigma):
    d1 = np.arange(-(m - 1), m)[:, None]
    d2 = np.arange(-(n - 1), n)[None, :]
    g = np.exp(-(d1 ** 2 + d2 ** 2) / (2 * sigma ** 2))
    g[np.abs(d1[:, 0]) > 4 * sigma, :] = 0
    g[:, np.abs(d2[0]) > 4 * sigma] = 0
    return g / g.sum()


def test_solve_bttb_deblur_real_image_tikhonov():
    m = n = 32
    img = _image(m)
    t = gaussian_t(m, n, 1.5)
    T = bttb_matrix(t)
    blurred = (T @ img.ravel()).reshape(m, n)
    blurred += 1e-3 * np.random.default_rng(1).standard_normal(blurred.shape)
    alpha = 1e-3
    ref = np.linalg.solve(T.T @ T + alpha * np.eye(m * n), T.T @ blurred.ravel()).reshape(m, n)
    counts = {}
    for pre in ("chan", "strang", None):
        calls = []
        x = solve_bttb(t, blurred, regularization=alpha, tol=1e-10, preconditioner=pre,
                       callback=lambda xk: calls.append(xk.shape))
        assert x.shape == (m, n)
        assert all(s == (m, n) for s in calls)
        np.testing.assert_allclose(x, ref, rtol=0, atol=1e-7 * np.abs(ref).max())
        counts[pre] = len(calls)
    assert counts["chan"] < counts[None] and counts["strang"] < counts[None], counts
    # restoration is closer to the image than the blurred data
    assert np.linalg.norm(x - img) < np.linalg.norm(blurred - img)


def test_solve_bttb_spd_and_nonsymmetric():
    m, n = 12, 10
    d1 = np.arange(-(m - 1), m)[:, None]
    d2 = np.arange(-(n - 1), n)[None, :]
    t = 0.6 ** np.abs(d1) * 0.4 ** np.abs(d2)         # separable KMS: SPD
    T = bttb_matrix(t)
    b = np.random.default_rng(2).standard_normal((m, n))
    x = solve_bttb(t, b, tol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve(T, b.ravel()).reshape(m, n), atol=1e-8)
    # negative definite
    x = solve_bttb(-t, b, preconditioner="strang", tol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve(-T, b.ravel()).reshape(m, n), atol=1e-8)
    # nonsymmetric -> GMRES; vector and multi-column right-hand sides
    tn = t * (1.0 + 0.5 * (d1 > 0)) + 0.01 * (d2 == 1)
    Tn = bttb_matrix(tn)
    bv = b.ravel()
    xv = solve_bttb(tn, bv)
    assert xv.shape == (m * n,)
    assert np.linalg.norm(Tn @ xv - bv) <= 1e-8 * np.linalg.norm(bv)
    B = np.random.default_rng(3).standard_normal((m * n, 2))
    X = solve_bttb(tn, B, tol=1e-12)
    np.testing.assert_allclose(X, np.linalg.solve(Tn, B), atol=1e-8)


def test_solve_bttb_errors():
    t = np.ones((5, 5))
    with pytest.raises(ValueError):
        solve_bttb(np.ones((4, 5)), np.ones((2, 3)))
    with pytest.raises(ValueError):
        solve_bttb(t, np.ones((4, 4)))
    with pytest.raises(ValueError):
        solve_bttb(t, np.ones((3, 3)), regularization=-1.0)
    with pytest.raises(ValueError):
        solve_bttb(t, np.ones((3, 3)), preconditioner="bogus")
    with pytest.raises(LinAlgError, match="iterations"):
        solve_bttb(gaussian_t(16, 16, 2.0), np.ones((16, 16)), regularization=1e-8,
                   preconditioner=None, maxiter=2)


# ------------------------------------------------------------------------------------------------
# regressions found in review (session 14): each fails on the code before its fix
def _relres(T, x, b):
    return np.linalg.norm(T @ x - b) / np.linalg.norm(b)


def test_levinson_result_is_checked():
    # well-conditioned (cond 12) but with a nearly singular leading minor: the Levinson recursion
    # alone returns garbage (relative residual 1e65); "auto" must notice and solve it anyway
    c = np.array([1.0, 1, 1, 1, 1, 1, 1, 2, 2])
    r = np.array([1.0, 1 + 2e-8, 2, -2, -2, -2, -1, 0, 2])
    b = np.arange(1.0, 10.0)
    T = sl.toeplitz(c, r)
    assert np.linalg.cond(T) < 100
    x = solve_toeplitz((c, r), b)
    assert _relres(T, x, b) <= 1e-10
    np.testing.assert_allclose(x, np.linalg.solve(T, b), rtol=1e-8, atol=1e-8)
    with pytest.raises(LinAlgError, match="Levinson recursion is unstable"):
        solve_toeplitz((c, r), b, method="levinson")


def test_negative_definite_with_user_preconditioner():
    n = 100
    c = -np.exp(-0.3 * np.arange(n))
    c[0] -= 1.0
    T = sl.toeplitz(c)
    M = circulant_preconditioner(c)        # approximates T^{-1} (negative definite)
    for method in ("auto", "pcg"):
        x = solve_toeplitz(c, np.ones(n), method=method, preconditioner=M)
        assert _relres(T, x, np.ones(n)) <= 1e-10


def test_gmres_maxiter_is_per_right_hand_side():
    rng = np.random.default_rng(5)
    n = 64
    c = rng.standard_normal(n) / np.arange(1, n + 1)
    r = rng.standard_normal(n) / np.arange(1, n + 1)
    c[0] = r[0] = 2.0
    B = rng.standard_normal((n, 22))
    X = solve_toeplitz((c, r), B, preconditioner=None, method="gmres")
    T = sl.toeplitz(c, r)
    for j in range(B.shape[1]):
        assert _relres(T, X[:, j], B[:, j]) <= 1e-10


@pytest.mark.parametrize("scale", [1e-170, 1e-310, 1e170])
@pytest.mark.parametrize("method", ["pcg", "gmres", "levinson"])
def test_solution_scales_with_b(scale, method):
    n = 100
    c = np.r_[4.0, 1.0, np.zeros(n - 2)]
    x1 = solve_toeplitz(c, np.ones(n), method=method)
    np.testing.assert_allclose(x1, np.linalg.solve(sl.toeplitz(c), np.ones(n)), rtol=1e-9)
    xs = solve_toeplitz(c, np.full(n, scale), method=method)
    np.testing.assert_allclose(xs / scale, x1, rtol=1e-12 if scale > 1e-300 else 1e-9)


@pytest.mark.parametrize("tscale", [1e-200, 1e150])
def test_solution_scales_with_t(tscale):
    n = 100
    c = np.r_[4.0, 1.0, np.zeros(n - 2)]
    x1 = solve_toeplitz(c, np.ones(n))
    np.testing.assert_allclose(x1, np.linalg.solve(sl.toeplitz(c), np.ones(n)), rtol=1e-9)
    np.testing.assert_allclose(solve_toeplitz(c * tscale, np.ones(n)) * tscale, x1, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-170, 1e170])
@pytest.mark.parametrize("alpha", [0.0, 1e-3])
def test_solve_bttb_scales_with_b(scale, alpha):
    t = np.zeros((5, 5))
    t[2, 2], t[1, 2], t[3, 2], t[2, 1], t[2, 3] = 4.0, -1.0, -1.0, -1.0, -1.0
    b = np.random.default_rng(1).random((3, 3))
    x1 = solve_bttb(t, b, regularization=alpha, tol=1e-12)
    xs = solve_bttb(t, b * scale, regularization=alpha, tol=1e-12)
    np.testing.assert_allclose(xs / scale, x1, rtol=1e-10)
    T = bttb_matrix(t)
    A = T.T @ T + alpha * np.eye(9)
    np.testing.assert_allclose(x1.ravel(), np.linalg.solve(A, T.T @ b.ravel()), rtol=1e-9)


def test_tol_zero_runs_to_maxiter_and_reports_the_true_residual():
    c = np.exp(-0.3 * np.arange(100))
    c[0] += 1.0
    calls = []
    for method in ("pcg", "auto"):
        calls.clear()
        # (the recurrence residual reaches exact zero long before maxiter = 10 n: not a sign of
        # indefiniteness, and the true residual is what the error reports)
        with pytest.raises(LinAlgError, match="did not converge: 1000 iterations") as info:
            solve_toeplitz(c, np.ones(100), method=method, tol=0.0,
                           callback=lambda xk: calls.append(1))
        assert len(calls) == 1000
        res = float(str(info.value).split("relative residual ")[1].split()[0])
        assert 0 < res < 1e-12          # the true residual, not the recurrence's


def test_pcg_fallback_to_gmres_keeps_the_maxiter_budget():
    # Hermitian indefinite: "auto" starts with PCG, finds the wrong-sign curvature and switches
    n = 64
    c = np.zeros(n)
    c[0], c[1] = 0.5, 1.0
    calls = []
    with pytest.raises(LinAlgError, match="did not converge: 5 iterations"):
        solve_toeplitz(c, np.ones(n), tol=0.0, maxiter=5, preconditioner=None,
                       callback=lambda xk: calls.append(1))
    assert len(calls) <= 5


@pytest.mark.parametrize("dc, db, expect", [
    (np.float32, np.float32, np.float32), (np.complex64, np.float32, np.complex64),
    (np.float32, np.float64, np.float64), (np.int32, np.int32, np.float64),
    (np.float64, np.complex128, np.complex128)])
def test_solve_circulant_dtype_as_scipy(dc, db, expect):
    c = np.array([4, 1, 1], dtype=dc)
    b = np.array([6, 6, 6], dtype=db)
    x = solve_circulant(c, b)
    ref = sl.solve_circulant(c, b)
    assert x.dtype == expect == ref.dtype
    np.testing.assert_allclose(x, ref, rtol=1e-6)


def test_solve_circulant_no_columns():
    x = solve_circulant(np.array([4.0, 1.0, 1.0]), np.ones((3, 0)))
    assert x.shape == (3, 0) == sl.solve_circulant(np.array([4.0, 1.0, 1.0]),
                                                   np.ones((3, 0))).shape


def test_strang_not_definite_replaced_by_chan():
    # T is symmetric positive definite (smallest eigenvalue 0.1) but its Strang circulant has a
    # negative eigenvalue: SPEC section 5 replaces it by T. Chan's, and PCG then converges
    c = np.array([7.73, -2.325, -0.219, -1.246, -0.732, -0.544, -0.316, 0.412, 1.043])
    T = sl.toeplitz(c)
    assert np.linalg.eigvalsh(T).min() > 0
    strang = np.fft.fft(np.r_[c[:5], c[4:0:-1]]).real      # Strang's column for n = 9
    assert strang.min() < 0
    M = circulant_preconditioner(c, kind="strang")
    assert M.kind == "chan" and M.eigenvalues.real.min() > 0
    b = np.ones(c.size)
    x = solve_toeplitz(c, b, method="pcg", preconditioner="strang")
    assert _relres(T, x, b) <= 1e-10


_SC_DT = [np.bool_, np.int8, np.int32, np.float16, np.float32, np.float64, np.complex64,
          np.complex128]


@pytest.mark.parametrize("cdt", _SC_DT)
@pytest.mark.parametrize("bdt", _SC_DT)
def test_solve_circulant_dtype_table_vs_scipy(cdt, bdt):
    # scipy transforms c and b apart (single precision stays single), then promotes the two
    c = np.array([5, 1, 0, 1]).astype(cdt) if cdt is not np.bool_ else np.array([1, 1, 0, 0], bool)
    b = np.array([1, 2, 0, 1]).astype(bdt)
    try:
        ref = sl.solve_circulant(c, b)
    except (LinAlgError, ValueError):
        with pytest.raises((LinAlgError, ValueError)):
            bttbfft.solve_circulant(c, b)
        return
    x = bttbfft.solve_circulant(c, b)
    assert x.dtype == ref.dtype, (cdt, bdt, x.dtype, ref.dtype)
    tol = 1e-5 if x.dtype.itemsize <= 8 else 1e-12
    np.testing.assert_allclose(x, ref, rtol=tol, atol=tol * np.abs(ref).max())

"""Circulant/Toeplitz/BTTB products, convolution matrices and LinearOperators (bttbfft._structured).

References: scipy.linalg.toeplitz / circulant / convolution_matrix dense products,
scipy.signal.convolve2d, and explicit loops.  Every test runs on both backends.
"""
import itertools

import numpy as np
import pytest

import bttbfft

linalg = pytest.importorskip("scipy.linalg")
signal = pytest.importorskip("scipy.signal")
sparse = pytest.importorskip("scipy.sparse")
from scipy.sparse.linalg import LinearOperator  # noqa: E402

MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]


def _cx(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _close(ours, ref, tag="", tol=1e-10):
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    assert ours.shape == ref.shape, (tag, ours.shape, ref.shape)
    scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
    err = float(np.max(np.abs(ours - ref))) if ref.size else 0.0
    assert err <= tol * scale, (tag, err / scale)


def _adjoint_identity(op, rng, complex_=True):
    m, n = op.shape
    x = _cx(rng, n) if complex_ else rng.standard_normal(n)
    y = _cx(rng, m) if complex_ else rng.standard_normal(m)
    lhs = np.vdot(y, op.matvec(x))
    rhs = np.vdot(op.rmatvec(y), x)
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (lhs, rhs)
    X = _cx(rng, n, 3)
    Y = _cx(rng, m, 3)
    lhs = np.einsum("ik,ik->k", Y.conj(), op.matmat(X))
    rhs = np.einsum("ik,ik->k", op.rmatmat(Y).conj(), X)
    assert np.allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


TOEP_SHAPES = [(1, 1), (5, 5), (7, 3), (3, 9), (64, 64), (100, 37), (33, 257)]


@pytest.mark.parametrize("complex_", [False, True])
def test_toeplitz(complex_):
    rng = np.random.default_rng(30)
    for m, n in TOEP_SHAPES:
        c = _cx(rng, m) if complex_ else rng.standard_normal(m)
        r = _cx(rng, n) if complex_ else rng.standard_normal(n)
        T = linalg.toeplitz(c, r)
        x = rng.standard_normal(n)
        X = _cx(rng, n, 3)
        c0, r0, x0 = c.copy(), r.copy(), x.copy()
        _close(bttbfft.toeplitz_matvec(c, r, x), T @ x, (m, n))
        _close(bttbfft.toeplitz_matvec(c, r, X), T @ X, (m, n))
        np.testing.assert_array_equal(c, c0)
        np.testing.assert_array_equal(r, r0)
        np.testing.assert_array_equal(x, x0)
        op = bttbfft.ToeplitzOperator(c, r)
        assert isinstance(op, LinearOperator) and op.shape == (m, n)
        _close(op @ x, T @ x)
        _close(op.matmat(X), T @ X)
        _close(op.toarray(), T)
        y = _cx(rng, m)
        _close(op.rmatvec(y), T.conj().T @ y)
        _close(op.H @ y, T.conj().T @ y)
        Y = _cx(rng, m, 2)
        _close(op.rmatmat(Y), T.conj().T @ Y)
        _adjoint_identity(op, rng)
        # r=None: conj(c), as scipy.linalg.toeplitz
        xm = _cx(rng, m)
        _close(bttbfft.toeplitz_matvec(c, None, xm), linalg.toeplitz(c) @ xm)
        _close(bttbfft.ToeplitzOperator(c) @ xm, linalg.toeplitz(c) @ xm)


def test_operator_dtypes():
    assert bttbfft.ToeplitzOperator(np.arange(4), np.arange(3)).dtype == np.float64
    assert bttbfft.ToeplitzOperator(np.ones(4, np.float32)).dtype == np.float32
    assert bttbfft.ToeplitzOperator(np.ones(4, complex)).dtype == np.complex128
    assert bttbfft.BTTBOperator(np.ones((3, 5))).dtype == np.float64
    assert bttbfft.ConvolutionOperator(np.ones((3, 3), np.complex64), (5, 5)).dtype == np.complex64
    op = bttbfft.ToeplitzOperator(np.ones(4, np.float32))
    assert (op @ np.ones(4, np.float32)).dtype == np.float32


@pytest.mark.parametrize("complex_", [False, True])
def test_circulant(complex_):
    rng = np.random.default_rng(31)
    for n in [1, 2, 5, 8, 31, 64, 100]:
        c = _cx(rng, n) if complex_ else rng.standard_normal(n)
        C = linalg.circulant(c)
        x = rng.standard_normal(n)
        X = _cx(rng, n, 4)
        _close(bttbfft.circulant_matvec(c, x), C @ x, n)
        _close(bttbfft.circulant_matvec(c, X), C @ X, n)


def _bttb_loop(t, x):
    m, n = x.shape
    y = np.zeros((m, n), dtype=np.result_type(t, x))
    for i1, i2, j1, j2 in itertools.product(range(m), range(n), range(m), range(n)):
        y[i1, i2] += t[i1 - j1 + m - 1, i2 - j2 + n - 1] * x[j1, j2]
    return y


@pytest.mark.parametrize("complex_", [False, True])
def test_bttb(complex_):
    rng = np.random.default_rng(32)
    for m, n in [(1, 1), (1, 4), (3, 1), (3, 4), (6, 5)]:
        t = _cx(rng, 2 * m - 1, 2 * n - 1) if complex_ else rng.standard_normal((2 * m - 1,
                                                                                  2 * n - 1))
        x = rng.standard_normal((m, n))
        ref = _bttb_loop(t, x)
        B = bttbfft.bttb_matrix(t)
        assert B.shape == (m * n, m * n)
        _close(B @ x.ravel(), ref.ravel())
        _close(bttbfft.bttb_matvec(t, x), ref)
        op = bttbfft.BTTBOperator(t)
        _close(op @ x.ravel(), ref.ravel())
        _close(op.toarray(), B)
        y = _cx(rng, m * n)
        _close(op.rmatvec(y), B.conj().T @ y)
        _adjoint_identity(op, rng)
    # larger: matvec vs the dense matrix
    m, n = 20, 24
    t = _cx(rng, 2 * m - 1, 2 * n - 1)
    x = _cx(rng, m, n)
    _close(bttbfft.bttb_matvec(t, x), (bttbfft.bttb_matrix(t) @ x.ravel()).reshape(m, n))


CM_SHAPES = [((1, 1), (1, 1)), ((1, 6), (1, 3)), ((5, 1), (2, 1)), ((4, 7), (3, 3)),
             ((6, 6), (2, 4)), ((4, 5), (7, 6)), ((3, 8), (2, 9)), ((9, 8), (4, 5))]


@pytest.mark.parametrize("mode", MODES)
def test_convolution_matrix_2d(mode):
    rng = np.random.default_rng(33)
    for (ms, ks), bnd in itertools.product(CM_SHAPES, BOUNDARIES):
        k = rng.standard_normal(ks)
        x = rng.standard_normal(ms)
        try:
            ref = signal.convolve2d(x, k, mode, bnd).ravel()
        except ValueError:
            with pytest.raises(ValueError):
                bttbfft.convolution_matrix(k, ms, mode, bnd)
            continue
        A = bttbfft.convolution_matrix(k, ms, mode, bnd)
        _close(A @ x.ravel(), ref, (ms, ks, mode, bnd))
        S = bttbfft.convolution_matrix(k, ms, mode, bnd, sparse=True)
        assert sparse.issparse(S) and S.format == "csr"
        _close(S @ x.ravel(), ref, (ms, ks, mode, bnd, "sparse"))
        _close(S.toarray(), A)


def test_convolution_matrix_1d_matches_scipy_linalg():
    for k in [[1.0, 2.0, 3.0], [1.0, -2.0], [1, 2, 3, 4, 5, 6, 7], [2.0]]:
        k = np.asarray(k)
        for n in [1, 2, 3, 5, 8]:
            for mode in MODES:
                ref = linalg.convolution_matrix(k, n, mode)
                A = bttbfft.convolution_matrix(k, n, mode)
                assert A.dtype == ref.dtype and A.shape == ref.shape
                np.testing.assert_array_equal(A, ref)
                np.testing.assert_array_equal(
                    bttbfft.convolution_matrix(k, n, mode, sparse=True).toarray(), ref)


@pytest.mark.parametrize("bnd", BOUNDARIES)
def test_convolution_operator(bnd):
    rng = np.random.default_rng(34)
    for (ms, ks), mode in itertools.product(CM_SHAPES, MODES):
        for kern in [rng.standard_normal(ks), _cx(rng, *ks)]:
            x = rng.standard_normal(ms)
            try:
                ref = signal.convolve2d(x, kern, mode, bnd).ravel()
            except ValueError:
                continue
            op = bttbfft.ConvolutionOperator(kern, ms, mode, bnd)
            _close(op @ x.ravel(), ref, (ms, ks, mode, bnd))
            A = bttbfft.convolution_matrix(kern, ms, mode, bnd)
            _close(op.toarray(), A)
            y = _cx(rng, op.shape[0])
            _close(op.rmatvec(y), A.conj().T @ y, (ms, ks, mode, bnd, "adjoint"))
            _adjoint_identity(op, rng)


def test_convolution_operator_default_and_big():
    rng = np.random.default_rng(35)
    x = rng.standard_normal((150, 130))
    k = rng.standard_normal((9, 9))
    op = bttbfft.ConvolutionOperator(k, x.shape)
    _close(op @ x.ravel(), signal.convolve2d(x, k, "same").ravel())
    _adjoint_identity(op, rng, complex_=False)


BAD = [
    (bttbfft.toeplitz_matvec, (np.ones(3), np.ones(4), np.ones(3)), ValueError, "shape"),
    (bttbfft.toeplitz_matvec, (np.ones(3), None, np.ones((3, 2, 2))), ValueError, "shape"),
    (bttbfft.toeplitz_matvec, (np.array([]), None, np.ones(0)), ValueError, "zero-size"),
    (bttbfft.toeplitz_matvec, (np.ones(3, object), None, np.ones(3)), TypeError, "dtype"),
    (bttbfft.circulant_matvec, (np.ones(3), np.ones(4)), ValueError, "shape"),
    (bttbfft.circulant_matvec, ("abc", np.ones(3)), TypeError, "c"),
    (bttbfft.bttb_matvec, (np.ones((4, 5)), np.ones((2, 3))), ValueError, "2m-1"),
    (bttbfft.bttb_matvec, (np.ones((3, 5)), np.ones((2, 2))), ValueError, "shape"),
    (bttbfft.bttb_matrix, (np.ones(5),), ValueError, "2m-1"),
    (bttbfft.BTTBOperator, (None,), TypeError, "t"),
    (bttbfft.convolution_matrix, (np.ones((2, 2)), (3, 3), "bogus"), ValueError, "mode"),
    (bttbfft.convolution_matrix, (np.ones((2, 2)), (3, 3), "same", "reflect"), ValueError,
     "boundary"),
    (bttbfft.convolution_matrix, (np.ones((2, 3)), (3, 2), "valid"), ValueError, "valid"),
    (bttbfft.convolution_matrix, (np.ones(3), 0), ValueError, "positive"),
    (bttbfft.convolution_matrix, (np.ones((2, 2)), (3, 0)), ValueError, "positive"),
    (bttbfft.convolution_matrix, (np.ones((2, 2), "U1"), (3, 3)), TypeError, "dtype"),
    (bttbfft.ConvolutionOperator, (np.ones((2, 2)), (3, 3), "bogus"), ValueError, "mode"),
    (bttbfft.ConvolutionOperator, (np.ones(3), (3, 3)), ValueError, "2-D"),
    (bttbfft.ToeplitzOperator, (np.zeros(0),), ValueError, "zero-size"),
]


@pytest.mark.parametrize("fn,args,exc,frag", BAD, ids=[f"{b[0].__name__}-{i}"
                                                       for i, b in enumerate(BAD)])
def test_bad_input(fn, args, exc, frag):
    with pytest.raises(exc, match=frag):
        fn(*args)


def test_operator_matvec_shape_mismatch():
    op = bttbfft.ToeplitzOperator(np.ones(4), np.ones(3))
    with pytest.raises(ValueError):
        op.matvec(np.ones(4))


# ------------------------------------------------------------------------------------------------
# regressions found in review (session 14)
def test_caller_arrays_stay_writeable_and_unchanged():
    rng = np.random.default_rng(3)
    t = rng.random((3, 5))
    k = rng.random((3, 3))
    c = rng.random(6)
    calls = [
        (lambda: bttbfft.bttb_matvec(t, np.ones((2, 3))), t),
        (lambda: bttbfft.BTTBOperator(t).matvec(np.ones(6)), t),
        (lambda: bttbfft.solve_bttb(t + 10 * (np.arange(15).reshape(3, 5) == 7), np.ones((2, 3))),
         None),
        (lambda: bttbfft.ConvolutionOperator(k, (4, 4)).matvec(np.ones(16)), k),
        (lambda: bttbfft.convolution_matrix(k, (4, 4)), k),
        (lambda: bttbfft.ToeplitzOperator(c).matvec(np.ones(6)), c),
        (lambda: bttbfft.toeplitz_matvec(c, c, np.ones(6)), c),
        (lambda: bttbfft.circulant_matvec(c, np.ones(6)), c),
    ]
    for f, arr in calls:
        if arr is None:
            f()
            continue
        before = arr.copy()
        f()
        assert arr.flags.writeable
        np.testing.assert_array_equal(arr, before)
        arr[0] = arr[0]                      # still assignable


def test_convolution_operator_no_columns():
    for mode in ("same", "full", "valid"):
        A = bttbfft.ConvolutionOperator(np.ones((3, 3)), (4, 4), mode=mode)
        assert A.matmat(np.ones((A.shape[1], 0))).shape == (A.shape[0], 0)
        assert A.rmatmat(np.ones((A.shape[0], 0))).shape == (A.shape[1], 0)


@pytest.mark.parametrize("call", [
    lambda: bttbfft.ConvolutionOperator(np.ones((2, 2)), (3.7, 2.2)),
    lambda: bttbfft.convolution_matrix(np.ones((2, 2)), (3.0, 3)),
    lambda: bttbfft.convolution_matrix(np.ones(2), 3.5)])
def test_non_integer_shapes_raise_type_error(call):
    with pytest.raises(TypeError, match="shape must be"):
        call()


def test_integer_like_shapes_accepted():
    assert bttbfft.convolution_matrix(np.ones(2), np.int64(3)).shape == (4, 3)
    assert bttbfft.ConvolutionOperator(np.ones((2, 2)), (np.int32(3), 2)).shape == (6, 6)


def test_bool_2d_kernel_refused_by_convolution_matrix():
    with pytest.raises(ValueError, match="bool"):
        bttbfft.convolution_matrix(np.ones((2, 2), bool), (3, 3), boundary="wrap")


# dtypes of the product forms: c (or t) and x promoted together, as numpy promotes the dense
# product, then integers and bool computed in float64 and float16 in float32 (module docstring)
_DT = [np.bool_, np.int8, np.int16, np.int32, np.float16, np.float32, np.float64, np.complex64,
       np.complex128]


def _expected_dtype(dense_product):
    dt = dense_product.dtype
    if dt.kind in "biu":
        return np.dtype(np.float64)
    return np.dtype(np.float32) if dt == np.float16 else dt


def _typed(rng, shape, dt):
    v = rng.integers(1, 4, size=shape)
    if np.dtype(dt).kind == "c":
        v = v + 1j * rng.integers(0, 3, size=shape)
    return np.asarray(v).astype(dt)


@pytest.mark.parametrize("cdt,xdt", list(itertools.product(_DT, _DT)))
def test_product_dtypes_follow_numpy_promotion(cdt, xdt):
    # the dtype from the dense product in the given dtypes; the values from it in complex128
    # (numpy's bool @ bool is a logical product, the matrix's is the sum)
    rng = np.random.default_rng(7)
    c, r, x = _typed(rng, 5, cdt), _typed(rng, 4, cdt), _typed(rng, 4, xdt)
    xc, t, xi = _typed(rng, 5, xdt), _typed(rng, (3, 5), cdt), _typed(rng, (2, 3), xdt)
    z = np.complex128
    cases = [
        (bttbfft.toeplitz_matvec(c, r, x), linalg.toeplitz(c, r) @ x,
         linalg.toeplitz(c.astype(z), r.astype(z)) @ x.astype(z)),
        (bttbfft.circulant_matvec(c, xc), linalg.circulant(c) @ xc,
         linalg.circulant(c.astype(z)) @ xc.astype(z)),
        (bttbfft.bttb_matvec(t, xi), bttbfft.bttb_matrix(t) @ xi.ravel(),
         (bttbfft.bttb_matrix(t.astype(z)) @ xi.ravel().astype(z)).reshape(2, 3)),
    ]
    for y, dense, ref in cases:
        assert y.dtype == _expected_dtype(dense), (cdt, xdt, y.dtype, dense.dtype)
        _close(y, ref, (cdt, xdt), tol=1e-3 if y.dtype.itemsize <= 8 else 1e-10)


def test_batched_generators_refused():
    # scipy >= 1.17 reads a 2-D c as a batch of vectors; flattening it would be another matrix
    c = np.array([[4.0, 1.0, 0.0], [5.0, 1.0, 1.0]])
    for call in (lambda: bttbfft.toeplitz_matvec(c, None, np.ones(6)),
                 lambda: bttbfft.toeplitz_matvec(c[0], c, np.ones(6)),
                 lambda: bttbfft.circulant_matvec(c, np.ones(6)),
                 lambda: bttbfft.ToeplitzOperator(c),
                 lambda: bttbfft.solve_toeplitz(c, np.ones(6)),
                 lambda: bttbfft.solve_toeplitz((c[0], c), np.ones(3)),
                 lambda: bttbfft.solve_circulant(c, np.ones(6)),
                 lambda: bttbfft.circulant_preconditioner(c)):
        with pytest.raises(ValueError, match="must be 1-D"):
            call()
    # a 0-d generator is a 1 x 1 matrix, as in scipy
    _close(bttbfft.toeplitz_matvec(np.float64(3.0), None, [2.0]), linalg.toeplitz(3.0) @ [2.0])


def test_convolution_matrix_sparse_float16():
    # scipy.sparse has no float16: the sparse matrix is float32 (as float16 is computed
    # everywhere), with the dense matrix's values
    for kernel, shape in ((np.array([1, 2, 3], np.float16), 5),
                          (np.arange(1, 5, dtype=np.float16).reshape(2, 2), (3, 4))):
        S = bttbfft.convolution_matrix(kernel, shape, sparse=True)
        D = bttbfft.convolution_matrix(kernel, shape)
        assert S.dtype == np.float32
        np.testing.assert_array_equal(S.toarray(), D.astype(np.float32))

"""Hostile and edge input across the public API: one table, every row checked on both backends.

Each row builds fresh arguments, calls one public function and asserts the exact outcome: either
the result (checked against numpy / scipy or a known value) or the exception type and a fragment of
its message (SPEC.md section 7).  After the call, every array and list the caller passed is
compared with a copy taken before the call: nothing may change unless the row says the function
documents the modification (``fft_inplace``, ``bit_reverse``, ``out=``).
"""
import copy
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
from numpy.lib.stride_tricks import as_strided
from numpy.linalg import LinAlgError

import bttbfft

RNG = np.random.default_rng(20261122)
X8 = RNG.standard_normal(8)
Z8 = RNG.standard_normal(8) + 1j * RNG.standard_normal(8)
IMG = RNG.standard_normal((9, 7))
KER = RNG.standard_normal((3, 4))


def huge_view(n, dtype=np.float64):
    """A read-only length-n array of zeros that occupies one element of memory."""
    return as_strided(np.zeros(1, dtype), shape=(n,), strides=(0,), writeable=False)


def close(ref, rtol=1e-12, atol=0.0):
    def check(res, args):
        ref_v = ref(*args) if callable(ref) else ref
        assert isinstance(res, np.ndarray)
        assert res.shape == np.shape(ref_v)
        np.testing.assert_allclose(res, ref_v, rtol=rtol, atol=atol)
    return check


def same_finite_mask(ref):
    """NaN/inf propagate as numpy.fft: the same entries are non-finite, the others agree."""
    def check(res, args):
        ref_v = ref(*args)
        assert res.shape == ref_v.shape
        np.testing.assert_array_equal(np.isfinite(res), np.isfinite(ref_v))
        fin = np.isfinite(ref_v)
        np.testing.assert_allclose(res[fin], ref_v[fin], rtol=1e-12, atol=1e-300)
    return check


def dtype_and(dtype, inner):
    def check(res, args):
        assert res.dtype == np.dtype(dtype), res.dtype
        inner(res, args)
    return check


def exact_or_nonfinite(res, args):
    """Near-overflow input: every finite output is accurate (vs a long-double DFT), every output
    numpy.fft makes non-finite is non-finite too: never a silent wrong answer."""
    x = np.asarray(args[0], dtype=np.longdouble)
    n = x.size
    k = np.arange(n)
    w = np.exp(2j * np.pi * np.outer(k, k).astype(np.longdouble) / n)   # inverse sign
    exact = (w @ x) / n
    fin = np.isfinite(res)
    assert not fin[~np.isfinite(np.fft.ifft(args[0]))].any()
    scale = float(np.max(np.abs(exact)))
    assert np.all(np.abs(res[fin] - exact[fin]) <= 1e-14 * scale)


class Row:
    def __init__(self, id, func, make_args, expect, kwargs=None, mutates=False,
                 returns_arg=None):
        self.id = id
        self.func = func
        self.make_args = make_args
        self.kwargs = kwargs or {}
        self.expect = expect          # callable(res, args) or (ExcType, "message fragment")
        self.mutates = mutates
        self.returns_arg = returns_arg   # the result must be this positional argument (identity)


def _nan4():
    return (np.array([1.0, np.nan, 3.0, 4.0]),)


def _overlap_out():
    buf = np.arange(9, dtype=np.complex128) + 1j
    return buf[0:8], buf[1:9]


def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


ROWS = [
    # ---------------- sizes -------------------------------------------------------------
    Row("fft-empty", bttbfft.fft, lambda: (np.zeros(0),),
        (ValueError, "Invalid number of FFT data points (0)")),
    Row("fft-n1", bttbfft.fft, lambda: (np.array([5.0]),), close(np.array([5.0 + 0j]))),
    Row("fft-pad-to-n1", bttbfft.fft, lambda: (X8,), close(lambda a: np.fft.fft(a, 1)),
        {"n": 1}),
    Row("fft-n0", bttbfft.fft, lambda: (X8,), (ValueError, "n must be >= 1"), {"n": 0}),
    Row("fft-n-negative", bttbfft.fft, lambda: (X8,),
        (ValueError, "Invalid number of FFT data points (-3)"), {"n": -3}),
    Row("fft-n-float", bttbfft.fft, lambda: (X8,), (TypeError, "n must be an integer"),
        {"n": 2.5}),
    Row("fft-n-str", bttbfft.fft, lambda: (X8,), (TypeError, "n must be an integer"),
        {"n": "8"}),
    Row("fft-n-bool", bttbfft.fft, lambda: (X8,), (TypeError, "bool"), {"n": True}),
    Row("fft-n-2^62-bytes-overflow", bttbfft.fft, lambda: (X8,), (ValueError, "too big"),
        {"n": 2 ** 62}),
    Row("fft-n-2^64-overflows-intp", bttbfft.fft, lambda: (X8,),
        (ValueError, "Maximum allowed dimension exceeded"), {"n": 2 ** 64}),
    Row("rfft-n-2^61", bttbfft.rfft, lambda: (X8,), (ValueError, "too big"), {"n": 2 ** 61}),
    Row("irfft-n-2^63-1", bttbfft.irfft, lambda: (Z8,), (ValueError, "too big"),
        {"n": 2 ** 63 - 1}),
    Row("fft-unallocatable-16TiB", bttbfft.fft, lambda: (huge_view(2 ** 40),),
        (MemoryError, "Unable to allocate")),
    Row("convolve-unallocatable", bttbfft.convolve, lambda: (huge_view(2 ** 40), [1.0, 2.0]),
        (MemoryError, "Unable to allocate")),
    Row("irfft-len1-default-n0", bttbfft.irfft, lambda: (np.array([1.0 + 0j]),),
        (ValueError, "Invalid number of FFT data points (0)")),
    Row("fft2-s-axes-mismatch", bttbfft.fft2, lambda: (IMG,),
        (ValueError, "Shape and axes have different lengths"), {"s": (4, 4, 4)}),
    Row("fft-axis-out-of-range", bttbfft.fft, lambda: (X8,), (ValueError, "axis 1 is out of bounds"),
        {"axis": 1}),
    Row("fft-0d", bttbfft.fft, lambda: (np.array(3.0),), (ValueError, "at least one dimension")),
    Row("fft-workers-0", bttbfft.fft, lambda: (X8,), (ValueError, "workers must be None"),
        {"workers": 0}),
    Row("next_pow2-0", bttbfft.next_pow2, lambda: (0,), (ValueError, "n must be an integer >= 1")),
    Row("next_pow2-float", bttbfft.next_pow2, lambda: (2.5,), (TypeError, "n must be an integer")),
    Row("next_pow2-huge", bttbfft.next_pow2, lambda: (2 ** 100 + 1,),
        lambda res, args: res == 2 ** 101),
    Row("bit_reverse_indices-6", bttbfft.bit_reverse_indices, lambda: (6,),
        (ValueError, "power of two")),
    # ---------------- values ------------------------------------------------------------
    Row("fft-nan", bttbfft.fft, _nan4, same_finite_mask(np.fft.fft)),
    Row("fft-inf", bttbfft.fft, lambda: (np.array([np.inf, 0.0, 0.0, 0.0]),),
        same_finite_mask(np.fft.fft)),
    Row("fft-inf-bluestein", bttbfft.fft, lambda: (np.array([np.inf, 0.0, 0.0]),),
        same_finite_mask(np.fft.fft)),
    Row("rfft-nan", bttbfft.rfft, lambda: (np.array([0.0, 1.0, np.nan, 2.0, 3.0, 4.0]),),
        lambda res, args: (np.testing.assert_array_equal(np.isfinite(res), False))),
    Row("fft-denormal", bttbfft.fft, lambda: (np.full(8, 5e-324),),
        close(np.fft.fft, rtol=0, atol=1e-323)),
    Row("fft-1e-308", bttbfft.fft, lambda: (RNG.standard_normal(16) * 1e-308,),
        close(np.fft.fft, rtol=1e-10, atol=1e-320)),
    Row("fft-near-1e308-pow2", bttbfft.fft, lambda: (np.full(4, 4e307),),
        close(np.fft.fft, rtol=1e-14, atol=1e293)),
    Row("fft-near-1e308-bluestein", bttbfft.fft, lambda: (np.full(3, 5e307),),
        close(np.fft.fft, rtol=1e-14, atol=1e294)),
    Row("ifft-near-1e308", bttbfft.ifft, lambda: (np.array([1.7e308, -1.7e308, 1.7e308]),),
        exact_or_nonfinite),
    Row("rfft-overflow-to-inf", bttbfft.rfft, lambda: (np.full(4, 1e308),),
        same_finite_mask(np.fft.rfft)),
    Row("fft-float32-wide-range", bttbfft.fft,
        lambda: (np.array([3e38, 1e-38, -3e38, 1e-45], dtype=np.float32),),
        dtype_and(np.complex64, same_finite_mask(
            lambda a: np.fft.fft(a.astype(np.float64)).astype(np.complex64)))),
    # ---------------- dtypes and layouts ------------------------------------------------
    Row("fft-big-endian-f8", bttbfft.fft, lambda: (X8.astype(">f8"),),
        dtype_and(np.complex128, close(np.fft.fft))),
    Row("fft-big-endian-c16", bttbfft.fft, lambda: (Z8.astype(">c16"),),
        dtype_and(np.complex128, close(np.fft.fft))),
    Row("convolve2d-big-endian", bttbfft.convolve2d,
        lambda: (IMG.astype(">f8"), KER.astype(">f4")), close(scipy.signal.convolve2d, rtol=1e-6)),
    Row("fft-noncontiguous", bttbfft.fft, lambda: (np.arange(32.0).reshape(4, 8)[::2, ::3],),
        close(np.fft.fft)),
    Row("fft-negative-stride", bttbfft.fft, lambda: (Z8[::-1],), close(np.fft.fft)),
    Row("fft2-negative-strides", bttbfft.fft2, lambda: (IMG[::-2, ::-1],), close(np.fft.fft2)),
    Row("fft_inplace-negative-stride", bttbfft.fft_inplace, lambda: (Z8.copy()[::-1],),
        close(np.fft.fft), mutates=True, returns_arg=0),
    Row("fft-out-is-input", bttbfft.fft, lambda: (Z8.copy(),), close(np.fft.fft),
        {"out": "ARG0"}, mutates=True, returns_arg=0),
    Row("fft-out-overlaps-input", bttbfft.fft, _overlap_out, close(lambda a, o: np.fft.fft(a)),
        {"out": "ARG1"}, mutates=True, returns_arg=1),
    Row("fft-readonly-input", bttbfft.fft, lambda: (_readonly(Z8),), close(np.fft.fft)),
    Row("fft-readonly-overwrite_x", bttbfft.fft, lambda: (_readonly(Z8),), close(np.fft.fft),
        {"overwrite_x": True}),
    Row("fft-out-readonly", bttbfft.fft, lambda: (Z8, _readonly(np.zeros(8, complex))),
        (ValueError, "read-only"), {"out": "ARG1"}),
    Row("fft-out-wrong-dtype", bttbfft.fft, lambda: (Z8, np.zeros(8, np.float64)),
        (TypeError, "cannot cast"), {"out": "ARG1"}),
    Row("fft-out-wrong-shape", bttbfft.fft, lambda: (Z8, np.zeros(9, complex)),
        (ValueError, "wrong shape"), {"out": "ARG1"}),
    Row("fft_inplace-readonly", bttbfft.fft_inplace, lambda: (_readonly(Z8),),
        (ValueError, "read-only")),
    Row("fft_inplace-real", bttbfft.fft_inplace, lambda: (X8.copy(),),
        (TypeError, "complex64 or complex128")),
    Row("fft_inplace-not-pow2", bttbfft.fft_inplace, lambda: (np.zeros(6, complex),),
        (ValueError, "power of two")),
    Row("fft_inplace-list", bttbfft.fft_inplace, lambda: ([1j, 2j],), (TypeError, "ndarray")),
    Row("bit_reverse-readonly", bttbfft.bit_reverse, lambda: (_readonly(np.arange(8)),),
        (ValueError, "read-only")),
    Row("fft-object-dtype", bttbfft.fft, lambda: (np.array([1, 2], dtype=object),),
        (TypeError, "unsupported dtype object")),
    Row("fft-str-dtype", bttbfft.fft, lambda: (np.array(["a", "b"]),),
        (TypeError, "unsupported dtype <U1")),
    Row("fft-datetime", bttbfft.fft, lambda: (np.arange(4).astype("datetime64[s]"),),
        (TypeError, "unsupported dtype datetime64[s]")),
    Row("fft-timedelta", bttbfft.fft, lambda: (np.arange(4).astype("timedelta64[s]"),),
        (TypeError, "unsupported dtype timedelta64[s]")),
    Row("fft-longdouble", bttbfft.fft, lambda: (np.ones(4, np.longdouble),),
        (TypeError, "unsupported dtype float128")),
    Row("fft-clongdouble", bttbfft.fft, lambda: (np.ones(4, np.clongdouble),),
        (TypeError, "unsupported dtype complex256")),
    Row("fft-float16", bttbfft.fft, lambda: (np.arange(8, dtype=np.float16),),
        dtype_and(np.complex64, close(lambda a: np.fft.fft(a.astype(np.float64)), rtol=1e-5))),
    Row("fft-bool", bttbfft.fft, lambda: (np.array([True, False, True, True]),),
        dtype_and(np.complex128, close(np.fft.fft))),
    Row("rfft-complex", bttbfft.rfft, lambda: (Z8,), (TypeError, "input must be real")),
    Row("fft-None", bttbfft.fft, lambda: (None,), (TypeError, "array-like of numbers")),
    Row("fft-str", bttbfft.fft, lambda: ("abcd",), (TypeError, "array-like of numbers")),
    Row("fft-ragged-list", bttbfft.fft, lambda: ([[1, 2], [3]],),
        (TypeError, "array-like of numbers")),
    Row("fft-dict", bttbfft.fft, lambda: ({1: 2},), (TypeError, "array-like of numbers")),
    Row("fft-list", bttbfft.fft, lambda: ([1, 2, 3],), close(lambda a: np.fft.fft(a))),
    Row("fft-bad-norm", bttbfft.fft, lambda: (X8,), (ValueError, "norm must be one of"),
        {"norm": "orth"}),
    Row("fft-norm-int", bttbfft.fft, lambda: (X8,), (ValueError, "norm must be one of"),
        {"norm": 1}),
    # ---------------- convolution -------------------------------------------------------
    Row("convolve-bad-mode", bttbfft.convolve, lambda: (X8, X8), (ValueError, "mode must be one of"),
        {"mode": "bogus"}),
    Row("convolve-bad-method", bttbfft.convolve, lambda: (X8, X8),
        (ValueError, "method must be one of"), {"method": "fast"}),
    Row("convolve2d-bad-boundary", bttbfft.convolve2d, lambda: (IMG, KER),
        (ValueError, "boundary must be one of"), {"boundary": "mirror"}),
    Row("convolve2d-1d", bttbfft.convolve2d, lambda: (X8, X8), (ValueError, "2-D")),
    Row("convolve2d-valid-mismatch", bttbfft.convolve2d,
        lambda: (np.ones((3, 5)), np.ones((5, 3))), (ValueError, "'valid' mode"),
        {"mode": "valid"}),
    Row("convolve-ndim-mismatch", bttbfft.convolve, lambda: (IMG, X8),
        (ValueError, "same dimensionality")),
    Row("convolve-empty", bttbfft.convolve, lambda: (np.zeros(0), X8),
        (ValueError, "must be non-empty")),
    Row("fftconvolve-datetime", bttbfft.fftconvolve,
        lambda: (np.arange(4).astype("datetime64[D]"), X8), (TypeError, "unsupported dtype")),
    Row("convolve-object", bttbfft.convolve, lambda: (np.array([1, 2], dtype=object), X8),
        (TypeError, "unsupported dtype")),
    Row("convolve-None", bttbfft.convolve, lambda: (None, X8), (TypeError, "array-like")),
    Row("correlate2d-fillvalue-str", bttbfft.correlate2d, lambda: (IMG, KER),
        (TypeError, "fillvalue must be a number"), {"fillvalue": "x"}),
    Row("convolve2d-fillvalue-vector", bttbfft.convolve2d, lambda: (IMG, KER),
        (ValueError, "fillvalue"), {"fillvalue": [1.0, 2.0]}),
    Row("convolve2d-fillvalue-out-of-uint8-range", bttbfft.convolve2d,
        lambda: (np.ones((3, 3), np.uint8), np.ones((2, 2), np.uint8)),
        (ValueError, "could not cast `fillvalue`"), {"fillvalue": -2}),
    Row("convolve2d-nan-image", bttbfft.convolve2d,
        lambda: (np.where(np.arange(63).reshape(9, 7) == 30, np.nan, IMG), KER),
        lambda res, args: (res.shape == (11, 10) and np.isnan(res).any()) or pytest.fail("")),
    # mixed integer/bool and inf/NaN: method choice used to raise OverflowError / ValueError
    Row("convolve-bool-with-inf-auto", bttbfft.convolve,
        lambda: (np.array([[False, True]]), np.array([[np.inf]], np.float16)),
        lambda res, args: np.testing.assert_array_equal(res, np.array([[np.nan, np.inf]],
                                                                      np.float16))),
    Row("convolve-int-with-nan-auto", bttbfft.convolve,
        lambda: (np.arange(6).reshape(2, 3), np.array([[np.nan, 1.0]])),
        lambda res, args: (res.shape == (2, 4) and np.isnan(res).any()) or pytest.fail("")),
    Row("convolve2d-inf-kernel-direct", bttbfft.convolve, lambda: (IMG, np.array([[np.inf]])),
        lambda res, args: np.testing.assert_array_equal(res, IMG * np.inf), {"method": "direct"}),
    Row("convolve2d-near-1e308", bttbfft.convolve2d,
        lambda: (np.full((4, 4), 1e300), np.full((2, 2), 1e7)),
        close(scipy.signal.convolve2d, rtol=1e-12)),
    Row("convolve2d-wrap-noncontiguous", bttbfft.convolve2d,
        lambda: (IMG.T[::-1], KER[:, ::2]), close(lambda a, b: scipy.signal.convolve2d(
            a, b, "same", "wrap")), {"mode": "same", "boundary": "wrap"}),
    # subnormal kernels: the FFT path used to fold 1/(N1*N2) into the kernel spectrum, which
    # flushed a float32 kernel of 3e-42 to zero (found by fuzz/fuzz_conv.c)
    Row("convolve-subnormal-f32-kernel-fft", bttbfft.convolve,
        lambda: (np.full((20, 30), 5.36e7, np.float32), np.full((3, 3), 3.14e-42, np.float32)),
        close(lambda a, k: scipy.signal.convolve(a.astype(np.float64), k.astype(np.float64),
                                                 method="direct"), rtol=1e-3),
        {"method": "fft"}),
    Row("convolve-tiny-f64-kernel-fft", bttbfft.fftconvolve,
        lambda: (RNG.standard_normal((40, 33)), RNG.standard_normal((5, 4)) * 1e-300),
        close(lambda a, k: scipy.signal.convolve(a, k, method="direct"), rtol=1e-9)),
    Row("convolve-readonly", bttbfft.convolve, lambda: (_readonly(X8), _readonly(X8[:3])),
        close(np.convolve)),
    Row("choose_conv_method-bad-mode", bttbfft.choose_conv_method, lambda: (X8, X8),
        (ValueError, "mode must be one of"), {"mode": "nope"}),
    # ---------------- structured matrices, solvers, CNN ---------------------------------
    Row("toeplitz_matvec-mismatch", bttbfft.toeplitz_matvec, lambda: (X8, X8, np.ones(5)),
        (ValueError, "shape mismatch")),
    Row("circulant_matvec-mismatch", bttbfft.circulant_matvec, lambda: (X8, np.ones(7)),
        (ValueError, "shape mismatch")),
    Row("circulant_matvec-ok", bttbfft.circulant_matvec, lambda: (X8, Z8[::-1]),
        close(lambda c, x: scipy.linalg.circulant(c) @ x)),
    Row("bttb_matvec-even-t", bttbfft.bttb_matvec, lambda: (np.ones((4, 5)), np.ones((2, 3))),
        (ValueError, "(2m-1, 2n-1)")),
    Row("bttb_matvec-x-mismatch", bttbfft.bttb_matvec, lambda: (np.ones((3, 5)), np.ones((3, 3))),
        (ValueError, "shape mismatch")),
    Row("ConvolutionOperator-bad-boundary", bttbfft.ConvolutionOperator,
        lambda: (KER, (5, 5)), (ValueError, "boundary must be one of"), {"boundary": "zero"}),
    Row("convolution_matrix-bad-mode", bttbfft.convolution_matrix, lambda: (KER, (5, 5)),
        (ValueError, "mode must be one of"), {"mode": "middle"}),
    Row("solve_toeplitz-bad-method", bttbfft.solve_toeplitz, lambda: (np.array([4.0, 1.0]), X8[:2]),
        (ValueError, "method must be one of"), {"method": "cholesky"}),
    Row("solve_toeplitz-bad-preconditioner", bttbfft.solve_toeplitz,
        lambda: (np.array([4.0, 1.0, 0.5]), X8[:3]), (ValueError, "preconditioner must be one of"),
        {"preconditioner": "jacobi", "method": "pcg"}),
    Row("solve_toeplitz-nan-tol", bttbfft.solve_toeplitz, lambda: (np.array([4.0, 1.0]), X8[:2]),
        (ValueError, "tol must be a finite number"), {"tol": float("nan")}),
    Row("circulant_preconditioner-bad-kind", bttbfft.circulant_preconditioner,
        lambda: (np.array([4.0, 1.0, 0.5]),), (ValueError, "kind must be one of"),
        {"kind": "tyrtyshnikov"}),
    Row("solve_circulant-singular", bttbfft.solve_circulant,
        lambda: (np.array([1.0, 1.0, 1.0, 1.0]), X8[:4]), (LinAlgError, "Singular")),
    Row("solve_bttb-shape-mismatch", bttbfft.solve_bttb, lambda: (np.ones((3, 3)), np.ones(5)),
        (ValueError, "shape mismatch")),
    Row("conv2d-bad-padding-mode", bttbfft.conv2d,
        lambda: (np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3))), (ValueError, "padding_mode"),
        {"padding_mode": "mirror"}),
    Row("conv2d-int-dtype", bttbfft.conv2d,
        lambda: (np.ones((1, 1, 5, 5), int), np.ones((1, 1, 3, 3))), (TypeError, "float32 or float64")),
]


def _ids():
    ids = [r.id for r in ROWS]
    assert len(set(ids)) == len(ids), "duplicate row ids"
    return ids


def test_table_size():
    assert len(ROWS) >= 40


def _snapshot(obj):
    if isinstance(obj, np.ndarray):
        if obj.size > 10 ** 7:   # the zero-stride huge views: read-only, nothing to compare
            assert not obj.flags.writeable
            return None
        return obj.copy()
    if isinstance(obj, (list, dict)):
        return copy.deepcopy(obj)
    return None


def _unchanged(before, after):
    if isinstance(before, np.ndarray):
        assert after.shape == before.shape and after.dtype == before.dtype
        np.testing.assert_array_equal(after, before)  # NaN == NaN here
    elif before is not None:
        assert after == before


@pytest.mark.parametrize("row", ROWS, ids=_ids())
def test_hostile(row):
    args = row.make_args()
    kwargs = dict(row.kwargs)
    positional = list(range(len(args)))
    for key, val in kwargs.items():   # out= referring to one of the made arguments
        if isinstance(val, str) and val.startswith("ARG"):
            kwargs[key] = args[int(val[3:])]
            if int(val[3:]) > 0:
                positional.remove(int(val[3:]))
    call_args = [args[i] for i in positional]
    if kwargs.get("out") is not None and not row.mutates:
        args_for_snapshot = args[:1]  # out= is written by design when the call succeeds
    else:
        args_for_snapshot = args
    snaps = [_snapshot(a) for a in args_for_snapshot]
    ref_args = tuple(a.copy() if isinstance(a, np.ndarray) and a.size <= 10 ** 7 else a
                     for a in args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # overflow/invalid in the references
        if isinstance(row.expect, tuple):
            exc_type, fragment = row.expect
            with pytest.raises(exc_type) as info:
                row.func(*call_args, **kwargs)
            assert fragment in str(info.value), f"message {str(info.value)!r} lacks {fragment!r}"
        else:
            res = row.func(*call_args, **kwargs)
            if row.returns_arg is not None:
                assert res is args[row.returns_arg]
            out = row.expect(res, ref_args)
            assert out is not False
    if not row.mutates:
        for before, after in zip(snaps, args_for_snapshot):
            _unchanged(before, after)

"""Fuzzing the Python API (hypothesis): arbitrary arrays, dtypes, shapes, strides and arguments.

The only outcomes allowed are a correct result (checked against numpy.fft / scipy.signal) or one
of the documented exceptions of SPEC.md section 7 (TypeError, ValueError -- AxisError is one --,
MemoryError), whose message is not empty.  Anything else (another exception type, a crash, a wrong
result, a modified input) fails.  Runs on both backends; example counts follow the
HYPOTHESIS_PROFILE of test_properties.py ("bttbfft" by default).
"""
import os
import warnings

import numpy as np
import pytest
import scipy.signal
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import bttbfft

_N = {"bttbfft": 60, "bttbfft-long": 1000}.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 60)
fuzz_settings = settings(max_examples=_N, deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow,
                                                HealthCheck.data_too_large])

DOCUMENTED = (TypeError, ValueError, MemoryError)
SUPPORTED = {np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                                   np.uint16, np.uint32, np.uint64, np.float16, np.float32,
                                   np.float64, np.complex64, np.complex128)}
ALL_DTYPES = sorted(SUPPORTED, key=str) + [np.dtype(t) for t in (
    object, "U3", "S2", "datetime64[s]", "timedelta64[ms]", np.longdouble, np.clongdouble)] + [
    np.dtype(">f8"), np.dtype(">c16"), np.dtype(">i4"), np.dtype("<f4")]


@st.composite
def arrays(draw, max_dims=3, max_side=9):
    dtype = draw(st.sampled_from(ALL_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side))
    if dtype.kind in "fc":
        elements = st.floats(-1e6, 1e6, allow_nan=False, width=32) if draw(st.booleans()) \
            else None
    else:
        elements = None
    if dtype.kind == "O":
        base = np.empty(shape, dtype=object)
        base[...] = 1.5
    else:
        base = draw(hnp.arrays(dtype, shape, elements=elements) if elements is not None else
                    hnp.arrays(dtype, shape))
    # views: reversed / strided axes and transposes
    if base.ndim and draw(st.booleans()):
        ax = draw(st.integers(0, base.ndim - 1))
        step = draw(st.sampled_from([-1, 2, -2]))
        idx = [slice(None)] * base.ndim
        idx[ax] = slice(None, None, step)
        base = base[tuple(idx)]
    if base.ndim > 1 and draw(st.booleans()):
        base = base.T
    if draw(st.booleans()) and base.size:
        base.flags.writeable = False
    return base


def numeric_ok(a):
    return a.dtype in SUPPORTED or (a.dtype.kind in "biufc" and a.dtype.newbyteorder("=") in
                                    SUPPORTED)


def _ref_dtype(a):
    return a.astype(a.dtype.newbyteorder("=")) if a.dtype.kind in "biufc" else a


def call_checked(func, a, ref, **kw):
    """Run func(a, **kw): a documented exception, or a result equal to ref(a, **kw)."""
    before = a.copy() if a.dtype.kind != "O" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = func(a, **kw)
        except DOCUMENTED as exc:
            assert str(exc), f"{type(exc).__name__} without a message"
            outcome = ("raise", type(exc))
        else:
            outcome = ("ok", res)
        if before is not None:
            np.testing.assert_array_equal(a, before)   # the caller's array is unchanged
        if outcome[0] == "raise":
            # the reference accepted this input: a refusal is allowed only for what SPEC
            # refuses (an unsupported dtype), an empty array (SPEC section 7), or a bool axis or
            # n (refused on purpose; numpy takes True as 1, see bttbfft._fft)
            assert (not numeric_ok(a) or a.size == 0
                    or any(isinstance(v, (bool, np.bool_)) for v in kw.values())), \
                f"{getattr(func, '__name__', func)} refused valid input {a.dtype} {a.shape} {kw}"
            return None
        res = outcome[1]
        # a success is only allowed for supported input, and must match the reference
        assert numeric_ok(a), f"unsupported dtype {a.dtype} accepted"
        with np.errstate(all="ignore"):
            expected = ref(_ref_dtype(a).astype(np.complex128 if a.dtype.kind == "c" else
                                                np.float64), **kw)
        compare(res, expected, [a])
        return res


def compare(res, expected, a_list, rel=None):
    """Value check when every input is finite and far from overflow; otherwise (NaN, inf, values
    near 1e308, whose intermediate sums overflow differently in every FFT) only the shape.
    rel (relative to the largest magnitude): 1e-12 for double-precision results (the arrays here
    are short), 2e-5 for single precision."""
    assert res.shape == expected.shape
    res = np.asarray(res)
    if rel is None:
        rel = 1e-12 if res.dtype.kind in "fc" and res.real.dtype == np.float64 else 2e-5
    limit = 1e-3 * float(np.finfo(res.real.dtype).max) if res.dtype.kind in "fc" else 1e290
    for a in a_list:
        if a.dtype.kind in "fc":
            with np.errstate(all="ignore"):
                big = np.abs(a.astype(np.complex128)).sum() if a.size else 0.0
            if not np.isfinite(big) or big > min(limit, 1e290):
                return
    scale = np.abs(expected).max() if expected.size else 0.0
    for a in a_list:   # rounding is relative to the input's size too (exact zeros in the output)
        if a.size and a.dtype.kind in "biufc":
            scale = max(scale, float(np.abs(a.astype(np.complex128)).max()))
    tiny = float(np.finfo(res.real.dtype).smallest_subnormal) if res.dtype.kind in "fc" else 0.0
    np.testing.assert_allclose(np.asarray(res, dtype=np.complex128), expected, rtol=0,
                               atol=rel * scale + 2 * tiny + 1e-300)


OPT_N = st.one_of(st.none(), st.integers(-2, 20), st.sampled_from([2 ** 70, 2.0, "4"]))
OPT_AXIS = st.one_of(st.integers(-4, 3), st.sampled_from([None, 1.0, True]))
NORMS = st.sampled_from([None, "backward", "ortho", "forward", "bogus", 0])


@fuzz_settings
@given(arrays(), OPT_N, OPT_AXIS, NORMS,
       st.sampled_from(["fft", "ifft", "rfft", "irfft"]))
def test_fft_family(a, n, axis, norm, name):
    func = getattr(bttbfft, name)
    ref = getattr(np.fft, name)
    kw = {"n": n, "norm": norm}
    if axis is not None:
        kw["axis"] = axis
    # numpy decides correctness; invalid arguments must raise on our side
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                _ref_ok = numeric_ok(a) and (name != "rfft" or a.dtype.kind != "c")
                if _ref_ok:
                    ref(_ref_dtype(a), **kw)
        except Exception:
            _ref_ok = False
    if not _ref_ok:
        before = a.copy() if a.dtype.kind != "O" else None
        with pytest.raises(DOCUMENTED):
            func(a, **kw)
        if before is not None:
            np.testing.assert_array_equal(a, before)
        return
    call_checked(func, a, lambda x, **k: ref(x, **k), **kw)


@fuzz_settings
@given(arrays(max_dims=3, max_side=6), st.one_of(st.none(), st.lists(st.integers(-1, 8),
                                                                     max_size=3)),
       st.one_of(st.none(), st.lists(st.integers(-4, 3), max_size=3)),
       st.sampled_from(["fftn", "ifftn", "rfftn", "irfftn", "fft2", "rfft2"]))
def test_fftn_family(a, s, axes, name):
    func = getattr(bttbfft, name)
    ref = getattr(np.fft, name)
    kw = {}
    if s is not None:
        kw["s"] = s
    if axes is not None:
        kw["axes"] = axes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                ok = numeric_ok(a) and not (name.startswith("r") and a.dtype.kind == "c")
                if ok:   # reference in double precision (numpy scales float16 in float16)
                    expected = ref(_ref_dtype(a).astype(
                        np.complex128 if a.dtype.kind == "c" else np.float64), **kw)
        except Exception:
            ok = False
    before = a.copy() if a.dtype.kind != "O" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = func(a, **kw)
        except DOCUMENTED:
            res = None
    if before is not None:
        np.testing.assert_array_equal(a, before)
    if not ok:
        assert res is None, f"{name} accepted input numpy rejects: {a.dtype} {a.shape} {kw}"
        return
    if res is None:
        # we may reject what numpy accepts only for documented reasons: empty axes for the real
        # transforms (numpy raises too) or a zero-size transform axis
        assert a.size == 0 or any(v == 0 for v in (s or [])), \
            f"{name} rejected valid input {a.dtype} {a.shape} {kw}"
        return
    compare(res, expected, [a])


@fuzz_settings
@given(arrays(max_dims=2, max_side=7), arrays(max_dims=2, max_side=5),
       st.sampled_from(["full", "same", "valid", "bogus"]),
       st.sampled_from(["auto", "direct", "fft", "nope"]),
       st.sampled_from(["convolve", "correlate", "fftconvolve"]))
def test_convolve_family(a, b, mode, method, name):
    func = getattr(bttbfft, name)
    ref = getattr(scipy.signal, name)
    kw = {"mode": mode} if name == "fftconvolve" else {"mode": mode, "method": method}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                # unknown mode/method strings must raise (scipy skips the check for 0-d input)
                # empty input: fftconvolve returns scipy's empty array, the others raise
                ok = (numeric_ok(a) and numeric_ok(b) and
                      ((a.size and b.size) or name == "fftconvolve") and
                      mode != "bogus" and (method != "nope" or name == "fftconvolve"))
                if ok:   # scipy on the same dtypes (integers wrap around the same way)
                    # integer and bool results are exact with either method here (SPEC);
                    # scipy's FFT method is not (it rounds 0 - eps to 2**64 - 1 for uint64 and
                    # noise to True for bool): the reference for them is scipy's direct method
                    kw_ref = kw
                    if (name != "fftconvolve"
                            and np.result_type(a.dtype, b.dtype).kind in "biu"):
                        kw_ref = dict(kw, method="direct")
                    try:
                        try:
                            expected = ref(_ref_dtype(a), _ref_dtype(b), **kw_ref)
                        except (OverflowError, ValueError) as exc:
                            # scipy's method="auto" calls int() on max|x| when one input is
                            # integer: inf/NaN raise there; ours picks "direct" (they propagate)
                            if "convert float" not in str(exc):
                                raise
                            expected = ref(_ref_dtype(a), _ref_dtype(b), **dict(kw, method="direct"))
                    except ValueError as exc:
                        # scipy's n-d direct code has no loop for bool or float16 ("Unsupported
                        # type"; 1-D works) and its FFT path turns rounding noise into True for
                        # bool; ours supports them with scipy's dtype rules: the reference is
                        # computed wider and cast to the result type (bool: nonzero -> True)
                        if "Unsupported type" not in str(exc):
                            raise
                        rt = np.result_type(a.dtype, b.dtype)
                        if rt == np.bool_:
                            expected = ref(a.astype(np.int64), b.astype(np.int64),
                                           **kw_ref) != 0
                        else:
                            wide = np.complex128 if rt.kind == "c" else np.float64
                            expected = ref(a.astype(wide), b.astype(wide), **kw).astype(rt)
        except Exception:
            ok = False
    ba = a.copy() if a.dtype.kind != "O" else None
    bb = b.copy() if b.dtype.kind != "O" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = func(a, b, **kw)
        except DOCUMENTED as exc:
            assert str(exc)
            res = None
    if ba is not None:
        np.testing.assert_array_equal(a, ba)
    if bb is not None:
        np.testing.assert_array_equal(b, bb)
    if not ok:
        assert res is None, f"{name} accepted what scipy rejects: {a.dtype}{a.shape} " \
                            f"{b.dtype}{b.shape} {kw}"
        return
    assert res is not None, f"{name} rejected valid input {a.dtype}{a.shape} {b.dtype}{b.shape}"
    assert res.shape == expected.shape
    if not (a.size and b.size):
        return
    with np.errstate(all="ignore"):
        scale = np.abs(a.astype(np.complex128)).sum() * np.abs(b.astype(np.complex128)).max()
    if not np.isfinite(scale) or scale > 1e290:
        return   # NaN / inf / near-overflow input: no crash and the right shape is all we ask
    if res.dtype.kind in "iu" and scale > np.iinfo(res.dtype).max:
        return   # integer overflow: scipy's FFT path casts out-of-range floats, ours wraps
    # scipy itself may compute in single precision when either input is (e.g. fftconvolve of
    # complex128 with float32): compare at single-precision tolerance then
    single = any(d.kind in "fc" and d.itemsize <= (8 if d.kind == "c" else 4)
                 for d in (a.dtype, b.dtype))
    tol = 1e-5 if single else 1e-10
    np.testing.assert_allclose(res.astype(np.complex128), expected, rtol=0,
                               atol=tol * scale + 1e-300)


@fuzz_settings
@given(arrays(max_dims=2, max_side=8), arrays(max_dims=2, max_side=4),
       st.sampled_from(["full", "same", "valid", "x"]),
       st.sampled_from(["fill", "wrap", "symm", "pad", "circular", "symmetric", "reflect"]),
       st.sampled_from([0, 1.5, -2, 1j, "a", None]))
def test_convolve2d(a, b, mode, boundary, fillvalue):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ok = (numeric_ok(a) and numeric_ok(b) and a.ndim == 2 and b.ndim == 2 and a.size
                  and b.size and mode != "x" and boundary != "reflect")
            if ok:
                expected = scipy.signal.convolve2d(_ref_dtype(a), _ref_dtype(b), mode=mode,
                                                   boundary=boundary, fillvalue=fillvalue)
        except Exception:
            ok = False
    ba = a.copy() if a.dtype.kind != "O" else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = bttbfft.convolve2d(a, b, mode=mode, boundary=boundary, fillvalue=fillvalue)
        except DOCUMENTED as exc:
            assert str(exc)
            res = None
    if ba is not None:
        np.testing.assert_array_equal(a, ba)
    if not ok:
        assert res is None, f"accepted what scipy rejects: {a.dtype}{a.shape} {b.dtype}{b.shape}" \
                            f" {mode} {boundary} {fillvalue!r}"
        return
    used = boundary in ("fill", "pad")  # scipy ignores fillvalue for the other boundaries
    if res is None:
        # with boundary 'fill', a fillvalue that is not a real number (None, a str, or complex
        # for real data, which scipy casts with a warning) is refused by design
        assert used and (isinstance(fillvalue, (complex, str)) or fillvalue is None), \
            "rejected valid input"
        return
    assert res.shape == expected.shape
    with np.errstate(all="ignore"):
        scale = np.abs(a.astype(np.complex128)).sum() * np.abs(b.astype(np.complex128)).max() + \
            abs(complex((fillvalue if used else 0) or 0)) * np.abs(b.astype(np.complex128)).sum()
    if not np.isfinite(scale) or scale > 1e290:
        return
    np.testing.assert_allclose(res.astype(np.complex128), expected, rtol=0,
                               atol=1e-5 * scale + 1e-300)


@fuzz_settings
@given(arrays(max_dims=1, max_side=12), st.integers(-1, 3), st.booleans())
def test_inplace_primitives(a, axis, inverse):
    for func, kw in ((bttbfft.fft_inplace, {"inverse": inverse, "axis": axis}),
                     (bttbfft.bit_reverse, {"axis": axis})):
        b = a.copy() if a.dtype.kind != "O" else a
        if a.dtype.kind != "O":
            b.flags.writeable = a.flags.writeable
        before = b.copy() if b.dtype.kind != "O" else None
        try:
            res = func(b, **kw)
        except DOCUMENTED as exc:
            assert str(exc)
            if before is not None:
                np.testing.assert_array_equal(b, before)
            continue
        assert res is b
        if before is None:     # object arrays: bit_reverse permutes the references
            continue
        n = before.shape[axis]
        assert n & (n - 1) == 0 and b.flags.writeable
        if func is bttbfft.bit_reverse:
            idx = bttbfft.bit_reverse_indices(n)
            np.testing.assert_array_equal(b, np.take(before, idx, axis=axis))
        else:
            assert b.dtype in (np.complex64, np.complex128)
            with np.errstate(all="ignore"):
                exp = (np.fft.ifft if inverse else np.fft.fft)(before.astype(np.complex128),
                                                               axis=axis)
            compare(b, exp, [before])

"""scipy.signal-compatible convolution (bttbfft._conv) against scipy.signal itself.

Every test runs on both backends (autouse fixture in conftest.py).  References are scipy.signal's
convolve / correlate / fftconvolve / convolve2d / correlate2d.
"""
import itertools
import warnings

import numpy as np
import pytest

import bttbfft

signal = pytest.importorskip("scipy.signal")

MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]


def _rand(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.kind in "iu":
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _assert_match(ours, ref, tag="", tol=None):
    ours = np.asarray(ours)
    ref = np.asarray(ref)
    assert ours.shape == ref.shape, (tag, ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (tag, ours.dtype, ref.dtype)
    if ref.size == 0:
        return
    if ref.dtype.kind in "biu":
        np.testing.assert_array_equal(ours, ref, err_msg=str(tag))
        return
    single = ref.dtype in (np.float32, np.complex64)
    if tol is None:
        tol = 2e-5 if single else 1e-10
    scale = max(1.0, float(np.max(np.abs(ref.astype(np.complex128)))))
    err = float(np.max(np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))))
    assert err <= tol * scale, (tag, err / scale)


def _both(fn_ref, fn_ours, tag):
    """Compare results, or check both raise ValueError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = fn_ref()
    except ValueError:
        with pytest.raises(ValueError):
            fn_ours()
        return 0
    _assert_match(fn_ours(), ref, tag)
    return 1


SHAPES_2D = [((1, 1), (1, 1)), ((1, 7), (1, 3)), ((6, 1), (2, 1)), ((5, 6), (3, 3)),
             ((5, 6), (2, 4)), ((8, 7), (4, 5)), ((3, 4), (6, 9)), ((4, 5), (7, 2)),
             ((12, 10), (12, 10)), ((2, 9), (5, 3))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int32])
@pytest.mark.parametrize("corr", [False, True])
def test_conv2d_modes_boundaries(dtype, corr):
    rng = np.random.default_rng(10)
    ref_fn = signal.correlate2d if corr else signal.convolve2d
    our_fn = bttbfft.correlate2d if corr else bttbfft.convolve2d
    n = 0
    for (ms, ks), mode, bnd in itertools.product(SHAPES_2D, MODES, BOUNDARIES):
        x = _rand(rng, ms, dtype)
        k = _rand(rng, ks, dtype)
        fills = [0, 2] if bnd == "fill" else [0]
        if bnd == "fill" and np.dtype(dtype).kind == "c":
            fills.append(1.5 - 0.5j)
        for fv in fills:
            x0, k0 = x.copy(), k.copy()
            n += _both(lambda: ref_fn(x, k, mode, bnd, fv), lambda: our_fn(x, k, mode, bnd, fv),
                       (ms, ks, mode, bnd, fv))
            np.testing.assert_array_equal(x, x0)
            np.testing.assert_array_equal(k, k0)
    assert n > 100


def test_conv2d_boundary_aliases_and_large():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((70, 90))
    for ks in [(3, 3), (4, 6), (15, 15), (31, 8)]:
        k = rng.standard_normal(ks)
        for alias, name in [("pad", "fill"), ("circular", "wrap"), ("symmetric", "symm")]:
            for mode in MODES:
                ref = signal.convolve2d(x, k, mode, name, fillvalue=0.5)
                _assert_match(bttbfft.convolve2d(x, k, mode, alias, fillvalue=0.5), ref)
                ref = signal.correlate2d(x, k, mode, name)
                _assert_match(bttbfft.correlate2d(x, k, mode, alias), ref)


def test_conv2d_big_image_tiled():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((300, 260))
    k = rng.standard_normal((9, 7))
    for mode in MODES:
        _assert_match(bttbfft.convolve2d(x, k, mode), signal.fftconvolve(x, k, mode))
    _assert_match(bttbfft.convolve2d(x, k, "same", "symm"), signal.convolve2d(x, k, "same", "symm"))


def test_conv2d_integer_dtypes_and_wraparound():
    rng = np.random.default_rng(13)
    for dt in [np.int8, np.int16, np.uint8, np.int64, np.uint64]:
        x = rng.integers(0, 5, (9, 8)).astype(dt)
        k = rng.integers(0, 3, (3, 4)).astype(dt)
        for mode in MODES:
            _assert_match(bttbfft.convolve2d(x, k, mode), signal.convolve2d(x, k, mode), dt)
    x = np.full((4, 4), 200, np.uint8)
    k = np.ones((2, 2), np.uint8)
    _assert_match(bttbfft.convolve2d(x, k), signal.convolve2d(x, k))
    # mixed int/float, int fillvalue truncation
    xi = rng.integers(-5, 5, (6, 6))
    _assert_match(bttbfft.convolve2d(xi, np.ones((3, 3)), "same", fillvalue=1.5),
                  signal.convolve2d(xi, np.ones((3, 3)), "same", fillvalue=1.5))
    _assert_match(bttbfft.convolve2d(xi, np.ones((3, 3), int), "same", fillvalue=2.7),
                  signal.convolve2d(xi, np.ones((3, 3), int), "same", fillvalue=2.7))


def test_conv2d_float32_stays_float32_complex64():
    rng = np.random.default_rng(14)
    for dt in [np.float32, np.complex64]:
        x = _rand(rng, (40, 30), dt)
        k = _rand(rng, (5, 4), dt)
        for mode, bnd in itertools.product(MODES, BOUNDARIES):
            _assert_match(bttbfft.convolve2d(x, k, mode, bnd), signal.convolve2d(x, k, mode, bnd))


def test_correlate2d_even_same_offset_differs_from_correlate():
    x = np.arange(20.0).reshape(4, 5)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    full = signal.correlate2d(x, k, "full")
    assert np.allclose(bttbfft.correlate2d(x, k, "same"), full[1:5, 1:6])
    assert np.allclose(bttbfft.correlate(x, k, "same"), full[0:4, 0:5])


def test_correlate2d_valid_swapped_complex():
    rng = np.random.default_rng(15)
    a = _rand(rng, (2, 3), np.complex128)
    b = _rand(rng, (4, 5), np.complex128)
    _assert_match(bttbfft.correlate2d(a, b, "valid"), signal.correlate2d(a, b, "valid"))
    _assert_match(bttbfft.correlate(a, b, "valid"), signal.correlate(a, b, "valid"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int16])
def test_convolve_correlate_1d(dtype):
    rng = np.random.default_rng(16)
    for n1, n2 in [(1, 1), (7, 3), (3, 7), (1, 5), (16, 16), (100, 9), (9, 100), (513, 64)]:
        x = _rand(rng, n1, dtype)
        k = _rand(rng, n2, dtype)
        for mode, method in itertools.product(MODES, ["auto", "direct", "fft"]):
            for ref_fn, our_fn in [(signal.convolve, bttbfft.convolve),
                                   (signal.correlate, bttbfft.correlate)]:
                _both(lambda: ref_fn(x, k, mode, method), lambda: our_fn(x, k, mode, method),
                      (n1, n2, mode, method, ref_fn.__name__))
            _both(lambda: signal.fftconvolve(x, k, mode), lambda: bttbfft.fftconvolve(x, k, mode),
                  (n1, n2, mode))


@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int32])
def test_convolve_correlate_2d_and_nd(dtype):
    rng = np.random.default_rng(17)
    cases = [((5, 6), (3, 2)), ((3, 4), (6, 9)), ((1, 8), (1, 3)), ((3, 4, 5), (2, 3, 2)),
             ((4, 1, 6), (1, 3, 2)), ((2, 3, 4, 5), (2, 2, 2, 2)), ((3, 4), (2, 5))]
    for (s1, s2), mode, method in itertools.product(cases, MODES, ["auto", "direct", "fft"]):
        x = _rand(rng, s1, dtype)
        k = _rand(rng, s2, dtype)
        for ref_fn, our_fn in [(signal.convolve, bttbfft.convolve),
                               (signal.correlate, bttbfft.correlate)]:
            _both(lambda: ref_fn(x, k, mode, method), lambda: our_fn(x, k, mode, method),
                  (s1, s2, mode, method))
        _both(lambda: signal.fftconvolve(x, k, mode), lambda: bttbfft.fftconvolve(x, k, mode),
              (s1, s2, mode))


def test_fftconvolve_axes_broadcasting():
    rng = np.random.default_rng(18)
    cases = [((5, 8), (5, 3), 1), ((5, 8), (1, 3), 1), ((5, 8), (1, 3), [1]),
             ((3, 8), (5, 3), 0), ((4, 1, 8), (4, 6, 3), [2]), ((4, 6, 8), (1, 6, 3), [1, 2]),
             ((4, 6, 8), (3, 1, 3), [0, 2]), ((1, 6, 8), (3, 6, 3), -1),
             ((2, 5, 6, 7), (2, 3, 2, 2), [1, 2, 3]), ((5, 8), (3, 8), [0, 1]),
             ((3, 1), (1, 4), None), ((5, 8), (2, 8), (-2,))]
    for s1, s2, axes in cases:
        for dt in [np.float64, np.complex128]:
            x = _rand(rng, s1, dt)
            k = _rand(rng, s2, dt)
            for mode in MODES:
                n = _both(lambda: signal.fftconvolve(x, k, mode, axes=axes),
                          lambda: bttbfft.fftconvolve(x, k, mode, axes=axes), (s1, s2, axes, mode))
                if n and axes is not None:
                    # convolve/correlate accept fftconvolve's axes rules (an extension)
                    ref = signal.fftconvolve(x, k, mode, axes=axes)
                    _assert_match(bttbfft.convolve(x, k, mode, method="direct", axes=axes), ref)
                    _assert_match(bttbfft.convolve(x, k, mode, method="fft", axes=axes), ref)


def test_fftconvolve_dtypes_scalars_empty():
    for a, b in [(np.float32, np.float32), (np.float32, np.float64), (np.int16, np.float32),
                 (np.float16, np.float16), (np.int8, np.int8), (np.complex64, np.float32)]:
        x = np.ones(6, a)
        k = np.ones(3, b)
        # scipy transforms a float32 operand in single precision even when mixed with float64
        _assert_match(bttbfft.fftconvolve(x, k), signal.fftconvolve(x, k), (a, b), tol=2e-6)
        _assert_match(bttbfft.convolve(x, k), signal.convolve(x, k), (a, b), tol=2e-6)
    _assert_match(bttbfft.fftconvolve(np.array(2.0), np.array(3.0)),
                  signal.fftconvolve(np.array(2.0), np.array(3.0)))
    _assert_match(bttbfft.correlate(np.array(2.0 + 1j), np.array(3.0 - 1j)),
                  signal.correlate(np.array(2.0 + 1j), np.array(3.0 - 1j)))
    _assert_match(bttbfft.convolve(np.array(2), np.array(3)), signal.convolve(np.array(2),
                                                                               np.array(3)))
    _assert_match(bttbfft.fftconvolve(np.zeros((0, 3)), np.ones((2, 2))),
                  signal.fftconvolve(np.zeros((0, 3)), np.ones((2, 2))))


def test_bool_convolve_direct():
    rng = np.random.default_rng(19)
    x = rng.integers(0, 2, 12).astype(bool)
    k = rng.integers(0, 2, 4).astype(bool)
    for mode in MODES:
        _assert_match(bttbfft.convolve(x, k, mode), signal.convolve(x, k, mode))


def test_large_int_falls_back_to_exact_direct():
    x = np.array([2 ** 40, 3, 2 ** 41 + 1], dtype=np.int64)
    k = np.array([2 ** 20 + 1, 7], dtype=np.int64)
    assert bttbfft.choose_conv_method(x, k) == "direct"
    _assert_match(bttbfft.convolve(x, k), signal.convolve(x, k, method="direct"))


def test_choose_conv_method():
    rng = np.random.default_rng(20)
    for s1, s2 in [(10, 3), (1000, 500), ((64, 64), (3, 3)), ((256, 256), (63, 63)),
                   ((5, 5, 5), (3, 3, 3))]:
        x = rng.standard_normal(s1)
        k = rng.standard_normal(s2)
        for mode in MODES:
            assert bttbfft.choose_conv_method(x, k, mode) in ("direct", "fft")
    x = rng.standard_normal((512, 512))
    assert bttbfft.choose_conv_method(x, rng.standard_normal((1, 1))) == "direct"
    assert bttbfft.choose_conv_method(x, rng.standard_normal((101, 101))) == "fft"
    assert bttbfft.choose_conv_method(np.ones(5, bool), np.ones(3, bool)) == "direct"


def test_nan_inf_propagate():
    x = np.ones((6, 6))
    x[2, 3] = np.nan
    k = np.ones((3, 3))
    for bnd in BOUNDARIES:
        y = bttbfft.convolve2d(x, k, "same", bnd)  # direct or FFT: NaN where it must be
        assert y.shape == x.shape and np.isnan(y[2, 3])
    y = bttbfft.convolve(x, k, "same", method="direct")
    assert np.isnan(y[2, 3]) and np.isfinite(y[5, 0])
    y = bttbfft.fftconvolve(x, k, "same")
    assert np.isnan(y[2, 3])


def _set_nonfinite(rng, x, count):
    """Sets count random entries of x to inf, -inf or NaN (complex x: the real or the imaginary
    part, the other part 0 -- values whose products NumPy and C99 Annex G agree on)."""
    vals = rng.choice([np.inf, -np.inf, np.nan], count).astype(x.dtype)
    if x.dtype.kind == "c":
        imag = rng.random(count) < 0.5
        vals.imag[imag], vals.real[imag] = vals.real[imag], 0
    x.flat[rng.choice(x.size, count, replace=False)] = vals


def _assert_same_nonfinite(ours, ref, tag=""):
    """The same inf and NaN entries with the same values (each part of complex data), the finite
    entries as _assert_match."""
    for part in (np.real, np.imag):
        o, r = part(np.asarray(ours)), part(np.asarray(ref))
        np.testing.assert_array_equal(np.where(np.isfinite(o), 0, o), np.where(np.isfinite(r), 0, r),
                                      err_msg=str(tag))
    bad = ~np.isfinite(ref)
    _assert_match(np.where(bad, 0, ours), np.where(bad, 0, ref), tag)


NONFINITE_2D = [((128, 96), (25, 25)), ((150, 120), (21, 17)), ((90, 200), (6, 31)),
                ((30, 24), (40, 36))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("corr", [False, True])
def test_conv2d_nonfinite_stays_local(dtype, corr, monkeypatch):
    """inf and NaN reach only the outputs whose window reads them, with the values of scipy's
    direct sum (inf * 0 = NaN, inf + -inf = NaN), also where the FFT path is taken."""
    rng = np.random.default_rng(30)
    ref_fn = signal.correlate2d if corr else signal.convolve2d
    our_fn = bttbfft.correlate2d if corr else bttbfft.convolve2d
    fixups = []
    add_terms = bttbfft._conv._add_terms
    monkeypatch.setattr(bttbfft._conv, "_add_terms",
                        lambda out, terms: (fixups.append(terms is not None), add_terms(out, terms)))
    for (ms, ks), mode, bnd in itertools.product(NONFINITE_2D, MODES, BOUNDARIES):
        for fv in ([0, 1.5] if bnd == "fill" else [0]):
            x = _rand(rng, ms, dtype)
            k = _rand(rng, ks, dtype)
            k.flat[rng.choice(k.size, 3, replace=False)] = 0
            _set_nonfinite(rng, x, 2)
            x0 = x.copy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # inf * 0 (both direct engines)
                ref = ref_fn(x, k, mode, bnd, fv)
                ours = our_fn(x, k, mode, bnd, fv)
            _assert_same_nonfinite(ours, ref, (ms, ks, mode, bnd, fv))
            np.testing.assert_array_equal(x, x0)
    assert sum(fixups) >= 20   # the FFT path with its fix-up was exercised


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")   # inf * 0 (direct engines)
def test_conv2d_nonfinite_kernel_or_many_values():
    """A non-finite kernel, or a non-finite value in many entries, takes the direct path."""
    rng = np.random.default_rng(31)
    x = rng.standard_normal((80, 90))
    k = rng.standard_normal((31, 31))
    x[x > 1.0] = np.nan                              # about 16% of the entries
    x[x < -2.0] = -np.inf
    for mode in MODES:
        _assert_same_nonfinite(bttbfft.convolve2d(x, k, mode), signal.convolve2d(x, k, mode))
    x = rng.standard_normal((80, 90))
    x[:5] = 0.0
    k[3, 4] = np.inf
    for mode, bnd in itertools.product(MODES, BOUNDARIES):
        _assert_same_nonfinite(bttbfft.correlate2d(x, k, mode, bnd),
                               signal.correlate2d(x, k, mode, bnd), (mode, bnd))
    x = np.ones((64, 64))
    k = np.ones((21, 21))
    for fv in (np.inf, np.nan):                      # a non-finite border
        _assert_same_nonfinite(bttbfft.convolve2d(x, k, "same", fillvalue=fv),
                               signal.convolve2d(x, k, "same", fillvalue=fv))


def test_nonfinite_repro_counts():
    """One NaN made 22,148 NaN outputs on the FFT path (scipy: 961), an inf became NaN."""
    x = np.ones((256, 256))
    x[100, 100] = np.nan
    x[3, 200] = np.inf
    k = np.ones((31, 31))
    y = bttbfft.convolve2d(x, k, "same")
    ref = signal.convolve2d(x, k, "same")
    assert np.isnan(y).sum() == np.isnan(ref).sum() == 961
    assert np.isposinf(y).sum() == np.isposinf(ref).sum() == 19 * 31   # rows 0..18 reach row 3
    _assert_same_nonfinite(y, ref)


def test_int_fft_exact_near_limit():
    """Values that meet scipy's rule (max|a| * max|b| * min(size) < 2**53) but whose float64 FFT
    rounds wrongly (scipy's own convolve gets 1471 of these entries wrong): exact results."""
    A = np.full((64, 64), 2 ** 20 - 1, dtype=np.int64)
    _assert_match(bttbfft.convolve2d(A, A), signal.convolve2d(A, A))
    _assert_match(bttbfft.correlate2d(A, A[:40, :50], "same"),
                  signal.correlate2d(A, A[:40, :50], "same"))
    a = np.full(4096, 2 ** 20 - 1)
    assert bttbfft.choose_conv_method(a, a) == "direct"
    for method in ("auto", "fft"):
        _assert_match(bttbfft.convolve(a, a, method=method), signal.convolve(a, a, method="direct"))
        _assert_match(bttbfft.convolve(A, A, method=method), signal.convolve2d(A, A))
    rng = np.random.default_rng(32)
    b = rng.integers(-(2 ** 20), 2 ** 20, 3000)
    c = rng.integers(-(2 ** 20), 2 ** 20, 2000)
    _assert_match(bttbfft.correlate(b, c, method="fft"), signal.correlate(b, c, method="direct"))


def test_int_image_data_keeps_fft(monkeypatch):
    """The exactness bound still lets ordinary integer image data take the FFT path."""
    rng = np.random.default_rng(33)
    img = rng.integers(0, 256, (512, 512)).astype(np.uint8)
    k = rng.integers(0, 10, (63, 63))
    assert bttbfft.choose_conv_method(img, k) == "fft"
    assert bttbfft.choose_conv_method(np.full((2048, 2048), 255, np.uint8), k, "same") == "fft"

    def no_direct(*args):
        raise AssertionError("integer convolution took the direct path")
    monkeypatch.setattr(bttbfft._conv, "_direct_nd", no_direct)
    ref = np.rint(signal.fftconvolve(img.astype(np.float64), k.astype(np.float64), "same"))
    y = bttbfft.convolve2d(img, k, "same")
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, ref)
    np.testing.assert_array_equal(bttbfft.convolve(img, k, "same"), ref)


def test_fillvalue_ignored_unless_fill():
    """As scipy, only boundary='fill' reads (and checks) fillvalue."""
    x = np.arange(12.0).reshape(3, 4)
    xi = np.arange(12, dtype=np.uint8).reshape(3, 4)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    for bnd in ("wrap", "circular", "symm", "symmetric"):
        for fv in (1j, "a", None, [1, 2], [], 1e300, -2):
            for ours, ref in [(bttbfft.convolve2d, signal.convolve2d),
                              (bttbfft.correlate2d, signal.correlate2d)]:
                _assert_match(ours(x, k, "same", bnd, fillvalue=fv),
                              ref(x, k, "same", bnd, fillvalue=fv), (bnd, fv))
                _assert_match(ours(xi, xi[:2, :2], "full", bnd, fillvalue=fv),
                              ref(xi, xi[:2, :2], "full", bnd, fillvalue=fv), (bnd, fv))
    with pytest.raises(ValueError, match="fillvalue"):
        bttbfft.convolve2d(x, k, "same", "fill", fillvalue=1j)
    with pytest.raises(ValueError, match="fillvalue"):
        bttbfft.convolve2d(xi, xi[:2, :2], "same", "fill", fillvalue=-2)


@pytest.mark.parametrize("axes", [1.5, "a", [0, 1.5], [None], object()])
def test_axes_not_integers(axes):
    """ValueError, as scipy.signal.fftconvolve."""
    x, k = np.ones((4, 4)), np.ones((2, 2))
    with pytest.raises(ValueError, match="axes must be a scalar or iterable of integers"):
        signal.fftconvolve(x, k, axes=axes)
    for fn in (bttbfft.fftconvolve, bttbfft.convolve, bttbfft.correlate):
        with pytest.raises(ValueError, match="axes must be a scalar or iterable of integers"):
            fn(x, k, axes=axes)


# --- bad input (SPEC section 7), table-driven ---------------------------------------------------
_A = np.ones((4, 4))
_K = np.ones((2, 2))
BAD = [
    (bttbfft.convolve2d, (np.ones((3, 3), object), _K), {}, TypeError, "dtype"),
    (bttbfft.convolve2d, (np.array([["a"]]), _K), {}, TypeError, "dtype"),
    (bttbfft.convolve2d, (None, _K), {}, TypeError, "in1"),
    (bttbfft.convolve2d, (_A, np.ones((2, 2), np.longdouble)), {}, TypeError, "dtype"),
    (bttbfft.convolve, (_A, "abc"), {}, TypeError, "in2"),
    (bttbfft.fftconvolve, (_A, np.ones((2, 2), "M8[s]")), {}, TypeError, "dtype"),
    (bttbfft.correlate, (object(), _K), {}, TypeError, "in1"),
    (bttbfft.convolve2d, (_A, _K), {"mode": "bogus"}, ValueError, "mode"),
    (bttbfft.convolve2d, (_A, _K), {"boundary": "reflect"}, ValueError, "boundary"),
    (bttbfft.correlate2d, (_A, _K), {"boundary": 3}, ValueError, "boundary"),
    (bttbfft.convolve, (_A, _K), {"method": "fast"}, ValueError, "method"),
    (bttbfft.correlate, (_A, _K), {"mode": "FULL"}, ValueError, "mode"),
    (bttbfft.fftconvolve, (_A, _K), {"mode": "x"}, ValueError, "mode"),
    (bttbfft.choose_conv_method, (_A, _K), {"mode": "x"}, ValueError, "mode"),
    (bttbfft.convolve2d, (np.ones(4), _K), {}, ValueError, "2-D"),
    (bttbfft.convolve, (np.ones(4), _K), {}, ValueError, "dimensionality"),
    (bttbfft.fftconvolve, (np.ones(4), _K), {}, ValueError, "dimensionality"),
    (bttbfft.convolve2d, (np.ones((2, 5)), np.ones((3, 2))), {"mode": "valid"}, ValueError,
     "valid"),
    (bttbfft.convolve, (np.ones((2, 5)), np.ones((3, 2))), {"mode": "valid"}, ValueError,
     "valid"),
    (bttbfft.fftconvolve, (np.ones((3, 3)), np.ones((2, 3))), {"axes": [1]}, ValueError,
     "incompatible shapes"),
    (bttbfft.fftconvolve, (_A, _K), {"axes": [0, 0]}, ValueError, "unique"),
    (bttbfft.fftconvolve, (_A, _K), {"axes": [2]}, ValueError, "axes"),
    (bttbfft.fftconvolve, (_A, _K), {"axes": []}, ValueError, "axes"),
    (bttbfft.convolve2d, (np.zeros((0, 3)), _K), {}, ValueError, "zero-size"),
    (bttbfft.convolve, (_A, np.zeros((2, 0))), {}, ValueError, "zero-size"),
    (bttbfft.convolve2d, (_A, _K), {"fillvalue": [1, 2]}, ValueError, "fillvalue"),
    (bttbfft.convolve2d, (_A, _K), {"fillvalue": 1 + 2j}, ValueError, "fillvalue"),
    (bttbfft.convolve2d, (_A, _K), {"fillvalue": "a"}, TypeError, "fillvalue"),
    (bttbfft.convolve2d, (np.ones((3, 3), bool), np.ones((2, 2), bool)), {}, ValueError,
     "not available"),
]


@pytest.mark.parametrize("fn,args,kwargs,exc,frag", BAD,
                         ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(fn, args, kwargs, exc, frag):
    with pytest.raises(exc, match=frag):
        fn(*args, **kwargs)


def test_inputs_unchanged():
    rng = np.random.default_rng(21)
    x = rng.standard_normal((20, 20)) + 1j * rng.standard_normal((20, 20))
    k = rng.standard_normal((5, 4)) + 1j * rng.standard_normal((5, 4))
    x0, k0 = x.copy(), k.copy()
    for fn in [bttbfft.convolve, bttbfft.correlate, bttbfft.fftconvolve]:
        for mode in MODES:
            fn(x, k, mode)
    for fn in [bttbfft.convolve2d, bttbfft.correlate2d]:
        for bnd in BOUNDARIES:
            fn(x, k, "same", bnd)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)

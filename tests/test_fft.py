"""FFT API tests against numpy.fft (the independent reference); run on both backends (conftest)."""
import math
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import bttbfft
from bttbfft import _backend, _workers

RNG = np.random.default_rng(20240607)


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def tol(n, single=False):
    return (5e-6 if single else 1e-14) * max(1.0, math.log2(max(n, 1)))


def rel_err(got, ref):
    got = np.asarray(got)
    ref = np.asarray(ref)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    num = np.linalg.norm((got.astype(np.complex128) - ref).ravel())
    den = np.linalg.norm(np.asarray(ref).ravel())
    return num / den if den > 0 else num


def assert_close(got, ref, n, single=False):
    err = rel_err(got, ref)
    assert err <= tol(n, single), f"relative error {err:.3g} > {tol(n, single):.3g} (n={n})"


def crandn(*shape, dtype=np.complex128):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def unchanged(func, x, *args, **kwargs):
    """Call func(x, ...) and check that x was not modified."""
    before = x.copy()
    res = func(x, *args, **kwargs)
    np.testing.assert_array_equal(x, before)
    return res


# ----------------------------------------------------------------------------------------------
# every length 1..1100, powers of two, large primes
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start", range(1, 1101, 100))
def test_every_length_complex(start):
    for n in range(start, min(start + 100, 1101)):
        x = crandn(2, n)
        y = unchanged(bttbfft.fft, x)
        assert y.dtype == np.complex128
        assert_close(y, np.fft.fft(x), n)
        assert_close(unchanged(bttbfft.ifft, x), np.fft.ifft(x), n)


@pytest.mark.parametrize("start", range(1, 1101, 100))
def test_every_length_real(start):
    for n in range(start, min(start + 100, 1101)):
        x = randn(2, n)
        y = unchanged(bttbfft.rfft, x)
        assert y.dtype == np.complex128 and y.shape == (2, n // 2 + 1)
        assert_close(y, np.fft.rfft(x), n)
        spec = np.fft.rfft(x)
        z = unchanged(bttbfft.irfft, spec, n)
        assert z.dtype == np.float64
        assert_close(z, np.fft.irfft(spec, n), n)


@pytest.mark.parametrize("p", range(0, 21))
def test_powers_of_two(p):
    n = 2 ** p
    x = crandn(n)
    assert_close(bttbfft.fft(x), np.fft.fft(x), n)
    assert_close(bttbfft.ifft(x), np.fft.ifft(x), n)
    xr = x.real.copy()
    assert_close(bttbfft.rfft(xr), np.fft.rfft(xr), n)
    if n > 1:
        spec = np.fft.rfft(xr)
        assert_close(bttbfft.irfft(spec), np.fft.irfft(spec), n)
    x32 = x.astype(np.complex64)
    y32 = bttbfft.fft(x32)
    assert y32.dtype == np.complex64
    assert_close(y32, np.fft.fft(x32.astype(np.complex128)), n, single=True)


@pytest.mark.parametrize("n", [4099, 65537, 131071])
def test_large_primes(n):
    x = crandn(n)
    assert_close(bttbfft.fft(x), np.fft.fft(x), n)
    assert_close(bttbfft.ifft(x), np.fft.ifft(x), n)
    xr = x.real.copy()
    assert_close(bttbfft.rfft(xr), np.fft.rfft(xr), n)
    spec = np.fft.rfft(xr)
    assert_close(bttbfft.irfft(spec, n), np.fft.irfft(spec, n), n)
    x32 = x.astype(np.complex64)
    assert_close(bttbfft.fft(x32), np.fft.fft(x32.astype(np.complex128)), n, single=True)
    xr32 = xr.astype(np.float32)
    assert_close(bttbfft.rfft(xr32), np.fft.rfft(xr32.astype(np.float64)), n, single=True)


# ----------------------------------------------------------------------------------------------
# accuracy bound of SPEC section 2
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2 ** 10 + 1, 2 ** 16, 3 * 2 ** 14, 2 ** 20, 100003])
@pytest.mark.parametrize("single", [False, True])
def test_accuracy_bound(n, single):
    x = crandn(n)
    if single:
        x = x.astype(np.complex64)
    ref = np.fft.fft(x.astype(np.complex128))
    y = bttbfft.fft(x)
    assert y.dtype == (np.complex64 if single else np.complex128)
    assert_close(y, ref, n, single)
    xr = x.real.copy()
    assert_close(bttbfft.rfft(xr), np.fft.rfft(xr.astype(np.float64)), n, single)
    assert_close(bttbfft.ifft(x), np.fft.ifft(x.astype(np.complex128)), n, single)


def test_accuracy_2_22():
    n = 2 ** 22
    x = crandn(n)
    assert_close(bttbfft.fft(x), np.fft.fft(x), n)


def test_exact_small_values():
    # twiddles from exact angles: multiples of pi/2 come out exact
    np.testing.assert_array_equal(bttbfft.fft(np.array([1, 2, 3, 4], dtype=complex)),
                                  [10, -2 + 2j, -2, -2 - 2j])
    np.testing.assert_array_equal(bttbfft.rfft(np.array([1.0, 2.0, 3.0, 4.0])),
                                  [10, -2 + 2j, -2])
    np.testing.assert_array_equal(bttbfft.fft(np.ones(8)), [8, 0, 0, 0, 0, 0, 0, 0])


def test_nan_inf_propagate():
    for n in (8, 7):
        x = np.ones(n, complex)
        x[2] = np.nan
        assert np.isnan(bttbfft.fft(x)).any()
        xr = np.ones(n)
        xr[1] = np.inf
        y = bttbfft.rfft(xr)
        assert not np.isfinite(y).all()


# ----------------------------------------------------------------------------------------------
# dtypes
# ----------------------------------------------------------------------------------------------
DTYPE_CASES = [
    # input dtype, fft/rfft output, irfft output, single precision?
    (np.float32, np.complex64, np.float32, True),
    (np.float64, np.complex128, np.float64, False),
    (np.complex64, np.complex64, np.float32, True),
    (np.complex128, np.complex128, np.float64, False),
    (np.int8, np.complex128, np.float64, False),
    (np.int64, np.complex128, np.float64, False),
    (np.uint16, np.complex128, np.float64, False),
    (np.bool_, np.complex128, np.float64, False),
    (np.float16, np.complex64, np.float32, True),
]


def _make(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return RNG.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        return RNG.integers(0, 100, shape).astype(dt)
    if dt.kind == "c":
        return crandn(*shape).astype(dt)
    return randn(*shape).astype(dt)


@pytest.mark.parametrize("dtype,cout,rout,single", DTYPE_CASES)
@pytest.mark.parametrize("n", [16, 15])
def test_dtypes(dtype, cout, rout, single, n):
    x = _make(dtype, (3, n))
    ref_in = x.astype(np.complex128)
    for f, nf in ((bttbfft.fft, np.fft.fft), (bttbfft.ifft, np.fft.ifft)):
        y = unchanged(f, x)
        assert y.dtype == cout
        assert_close(y, nf(ref_in), n, single)
    y = unchanged(bttbfft.fftn, x)
    assert y.dtype == cout
    assert_close(y, np.fft.fftn(ref_in), n, single)
    y = unchanged(bttbfft.irfft, x)
    assert y.dtype == rout
    assert_close(y, np.fft.irfft(ref_in), n, single)
    y = unchanged(bttbfft.irfftn, x)
    assert y.dtype == rout
    assert_close(y, np.fft.irfftn(ref_in), n, single)
    if np.dtype(dtype).kind != "c":
        ref_r = x.astype(np.float64)
        y = unchanged(bttbfft.rfft, x)
        assert y.dtype == cout
        assert_close(y, np.fft.rfft(ref_r), n, single)
        y = unchanged(bttbfft.rfftn, x)
        assert y.dtype == cout
        assert_close(y, np.fft.rfftn(ref_r), n, single)


def test_array_likes():
    assert_close(bttbfft.fft([1, 2, 3]), np.fft.fft([1, 2, 3]), 3)
    assert_close(bttbfft.rfft((1.0, 2.0, 3.0, 5.0)), np.fft.rfft([1.0, 2.0, 3.0, 5.0]), 4)
    assert_close(bttbfft.fft2([[1, 2], [3, 4j]]), np.fft.fft2([[1, 2], [3, 4j]]), 2)
    big_endian = np.arange(8, dtype=">f8")
    assert_close(bttbfft.fft(big_endian), np.fft.fft(np.arange(8.0)), 8)
    assert_close(bttbfft.rfft(big_endian), np.fft.rfft(np.arange(8.0)), 8)


# ----------------------------------------------------------------------------------------------
# axes, n/s, norms
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axis_3d(axis):
    x = crandn(6, 5, 8)
    xr = x.real.copy()
    assert_close(unchanged(bttbfft.fft, x, axis=axis), np.fft.fft(x, axis=axis), 8)
    assert_close(unchanged(bttbfft.ifft, x, axis=axis), np.fft.ifft(x, axis=axis), 8)
    assert_close(unchanged(bttbfft.rfft, xr, axis=axis), np.fft.rfft(xr, axis=axis), 8)
    assert_close(unchanged(bttbfft.irfft, x, axis=axis), np.fft.irfft(x, axis=axis), 8)
    assert_close(bttbfft.irfft(x, n=7, axis=axis), np.fft.irfft(x, n=7, axis=axis), 8)


AXES_CASES = [None, (0,), (1,), (-1,), (0, 1), (1, 0), (-1, -3), (2, 0, 1), (0, 0), (1, -2),
              (0, 1, 2), (2, 2, 0)]


@pytest.mark.parametrize("axes", AXES_CASES)
def test_nd_axes(axes):
    x = crandn(4, 6, 5)
    xr = x.real.copy()
    for f, nf, inp in ((bttbfft.fftn, np.fft.fftn, x), (bttbfft.ifftn, np.fft.ifftn, x),
                       (bttbfft.rfftn, np.fft.rfftn, xr), (bttbfft.irfftn, np.fft.irfftn, x)):
        assert_close(unchanged(f, inp, axes=axes), nf(inp, axes=axes), 6)


@pytest.mark.parametrize("axes", [(-2, -1), (0, 1), (1, 0), (0, 2), (-1, -3)])
def test_2d_funcs(axes):
    x = crandn(3, 8, 6)
    xr = x.real.copy()
    assert_close(bttbfft.fft2(x, axes=axes), np.fft.fft2(x, axes=axes), 8)
    assert_close(bttbfft.ifft2(x, axes=axes), np.fft.ifft2(x, axes=axes), 8)
    assert_close(bttbfft.rfft2(xr, axes=axes), np.fft.rfft2(xr, axes=axes), 8)
    assert_close(bttbfft.irfft2(x, axes=axes), np.fft.irfft2(x, axes=axes), 8)


@pytest.mark.parametrize("n", [1, 3, 7, 8, 9, 16, 21, 32])
def test_n_crop_pad(n):
    x = crandn(2, 10)
    xr = x.real.copy()
    assert_close(unchanged(bttbfft.fft, x, n), np.fft.fft(x, n), n)
    assert_close(unchanged(bttbfft.ifft, x, n), np.fft.ifft(x, n), n)
    assert_close(unchanged(bttbfft.rfft, xr, n), np.fft.rfft(xr, n), n)
    assert_close(unchanged(bttbfft.irfft, x, n), np.fft.irfft(x, n), n)
    assert_close(bttbfft.fft(x, n, axis=0), np.fft.fft(x, n, axis=0), n)
    assert_close(bttbfft.rfft(xr, n, axis=0), np.fft.rfft(xr, n, axis=0), n)


@pytest.mark.parametrize("s,axes", [((3, 4), (0, 1)), ((8, 16), (0, 1)), ((5, 9), (1, 2)),
                                    ((2, 3, 4), (0, 1, 2)), ((-1, 6), (0, 2)),
                                    ((7,), (1,)), ((4, 6), (1, 1)), ((9, 5), (-1, 0))])
def test_s_crop_pad(s, axes):
    x = crandn(4, 6, 5)
    xr = x.real.copy()
    for f, nf, inp in ((bttbfft.fftn, np.fft.fftn, x), (bttbfft.ifftn, np.fft.ifftn, x),
                       (bttbfft.rfftn, np.fft.rfftn, xr), (bttbfft.irfftn, np.fft.irfftn, x)):
        assert_close(unchanged(f, inp, s=s, axes=axes), nf(inp, s=s, axes=axes), 16)


def test_s_without_axes_deprecated():
    x = crandn(4, 6, 5)
    xr = x.real.copy()
    for f, nf, inp in ((bttbfft.fftn, np.fft.fftn, x), (bttbfft.irfftn, np.fft.irfftn, x),
                       (bttbfft.rfftn, np.fft.rfftn, xr)):
        with pytest.warns(DeprecationWarning, match="axes"):
            got = f(inp, s=(3, 8))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ref = nf(inp, s=(3, 8))
        assert_close(got, ref, 8)


def test_s_with_none_deprecated():
    x = crandn(4, 6)
    with pytest.warns(DeprecationWarning, match="None"):
        got = bttbfft.fftn(x, s=(None, 8), axes=(0, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ref = np.fft.fftn(x, s=(None, 8), axes=(0, 1))
    assert_close(got, ref, 8)


def test_empty_axes_fftn():
    x = randn(3, 4)
    y = bttbfft.fftn(x, axes=())
    assert y.dtype == np.complex128
    np.testing.assert_array_equal(y, x)


NORMS = [None, "backward", "ortho", "forward"]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [8, 12])
def test_norms(norm, n):
    x = crandn(3, n)
    xr = x.real.copy()
    pairs = [(bttbfft.fft, np.fft.fft, x), (bttbfft.ifft, np.fft.ifft, x),
             (bttbfft.rfft, np.fft.rfft, xr), (bttbfft.irfft, np.fft.irfft, x),
             (bttbfft.fftn, np.fft.fftn, x), (bttbfft.ifftn, np.fft.ifftn, x),
             (bttbfft.rfftn, np.fft.rfftn, xr), (bttbfft.irfftn, np.fft.irfftn, x),
             (bttbfft.fft2, np.fft.fft2, x), (bttbfft.ifft2, np.fft.ifft2, x),
             (bttbfft.rfft2, np.fft.rfft2, xr), (bttbfft.irfft2, np.fft.irfft2, x)]
    for f, nf, inp in pairs:
        assert_close(unchanged(f, inp, norm=norm), nf(inp, norm=norm), n)
    # single precision keeps its dtype under every norm
    y = bttbfft.ifft(x.astype(np.complex64), norm=norm)
    assert y.dtype == np.complex64
    assert_close(y, np.fft.ifft(x.astype(np.complex64).astype(complex), norm=norm), n, True)


# ----------------------------------------------------------------------------------------------
# out=, overwrite_x, workers
# ----------------------------------------------------------------------------------------------
OUT_CASES = [
    ("fft", {}, (4, 10), np.complex128, False),
    ("ifft", {"n": 12}, (4, 12), np.complex128, False),
    ("rfft", {}, (4, 6), np.complex128, True),
    ("irfft", {}, (4, 18), np.float64, False),
    ("fftn", {}, (4, 10), np.complex128, False),
    ("ifft2", {"s": (5, 7)}, (5, 7), np.complex128, False),
    ("rfftn", {}, (4, 6), np.complex128, True),
    ("rfft2", {"s": (3, 16)}, (3, 9), np.complex128, True),
    ("irfftn", {}, (4, 18), np.float64, False),
    ("irfft2", {"s": (4, 10)}, (4, 10), np.float64, False),
]


@pytest.mark.parametrize("fname,kw,shape,dtype,real_in", OUT_CASES)
def test_out(fname, kw, shape, dtype, real_in):
    x = crandn(4, 10)
    if real_in:
        x = x.real.copy()
    f = getattr(bttbfft, fname)
    ref = getattr(np.fft, fname)(x, **kw)
    out = np.full(shape, 7, dtype=dtype)
    res = unchanged(f, x, out=out, **kw)
    assert res is out
    assert_close(out, ref, 16)
    bad_shape = shape[:-1] + (shape[-1] + 1,)
    with pytest.raises(ValueError, match="wrong shape"):
        f(x, out=np.empty(bad_shape, dtype), **kw)
    # another dtype: accepted when the result casts to it under "same_kind" (as numpy.fft),
    # refused otherwise
    narrower = np.complex64 if np.dtype(dtype).kind == "c" else np.float32
    out2 = np.full(shape, 7, dtype=narrower)
    assert f(x, out=out2, **kw) is out2
    np.testing.assert_allclose(out2, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    swapped = np.full(shape, 7, dtype=np.dtype(dtype).newbyteorder())   # non-native byte order
    assert f(x, out=swapped, **kw) is swapped
    assert_close(swapped, ref, 16)
    wrong = np.float64 if np.dtype(dtype).kind == "c" else np.int64
    with pytest.raises(TypeError, match="cannot cast"):
        f(x, out=np.empty(shape, wrong), **kw)
    with pytest.raises(TypeError, match="out must be"):
        f(x, out=[0] * shape[-1], **kw)


def test_out_single_and_strided():
    x = crandn(4, 8, dtype=np.complex64)
    out = np.empty((8, 4), np.complex64).T  # non-contiguous out
    res = bttbfft.fft(x, out=out)
    assert res is out
    assert_close(out, np.fft.fft(x.astype(complex)), 8, True)


def test_out_is_input():
    x = crandn(3, 16)
    ref = np.fft.fft(x)
    res = bttbfft.fft(x, out=x)
    assert res is x
    assert_close(x, ref, 16)


def test_overwrite_x():
    x = crandn(3, 16)
    ref = np.fft.fft(x)
    y = bttbfft.fft(x.copy(), overwrite_x=True)
    assert_close(y, ref, 16)
    z = x.copy()
    y = bttbfft.ifft(z, overwrite_x=True)
    assert_close(y, np.fft.ifft(x), 16)
    # a dtype that needs conversion: the input must stay intact
    xr = randn(3, 16)
    y = unchanged(bttbfft.fft, xr, overwrite_x=True)
    assert_close(y, np.fft.fft(xr), 16)
    # cropping/padding with overwrite_x
    y = bttbfft.fft(x.copy(), 20, overwrite_x=True)
    assert_close(y, np.fft.fft(x, 20), 20)
    # read-only input with overwrite_x: must not fail
    ro = x.copy()
    ro.flags.writeable = False
    assert_close(bttbfft.fft(ro, overwrite_x=True), ref, 16)
    np.testing.assert_array_equal(ro, x)
    # n-d
    y = bttbfft.fftn(x.copy(), overwrite_x=True)
    assert_close(y, np.fft.fftn(x), 16)
    y = bttbfft.irfftn(x.copy(), overwrite_x=True)
    assert_close(y, np.fft.irfftn(x), 16)
    y = bttbfft.rfftn(xr.copy(), overwrite_x=True)
    assert_close(y, np.fft.rfftn(xr), 16)


@pytest.mark.parametrize("shape,axis", [((64, 512), -1), ((512, 64), 0), ((3, 40, 256), 1),
                                        ((2, 2, 8192), -1), ((96, 300), -1), ((1024, 37), 0),
                                        # 6 MiB: each thread fills and transforms its chunk in
                                        # cache-sized blocks of rows
                                        ((384, 1024), -1)])
def test_workers_identical(shape, axis):
    x = crandn(*shape)
    xr = x.real.copy()
    n = shape[axis]
    ref = {
        "fft": bttbfft.fft(x, axis=axis, workers=1),
        "ifft": bttbfft.ifft(x, axis=axis, workers=1),
        "rfft": bttbfft.rfft(xr, axis=axis, workers=1),
        "irfft": bttbfft.irfft(x, axis=axis, workers=1),
        "fftn": bttbfft.fftn(x, workers=1),
        "rfftn": bttbfft.rfftn(xr, workers=1),
        "irfftn": bttbfft.irfftn(x, workers=1),
        "ifftn": bttbfft.ifftn(x, workers=1),
        "irfft2": bttbfft.irfft2(x, axes=(0, -1), workers=1),
    }
    # serial results are right (checked against numpy) ...
    assert_close(ref["fft"], np.fft.fft(x, axis=axis), n)
    assert_close(ref["rfft"], np.fft.rfft(xr, axis=axis), n)
    assert_close(ref["irfft"], np.fft.irfft(x, axis=axis), n)
    assert_close(ref["fftn"], np.fft.fftn(x), max(shape))
    assert_close(ref["rfftn"], np.fft.rfftn(xr), max(shape))
    assert_close(ref["irfftn"], np.fft.irfftn(x), max(shape))
    assert_close(ref["ifftn"], np.fft.ifftn(x), max(shape))
    assert_close(ref["irfft2"], np.fft.irfft2(x, axes=(0, -1)), max(shape))
    # ... and every worker count gives bit-identical results
    for w in (2, -1, 3):
        np.testing.assert_array_equal(bttbfft.fft(x, axis=axis, workers=w), ref["fft"])
        np.testing.assert_array_equal(bttbfft.ifft(x, axis=axis, workers=w), ref["ifft"])
        np.testing.assert_array_equal(bttbfft.rfft(xr, axis=axis, workers=w), ref["rfft"])
        np.testing.assert_array_equal(bttbfft.irfft(x, axis=axis, workers=w), ref["irfft"])
        np.testing.assert_array_equal(bttbfft.fftn(x, workers=w), ref["fftn"])
        np.testing.assert_array_equal(bttbfft.rfftn(xr, workers=w), ref["rfftn"])
        np.testing.assert_array_equal(bttbfft.irfftn(x, workers=w), ref["irfftn"])
        np.testing.assert_array_equal(bttbfft.ifftn(x, workers=w), ref["ifftn"])
        np.testing.assert_array_equal(bttbfft.irfft2(x, axes=(0, -1), workers=w), ref["irfft2"])


@pytest.mark.parametrize("shape", [(2, 1), (2, 8), (8, 8), (4, 64), (64, 4), (16, 512),
                                   (512, 16), (128, 256), (256, 128),
                                   (256, 512)])  # 2^17 elements: threads split the work
def test_fft2_fused_rows_bit_identical(shape):
    """The compiled backend's 2-D path (rows fused with the column bit reversal and first pass)
    gives bit for bit the per-axis transforms, for every norm, direction, worker count and out=;
    the pure-Python backend runs the same checks (it has no fused path)."""
    from bttbfft import _workers
    x = crandn(*shape)
    assert _workers.fused2d_ok(x) == (_backend.name == "c")
    n = max(shape)
    for norm in (None, "ortho", "forward"):
        for f, f1, nf in ((bttbfft.fft2, bttbfft.fft, np.fft.fft2),
                          (bttbfft.ifft2, bttbfft.ifft, np.fft.ifft2)):
            ref = f1(f1(x, axis=1, norm=norm), axis=0, norm=norm)
            got = f(x, norm=norm)
            np.testing.assert_array_equal(got, ref)
            assert_close(got, nf(x, norm=norm), n)
            for w in (2, 3):
                np.testing.assert_array_equal(f(x, norm=norm, workers=w), ref)
            out = np.full(shape, np.nan + 0j)
            assert f(x, norm=norm, out=out) is out
            np.testing.assert_array_equal(out, ref)
            np.testing.assert_array_equal(bttbfft.fftn(x, norm=norm), bttbfft.fft2(x, norm=norm))
    # out= overlapping the input is not taken by the fused path (it needs separate arrays)
    y = x.copy()
    np.testing.assert_array_equal(bttbfft.fft2(y, out=y), bttbfft.fft2(x))


@pytest.mark.parametrize("shape", [(2, 2), (4, 2), (8, 64), (64, 8), (256, 512), (1024, 2048),
                                   (12, 16), (16, 12)])   # not powers of two: not fused
def test_rfft2_fused_rows_bit_identical(shape):
    """The compiled backend's real 2-D path (real row transforms fused with the column bit
    reversal and first pass) gives bit for bit rfft along the rows then fft along the columns,
    for every norm, worker count and out=; close to numpy; float32 input takes the same path
    (rows widened as they are read, rounded once at the end: the bits of the float64 transform
    of the widened input), and s= equal to the shape gives the same bits."""
    from bttbfft import _workers
    if _backend.name != "c" and math.prod(shape) >= 1 << 19:
        pytest.skip("the streamed case concerns the compiled paths only")
    x = randn(*shape)
    fused = (_backend.name == "c" and all(v & (v - 1) == 0 for v in shape))
    assert _workers.fused_r2c_ok(x) == fused
    for norm in (None, "ortho", "forward"):
        ref = bttbfft.rfft(x, axis=1, norm=norm)
        if shape[0] & (shape[0] - 1) == 0:
            bttbfft.fft_inplace(ref, norm=norm, axis=0)
        else:
            ref = bttbfft.fft(ref, axis=0, norm=norm)
        np.testing.assert_array_equal(bttbfft.rfft2(x, norm=norm), ref)
        assert_close(ref, np.fft.rfft2(x, norm=norm), max(shape))
        for w in (2, 3):
            np.testing.assert_array_equal(bttbfft.rfft2(x, norm=norm, workers=w), ref)
        out = np.full(ref.shape, np.nan + 0j)
        assert bttbfft.rfft2(x, norm=norm, out=out, workers=2) is out
        np.testing.assert_array_equal(out, ref)
        np.testing.assert_array_equal(bttbfft.rfftn(x, norm=norm), ref)
    x32 = x.astype(np.float32)
    assert _workers.fused_r2c_ok(x32) == fused
    ref32 = bttbfft.rfft2(x32.astype(np.float64)).astype(np.complex64)
    for w in (None, 2):
        np.testing.assert_array_equal(bttbfft.rfft2(x32, workers=w), ref32)
    assert_close(bttbfft.rfft2(x32), np.fft.rfft2(x), max(shape), single=True)
    np.testing.assert_array_equal(bttbfft.rfft2(x, s=shape), bttbfft.rfft2(x))


def test_fft2_split_column_blocks_bit_identical():
    """2048 rows: the compiled column passes after the fused first pass run on column blocks of
    8 MiB, and those on the rows of each residue modulo the first pass's radix apart (blocks of
    BTTB_COLS_SPLIT = 6 MiB and more); bit for bit the rows then an in-place column transform
    (which runs every pass over all rows of its blocks), for every worker count, and close to
    numpy."""
    if _backend.name != "c":
        pytest.skip("compiled paths only (the pure-Python backend has no fused or blocked pass)")
    from bttbfft import _workers
    x = crandn(2048, 512)
    assert _workers._team_block(x, 2) * 2048 * x.itemsize >= 6 << 20
    for f, f1, nf, inv in ((bttbfft.fft2, bttbfft.fft, np.fft.fft2, False),
                           (bttbfft.ifft2, bttbfft.ifft, np.fft.ifft2, True)):
        ref = f1(x, axis=1)
        bttbfft.fft_inplace(ref, axis=0, inverse=inv)
        assert_close(ref, nf(x), 2048)
        for w in (1, 2, 3):
            np.testing.assert_array_equal(f(x, workers=w), ref)
    xr = randn(2048, 1024)
    ref = bttbfft.rfft(xr, axis=1)
    bttbfft.fft_inplace(ref, axis=0)
    for w in (1, 2):
        np.testing.assert_array_equal(bttbfft.rfft2(xr, workers=w), ref)


def test_fft2_large_streamed_and_dynamic_parts_bit_identical():
    """A 16 MiB output: the compiled fused row pass builds each group of rows in scratch and
    streams it out, and with workers the row groups and column blocks go to whichever thread is
    free; all of it bit for bit the per-axis transforms (and numpy's values)."""
    if _backend.name != "c":
        pytest.skip("compiled paths only (the pure-Python backend has no fused or blocked pass)")
    x = crandn(1024, 1024)
    for f, f1, nf in ((bttbfft.fft2, bttbfft.fft, np.fft.fft2), (bttbfft.ifft2, bttbfft.ifft, np.fft.ifft2)):
        ref = f1(f1(x, axis=1), axis=0)
        assert_close(ref, nf(x), 1024)
        for w in (1, 2, 3):
            np.testing.assert_array_equal(f(x, workers=w), ref)
        out = np.full(x.shape, np.nan + 0j)
        assert f(x, out=out, workers=2) is out
        np.testing.assert_array_equal(out, ref)
    # the row pass without the scratch (out written directly): the same bits
    a, b = np.empty_like(x), np.empty_like(x)
    _backend.fft.fft2_rows_colfirst(x, a, False, 1.0, 1.0, 0, 1, True)
    _backend.fft.fft2_rows_colfirst(x, b, False, 1.0, 1.0, 0, 1, False)
    np.testing.assert_array_equal(a, b)
    # parts claimed from a shared counter: one call (no threads) takes them all; same bits
    c = np.zeros(1, dtype=np.uintp)
    _backend.fft.fft2_rows_colfirst(x, b, False, 1.0, 1.0, 0, 5, True, c)
    np.testing.assert_array_equal(b, a)
    assert c[0] == 6   # the five parts and the claim that found none left
    ref = a.copy()
    _backend.fft.c2c_cols_rest(ref, False, 1.0)
    c[0] = 0
    _backend.fft.c2c_cols_rest(a, False, 1.0, 100, c)   # blocks of 100 columns, the last 24
    np.testing.assert_array_equal(a, ref)
    with pytest.raises(ValueError, match="counter"):
        _backend.fft.fft2_rows_colfirst(x, b, False, 1.0, 1.0, 0, 2, True,
                                        np.zeros(1, dtype=np.int32))
    # arrays the C call could overrun are refused before it runs
    g = _backend.fft.fft2_rows_colfirst
    for bad in (np.empty((1024, 1023), complex), np.empty((1024, 1024), np.complex64),
                np.empty((1024 * 1024,), complex), x):
        with pytest.raises(ValueError):
            g(x, bad, False, 1.0, 1.0, 0, 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        g(x, np.empty((1024, 1024), complex).T, False, 1.0, 1.0, 0, 1)
    xr = x.real.copy()
    with pytest.raises(ValueError, match="out must be"):
        g(xr, b, False, 1.0, 1.0, 0, 1)   # real rows give 513 columns
    with pytest.raises(ValueError, match="rows=False"):
        g(xr, np.empty((1024, 513), complex), False, 1.0, 1.0, 0, 1, True, None, False)
    with pytest.raises(ValueError, match="2-D"):
        _backend.fft.c2c_cols_rest(np.empty(8, complex), False, 1.0)
    with pytest.raises(ValueError, match="block"):
        _backend.fft.c2c_cols_rest(a, False, 1.0, 0, np.zeros(1, dtype=np.uintp))


@pytest.mark.parametrize("real", [False, True])
def test_fft2_team_call(real):
    """fft2_team: each thread of a team runs both passes of a 2-D transform in one call, with a
    barrier in C between them.  Bit for bit the serial transform when the helper starts first
    (and waits at the barrier), when it starts after the leader has finished (it returns at once
    and touches nothing), with 3 threads, with rows=False, and through the public API without
    the team (the two-hand-off path it replaced)."""
    import threading
    import time

    from bttbfft import _workers
    if _backend.name != "c":
        pytest.skip("compiled backend only")
    team = _backend.fft.fft2_team
    x = crandn(256, 512)
    if real:
        x = x.real.copy()
    ref = bttbfft.rfft2(x, workers=1) if real else bttbfft.fft2(x, workers=1)
    shape, b = ref.shape, 64
    # the leader alone: it closes the team, so a helper arriving later returns at once
    out, state = np.full(shape, np.nan + 0j), np.zeros(4, dtype=np.uintp)
    team(x, out, False, 1.0, 1.0, 4, b, state, True)
    np.testing.assert_array_equal(out, ref)
    assert state[3] == np.uintp(1 << 63) | np.uintp(1) and state[2] == 1
    late = np.full(shape, 7.0 + 0j)
    team(x, late, False, 1.0, 1.0, 4, b, state, False)
    assert np.all(late == 7.0)
    # a helper that starts first: it takes every row part, then waits for the leader
    out, state = np.full(shape, np.nan + 0j), np.zeros(4, dtype=np.uintp)
    th = threading.Thread(target=team, args=(x, out, False, 1.0, 1.0, 4, b, state, False),
                          daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while state[2] != 1 and time.monotonic() < deadline:   # the helper is at the barrier
        time.sleep(0.001)
    assert state[2] == 1 and state[0] >= 4
    team(x, out, False, 1.0, 1.0, 4, b, state, True)
    th.join()
    np.testing.assert_array_equal(out, ref)
    # three threads through the pool; and the public API with the team switched off
    for k in (2, 3):
        out, state = np.full(shape, np.nan + 0j), np.zeros(4, dtype=np.uintp)
        _workers._run([lambda: team(x, out, False, 1.0, 1.0, 8, b, state, True)]
                      + [lambda: team(x, out, False, 1.0, 1.0, 8, b, state, False)] * (k - 1), k)
        np.testing.assert_array_equal(out, ref)
    f2 = bttbfft.rfft2 if real else bttbfft.fft2
    min_team = _workers._MIN_TEAM
    try:
        _workers._MIN_TEAM = 1   # threads at this size too (the default starts at 2^19 outputs)
        _workers._TEAM = False
        np.testing.assert_array_equal(f2(x, workers=2), ref)
        _workers._TEAM = True
        np.testing.assert_array_equal(f2(x, workers=2), ref)
    finally:
        _workers._TEAM = True
        _workers._MIN_TEAM = min_team
    np.testing.assert_array_equal(f2(x, workers=2), ref)
    if not real:   # rows=False: the transform along axis 0 alone
        ref0 = bttbfft.fft(x, axis=0, workers=1)
        out, state = np.empty_like(x), np.zeros(4, dtype=np.uintp)
        team(x, out, False, 1.0, 1.0, 2, b, state, True, True, False)
        np.testing.assert_array_equal(out, ref0)
    with pytest.raises(ValueError, match="state"):
        team(x, np.empty(shape, complex), False, 1.0, 1.0, 4, b, np.zeros(3, np.uintp), True)
    with pytest.raises(ValueError, match="block"):
        team(x, np.empty(shape, complex), False, 1.0, 1.0, 4, 0, np.zeros(4, np.uintp), True)


@pytest.mark.parametrize("shape", [(2, 1), (8, 1), (8, 3), (64, 5, 3), (4, 8, 2), (256, 512),
                                   (1024, 1024),   # 16 MiB: the streamed first pass
                                   (16, 40000),    # rows too long for the fused pass
                                   (12, 8)])       # not a power of two along axis 0
def test_fft_axis0_fused_columns_bit_identical(shape):
    """A transform along axis 0 into a new or given array: the compiled backend copies the rows
    in bit-reversed order, combined by the first column pass, and completes the columns; bit for
    bit the copy transformed in place (fft_inplace), for every norm, direction, worker count and
    out=, and close to numpy."""
    from bttbfft import _workers
    if _backend.name != "c" and math.prod(shape) >= 1 << 19:
        pytest.skip("the streamed and long-row cases concern the compiled paths only")
    x = crandn(*shape)
    fused = (_backend.name == "c" and shape[0] & (shape[0] - 1) == 0
             and x.size // shape[0] <= 32768)
    assert _workers.fused_cols_ok(x, np.empty_like(x)) == fused
    for norm in (None, "ortho", "forward"):
        for f, nf in ((bttbfft.fft, np.fft.fft), (bttbfft.ifft, np.fft.ifft)):
            ref = x.copy()   # out= the input: transformed in place, never the fused path
            assert f(ref, axis=0, norm=norm, out=ref) is ref
            got = f(x, axis=0, norm=norm)
            np.testing.assert_array_equal(got, ref)
            assert_close(got, nf(x, axis=0, norm=norm), shape[0])
            for w in (2, 3):
                np.testing.assert_array_equal(f(x, axis=0, norm=norm, workers=w), ref)
            out = np.full(shape, np.nan + 0j)
            assert f(x, axis=0, norm=norm, out=out, workers=2) is out
            np.testing.assert_array_equal(out, ref)
    ref = bttbfft.fft(x, axis=0)
    if shape[0] & (shape[0] - 1) == 0:
        y = x.copy()
        np.testing.assert_array_equal(bttbfft.fft_inplace(y, axis=0), ref)
    # not taken by the fused path: out= the input itself, a Fortran-ordered input, complex64
    y = x.copy()
    assert not _workers.fused_cols_ok(y, y)
    xf = np.asfortranarray(x)
    np.testing.assert_array_equal(bttbfft.fft(xf, axis=0), ref)
    # an output whose trailing axes have length one: C-contiguous for numpy whatever its strides
    if x.size == shape[0]:
        out = np.full(shape[::-1], np.nan + 0j).T
        assert bttbfft.fft(x, axis=0, out=out) is out
        np.testing.assert_array_equal(out, ref)
        if x.ndim == 2:
            np.testing.assert_array_equal(bttbfft.fft2(x, out=out), bttbfft.fft2(x))
    assert _workers.fused_cols_ok(xf, np.empty_like(x)) == (fused and xf.flags.c_contiguous)
    x64 = x.astype(np.complex64)
    assert not _workers.fused_cols_ok(x64, np.empty(shape, np.complex64))
    assert_close(bttbfft.fft(x64, axis=0), np.fft.fft(x64.astype(complex), axis=0), shape[0],
                 single=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_real_primitives_write_into_out(dtype):
    """The backend's r2c/c2r primitives with out=: the same values as a new array, written into
    out (directly when the axis is the last one and out is C-contiguous, else copied) and
    returned; a wrong shape is refused."""
    f = _backend.fft
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    x = randn(6, 16, dtype=dtype)
    for axis in (1, 0):
        ref = f.r2c(x, axis, 0.5)
        assert ref.dtype == cdt
        np.testing.assert_allclose(ref, 0.5 * np.fft.rfft(x.astype(np.float64), axis=axis),
                                   rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
        for out in (np.full(ref.shape, np.nan, dtype=cdt),
                    np.full(ref.shape[::-1], np.nan, dtype=cdt).T):   # not C-contiguous
            assert f.r2c(x, axis, 0.5, out) is out
            np.testing.assert_array_equal(out, ref)
        n = x.shape[axis]
        back = f.c2r(ref, n, axis, 2.0 / n)
        np.testing.assert_allclose(back, x, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                   atol=1e-5)
        out = np.full(back.shape, np.nan, dtype=dtype)
        assert f.c2r(ref, n, axis, 2.0 / n, out) is out
        np.testing.assert_array_equal(out, back)
    with pytest.raises(ValueError):
        f.r2c(x, 1, 1.0, np.empty((6, 8), dtype=cdt))
    with pytest.raises(ValueError):
        f.r2c(x, 1, 1.0, np.empty((2, 6, 9), dtype=cdt))   # no broadcasting either
    with pytest.raises(ValueError):
        f.c2r(f.r2c(x, 1, 1.0), 16, 1, 1.0, np.empty((6, 15), dtype=dtype))
    with pytest.raises(ValueError):
        f.c2r(f.r2c(x, 1, 1.0), 14, 1, 1.0)   # 9 entries along the axis are not 14//2 + 1
    ref = f.r2c(x, 1, 1.0)
    np.testing.assert_array_equal(f.r2c(x, -1, 1.0, np.empty_like(ref)), ref)   # axis -1
    # an out that overlaps the input: the result is still right (computed apart, then copied)
    buf = np.zeros(6 * 18, dtype=dtype)
    xin = buf[:96].reshape(6, 16)
    xin[...] = x
    out = buf.view(cdt)[:54].reshape(6, 9)
    assert f.r2c(xin, 1, 1.0, out) is out
    np.testing.assert_array_equal(out, ref)


def test_c2c_inplace_claimed_blocks_bit_identical():
    """The compiled in-place primitive taking blocks of adjacent lines from a shared counter (one
    call, or two threads sharing the counter, as workers= does for blocked column passes): bit
    for bit one call on the whole array; a counter without a block, or of the wrong type, is
    refused."""
    if _backend.name != "c":
        pytest.skip("compiled primitive only (the pure-Python backend has no blocked pass)")
    f = _backend.fft.c2c_inplace
    for shape, axis in (((64, 1000), 0), ((32, 3, 500), 0), ((16, 7, 300), 1)):
        x = crandn(*shape)
        ref = x.copy()
        f(ref, axis, True, 0.25)
        y = x.copy()
        c = np.zeros(1, dtype=np.uintp)
        f(y, axis, True, 0.25, 96, c)
        np.testing.assert_array_equal(y, ref)
        assert c[0] == -(-shape[-1] // 96) + 1   # every block, and the claim that found none
        y = x.copy()
        c = np.zeros(1, dtype=np.uintp)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda _: f(y, axis, True, 0.25, 16, c), range(2)))
        np.testing.assert_array_equal(y, ref)
    with pytest.raises(ValueError, match="block"):
        f(x, 0, False, 1.0, 0, np.zeros(1, dtype=np.uintp))
    with pytest.raises(ValueError, match="counter"):
        f(x, 0, False, 1.0, 16, np.zeros(2, dtype=np.uintp))


def test_workers_none_is_serial():
    x = crandn(64, 512)
    np.testing.assert_array_equal(bttbfft.fft(x, workers=None), bttbfft.fft(x, workers=1))
    assert_close(bttbfft.fft(x, workers=None), np.fft.fft(x), 512)


@pytest.mark.parametrize("workers", [2 ** 63, 2 ** 100])
@pytest.mark.parametrize("func", ["fft2", "ifft2", "rfft2", "fftn"])
def test_huge_workers_count(func, workers):
    # the fused 2-D path once queued one task (and one row part) per requested thread:
    # MemoryError at 2**63, OverflowError at 2**100 (the other paths split by the array)
    x = crandn(1024, 1024)        # large enough for the team of threads (_MIN_TEAM)
    if func == "rfft2":
        x = x.real.copy()
    f = getattr(bttbfft, func)
    np.testing.assert_array_equal(f(x, workers=workers), f(x, workers=1))


@pytest.mark.parametrize("func,shape,axis", [("fft", (65536, 8), -1), ("rfft", (65536, 16), -1),
                                             ("fft", (16, 65536), 0), ("ifftn", (512, 384), None),
                                             ("irfft", (4096, 64), -1)])
def test_huge_workers_tasks_bounded_by_pool(func, shape, axis, monkeypatch):
    # a batch split by workers made min(workers, rows) pieces: workers=10**6 on 65536 rows queued
    # 65536 tasks (1700x the time of one thread); never more pieces than the pool has threads
    from bttbfft import _workers
    sizes = []
    run = _workers._run
    monkeypatch.setattr(_workers, "_run", lambda tasks, k: (sizes.append(len(tasks)),
                                                              run(tasks, k))[1])
    x = crandn(*shape)
    if func == "rfft":
        x = x.real.copy()
    f = getattr(bttbfft, func)
    kw = {"axes": None} if axis is None else {"axis": axis}
    np.testing.assert_array_equal(f(x, workers=10 ** 6, **kw), f(x, workers=1, **kw))
    assert sizes and max(sizes) <= _workers._pool_size(), (sizes[:5], _workers._pool_size())


# ----------------------------------------------------------------------------------------------
# memory layouts
# ----------------------------------------------------------------------------------------------
def test_noncontiguous_and_negative_strides():
    base = crandn(12, 40)
    views = [base[:, ::3], base[::-1, ::-2], base[::2, 5:37], base.T, base[:, ::-1],
             np.asfortranarray(base)]
    for v in views:
        n = v.shape[-1]
        vr = v.real
        assert_close(unchanged(bttbfft.fft, v), np.fft.fft(v), n)
        assert_close(unchanged(bttbfft.ifft, v, axis=0), np.fft.ifft(v, axis=0), v.shape[0])
        assert_close(unchanged(bttbfft.rfft, vr), np.fft.rfft(vr), n)
        assert_close(unchanged(bttbfft.rfft, vr, axis=0), np.fft.rfft(vr, axis=0), n)
        assert_close(unchanged(bttbfft.irfft, v), np.fft.irfft(v), n)
        assert_close(unchanged(bttbfft.fft2, v), np.fft.fft2(v), n)
        assert_close(unchanged(bttbfft.rfft2, vr), np.fft.rfft2(vr), n)
        assert_close(unchanged(bttbfft.irfft2, v), np.fft.irfft2(v), n)


def test_fortran_order_3d():
    x = np.asfortranarray(crandn(8, 6, 16))
    xr = np.asfortranarray(x.real)
    for ax in (0, 1, 2):
        assert_close(bttbfft.fft(x, axis=ax), np.fft.fft(x, axis=ax), 16)
        assert_close(bttbfft.rfft(xr, axis=ax), np.fft.rfft(xr, axis=ax), 16)
    assert_close(bttbfft.fftn(x), np.fft.fftn(x), 16)
    assert_close(bttbfft.rfftn(xr), np.fft.rfftn(xr), 16)
    assert_close(bttbfft.irfftn(x), np.fft.irfftn(x), 16)


def test_zero_size_batch():
    x = np.zeros((0, 8), complex)
    for f in (bttbfft.fft, bttbfft.ifft):
        y = f(x)
        assert y.shape == (0, 8) and y.dtype == np.complex128
    assert bttbfft.rfft(np.zeros((0, 8))).shape == (0, 5)
    assert bttbfft.irfft(np.zeros((0, 5), complex)).shape == (0, 8)
    assert bttbfft.fftn(np.zeros((0, 4)), axes=(1,)).shape == (0, 4)


# ----------------------------------------------------------------------------------------------
# radix-2 primitives
# ----------------------------------------------------------------------------------------------
def _pure_bitrev(n):
    bits = n.bit_length() - 1
    return [int(format(i, f"0{bits}b")[::-1], 2) if bits else 0 for i in range(n)]


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 64, 1024, 4096])
def test_bit_reverse_indices(n):
    idx = bttbfft.bit_reverse_indices(n)
    assert idx.dtype == np.intp and idx.shape == (n,)
    np.testing.assert_array_equal(idx, _pure_bitrev(n))


def _random_array(shape, dtype):
    dt = np.dtype(dtype)
    count = int(np.prod(shape))
    return np.frombuffer(RNG.bytes(count * dt.itemsize), dtype=dt).reshape(shape).copy()


def _same_bytes(a, b):
    return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float64, np.complex64, np.complex128,
                                   np.dtype("V3"), np.dtype([("a", "i4"), ("b", "f8")])])
def test_bit_reverse(dtype):
    for n in (1, 2, 4, 64, 1024):
        perm = np.array(_pure_bitrev(n))
        x = _random_array((3, n), dtype)
        expected = x[:, perm].copy()
        res = bttbfft.bit_reverse(x)
        assert res is x
        assert _same_bytes(x, expected)
        # along axis 0 of a non-contiguous view
        y = _random_array((n, 5), dtype)
        view = y[:, ::2]
        expected = view[perm, :].copy()
        untouched = y[:, 1::2].copy()
        assert bttbfft.bit_reverse(view, axis=0) is view
        assert _same_bytes(view, expected)
        assert _same_bytes(y[:, 1::2], untouched)
        # negative strides
        z = _random_array((2, n), dtype)[:, ::-1]
        expected = z[:, perm].copy()
        bttbfft.bit_reverse(z, axis=-1)
        assert _same_bytes(z, expected)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("inverse", [False, True])
def test_fft_inplace(dtype, norm, inverse):
    single = dtype == np.complex64
    for n in (1, 2, 8, 1024):
        x = crandn(3, n, dtype=dtype)
        ref_f = np.fft.ifft if inverse else np.fft.fft
        ref = ref_f(x.astype(np.complex128), norm=norm)
        y = x.copy()
        res = bttbfft.fft_inplace(y, inverse=inverse, norm=norm)
        assert res is y and y.dtype == dtype
        assert_close(y, ref, n, single)
        # along axis 0, through a strided view
        x2 = crandn(n, 6, dtype=dtype)
        buf = x2.copy()
        view = buf[:, ::2]
        res = bttbfft.fft_inplace(view, inverse=inverse, norm=norm, axis=0)
        assert res is view
        assert_close(view, ref_f(x2[:, ::2].astype(np.complex128), axis=0, norm=norm), n, single)
        np.testing.assert_array_equal(buf[:, 1::2], x2[:, 1::2])  # untouched columns


def test_fft_inplace_roundtrip():
    x = crandn(4096)
    y = x.copy()
    bttbfft.fft_inplace(y)
    bttbfft.fft_inplace(y, inverse=True)
    assert_close(y, x, 4096)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")   # np.matrix
def test_fft_inplace_subclass_and_many_axes():
    # an np.matrix is transformed through a plain view of its memory (the fallback's butterflies
    # reshape to two more axes, which a matrix refuses), and so is an array of 63 axes
    m = np.matrix(crandn(2, 8))
    ref = np.fft.fft(np.asarray(m))
    assert bttbfft.fft_inplace(m) is m and type(m) is np.matrix
    assert_close(np.asarray(m), ref, 8)
    m = np.matrix(crandn(8, 2))
    ref = np.fft.ifft(np.asarray(m), axis=0)
    bttbfft.fft_inplace(m, inverse=True, axis=0)
    assert_close(np.asarray(m), ref, 8)
    x = crandn(8).reshape((1,) * 62 + (8,))
    ref = np.fft.fft(x)
    bttbfft.fft_inplace(x)
    assert_close(x, ref, 8)
    y = np.arange(8).reshape((1,) * 62 + (8,))
    bttbfft.bit_reverse(y)
    np.testing.assert_array_equal(y.ravel(), [0, 4, 2, 6, 1, 5, 3, 7])


def _shared_views():
    """Writeable arrays some of whose elements share memory: (name, array, its base)."""
    one = crandn(1)
    base = crandn(12)
    return [("zero stride", np.lib.stride_tricks.as_strided(one, (4,), (0,)), one),
            ("zero stride, 2-D", np.lib.stride_tricks.as_strided(base, (4, 8), (0, 16)), base),
            ("sliding window", np.lib.stride_tricks.sliding_window_view(base, 8, writeable=True),
             base)]


@pytest.mark.parametrize("case", range(3))
def test_inplace_primitives_refuse_shared_elements(case):
    name, x, base = _shared_views()[case]
    before = base.copy()
    for f in (bttbfft.fft_inplace, bttbfft.bit_reverse):
        with pytest.raises(ValueError, match="share memory"):
            f(x)
    np.testing.assert_array_equal(base, before)
    # a strided view whose elements are all apart is still transformed in place
    buf = crandn(4, 16)
    view = buf[::2, ::-2]
    ref = np.fft.fft(view)
    assert bttbfft.fft_inplace(view) is view
    assert_close(view, ref, 8)


@pytest.mark.parametrize("case,fname", [(c, f) for c in range(3)
                                         for f in ("fft", "ifft", "fftn", "ifft2", "irfftn",
                                                   "rfftn")
                                         if not (c == 0 and f == "ifft2")])   # ifft2: 2-D only
def test_overwrite_x_with_shared_elements(case, fname):
    # overwrite_x is a permission: an input whose elements share memory is not reused (its
    # transform computed in place would read values already overwritten)
    name, x, base = _shared_views()[case]
    if fname == "rfftn":   # a real array with the same layout over a real base
        rb = base.real.copy()
        x = np.lib.stride_tricks.as_strided(rb, x.shape, tuple(st // 2 for st in x.strides))
    ref = getattr(np.fft, fname)(x.copy())
    assert_close(getattr(bttbfft, fname)(x, overwrite_x=True), ref, 16)


def _traced_peak(call):
    """tracemalloc peak (bytes) of call()."""
    import tracemalloc
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# every array holds 2**20 complex128 (16 MiB); (make, axis)
_INPLACE_MEMORY_CASES = {
    "1-D": (lambda: crandn(1 << 20), -1),
    "1-D reversed, stride 2": (lambda: crandn(1 << 21)[::-2], -1),
    "2-D axis 0": (lambda: crandn(256, 4096), 0),
    "2-D axis -1": (lambda: crandn(256, 4096), -1),
    "2-D long rows": (lambda: crandn(16, 1 << 16), -1),
    "strided view axis 0": (lambda: crandn(1024, 2048)[::-1, ::2], 0),
    "strided view axis -1": (lambda: crandn(1024, 2048)[::-1, ::2], -1),
}


@pytest.mark.parametrize("case", list(_INPLACE_MEMORY_CASES))
def test_inplace_primitives_allocate_nothing(backend, case):
    """fft_inplace and bit_reverse allocate nothing proportional to the data (SPEC section 2), on
    both backends: once a first call has built the length's plan (twiddles, bit-reversal tables),
    the tracemalloc peak of a call on an array of 2**20 complex128 (16 MiB) stays below
    x.nbytes / 8 = 2 MiB, for any axis and layout.  (The fallback works on chunks of
    _fallback._CHUNK_BYTES = 512 KiB and peaks near 1 MiB; it used to peak at 2.5 times the
    array.)"""
    make, axis = _INPLACE_MEMORY_CASES[case]
    x = make()
    assert x.size == 1 << 20 and x.dtype == np.complex128
    bound = x.nbytes // 8
    x0 = x.copy()
    assert bttbfft.fft_inplace(x, axis=axis) is x  # warms the plan
    assert_close(x, np.fft.fft(x0, axis=axis), x.shape[axis])
    for kw in ({}, {"inverse": True, "norm": "ortho"}):
        bttbfft.fft_inplace(x, axis=axis, **kw)  # (the inverse has a plan of its own)
        peak = _traced_peak(lambda: bttbfft.fft_inplace(x, axis=axis, **kw))
        assert peak < bound, (case, kw, peak, bound)
    x0 = x.copy()
    assert bttbfft.bit_reverse(x, axis=axis) is x  # warms the index tables
    perm = bttbfft.bit_reverse_indices(x.shape[axis])
    np.testing.assert_array_equal(x, np.take(x0, perm, axis=axis))
    peak = _traced_peak(lambda: bttbfft.bit_reverse(x, axis=axis))
    assert peak < bound, (case, "bit_reverse", peak, bound)


@pytest.mark.parametrize("n,expected", [(1, 1), (2, 2), (3, 4), (5, 8), (1023, 1024),
                                        (1024, 1024), (1025, 2048), (2 ** 40 + 1, 2 ** 41),
                                        (np.int64(100), 128), (np.uint8(7), 8)])
def test_next_pow2(n, expected):
    got = bttbfft.next_pow2(n)
    assert got == expected and type(got) is int


# ----------------------------------------------------------------------------------------------
# helpers: fftfreq, rfftfreq, fftshift, ifftshift
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 8, 9, 100])
@pytest.mark.parametrize("d", [1.0, 0.1, 3])
def test_freqs(n, d):
    np.testing.assert_array_equal(bttbfft.fftfreq(n, d), np.fft.fftfreq(n, d))
    np.testing.assert_array_equal(bttbfft.rfftfreq(n, d), np.fft.rfftfreq(n, d))
    np.testing.assert_array_equal(bttbfft.fftfreq(n, d=d, device="cpu"), np.fft.fftfreq(n, d))


@pytest.mark.parametrize("n", [np.int64(7), np.int32(8), 7])
@pytest.mark.parametrize("d", [np.float32(0.1), 0, np.float64(0.3)])
def test_freqs_numpy_scalars(n, d):
    # numpy computes 1 / (n * d) with n as given (np.int64 * np.float32 is float64; a zero d
    # gives inf/nan with a warning, not ZeroDivisionError)
    with np.errstate(divide="ignore", invalid="ignore"):
        for f in ("fftfreq", "rfftfreq"):
            if type(n) is int and type(d) is int and d == 0:    # Python's 1.0 / 0, in both
                with pytest.raises(ZeroDivisionError):
                    getattr(np.fft, f)(n, d)
                with pytest.raises(ZeroDivisionError):
                    getattr(bttbfft, f)(n, d)
                continue
            ref = getattr(np.fft, f)(n, d)
            res = getattr(bttbfft, f)(n, d)
            assert res.dtype == ref.dtype
            np.testing.assert_array_equal(res, ref)


@pytest.mark.parametrize("axes", [None, 0, 1, -1, (0,), (0, 1), (1, 0), [-1, 0]])
def test_shifts(axes):
    x = np.arange(35).reshape(5, 7)
    np.testing.assert_array_equal(bttbfft.fftshift(x, axes), np.fft.fftshift(x, axes))
    np.testing.assert_array_equal(bttbfft.ifftshift(x, axes), np.fft.ifftshift(x, axes))
    np.testing.assert_array_equal(bttbfft.ifftshift(bttbfft.fftshift(x, axes), axes), x)
    np.testing.assert_array_equal(bttbfft.fftshift([0, 1, 2, -2, -1]), [-2, -1, 0, 1, 2])


# ----------------------------------------------------------------------------------------------
# bad input (SPEC section 7)
# ----------------------------------------------------------------------------------------------
_X = np.arange(8, dtype=np.complex128)
_X2 = np.ones((4, 6))
_RO = np.arange(8, dtype=np.complex128)
_RO.flags.writeable = False

BAD = [
    # (id, callable, exception, message fragment)
    ("fft-none", lambda: bttbfft.fft(None), TypeError, "array-like"),
    ("fft-dict", lambda: bttbfft.fft({"a": 1}), TypeError, "array-like"),
    ("fft-str", lambda: bttbfft.fft("abc"), TypeError, "array-like"),
    ("fft-ragged", lambda: bttbfft.fft([[1, 2], [3]]), TypeError, "array-like"),
    ("fft-object", lambda: bttbfft.fft(np.ones(4, object)), TypeError, "unsupported dtype"),
    ("fft-clongdouble", lambda: bttbfft.fft(np.ones(4, np.clongdouble)), TypeError,
     "unsupported dtype"),
    ("fft-unicode", lambda: bttbfft.fft(np.array(["a", "b"])), TypeError, "unsupported dtype"),
    ("fft-bytes", lambda: bttbfft.fft(np.array([b"a", b"b"])), TypeError, "unsupported dtype"),
    ("fft-datetime", lambda: bttbfft.fft(np.zeros(4, "M8[s]")), TypeError, "unsupported dtype"),
    ("fft-timedelta", lambda: bttbfft.fft(np.zeros(4, "m8[s]")), TypeError,
     "unsupported dtype"),
    ("fft-void", lambda: bttbfft.fft(np.zeros(4, "V8")), TypeError, "unsupported dtype"),
    ("rfft-object", lambda: bttbfft.rfft(np.ones(4, object)), TypeError, "unsupported dtype"),
    ("irfft-str", lambda: bttbfft.irfft(np.array(["a", "b"])), TypeError, "unsupported dtype"),
    ("fftn-object", lambda: bttbfft.fftn(np.ones((2, 2), object)), TypeError,
     "unsupported dtype"),
    ("rfftn-none", lambda: bttbfft.rfftn(None), TypeError, "array-like"),
    ("rfft-complex", lambda: bttbfft.rfft(_X), TypeError, "real"),
    ("rfftn-complex", lambda: bttbfft.rfftn(_X), TypeError, "real"),
    ("fft-norm", lambda: bttbfft.fft(_X, norm="x"), ValueError,
     "norm must be one of None, 'backward', 'ortho', 'forward'"),
    ("ifft-norm", lambda: bttbfft.ifft(_X, norm="Ortho"), ValueError, "norm must be one of"),
    ("rfft-norm", lambda: bttbfft.rfft(_X.real, norm=1), ValueError, "norm must be one of"),
    ("irfftn-norm", lambda: bttbfft.irfftn(_X2, norm="back"), ValueError, "norm must be one"),
    ("fft2-norm-list", lambda: bttbfft.fft2(_X2, norm=[]), ValueError, "norm must be one of"),
    ("fft-n0", lambda: bttbfft.fft(_X, n=0), ValueError, "Invalid number of FFT data points"),
    ("fft-nneg", lambda: bttbfft.fft(_X, n=-4), ValueError, "Invalid number of FFT data"),
    ("rfft-n0", lambda: bttbfft.rfft(_X.real, n=0), ValueError, "Invalid number of FFT"),
    ("irfft-n0", lambda: bttbfft.irfft(_X, n=0), ValueError, "Invalid number of FFT"),
    ("fft-nfloat", lambda: bttbfft.fft(_X, n=4.0), TypeError, "n must be an integer"),
    ("fft-nbool", lambda: bttbfft.fft(_X, n=True), TypeError, "n must be an integer"),
    ("fft-empty", lambda: bttbfft.fft(np.zeros(0)), ValueError, "Invalid number of FFT"),
    ("ifft-empty", lambda: bttbfft.ifft(np.zeros((3, 0))), ValueError, "Invalid number of"),
    ("rfft-empty", lambda: bttbfft.rfft(np.zeros(0)), ValueError, "Invalid number of FFT"),
    ("irfft-len1", lambda: bttbfft.irfft(np.ones(1)), ValueError, "Invalid number of FFT"),
    ("fftn-empty", lambda: bttbfft.fftn(np.zeros((0, 3))), ValueError, "Invalid number"),
    ("fftn-s0", lambda: bttbfft.fftn(_X2, s=(0, 4), axes=(0, 1)), ValueError,
     "Invalid number of FFT"),
    ("fftn-sfloat", lambda: bttbfft.fftn(_X2, s=(2.0, 4), axes=(0, 1)), TypeError,
     "s must contain integers"),
    ("fftn-s-axes-len", lambda: bttbfft.fftn(_X2, s=(4,), axes=(0, 1)), ValueError,
     "different lengths"),
    ("fft-axis", lambda: bttbfft.fft(_X, axis=1), ValueError, "out of bounds"),
    ("fft-axis-neg", lambda: bttbfft.fft(_X2, axis=-3), ValueError, "out of bounds"),
    ("rfft-axis", lambda: bttbfft.rfft(_X2, axis=2), ValueError, "out of bounds"),
    ("irfft-axis", lambda: bttbfft.irfft(_X2, axis=5), ValueError, "out of bounds"),
    ("fft-axis-float", lambda: bttbfft.fft(_X, axis=0.0), TypeError, "axis must be an integer"),
    ("fftn-axes", lambda: bttbfft.fftn(_X2, axes=(0, 2)), ValueError, "out of bounds"),
    ("rfftn-axes", lambda: bttbfft.rfftn(_X2, axes=(-3,)), ValueError, "out of bounds"),
    ("fft2-axes", lambda: bttbfft.fft2(_X), ValueError, "out of bounds"),
    ("rfftn-noaxes", lambda: bttbfft.rfftn(_X2, axes=()), ValueError, "axes must not be empty"),
    ("irfftn-noaxes", lambda: bttbfft.irfftn(_X2, axes=()), ValueError, "must not be empty"),
    ("fft-0d", lambda: bttbfft.fft(np.float64(3.0)), ValueError, "at least one dimension"),
    ("fft-workers0", lambda: bttbfft.fft(_X, workers=0), ValueError, "workers must be"),
    ("fft-workers-2", lambda: bttbfft.fft(_X, workers=-2), ValueError, "workers must be"),
    ("fftn-workers-float", lambda: bttbfft.fftn(_X2, workers=1.5), TypeError,
     "workers must be"),
    ("rfft-workers-str", lambda: bttbfft.rfft(_X.real, workers="2"), TypeError,
     "workers must be"),
    ("fft-out-shape", lambda: bttbfft.fft(_X, out=np.empty(9, complex)), ValueError,
     "wrong shape"),
    ("fft-out-ndim", lambda: bttbfft.fft(_X, out=np.empty((1, 8), complex)), ValueError,
     "wrong shape"),
    ("fft-out-dtype", lambda: bttbfft.fft(_X, out=np.empty(8, float)), TypeError,
     "cannot cast"),
    ("fft-out-ro", lambda: bttbfft.fft(_X, out=_RO), ValueError, "read-only"),
    ("fft_inplace-real", lambda: bttbfft.fft_inplace(np.ones(8)), TypeError,
     "complex64 or complex128"),
    ("fft_inplace-int", lambda: bttbfft.fft_inplace(np.ones(8, int)), TypeError,
     "complex64 or complex128"),
    ("fft_inplace-object", lambda: bttbfft.fft_inplace(np.ones(8, object)), TypeError,
     "complex64 or complex128"),
    ("fft_inplace-clongdouble", lambda: bttbfft.fft_inplace(np.ones(8, np.clongdouble)),
     TypeError, "complex64 or complex128"),
    ("fft_inplace-list", lambda: bttbfft.fft_inplace([1j, 2j]), TypeError, "ndarray"),
    ("fft_inplace-ro", lambda: bttbfft.fft_inplace(_RO), ValueError, "read-only"),
    ("fft_inplace-len6", lambda: bttbfft.fft_inplace(np.ones(6, complex)), ValueError,
     "power of two"),
    ("fft_inplace-len0", lambda: bttbfft.fft_inplace(np.ones(0, complex)), ValueError,
     "power of two"),
    ("fft_inplace-axis", lambda: bttbfft.fft_inplace(np.ones((3, 8), complex), axis=0),
     ValueError, "power of two"),
    ("fft_inplace-axis-range", lambda: bttbfft.fft_inplace(np.ones(8, complex), axis=1),
     ValueError, "out of bounds"),
    ("fft_inplace-norm", lambda: bttbfft.fft_inplace(np.ones(8, complex), norm="bad"),
     ValueError, "norm must be one of"),
    ("bit_reverse-ro", lambda: bttbfft.bit_reverse(_RO), ValueError, "read-only"),
    ("bit_reverse-len6", lambda: bttbfft.bit_reverse(np.ones(6)), ValueError, "power of two"),
    ("bit_reverse-list", lambda: bttbfft.bit_reverse([1, 2]), TypeError, "ndarray"),
    ("bit_reverse-axis", lambda: bttbfft.bit_reverse(np.ones(8), axis=1), ValueError,
     "out of bounds"),
    ("bit_reverse_indices-6", lambda: bttbfft.bit_reverse_indices(6), ValueError,
     "power of two"),
    ("bit_reverse_indices-0", lambda: bttbfft.bit_reverse_indices(0), ValueError,
     "power of two"),
    ("bit_reverse_indices-float", lambda: bttbfft.bit_reverse_indices(8.0), TypeError,
     "integer"),
    ("bit_reverse_indices-bool", lambda: bttbfft.bit_reverse_indices(True), TypeError,
     "integer"),
    ("next_pow2-0", lambda: bttbfft.next_pow2(0), ValueError, "n must be an integer >= 1"),
    ("next_pow2-neg", lambda: bttbfft.next_pow2(-5), ValueError, "n must be an integer >= 1"),
    ("next_pow2-bool", lambda: bttbfft.next_pow2(True), TypeError, "bool"),
    ("next_pow2-float", lambda: bttbfft.next_pow2(2.5), TypeError, "n must be an integer"),
    ("next_pow2-str", lambda: bttbfft.next_pow2("4"), TypeError, "n must be an integer"),
    ("next_pow2-none", lambda: bttbfft.next_pow2(None), TypeError, "n must be an integer"),
    ("fftfreq-float", lambda: bttbfft.fftfreq(4.0), ValueError, "n should be an integer"),
    ("rfftfreq-float", lambda: bttbfft.rfftfreq(4.5), ValueError, "n should be an integer"),
    ("fftfreq-device", lambda: bttbfft.fftfreq(4, device="gpu"), ValueError, "device"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case):
    _, call, exc, match = case
    if "clongdouble" in case[0] and np.dtype(np.clongdouble).itemsize == 16:
        pytest.skip("clongdouble is complex128 on this platform")
    with pytest.raises(exc, match=match):
        call()


def test_bad_input_leaves_arrays_alone():
    x = np.arange(8.0)
    before = x.copy()
    for call in (lambda: bttbfft.fft(x, norm="x"), lambda: bttbfft.rfft(x, n=0),
                 lambda: bttbfft.fft(x, out=np.empty(3, complex))):
        with pytest.raises((ValueError, TypeError)):
            call()
    np.testing.assert_array_equal(x, before)


# ----------------------------------------------------------------------------------------------
# concurrency
# ----------------------------------------------------------------------------------------------
def test_threads_bit_identical():
    sizes = [16, 100, 1024, 4097, 1 << 14, 243, 2048]
    jobs = []
    for i in range(48):
        n = sizes[i % len(sizes)]
        kind = ("fft", "rfft", "ifft", "irfft")[i % 4]
        if kind == "rfft":
            x = randn(3, n)
        else:
            x = crandn(3, n)
        jobs.append((kind, x))

    def run(job):
        kind, x = job
        return getattr(bttbfft, kind)(x)

    serial = [run(j) for j in jobs]
    for kind, x in jobs[:8]:  # the serial results are right
        assert_close(run((kind, x)), getattr(np.fft, kind)(x), x.shape[-1])
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            threaded = list(pool.map(run, jobs))
            for a, b in zip(threaded, serial):
                np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------------------------
# the backend switch of the fixture is effective
# ----------------------------------------------------------------------------------------------
def test_backend_switch(backend):
    assert bttbfft.backend == backend
    assert _backend.fft.name == backend


def test_fallback_never_calls_numpy_fft(backend, monkeypatch):
    if backend != "python":
        pytest.skip("checks the pure-Python backend")
    x = crandn(3, 20)
    xr = x.real.copy()
    cases = [("fft", x, 20), ("ifft", x, 16), ("rfft", xr, 20), ("irfft", x, 17),
             ("fftn", x, None), ("rfftn", xr, None), ("irfftn", x, None)]
    refs = [getattr(np.fft, f)(a) if n is None else getattr(np.fft, f)(a, n)
            for f, a, n in cases]

    def boom(*args, **kwargs):
        raise AssertionError("numpy.fft / scipy.fft called by the fallback")

    names = ["fft", "ifft", "rfft", "irfft", "fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2",
             "rfft2", "irfft2"]
    for name in names:
        monkeypatch.setattr(np.fft, name, boom)
    try:
        import scipy.fft as sfft
    except ImportError:
        sfft = None
    if sfft is not None:
        for name in names:
            monkeypatch.setattr(sfft, name, boom)
    got = [getattr(bttbfft, f)(a) if n is None else getattr(bttbfft, f)(a, n)
           for f, a, n in cases]
    monkeypatch.undo()
    for g, r in zip(got, refs):
        assert_close(g, r, 20)


# ----------------------------------------------------------------------------------------------
# compiled entry points (bttbfft._core.fft_inplace/fft/rfft): the public names with the compiled
# extension; they must give exactly what the shared Python functions give, for the plain calls
# they run themselves and for every call they hand on
# ----------------------------------------------------------------------------------------------
def _entry_point_cases():
    rng = np.random.default_rng(42)
    c = rng.standard_normal(64) + 1j * rng.standard_normal(64)
    r = rng.standard_normal(64)
    o = np.empty(33, np.complex128)
    big = np.empty(40, np.complex128)
    return [
        ("fft", (c,), {}),                                   # plain: run by the entry point
        ("fft", (c[:37].copy(),), {}),                       # Bluestein length
        ("fft", (c[::2],), {}),                              # strided: handed on
        ("fft", (c.astype(np.complex64),), {}),              # single precision: handed on
        ("fft", (c,), {"norm": "ortho"}),
        ("fft", (c,), {"n": 50}),
        ("fft", (c.astype(c.dtype.newbyteorder()),), {}),    # big-endian
        ("rfft", (r,), {}),
        ("rfft", (r[:45].copy(),), {}),
        ("rfft", (r,), {"out": o}),
        ("rfft", (r,), {"out": big.view(np.float64)[:66].view(np.complex128)}),
        ("rfft", (r.astype(np.float32),), {}),
        ("rfft", (r[::2],), {}),
        ("fft_inplace", (c.copy(),), {}),
        ("fft_inplace", (c.copy(),), {"inverse": True}),
        ("fft_inplace", (c.astype(np.complex64),), {"inverse": True}),
        ("fft_inplace", (c.copy(),), {"norm": "forward"}),
        ("fft_inplace", (c.reshape(8, 8).copy(),), {"axis": 0}),
    ]


@pytest.mark.parametrize("i", range(18))
def test_compiled_entry_points_match_python(backend, i):
    from bttbfft import _fft
    name, args, kwargs = _entry_point_cases()[i]
    public = getattr(bttbfft, name)
    python = getattr(_fft, "_py_" + name)
    if backend == "c":
        assert public is getattr(_backend.fft, name), "the compiled entry point is not in use"
    ours = public(*[a.copy() for a in args], **kwargs)
    ref = python(*[a.copy() for a in args], **kwargs)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)
    assert public.__doc__ == python.__doc__


@pytest.mark.parametrize("name,args,kwargs,exc,msg", [
    ("fft_inplace", (np.zeros(6, complex),), {}, ValueError, "power of two"),
    ("fft_inplace", (np.zeros(8),), {}, TypeError, "complex64 or complex128"),
    ("fft_inplace", ([0j] * 8,), {}, TypeError, "numpy.ndarray"),
    ("fft", (np.zeros(0, complex),), {}, ValueError, "number of FFT data points"),
    ("rfft", (np.zeros(8),), {"out": np.zeros(4, complex)}, ValueError, "wrong shape"),
])
def test_compiled_entry_points_errors(backend, name, args, kwargs, exc, msg):
    # the entry points hand every call they do not run themselves to the Python function, so the
    # errors are the shared ones
    x = args[0]
    if isinstance(x, np.ndarray):
        before = x.copy()
    ro = np.zeros(8, complex)
    ro.flags.writeable = False
    with pytest.raises(exc, match=msg):
        getattr(bttbfft, name)(*args, **kwargs)
    with pytest.raises(ValueError, match="read-only"):
        bttbfft.fft_inplace(ro)
    if isinstance(x, np.ndarray):
        np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("n", [1, 2, 8, 16, 256, 1024, 12, 100])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("inverse", [False, True])
def test_c2c_rows_primitive(backend, n, dtype, inverse):
    # each row gets exactly what c2c_contig gives it; the input is not modified
    rng = np.random.default_rng(n)
    x = (rng.standard_normal((5, n)) + 1j * rng.standard_normal((5, n))).astype(dtype)
    before = x.copy()
    out = np.empty_like(x)
    scale = 1.0 / n if inverse else 1.0
    _backend.fft.c2c_rows(x, out, inverse, scale)
    np.testing.assert_array_equal(x, before)
    for i in range(5):
        row = np.empty_like(x[i])
        _backend.fft.c2c_contig(x[i], row, inverse, scale)
        np.testing.assert_array_equal(out[i], row)
    ref = np.fft.ifft(x.astype(np.complex128)) if inverse else np.fft.fft(x.astype(np.complex128))
    assert_close(out, ref, n, dtype == np.complex64)


def test_rows_of_2d_match_1d_bits():
    # fft/fft2 of a 2-D array transform their rows like the 1-D fast path, bit for bit
    x = crandn(6, 512)
    rows = bttbfft.fft(x, norm="ortho")
    for i in range(6):
        np.testing.assert_array_equal(rows[i], bttbfft.fft(x[i], norm="ortho"))
    np.testing.assert_array_equal(bttbfft.fft2(x), bttbfft.fft(bttbfft.fft(x), axis=0))


# ----------------------------------------------------------------------------------------------
# single precision along the last axis: computed in double block by block, rounded once
# ----------------------------------------------------------------------------------------------
def _via_double_cases(x, xr, kw):
    """(name, result, reference) for each single-precision family: the reference widens the whole
    array to double, transforms it and rounds the result once (the documented semantics)."""
    X, XR = x.astype(np.complex128), xr.astype(np.float64)
    m = x.shape[-1]
    yield "fft", bttbfft.fft(x, **kw), bttbfft.fft(X, **kw).astype(np.complex64)
    yield "ifft", bttbfft.ifft(x, **kw), bttbfft.ifft(X, **kw).astype(np.complex64)
    yield "fft of float32", bttbfft.fft(xr, **kw), bttbfft.fft(XR, **kw).astype(np.complex64)
    yield "rfft", bttbfft.rfft(xr, **kw), bttbfft.rfft(XR, **kw).astype(np.complex64)
    yield "rfftn", bttbfft.rfftn(xr, **kw), bttbfft.rfftn(XR, **kw).astype(np.complex64)
    if m > 1:
        yield "irfft", bttbfft.irfft(x, **kw), bttbfft.irfft(X, **kw).astype(np.float32)
        yield ("irfft odd n", bttbfft.irfft(x, n=2 * m - 1, **kw),
               bttbfft.irfft(X, n=2 * m - 1, **kw).astype(np.float32))
        yield "irfftn", bttbfft.irfftn(x, **kw), bttbfft.irfftn(X, **kw).astype(np.float32)


@pytest.mark.parametrize("shape", [(16,), (8, 16), (3, 5, 12), (300, 7), (1, 1), (2, 1),
                                   (40, 1024), (5, 1025)])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
@pytest.mark.parametrize("workers", [None, 2])
@pytest.mark.parametrize("block", ["default", None, 2048])
def test_single_precision_rows_via_double(shape, norm, workers, block, monkeypatch):
    """complex64/float32 transforms along the last axis go through double-precision rows or
    blocks of rows (_workers.rows_via_double) once the array is large enough; the result must be
    bit-identical to transforming a full double-precision copy and rounding once, for any block
    size (block=2048 bytes forces many blocks, including one-row blocks of the long rows) and
    any number of workers.  "default": the size threshold as shipped, so these small arrays
    take the plain widen-transform-round path; otherwise the threshold is 0 (path forced)."""
    if block != "default":
        monkeypatch.setattr(_workers, "_VIA_DOUBLE_MIN", 0)
    if block not in ("default", None):
        monkeypatch.setattr(_workers, "_FUSE_BYTES", block)
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    xr = np.ascontiguousarray(x.real)
    kw = {"norm": norm, "workers": workers}
    for name, got, ref in _via_double_cases(x, xr, kw):
        assert got.dtype == ref.dtype and got.shape == ref.shape, name
        np.testing.assert_array_equal(got, ref, err_msg=name)
    # out= receives the same bits; a non-contiguous input takes the other path, same bits too
    o = np.empty(x.shape, np.complex64)
    assert bttbfft.fft(x, out=o, **kw) is o
    np.testing.assert_array_equal(o, bttbfft.fft(x.astype(np.complex128), **kw).astype(o.dtype))
    if x.ndim == 2 and x.shape[0] > 1:
        v = x[::-1]
        np.testing.assert_array_equal(bttbfft.fft(v, **kw),
                                      bttbfft.fft(v.astype(np.complex128), **kw)
                                      .astype(np.complex64))


@pytest.mark.parametrize("shape", [(2, 2), (8, 16), (64, 32), (512, 1024)])
@pytest.mark.parametrize("norm", [None, "ortho"])
@pytest.mark.parametrize("workers", [None, 2])
def test_single_precision_fft2_fused(shape, norm, workers, monkeypatch):
    """complex64 fft2/ifft2/fftn and float32 rfft2 of power-of-two shapes: the compiled
    backend's fused 2-D pass widens the rows as it reads them and works in double (the other
    backend widens the whole array): the result must be bit-identical to transforming a
    double-precision copy and rounding once, with and without out= (also out= the input
    itself), for any workers."""
    seen = []
    real_from = _workers.fft2_from
    monkeypatch.setattr(_workers, "fft2_from",
                        lambda src, *a, **k: (seen.append(src.dtype), real_from(src, *a, **k))[1])
    rng = np.random.default_rng(shape[1])
    x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    X = x.astype(np.complex128)
    kw = {"norm": norm, "workers": workers}
    for f in (bttbfft.fft2, bttbfft.ifft2, bttbfft.fftn):
        ref = f(X, **kw).astype(np.complex64)
        got = f(x, **kw)
        assert got.dtype == np.complex64
        np.testing.assert_array_equal(got, ref, err_msg=f.__name__)
        o = np.empty_like(x)
        assert f(x, out=o, **kw) is o
        np.testing.assert_array_equal(o, ref, err_msg=f.__name__ + " out=")
        y = x.copy()
        assert f(y, out=y, **kw) is y
        np.testing.assert_array_equal(y, ref, err_msg=f.__name__ + " out=x")
    xr = np.ascontiguousarray(x.real)
    ref = bttbfft.rfft2(xr.astype(np.float64), **kw).astype(np.complex64)
    np.testing.assert_array_equal(bttbfft.rfft2(xr, **kw), ref, err_msg="rfft2")
    o = np.empty_like(ref)
    assert bttbfft.rfft2(xr, out=o, **kw) is o
    np.testing.assert_array_equal(o, ref, err_msg="rfft2 out=")
    if _backend.name == "c":
        # the fused path took the complex64 and the float32 input
        assert np.dtype(np.complex64) in seen and np.dtype(np.float32) in seen
    else:
        assert not seen


@pytest.mark.parametrize("workers", [2, 3])
def test_single_precision_rows_via_double_threads(workers, monkeypatch):
    """Arrays large enough that rows_via_double splits the rows over threads (and, with a small
    block, over many blocks per thread): every family, with and without out=, gives the
    widen-transform-round bits of one thread."""
    monkeypatch.setattr(_workers, "_FUSE_BYTES", 64 << 10)
    rows, n = 300, 1024
    assert rows * n >= _workers._MIN_WORK
    rng = np.random.default_rng(workers)
    x = (rng.standard_normal((rows, n)) + 1j * rng.standard_normal((rows, n))).astype(np.complex64)
    xr = np.ascontiguousarray(x.real)
    kw = {"norm": "ortho", "workers": workers}
    for name, got, ref in _via_double_cases(x, xr, kw):
        np.testing.assert_array_equal(got, ref, err_msg=name)
    X, XR = x.astype(np.complex128), xr.astype(np.float64)
    for f, a, wide in [(bttbfft.fft, x, X), (bttbfft.ifft, x, X), (bttbfft.rfft, xr, XR),
                       (bttbfft.irfft, x, X), (bttbfft.rfftn, xr, XR), (bttbfft.irfftn, x, X)]:
        ref = f(wide, **kw)
        o = np.empty(ref.shape, np.float32 if ref.dtype == np.float64 else np.complex64)
        assert f(a, out=o, **kw) is o
        np.testing.assert_array_equal(o, ref.astype(o.dtype), err_msg=f.__name__)


@pytest.mark.parametrize("dtype", [np.float16, ">f4", ">c8"])
def test_single_precision_rows_via_double_dtypes(dtype, monkeypatch):
    """float16 and byte-swapped single-precision input take the block path (the cast happens as
    each block is widened) and give the widen-transform-round bits."""
    monkeypatch.setattr(_workers, "_VIA_DOUBLE_MIN", 0)
    rng = np.random.default_rng(3)
    z = rng.standard_normal((20, 64)) + 1j * rng.standard_normal((20, 64))
    a = (z.real if np.dtype(dtype).kind == "f" else z).astype(dtype)
    wide = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    fams = [bttbfft.fft, bttbfft.ifft] + ([bttbfft.rfft] if a.dtype.kind == "f" else
                                          [bttbfft.irfft])
    for f in fams:
        got, ref = f(a), f(wide)
        assert got.dtype == (np.float32 if ref.dtype == np.float64 else np.complex64)
        np.testing.assert_array_equal(got, ref.astype(got.dtype), err_msg=f.__name__)


def test_single_precision_irfftn_s_with_none():
    """irfftn/irfft2 of complex64 with None in s (numpy: that axis keeps its default length)."""
    x = (crandn(4 * 5).reshape(4, 5)).astype(np.complex64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for f in (bttbfft.irfftn, bttbfft.irfft2):
            got = f(x, s=(4, None), axes=(0, 1))
            ref = f(x.astype(np.complex128), s=(4, None), axes=(0, 1))
            assert got.shape == (4, 8) and got.dtype == np.float32
            np.testing.assert_array_equal(got, ref.astype(np.float32))


def test_single_precision_rows_via_double_other_layouts():
    """Inputs the block path does not take (overlapping out=, F order, unaligned) still give the
    double-then-round result, and out= overlapping the input is handled."""
    x = (crandn(64 * 32).reshape(64, 32)).astype(np.complex64)
    ref = bttbfft.fft(x.astype(np.complex128)).astype(np.complex64)
    f = np.asfortranarray(x)
    np.testing.assert_array_equal(bttbfft.fft(f), ref)
    raw = np.empty(x.nbytes + 1, np.uint8)[1:].view(np.complex64).reshape(x.shape)
    raw[...] = x
    assert not raw.flags.aligned
    np.testing.assert_array_equal(bttbfft.fft(raw), ref)
    y = x.copy()
    assert bttbfft.fft(y, out=y) is y
    np.testing.assert_array_equal(y, ref)


def _peak_bytes(call):
    import tracemalloc
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_single_precision_rows_need_no_double_copy(backend):
    """The block path holds at most two scratch blocks besides the output, not a double-precision
    copy of the whole array: with the compiled primitives its peak memory is the output + 3 MiB;
    with the NumPy fallback (whose transforms make temporaries of a few blocks) it stays below
    the peak of widening the whole array, transforming it and rounding it."""
    x = (crandn(512 * 1024).reshape(512, 1024)).astype(np.complex64)   # 4 MiB
    xr = np.ascontiguousarray(x.real)
    long = crandn(1 << 18).astype(np.complex64)   # one row of 2 MiB (4 MiB in double)
    blocks = 3 << 20   # two scratch blocks of about 1 MiB, and change
    for f, a, wide, extra in [(bttbfft.fft, x, np.complex128, blocks),
                              (bttbfft.rfft, xr, np.float64, blocks),
                              (bttbfft.irfft, x, np.complex128, blocks),
                              # a row longer than a block: only its widened copy, in place
                              (bttbfft.fft, long, np.complex128, 2 * long.nbytes + (64 << 10))]:
        out = f(a)   # warm plans and caches
        peak = _peak_bytes(lambda: f(a))
        if backend == "c":
            assert peak < out.nbytes + extra, (f.__name__, peak, out.nbytes)
        if extra == blocks:   # (a long row needs its widened copy, as widen-transform-round)
            ref = _peak_bytes(lambda: f(a.astype(wide)).astype(out.dtype))
            assert peak < 0.75 * ref, (f.__name__, peak, ref)


def test_rows_single_primitive_checks(backend):
    """The compiled rows_single primitive refuses arrays it could overrun or misread."""
    if backend != "c":
        pytest.skip("compiled primitive only (the fallback goes through NumPy blocks)")
    f = _backend.fft.rows_single
    x = np.zeros((4, 8), np.complex64)
    f(x, np.empty_like(x), 8, "c", False, 1.0)
    bad = [
        (x, np.empty((4, 8), np.complex128), 8, "c", "must be"),          # wrong out dtype
        (x, np.empty((3, 8), np.complex64), 8, "c", "must be"),           # row count
        (x, np.empty((4, 8), np.complex64), 16, "c", "must be"),          # length
        (x.real.copy(), np.empty((4, 5), np.complex64), 8, "c", "must be"),
        (np.zeros((4, 8), np.float32), np.empty((4, 4), np.complex64), 8, "r", "must be"),
        (np.zeros((4, 5), np.complex64), np.empty((4, 8), np.float64), 8, "i", "must be"),
        (x[:, ::2], np.empty((4, 4), np.complex64), 4, "c", "C-contiguous"),
        (x, x, 8, "c", "overlap"),
        (x, np.empty_like(x), 8, "q", "kind"),
        (x, np.empty_like(x), 0, "c", "n must be"),
    ]
    for a, o, n, kind, msg in bad:
        with pytest.raises(ValueError, match=msg):
            f(a, o, n, kind, False, 1.0)


# ----------------------------------------------------------------------------------------------
# non-finite input: the same entries as numpy.fft's are non-finite (SPEC section 7); which
# component of such an entry is NaN rather than +-inf follows the order of operations, which
# differs between FFT algorithms (and between numpy's own FFT backends), so it is not compared
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [4, 5, 16, 17, 64, 1000])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("fname", ["fft", "ifft", "rfft"])
def test_nonfinite_entries_as_numpy(n, bad, fname):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) + (0j if fname != "rfft" else 0.0)
    x[rng.integers(n)] = bad
    with np.errstate(invalid="ignore", over="ignore"):
        res = getattr(bttbfft, fname)(x)
        ref = getattr(np.fft, fname)(x)
    np.testing.assert_array_equal(np.isfinite(res), np.isfinite(ref))
    # and in a batch, the rows without a non-finite value are untouched by it
    X = np.stack([rng.standard_normal(n) + (0j if fname != "rfft" else 0.0), x])
    with np.errstate(invalid="ignore", over="ignore"):
        res2 = getattr(bttbfft, fname)(X)
    assert_close(res2[0], getattr(np.fft, fname)(X[0]), n)
    np.testing.assert_array_equal(np.isfinite(res2[1]), np.isfinite(ref))

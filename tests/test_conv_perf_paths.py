"""Paths added for performance: threaded Conv2D calls, last-tile shapes, SIMD direct kernel,
fused copy+transform in the n-D FFT.  Results must equal the serial / reference results."""
import numpy as np
import pytest
import scipy.signal

import bttbfft
from bttbfft import _backend


def _compiled():
    return _backend.name == "c"


@pytest.mark.parametrize("method", ["fft", "direct"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_conv2d_workers_bit_identical(method, dtype):
    if not _compiled():
        pytest.skip("tests the compiled conv primitive only")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 300, 280)).astype(dtype)
    h = rng.standard_normal((17, 9)).astype(dtype)
    plan = _backend.conv.Conv2D(h, (300, 280), (8, 4), (300, 280), method)
    y1 = plan(x)
    for w in (2, 3, 7, -1):
        assert np.array_equal(plan(x, workers=w), y1)


def test_conv2d_random_geometries_against_scipy():
    rng = np.random.default_rng(7)
    for _ in range(60):
        m1, m2 = (int(v) for v in rng.integers(1, 160, 2))
        k1, k2 = (int(v) for v in rng.integers(1, 50, 2))
        x = rng.standard_normal((m1, m2))
        h = rng.standard_normal((k1, k2))
        full = scipy.signal.convolve2d(x, h)
        f1, f2 = full.shape
        s1, s2 = int(rng.integers(0, f1)), int(rng.integers(0, f2))
        o1, o2 = int(rng.integers(1, f1 - s1 + 1)), int(rng.integers(1, f2 - s2 + 1))
        for method in ("fft", "direct"):
            y = _backend.conv.Conv2D(h, (m1, m2), (s1, s2), (o1, o2), method)(x)
            ref = full[s1:s1 + o1, s2:s2 + o2]
            assert np.allclose(y, ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max()), \
                (method, (m1, m2), (k1, k2), (s1, s2), (o1, o2))


@pytest.mark.parametrize("tile", [(32, 64), (64, 32), (128, 128)])
def test_conv2d_forced_tiles_with_short_last_tile(tile):
    if not _compiled():
        pytest.skip("tile= is an extension of the compiled primitive")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((333, 301))
    h = rng.standard_normal((31, 29))
    plan = _backend.conv.Conv2D(h, x.shape, (15, 14), x.shape, "fft", tile=tile)
    ref = scipy.signal.convolve2d(x, h, "same")
    assert np.allclose(plan(x), ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())


@pytest.mark.parametrize("tile", [(2048, 2048), (512, 1024)])
def test_conv2d_spectrum_allocations(tile):
    """Kernel spectra of 32 MiB and more (2048 x 1025 complex128) take the huge-page allocation,
    smaller ones the heap (with glibc); both give the reference result, plan after plan."""
    if not _compiled():
        pytest.skip("tile= is an extension of the compiled primitive")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((70, 90))
    h = rng.standard_normal((5, 7))
    ref = scipy.signal.convolve2d(x, h)
    for _ in range(3):
        plan = _backend.conv.Conv2D(h, x.shape, (0, 0), ref.shape, "fft", tile=tile)
        assert plan.fft_shape == tile
        assert plan.nbytes >= tile[0] * (tile[1] // 2 + 1) * 16
        assert np.allclose(plan(x), ref, rtol=1e-10, atol=1e-10 * np.abs(ref).max())


@pytest.mark.parametrize("s", [None, (200, 130), (256, 300)])
def test_fft2_fused_copy_paths(s):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((256, 260)) + 1j * rng.standard_normal((256, 260))
    ref = np.fft.fft2(x, s)
    y1 = bttbfft.fft2(x, s)
    assert np.allclose(y1, ref, rtol=1e-12, atol=1e-9)
    assert np.array_equal(bttbfft.fft2(x, s, workers=2), y1)
    xf = x.real.astype(np.float32)
    assert np.allclose(bttbfft.fft2(xf, s), np.fft.fft2(xf.astype(np.float64), s),
                       rtol=1e-4, atol=1e-2)


def test_fft2_blocked_column_pass_identical_across_workers():
    # > 8 MiB column passes are transformed in blocks of columns (compiled backend)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1024, 1200)) + 1j * rng.standard_normal((1024, 1200))
    y1 = bttbfft.fft2(x)
    assert np.allclose(y1, np.fft.fft2(x), rtol=1e-12, atol=1e-8)
    for w in (2, 3):
        assert np.array_equal(bttbfft.fft2(x, workers=w), y1)
    xr = np.ascontiguousarray(x.real)
    r1 = bttbfft.rfft2(xr)
    assert np.allclose(r1, np.fft.rfft2(xr), rtol=1e-12, atol=1e-8)
    assert np.array_equal(bttbfft.rfft2(xr, workers=2), r1)
    z = bttbfft.fft(x, axis=0)
    assert np.allclose(z, np.fft.fft(x, axis=0), rtol=1e-12, atol=1e-8)
    assert np.array_equal(bttbfft.fft(x, axis=0, workers=2), z)

"""The compiled conv primitive ``bttbfft._conv_core.Conv2D`` against scipy.signal.convolve2d.

Imports the extension module directly (skipped when it is not built) and checks windows of the
full convolution for both methods, all four dtypes, 1-D rows, 1xN / Nx1, kernels larger than the
image, batches, tiling, threads and the error mapping.
"""
import threading

import numpy as np
import pytest

_conv_core = pytest.importorskip("bttbfft._conv_core")
signal = pytest.importorskip("scipy.signal")

Conv2D = _conv_core.Conv2D

DTYPES = [np.float64, np.float32, np.complex128, np.complex64]
METHODS = ["fft", "direct"]


@pytest.fixture(autouse=True)
def _compiled_only(request):
    """These tests exercise bttbfft._conv_core itself: run them once, under the "c" backend."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") != "c":
        pytest.skip("tests the compiled conv primitive only")


def _rand(rng, shape, dtype):
    a = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def _check(x, k, start, out_shape, method, y=None):
    plan = Conv2D(k, x.shape[-2:], start, out_shape, method=method)
    if y is None:
        y = plan(x)
    assert y.dtype == k.dtype and y.flags.c_contiguous
    assert y.shape == x.shape[:-2] + tuple(out_shape)
    xd = x.astype(np.complex128 if np.iscomplexobj(x) else np.float64)
    kd = k.astype(xd.dtype)
    s1, s2 = start
    o1, o2 = out_shape
    flat = xd.reshape((-1,) + x.shape[-2:])
    ref = np.stack([signal.convolve2d(im, kd, "full")[s1:s1 + o1, s2:s2 + o2] for im in flat])
    ref = ref.reshape(y.shape)
    bound = np.stack([signal.convolve2d(np.abs(im), np.abs(kd), "full") for im in flat]).max()
    tol = 1e-12 if y.dtype in (np.float64, np.complex128) else 3e-5
    err = np.max(np.abs(y - ref)) if y.size else 0.0
    assert err <= tol * max(bound, 1e-300), (err, bound, plan)
    return plan


def _windows(m, k):
    full = m + k - 1
    same = ((k - 1) // 2, m)
    valid = (k - 1, m - k + 1) if m >= k else (m - 1, k - m + 1)
    return [(0, full), same, valid]


SHAPES = [
    ((1, 1), (1, 1)), ((1, 37), (1, 6)), ((1, 5), (1, 12)), ((17, 1), (4, 1)), ((1, 9), (3, 1)),
    ((9, 1), (2, 3)), ((12, 13), (3, 3)), ((8, 8), (8, 8)), ((5, 7), (9, 11)), ((30, 21), (4, 7)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shapes", SHAPES)
def test_windows(shapes, method, dtype):
    rng = np.random.default_rng(1)
    (m1, m2), (k1, k2) = shapes
    x = _rand(rng, (m1, m2), dtype)
    k = _rand(rng, (k1, k2), dtype)
    for w1 in _windows(m1, k1):
        for w2 in _windows(m2, k2):
            _check(x, k, (w1[0], w2[0]), (w1[1], w2[1]), method)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", METHODS)
def test_random_windows_and_batches(method, dtype):
    rng = np.random.default_rng(2)
    for _ in range(15):
        m = rng.integers(1, 25, size=2)
        kk = rng.integers(1, 9, size=2)
        full = m + kk - 1
        s = np.array([rng.integers(0, f) for f in full])
        o = np.array([rng.integers(1, f - si + 1) for f, si in zip(full, s)])
        lead = tuple(rng.integers(1, 3, size=rng.integers(0, 3)))
        x = _rand(rng, lead + tuple(m), dtype)
        k = _rand(rng, tuple(kk), dtype)
        _check(x, k, tuple(s), tuple(o), method)


@pytest.mark.parametrize("dtype", [np.float64, np.complex64])
def test_tiled_large(dtype):
    rng = np.random.default_rng(3)
    x = _rand(rng, (2, 300, 280), dtype)
    k = _rand(rng, (7, 5), dtype)
    plan = _check(x, k, (3, 2), (300, 280), "fft")
    assert plan.tiles[0] * plan.tiles[1] > 1
    assert plan.nbytes > 0


def test_same_2048_memory_bound():
    k = np.ones((15, 15))
    plan = Conv2D(k, (2048, 2048), (7, 7), (2048, 2048))
    assert plan.method == "fft"
    assert plan.fft_shape[0] < 4096 and plan.tiles[0] > 1
    assert plan.nbytes + plan.work_size < 3 * 2048 * 2048 * 8


def test_auto_method():
    k = np.ones((3, 3))
    assert Conv2D(k, (64, 64), (1, 1), (64, 64), method="auto").method == "direct"
    k = np.ones((63, 63))
    assert Conv2D(k, (512, 512), (31, 31), (512, 512), method="auto").method == "fft"


def test_zero_batch_and_input_untouched():
    rng = np.random.default_rng(4)
    k = _rand(rng, (3, 3), np.float64)
    plan = Conv2D(k, (5, 6), (0, 0), (7, 8))
    assert plan(np.zeros((0, 5, 6))).shape == (0, 7, 8)
    x = _rand(rng, (5, 6), np.float64)
    x.flags.writeable = False
    xc = x.copy()
    plan(x)
    assert np.array_equal(x, xc)


def test_threads():
    rng = np.random.default_rng(5)
    k = _rand(rng, (9, 9), np.float64)
    x = _rand(rng, (8, 200, 200), np.float64)
    for method in METHODS:
        plan = Conv2D(k, (200, 200), (4, 4), (200, 200), method=method)
        expected = plan(x)
        results = [None] * 8

        def work(i):
            for _ in range(3):
                results[i] = plan(x[i])

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i in range(8):
            np.testing.assert_array_equal(results[i], expected[i])


def test_errors():
    k = np.ones((3, 3))
    with pytest.raises(ValueError):
        Conv2D(k, (4, 4), (0, 0), (7, 7), method="spectral")
    with pytest.raises(ValueError):
        Conv2D(k, (4, 4), (1, 0), (6, 6))          # window outside the full result
    with pytest.raises(ValueError):
        Conv2D(k, (0, 4), (0, 0), (1, 1))          # empty image
    with pytest.raises(ValueError):
        Conv2D(k, (2**62, 2**62), (0, 0), (1, 1))  # m1*m2 overflows
    with pytest.raises(ValueError):
        Conv2D(k, (-1, 4), (0, 0), (1, 1))
    with pytest.raises(ValueError):
        Conv2D(k, (2**70, 4), (0, 0), (1, 1))
    with pytest.raises(TypeError):
        Conv2D(k.astype(np.int64), (4, 4), (0, 0), (6, 6))
    with pytest.raises(TypeError):
        Conv2D(k.astype(np.longdouble), (4, 4), (0, 0), (6, 6))
    plan = Conv2D(k, (4, 4), (0, 0), (6, 6))
    with pytest.raises(TypeError):
        plan(np.ones((4, 4), np.float32))
    with pytest.raises(ValueError):
        plan(np.ones((4, 5)))
    with pytest.raises(ValueError):
        plan(np.ones(4))


def test_nan_propagates():
    k = np.ones((3, 3))
    x = np.zeros((6, 6))
    x[2, 2] = np.nan
    for method in METHODS:
        y = Conv2D(k, (6, 6), (0, 0), (8, 8), method=method)(x)
        assert np.isnan(y[3, 3])

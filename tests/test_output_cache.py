"""The compiled backend's output cache (bttbfft._core.empty): large results and work arrays come
from a numpy memory handler that keeps recently freed blocks for reuse (as do the results of
the convolver's plans).

Checked here: a freed result's block serves the next result of that size; live results never
share memory; results are right whatever block they land in (against numpy.fft); the arrays own
their data and can be resized; the byte bound, the idle decay and BTTBFFT_OUTPUT_CACHE_MB hold;
threads allocating and freeing concurrently get bit-identical results.  The fallback has no
cache and must give the same results (the autouse backend fixture runs every test on both).
"""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import bttbfft
from bttbfft import _backend

MIB = 1 << 20


@pytest.fixture
def cache(backend):
    """The _core module with a known configuration (restored afterwards); None on the fallback."""
    if backend != "c":
        yield None
        return
    core = _backend.fft
    core.output_cache_configure(0)            # start empty
    core.output_cache_configure(256 * MIB, 60.0)
    try:
        yield core
    finally:
        core.output_cache_configure(0)
        core.output_cache_configure(256 * MIB, 2.0)


def _x(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def test_freed_result_block_is_reused(cache):
    x = _x((1024, 1024))                      # 16 MiB of complex128
    ref = np.fft.fft2(x)
    y = bttbfft.fft2(x)
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    if cache is None:
        assert _backend.fft.empty is np.empty      # the fallback keeps no blocks
        return
    address = y.ctypes.data
    info0 = cache.output_cache_info()
    del y
    info1 = cache.output_cache_info()
    assert info1["blocks"] == info0["blocks"] + 1 and info1["held"] >= x.nbytes
    y = bttbfft.fft2(x)
    info2 = cache.output_cache_info()
    assert info2["hits"] == info1["hits"] + 1
    assert y.ctypes.data == address
    assert y.flags.owndata and y.base is None and y.flags.aligned and y.flags.writeable
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-9 * np.abs(ref).max())


def test_live_results_never_share_memory(cache):
    x1, x2 = _x((512, 2048), 1), _x((512, 2048), 2)
    y1 = bttbfft.fft2(x1)
    keep = y1.copy()
    y2 = bttbfft.fft2(x2)
    del y2
    y3 = bttbfft.fft2(x2)                     # reuses y2's block, never y1's
    assert not np.shares_memory(y1, y3)
    np.testing.assert_array_equal(y1, keep)
    np.testing.assert_allclose(y3, np.fft.fft2(x2), rtol=0, atol=1e-9 * np.abs(y3).max())


@pytest.mark.parametrize("call", ["fft", "rfft", "irfft", "ifft2", "rfft2", "fftn-axis0",
                                  "convolve2d"])
def test_results_right_from_reused_blocks(cache, call):
    rng = np.random.default_rng(3)
    if call == "fft":
        x = _x(1 << 19)
        f, ref = bttbfft.fft, np.fft.fft
    elif call == "rfft":
        x = rng.standard_normal(1 << 20)
        f, ref = bttbfft.rfft, np.fft.rfft
    elif call == "irfft":
        x = _x((1 << 19) + 1)
        f, ref = bttbfft.irfft, np.fft.irfft
    elif call == "ifft2":
        x = _x((512, 1024))
        f, ref = bttbfft.ifft2, np.fft.ifft2
    elif call == "rfft2":
        x = rng.standard_normal((1024, 1024))
        f, ref = bttbfft.rfft2, np.fft.rfft2
    elif call == "fftn-axis0":
        x = _x((1024, 600))
        f, ref = (lambda a: bttbfft.fftn(a, axes=(0,))), (lambda a: np.fft.fftn(a, axes=(0,)))
    else:
        import scipy.signal
        x, k = rng.standard_normal((1024, 1100)), rng.standard_normal((9, 7))
        f = lambda a: bttbfft.convolve2d(a, k, "same")           # noqa: E731
        ref = lambda a: scipy.signal.fftconvolve(a, k, "same")   # noqa: E731
    expected = ref(x)
    tol = 1e-9 * np.abs(expected).max()
    for _ in range(3):                        # the second and third land in freed blocks
        y = f(x)
        np.testing.assert_allclose(y, expected, rtol=0, atol=tol)
        y[...] = np.nan                       # a stale value would show in the next result
        del y
    if cache is not None:
        assert cache.output_cache_info()["hits"] >= 2


def test_resize_keeps_content(cache):
    x = _x(1 << 19)                           # 8 MiB result
    y = bttbfft.fft(x)
    ref = y.copy()
    y.resize(1 << 20, refcheck=False)         # realloc through the handler
    np.testing.assert_array_equal(y[:1 << 19], ref)
    y.resize(1 << 18, refcheck=False)
    np.testing.assert_array_equal(y, ref[:1 << 18])
    y.resize(10, refcheck=False)              # below the cache's minimum
    np.testing.assert_array_equal(y, ref[:10])


def test_byte_bound_and_switch_off(cache):
    if cache is None:
        pytest.skip("the fallback has no output cache")
    x = _x((512, 1024))                       # 8 MiB blocks
    cache.output_cache_configure(20 * MIB, 60.0)
    ys = [bttbfft.fft2(x) for _ in range(5)]
    del ys
    info = cache.output_cache_info()
    assert info["held"] <= 20 * MIB and info["blocks"] == 2
    cache.output_cache_configure(0)
    assert cache.output_cache_info()["held"] == 0
    y = bttbfft.fft2(x)
    del y
    assert cache.output_cache_info()["held"] == 0       # cap 0: nothing kept
    with pytest.raises(ValueError):
        cache.output_cache_configure(MIB, -1.0)


def test_idle_blocks_are_released(cache):
    if cache is None:
        pytest.skip("the fallback has no output cache")
    cache.output_cache_configure(256 * MIB, 0.01)
    y = bttbfft.fft2(_x((512, 1024)))
    del y
    assert cache.output_cache_info()["blocks"] == 1
    time.sleep(0.05)
    z = bttbfft.fft2(_x((1024, 1024)))        # another size: a miss, which expires the idle one
    assert cache.output_cache_info()["blocks"] == 0
    del z


def test_threads_allocating_and_freeing(cache):
    xs = [_x((512, 1024), s) for s in range(4)]
    expected = [bttbfft.fft2(x) for x in xs]
    errors = []

    def work(t):
        try:
            for i in range(12):
                k = (t + i) % 4
                y = bttbfft.fft2(xs[k], workers=2 if i % 3 == 0 else None)
                np.testing.assert_array_equal(y, expected[k])
                y[...] = 0
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    if cache is not None:
        assert cache.output_cache_info()["held"] <= 256 * MIB


@pytest.mark.parametrize("value, held", [("0", 0), ("64", None), ("junk", None)])
def test_env_variable(backend, value, held):
    if backend != "c":
        pytest.skip("the fallback has no output cache")
    code = ("import warnings, numpy as np, bttbfft\n"
            "from bttbfft import _core\n"
            "y = bttbfft.fft2(np.ones((512, 1024), complex)); del y\n"
            "print(_core.output_cache_info()['held'])\n")
    env = dict(os.environ, BTTBFFT_OUTPUT_CACHE_MB=value)
    env.pop("BTTBFFT_PURE_PYTHON", None)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       check=True)
    got = int(r.stdout.split()[-1])
    if held is not None:
        assert got == held
    else:
        assert got >= 8 * MIB
    if value == "junk":
        assert "BTTBFFT_OUTPUT_CACHE_MB='junk' ignored" in r.stderr

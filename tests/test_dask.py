"""bttbfft.dask: chunked convolution of dask arrays against scipy.signal and in-memory bttbfft.

Every mode x boundary x odd/even kernel x several chunkings (one chunk, uneven chunks, chunks
smaller than the kernel halo), on the threaded scheduler, and a few cases on a 2-worker
``dask.distributed`` LocalCluster (separate processes, loopback only) started by a fixture.
Every test runs on both backends (conftest.py); the distributed workers are separate processes
that use the default backend, so the cluster test runs under that backend's parameter only.
"""
import importlib
import os
import zlib

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
signal = pytest.importorskip("scipy.signal")

import bttbfft  # noqa: E402
import bttbfft.dask as bd  # noqa: E402

MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]
KERNELS = [(3, 3), (4, 4), (5, 2), (2, 6)]   # odd/odd, even/even, odd/even, even/even
IMAGE = (17, 14)
CHUNKINGS = [
    (17, 14),                         # a single chunk
    ((5, 11, 1), (6, 1, 7)),          # uneven, with 1-wide chunks (smaller than any halo)
    (2, 3),                           # every chunk smaller than the larger kernels' halo
]


def _rand(rng, shape, dtype=np.float64):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.kind in "iu":
        return rng.integers(-9, 10, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _check(out, ref, tag, tol=None, mem=None):
    """out (a dask array) computed on the threaded scheduler equals ref (and mem, if given)."""
    assert isinstance(out, da.Array), tag
    assert out.shape == ref.shape, (tag, out.shape, ref.shape)
    assert out.dtype == ref.dtype, (tag, out.dtype, ref.dtype)
    got = out.compute(scheduler="threads")
    assert got.shape == ref.shape and got.dtype == ref.dtype, (tag, got.shape, got.dtype)
    for want in (ref,) if mem is None else (ref, mem):
        if want.dtype.kind in "iu":
            np.testing.assert_array_equal(got, want, err_msg=str(tag))
            continue
        if tol is None:
            tol = 2e-5 if want.dtype in (np.float32, np.complex64) else 1e-10
        scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
        err = float(np.max(np.abs(got - want))) if want.size else 0.0
        assert err <= tol * scale, (tag, err / scale)


@pytest.mark.parametrize("corr", [False, True], ids=["convolve2d", "correlate2d"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("mode", MODES)
def test_conv2d_matches_scipy(mode, boundary, corr):
    rng = np.random.default_rng(zlib.crc32(f"{mode}{boundary}{corr}".encode()))
    img = _rand(rng, IMAGE)
    ours_fn = bd.correlate2d if corr else bd.convolve2d
    ref_fn = signal.correlate2d if corr else signal.convolve2d
    mem_fn = bttbfft.correlate2d if corr else bttbfft.convolve2d
    fv = 0.75 if boundary == "fill" else 0
    for ks in KERNELS:
        k = _rand(rng, ks)
        ref = ref_fn(img, k, mode, boundary, fv)
        mem = mem_fn(img, k, mode, boundary, fv)
        for chunks in CHUNKINGS:
            x = da.from_array(img, chunks=chunks)
            out = ours_fn(x, k, mode, boundary, fv)
            tag = (mode, boundary, corr, ks, chunks)
            _check(out, ref, tag, mem=mem)
            if mode == "same":  # output chunks follow the (rechunked) input chunks
                assert sum(out.chunks[0]) == IMAGE[0] and len(out.chunks[0]) <= len(x.chunks[0])


@pytest.mark.parametrize("dtype, kdtype, fv", [
    (np.float32, np.float32, 2.0), (np.int64, np.int64, 3), (np.complex128, np.float64, 1 - 2j),
    (np.int32, np.float64, 0.5), (np.float32, np.complex64, 0)])
def test_conv2d_dtypes(dtype, kdtype, fv):
    rng = np.random.default_rng(7)
    img = _rand(rng, (21, 18), dtype)
    k = _rand(rng, (4, 3), kdtype)
    x = da.from_array(img, chunks=(6, 5))
    for i, mode in enumerate(MODES):
        for j, boundary in enumerate(BOUNDARIES):
            if mode == "valid" and j:
                continue  # the boundary plays no role in 'valid'
            for corr in ((i + j) % 2 == 0,):
                ref_fn = signal.correlate2d if corr else signal.convolve2d
                ours_fn = bd.correlate2d if corr else bd.convolve2d
                ref = ref_fn(img, k, mode, boundary, fv)
                _check(ours_fn(x, k, mode, boundary, fv), ref, (dtype, kdtype, mode, boundary))


def test_conv2d_boundary_aliases_and_fallbacks():
    rng = np.random.default_rng(8)
    img = _rand(rng, (9, 30))
    x = da.from_array(img, chunks=(4, 7))
    for alias, name in (("pad", "fill"), ("circular", "wrap"), ("symmetric", "symm")):
        k = _rand(rng, (3, 4))
        _check(bd.convolve2d(x, k, "same", alias), signal.convolve2d(img, k, "same", name), alias)
    # degenerate kernels: a single tap, a single row
    for ks in ((1, 1), (1, 5), (3, 1)):
        k = _rand(rng, ks)
        for mode in MODES:
            _check(bd.correlate2d(x, k, mode, "symm"), signal.correlate2d(img, k, mode, "symm"),
                   (ks, mode))
    # kernel taller than the image: wrap/symm need more than one period -> in-memory fallback
    big = _rand(rng, (13, 5))
    for mode in MODES:
        for boundary in BOUNDARIES:
            if mode == "valid":
                continue
            for corr in (False, True):
                ref_fn = signal.correlate2d if corr else signal.convolve2d
                ours_fn = bd.correlate2d if corr else bd.convolve2d
                _check(ours_fn(x, big, mode, boundary), ref_fn(img, big, mode, boundary),
                       (mode, boundary, corr))
    # 'valid' with in2 larger than in1 in every dimension: scipy swaps the inputs
    small = da.from_array(_rand(rng, (3, 4)), chunks=2)
    kk = _rand(rng, (6, 7))
    for corr in (False, True):
        ref_fn = signal.correlate2d if corr else signal.convolve2d
        ours_fn = bd.correlate2d if corr else bd.convolve2d
        _check(ours_fn(small, kk, "valid"), ref_fn(small.compute(), kk, "valid"), ("swap", corr))
    # NumPy input and a dask kernel are accepted
    _check(bd.convolve2d(img, da.from_array(kk), "full"), signal.convolve2d(img, kk), "numpy in1")


def test_conv2d_errors():
    x = da.ones((8, 8), chunks=4)
    k = np.ones((3, 3))
    with pytest.raises(ValueError):
        bd.convolve2d(x, k, mode="bogus")
    with pytest.raises(ValueError):
        bd.correlate2d(x, k, boundary="reflect")
    with pytest.raises(ValueError):
        bd.convolve2d(da.ones(8, chunks=4), np.ones(3))
    with pytest.raises(ValueError):
        bd.convolve2d(x, np.ones((3, 9)), mode="valid")
    with pytest.raises(ValueError):
        bd.convolve2d(x, np.ones((0, 3)))
    with pytest.raises(ValueError):
        bd.convolve2d(da.ones((4, 4), dtype=bool, chunks=2), np.ones((2, 2), bool))
    with pytest.raises(TypeError):
        bd.convolve2d(x, np.ones((2, 2), dtype=object))


def test_laziness_and_chunks():
    x = da.random.random((64, 48), chunks=(16, 16))
    k = np.ones((5, 5))
    out = bd.convolve2d(x, k, "same", "symm")
    assert isinstance(out, da.Array)
    assert out.chunks == x.chunks
    assert out.npartitions == x.npartitions
    full = bd.correlate2d(x, k, "full")
    assert full.shape == (68, 52) and full.npartitions == x.npartitions
    valid = bd.fftconvolve(x, k, "valid")
    assert valid.shape == (60, 44)


@pytest.mark.parametrize("mode", MODES)
def test_fftconvolve_matches_scipy(mode):
    rng = np.random.default_rng(11)
    cases = [
        ((29, 23), (4, 5), None, [(29, 23), (6, 5), ((3, 20, 6), (2, 2, 19))]),
        ((29, 23), (7, 2), None, [(2, 3)]),
        ((40,), (9,), None, [(40,), (7,), ((1, 38, 1),)]),
        ((5, 26, 22), (1, 4, 3), (1, 2), [(2, 7, 6)]),
        ((5, 26, 22), (5, 4, 3), (1, 2), [(2, 7, 6)]),          # in2 spans the batch axis
        ((6, 17, 19), (3, 4, 3), None, [(3, 5, 4)]),            # 3-D convolution
        ((12, 14), (3, 1), None, [(5, 5)]),                     # length-1 kernel axis
        ((12, 1), (3, 4), None, [(5, 1)]),                      # length-1 image axis
    ]
    for s1, s2, axes, chunkings in cases:
        for dtype in (np.float64, np.complex64):
            a = _rand(rng, s1, dtype)
            b = _rand(rng, s2, dtype)
            try:
                ref = signal.fftconvolve(a, b, mode, axes=axes)
            except ValueError:
                with pytest.raises(ValueError):
                    bd.fftconvolve(da.from_array(a), b, mode, axes=axes)
                continue
            for chunks in chunkings:
                out = bd.fftconvolve(da.from_array(a, chunks=chunks), b, mode, axes=axes)
                _check(out, ref, (s1, s2, axes, chunks, np.dtype(dtype).name), tol=None)
    # integer input -> float64, as scipy
    a = rng.integers(0, 5, (20, 20))
    b = rng.integers(0, 5, (3, 3))
    _check(bd.fftconvolve(da.from_array(a, chunks=7), b, mode), signal.fftconvolve(a, b, mode),
           "int")


def test_fftconvolve_swap_and_errors():
    rng = np.random.default_rng(12)
    a = _rand(rng, (4, 5))
    b = _rand(rng, (9, 8))
    _check(bd.fftconvolve(da.from_array(a, chunks=2), b, "valid"),
           signal.fftconvolve(a, b, "valid"), "swap")
    with pytest.raises(ValueError):
        bd.fftconvolve(da.ones((4, 4), chunks=2), np.ones(3))
    with pytest.raises(ValueError):
        bd.fftconvolve(da.ones((4, 4), chunks=2), np.ones((3, 3)), mode="bogus")
    with pytest.raises(ValueError):
        bd.fftconvolve(da.ones((4, 4), chunks=2), np.ones((3, 3)), axes=[5])


# ------------------------------------------------------------------------------------------------
# dask.distributed
def _default_backend():
    value = os.environ.get("BTTBFFT_PURE_PYTHON")
    if value is not None and value.strip().lower() not in ("", "0", "false", "no", "off"):
        return "python"
    try:
        importlib.import_module("bttbfft._core")
        importlib.import_module("bttbfft._conv_core")
    except ImportError:
        return "python"
    return "c"


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       silence_logs=40)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_distributed_cluster(backend, cluster_client):
    if backend != _default_backend():
        pytest.skip("the cluster's worker processes use the default backend; tested once")
    client = cluster_client
    assert len(client.scheduler_info()["workers"]) == 2
    # the workers really run bttbfft (its backend is reported from inside a worker)
    assert set(client.run(lambda: __import__("bttbfft").backend).values()) == {backend}
    rng = np.random.default_rng(13)
    img = _rand(rng, (96, 80), np.float32)
    x = da.from_array(img, chunks=(32, 24))
    k = _rand(rng, (6, 5), np.float32)
    outs, refs = [], []
    for mode in MODES:
        for boundary in BOUNDARIES:
            outs.append(bd.convolve2d(x, k, mode, boundary))
            refs.append(signal.convolve2d(img, k, mode, boundary))
        outs.append(bd.correlate2d(x, k, mode, "symm"))
        refs.append(signal.correlate2d(img, k, mode, "symm"))
        outs.append(bd.fftconvolve(x, k, mode))
        refs.append(signal.fftconvolve(img, k, mode))
    # lazily generated on the workers: only the results cross to the client
    y = da.random.default_rng(0).standard_normal((256, 256), chunks=64)
    outs += [bd.convolve2d(y, np.ones((3, 3)) / 9, "same", "wrap").sum(), y.sum()]
    got = client.gather(client.compute(outs))
    for g, ref in zip(got, refs):
        assert g.shape == ref.shape and g.dtype == ref.dtype
        assert np.max(np.abs(g - ref)) <= 2e-5 * max(1.0, np.max(np.abs(ref)))
    assert np.isclose(got[-2], got[-1])


def test_unknown_chunk_sizes_explained():
    x = da.from_array(np.arange(64.0).reshape(8, 8), chunks=4)
    y = x[x[:, 0] > -1]                      # boolean indexing: chunk sizes unknown (NaN)
    for f in (bd.convolve2d, bd.fftconvolve):
        with pytest.raises(ValueError, match="compute_chunk_sizes"):
            f(y, np.ones((3, 3)))
    np.testing.assert_allclose(bd.convolve2d(y.compute_chunk_sizes(), np.ones((3, 3))).compute(),
                               signal.convolve2d(x.compute(), np.ones((3, 3))))

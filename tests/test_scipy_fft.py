"""bttbfft.scipy_fft: the scipy.fft backend (uarray protocol).

Checks that every supported scipy.fft function gives the same result with and without the
backend (norms x axes x n/s x dtypes), that scipy.signal.fftconvolve under the backend equals
scipy's own, that unsupported arguments fall back to scipy (result or error unchanged), and --
with a counting spy on the backend's FFT primitives -- that bttbfft really did the work (and did
not when it should have fallen back).  Every test runs on both backends (conftest.py).
"""
import collections
import contextlib
import warnings

import numpy as np
import pytest

sfft = pytest.importorskip("scipy.fft")
signal = pytest.importorskip("scipy.signal")

import bttbfft  # noqa: E402
import bttbfft.scipy_fft as backend_mod  # noqa: E402
from bttbfft import _backend  # noqa: E402

NORMS = [None, "backward", "ortho", "forward"]
ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
TWO_D = ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2"]
N_D = ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]
REAL_INPUT = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}
DTYPES_REAL = [np.float64, np.float32, np.float16, np.int32, np.uint8, np.bool_]
DTYPES_COMPLEX = [np.complex128, np.complex64]


class _Spy:
    """Stands in for ``_backend.fft``: counts calls of the FFT primitives, delegates the rest."""

    PRIMITIVES = ("c2c_inplace", "c2c_contig", "c2c_rows", "r2c", "r2c_contig", "c2r",
                  "rows_single")

    def __init__(self, mod):
        self._mod = mod
        self.calls = collections.Counter()

    def __getattr__(self, name):
        attr = getattr(self._mod, name)
        if name in self.PRIMITIVES:
            def counted(*args, **kwargs):
                self.calls[name] += 1
                return attr(*args, **kwargs)
            return counted
        return attr

    @property
    def total(self):
        return sum(self.calls.values())


@pytest.fixture
def spy(monkeypatch):
    s = _Spy(_backend.fft)
    monkeypatch.setattr(_backend, "fft", s)
    return s


@contextlib.contextmanager
def _on_bttbfft(only=True):
    with sfft.set_backend(backend_mod, only=only):
        yield


def _data(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        return rng.integers(0, 9, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _close(ours, ref, tag):
    assert type(ours) is np.ndarray, tag
    assert ours.shape == ref.shape, (tag, ours.shape, ref.shape)
    assert ours.dtype == ref.dtype, (tag, ours.dtype, ref.dtype)
    single = ref.dtype in (np.float32, np.complex64)
    tol = 2e-5 if single else 1e-12
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    err = float(np.max(np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))))
    assert err <= tol * scale, (tag, err / scale)


def _dtypes(name):
    return DTYPES_REAL if name in REAL_INPUT else DTYPES_REAL[:2] + DTYPES_COMPLEX


def _compare(name, x, args, kwargs, spy, tag):
    fn = getattr(sfft, name)
    ref = fn(x, *args, **kwargs)
    before = spy.total
    with _on_bttbfft():
        ours = fn(x, *args, **kwargs)
    assert spy.total > before, f"{tag}: bttbfft was not called"
    _close(ours, ref, tag)


@pytest.mark.parametrize("name", ONE_D)
def test_one_d_matches_scipy(name, spy):
    rng = np.random.default_rng(1)
    count = 0
    for dtype in _dtypes(name):
        x = _data(rng, (6, 16), dtype)
        for norm in NORMS:
            for n in (None, 16, 11, 32, 5):
                for axis in (-1, 0, 1, -2):
                    kw = {"axis": axis, "norm": norm}
                    if n is not None:
                        kw["n"] = n
                    _compare(name, x, (), kw, spy, (name, np.dtype(dtype).name, norm, n, axis))
                    count += 1
    # positional arguments, overwrite_x, workers
    x = _data(rng, (8, 12), np.complex128 if name not in REAL_INPUT else np.float64)
    _compare(name, x, (10, 0, "ortho", True, 2), {}, spy, (name, "positional"))
    _compare(name, x, (), {"workers": -1}, spy, (name, "workers=-1"))
    with sfft.set_workers(2):
        _compare(name, x, (), {}, spy, (name, "set_workers"))
    assert count > 100


@pytest.mark.parametrize("name", TWO_D + N_D)
def test_n_d_matches_scipy(name, spy):
    rng = np.random.default_rng(2)
    two_d = name in TWO_D
    cases = [(None, None), ((8, 6), None), (None, (0, 1)), (None, (-1, 0)), ((5, 16), (1, 2)),
             ((-1, 7), (0, 2)), ((12,), None), ((3, 4, 5), None)]
    if not two_d:
        cases += [(None, 1), ((9,), (-2,)), (None, (2, 0, 1))]
    count = 0
    for dtype in _dtypes(name):
        x = _data(rng, (4, 8, 6), dtype)
        for norm in NORMS:
            for s, axes in cases:
                if two_d and (axes is None and s is not None and len(s) != 2):
                    continue
                if two_d and axes is None and s is None:
                    kwargs = {"norm": norm}
                else:
                    kwargs = {"axes": axes, "norm": norm}
                args = () if s is None else (s,)
                _compare(name, x, args, kwargs, spy, (name, np.dtype(dtype).name, norm, s, axes))
                count += 1
    assert count > 80


def test_hermitian_roundtrip_and_overwrite(spy):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(16)
    with _on_bttbfft():
        assert np.allclose(sfft.hfft(sfft.ihfft(x), 16), x)
        assert np.allclose(sfft.hfftn(sfft.ihfftn(x.reshape(4, 4)), (4, 4)), x.reshape(4, 4))
    # overwrite_x may reuse the buffer, but the result is right and a copy is never required
    z = (rng.standard_normal(32) + 1j * rng.standard_normal(32))
    ref = sfft.fft(z)
    with _on_bttbfft():
        out = sfft.fft(z.copy(), overwrite_x=True)
    _close(out, ref, "overwrite_x")
    # the caller's input is left alone without overwrite_x
    z0 = z.copy()
    with _on_bttbfft():
        sfft.fft(z)
        sfft.fftn(z.reshape(4, 8))
        sfft.irfft(z)
    np.testing.assert_array_equal(z, z0)


def test_lists_scalars_and_byte_order(spy):
    with _on_bttbfft():
        got = sfft.fft([1, 2, 3, 4])
        got2 = sfft.rfftn([[1.0, 2.0], [3.0, 4.0]])
        got3 = sfft.fft(np.arange(8, dtype=">f8"))
    _close(got, sfft.fft([1, 2, 3, 4]), "list")
    _close(got2, sfft.rfftn([[1.0, 2.0], [3.0, 4.0]]), "nested list")
    _close(got3, sfft.fft(np.arange(8, dtype=">f8")), "big endian")


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve_under_backend(mode, spy):
    rng = np.random.default_rng(4)
    cases = [
        ((1000,), (37,), np.float64, None),
        ((256,), (65,), np.float64, None),           # padded size 320 (5-smooth, Bluestein)
        ((64, 48), (9, 8), np.float64, None),
        ((64, 48), (9, 8), np.float32, None),
        ((32, 40), (7, 5), np.complex128, None),
        ((30, 20), (5, 4), np.int64, None),
        ((5, 64, 32), (1, 7, 6), np.float64, (1, 2)),
        ((3, 33, 17), (3, 4, 4), np.float64, (-1, -2)),
        ((16, 16, 16), (3, 3, 3), np.complex64, None),
    ]
    for s1, s2, dtype, axes in cases:
        a = _data(rng, s1, dtype)
        b = _data(rng, s2, dtype)
        ref = signal.fftconvolve(a, b, mode, axes=axes)
        before = spy.total
        with _on_bttbfft():
            ours = signal.fftconvolve(a, b, mode, axes=axes)
        assert spy.total >= before + 3, (s1, s2, spy.calls)  # 2 forward + 1 inverse at least
        tol = 2e-5 if ref.dtype in (np.float32, np.complex64) else 1e-12
        scale = float(np.max(np.abs(ref)))
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        assert float(np.max(np.abs(ours - ref))) <= tol * scale, (s1, s2, dtype, mode)


def test_bttbfft_function_is_called():
    """The public bttbfft function itself is what runs (mock.patch-style check)."""
    calls = []
    real = bttbfft._fft.rfftn

    def fake(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    import bttbfft._fft as fft_mod
    saved = fft_mod.rfftn
    fft_mod.rfftn = fake
    try:
        with _on_bttbfft():
            sfft.rfftn(np.ones((4, 4)))
    finally:
        fft_mod.rfftn = saved
    assert len(calls) == 1


class _ArrayLike:
    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a if dtype is None else self._a.astype(dtype)


def test_unsupported_falls_back(spy):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(16)
    fallback_cases = [
        ("fft", (x.astype(np.longdouble),), {}),                 # long double
        ("rfft", (x.astype(np.longdouble),), {}),
        ("fftn", (x.astype(np.longdouble).reshape(4, 4),), {}),
        ("fft", (_ArrayLike(x),), {}),                           # foreign array-like
        ("dct", (x,), {}),                                       # not implemented here
        ("dst", (x,), {"type": 3}),
        ("fft", (np.zeros((0, 4)),), {"n": 4, "axis": 0}),        # empty input
    ]
    for name, args, kwargs in fallback_cases:
        fn = getattr(sfft, name)
        ref = fn(*args, **kwargs)
        before = spy.total
        with _on_bttbfft(only=False):
            ours = fn(*args, **kwargs)
        assert spy.total == before, (name, "bttbfft should not have run")
        assert ours.dtype == ref.dtype and ours.shape == ref.shape, name
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12, err_msg=name)
        # ... and with only=True nothing can handle it
        if name != "dst":
            with _on_bttbfft(only=True), pytest.raises(Exception):
                fn(*args, **kwargs)


def test_bad_arguments_raise_scipys_errors(spy):
    x = np.arange(8.0)
    bad = [
        ("fft", (x,), {"plan": object()}, NotImplementedError),
        ("fft", (x,), {"norm": "bogus"}, ValueError),
        ("fft", (x,), {"n": 0}, ValueError),
        ("fft", (x,), {"workers": 0}, ValueError),
        ("rfft", (x + 1j,), {}, TypeError),
        ("rfftn", (x + 1j,), {}, TypeError),
        ("fftn", (x.reshape(2, 4),), {"axes": (0, 0)}, ValueError),
        ("fftn", (x.reshape(2, 4),), {"axes": (2,)}, ValueError),
        ("fftn", (x.reshape(2, 4),), {"s": (1, 2, 3)}, ValueError),
        ("irfft", (np.ones(1, complex),), {}, ValueError),
    ]
    for name, args, kwargs, exc in bad:
        fn = getattr(sfft, name)
        with pytest.raises(exc):
            fn(*args, **kwargs)
        with _on_bttbfft(only=False), pytest.raises(exc):
            fn(*args, **kwargs)
    assert spy.total == 0


def test_ua_function_returns_notimplemented():
    f = backend_mod.__ua_function__
    x = np.arange(8.0)
    assert f(sfft.fft, (x,), {"plan": "p"}) is NotImplemented
    assert f(sfft.fft, (x,), {"bogus": 1}) is NotImplemented
    assert f(sfft.fft, (), {}) is NotImplemented
    assert f(sfft.rfft, (x + 0j,), {}) is NotImplemented
    assert f(sfft.fft, (x.astype(np.longdouble),), {}) is NotImplemented
    assert f(sfft.fft, (np.array(["a", "b"]),), {}) is NotImplemented
    assert f(sfft.fft, (np.array(3.0),), {}) is NotImplemented
    assert f(sfft.fft, (x,), {"workers": -10 ** 6}) is NotImplemented
    assert f(sfft.fft, (x,), {"n": 2.5}) is NotImplemented
    assert f(sfft.dctn, (x,), {}) is NotImplemented
    assert f(sfft.fht, (x, 0.1, 0.0), {}) is NotImplemented
    assert backend_mod.__ua_domain__ == "numpy.scipy.fft"
    assert "rfftn" in backend_mod.SUPPORTED and "dct" not in backend_mod.SUPPORTED
    # a supported call returns a plain ndarray
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(sfft.rfftn, (np.ones((4, 4)), (4, 4)), {"axes": [0, 1]})
    assert isinstance(out, np.ndarray) and out.shape == (4, 3)


def test_global_backend_with_scipy_registered_falls_back():
    # the module docstring's whole-process recipe: bttbfft first, scipy's own code for the rest
    import scipy.fft as sf
    x = np.arange(16.0)
    ref_dct = sf.dct(x)
    try:
        sf.set_global_backend(bttbfft.scipy_fft)
        sf.register_backend("scipy")
        np.testing.assert_allclose(sf.fft(x), np.fft.fft(x), rtol=1e-14, atol=1e-13)
        np.testing.assert_allclose(sf.dct(x), ref_dct, rtol=1e-14)      # left to scipy
        with pytest.raises(ValueError):
            sf.fft(x, n=0)                                                # scipy's own error
    finally:
        sf.set_global_backend("scipy")

"""Property tests (hypothesis) of the transforms, convolutions, operators and solvers.

Every property runs on both backends (the autouse ``backend`` fixture of conftest.py).  The
profile "bttbfft" keeps the example counts modest (the whole file runs in well under a minute);
set HYPOTHESIS_PROFILE=bttbfft-long for a longer search.
"""
import os

import numpy as np
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import bttbfft

settings.register_profile(
    "bttbfft", max_examples=25, deadline=None, derandomize=False, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
settings.register_profile(
    "bttbfft-long", max_examples=400, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "bttbfft")
if not PROFILE.startswith("bttbfft"):
    PROFILE = "bttbfft"
prop = settings.get_profile(PROFILE)

FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
SIZES = st.one_of(st.integers(1, 70), st.sampled_from([128, 256, 512, 1000, 1024]))
DTYPES = st.sampled_from([np.float64, np.complex128, np.float32, np.complex64])


def tol(dtype, n):
    eps = 5e-6 if np.dtype(dtype) in (np.dtype(np.float32), np.dtype(np.complex64)) else 1e-14
    return 20 * eps * max(1.0, np.log2(max(n, 2)))


@st.composite
def signals(draw, n=None, dtype=None, count=1):
    n = draw(SIZES) if n is None else n
    dtype = draw(DTYPES) if dtype is None else dtype
    out = []
    for _ in range(count):
        re = draw(hnp.arrays(np.float64, n, elements=FINITE))
        if np.dtype(dtype).kind == "c":
            im = draw(hnp.arrays(np.float64, n, elements=FINITE))
            out.append((re + 1j * im).astype(dtype))
        else:
            out.append(re.astype(dtype))
    return out


def rel(a, b):
    """Relative L2 distance, with an absolute floor at the subnormal range of a's precision
    (values like 1e-45 in float32 are rounded to the subnormal grid by any scaling)."""
    tiny = np.finfo(np.asarray(a).real.dtype).smallest_subnormal
    a = np.asarray(a, dtype=np.complex128)
    b = np.asarray(b, dtype=np.complex128)
    den = np.linalg.norm(b)
    num = max(np.linalg.norm(a - b) - 8 * a.size * float(tiny), 0.0)
    return num / (den if den > 0 else 1.0)


@prop
@given(signals(count=2), st.complex_numbers(max_magnitude=10, allow_nan=False),
       st.complex_numbers(max_magnitude=10, allow_nan=False))
def test_linearity(xy, a, b):
    x, y = xy
    x = x.astype(np.complex128)
    y = y.astype(np.complex128)
    lhs = bttbfft.fft(a * x + b * y)
    rhs = a * bttbfft.fft(x) + b * bttbfft.fft(y)
    scale = abs(a) * np.linalg.norm(x) + abs(b) * np.linalg.norm(y)
    assert np.linalg.norm(lhs - rhs) <= tol(np.float64, x.size) * max(scale, 1e-300) * np.sqrt(x.size)


@prop
@given(signals())
def test_parseval(xs):
    (x,) = xs
    n = x.size
    X = bttbfft.fft(x)
    Xo = bttbfft.fft(x, norm="ortho")
    # energies computed on data scaled by an exact power of two (no underflow in the test itself)
    e = int(np.frexp(max(float(np.abs(x).max()), 1e-300))[1])
    xs_, Xs, Xos = (np.ldexp(np.asarray(v, dtype=np.complex128).real, -e) +
                    1j * np.ldexp(np.asarray(v, dtype=np.complex128).imag, -e) for v in (x, X, Xo))
    ex = np.sum(np.abs(xs_) ** 2)
    eX = np.sum(np.abs(Xs) ** 2) / n
    # absolute slack for the subnormal range of the working precision (every output is rounded
    # to a multiple of the smallest subnormal), in the scaled units
    tiny = np.ldexp(float(np.finfo(X.real.dtype).smallest_subnormal), -e)
    slack = 4 * n * (float(np.abs(Xs).max()) * tiny + tiny * tiny)
    assert abs(ex - eX) <= 2 * tol(x.dtype, n) * ex + slack
    np.testing.assert_allclose(np.linalg.norm(Xos), np.sqrt(ex), rtol=tol(x.dtype, n),
                               atol=4 * np.sqrt(n) * tiny)


@prop
@given(signals(), st.sampled_from([None, "backward", "ortho", "forward"]))
def test_inverse_round_trip(xs, norm):
    (x,) = xs
    n = x.size
    back = bttbfft.ifft(bttbfft.fft(x, norm=norm), norm=norm)
    assert back.dtype == (np.complex64 if x.dtype in (np.float32, np.complex64) else np.complex128)
    assert rel(back, x) <= tol(x.dtype, n)
    if x.dtype.kind == "f":
        r = bttbfft.irfft(bttbfft.rfft(x, norm=norm), n, norm=norm)
        assert r.dtype == x.dtype
        assert rel(r, x) <= tol(x.dtype, n)


@prop
@given(signals(), st.integers(-100, 100))
def test_shift_theorem(xs, s):
    (x,) = xs
    n = x.size
    k = np.arange(n)
    lhs = bttbfft.fft(np.roll(x, s))
    rhs = bttbfft.fft(x) * np.exp(-2j * np.pi * ((k * s) % n) / n)
    assert rel(lhs, rhs) <= 2 * tol(x.dtype, n)


@prop
@given(st.data())
def test_convolution_theorem(data):
    n = data.draw(SIZES)
    x, y = data.draw(signals(n=n, dtype=np.complex128, count=2))
    # circular convolution through the transforms == direct circular convolution
    circ = bttbfft.ifft(bttbfft.fft(x) * bttbfft.fft(y))
    idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    direct = (x[idx] * y[None, :]).sum(axis=1)
    assert rel(circ, direct) <= tol(np.float64, n) * np.sqrt(n) + 1e-300
    # linear convolution == ifft(fft(x_pad) * fft(y_pad))
    m = 2 * n - 1
    lin = bttbfft.ifft(bttbfft.fft(x, m) * bttbfft.fft(y, m))
    assert rel(bttbfft.convolve(x, y, method="fft"), lin) <= tol(np.float64, m) * np.sqrt(m)


@prop
@given(signals(dtype=np.float64))
def test_real_input_is_hermitian(xs):
    (x,) = xs
    n = x.size
    X = bttbfft.fft(x)
    mirror = np.conj(X[(-np.arange(n)) % n])
    assert rel(X, mirror) <= 2 * tol(np.float64, n)
    np.testing.assert_allclose(bttbfft.rfft(x), X[: n // 2 + 1], rtol=0,
                               atol=2 * tol(np.float64, n) * max(np.abs(X).max(), 1e-300))


SHAPES2 = st.tuples(st.integers(1, 12), st.integers(1, 12))


@prop
@given(st.data(), st.sampled_from(["auto", "direct", "fft"]))
def test_convolve_commutes(data, method):
    a = data.draw(hnp.arrays(np.float64, data.draw(SHAPES2), elements=FINITE))
    b = data.draw(hnp.arrays(np.float64, data.draw(SHAPES2), elements=FINITE))
    ab = bttbfft.convolve(a, b, method=method)
    ba = bttbfft.convolve(b, a, method=method)
    scale = np.abs(a).sum() * np.abs(b).max() + 1e-300
    assert ab.shape == ba.shape == (a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1)
    assert np.abs(ab - ba).max() <= 1e-12 * scale
    c2 = bttbfft.convolve2d(a, b)
    assert np.abs(c2 - bttbfft.convolve2d(b, a)).max() <= 1e-12 * scale
    assert np.abs(c2 - ab).max() <= 1e-12 * scale


def _inner(u, v):
    return np.vdot(v, u)   # <u, v> = v^H u


@prop
@given(st.data())
def test_operator_adjoints(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    kind = data.draw(st.sampled_from(["toeplitz", "bttb", "conv"]))
    cplx = data.draw(st.booleans())

    def rnd(*shape):
        a = rng.standard_normal(shape)
        return a + 1j * rng.standard_normal(shape) if cplx else a

    if kind == "toeplitz":
        m, n = data.draw(st.integers(1, 40)), data.draw(st.integers(1, 40))
        c, r = rnd(m), rnd(n)
        r[0] = c[0]
        A = bttbfft.ToeplitzOperator(c, r)
    elif kind == "bttb":
        m, n = data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))
        A = bttbfft.BTTBOperator(rnd(2 * m - 1, 2 * n - 1))
    else:
        shape = (data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12)))
        kshape = (data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5)))
        mode = data.draw(st.sampled_from(["full", "same", "valid"]))
        boundary = data.draw(st.sampled_from(["fill", "wrap", "symm"]))
        assume(mode != "valid" or (shape[0] >= kshape[0] and shape[1] >= kshape[1]))
        assume(boundary == "fill" or mode == "same")
        A = bttbfft.ConvolutionOperator(rnd(*kshape), shape, mode=mode, boundary=boundary)
    x = rnd(A.shape[1])
    y = rnd(A.shape[0])
    lhs = _inner(A.matvec(x), y)
    rhs = _inner(x, A.rmatvec(y))
    scale = np.linalg.norm(A.matvec(x)) * np.linalg.norm(y) + np.linalg.norm(x) * np.linalg.norm(
        A.rmatvec(y)) + 1e-300
    assert abs(lhs - rhs) <= 1e-12 * scale


@prop
@given(st.integers(2, 200), st.integers(0, 2 ** 32 - 1),
       st.sampled_from(["strang", "chan", None]), st.sampled_from(["pcg", "gmres"]))
def test_preconditioned_solve_reduces_residual(n, seed, pre, method):
    rng = np.random.default_rng(seed)
    # a symmetric positive definite Toeplitz matrix with decaying off-diagonals
    c = rng.standard_normal(n) / (1.0 + np.arange(n)) ** 2
    c[0] = np.abs(c[1:]).sum() * 2 + 1.0
    b = rng.standard_normal(n)
    history = []
    T = bttbfft.ToeplitzOperator(c)
    x = bttbfft.solve_toeplitz(c, b, method=method, preconditioner=pre, tol=1e-10,
                               callback=lambda xk: history.append(
                                   np.linalg.norm(b - T.matvec(xk)) / np.linalg.norm(b)))
    res = np.linalg.norm(b - T.matvec(x)) / np.linalg.norm(b)
    assert res <= 1e-9
    assert res < 1.0                     # the initial residual (x0 = 0) is 1
    if history:
        assert history[-1] <= history[0] * (1 + 1e-12) or history[-1] <= 1e-9

"""Accuracy of the radix-2 FFT against an exact reference, compared with numpy.fft's accuracy.

Reference ("exact") transforms:
* n <= 2^10: a naive DFT in long double (np.clongdouble, angles reduced exactly mod n) of the very
  same rounded input;
* larger n: the input is a sum of K complex tones with random amplitudes at integer frequencies,
  evaluated in long double and rounded to the working precision.  The exact DFT of the rounded
  input is n * amplitude at the tone bins plus the DFT of the rounding residual
  delta = rounded - exact (computed in long double; |delta| ~ 1e-17, so double-precision error in
  its transform is ~1e-33 relative): accurate to ~1e-18 at every n up to 2^22.
For float32 input the reference is numpy.fft in double precision of the float32 data.

Asserted (both backends): relative L2 error vs exact <= SPEC.md's bound (1e-14*log2 n double,
5e-6*log2 n single); our error <= 2x numpy.fft's error (+ a floor of one unit roundoff for the
tiny sizes where both are near-exact); growth like O(log n): err(n)/log2(n) at large n stays
within 3x of its value at small n.  The full sweep up to 2^22 runs with BTTBFFT_ACCURACY_FULL=1
(and in benchmarks/accuracy.py, which also plots docs/accuracy.png).
"""
import os

import numpy as np
import pytest

import bttbfft

EPS = {np.complex128: np.finfo(np.float64).eps / 2, np.complex64: np.finfo(np.float32).eps / 2}
SPEC = {np.complex128: 1e-14, np.complex64: 5e-6}
TWO_PI_L = 2 * np.pi if np.finfo(np.longdouble).eps >= np.finfo(np.float64).eps else \
    np.longdouble("6.283185307179586476925286766559005768")


def _rel(y, ref):
    y = np.asarray(y, dtype=np.clongdouble)
    return float(np.linalg.norm((y - ref).astype(np.complex128)) /
                 np.linalg.norm(ref.astype(np.complex128)))


def _roots(n, idx):
    """exp(-2 pi i idx / n) in long double, idx reduced exactly mod n (integer array)."""
    ang = TWO_PI_L * (np.asarray(idx, dtype=np.int64) % n).astype(np.longdouble) / n
    return np.cos(ang) - 1j * np.sin(ang).astype(np.clongdouble)


def naive_reference(x):
    """Exact DFT (long double) of x, O(n^2): n <= 2^10."""
    n = x.size
    j = np.arange(n, dtype=np.int64)
    xl = x.astype(np.clongdouble)
    out = np.empty(n, dtype=np.clongdouble)
    for k0 in range(0, n, 256):      # blocks of rows to bound memory
        k = j[k0:k0 + 256]
        w = _roots(n, np.outer(k, j))
        out[k0:k0 + 256] = w @ xl
    return out


def tone_signal(n, dtype, seed=0, tones=8):
    """(rounded input, exact DFT of the rounded input) for a sum of tones."""
    rng = np.random.default_rng(seed + n)
    freqs = rng.choice(n, size=min(tones, n), replace=False)
    amps = (rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size))
    j = np.arange(n, dtype=np.int64)
    exact = np.zeros(n, dtype=np.clongdouble)
    for f, a in zip(freqs, amps):
        exact += np.clongdouble(a) * np.conj(_roots(n, f * j))     # exp(+2 pi i f j / n)
    x = exact.astype(dtype)
    if dtype == np.complex64:
        return x, np.fft.fft(x.astype(np.complex128)).astype(np.clongdouble)
    delta = x.astype(np.clongdouble) - exact
    ref = np.fft.fft(delta.astype(np.complex128)).astype(np.clongdouble)
    ref[freqs] += np.clongdouble(n) * amps.astype(np.clongdouble)
    return x, ref


def random_signal(n, dtype, seed=0):
    rng = np.random.default_rng(seed + 7 * n)
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)


def measure(n, dtype, fft=None):
    """(our error, numpy's error) vs the exact reference at length n."""
    fft = fft or bttbfft.fft
    if n <= 1024:
        x = random_signal(n, dtype)
        ref = naive_reference(x) if dtype == np.complex128 else \
            np.fft.fft(x.astype(np.complex128)).astype(np.clongdouble)
    else:
        x, ref = tone_signal(n, dtype)
    ours = fft(x)
    assert ours.dtype == dtype
    theirs = np.fft.fft(x)
    return _rel(ours, ref), _rel(theirs, ref)


SMALL = [2 ** k for k in range(1, 11)]
LARGE_DEFAULT = [2 ** 16, 2 ** 20]
LARGE_FULL = [2 ** k for k in range(11, 23)]
FULL = os.environ.get("BTTBFFT_ACCURACY_FULL", "") not in ("", "0")


def _sweep(dtype, backend):
    large = LARGE_FULL if FULL else LARGE_DEFAULT
    if backend == "python" and not FULL:
        large = [2 ** 16]            # the fallback is slower; the C sweep covers 2^20
    key = (dtype, backend, tuple(large))
    if key not in _SWEEPS:
        rows = [(n,) + measure(n, dtype) for n in SMALL + large]
        lines = [f"{'n':>8} {'ours':>10} {'numpy':>10} {'ratio':>6}"]
        for n, ours, theirs in rows:
            lines.append(f"{n:>8} {ours:10.3e} {theirs:10.3e} {ours / max(theirs, 1e-300):6.2f}")
        _SWEEPS[key] = rows, "\n".join(lines)
    return _SWEEPS[key]


_SWEEPS = {}


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64], ids=["double", "single"])
def test_accuracy_vs_exact_spec_and_log_growth(dtype, backend):
    rows, report = _sweep(dtype, backend)
    eps = EPS[dtype]
    for n, ours, _theirs in rows:
        l2 = max(1.0, np.log2(n))
        assert ours <= SPEC[dtype] * l2, f"n={n}: error {ours:.3e} above the spec bound\n{report}"
    # O(log n) growth: err/log2(n) at the large sizes within 3x of the small sizes' worst
    small_rate = max(o / np.log2(n) for n, o, _ in rows if 16 <= n <= 1024)
    for n, ours, _ in rows:
        if n > 1024:
            assert ours / np.log2(n) <= 3 * max(small_rate, eps), \
                f"n={n}: error grows faster than log n\n{report}"


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64], ids=["double", "single"])
def test_accuracy_within_2x_numpy(dtype, backend):
    """bttbfft.fft against numpy.fft.  For complex64 both compute in double and round once."""
    rows, report = _sweep(dtype, backend)
    eps = EPS[dtype]
    for n, ours, theirs in rows:
        assert ours <= 2 * theirs + eps, f"n={n}: error {ours:.3e} > 2x numpy's {theirs:.3e}\n" \
                                         f"{report}"


@pytest.mark.parametrize("n", [3, 5, 12, 100, 729, 1000, 4099])
def test_bluestein_accuracy_within_spec(n, backend):
    """Other lengths (Bluestein on the radix-2 core) meet SPEC.md's bound vs the exact DFT."""
    for dtype in (np.complex128, np.complex64):
        ours, theirs = measure(n, dtype)
        assert ours <= SPEC[dtype] * max(1.0, np.log2(n)), (n, dtype, ours, theirs)


def _inplace(x):
    return bttbfft.fft_inplace(x.copy())


def test_single_precision_core_vs_scipy(backend):
    """The complex64 radix-2 core itself (fft_inplace computes in float32 arithmetic, in place):
    within SPEC's bound, growing like log n, and within 2x of scipy.fft's error (pocketfft,
    which also computes complex64 in float32)."""
    import scipy.fft
    sizes = SMALL + ([2 ** 14, 2 ** 16] if backend == "c" else [2 ** 14])
    rows = []
    for n in sizes:
        ours, _ = measure(n, np.complex64, _inplace)
        ref, _ = measure(n, np.complex64, scipy.fft.fft)
        rows.append((n, ours, ref))
    report = "\n".join(f"{n:>8} ours {o:.3e} scipy {r:.3e} ratio {o / r:.2f}" for n, o, r in rows)
    eps = EPS[np.complex64]
    small_rate = max(o / np.log2(n) for n, o, _ in rows if 16 <= n <= 1024)
    for n, ours, ref in rows:
        assert ours <= SPEC[np.complex64] * max(1.0, np.log2(n)), report
        assert ours <= 2 * ref + eps, f"n={n}\n{report}"
        if n > 1024:
            assert ours / np.log2(n) <= 3 * max(small_rate, eps), report


@pytest.mark.parametrize("fname", ["rfft", "irfft", "fft2", "rfft2", "ifft"])
def test_single_precision_numpy_api_rounds_once(fname, backend):
    """float32/complex64 input through the numpy API: the result is the double-precision
    transform rounded once, as numpy.fft's (error within 2x of numpy's + one unit roundoff)."""
    rng = np.random.default_rng(5)
    shape = (64, 256) if fname.endswith("2") else (4096,)
    real = fname in ("rfft", "rfft2", "irfft")
    x = rng.standard_normal(shape) + (0 if real else 1j * rng.standard_normal(shape))
    x = x.astype(np.float32 if real else np.complex64)
    if fname == "irfft":
        x = np.fft.rfft(x.astype(np.float64)).astype(np.complex64)
    exact = getattr(np.fft, fname)(x.astype(np.complex128 if x.dtype.kind == "c"
                                            else np.float64))
    ours, theirs = getattr(bttbfft, fname)(x), getattr(np.fft, fname)(x)
    assert ours.dtype == theirs.dtype
    e_ours = np.linalg.norm(ours - exact) / np.linalg.norm(exact)
    e_numpy = np.linalg.norm(theirs - exact) / np.linalg.norm(exact)
    assert e_ours <= 2 * e_numpy + EPS[np.complex64], (e_ours, e_numpy)

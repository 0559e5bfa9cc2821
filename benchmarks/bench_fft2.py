"""2-D FFT benchmark: bttbfft.fft2 / rfft2 versus pyFFTW, and workers=1 versus workers=2.

For every size n in 256, 512, 1024, 2048 (complex128 n x n, and float64 for rfft2) all contenders
are timed round-robin in one process (medians of interleaved rounds, see _timing.py):

* ``fftw``: pyfftw.FFTW on a 2-D aligned complex128 array, axes (0, 1), FFTW_MEASURE, threads=1,
  planned in place (the plan is created once, outside the timing; the call transforms the
  array in place, so its cost does not include an output allocation).
* ``fftw w2``: the same FFTW plan made with threads=2: FFTW's own two-thread speed-up on this
  machine (``speedup fftw w2`` = t(fftw)/t(fftw w2)), an independent reference for ours.
* ``fft2 w1`` / ``fft2 w2``: bttbfft.fft2(x) and bttbfft.fft2(x, workers=2) (a new output array
  each call, as numpy.fft.fft2).
* ``fft2 out w1`` / ``fft2 out w2``: the same into a preallocated ``out=`` array (no fresh pages
  for the kernel to zero on first touch; like FFTW's planned arrays).
* ``fft2 inplace``: bttbfft.fft2(buf, overwrite_x=True) on a complex128 buffer (no allocation:
  the like-for-like comparison with the in-place FFTW plan).
* ``rfft2 w1`` / ``rfft2 w2``: bttbfft.rfft2 of the real part; ``fftw r2c``: pyfftw r2c plan
  (FFTW_MEASURE, threads=1).
* ``numpy``: numpy.fft.fft2 (for orientation).
* ``machine w1`` / ``machine w2``: a two-thread ceiling measured alongside: the same in-cache
  work (unitary in-place FFTs of private 32 x 512 complex128 arrays, 256 KiB each) done by one
  thread, then split over two independent threads.  No memory traffic and no shared data, but
  one Python call (and GIL hand-off) per FFT, so ``speedup machine`` = t(w1)/t(w2) understates
  what the hardware gives (2.0 on two idle physical cores; less when the host shares them).
  ``benchmarks/machine_threads.c`` and ``benchmarks/bench_workers_ceiling.py`` measure without
  Python in between.

Reported per size: medians (ms), ``fft2/fftw`` (target <= 1.5), ``speedup w2`` = t(w1)/t(w2)
for the allocating call and for ``out=`` (target >= 1.6 at 2048^2 on 2 cores), rfft2 ratios, and the
two-thread speed-ups of FFTW and of the machine itself.
In-place contenders (fftw, fftw w2, fft2 inplace) transform the same array over and over: the
values grow and may overflow to inf/nan, which does not change the time (checked: FFTW and
bttbfft at 256^2 take the same time on finite and on inf/nan data).
Results are bit-identical for every ``workers`` value (checked here too).

    python benchmarks/bench_fft2.py [--quick] [--rounds R] [--json FILE] [--sizes N [N ...]]

pyFFTW's threads are OpenMP threads; after a call they spin on their core for a while (libgomp's
default) or until the next parallel region (OMP_WAIT_POLICY=active), and the contender timed
next finds one core taken: bttbfft's fft2 on two threads at 2048^2 measured 1.61-1.75x faster
than one thread with libgomp's default, 0.93-1.22x with active waiting, interleaved with FFTW's
two-thread plan.  This script sets OMP_WAIT_POLICY=passive (unless already set) before pyFFTW
loads, so that no contender's idle threads run into another's timing.
"""
import argparse
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved, run_cases, positive  # noqa: E402

import bttbfft  # noqa: E402

try:
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None


_POOL = ThreadPoolExecutor(1)
_CEIL = [np.exp(2j * np.pi * np.random.default_rng(k).random((32, 512))) for k in range(2)]


def _ceiling_work(a, calls):
    for _ in range(calls):
        bttbfft.fft_inplace(a, norm="ortho")   # unitary: the values stay of size one


def _ceiling(calls, threads):
    if threads == 1:
        for a in _CEIL:
            _ceiling_work(a, calls)
    else:   # one share in this thread, one in the pool's thread (as bttbfft's workers run)
        f = _POOL.submit(_ceiling_work, _CEIL[1], calls)
        _ceiling_work(_CEIL[0], calls)
        f.result()


def bench(n, rounds):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    xr = np.ascontiguousarray(x.real)
    buf = x.copy()
    o = np.empty_like(x)
    same = (np.array_equal(bttbfft.fft2(x), bttbfft.fft2(x, workers=2))
            and np.array_equal(bttbfft.fft2(x), bttbfft.fft2(x, out=o, workers=2))
            and np.array_equal(bttbfft.rfft2(xr), bttbfft.rfft2(xr, workers=2)))
    cont = {
        "fft2 w1": lambda: bttbfft.fft2(x),
        "fft2 w2": lambda: bttbfft.fft2(x, workers=2),
        "fft2 out w1": lambda: bttbfft.fft2(x, out=o),
        "fft2 out w2": lambda: bttbfft.fft2(x, out=o, workers=2),
        "fft2 inplace": lambda: bttbfft.fft2(buf, overwrite_x=True),
        "rfft2 w1": lambda: bttbfft.rfft2(xr),
        "rfft2 w2": lambda: bttbfft.rfft2(xr, workers=2),
        "numpy": lambda: np.fft.fft2(x),
    }
    calls = max(1, n * n // (32 * 512) // 2)   # about the work of one fft2 of this size
    cont["machine w1"] = lambda: _ceiling(calls, 1)
    cont["machine w2"] = lambda: _ceiling(calls, 2)
    if pyfftw is not None:
        a = pyfftw.empty_aligned((n, n), dtype="complex128")
        fw = pyfftw.FFTW(a, a, axes=(0, 1), flags=("FFTW_MEASURE",), threads=1)
        a[:] = x
        ar = pyfftw.empty_aligned((n, n), dtype="float64")
        ao = pyfftw.empty_aligned((n, n // 2 + 1), dtype="complex128")
        fwr = pyfftw.FFTW(ar, ao, axes=(0, 1), flags=("FFTW_MEASURE",), threads=1)
        ar[:] = xr
        cont["fftw"] = fw
        cont["fftw r2c"] = fwr
        a2 = pyfftw.empty_aligned((n, n), dtype="complex128")
        fw2 = pyfftw.FFTW(a2, a2, axes=(0, 1), flags=("FFTW_MEASURE",), threads=2)
        a2[:] = x
        cont["fftw w2"] = fw2
    med = interleaved(cont, rounds=rounds, target=5e-3)
    res = {"n": n, "median_s": med, "bit_identical_workers": bool(same)}
    if "fftw" in med:
        res["fft2/fftw"] = med["fft2 w1"] / med["fftw"]
        res["fft2 inplace/fftw"] = med["fft2 inplace"] / med["fftw"]
        res["rfft2/fftw r2c"] = med["rfft2 w1"] / med["fftw r2c"]
        res["speedup fftw w2"] = med["fftw"] / med["fftw w2"]
        res["fft2(out=) w2/fftw w2"] = med["fft2 out w2"] / med["fftw w2"]
    res["speedup fft2 w2"] = med["fft2 w1"] / med["fft2 w2"]
    res["speedup fft2(out=) w2"] = med["fft2 out w1"] / med["fft2 out w2"]
    res["speedup rfft2 w2"] = med["rfft2 w1"] / med["rfft2 w2"]
    res["speedup machine w2"] = med["machine w1"] / med["machine w2"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=positive, default=None)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--sizes", type=positive, nargs="+", metavar="N", help="n of the n x n cases")
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 9)
    sizes = args.sizes or ([256, 1024] if args.quick else [256, 512, 1024, 2048])
    print(f"bttbfft backend {bttbfft.backend}, cores {os.cpu_count()}, pyfftw "
          f"{getattr(pyfftw, '__version__', 'missing')}", flush=True)
    run_cases(sizes, bench, rounds, lambda n: f"{n:5d}^2",
              lambda r: (f"fft2/fftw {r.get('fft2/fftw', float('nan')):.2f}"
                         f" inplace/fftw {r.get('fft2 inplace/fftw', float('nan')):.2f}"
                         f" rfft2/fftw {r.get('rfft2/fftw r2c', float('nan')):.2f}"
                         f" speedup w2 fft2 {r['speedup fft2 w2']:.2f}"
                         f" fft2(out=) {r['speedup fft2(out=) w2']:.2f}"
                         f" rfft2 {r['speedup rfft2 w2']:.2f}"
                         f" fftw {r.get('speedup fftw w2', float('nan')):.2f}"
                         f" machine {r['speedup machine w2']:.2f}"
                         f" bit-identical {r['bit_identical_workers']}"),
              args.json, {"backend": bttbfft.backend})

if __name__ == "__main__":
    main()

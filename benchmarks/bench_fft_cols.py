"""Transforms along axis 0 (columns of a C-ordered array): bttbfft.fft(x, axis=0) versus pyFFTW,
scipy.fft and numpy.fft, and workers=1 versus workers=2.

For every shape all contenders are timed round-robin in one process (medians of interleaved
rounds, see _timing.py); complex128:

* ``new w1`` / ``new w2``: bttbfft.fft(x, axis=0[, workers=2]) into a new array (numpy's API).
* ``out w1`` / ``out w2``: the same into a preallocated ``out=`` array.  This is the fused path:
  the rows are copied in their bit-reversed order and combined by the first column pass while in
  cache, then the other column passes run in blocks of columns.
* ``copy+inplace``: np.copyto(o, x) then bttbfft.fft(o, axis=0, out=o) -- the same transform
  without the fusion (a copy, then the in-place column pass with its own bit reversal): what
  ``out w1`` did before the fused path.  Bit-identical results (checked).
* ``fftw``: pyfftw.FFTW on an aligned array, axes=(0,), FFTW_MEASURE, threads=1, planned in
  place (no allocation in the call).
* ``scipy`` / ``numpy``: scipy.fft.fft(x, axis=0) and numpy.fft.fft(x, axis=0) (new arrays).

    python benchmarks/bench_fft_cols.py [--quick] [--rounds R] [--json FILE]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved, run_cases, positive  # noqa: E402

import bttbfft  # noqa: E402

try:
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None
try:
    import scipy.fft as sfft
except ImportError:  # pragma: no cover
    sfft = None


def bench(shape, rounds):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    o = np.empty_like(x)
    o2 = np.empty_like(x)

    def copy_inplace():
        np.copyto(o2, x)
        bttbfft.fft(o2, axis=0, out=o2)

    copy_inplace()
    ref = o2.copy()
    same = (np.array_equal(bttbfft.fft(x, axis=0), ref)
            and np.array_equal(bttbfft.fft(x, axis=0, workers=2), ref)
            and np.array_equal(bttbfft.fft(x, axis=0, out=o, workers=2), ref))
    cont = {
        "new w1": lambda: bttbfft.fft(x, axis=0),
        "new w2": lambda: bttbfft.fft(x, axis=0, workers=2),
        "out w1": lambda: bttbfft.fft(x, axis=0, out=o),
        "out w2": lambda: bttbfft.fft(x, axis=0, out=o, workers=2),
        "copy+inplace": copy_inplace,
        "numpy": lambda: np.fft.fft(x, axis=0),
    }
    if sfft is not None:
        cont["scipy"] = lambda: sfft.fft(x, axis=0)
    if pyfftw is not None:
        a = pyfftw.empty_aligned(shape, dtype="complex128")
        cont["fftw"] = pyfftw.FFTW(a, a, axes=(0,), flags=("FFTW_MEASURE",), threads=1)
        a[:] = x
    med = interleaved(cont, rounds=rounds, target=5e-3)
    res = {"shape": list(shape), "median_s": med, "bit_identical": bool(same),
           "out/copy+inplace": med["out w1"] / med["copy+inplace"],
           "speedup new w2": med["new w1"] / med["new w2"],
           "speedup out w2": med["out w1"] / med["out w2"]}
    if "fftw" in med:
        res["out/fftw"] = med["out w1"] / med["fftw"]
        res["new/fftw"] = med["new w1"] / med["fftw"]
    if "scipy" in med:
        res["scipy/new"] = med["scipy"] / med["new w1"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=positive, default=None)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 9)
    shapes = ([(512, 512), (256, 16, 16)] if args.quick else
              [(512, 512), (1024, 1024), (2048, 2048), (4096, 1024), (512, 64, 64)])
    print(f"bttbfft backend {bttbfft.backend}, cores {os.cpu_count()}, pyfftw "
          f"{getattr(pyfftw, '__version__', 'missing')}", flush=True)
    run_cases(shapes, bench, rounds, lambda shape: "x".join(map(str, shape)),
              lambda r: (f"out/copy+inplace {r['out/copy+inplace']:.2f}"
                         f" out/fftw {r.get('out/fftw', float('nan')):.2f}"
                         f" new/fftw {r.get('new/fftw', float('nan')):.2f}"
                         f" scipy/new {r.get('scipy/new', float('nan')):.2f}"
                         f" speedup w2 new {r['speedup new w2']:.2f}"
                         f" out {r['speedup out w2']:.2f}"
                         f" bit-identical {r['bit_identical']}"),
              args.json, {"backend": bttbfft.backend})

if __name__ == "__main__":
    main()

"""Single precision through the numpy API: bttbfft versus scipy.fft and numpy.fft.

bttbfft computes complex64/float32 transforms in double precision and rounds the result once (as
numpy 2 does; the accuracy rule of the project is "within 2x of numpy.fft's error").  Along the
last axis of C-contiguous rows it does so block by block (``_workers.rows_via_double``): each
block of rows is widened into a cache-sized double buffer, transformed, and rounded into the
output.  Contenders, timed round-robin in one process (medians of interleaved rounds):

* ``bttbfft``: bttbfft.fft / rfft / irfft of the single-precision array (a new output);
* ``widen+round``: the same transform of a full double-precision copy, rounded at the end
  (``f(x.astype(double)).astype(single)``: what a caller would write to get these bits, and the
  memory traffic of the earlier implementation);
* ``scipy.fft``: computes in single precision (pocketfft), so it moves and computes half the bytes;
* ``numpy.fft``: computes in double precision (same error as bttbfft).

    python benchmarks/bench_single.py [--rounds R] [--json FILE]
"""
import argparse
import os
import sys

import numpy as np
import scipy.fft

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved, run_cases, positive  # noqa: E402

import bttbfft  # noqa: E402

CASES = [("fft", 2048, 2048), ("fft", 16384, 256), ("fft", 256, 16384),
         ("rfft", 2048, 2048), ("rfft", 16384, 256), ("irfft", 2048, 2048),
         ("rfft2", 2048, 2048), ("fft2", 2048, 2048), ("fft2", 1024, 1024)]


def bench(case, rounds):
    kind, rows, n = case
    rng = np.random.default_rng(rows + n)
    z = (rng.standard_normal((rows, n)) + 1j * rng.standard_normal((rows, n)))
    if kind in ("fft", "fft2"):
        x, wide, single = z.astype(np.complex64), np.complex128, np.complex64
    elif kind == "irfft":
        x, wide, single = z[:, :n // 2 + 1].astype(np.complex64), np.complex128, np.float32
    else:
        x, wide, single = z.real.astype(np.float32), np.float64, np.complex64
    f, s, nf = getattr(bttbfft, kind), getattr(scipy.fft, kind), getattr(np.fft, kind)
    cont = {"bttbfft": lambda: f(x),
            "widen+round": lambda: f(x.astype(wide)).astype(single),
            "scipy.fft": lambda: s(x),
            "numpy.fft": lambda: nf(x)}
    same = bool(np.array_equal(cont["bttbfft"](), cont["widen+round"]()))
    med = interleaved(cont, rounds=rounds, target=5e-3)
    return {"kind": kind, "shape": [rows, n], "median_s": med, "bit_identical": same,
            "widen+round/bttbfft": med["widen+round"] / med["bttbfft"],
            "bttbfft/scipy": med["bttbfft"] / med["scipy.fft"],
            "numpy/bttbfft": med["numpy.fft"] / med["bttbfft"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive, default=7)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    print(f"bttbfft backend {bttbfft.backend}, cores {os.cpu_count()}", flush=True)
    run_cases(CASES, bench, args.rounds, lambda c: f"{c[0]:6s} {c[1]}x{c[2]}",
              lambda r: (f"widen+round/bttbfft {r['widen+round/bttbfft']:.2f}"
                         f" bttbfft/scipy {r['bttbfft/scipy']:.2f}"
                         f" numpy/bttbfft {r['numpy/bttbfft']:.2f}"
                         f" bit-identical {r['bit_identical']}"),
              args.json, {"backend": bttbfft.backend})


if __name__ == "__main__":
    main()

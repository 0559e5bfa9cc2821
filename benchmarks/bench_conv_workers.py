"""Conv2D(...)(x, workers=2) against workers=1: the compiled convolver primitive, the same plan,
alternating, medians of 9 rounds; checks that both results are bit-identical.  Needs the
compiled backend (the primitive is the compiled convolver's).

    python benchmarks/bench_conv_workers.py [--rounds R]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import positive  # noqa: E402

from bttbfft import _backend  # noqa: E402

PROBLEMS = [(2048, 3, "direct"), (2048, 15, "fft"), (2048, 63, "fft"), (512, 31, "fft"),
            (512, 127, "fft")]


def _time_round(fn, reps, rounds_out):
    """Append the time of one round (ms per call, reps calls) to rounds_out."""
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    rounds_out.append((time.perf_counter() - t0) / reps * 1e3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=positive, default=9)
    args = ap.parse_args()
    if _backend.name != "c":
        raise SystemExit("bench_conv_workers.py times the compiled convolver (backend 'c'); "
                         f"the active backend is {_backend.name!r}")
    from bttbfft._conv_core import Conv2D
    rng = np.random.default_rng(0)
    print("| image | kernel | method | tiles | workers=1 | workers=2 | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for n, k, method in PROBLEMS:
        x = rng.standard_normal((n, n))
        h = rng.standard_normal((k, k))
        s = (k - 1) // 2
        plan = Conv2D(h, (n, n), (s, s), (n, n), method)
        same = np.array_equal(plan(x), plan(x, workers=2))
        t1, t2 = [], []
        reps = 1 if n >= 2048 else 5
        for _ in range(args.rounds):
            _time_round(lambda: plan(x), reps, t1)
            _time_round(lambda: plan(x, workers=2), reps, t2)
        m1, m2 = float(np.median(t1)), float(np.median(t2))
        tiles = f"{plan.fft_shape[0]}x{plan.fft_shape[1]}" if method == "fft" else "-"
        print(f"| {n}² | {k}x{k} | {method} | {tiles} | {m1:.2f} | {m2:.2f} | {m1 / m2:.2f}x |"
              + ("" if same else " NOT BIT-IDENTICAL"))


if __name__ == "__main__":
    main()

"""How good is the convolver's automatic FFT tiling?  Times every power-of-two tiling.

For each 'same' problem (float64 image n x n, kernel k x k) this times the compiled convolver
(``bttbfft._conv_core.Conv2D``: plan creation + one call, as ``convolve2d`` uses it) with every
forced tile size ``tile=(N1, N2)`` (powers of two from next_pow2(k) to the single-tile size) and
with the automatic choice of the C cost model (``conv_tile_cost`` in ``src/bttb_conv.c``), all
interleaved in one process, medians.  It prints, per problem, the automatic tiling, the fastest
one and their time ratio, both taken from the forced-tile timings (the automatic plan is the same
computation as the forced plan of its tiling; comparing against its own separate timing would add
one more noisy sample): 1.00 means the cost model picked the fastest tiling.  Tilings slower than
2.5x the fastest in a first single call are not timed further (the automatic one always is).

    python benchmarks/bench_conv_tiles.py [--rounds 7] [--json FILE] [--quick]
    python benchmarks/bench_conv_tiles.py --report FILE     # the table again from a saved JSON

The JSON holds every median (``{"n_k": {"N1xN2": seconds, "auto": seconds, "auto_shape":
"N1xN2"}}``), the kind of data the cost-model constants were fitted to.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import positive  # noqa: E402

from bttbfft import _backend  # noqa: E402

PROBLEMS = ([(512, k) for k in (3, 7, 15, 31, 63, 127, 255)]
            + [(2048, k) for k in (15, 31, 63, 127, 255)]
            + [(200, 9), (1000, 21), (300, 101)])
QUICK = [(512, 15), (512, 31), (512, 63), (1000, 21)]


def _pow2_at_least(v):
    p = 1
    while p < v:
        p *= 2
    return p


def measure(n, k, rounds, rng):
    conv = _backend.conv
    x = rng.standard_normal((n, n))
    h = rng.standard_normal((k, k))
    s = (k - 1) // 2
    geom = ((n, n), (s, s), (n, n))
    auto = conv.Conv2D(h, *geom)
    top = _pow2_at_least(n + k - 1)
    sizes = [t for t in (2 ** i for i in range(3, 14)) if k <= t <= top]
    cands = {"auto": lambda: conv.Conv2D(h, *geom)(x)}
    for t1 in sizes:
        for t2 in sizes:
            cands[f"{t1}x{t2}"] = (lambda t=(t1, t2): conv.Conv2D(h, *geom, tile=t)(x))
    first = {}
    for name, fn in cands.items():
        t0 = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - t0
    fastest = min(first.values())
    auto_shape = f"{auto.fft_shape[0]}x{auto.fft_shape[1]}"
    cands = {c: f for c, f in cands.items()
             if c in ("auto", auto_shape) or first[c] < 2.5 * fastest}
    reps = max(1, int(0.01 / fastest))
    times = {c: [] for c in cands}
    for _ in range(rounds):
        for name, fn in cands.items():
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            times[name].append((time.perf_counter() - t0) / reps)
    med = {c: float(np.median(v)) for c, v in times.items()}
    return auto_shape, med


def report(results):
    print("| image | kernel | automatic tiling | ms | fastest tiling | ms | auto / fastest |")
    print("|---|---|---|---|---|---|---|")
    ratios = []
    for key, entry in results.items():
        n, k = key.split("_")
        auto_shape = entry["auto_shape"]
        med = {c: t for c, t in entry.items() if c not in ("auto", "auto_shape")}
        best = min(med, key=med.get)
        ratios.append(med[auto_shape] / med[best])
        print(f"| {n}² | {k} | {auto_shape} | {med[auto_shape] * 1e3:.2f} | {best} | "
              f"{med[best] * 1e3:.2f} | {ratios[-1]:.2f} |", flush=True)
    print(f"auto / fastest: mean {np.mean(ratios):.3f}, worst {max(ratios):.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=positive, default=7)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--report", metavar="FILE", help="print the table of a saved JSON and exit")
    ap.add_argument("--quick", action="store_true", help="four problems only")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            report(json.load(f))
        return
    if _backend.name != "c":
        raise SystemExit("bench_conv_tiles.py times the compiled convolver (backend 'c')")
    rng = np.random.default_rng(0)
    out = {}
    for n, k in (QUICK if args.quick else PROBLEMS):
        auto_shape, med = measure(n, k, args.rounds, rng)
        out[f"{n}_{k}"] = dict(med, auto_shape=auto_shape)
        print(f"{n}^2 k={k} done", flush=True)
    report(out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()

"""fft2 with workers=2 against what the machine gives two threads in the same moment.

On a shared virtual machine the second core is not always a whole core: at times the two vCPUs
share one physical core's floating-point units (or another guest uses them), and then no
compute-bound code runs faster on two threads than on one.  ``benchmarks/machine_threads.c``
shows it outside Python; this script times, in the same rounds (a new seeded order every round):

  fft2 w1 / fft2 w2       bttbfft.fft2(x, out=o, workers=1 / 2), complex128 n x n
  fftw w1 / fftw w2       pyFFTW in place, FFTW_MEASURE, threads=1 / threads=2 (if installed)
  fp w1 / fp w2           machine_threads.c's throughput work (ten independent multiply-add
                          chains per thread, registers only, no Python in between: one call
                          starts and joins the threads in C), on one thread, then on two
                          threads doing twice the work

and reports, besides the medians over all rounds, the speed-ups t(w1)/t(w2) of each round
grouped by the machine's floating-point scaling 2 t(fp w1)/t(fp w2) measured in that round.
The overall medians are the figures; the grouping shows how much of the variation is the
machine's.  Needs a C compiler (``cc``, or $CC) to build machine_threads.c as a small library.

--phases adds the two phases of the 2-D transform as contenders of their own (the compiled
backend's internal calls, the same ones fft2 makes): "rows" is the row transforms fused with the
first column pass (compute-bound), "cols" the remaining column passes over blocks of columns
(each block read from and written back to memory once), each on one thread and on two threads
claiming parts from a shared counter, as the team call does.

    python benchmarks/bench_workers_ceiling.py [--n 2048] [--rounds 61] [--phases] [--json FILE]
"""
import argparse
import ctypes
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import positive  # noqa: E402

import bttbfft  # noqa: E402

try:
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None

_HERE = os.path.dirname(os.path.abspath(__file__))


def build_probe(tmp):
    """machine_threads.c as a shared library in tmp (ctypes handle to bttbfft_mt_time)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        sys.exit("bench_workers_ceiling.py needs a C compiler (cc or $CC)")
    lib = os.path.join(tmp, "libmt.so")
    subprocess.run([cc, "-std=c99", "-O2", "-shared", "-fPIC", "-pthread",
                    "-DBTTBFFT_MT_LIBRARY", os.path.join(_HERE, "machine_threads.c"),
                    "-o", lib], check=True)
    f = ctypes.CDLL(lib).bttbfft_mt_time
    f.argtypes = [ctypes.c_int, ctypes.c_long, ctypes.c_int]
    f.restype = ctypes.c_double
    return f


def fp_iters(probe, seconds):
    """Iterations of the throughput work that take about `seconds` on one thread."""
    it = 1000
    while (t := probe(0, it, 1)) < seconds / 4:
        it *= 2
    return max(1, int(it * seconds / t))


def phase_contenders(x, o):
    """The row phase and the column phase of fft2(x, out=o) on one and two threads (see the
    module docstring); exits if the backend has no fused 2-D path."""
    from bttbfft import _backend, _workers
    f = _backend.fft
    if not hasattr(f, "fft2_rows_colfirst"):
        sys.exit("--phases needs the compiled backend")
    parts = min(16, max(2, o.nbytes >> 20))
    block = _workers._team_block(o, 2)

    def rows(k):
        c = np.zeros(1, dtype=np.uintp)
        _workers._run([lambda: f.fft2_rows_colfirst(x, o, False, 1.0, 1.0, 0, parts, True, c)]
                      * k, k)

    def cols(k):
        c = np.zeros(1, dtype=np.uintp)
        _workers._run([lambda: f.c2c_cols_rest(o, False, 1.0, block, c)] * k, k)

    return {"rows w1": lambda: rows(1), "rows w2": lambda: rows(2),
            "cols w1": lambda: cols(1), "cols w2": lambda: cols(2)}


def groups(speedup, ceiling):
    """Median speed-up of the rounds in each band of the machine's FP scaling."""
    out = []
    for lo, hi in ((0.0, 1.4), (1.4, 1.8), (1.8, 9.9)):
        sel = (ceiling >= lo) & (ceiling < hi)
        out.append({"band": [lo, hi], "rounds": int(sel.sum()),
                    "median": float(np.median(speedup[sel])) if sel.any() else None})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--rounds", type=positive, default=61)
    ap.add_argument("--json", default=None)
    ap.add_argument("--phases", action="store_true",
                    help="also time the row phase and the column phase on one and two threads")
    args = ap.parse_args()
    n = args.n
    x = np.random.default_rng(n).standard_normal((n, n)) * (1 + 0j)
    x += 1j * np.random.default_rng(n + 1).standard_normal((n, n))
    o = np.empty_like(x)
    if not np.array_equal(bttbfft.fft2(x, out=o, workers=2), bttbfft.fft2(x, workers=1)):
        sys.exit("workers=2 result differs from workers=1")
    with tempfile.TemporaryDirectory() as tmp:
        probe = build_probe(tmp)
        bttbfft.fft2(x, out=o)
        t0 = time.perf_counter()
        bttbfft.fft2(x, out=o)
        t_fft = time.perf_counter() - t0
        it = fp_iters(probe, max(5e-3, min(0.05, t_fft / 2)))
        cont = {
            "fft2 w1": lambda: bttbfft.fft2(x, out=o, workers=1),
            "fft2 w2": lambda: bttbfft.fft2(x, out=o, workers=2),
            "fp w1": lambda: probe(0, it, 1),
            "fp w2": lambda: probe(0, it, 2),
        }
        if args.phases:
            cont.update(phase_contenders(x, o))
        if pyfftw is not None:
            a1 = pyfftw.empty_aligned((n, n), dtype="complex128")
            a2 = pyfftw.empty_aligned((n, n), dtype="complex128")
            p1 = pyfftw.FFTW(a1, a1, axes=(0, 1), flags=("FFTW_MEASURE",), threads=1)
            p2 = pyfftw.FFTW(a2, a2, axes=(0, 1), flags=("FFTW_MEASURE",), threads=2)
            a1[:] = x
            a2[:] = x
            cont["fftw w1"] = p1.execute
            cont["fftw w2"] = p2.execute
        for f in cont.values():
            f()
        names = list(cont)
        rng = random.Random(0)
        samples = {k: [] for k in names}
        for _ in range(args.rounds):
            for k in rng.sample(names, len(names)):
                t0 = time.perf_counter()
                cont[k]()
                samples[k].append(time.perf_counter() - t0)
    s = {k: np.array(v) for k, v in samples.items()}
    ceiling = 2 * s["fp w1"] / s["fp w2"]
    res = {"n": n, "rounds": args.rounds, "cores": os.cpu_count(),
           "median_ms": {k: float(np.median(v) * 1e3) for k, v in s.items()},
           "fp_scaling_median": float(np.median(ceiling))}
    print(f"fft2 {n}^2 complex128, {args.rounds} rounds; medians (ms): "
          + ", ".join(f"{k} {v:.2f}" for k, v in res["median_ms"].items()))
    print(f"machine FP scaling (2 t1/t2 of the throughput work), per round: median "
          f"{np.median(ceiling):.2f}, min {ceiling.min():.2f}, max {ceiling.max():.2f}")
    for who in ("fft2", "fftw", "rows", "cols"):
        if f"{who} w1" not in s:
            continue
        sp = s[f"{who} w1"] / s[f"{who} w2"]
        med = res["median_ms"]
        res[who] = {"speedup_of_medians": med[f"{who} w1"] / med[f"{who} w2"],
                    "per_round_median": float(np.median(sp)),
                    "corr_with_fp_scaling": float(np.corrcoef(sp, ceiling)[0, 1]),
                    "by_fp_scaling": groups(sp, ceiling)}
        r = res[who]
        bands = "; ".join(f"FP scaling {g['band'][0]:.1f}-{g['band'][1]:.1f}: "
                          + (f"{g['median']:.2f} ({g['rounds']} rounds)" if g["rounds"]
                             else "no rounds")
                          for g in r["by_fp_scaling"])
        print(f"{who} workers=2 speed-up: {r['speedup_of_medians']:.2f} (medians), per round "
              f"{r['per_round_median']:.2f}, correlation with the FP scaling "
              f"{r['corr_with_fp_scaling']:.2f}; {bands}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()

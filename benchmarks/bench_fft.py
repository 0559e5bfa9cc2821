"""FFT benchmark: bttbfft versus numpy.fft, scipy.fft and (when installed) pyFFTW.

complex128 c2c and float64 r2c for n = 2^4 .. 2^22, all contenders interleaved in one process
(round-robin per round), medians over rounds, ratios to numpy.fft and GFLOPS (5 n log2 n).

    python benchmarks/bench_fft.py [--min 4] [--max 22] [--rounds 9] [--json out.json]
                                   [--plot out.png] [--sizes N [N ...]]

--sizes times the given lengths instead of the powers of two 2^min .. 2^max (any length: those
that are not powers of two run through Bluestein's algorithm on the radix-2 core).

Contenders (complex128):
  numpy       numpy.fft.fft(x)                 allocating
  scipy       scipy.fft.fft(x)                 allocating
  bttbfft     bttbfft.fft(x)                   allocating, numpy API
  inplace     bttbfft.fft_inplace(y)           in place on a preallocated array
  fftw        pyFFTW FFTW_MEASURE, 1 thread, planned in place  (if pyfftw is installed)
Contenders (float64 r2c): numpy.fft.rfft, scipy.fft.rfft, bttbfft.rfft, pyFFTW rfft (planned).
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy.fft

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import gflops, interleaved, positive  # noqa: E402

import bttbfft  # noqa: E402

try:
    import pyfftw
except ImportError:  # optional reference
    pyfftw = None


def fftw_c2c(n):
    a = pyfftw.empty_aligned(n, dtype="complex128")
    plan = pyfftw.FFTW(a, a, flags=("FFTW_MEASURE",), threads=1)
    return a, plan


def fftw_r2c(n):
    a = pyfftw.empty_aligned(n, dtype="float64")
    b = pyfftw.empty_aligned(n // 2 + 1, dtype="complex128")
    plan = pyfftw.FFTW(a, b, flags=("FFTW_MEASURE",), threads=1)
    return a, plan


def _label(n):
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)


def run(sizes, rounds):
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        r = rng.standard_normal(n)
        y = x.copy()
        c2c = {
            "numpy": lambda: np.fft.fft(x),
            "scipy": lambda: scipy.fft.fft(x),
            "bttbfft": lambda: bttbfft.fft(x),
        }
        if n & (n - 1) == 0:   # fft_inplace takes powers of two only
            c2c["inplace"] = lambda: bttbfft.fft_inplace(y)
        r2c = {
            "numpy": lambda: np.fft.rfft(r),
            "scipy": lambda: scipy.fft.rfft(r),
            "bttbfft": lambda: bttbfft.rfft(r),
        }
        if pyfftw is not None:
            a, pc = fftw_c2c(n)
            a[:] = x
            c2c["fftw"] = pc
            ar, pr = fftw_r2c(n)
            ar[:] = r
            r2c["fftw"] = pr
        for kind, contenders in (("c2c", c2c), ("r2c", r2c)):
            t = interleaved(contenders, rounds=rounds)
            row = {"n": n, "kind": kind, "times": t,
                   "ratio_to_numpy": {k: v / t["numpy"] for k, v in t.items()},
                   "gflops": {k: gflops(n, v, real=(kind == "r2c")) for k, v in t.items()}}
            if "fftw" in t:
                row["ratio_to_fftw"] = {k: v / t["fftw"] for k, v in t.items()}
            rows.append(row)
            cols = "  ".join(f"{k}={v * 1e6:9.2f}us" for k, v in t.items())
            ratio = t["bttbfft"] / t["numpy"]
            print(f"n={_label(n):<8} {kind}  {cols}  bttbfft/numpy={ratio:.3f}", flush=True)
    return rows


def table(rows):
    kinds = sorted({k for r in rows for k in r["times"]}, key=lambda k: ["numpy", "scipy",
                   "fftw", "bttbfft", "inplace"].index(k))
    lines = ["| n | kind | " + " | ".join(f"{k} (us)" for k in kinds)
             + " | bttbfft/numpy | inplace/numpy | bttbfft GFLOPS |",
             "|---|---|" + "---|" * (len(kinds) + 3)]
    for r in rows:
        t = r["times"]
        inpl = f"{t['inplace'] / t['numpy']:.3f}" if "inplace" in t else ""
        lines.append(f"| {_label(r['n'])} | {r['kind']} | "
                     + " | ".join(f"{t[k] * 1e6:.2f}" if k in t else "" for k in kinds)
                     + f" | {t['bttbfft'] / t['numpy']:.3f} | {inpl} | "
                     f"{r['gflops']['bttbfft']:.2f} |")
    return "\n".join(lines)


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, kind in zip(axes, ("c2c", "r2c")):
        sel = [r for r in rows if r["kind"] == kind]
        ns = [r["n"] for r in sel]
        for k in sel[0]["times"]:
            if k == "numpy":
                continue
            ax.loglog(ns, [r["ratio_to_numpy"][k] for r in sel], "o-", base=2, label=k)
        ax.axhline(1.0, color="gray", lw=0.8)
        ax.set_title(f"{kind} ({'complex128' if kind == 'c2c' else 'float64'})")
        ax.set_xlabel("n")
        ax.legend()
    axes[0].set_ylabel("time / numpy.fft time (median)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--min", type=int, default=4)
    p.add_argument("--max", type=int, default=22)
    p.add_argument("--rounds", type=positive, default=9)
    p.add_argument("--json")
    p.add_argument("--plot")
    p.add_argument("--sizes", type=positive, nargs="+", metavar="N",
                   help="lengths to time (default: the powers of two 2^min .. 2^max)")
    a = p.parse_args()
    if not a.sizes and not 0 <= a.min <= a.max:
        p.error(f"--min and --max: need 0 <= min <= max, got {a.min} and {a.max}")
    print(f"bttbfft backend={bttbfft.backend}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, pyfftw {getattr(pyfftw, '__version__', 'not installed')}")
    rows = run(a.sizes or [1 << e for e in range(a.min, a.max + 1)], a.rounds)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"backend": bttbfft.backend, "rows": rows}, f, indent=1)
    print()
    print(table(rows))
    if a.plot:
        plot(rows, a.plot)


if __name__ == "__main__":
    main()

"""bttbfft versus FFTW (pyFFTW), side by side, in one process.

For every n = 2^min .. 2^max all of these are timed round-robin (one timing of each per round,
`_timing.interleaved`), and medians over the rounds are reported:

  c128        bttbfft.fft_inplace(x)            complex128, in place, preallocated array
  fftw_c128   pyFFTW plan.execute()             FFTW_MEASURE, threads=1, planned in place
  c64         bttbfft.fft_inplace(x)            complex64
  fftw_c64    pyFFTW plan.execute()             complex64, in place
  rfft        bttbfft.rfft(r)                   float64 -> complex128 (allocating)
  rfft_out    bttbfft.rfft(r, out=o)            into a preallocated output
  fftw_r2c    pyFFTW plan.execute()             float64 -> complex128, planned out of place
  fft         bttbfft.fft(x)                    allocating numpy-style call
  scipy       scipy.fft.fft(x)                  allocating
  numpy       numpy.fft.fft(x)                  allocating

Ratios: c128/fftw_c128, c64/fftw_c64, rfft/fftw_r2c (and rfft_out/fftw_r2c), scipy/fft,
numpy/fft.  GFLOPS = 5 n log2(n) / t (half of it for real transforms).  FFTW is called through
plan.execute() (no pyFFTW argument checking), bttbfft through its public Python API, so the bttbfft
figures include its Python-call overhead.  Every contender, FFTW too, is a zero-argument lambda, so
each pays the same one Python frame per call.  A second table (n = 2^4 .. 2^8) shows that overhead:
bttbfft.fft_inplace and bttbfft.fft against the bare Cython primitive (_core.c2c_contig).

    python benchmarks/bench_fftw.py [--min 8] [--max 22] [--rounds 9] [--quick]
                                    [--json out.json] [--plot out.png]

In-place contenders transform the same array over and over (values grow; overflow to inf/nan does
not slow SIMD arithmetic on x86-64, and FFTW's arrays see the same).
"""
import argparse
import json
import os
import sys

import numpy as np
import scipy
import scipy.fft

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import gflops, interleaved, positive  # noqa: E402

import bttbfft  # noqa: E402

try:
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None

PAIRS = (("c128", "fftw_c128"), ("c64", "fftw_c64"), ("rfft", "fftw_r2c"),
         ("rfft_out", "fftw_r2c"))


def _fftw_inplace(x):
    a = pyfftw.empty_aligned(x.shape[0], dtype=x.dtype)
    plan = pyfftw.FFTW(a, a, flags=("FFTW_MEASURE",), threads=1)
    a[:] = x
    return plan


def _fftw_r2c(r):
    a = pyfftw.empty_aligned(r.shape[0], dtype="float64")
    b = pyfftw.empty_aligned(r.shape[0] // 2 + 1, dtype="complex128")
    plan = pyfftw.FFTW(a, b, flags=("FFTW_MEASURE",), threads=1)
    a[:] = r
    return plan


def run(exps, rounds):
    rng = np.random.default_rng(0)
    rows = []
    for e in exps:
        n = 1 << e
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        x64 = x.astype(np.complex64)
        r = rng.standard_normal(n)
        y, y64 = x.copy(), x64.copy()
        o = np.empty(n // 2 + 1, dtype=np.complex128)
        c = {
            "c128": lambda: bttbfft.fft_inplace(y),
            "c64": lambda: bttbfft.fft_inplace(y64),
            "rfft": lambda: bttbfft.rfft(r),
            "rfft_out": lambda: bttbfft.rfft(r, out=o),
            "fft": lambda: bttbfft.fft(x),
            "scipy": lambda: scipy.fft.fft(x),
            "numpy": lambda: np.fft.fft(x),
        }
        if pyfftw is not None:
            # called like bttbfft, through a lambda (one Python frame each, ~75 ns here): a bare
            # bound method would skip the frame that every bttbfft contender pays
            fc128, fc64, fr2c = _fftw_inplace(x), _fftw_inplace(x64), _fftw_r2c(r)
            c["fftw_c128"] = lambda: fc128.execute()
            c["fftw_c64"] = lambda: fc64.execute()
            c["fftw_r2c"] = lambda: fr2c.execute()
        t = interleaved(c, rounds=rounds, budget=0.5)
        row = {"n": n, "times": t,
               "gflops": {k: gflops(n, v, real=k.startswith(("rfft", "fftw_r2c")))
                          for k, v in t.items()},
               "ratio": {}}
        for a, b in PAIRS:
            if b in t:
                row["ratio"][f"{a}/{b}"] = t[a] / t[b]
        row["ratio"]["scipy/fft"] = t["scipy"] / t["fft"]
        row["ratio"]["numpy/fft"] = t["numpy"] / t["fft"]
        rows.append(row)
        print(f"n=2^{e:<2} " + "  ".join(f"{k}={v * 1e6:.2f}us" for k, v in t.items()), flush=True)
        print("       " + "  ".join(f"{k}={v:.3f}" for k, v in row["ratio"].items()), flush=True)
    return rows


def run_overhead(exps, rounds):
    rng = np.random.default_rng(1)
    rows = []
    core = bttbfft._backend.fft if bttbfft.backend == "c" else None
    for e in exps:
        n = 1 << e
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        y, z = x.copy(), x.copy()
        w = np.empty_like(x)
        c = {"fft_inplace": lambda: bttbfft.fft_inplace(y),
             "fft": lambda: bttbfft.fft(x),
             "scipy": lambda: scipy.fft.fft(x)}
        if core is not None:
            c["core_inplace"] = lambda: core.c2c_contig(z, z, False, 1.0)
            c["core_oop"] = lambda: core.c2c_contig(x, w, False, 1.0)
        if pyfftw is not None:
            fc128 = _fftw_inplace(x)
            c["fftw_c128"] = lambda: fc128.execute()
        t = interleaved(c, rounds=rounds)
        rows.append({"n": n, "times": t})
        print(f"n=2^{e:<2} " + "  ".join(f"{k}={v * 1e6:.3f}us" for k, v in t.items()), flush=True)
    return rows


def tables(rows, orows):
    out = []
    out.append("| n | c128 us | FFTW c128 us | ratio | c128 GFLOPS | c64 us | FFTW c64 us | ratio "
               "| rfft us | rfft(out=) us | FFTW r2c us | ratio | ratio (out=) |")
    out.append("|---|" + "---|" * 12)
    for r in rows:
        t, q = r["times"], r["ratio"]
        f = lambda k: f"{t[k] * 1e6:.2f}" if k in t else "-"  # noqa: E731
        g = lambda k: f"{q[k]:.2f}" if k in q else "-"  # noqa: E731
        out.append(f"| 2^{int(np.log2(r['n']))} | {f('c128')} | {f('fftw_c128')} | "
                   f"{g('c128/fftw_c128')} | {r['gflops']['c128']:.1f} | {f('c64')} | "
                   f"{f('fftw_c64')} | {g('c64/fftw_c64')} | {f('rfft')} | {f('rfft_out')} | "
                   f"{f('fftw_r2c')} | {g('rfft/fftw_r2c')} | {g('rfft_out/fftw_r2c')} |")
    out.append("")
    out.append("| n | bttbfft.fft us | scipy.fft.fft us | numpy.fft.fft us | scipy/bttbfft "
               "| numpy/bttbfft |")
    out.append("|---|---|---|---|---|---|")
    for r in rows:
        t, q = r["times"], r["ratio"]
        out.append(f"| 2^{int(np.log2(r['n']))} | {t['fft'] * 1e6:.2f} | {t['scipy'] * 1e6:.2f} | "
                   f"{t['numpy'] * 1e6:.2f} | {q['scipy/fft']:.2f} | {q['numpy/fft']:.2f} |")
    if orows:
        keys = list(orows[0]["times"])
        out.append("")
        out.append("| n | " + " | ".join(f"{k} us" for k in keys) + " |")
        out.append("|---|" + "---|" * len(keys))
        for r in orows:
            out.append(f"| 2^{int(np.log2(r['n']))} | "
                       + " | ".join(f"{r['times'][k] * 1e6:.3f}" for k in keys) + " |")
    return "\n".join(out)


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ns = [r["n"] for r in rows]
    for key, label in (("c128/fftw_c128", "complex128 fft_inplace / FFTW"),
                       ("c64/fftw_c64", "complex64 fft_inplace / FFTW"),
                       ("rfft/fftw_r2c", "float64 rfft / FFTW r2c"),
                       ("rfft_out/fftw_r2c", "float64 rfft(out=) / FFTW r2c")):
        if all(key in r["ratio"] for r in rows):
            ax.semilogx(ns, [r["ratio"][key] for r in rows], "o-", base=2, label=label)
    ax.axhline(1.0, color="gray", lw=0.8)
    ax.axhline(1.5, color="red", lw=1.0, ls="--", label="1.5")
    ax.set_xlabel("n")
    ax.set_ylabel("time / FFTW time (median, interleaved)")
    simd = bttbfft._backend.fft.simd_name() if bttbfft.backend == "c" else "python"
    ax.set_title(f"bttbfft ({simd})"
                 " vs FFTW_MEASURE, 1 thread")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--min", type=int, default=8)
    p.add_argument("--max", type=int, default=22)
    p.add_argument("--rounds", type=positive, default=9)
    p.add_argument("--quick", action="store_true", help="n = 2^8, 2^10, 2^12, 2^16, 2^20; 5 rounds")
    p.add_argument("--json")
    p.add_argument("--plot")
    a = p.parse_args()
    if not 0 <= a.min <= a.max:
        p.error(f"--min and --max: need 0 <= min <= max, got {a.min} and {a.max}")
    simd = bttbfft._backend.fft.simd_name() if bttbfft.backend == "c" else "-"
    print(f"bttbfft backend={bttbfft.backend} simd={simd}, numpy {np.__version__}, scipy "
          f"{scipy.__version__}, pyfftw {getattr(pyfftw, '__version__', 'not installed')}")
    if a.quick:
        exps, oexps, rounds = [8, 10, 12, 16, 20], [4, 6, 8], 5
    else:
        exps, oexps, rounds = list(range(a.min, a.max + 1)), list(range(4, 9)), a.rounds
    rows = run(exps, rounds)
    orows = run_overhead(oexps, rounds)
    print()
    print(tables(rows, orows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"backend": bttbfft.backend, "simd": simd, "rows": rows, "overhead": orows},
                      f, indent=1)
    if a.plot:
        plot(rows, a.plot)


if __name__ == "__main__":
    main()

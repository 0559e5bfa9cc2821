"""Convolution / structured-product benchmark: bttbfft versus scipy.

Sections (all contenders of a case timed round-robin in one process; medians; ratios are
time / time of the reference contender, < 1 means faster than the reference):

* conv2d: 2-D float64 'same' convolution, images 512^2 and 2048^2, square kernels 3..255:
  bttbfft.convolve2d ("ours"), bttbfft.fftconvolve, scipy.signal.fftconvolve (reference),
  scipy.signal.oaconvolve, scipy.signal.convolve(method="auto"), scipy.ndimage.convolve
  (mode='constant'; timed only, its centring differs for even sizes).  Every point reports
  ours / fftconvolve (criterion: <= 0.5, i.e. at least 2x faster) and ours / fastest scipy
  contender (criterion: <= 1.1, never more than 10% slower), with pass/fail.  All contenders are
  single-threaded (bttbfft's public convolution functions do not use threads).  A contender
  whose single call exceeds the budget is skipped (reported; it is then far slower than ours).
* bttb: image N^2, generator (2N-1)^2: BTTBOperator matvec (constructed once), bttb_matvec,
  scipy.signal.fftconvolve(x, t, "valid") (reference).
* toeplitz: n = 2^10..2^20: ToeplitzOperator matvec vs scipy.linalg.matmul_toeplitz (reference).
* memory: peak extra memory (tracemalloc) of convolve2d on 2048^2 with a 15x15 kernel, as a
  multiple of the output size.

    python benchmarks/bench_conv.py [--quick] [--json FILE] [--plot FILE] [--budget SECONDS]
"""
import argparse
import json
import os
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved, positive  # noqa: E402

import scipy.linalg  # noqa: E402
import scipy.ndimage  # noqa: E402
import scipy.signal  # noqa: E402

import bttbfft  # noqa: E402


def _probe(fn, budget):
    """Run fn once and return its time (the caller compares it with the budget)."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    return dt


def _run_case(contenders, ref, rounds, budget, est=None):
    """Time contenders; those predicted or measured slower than budget are skipped."""
    keep, skipped = {}, []
    for name, fn in contenders.items():
        if est is not None and est.get(name, 0.0) > budget:
            skipped.append(name)
            continue
        dt = _probe(fn, budget)
        if dt > budget:
            skipped.append(name)
        else:
            keep[name] = fn
    med = interleaved(keep, rounds=rounds, target=1e-3, budget=budget) if keep else {}
    base = med.get(ref)
    ratios = {k: (v / base if base else None) for k, v in med.items()}
    return {"median_s": med, "ratio_to_" + ref: ratios, "skipped": skipped}


def bench_conv2d(quick, rounds, budget):
    rng = np.random.default_rng(0)
    out = []
    sizes = [512] if quick else [512, 2048]
    kernels = [3, 15, 63] if quick else [3, 7, 15, 31, 63, 127, 255]
    for n in sizes:
        x = rng.standard_normal((n, n))
        for k in kernels:
            h = rng.standard_normal((k, k))
            # scipy's direct convolve2d / ndimage cost ~ k^2 n^2 multiply-adds
            direct_est = 1.5e-9 * k * k * n * n
            cont = {
                "bttbfft.convolve2d": lambda: bttbfft.convolve2d(x, h, "same"),
                "bttbfft.fftconvolve": lambda: bttbfft.fftconvolve(x, h, "same"),
                "scipy.signal.fftconvolve": lambda: scipy.signal.fftconvolve(x, h, "same"),
                "scipy.signal.oaconvolve": lambda: scipy.signal.oaconvolve(x, h, "same"),
                "scipy.signal.convolve": lambda: scipy.signal.convolve(x, h, "same"),
                "scipy.ndimage.convolve": lambda: scipy.ndimage.convolve(x, h, mode="constant"),
            }
            est = {"scipy.ndimage.convolve": direct_est}
            if scipy.signal.choose_conv_method(x, h, "same") == "direct":
                est["scipy.signal.convolve"] = direct_est
            res = _run_case(cont, "scipy.signal.fftconvolve", rounds, budget, est)
            res.update(image=n, kernel=k)
            _conv_verdict(res)
            out.append(res)
            _print(f"conv2d {n}^2 k={k}", res)
            print(f"    ours/fftconvolve {res['ours/fftconvolve']:.2f} "
                  f"({'PASS' if res['pass_2x_fftconvolve'] else 'FAIL'} <= 0.5), "
                  f"ours/fastest {res['ours/fastest']:.2f} [{res['fastest']}] "
                  f"({'PASS' if res['pass_within_10pct_fastest'] else 'FAIL'} <= 1.1)",
                  flush=True)
    return out


_OURS = "bttbfft.convolve2d"
_SCIPY = ("scipy.signal.fftconvolve", "scipy.signal.oaconvolve", "scipy.signal.convolve",
          "scipy.ndimage.convolve")


def _conv_verdict(res):
    med = res["median_s"]
    ours = med[_OURS]
    timed = {k: med[k] for k in _SCIPY if k in med}
    fastest = min(timed, key=timed.get)
    res["ours/fftconvolve"] = ours / med["scipy.signal.fftconvolve"]
    res["fastest"] = fastest
    res["ours/fastest"] = ours / timed[fastest]
    res["pass_2x_fftconvolve"] = bool(res["ours/fftconvolve"] <= 0.5)
    res["pass_within_10pct_fastest"] = bool(res["ours/fastest"] <= 1.1)


def bench_bttb(quick, rounds, budget):
    rng = np.random.default_rng(1)
    out = []
    for n in ([128, 256] if quick else [128, 256, 512, 1024]):
        x = rng.standard_normal((n, n))
        t = rng.standard_normal((2 * n - 1, 2 * n - 1))
        op = bttbfft.BTTBOperator(t)
        xv = x.ravel()
        cont = {
            "BTTBOperator.matvec": lambda: op.matvec(xv),
            "bttb_matvec": lambda: bttbfft.bttb_matvec(t, x),
            "scipy.signal.fftconvolve(valid)": lambda: scipy.signal.fftconvolve(x, t, "valid"),
        }
        res = _run_case(cont, "scipy.signal.fftconvolve(valid)", rounds, budget)
        res.update(n=n)
        out.append(res)
        _print(f"bttb N={n}", res)
    return out


def bench_toeplitz(quick, rounds, budget):
    rng = np.random.default_rng(2)
    out = []
    for p in (range(10, 17, 3) if quick else range(10, 21)):
        n = 1 << p
        c = rng.standard_normal(n)
        r = rng.standard_normal(n)
        x = rng.standard_normal(n)
        op = bttbfft.ToeplitzOperator(c, r)
        cont = {
            "ToeplitzOperator.matvec": lambda: op.matvec(x),
            "scipy.linalg.matmul_toeplitz": lambda: scipy.linalg.matmul_toeplitz((c, r), x),
        }
        res = _run_case(cont, "scipy.linalg.matmul_toeplitz", rounds, budget)
        res.update(n=n)
        out.append(res)
        _print(f"toeplitz n=2^{p}", res)
    return out


def bench_memory(quick):
    n = 1024 if quick else 2048
    rng = np.random.default_rng(3)
    x = rng.standard_normal((n, n))
    h = rng.standard_normal((15, 15))
    res = {}
    for name, fn in [("bttbfft.convolve2d", lambda: bttbfft.convolve2d(x, h, "same")),
                     ("scipy.signal.fftconvolve", lambda: scipy.signal.fftconvolve(x, h, "same"))]:
        fn()
        tracemalloc.start()
        y = fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        res[name] = peak / y.nbytes
        del y
    print(f"memory {n}^2 k=15: peak extra / output size: "
          + ", ".join(f"{k} {v:.2f}x" for k, v in res.items()), flush=True)
    return {"image": n, "kernel": 15, "peak_over_output": res}


def _print(title, res):
    ref = [k for k in res if k.startswith("ratio_to_")][0]
    parts = [f"{k} {v * 1e3:.2f}ms ({res[ref][k]:.2f})" for k, v in res["median_s"].items()]
    if res["skipped"]:
        parts.append("skipped: " + ", ".join(res["skipped"]))
    print(f"{title}: " + "; ".join(parts), flush=True)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(21, 4.5))
    conv = results["conv2d"]
    for n in sorted({r["image"] for r in conv}):
        rows = [r for r in conv if r["image"] == n]
        names = sorted({k for r in rows for k in r["median_s"]})
        for name in names:
            ks = [r["kernel"] for r in rows if name in r["median_s"]]
            rs = [r["ratio_to_scipy.signal.fftconvolve"][name] for r in rows
                  if name in r["median_s"]]
            axes[0].plot(ks, rs, marker="o", label=f"{name} {n}^2")
        ks = [r["kernel"] for r in rows]
        axes[1].plot(ks, [r["ours/fftconvolve"] for r in rows], marker="o",
                     label=f"ours / fftconvolve {n}^2")
        axes[1].plot(ks, [r["ours/fastest"] for r in rows], marker="s", ls="--",
                     label=f"ours / fastest scipy {n}^2")
    axes[0].set(xscale="log", yscale="log", xlabel="kernel size", title="conv2d 'same'",
                ylabel="time / scipy.signal.fftconvolve")
    axes[0].legend(fontsize=6)
    axes[1].axhline(0.5, color="k", lw=0.8)
    axes[1].axhline(1.1, color="r", lw=0.8)
    axes[1].set(xscale="log", yscale="log", xlabel="kernel size",
                title="bttbfft.convolve2d criteria (<= 0.5 / <= 1.1)", ylabel="time ratio")
    axes[1].legend(fontsize=6)
    for ax, key, xkey, ref in [(axes[2], "bttb", "n", "scipy.signal.fftconvolve(valid)"),
                               (axes[3], "toeplitz", "n", "scipy.linalg.matmul_toeplitz")]:
        rows = results[key]
        names = sorted({k for r in rows for k in r["median_s"]})
        for name in names:
            xs = [r[xkey] for r in rows if name in r["median_s"]]
            ys = [r["ratio_to_" + ref][name] for r in rows if name in r["median_s"]]
            ax.plot(xs, ys, marker="o", label=name)
        ax.set(xscale="log", yscale="log", xlabel=xkey, title=key, ylabel=f"time / {ref}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--plot", metavar="FILE", help="PNG of the ratios (needs matplotlib)")
    ap.add_argument("--rounds", type=positive, default=None)
    ap.add_argument("--budget", type=float, default=None,
                    help="skip a contender whose single call exceeds this many seconds")
    ap.add_argument("--only", choices=["conv2d", "bttb", "toeplitz", "memory"], action="append",
                    help="run only these sections (repeatable)")
    args = ap.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    budget = args.budget or (2.0 if args.quick else 10.0)
    print(f"bttbfft backend: {bttbfft.backend}", flush=True)
    only = set(args.only or ["conv2d", "bttb", "toeplitz", "memory"])
    results = {"backend": bttbfft.backend, "rounds": rounds, "budget_s": budget}
    if "conv2d" in only:
        results["conv2d"] = bench_conv2d(args.quick, rounds, budget)
        npass = sum(r["pass_2x_fftconvolve"] and r["pass_within_10pct_fastest"]
                    for r in results["conv2d"])
        print(f"conv2d: {npass}/{len(results['conv2d'])} points pass both criteria", flush=True)
    if "bttb" in only:
        results["bttb"] = bench_bttb(args.quick, rounds, budget)
    if "toeplitz" in only:
        results["toeplitz"] = bench_toeplitz(args.quick, rounds, budget)
    if "memory" in only:
        results["memory"] = bench_memory(args.quick)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    if args.plot and all(k in results for k in ("conv2d", "bttb", "toeplitz")):
        plot(results, args.plot)


if __name__ == "__main__":
    main()

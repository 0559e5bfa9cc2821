"""Benchmark: Toeplitz solvers and CNN-style conv2d.

1. ``bttbfft.solve_toeplitz`` -- PCG + Strang, PCG + T. Chan, unpreconditioned CG (all to relative
   residual 1e-10) -- versus ``scipy.linalg.solve_toeplitz`` (Levinson, O(n^2)) for
   n = 1000, 4000, 16000, 65536 on the families t_k = (1+k)^-1 and Kac-Murdock-Szego rho = 0.99:
   median times (interleaved rounds), iteration counts, the true relative residual reached and
   the speed-up over scipy.
2. ``bttbfft.conv2d`` versus ``torch.nn.functional.conv2d`` (when torch is installed) on CNN layer
   shapes: median times and the max error relative to max|torch output|.

Usage:  python benchmarks/bench_solvers.py [--quick] [--json FILE] [--no-conv] [--no-solve]
(``--quick``: n up to 16000, fewer rounds).  Run with ``PYTHONPATH=src`` in a source checkout.
Both sides run single-threaded (OMP/OpenBLAS/MKL threads and torch.set_num_threads set to 1 unless
BENCH_THREADS is given), so the comparison is per core.
"""
import argparse
import json
import os
import sys
import time

_THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _THREADS

import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved  # noqa: E402

import bttbfft  # noqa: E402


def family(name, n):
    k = np.arange(n, dtype=float)
    if name == "(1+k)^-1":
        return (1.0 + k) ** -1.0
    if name == "KMS 0.99":
        return 0.99 ** k
    if name == "(1+k)^-2":
        return (1.0 + k) ** -2.0
    raise KeyError(name)


def relres(c, x, b):
    T = bttbfft.ToeplitzOperator(c)
    return float(np.linalg.norm(T.matvec(x) - b) / np.linalg.norm(b))


def bench_solve(sizes, families, rounds, scipy_max_once=16000):
    rows = []
    for fam in families:
        for n in sizes:
            c = family(fam, n)
            b = np.random.default_rng(n).standard_normal(n)
            variants = {"PCG+Strang": "strang", "PCG+Chan": "chan", "CG": None}
            its, res = {}, {}
            for name, pre in variants.items():
                count = []
                x = bttbfft.solve_toeplitz(c, b, method="pcg", preconditioner=pre, tol=1e-10,
                                           callback=lambda xk: count.append(1))
                its[name] = len(count)
                res[name] = relres(c, x, b)
            contenders = {name: (lambda pre=pre: bttbfft.solve_toeplitz(
                c, b, method="pcg", preconditioner=pre, tol=1e-10))
                for name, pre in variants.items()}
            if n <= scipy_max_once:
                contenders["scipy"] = lambda: sl.solve_toeplitz(c, b)
            times = interleaved(contenders, rounds=rounds, target=0.05, budget=0.5)
            if "scipy" not in times:      # one call only: O(n^2), several seconds
                t0 = time.perf_counter()
                xs = sl.solve_toeplitz(c, b)
                times["scipy"] = time.perf_counter() - t0
            else:
                xs = sl.solve_toeplitz(c, b)
            res["scipy"] = relres(c, xs, b)
            its["scipy"] = None
            row = dict(family=fam, n=n, times=times, iterations=its, residual=res,
                       speedup_strang=times["scipy"] / times["PCG+Strang"],
                       speedup_chan=times["scipy"] / times["PCG+Chan"])
            rows.append(row)
            print(f"{fam:10s} n={n:6d}  " + "  ".join(
                f"{k}: {times[k] * 1e3:9.2f} ms" + (f" ({its[k]:4d} it)" if its[k] else "")
                for k in ("PCG+Strang", "PCG+Chan", "CG", "scipy"))
                + f"  speed-up {row['speedup_strang']:.1f}x / {row['speedup_chan']:.1f}x",
                flush=True)
    return rows


CONV_SHAPES = [
    # name, input shape, weight shape, kwargs
    ("64->64 3x3, 56^2", (1, 64, 56, 56), (64, 64, 3, 3), dict(padding=1)),
    ("3->64 7x7 s2, 224^2", (1, 3, 224, 224), (64, 3, 7, 7), dict(stride=2, padding=3)),
    ("dw 31x31 (C=64), 56^2", (1, 64, 56, 56), (64, 1, 31, 31), dict(padding=15, groups=64)),
    ("dw 7x7 (C=64), 56^2", (1, 64, 56, 56), (64, 1, 7, 7), dict(padding=3, groups=64)),
    ("128->128 3x3 s2, 28^2", (1, 128, 28, 28), (128, 128, 3, 3), dict(stride=2, padding=1)),
]


def bench_conv(rounds):
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(int(_THREADS))
    rows = []
    rng = np.random.default_rng(0)
    for name, xs, ws, kw in CONV_SHAPES:
        for dt in (np.float32, np.float64):
            x = rng.standard_normal(xs).astype(dt)
            w = (rng.standard_normal(ws) / np.sqrt(np.prod(ws[1:]))).astype(dt)
            y = bttbfft.conv2d(x, w, **kw)
            from bttbfft._cnn import _choose_path, _next_pow2
            contenders = {"bttbfft": lambda: bttbfft.conv2d(x, w, **kw)}
            err = None
            if torch is not None:
                tx, tw = torch.from_numpy(x), torch.from_numpy(w)
                ref = F.conv2d(tx, tw, **kw).numpy()
                err = float(np.abs(y.astype(np.float64) - ref).max() / np.abs(ref).max())
                contenders["torch"] = lambda: F.conv2d(tx, tw, **kw)
            times = interleaved(contenders, rounds=rounds, target=0.05, budget=0.5)
            N, C, H, W = xs
            pad = kw.get("padding", 0)
            path = _choose_path(N, C, ws[0], kw.get("groups", 1), ws[2], ws[3], y.shape[2],
                                y.shape[3], _next_pow2(H + 2 * pad), _next_pow2(W + 2 * pad),
                                kw.get("stride", 1), dt)
            row = dict(layer=name, dtype=np.dtype(dt).name, path=path, times=times,
                       max_rel_error=err)
            rows.append(row)
            print(f"{name:24s} {np.dtype(dt).name:8s} path={path:6s} bttbfft "
                  f"{times['bttbfft'] * 1e3:8.2f} ms" +
                  (f"  torch {times['torch'] * 1e3:8.2f} ms  ratio "
                   f"{times['bttbfft'] / times['torch']:6.2f}  max rel err {err:.1e}"
                   if torch is not None else "  (torch not installed)"), flush=True)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--no-conv", action="store_true")
    ap.add_argument("--no-solve", action="store_true")
    args = ap.parse_args(argv)
    print(f"bttbfft backend: {bttbfft.backend}; numpy {np.__version__}; threads {_THREADS}")
    out = {"backend": bttbfft.backend}
    if not args.no_solve:
        sizes = [1000, 4000, 16000] if args.quick else [1000, 4000, 16000, 65536]
        out["solve_toeplitz"] = bench_solve(sizes, ["(1+k)^-1", "KMS 0.99"],
                                            rounds=3 if args.quick else 5)
    if not args.no_conv:
        out["conv2d"] = bench_conv(rounds=3 if args.quick else 5)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()

"""``python -m bttbfft``: self-check against numpy.fft and scipy.signal, then a short benchmark.

    python -m bttbfft [--quick]                       self-check + benchmark table
    python -m bttbfft check                           self-check only
    python -m bttbfft bench [--json FILE] [--plot FILE] [--quick]

The exit status is non-zero when any self-check fails.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

import bttbfft


def _rel(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    den = np.linalg.norm(b.ravel())
    return float(np.linalg.norm((a - b).ravel()) / (den if den else 1.0))


def _checks(rng):
    """(family, callable returning the max relative error, tolerance) triples."""
    sizes = [1, 2, 3, 5, 8, 16, 17, 100, 128, 997, 1024, 4096, 65536]

    def cplx(shape, dtype=np.complex128):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)

    def tol64(n):
        return 1e-14 * max(1.0, math.log2(max(n, 2)))

    def fam_1d(ours, ref, real_in=False, inverse_real=False):
        def run():
            worst = 0.0
            for n in sizes:
                if inverse_real:
                    x = cplx(n // 2 + 1)
                    err = _rel(ours(x, n), ref(x, n))
                else:
                    x = rng.standard_normal(n) if real_in else cplx(n)
                    err = _rel(ours(x), ref(x))
                worst = max(worst, err / max(1.0, math.log2(max(n, 2))))
            return worst
        return run

    def fam_nd(ours, ref, real_in=False):
        def run():
            worst = 0.0
            for shape in [(4, 8), (16, 32), (5, 7), (8, 8, 8), (64, 48)]:
                x = rng.standard_normal(shape) if real_in else cplx(shape)
                worst = max(worst, _rel(ours(x), ref(x)) / max(1.0, math.log2(x.size)))
            return worst
        return run

    def fam_single():
        worst = 0.0
        for n in sizes:
            x = cplx(n, np.complex64)
            worst = max(worst, _rel(bttbfft.fft(x), np.fft.fft(x.astype(np.complex128)))
                        / max(1.0, math.log2(max(n, 2))))
        return worst

    def fam_inplace():
        worst = 0.0
        for k in range(0, 17, 2):
            x = cplx(1 << k)
            ref = np.fft.fft(x)
            y = x.copy()
            bttbfft.fft_inplace(y)
            worst = max(worst, _rel(y, ref) / max(1.0, k))
        return worst

    out = [
        ("fft", fam_1d(bttbfft.fft, np.fft.fft), 1e-14),
        ("ifft", fam_1d(bttbfft.ifft, np.fft.ifft), 1e-14),
        ("rfft", fam_1d(bttbfft.rfft, np.fft.rfft, real_in=True), 1e-14),
        ("irfft", fam_1d(bttbfft.irfft, np.fft.irfft, inverse_real=True), 1e-14),
        ("fft2", fam_nd(bttbfft.fft2, np.fft.fft2), 1e-14),
        ("fftn", fam_nd(bttbfft.fftn, np.fft.fftn), 1e-14),
        ("rfftn", fam_nd(bttbfft.rfftn, np.fft.rfftn, real_in=True), 1e-14),
        ("fft complex64", fam_single, 5e-6),
        ("fft_inplace", fam_inplace, 1e-14),
    ]
    conv = _conv_checks(rng)
    return out + conv


def _conv_checks(rng):
    try:
        import scipy.signal as ss
    except ImportError:
        return []
    checks = []
    if hasattr(bttbfft, "convolve2d"):
        def c2d():
            worst = 0.0
            for (m, k) in [((40, 50), (3, 4)), ((64, 64), (15, 15)), ((7, 9), (11, 12))]:
                x, h = rng.standard_normal(m), rng.standard_normal(k)
                for mode in ("full", "same", "valid"):
                    for boundary in ("fill", "wrap", "symm"):
                        if mode == "valid" and boundary != "fill":
                            continue
                        try:
                            ref = ss.convolve2d(x, h, mode, boundary)
                        except ValueError:
                            continue
                        worst = max(worst, _rel(bttbfft.convolve2d(x, h, mode, boundary), ref))
            return worst
        checks.append(("convolve2d", c2d, 1e-10))
    if hasattr(bttbfft, "convolve"):
        def c1d():
            worst = 0.0
            for (m, k) in [(100, 7), (1000, 64), (33, 50)]:
                x, h = rng.standard_normal(m), rng.standard_normal(k)
                for mode in ("full", "same", "valid"):
                    worst = max(worst, _rel(bttbfft.convolve(x, h, mode),
                                            ss.convolve(x, h, mode, method="direct")))
            return worst
        checks.append(("convolve", c1d, 1e-10))
    return checks


def self_check(stream=None):
    stream = sys.stdout if stream is None else stream
    rng = np.random.default_rng(12345)
    print(f"bttbfft {bttbfft.__version__}, backend {bttbfft.backend!r}"
          + (f", SIMD {_simd()}" if bttbfft.backend == "c" else ""), file=stream)
    print(f"{'family':<16} {'max rel. error / log2(n)':>26} {'tolerance':>10}  result", file=stream)
    ok = True
    for name, run, tol in _checks(rng):
        try:
            err = run()
            passed = err <= tol
            print(f"{name:<16} {err:>26.3e} {tol:>10.0e}  {'PASS' if passed else 'FAIL'}",
                  file=stream)
        except Exception as exc:  # a crash is a failure, reported, not hidden
            passed = False
            print(f"{name:<16} {'error: ' + repr(exc):>26}  FAIL", file=stream)
        ok &= passed
    print("self-check:", "PASS" if ok else "FAIL", file=stream)
    return ok


def _simd():
    from . import _backend
    return getattr(_backend.fft, "simd_name", lambda: "?")()


def _median_time(fn, repeat, number):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t0) / number)
    return float(np.median(ts))


def benchmark(quick=False, stream=None):
    """complex128 fft and float64 rfft vs numpy.fft, interleaved, medians."""
    stream = sys.stdout if stream is None else stream
    rng = np.random.default_rng(0)
    exps = range(4, 21, 4 if quick else 2)
    rows = []
    print(f"\n{'n':>9} {'kind':>6} {'numpy us':>10} {'bttbfft us':>11} {'ratio':>7} "
          f"{'GFLOPS':>7}", file=stream)
    for e in exps:
        n = 1 << e
        x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        r = rng.standard_normal(n)
        number = max(1, int(2e5 / (n * e)))
        for kind, ours, ref, arg in (("c2c", bttbfft.fft, np.fft.fft, x),
                                     ("r2c", bttbfft.rfft, np.fft.rfft, r)):
            t_ref, t_ours = [], []
            for _ in range(5 if quick else 9):      # interleaved: each round times both
                t_ref.append(_median_time(lambda: ref(arg), 1, number))
                t_ours.append(_median_time(lambda: ours(arg), 1, number))
            tr, to = float(np.median(t_ref)), float(np.median(t_ours))
            flops = 5 * n * e / (2 if kind == "r2c" else 1)
            rows.append({"n": n, "kind": kind, "numpy_s": tr, "bttbfft_s": to,
                         "ratio": to / tr, "gflops": flops / to / 1e9})
            print(f"{n:>9} {kind:>6} {tr * 1e6:>10.2f} {to * 1e6:>11.2f} {to / tr:>7.3f} "
                  f"{flops / to / 1e9:>7.2f}", file=stream)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bttbfft", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="all", choices=["all", "check", "bench"])
    p.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    p.add_argument("--json", metavar="FILE", help="write the benchmark rows as JSON")
    p.add_argument("--plot", metavar="FILE", help="plot the benchmark ratios (PNG, matplotlib)")
    args = p.parse_args(argv)
    if args.command == "check" and (args.json or args.plot):
        p.error("--json and --plot belong to the benchmark ('bench' or no command), not 'check'")
    # checked before the benchmark runs, not after it
    for opt, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                p.error(f"{opt} {path}: the folder {folder} does not exist or is not writeable")
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            p.error("--plot needs matplotlib (pip install matplotlib)")
    ok = True
    if args.command in ("all", "check"):
        ok = self_check()
    if args.command in ("all", "bench"):
        rows = benchmark(quick=args.quick)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"backend": bttbfft.backend, "rows": rows}, f, indent=1)
        if args.plot:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            fig, ax = plt.subplots(figsize=(6, 4))
            for kind in ("c2c", "r2c"):
                sel = [r for r in rows if r["kind"] == kind]
                ax.semilogx([r["n"] for r in sel], [r["ratio"] for r in sel], "o-", base=2,
                            label=kind)
            ax.axhline(1.0, color="gray", lw=0.8)
            ax.set_xlabel("n")
            ax.set_ylabel("bttbfft time / numpy.fft time")
            ax.legend()
            fig.tight_layout()
            fig.savefig(args.plot, dpi=120)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

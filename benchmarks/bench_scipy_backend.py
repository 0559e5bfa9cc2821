"""scipy.signal.fftconvolve with and without the bttbfft scipy.fft backend.

Sizes are chosen so the padded ('full') size is a power of two -- scipy.fft.next_fast_len keeps
it, so the backend's transforms go straight to bttbfft's radix-2 core:

* 1-D: signal of length 2^p - 63 with a 64-tap kernel (full length 2^p), p = 12..20.
* 2-D: image (N - 63)^2 with a 64^2 kernel (full size N^2), N = 256, 512, 1024, 2048.

Both contenders are timed round-robin in one process (interleaved rounds, medians); ``ratio`` is
time with the backend / time of scipy's own pocketfft (< 1: the backend is faster).  float64,
mode 'full', workers=None (1 thread), on the backend bttbfft was imported with.

    python benchmarks/bench_scipy_backend.py [--quick] [--rounds R] [--dtype float32] [--json FILE]
"""
import argparse
import json
import os
import platform
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved, positive  # noqa: E402

import scipy  # noqa: E402
import scipy.fft  # noqa: E402
import scipy.signal  # noqa: E402

import bttbfft  # noqa: E402
import bttbfft.scipy_fft  # noqa: E402

KERNEL = 64


def _cases(quick):
    one = range(12, 17) if quick else range(12, 21)
    two = (256, 512) if quick else (256, 512, 1024, 2048)
    for p in one:
        n = 1 << p
        yield f"1-D 2^{p}", (n - KERNEL + 1,), (KERNEL,)
    for n in two:
        yield f"2-D {n}^2", (n - KERNEL + 1,) * 2, (KERNEL, KERNEL)


def run(quick=False, rounds=7, dtype="float64"):
    rng = np.random.default_rng(0)
    rows = []
    for label, s1, s2 in _cases(quick):
        a = rng.standard_normal(s1).astype(dtype)
        b = rng.standard_normal(s2).astype(dtype)

        def plain(a=a, b=b):
            return scipy.signal.fftconvolve(a, b)

        def backend(a=a, b=b):
            with scipy.fft.set_backend(bttbfft.scipy_fft, only=True):
                return scipy.signal.fftconvolve(a, b)

        ref, ours = plain(), backend()
        err = float(np.max(np.abs(ours - ref)) / np.max(np.abs(ref)))
        med = interleaved({"scipy": plain, "bttbfft backend": backend}, rounds=rounds,
                          target=2e-3, budget=0.5)
        full = tuple(x + y - 1 for x, y in zip(s1, s2))
        rows.append({"case": label, "in1": list(s1), "in2": list(s2), "padded": list(full),
                     "scipy_s": med["scipy"], "backend_s": med["bttbfft backend"],
                     "ratio": med["bttbfft backend"] / med["scipy"], "max_rel_err": err})
        print(f"  {label}: {rows[-1]['ratio']:.2f}", file=sys.stderr, flush=True)
    return rows


def table(rows):
    out = ["| case | in1 | kernel | padded | scipy (ms) | bttbfft backend (ms) | ratio | "
           "max rel. err |",
           "|---|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['case']} | {'x'.join(map(str, r['in1']))} | "
                   f"{'x'.join(map(str, r['in2']))} | {'x'.join(map(str, r['padded']))} | "
                   f"{r['scipy_s'] * 1e3:.3f} | {r['backend_s'] * 1e3:.3f} | {r['ratio']:.2f} | "
                   f"{r['max_rel_err']:.1e} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--rounds", type=positive, default=7)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--json", metavar="FILE", help="write the results as JSON")
    args = ap.parse_args(argv)
    rows = run(args.quick, args.rounds, args.dtype)
    print(f"scipy.signal.fftconvolve ({args.dtype}, mode='full'): scipy {scipy.__version__} vs "
          f"bttbfft {bttbfft.__version__} backend={bttbfft.backend}; ratio = backend / scipy "
          "(< 1: backend faster)\n")
    print(table(rows))
    if args.json:
        meta = {"python": platform.python_version(), "machine": platform.machine(),
                "cpus": os.cpu_count(), "scipy": scipy.__version__, "numpy": np.__version__,
                "bttbfft_backend": bttbfft.backend, "dtype": args.dtype}
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "results": rows}, fh, indent=1)


if __name__ == "__main__":
    main()

"""Accuracy of bttbfft.fft vs numpy.fft against an exact reference, n = 2 .. 2^22.

    python benchmarks/accuracy.py [--max-log2 22] [--json FILE] [--plot docs/accuracy.png]
                                  [--backend c|python]

Prints a markdown table (relative L2 error vs the exact DFT, ours and numpy's, and the ratio) for
double (complex128) and single (complex64) precision, and plots error / eps against n.  The
reference transforms are those of tests/test_accuracy.py: a long-double naive DFT for n <= 2^10,
an exactly known tone signal (plus the transform of its rounding residual) beyond.
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from bttbfft import _backend  # noqa: E402
from test_accuracy import EPS, SPEC, measure  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--max-log2", type=int, default=22)
    ap.add_argument("--json")
    ap.add_argument("--plot")
    ap.add_argument("--backend", choices=["c", "python"])
    args = ap.parse_args()
    if args.backend == "python":
        from bttbfft import _fallback, _fallback_conv
        _backend.name, _backend.fft, _backend.conv = "python", _fallback, _fallback_conv
    print(f"bttbfft backend: {_backend.name}, numpy {np.__version__}")
    sizes = [2 ** k for k in range(1, args.max_log2 + 1)]
    results = {}
    for dtype, label in ((np.complex128, "double"), (np.complex64, "single")):
        rows = []
        for n in sizes:
            ours, theirs = measure(n, dtype)
            rows.append({"n": n, "ours": ours, "numpy": theirs,
                         "ratio": ours / max(theirs, 1e-300),
                         "spec_bound": SPEC[dtype] * max(1.0, np.log2(n))})
            print(f"  {label} n=2^{int(np.log2(n)):<2d} ours {ours:.3e} numpy {theirs:.3e} "
                  f"ratio {rows[-1]['ratio']:.2f}", flush=True)
        results[label] = rows
    print()
    print("| n | double: ours | double: numpy | ratio | single: ours | single: numpy | ratio |")
    print("|---|---|---|---|---|---|---|")
    for d, s in zip(results["double"], results["single"]):
        print(f"| 2^{int(np.log2(d['n']))} | {d['ours']:.2e} | {d['numpy']:.2e} | {d['ratio']:.2f} "
              f"| {s['ours']:.2e} | {s['numpy']:.2e} | {s['ratio']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"backend": _backend.name, "numpy": np.__version__, "results": results}, f,
                      indent=1)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for ax, (label, dtype) in zip(axes, (("double", np.complex128), ("single", np.complex64))):
            rows = results[label]
            n = np.array([r["n"] for r in rows])
            eps = float(EPS[dtype])
            ax.semilogx(n, [r["ours"] / eps for r in rows], "o-", base=2,
                        label=f"bttbfft ({_backend.name} backend)")
            ax.semilogx(n, [r["numpy"] / eps for r in rows], "s--", base=2, label="numpy.fft")
            ax.semilogx(n, [0.5 * np.log2(v) for v in n], ":", base=2, color="gray",
                        label="0.5 log2(n)")
            ax.set_title(f"{label} precision: relative L2 error vs exact DFT")
            ax.set_xlabel("n")
            ax.set_ylabel("error / unit roundoff")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"plot written to {args.plot}")


if __name__ == "__main__":
    main()

"""Eigenvalues of a Toeplitz matrix T and of the preconditioned C^{-1} T (Strang, T. Chan).

The circulant preconditioners cluster the spectrum around 1 (a few outliers), which is why PCG
converges in a handful of iterations while plain CG needs many more.

    PYTHONPATH=src python examples/preconditioner_spectra.py
        -> examples/figures/preconditioner_spectra.png
"""
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.linalg as sl  # noqa: E402

import bttbfft  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 256


def families(n):
    k = np.arange(n, dtype=float)
    return [("t_k = (1+k)^-1", (1.0 + k) ** -1.0),
            ("Kac-Murdock-Szego, rho = 0.99", 0.99 ** k),
            ("t_k = (1+k)^-0.1", (1.0 + k) ** -0.1)]


def main():
    fams = families(N)
    fig, axes = plt.subplots(1, len(fams), figsize=(15, 4.8))
    b = np.random.default_rng(0).standard_normal(N)
    for ax, (name, c) in zip(axes, fams):
        T = sl.toeplitz(c)
        ev = {"T": np.linalg.eigvalsh(T)}
        for kind in ("strang", "chan"):
            P = bttbfft.circulant_preconditioner(c, kind=kind)
            # C^{-1} T is similar to the symmetric C^{-1/2} T C^{-1/2}: real eigenvalues
            ev[f"C^-1 T ({P.kind})"] = np.sort(np.linalg.eigvals(P.matmat(T)).real)
        its = {}
        for pre in ("strang", "chan", None):
            calls = []
            bttbfft.solve_toeplitz(c, b, method="pcg", preconditioner=pre,
                                   callback=lambda xk: calls.append(1))
            its[pre] = len(calls)
        styles = {"T": ("k", "o"), "C^-1 T (strang)": ("tab:blue", "s"),
                  "C^-1 T (chan)": ("tab:orange", "^")}
        for label, e in ev.items():
            col, mk = styles[label]
            ax.semilogy(np.arange(1, N + 1), np.sort(e), mk, ms=3, color=col,
                        label=f"{label}: cond {e.max() / e.min():.3g}")
        ax.axhline(1.0, color="gray", lw=0.8, ls=":")
        ax.set_title(f"{name}, n = {N}\nPCG iterations to 1e-10: Strang {its['strang']}, "
                     f"Chan {its['chan']}, CG {its[None]}", fontsize=10)
        ax.set_xlabel("index (sorted)")
        ax.set_ylabel("eigenvalue")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        print(f"{name:32s} cond(T) {ev['T'].max() / ev['T'].min():9.3g}   iterations: "
              f"Strang {its['strang']:3d}  Chan {its['chan']:3d}  CG {its[None]:4d}")
    fig.tight_layout()
    out = os.path.join(HERE, "figures", "preconditioner_spectra.png")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    fig.savefig(out, dpi=90)
    print("wrote", out)


if __name__ == "__main__":
    main()

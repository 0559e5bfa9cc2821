"""Deblurring an image with ``bttbfft.solve_bttb`` (Tikhonov-regularised, BCCB-preconditioned PCG).

The blur is a Gaussian point-spread function with zero boundary conditions, i.e. a BTTB matrix T.
We solve (T^T T + alpha I) x = T^T b with and without the level-2 T. Chan (BCCB) preconditioner and
plot the blurred and restored images and the relative residual per iteration.

    PYTHONPATH=src python examples/deblur.py      -> examples/figures/deblur.png
"""
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bttbfft  # noqa: E402
from _image import test_image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIGMA, RADIUS, NOISE, ALPHA, TOL = 2.0, 8, 0.002, 1e-3, 1e-6


def gaussian_psf_generator(m, n, sigma, radius):
    """BTTB generator t (2m-1, 2n-1) of a normalised Gaussian blur truncated at `radius`."""
    d1 = np.arange(-(m - 1), m)[:, None]
    d2 = np.arange(-(n - 1), n)[None, :]
    t = np.exp(-(d1 ** 2 + d2 ** 2) / (2.0 * sigma ** 2))
    t[(np.abs(d1) > radius) | (np.abs(d2) > radius)] = 0.0
    return t / t.sum()


def main():
    img, source = test_image(256)
    m, n = img.shape
    t = gaussian_psf_generator(m, n, sigma=SIGMA, radius=RADIUS)
    T = bttbfft.BTTBOperator(t)
    rng = np.random.default_rng(0)
    blurred = T.matvec(img.ravel()).reshape(m, n)
    blurred += NOISE * rng.standard_normal(blurred.shape)
    alpha = ALPHA
    rhs = T.rmatvec(blurred.ravel())

    def normal_residual(xk):
        r = rhs - (T.rmatvec(T.matvec(xk.ravel())) + alpha * xk.ravel())
        return np.linalg.norm(r) / np.linalg.norm(rhs)

    history = {}
    restored = None
    for pre in ("chan", "strang", None):
        res = []
        x = bttbfft.solve_bttb(t, blurred, regularization=alpha, preconditioner=pre, tol=TOL,
                               maxiter=2000, callback=lambda xk: res.append(normal_residual(xk)))
        history[pre] = res
        if pre == "chan":
            restored = x
        print(f"preconditioner={pre!s:7s}: {len(res):4d} iterations, final relative residual "
              f"{res[-1]:.2e}")
    err_b = np.linalg.norm(blurred - img) / np.linalg.norm(img)
    err_x = np.linalg.norm(restored - img) / np.linalg.norm(img)
    print(f"relative error vs the original: blurred {err_b:.3f}, restored {err_x:.3f}")

    fig = plt.figure(figsize=(13, 7.5))
    gs = fig.add_gridspec(2, 3, height_ratios=[1.15, 1])
    for i, (im, title) in enumerate([(img, f"original ({source})"),
                                     (blurred, f"blurred (Gaussian sigma={SIGMA:g}) + noise "
                                               f"{NOISE:g}\nrel. error {err_b:.3f}"),
                                     (restored, f"restored: solve_bttb, alpha={alpha:g}\n"
                                                f"rel. error {err_x:.3f}")]):
        ax = fig.add_subplot(gs[0, i])
        ax.imshow(np.clip(im, 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    ax = fig.add_subplot(gs[1, :])
    labels = {"chan": "BCCB T. Chan preconditioner", "strang": "BCCB Strang preconditioner",
              None: "no preconditioner (CG)"}
    for pre, res in history.items():
        ax.semilogy(np.arange(1, len(res) + 1), res, label=f"{labels[pre]} ({len(res)} it)")
    ax.axhline(TOL, color="gray", ls=":", lw=1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("relative residual of (T^T T + alpha I) x = T^T b")
    ax.set_title(f"PCG on the Tikhonov system, {m}x{n} image (n = {m * n})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out = os.path.join(HERE, "figures", "deblur.png")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    fig.savefig(out, dpi=90)
    print("wrote", out)


if __name__ == "__main__":
    main()

"""Sobel edge detection and Gaussian smoothing of an image with ``bttbfft.conv2d`` (torch-style
cross-correlation) and ``bttbfft.convolve2d`` (scipy-style convolution).

    PYTHONPATH=src python examples/filtering.py      -> examples/figures/filtering.png
"""
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bttbfft  # noqa: E402
from _image import test_image  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def gaussian_kernel(sigma):
    r = int(np.ceil(3 * sigma))
    x = np.arange(-r, r + 1)
    g = np.exp(-x ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    return k / k.sum()


def main():
    img, source = test_image(512)
    x = img[None, None]                                   # (N=1, C=1, H, W)
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    sobel = np.stack([sobel_x, sobel_x.T])[:, None]       # (O=2, C=1, 3, 3)
    g = bttbfft.conv2d(x, sobel, padding=1, padding_mode="replicate")[0]
    gx, gy = g
    mag = np.hypot(gx, gy)
    # Gaussian smoothing: small kernel (direct path) and a large one (FFT path)
    k_small = gaussian_kernel(1.5)
    k_large = gaussian_kernel(8.0)                        # 49 x 49
    smooth_small = bttbfft.conv2d(x, k_small[None, None], padding="same",
                                  padding_mode="reflect")[0, 0]
    smooth_large = bttbfft.conv2d(x, k_large[None, None], padding="same",
                                  padding_mode="reflect")[0, 0]
    # the same with scipy-style convolve2d (symmetric kernel: convolution == correlation)
    ref = bttbfft.convolve2d(img, k_large, mode="same", boundary="symm")
    print(f"Gaussian 49x49: conv2d(reflect) vs convolve2d(symm) differ only near the border: "
          f"interior max diff {np.abs(smooth_large - ref)[30:-30, 30:-30].max():.2e}")
    def path(k):
        from bttbfft._cnn import _choose_path, _next_pow2
        H, W = img.shape
        p1, p2 = (k.shape[0] - 1), (k.shape[1] - 1)
        return _choose_path(1, 1, 1, 1, k.shape[0], k.shape[1], H, W, _next_pow2(H + p1),
                            _next_pow2(W + p2), (1, 1), img.dtype)

    ks, kl = k_small.shape[0], k_large.shape[0]
    panels = [(img, f"original ({source})", "gray"),
              (gx, "Sobel d/dx (conv2d, replicate padding)", "RdBu"),
              (gy, "Sobel d/dy", "RdBu"),
              (mag, "gradient magnitude", "magma"),
              (smooth_small, f"Gaussian sigma=1.5 ({ks}x{ks}, {path(k_small)} path)", "gray"),
              (smooth_large, f"Gaussian sigma=8 ({kl}x{kl}, {path(k_large)} path)", "gray")]
    fig, axes = plt.subplots(2, 3, figsize=(13, 9))
    for ax, (im, title, cmap) in zip(axes.ravel(), panels):
        if cmap == "RdBu":
            v = np.abs(im).max()
            ax.imshow(im, cmap=cmap, vmin=-v, vmax=v)
        elif cmap == "magma":
            ax.imshow(im, cmap=cmap, vmin=0, vmax=np.percentile(im, 99.5))
        else:
            ax.imshow(im, cmap=cmap, vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    out = os.path.join(HERE, "figures", "filtering.png")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    fig.savefig(out, dpi=80)
    print("wrote", out)


if __name__ == "__main__":
    main()

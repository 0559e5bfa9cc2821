"""Test image for the examples: scikit-image's ``camera`` when installed, else a synthetic one."""
import numpy as np


def test_image(size=256):
    """A (size, size) float64 grey image in [0, 1] and its name."""
    try:
        from skimage import data, transform
        img = data.camera().astype(np.float64) / 255.0
        if img.shape != (size, size):
            img = transform.resize(img, (size, size), anti_aliasing=True)
        return img, "scikit-image 'camera'"
    except ImportError:
        y, x = np.mgrid[0:size, 0:size] / size
        img = 0.45 + 0.25 * np.sin(14 * x) * np.cos(9 * y)
        img += 0.3 * ((x - 0.5) ** 2 + (y - 0.45) ** 2 < 0.06)       # disc
        img[(np.abs(x - 0.25) < 0.08) & (np.abs(y - 0.75) < 0.12)] = 0.95  # square
        img += 0.15 * (np.floor(8 * x) % 2) * (y < 0.2)                # stripes
        return np.clip(img, 0, 1), "synthetic"

"""bttbfft: radix-2 FFT and zero-padded BTTB (block Toeplitz with Toeplitz blocks) convolution.

The core is hand-written C (an in-place radix-2 Cooley-Tukey FFT with an explicit bit-reversal
permutation, Bluestein's algorithm on top of it for other lengths, and a circulant-embedding
convolver) exposed through Cython; a pure-NumPy fallback implements the same algorithms.

``bttbfft.backend`` is ``"c"`` when the compiled extension is in use and ``"python"`` for the
fallback (selected with ``BTTBFFT_PURE_PYTHON=1``, or automatically -- with a warning -- when the
extension cannot be imported).
"""
import os as _os

from . import _backend  # noqa: F401  (bttbfft._backend: the active backend modules)
from ._backend import name as backend
from ._fft import (fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2, fftn, ifftn, rfftn,
                   irfftn, fft_inplace, bit_reverse, bit_reverse_indices)
from ._helper import fftfreq, rfftfreq, fftshift, ifftshift, next_pow2
from ._conv import (convolve, correlate, fftconvolve, convolve2d, correlate2d,
                    choose_conv_method)
from ._structured import (circulant_matvec, toeplitz_matvec, bttb_matvec, bttb_matrix,
                          convolution_matrix, ToeplitzOperator, BTTBOperator, ConvolutionOperator)
from ._solvers import solve_toeplitz, circulant_preconditioner, solve_circulant, solve_bttb
from ._cnn import conv2d, conv_output_size

__version__ = "0.1.0"

__all__ = [
    "backend", "get_include", "__version__",
    "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn",
    "irfftn", "fft_inplace", "bit_reverse", "bit_reverse_indices", "next_pow2",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift",
    "convolve", "correlate", "fftconvolve", "convolve2d", "correlate2d", "choose_conv_method",
    "circulant_matvec", "toeplitz_matvec", "bttb_matvec", "bttb_matrix", "convolution_matrix",
    "ToeplitzOperator", "BTTBOperator", "ConvolutionOperator",
    "solve_toeplitz", "circulant_preconditioner", "solve_circulant", "solve_bttb",
    "conv2d", "conv_output_size",
]


def get_include():
    """Directory holding ``bttbfft.h`` and ``bttbfft.pxd`` (for extensions that use the C core).

    A downstream Cython extension passes it as ``include_dirs`` (for the C header) and as
    cythonize's ``include_path`` (for ``cimport bttbfft``); the C functions are then imported
    from ``bttbfft._capi`` when the extension is imported -- there is no library to link.  In a
    source checkout this is the top-level ``include/`` folder (the ``.pxd`` files are then found
    in ``src/bttbfft`` on ``sys.path``).  See docs/packaging.md.

    >>> import os, bttbfft
    >>> os.path.isfile(os.path.join(bttbfft.get_include(), "bttbfft.h"))
    True
    """
    here = _os.path.dirname(_os.path.abspath(__file__))
    installed = _os.path.join(here, "include")
    if _os.path.exists(_os.path.join(installed, "bttbfft.h")):
        return installed
    # source checkout: the header lives in the top-level include/ folder
    return _os.path.normpath(_os.path.join(here, "..", "..", "include"))

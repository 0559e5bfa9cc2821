"""Backend selection and the primitive contract both backends implement.

Everything users call (argument checking, dtype rules, axes, n/s, norms, ``out=``, ``workers``,
modes and boundaries) lives in plain Python modules shared by both backends.  Those modules call
only the primitives below, so the compiled backend (``bttbfft._core`` and ``bttbfft._conv_core``,
Cython over the C core) and the pure-Python backend (``bttbfft._fallback`` and
``bttbfft._fallback_conv``, NumPy array operations with their own radix-2 FFT) behave the same.

FFT primitives (module ``fft``)
-------------------------------
All lengths ``n >= 1`` are accepted (powers of two go to the radix-2 core, other lengths use
Bluestein's algorithm built on it).  Transforms are unnormalised (forward sign -1 as numpy), and the
result is multiplied by ``scale`` (a Python float, 1.0 for none).  Callers have already validated
every argument: dtypes are exactly complex64/complex128 (or float32/float64 for real input), axes
are non-negative and in range, arrays are non-empty along the transform axis.  Primitives may
release the GIL; they may be called from several threads at once.

``c2c_inplace(x, axis, inverse, scale) -> None``
    Transform the writeable complex array ``x`` in place along ``axis``.  ``x`` may have any
    strides (including negative and non-contiguous ones).  The compiled backend also takes
    ``block`` and ``counter`` (see ``_core.c2c_inplace``): threads sharing a counter transform
    blocks of adjacent lines, each claimed once (used by ``_workers`` for column passes).
``c2c_contig(x, out, inverse, scale) -> None``
    Fast path of one transform: ``x`` and ``out`` are 1-D, C-contiguous, aligned complex arrays of
    the same dtype and length; ``out`` (writeable) receives the transform of ``x``.  ``out`` may be
    ``x`` (in place); otherwise the two do not overlap and ``x`` is not modified.
``c2c_rows(x, out, inverse, scale) -> None``
    Every row of ``x`` into the same row of ``out``: both 2-D, C-contiguous, aligned complex arrays
    of the same dtype and shape, not overlapping; ``x`` is not modified.  Each row gets exactly the
    bits ``c2c_contig`` gives it (the copy is fused with the first pass).
``r2c_contig(x, out, scale) -> None``
    Fast path of one real transform: ``x`` a 1-D, C-contiguous, aligned float32/float64 array of
    length ``n``; ``out`` a 1-D, C-contiguous, aligned, writeable complex64/complex128 array (same
    precision) of length ``n // 2 + 1``, not overlapping ``x``.
``r2c(x, axis, scale, out=None) -> ndarray``
    Real-to-complex transform of the float32/float64 array ``x`` along ``axis``: a new complex
    array with ``shape[axis] == n // 2 + 1`` (``n = x.shape[axis]``).  ``x`` is not modified.
    ``out``: a writeable array of that shape and of the complex dtype of ``x``'s precision, not
    overlapping ``x``, that receives the result (and is returned); the compiled backend writes a
    C-contiguous, aligned ``out`` directly when ``axis`` is the last one.
``c2r(x, n, axis, scale, out=None) -> ndarray``
    Complex-to-real inverse transform: ``x.shape[axis] == n // 2 + 1``; the imaginary parts of the
    zero-frequency term (and of the Nyquist term for even ``n``) are ignored, as numpy.fft.irfft
    does.  Returns a new real array with ``shape[axis] == n``.  ``x`` is not modified.  ``out``:
    as for ``r2c`` (the real dtype of ``x``'s precision).
``bit_reverse_inplace(x, axis) -> None``
    Bit-reversal permutation of the writeable array ``x`` (any dtype, any strides) along ``axis``,
    whose length is a power of two.
``empty(shape, dtype) -> ndarray``
    A new uninitialised array for a result or a work array (the fallback's is ``np.empty``).  The
    compiled backend takes those of 4 MiB and more from its output cache
    (``output_cache_configure(max_bytes, decay=2.0)``, ``output_cache_info()``: a numpy memory
    handler that keeps recently freed blocks for reuse, so a repeated large transform does not
    pay the page faults of fresh memory).
``name``: ``"c"`` or ``"python"``.

Compiled backend only (used when ``name == "c"``, see ``_workers.fused2d_ok`` and
``_workers.fused_cols_ok``):
``fft2_rows_colfirst(x, out, inverse, rscale, cscale, part, nparts, stream=True, counter=None,
rows=True)``
runs part ``part`` of ``nparts`` of the row pass of a 2-D power-of-two transform of ``x`` into
``out`` fused with the bit reversal and first pass of the columns (``stream``: outputs of 16 MiB
and more are built in scratch and written with streaming stores; the bits are the same either
way), and ``c2c_cols_rest(view, inverse, scale, block=0, counter=None)`` the other column passes
on a block of adjacent columns of ``out``; together they give bit for bit the row transforms
followed by the column transforms.  With ``counter`` (a one-element ``numpy.uintp`` array, zero
at first, shared by the threads of one pass) each call runs parts (blocks of ``block`` columns)
claimed from the counter until none is left, without returning to Python in between.
``rows=False``: no row transforms (rows of any length are copied in their bit-reversed order), so
the two calls give the transform along axis 0 alone, out of place.  A real ``x`` (float64 or
float32): real row transforms into ``out`` of shape ``(n1, n2 // 2 + 1)`` (the 2-D rfft).
``fft2_team(x, out, inverse, rscale, cscale, nparts, block, state, leader, stream=True,
rows=True)`` runs both in one call per thread of a team (``state``: four ``numpy.uintp`` zeros
shared by the team; row parts, then a barrier in C, then blocks of columns, each claimed from a
counter); exactly one call, the one made by the thread that waits for the others, passes
``leader=True``, and a call that starts after the leader has finished its rows returns at once.
``rows_single(x, out, n, kind, inverse, scale)`` (see ``_workers.rows_via_double``): the rows of
the 2-D C-contiguous single-precision ``x`` transformed in double precision and rounded once into
``out`` (kind ``"c"``: complex64 -> complex64, ``"r"``: float32 -> complex64 of ``n//2+1``,
``"i"``: complex64 of ``n//2+1`` -> float32), each row widened, transformed and rounded in a
private buffer; the fallback does the same with NumPy, block by block.

Convolution primitives (module ``conv``): see the docstring of ``bttbfft._fallback_conv``.
"""
from __future__ import annotations

import os
import warnings

__all__ = ["name", "fft", "conv"]


def _truthy(value):
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _load():
    if _truthy(os.environ.get("BTTBFFT_PURE_PYTHON")):
        from . import _fallback as f, _fallback_conv as c
        return "python", f, c
    try:
        from . import _conv_core as c, _core as f
    except ImportError as exc:  # extension not built, or built for another interpreter
        if _truthy(os.environ.get("BTTBFFT_REQUIRE_EXTENSION")):
            raise ImportError(
                "BTTBFFT_REQUIRE_EXTENSION is set but the compiled extension of bttbfft cannot be "
                f"imported: {exc}") from exc
        warnings.warn(
            f"bttbfft: the compiled extension could not be imported ({exc}); using the "
            "pure-Python fallback, which is correct but much slower. Reinstall with a C compiler "
            "available, or set BTTBFFT_PURE_PYTHON=1 to select the fallback silently.",
            RuntimeWarning, stacklevel=3)
        from . import _fallback as f, _fallback_conv as c
        return "python", f, c
    return "c", f, c


name, fft, conv = _load()

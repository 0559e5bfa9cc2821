"""``workers=`` support: run an FFT primitive over chunks of a non-transform axis in threads.

The primitives release the GIL (compiled backend) or spend their time in NumPy loops that do
(fallback), so a thread pool gives real parallelism.  Every row is transformed exactly as in a
serial call, chunks only split the batch, so results are identical to ``workers=1``.

The pool is a single ThreadPoolExecutor shared by the whole process, created lazily (under a lock)
the first time more than one worker is requested; its size is bounded.
"""
from __future__ import annotations

import operator
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _backend

__all__ = ["resolve", "c2c", "c2c_from", "r2c", "c2r"]

_MAX_THREADS = 64
_MIN_WORK = 1 << 17  # elements below which threading costs more than it saves (256^2
#                      complex fft2: 0.24 ms serial, 0.27 ms on 2 threads)
# The fused 2-D path with a team call (one hand-off per transform, _backend.fft.fft2_team) starts
# threads from 2^19 output elements.  On the AVX2 machine of the ninth session a 256^2 complex
# fft2 (2^16 outputs) went 0.47 -> 0.35 ms on 2 threads, but on the AVX-512 machine of the tenth
# it takes 0.21-0.22 ms on one thread and 0.27-0.28 ms on two (0.79-0.81x: the helper's wake-up
# and GIL hand-off cost more than half the work), and 512^2 (0.85-0.89 ms) ran 0.85, 0.87 and
# 1.16x, so both stay on one thread; 1024^2 gained 1.55-1.62x.  A 256^2 rfft2 (33024 outputs)
# gained nothing on either machine.
_MIN_TEAM = 1 << 19
_ALIGN = 16  # chunk boundaries along an inner (small-stride) axis are multiples of this

_pool = None
_pool_lock = threading.Lock()


def empty(shape, dtype):
    """np.empty(shape, dtype) for a result or a work array: the compiled backend serves large
    ones from its output cache (recently freed blocks, whose pages are in place)."""
    return _backend.fft.empty(shape, dtype)


def cpu_count():
    return os.cpu_count() or 1


def resolve(workers):
    """Number of threads for ``workers`` (None -> 1, -1 -> all cores, n >= 1 -> n), at most the
    shared pool's size: more pieces than threads would only queue (``workers=10**6`` on a batch
    of 65536 rows made 65536 tasks, 1700x the time of one thread; the fused 2-D team queued
    one task per requested thread).

    >>> from bttbfft import _workers
    >>> _workers.resolve(None), _workers.resolve(3)
    (1, 3)
    """
    if workers is None:
        return 1
    if isinstance(workers, (bool, np.bool_)):
        raise TypeError("workers must be None, -1 or a positive integer, got bool")
    try:
        w = operator.index(workers)
    except TypeError:
        raise TypeError("workers must be None, -1 or a positive integer, got "
                        f"{type(workers).__name__}") from None
    if w == -1:
        return min(cpu_count(), _pool_size())
    if w <= 0:
        raise ValueError(f"workers must be None, -1 (all cores) or a positive integer, got {w}")
    return min(w, _pool_size())


def _pool_size():
    return min(_MAX_THREADS, max(4, cpu_count()))


def _get_pool():
    """The shared pool (created once; never replaced, so no submit can race a shutdown)."""
    global _pool
    pool = _pool
    if pool is not None:
        return pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_pool_size(), thread_name_prefix="bttbfft")
        return _pool


def _chunks(x, axis, nworkers):
    """Views of x splitting one non-transform axis into <= nworkers pieces, or None."""
    if nworkers <= 1 or x.ndim < 2 or x.size < _MIN_WORK:
        return None, None
    best = None
    for ax in range(x.ndim):
        if ax == axis:
            continue
        length = x.shape[ax]
        if length >= nworkers:
            best = ax
            break
        if length >= 2 and (best is None or length > x.shape[best]):
            best = ax
    if best is None:
        return None, None
    length = x.shape[best]
    # When the chunk axis has a smaller stride than the transform axis, a backend may transform
    # several of those lines at a time (SIMD across lines, scalar code for the remainder).  Chunk
    # boundaries on multiples of _ALIGN keep every line in the same group as in a serial call,
    # so the results stay bit-identical to workers=1.
    unit = _ALIGN if abs(x.strides[best]) < abs(x.strides[axis]) else 1
    units = length // unit
    k = min(nworkers, units)
    if k <= 1:
        return None, None
    bounds = [((i * units) // k) * unit for i in range(k)] + [length]
    pre = (slice(None),) * best
    return best, [pre + (slice(bounds[i], bounds[i + 1]),) for i in range(k)]


def _run(tasks, nworkers):
    """Run the zero-argument callables ``tasks``; the first runs in the calling thread."""
    pool = _get_pool()
    futures = [pool.submit(t) for t in tasks[1:]]
    err = None
    try:
        tasks[0]()
    except BaseException as exc:  # still wait for the others before raising
        err = exc
    for f in futures:
        try:
            f.result()
        except BaseException as exc:
            if err is None:
                err = exc
    if err is not None:
        raise err


def narrow(dst, src, nworkers):
    """dst <- src rounded to dst's dtype (np.copyto, same_kind), in up to nworkers threads over
    pieces of a leading axis when src is large (an elementwise cast: the same bits however it is
    split)."""
    _, parts = _chunks(src, src.ndim - 1, nworkers)
    if parts is None:
        np.copyto(dst, src, casting="same_kind")
        return
    _run([lambda p=p: np.copyto(dst[p], src[p], casting="same_kind") for p in parts], len(parts))


# Column passes (the transform axis has a larger stride than another axis, whose adjacent lines
# the C core transforms together): when one call would sweep more than _COLBLOCK_MIN bytes, the
# columns are transformed in blocks of about _COLBLOCK_BYTES (a power of two >= 64 columns, so
# block boundaries stay on multiples of _ALIGN and every column is grouped as in any other
# call).  Measured (complex128, one thread): 2048 x 2048 column pass 17.2 -> 14 ms, 1024 x 4096
# 16.4 -> 12.6 ms, 2048 x 1025 8.2 -> 6.8 ms; the half-width chunks of workers=2 gain the most
# (2048^2: 10.5 -> 7.2 ms per half), which is what lets the column pass scale with threads.
# Blocks are widened to whole 4 KiB pages of each row when that keeps them within twice
# _COLBLOCK_BYTES (complex128 2048 rows: 256 columns instead of 128; complex64 1024 and 2048 rows:
# 512 instead of 256), where the memory system streams a row's part of a block best.  C core,
# column pass after the fused first pass, 2048 rows: complex128 one thread 0.83-0.92x the time,
# complex64 0.90-0.92x (1024 rows 0.94-0.95x); twice as many rows per block page (4096 rows of
# 128 complex128 columns, 8 MiB) were 3-4% slower (eleventh session), so the cap.  False: off.
_COLBLOCK_MIN = 8 << 20
_COLBLOCK_BYTES = 4 << 20
_COLBLOCK_PAGE = True


def _col_block(x, axis):
    """(vector axis, block length) for a blocked column pass of x along axis, or (None, 0)."""
    if _backend.name != "c" or x.ndim < 2:
        return None, 0
    item = x.itemsize
    v = None
    for ax in range(x.ndim):
        if ax != axis and x.shape[ax] > 1 and (v is None
                                               or abs(x.strides[ax]) < abs(x.strides[v])):
            v = ax
    if v is None or x.strides[v] != item or abs(x.strides[axis]) <= item:
        return None, 0
    n = x.shape[axis]
    if n * x.shape[v] * item <= _COLBLOCK_MIN:
        return None, 0
    b = 64
    while 2 * b * n * item <= _COLBLOCK_BYTES:
        b *= 2
    if _COLBLOCK_PAGE and b * item < 4096 and 4096 * n <= 2 * _COLBLOCK_BYTES:
        b = 4096 // item
    if b >= x.shape[v]:
        return None, 0
    return v, b


def _cols_rest(x, axis, inverse, scale, block=0, counter=None):
    _backend.fft.c2c_cols_rest(x, inverse, scale, block, counter)


def _c2c_blocked(x, axis, inverse, scale, f=None):
    f = f or _backend.fft.c2c_inplace
    _, b = _col_block(x, axis)
    if not b:
        f(x, axis, inverse, scale)
        return
    # one call takes all the blocks, one after the other
    f(x, axis, inverse, scale, b, np.zeros(1, dtype=np.uintp))


def _claim_blocks(x, axis, inverse, scale, block, nworkers, f):
    """f(x, axis, inverse, scale, block, counter) in nworkers threads sharing one counter: each
    claims blocks of `block` adjacent lines until none is left."""
    counter = np.zeros(1, dtype=np.uintp)
    _run([lambda: f(x, axis, inverse, scale, block, counter)] * nworkers, nworkers)


def c2c(x, axis, inverse, scale, nworkers, _f=None):
    """In-place complex transform of x along axis using up to nworkers threads."""
    if nworkers > 1 and x.size >= _MIN_WORK:
        v, b = _col_block(x, axis)
        if v is not None and x.shape[v] >= 2 * nworkers * b:
            # blocked columns: each thread makes one call that claims blocks from a shared
            # counter (in C, without going back to Python between blocks) until none is left
            # (each block transformed as in a serial call)
            _claim_blocks(x, axis, inverse, scale, b, nworkers, _f or _backend.fft.c2c_inplace)
            return
    _, slices = _chunks(x, axis, nworkers)
    if slices is None:
        _c2c_blocked(x, axis, inverse, scale, _f)
        return
    _run([(lambda s=s: _c2c_blocked(x[s], axis, inverse, scale, _f)) for s in slices], nworkers)


# The fused 2-D path (fft2_from) applies while the column plan's first-pass group of up to 8 rows
# stays in cache.
_FUSED2D_MAX_ROW = 32768


def fused2d_ok(src):
    """True if fft2_from can transform the array src (2-D, no crop or pad; complex128, or
    complex64 into a complex128 dst: computed in double)."""
    if _backend.name != "c" or src.ndim != 2:
        return False
    n1, n2 = src.shape
    return (n1 >= 2 and n1 & (n1 - 1) == 0 and n2 & (n2 - 1) == 0
            and n2 <= _FUSED2D_MAX_ROW and src.dtype in (np.complex128, np.complex64)
            and src.flags.c_contiguous and src.flags.aligned)


def fused_r2c_ok(src):
    """True if fft2_from can write the 2-D real-to-complex transform of the array src (2-D
    float64 or float32, power-of-two sides, no crop or pad) into an (n1, n2//2 + 1) complex128
    array (float32 computed in double)."""
    if _backend.name != "c" or src.ndim != 2:
        return False
    n1, n2 = src.shape
    return (n1 >= 2 and n1 & (n1 - 1) == 0 and n2 >= 2 and n2 & (n2 - 1) == 0
            and n2 <= _FUSED2D_MAX_ROW and src.dtype in (np.float64, np.float32)
            and src.flags.c_contiguous and src.flags.aligned)


def separate_out(dst, src):
    """dst can take a fused pass's output: C-contiguous, aligned, writeable, not overlapping
    src."""
    return (dst.flags.c_contiguous and dst.flags.aligned and dst.flags.writeable
            and not np.may_share_memory(dst, src))


def fused_cols_ok(src, dst):
    """True if fft2_from(..., rows=False) can write the transform along axis 0 of src into dst:
    both complex128, C-contiguous and aligned, of one shape (at least 2-D), not overlapping; the
    length along axis 0 a power of two >= 2, the other axes together at most _FUSED2D_MAX_ROW
    elements (a first-pass group of rows stays in cache)."""
    if _backend.name != "c" or src.ndim < 2 or src.shape != dst.shape:
        return False
    n1 = src.shape[0]
    return (n1 >= 2 and n1 & (n1 - 1) == 0 and 0 < src.size // n1 <= _FUSED2D_MAX_ROW
            and src.dtype == np.complex128 and dst.dtype == np.complex128
            and src.flags.c_contiguous and src.flags.aligned and separate_out(dst, src))


def fft2_from(src, dst, inverse, rscale, cscale, nworkers, rows=True):
    """dst <- 2-D transform of src ((n1, n2), C-contiguous, not overlapping, dst complex128, src
    complex128 or complex64; see fused2d_ok): the row transforms fused with the bit reversal
    and first pass of the columns (the rows of each first-pass group are combined while in
    cache), then the other column passes.  Bit for bit the same as the row pass followed by
    the column pass, for any nworkers.  rows=False (see fused_cols_ok; any shape, taken as
    (n1, rest)): the transform along axis 0 alone, the rows copied instead of transformed
    (rscale unused).  A real src (see fused_r2c_ok): the real row transforms, dst of shape
    (n1, n2//2 + 1)."""
    if not rows:
        src = src.reshape(src.shape[0], -1)
        dst = dst.reshape(src.shape)
    f = _backend.fft.fft2_rows_colfirst
    team = _backend.fft.fft2_team if _TEAM else None   # the fused path is the compiled one
    # (nworkers comes from resolve, at most the pool's size: no queue of idle team members)
    k = nworkers if dst.size >= (_MIN_TEAM if team is not None else _MIN_WORK) else 1
    if k <= 1:
        f(src, dst, inverse, rscale, cscale, 0, 1, True, None, rows)
        c2c(dst, 0, inverse, cscale, 1, _cols_rest)
        return
    # Threads claim parts from shared counters until none is left (a thread slowed down on a
    # shared machine just takes fewer parts, and no thread waits for the GIL between parts):
    # row groups in parts of about 1 MiB of output (at most 8 per thread), then blocks of
    # columns.  With the team call each thread runs both passes in one call, with a barrier in
    # C between them: one hand-off per transform instead of two, and a helper that starts
    # after the calling thread has finished its rows finds nothing left to do.
    parts = min(8 * k, max(k, dst.nbytes >> 20))
    b = _team_block(dst, k)
    if team is not None:
        state = np.zeros(4, dtype=np.uintp)
        _run([lambda: team(src, dst, inverse, rscale, cscale, parts, b, state, True, True,
                           rows)]
             + [lambda: team(src, dst, inverse, rscale, cscale, parts, b, state, False, True,
                             rows)] * (k - 1), k)
        return
    counter = np.zeros(1, dtype=np.uintp)
    _run([lambda: f(src, dst, inverse, rscale, cscale, 0, parts, True, counter, rows)] * k, k)
    _claim_blocks(dst, 0, inverse, cscale, b, k, _cols_rest)


_TEAM = True   # False: separate calls (and hand-offs) for the two passes, as before the team


def _team_block(dst, k):
    """Columns per block of the threaded column pass of dst (2-D): as the serial pass groups
    them when it blocks (_col_block), else about 4 blocks per thread of at least 64 columns."""
    _, b = _col_block(dst, 0)
    if b:
        return b
    w = dst.shape[1]
    b = 64
    while b * 8 * k <= w:
        b *= 2
    return b


def _fill(dst, src, ax, m, n):
    """dst (length n along ax) <- src (length m along ax), cropped or zero-padded."""
    if n == m:
        np.copyto(dst, src, casting="unsafe")
        return
    pre = (slice(None),) * ax
    if n < m:
        np.copyto(dst, src[pre + (slice(0, n),)], casting="unsafe")
    else:
        np.copyto(dst[pre + (slice(0, m),)], src, casting="unsafe")
        dst[pre + (slice(m, None),)] = 0


# Rows per block when the fill (copy/cast/pad) and the transform are fused: the block is
# transformed right after it was written, while it is still in cache.
_FUSE_BYTES = 1 << 20


def c2c_from(src, dst, axis, inverse, scale, nworkers):
    """dst <- transform of src (cropped/zero-padded to dst's length along axis), in place in dst.

    The copy into dst and the transform are fused: with several workers each thread fills and
    transforms its own chunk of a non-transform axis (so the copy runs in parallel too), and
    within a chunk (or the whole array with one worker), when the transform axis is the last one
    and contiguous, rows that need no crop, pad or cast go straight from src into dst
    (``c2c_rows``) and the others are filled and transformed in blocks of about 1 MiB that stay
    in cache (see ``_fill_c2c``).  Chunks and blocks only split the batch, so the results do not
    depend on ``nworkers``, bit for bit.
    """
    m, n = src.shape[axis], dst.shape[axis]
    _, slices = _chunks(dst, axis, nworkers)
    if slices is not None:
        _run([(lambda s=s: _fill_c2c(src[s], dst[s], axis, m, n, inverse, scale))
              for s in slices], nworkers)
        return
    _fill_c2c(src, dst, axis, m, n, inverse, scale)


def _fill_c2c(src, dst, axis, m, n, inverse, scale):
    """One thread's share of c2c_from.  When the transform axis is the last one and both arrays
    are C-contiguous: rows of the same length and dtype are transformed out of place from src into
    dst (c2c_rows); otherwise the rows are filled and transformed in blocks of about _FUSE_BYTES
    (each block is transformed while it is still in cache).  Anything else: fill, then
    transform."""
    nd = dst.ndim
    if (axis == nd - 1 and m == n and src.dtype == dst.dtype
            and src.flags.c_contiguous and src.flags.aligned and dst.flags.c_contiguous):
        # no crop, pad or cast: each row is transformed straight from src into dst (the copy is
        # fused with the first butterfly pass; no second sweep over dst)
        _backend.fft.c2c_rows(src.reshape(-1, n), dst.reshape(-1, n), inverse, scale)
        return
    if (axis == nd - 1 and nd >= 2 and dst.flags.c_contiguous
            and dst.nbytes > 2 * _FUSE_BYTES and src.flags.c_contiguous):
        f = _backend.fft.c2c_inplace
        rows = dst.reshape(-1, n)
        srows = src.reshape(-1, m)
        step = max(1, _FUSE_BYTES // max(1, rows.strides[0]))
        for i in range(0, rows.shape[0], step):
            d = rows[i:i + step]
            _fill(d, srows[i:i + step], 1, m, n)
            f(d, 1, inverse, scale)
        return
    _fill(dst, src, axis, m, n)
    _c2c_blocked(dst, axis, inverse, scale)


def r2c(x, axis, scale, nworkers, out=None):
    """Real-to-complex transform of x along axis using up to nworkers threads: a new array, or
    out (of the result's shape and dtype, not overlapping x) holding it.  Each thread writes its
    chunk of the output directly."""
    f = _backend.fft.r2c
    _, slices = _chunks(x, axis, nworkers)
    if slices is None:
        return f(x, axis, scale, out)
    if out is None:
        n = x.shape[axis]
        shape = x.shape[:axis] + (n // 2 + 1,) + x.shape[axis + 1:]
        out = empty(shape, np.complex64 if x.dtype == np.float32 else np.complex128)
    _run([(lambda s=s: f(x[s], axis, scale, out[s])) for s in slices], nworkers)
    return out


def c2r(x, n, axis, scale, nworkers, out=None):
    """Complex-to-real transform of x to length n along axis using up to nworkers threads: a new
    array, or out (as for r2c) holding it."""
    f = _backend.fft.c2r
    _, slices = _chunks(x, axis, nworkers)
    if slices is None:
        return f(x, n, axis, scale, out)
    if out is None:
        shape = x.shape[:axis] + (n,) + x.shape[axis + 1:]
        out = empty(shape, np.float32 if x.dtype == np.complex64 else np.float64)
    _run([(lambda s=s: f(x[s], n, axis, scale, out[s])) for s in slices], nworkers)
    return out


# Single precision through the numpy API is computed in double (see _fft).  Along the last axis
# of C-contiguous rows the rows go through double-precision scratch buffers in blocks of about
# _FUSE_BYTES: widen the block, transform it out of place, round it into the output while it is
# in cache.  Same bits as widening the whole array, transforming it and rounding the result,
# with half the memory traffic and no double-precision copy of the whole array.  complex64,
# 2048 rows of 2048, one thread: fft 50 -> 30 ms, rfft 31 -> 17 ms, irfft 31 -> 17 ms (the
# casts are 9 of fft's 30 ms; scipy.fft, which computes in single precision, 23 ms).  The
# compiled backend does it row by row in C (rows_single: the casts in C, in cache); the NumPy
# path below serves the fallback and float16/byte-swapped/double inputs.
_DOUBLE_OF = {"c": (np.complex128, np.complex128), "r": (np.float64, np.complex128),
              "i": (np.complex128, np.float64)}


# Below this many bytes of double-precision data the array fits in cache anyway: the plain
# widen-transform-round (three calls) costs less than the block path's bookkeeping (complex64
# fft of 16 points: 2.3 us against 12.5 us).
_VIA_DOUBLE_MIN = 1 << 20


def via_double_ok(src, dst=None):
    """True when rows_via_double is worth running (src holds at least _VIA_DOUBLE_MIN bytes in
    double precision) and can run from src (C-contiguous, aligned) into dst (C-contiguous,
    aligned, writeable, separate from src; None: a new array)."""
    return (2 * src.nbytes >= max(1, _VIA_DOUBLE_MIN) and src.flags.c_contiguous
            and src.flags.aligned and (dst is None or separate_out(dst, src)))


def rows_via_double(kind, src, dst, n, inverse, scale, nworkers):
    """dst <- the transform of length n along the last axis of src, computed in double precision
    and rounded once to dst's dtype.

    kind "c": complex (or real) -> complex; "r": real -> complex (n//2+1 outputs); "i": complex
    (n//2+1 inputs) -> real.  src and dst are C-contiguous, aligned, separate (via_double_ok)
    and have the same leading shape; the last axis of src has no crop or pad.  Either may
    already be in double precision, in which case it is read or written directly, without a
    scratch copy.  With several workers, each thread takes a contiguous range of rows (rows are
    independent, so the bits do not depend on nworkers)."""
    s2 = src.reshape(-1, src.shape[-1])
    d2 = dst.reshape(-1, dst.shape[-1])
    _, slices = _chunks(d2, 1, nworkers)
    if slices is None:
        _via_double(kind, s2, d2, n, inverse, scale)
        return
    _run([(lambda s=s: _via_double(kind, s2[s], d2[s], n, inverse, scale)) for s in slices],
         nworkers)


_SINGLE_OF = {"c": (np.complex64, np.complex64), "r": (np.float32, np.complex64),
              "i": (np.complex64, np.float32)}


def _via_double(kind, s2, d2, n, inverse, scale):
    """One thread's rows of rows_via_double (2-D views)."""
    fft = _backend.fft
    st, dt = _SINGLE_OF[kind]
    at, bt = _DOUBLE_OF[kind]
    rowbytes = max(s2.shape[1] * np.dtype(at).itemsize, d2.shape[1] * np.dtype(bt).itemsize)
    if (_backend.name == "c" and s2.dtype == st and d2.dtype == dt and s2.dtype.isnative
            and (kind != "c" or rowbytes < _FUSE_BYTES)):
        # the compiled backend widens, transforms and rounds each row in C (no NumPy casts);
        # c2c rows longer than a block take the in-place path below (one row buffer, not two)
        fft.rows_single(s2, d2, n, kind, inverse, scale)
        return
    a_direct = s2.dtype == at
    b_direct = d2.dtype == bt
    step = max(1, _FUSE_BYTES // rowbytes)
    step = min(step, s2.shape[0])
    # c2c of rows longer than a block: transform the widened rows in place (one scratch of the
    # block, as much memory as the widened copy needs anyway; in place gives the same bits)
    inplace = kind == "c" and step == 1 and rowbytes >= _FUSE_BYTES and not a_direct
    a = None if a_direct else np.empty((step, s2.shape[1]), dtype=at)
    b = None if (b_direct or inplace) else np.empty((step, d2.shape[1]), dtype=bt)
    for i in range(0, s2.shape[0], step):
        j = min(i + step, s2.shape[0])
        if a_direct:
            x = s2[i:j]
        else:
            x = a[:j - i]
            np.copyto(x, s2[i:j], casting="unsafe")
        y = x if inplace else (d2[i:j] if b_direct else b[:j - i])
        if inplace:
            fft.c2c_inplace(x, 1, inverse, scale)
        elif kind == "c":
            fft.c2c_rows(x, y, inverse, scale)
        elif kind == "r":
            fft.r2c(x, 1, scale, y)
        else:
            fft.c2r(x, n, 1, scale, y)
        if not b_direct:
            np.copyto(d2[i:j], y, casting="same_kind")

# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled convolution backend: Cython over the C convolver (include/bttbfft.h, bttb_conv_*).

Implements the conv primitive contract ``Conv2D`` (docs/ARCHITECTURE.md, "Conv primitive
contract"): a plan for the window ``full[s1:s1+o1, s2:s2+o2]`` of the full 2-D linear convolution
of an (m1, m2) image with a (k1, k2) kernel.  The kernel spectrum is computed once, in the
constructor.  Every C call runs with the GIL released; a plan is immutable, and each call brings
its own scratch buffer, so one plan may be called from several threads at once.
"""
import threading

import numpy as np

from bttbfft import _workers
from bttbfft.cbttbfft cimport *

name = "c"

_PRECISION = {
    np.dtype(np.float64): (BTTB_F64, BTTB_REAL),
    np.dtype(np.float32): (BTTB_F32, BTTB_REAL),
    np.dtype(np.complex128): (BTTB_F64, BTTB_COMPLEX),
    np.dtype(np.complex64): (BTTB_F32, BTTB_COMPLEX),
}

_METHODS = {"fft": BTTB_CONV_FFT, "direct": BTTB_CONV_DIRECT, "auto": BTTB_CONV_AUTO}


def _raise_status(int status, what):
    msg = bttb_strerror(status).decode("ascii", "replace")
    if status == BTTB_ENOMEM:
        raise MemoryError(f"{what}: {msg}")
    raise ValueError(f"{what}: {msg}")


# A few recently used work buffers, reused by later calls (convolve2d makes a new plan per call):
# a buffer of fresh memory costs first-touch page faults (~1 ms per MiB on some systems), more
# than the convolution itself for mid-size images.  Bounded in count and bytes; thread-safe.
_WORK_POOL_MAX = 4
_WORK_POOL_BYTES = 64 << 20
_work_pool = []
_work_lock = threading.Lock()


def _take_work(size_t nbytes):
    """A float64 buffer of at least nbytes bytes (from the pool when one fits)."""
    cdef size_t need = (nbytes + 7) // 8
    with _work_lock:
        for i, buf in enumerate(_work_pool):
            if need <= buf.shape[0] <= 2 * need + 4096:
                return _work_pool.pop(i)
    return np.empty(need, dtype=np.float64)


def _give_work(buf):
    with _work_lock:
        if (len(_work_pool) < _WORK_POOL_MAX and buf.nbytes + sum(b.nbytes for b in _work_pool)
                <= _WORK_POOL_BYTES):
            _work_pool.append(buf)


cdef size_t _as_size(value, what) except? 0:
    v = int(value)
    if v < 0:
        raise ValueError(f"{what} must be non-negative, got {v}")
    if v > <object>(<size_t>-1):
        raise ValueError(f"{what} entry {v} does not fit in size_t")
    return <size_t>v


cdef class Conv2D:
    """Conv2D(kernel, image_shape, start, out_shape, method="fft")

    Plan computing ``full[s1:s1+o1, s2:s2+o2]`` of ``full = convolve2d(x, kernel, 'full')`` for
    images ``x`` of shape ``image_shape``.  ``method``: "fft" (radix-2 circulant embedding,
    overlap-save tiles, pruned transforms), "direct" (spatial sum), or "auto" (the C cost model
    picks one).  Calling the plan on ``x`` of shape ``(..., m1, m2)`` and the kernel's dtype returns
    a new C-contiguous array of shape ``(..., o1, o2)``.

    ``tile`` (keyword only, an extension of the contract for tests and tuning): FFT tile sizes
    ``(N1, N2)``, powers of two >= the kernel size (0 = automatic for that axis).

    ``plan(x, workers=None)`` (an extension of the contract): ``workers`` threads (None = 1,
    -1 = all cores) share the FFT tiles (or, for "direct", the output rows) of the batch, each
    with its own work buffer, the GIL released; the result is bit-identical to ``workers=1``.
    Small problems run in the calling thread.
    """
    cdef bttb_conv_plan *plan
    cdef readonly object dtype
    cdef readonly tuple kernel_shape, image_shape, start, out_shape
    cdef readonly str method          # the method actually used: "fft" or "direct"
    cdef readonly size_t nbytes       # bytes held by the plan (kernel spectrum, FFT tables)
    cdef readonly size_t work_size    # bytes of scratch allocated per call
    cdef readonly tuple fft_shape     # FFT tile size (N1, N2), (0, 0) for "direct"
    cdef readonly tuple tiles         # tiles per axis covering the window, (0, 0) for "direct"
    cdef size_t m1, m2, o1, o2

    def __cinit__(self, *args, **kwargs):
        self.plan = NULL

    def __init__(self, kernel, image_shape, start, out_shape, method="fft", *, tile=None):
        cdef size_t tile_[2]
        cdef size_t *tile_p = NULL
        cdef size_t kshape[2]
        cdef size_t ishape[2]
        cdef size_t st_[2]
        cdef size_t oshape[2]
        cdef size_t fs[2]
        cdef size_t nt[2]
        cdef bttb_status st
        cdef bttb_precision prec
        cdef bttb_conv_type ctype
        cdef bttb_conv_method cmethod
        cdef const unsigned char[::1] kbytes
        cdef bttb_conv_plan *plan = NULL

        if self.plan != NULL:
            raise RuntimeError("Conv2D is already initialised")
        if not isinstance(kernel, np.ndarray):
            raise TypeError("kernel must be a numpy.ndarray")
        key = _PRECISION.get(kernel.dtype)
        if key is None:
            raise TypeError(f"kernel dtype must be float32, float64, complex64 or complex128, "
                            f"got {kernel.dtype}")
        prec, ctype = key
        if kernel.ndim != 2:
            raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
        if method not in _METHODS:
            raise ValueError(f"method must be one of 'fft', 'direct', 'auto'; got {method!r}")
        cmethod = _METHODS[method]
        image_shape = tuple(int(v) for v in image_shape)
        start = tuple(int(v) for v in start)
        out_shape = tuple(int(v) for v in out_shape)
        if len(image_shape) != 2 or len(start) != 2 or len(out_shape) != 2:
            raise ValueError("image_shape, start and out_shape must have two entries each")
        kernel = np.ascontiguousarray(kernel)
        for ax in range(2):
            kshape[ax] = <size_t>kernel.shape[ax]
            ishape[ax] = _as_size(image_shape[ax], "image_shape")
            st_[ax] = _as_size(start[ax], "start")
            oshape[ax] = _as_size(out_shape[ax], "out_shape")
        if kernel.size == 0:
            raise ValueError(f"kernel must not be empty, got shape {kernel.shape}")
        if tile is not None:
            tile = tuple(tile)
            if len(tile) != 2:
                raise ValueError("tile must have two entries")
            tile_[0] = _as_size(tile[0], "tile")
            tile_[1] = _as_size(tile[1], "tile")
            tile_p = tile_
        kbytes = kernel.reshape(-1).view(np.uint8)
        with nogil:
            st = bttb_conv_plan_create(&plan, prec, ctype, <const void *>&kbytes[0], kshape,
                                       ishape, st_, oshape, cmethod, tile_p)
        if st != BTTB_OK:
            _raise_status(st, f"cannot plan the convolution of an image of shape {image_shape} "
                              f"with a kernel of shape {kernel.shape} (window start {start}, "
                              f"shape {out_shape})")
        self.plan = plan
        self.dtype = kernel.dtype
        self.kernel_shape = tuple(kernel.shape)
        self.image_shape = image_shape
        self.start = start
        self.out_shape = out_shape
        self.m1, self.m2 = ishape[0], ishape[1]
        self.o1, self.o2 = oshape[0], oshape[1]
        self.nbytes = bttb_conv_plan_memory(plan)
        self.work_size = bttb_conv_plan_work_size(plan)
        self.method = "direct" if bttb_conv_plan_method(plan) == BTTB_CONV_DIRECT else "fft"
        bttb_conv_plan_tiles(plan, fs, nt)
        self.fft_shape = (fs[0], fs[1])
        self.tiles = (nt[0], nt[1])

    def __dealloc__(self):
        bttb_conv_plan_destroy(self.plan)   # accepts NULL

    def __repr__(self):
        return (f"<bttbfft Conv2D {self.method} kernel {self.kernel_shape} image "
                f"{self.image_shape} window start {self.start} shape {self.out_shape} "
                f"{self.dtype} fft {self.fft_shape} tiles {self.tiles} ({self.nbytes} bytes)>")

    def _part(self, x, y, size_t howmany, size_t part, size_t nparts):
        """Run part `part` of `nparts` of the call on contiguous x, y (GIL released)."""
        cdef const unsigned char[::1] xin = x.reshape(-1).view(np.uint8)
        cdef unsigned char[::1] yout = y.reshape(-1).view(np.uint8)
        cdef double[::1] work
        cdef void *wptr = NULL
        cdef bttb_status st
        buf = None
        if self.work_size:
            buf = _take_work(self.work_size)
            work = buf
            wptr = &work[0]
        with nogil:
            st = bttb_conv_execute_part(self.plan, &xin[0], &yout[0], howmany, part, nparts,
                                        wptr)
        if buf is not None:
            _give_work(buf)
        if st != BTTB_OK:
            _raise_status(st, "convolution failed")

    def __call__(self, x, workers=None):
        cdef const unsigned char[::1] xin
        cdef unsigned char[::1] yout
        cdef double[::1] work
        cdef void *wptr = NULL
        cdef size_t howmany, units
        cdef bttb_status st

        if self.plan == NULL:
            raise RuntimeError("Conv2D is not initialised")
        if not isinstance(x, np.ndarray):
            raise TypeError("x must be a numpy.ndarray")
        if x.dtype != self.dtype:
            raise TypeError(f"x must have the kernel's dtype {self.dtype}, got {x.dtype}")
        if x.ndim < 2 or x.shape[x.ndim - 2] != self.m1 or x.shape[x.ndim - 1] != self.m2:
            raise ValueError(f"x must have shape (..., {self.m1}, {self.m2}), got {x.shape}")
        lead = tuple(x.shape[:x.ndim - 2])
        y = _workers.empty(lead + (self.o1, self.o2), self.dtype)
        howmany = 1
        for v in lead:
            howmany *= <size_t>v
        if howmany == 0:
            return y
        x = np.ascontiguousarray(x)
        nw = _workers.resolve(workers)
        if nw > 1:
            units = bttb_conv_plan_units(self.plan, howmany)
            # threads only when each gets real work (>= ~2^16 outputs)
            nw = min(nw, units, max(1, (howmany * self.o1 * self.o2) >> 16))
            if nw > 1:
                _workers._run([(lambda i=i: self._part(x, y, howmany, i, nw))
                               for i in range(nw)], nw)
                return y
        xin = x.reshape(-1).view(np.uint8)
        yout = y.reshape(-1).view(np.uint8)
        buf = None
        if self.work_size:
            buf = _take_work(self.work_size)
            work = buf
            wptr = &work[0]
        with nogil:
            st = bttb_conv_execute(self.plan, &xin[0], &yout[0], howmany, wptr)
        if buf is not None:
            _give_work(buf)
        if st != BTTB_OK:
            _raise_status(st, "convolution failed")
        return y

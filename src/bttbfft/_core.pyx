# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Compiled FFT backend: Cython over the C core (include/bttbfft.h).

Implements the FFT primitive contract documented in ``bttbfft._backend``.  Every C call runs with
the GIL released.  Plans are cached per (kind, length, precision) in a bounded, thread-safe cache;
a plan is immutable once created, so threads share cached plans freely (each call brings its own
work buffer).
"""
import threading

import numpy as np

cimport cython
cimport numpy as cnp
from libc.string cimport memset
from libc.stdint cimport uintptr_t

from bttbfft.cbttbfft cimport *

cnp.import_array()

# ----------------------------------------------------------------------------------------------
# Output cache: large result arrays come from a numpy memory handler that keeps a few recently
# freed blocks for reuse.  A fresh block costs page faults in which the kernel zeroes every page
# (about 10 ms for the 64 MiB of a 2048 x 2048 complex128 result here, as long as the transform
# itself takes 44 ms); a reused block has its pages in place.  Bounded in bytes, and a block not
# reused within `decay` seconds is released at the next allocation or release through the
# handler.  Blocks below the minimum go straight to malloc/free.
# ----------------------------------------------------------------------------------------------
cdef extern from *:
    """
    #include <stdlib.h>
    #include <string.h>
    #include <time.h>
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    #if defined(_WIN32)
    #include <malloc.h>
    #include <windows.h>
    #endif
    #include "pythread.h"

    #define OC_SLOTS 8
    #define OC_HDR ((size_t)64)                 /* header before the data: keeps it 64-aligned */
    #define OC_GRAIN ((size_t)64 * 1024)        /* cached blocks are sized in 64 KiB units */
    #define OC_ALIGN ((size_t)2 * 1024 * 1024)  /* and start on a 2 MiB boundary */

    typedef struct { void *base; size_t total; double t; } oc_slot_t;
    typedef struct { size_t total; size_t size; int cached; } oc_hdr_t;

    static oc_slot_t oc_slot[OC_SLOTS];
    static size_t oc_held = 0, oc_cap = 0, oc_min = (size_t)4 << 20;
    static double oc_decay = 2.0;
    static unsigned long long oc_hits = 0, oc_misses = 0;
    static PyThread_type_lock oc_lock = NULL;

    static double oc_now(void)
    {
    #if defined(_WIN32)
        return (double)GetTickCount64() * 1e-3;
    #else
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    #endif
    }

    static void *oc_sys_alloc(size_t total, int big)
    {
        void *p = NULL;
        if (!big) return malloc(total);
    #if defined(_WIN32)
        p = _aligned_malloc(total, OC_ALIGN);
    #else
        if (posix_memalign(&p, OC_ALIGN, total) != 0) return NULL;
    #endif
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (p) (void)madvise(p, total, MADV_HUGEPAGE);
    #endif
        return p;
    }

    static void oc_sys_free(void *p, int big)
    {
    #if defined(_WIN32)
        if (big) { _aligned_free(p); return; }
    #else
        (void)big;
    #endif
        free(p);
    }

    /* Under the lock: move the slots idle for longer than the decay (all of them if `all`)
     * to out[]; returns how many. */
    static int oc_expire(double now, int all, void **out)
    {
        int i, k = 0;
        for (i = 0; i < OC_SLOTS; i++) {
            if (oc_slot[i].base && (all || now - oc_slot[i].t > oc_decay)) {
                out[k++] = oc_slot[i].base;
                oc_held -= oc_slot[i].total;
                oc_slot[i].base = NULL;
            }
        }
        return k;
    }

    static void oc_release(void **blocks, int k)
    {
        int i;
        for (i = 0; i < k; i++) oc_sys_free(blocks[i], 1);
    }

    static void *oc_malloc(void *ctx, size_t size)
    {
        void *base = NULL, *old[OC_SLOTS];
        size_t total;
        int i, k = 0, big = size >= oc_min;
        oc_hdr_t *h;
        (void)ctx;
        if (size > (size_t)-1 - OC_HDR - OC_GRAIN) return NULL;
        total = big ? (size + OC_HDR + OC_GRAIN - 1) / OC_GRAIN * OC_GRAIN : size + OC_HDR;
        if (big) {
            PyThread_acquire_lock(oc_lock, WAIT_LOCK);
            for (i = 0; i < OC_SLOTS; i++) {
                if (oc_slot[i].base && oc_slot[i].total == total) {
                    base = oc_slot[i].base;
                    oc_slot[i].base = NULL;
                    oc_held -= total;
                    break;
                }
            }
            if (base) oc_hits++; else oc_misses++;
            k = oc_expire(oc_now(), 0, old);
            PyThread_release_lock(oc_lock);
            oc_release(old, k);
        }
        if (!base) base = oc_sys_alloc(total, big);
        if (!base) return NULL;
        h = (oc_hdr_t *)base;
        h->total = total;
        h->size = size;
        h->cached = big;
        return (char *)base + OC_HDR;
    }

    static void *oc_calloc(void *ctx, size_t nelem, size_t elsize)
    {
        void *p;
        if (elsize && nelem > (size_t)-1 / elsize) return NULL;
        p = oc_malloc(ctx, nelem * elsize);
        if (p) memset(p, 0, nelem * elsize);
        return p;
    }

    static void oc_free(void *ctx, void *ptr, size_t size)
    {
        void *base, *old[OC_SLOTS + 1];
        oc_hdr_t *h;
        int i, k = 0, kept = 0;
        (void)ctx; (void)size;
        if (!ptr) return;
        base = (char *)ptr - OC_HDR;
        h = (oc_hdr_t *)base;
        if (!h->cached) { oc_sys_free(base, 0); return; }
        PyThread_acquire_lock(oc_lock, WAIT_LOCK);
        k = oc_expire(oc_now(), 0, old);
        if (oc_held + h->total <= oc_cap) {
            for (i = 0; i < OC_SLOTS; i++) {
                if (!oc_slot[i].base) {
                    oc_slot[i].base = base;
                    oc_slot[i].total = h->total;
                    oc_slot[i].t = oc_now();
                    oc_held += h->total;
                    kept = 1;
                    break;
                }
            }
        }
        PyThread_release_lock(oc_lock);
        if (!kept) old[k++] = base;
        oc_release(old, k);
    }

    static void *oc_realloc(void *ctx, void *ptr, size_t new_size)
    {
        oc_hdr_t *h;
        void *q;
        if (!ptr) return oc_malloc(ctx, new_size);
        h = (oc_hdr_t *)((char *)ptr - OC_HDR);
        if (h->cached && new_size >= oc_min && new_size <= h->total - OC_HDR) {
            h->size = new_size;
            return ptr;
        }
        q = oc_malloc(ctx, new_size);
        if (!q) return NULL;
        memcpy(q, ptr, h->size < new_size ? h->size : new_size);
        oc_free(ctx, ptr, h->size);
        return q;
    }

    static PyDataMem_Handler oc_handler = {
        "bttbfft_output_cache", 1, {NULL, oc_malloc, oc_calloc, oc_realloc, oc_free}
    };

    static PyObject *oc_capsule(void)
    {
        if (!oc_lock) {
            oc_lock = PyThread_allocate_lock();
            if (!oc_lock) return PyErr_NoMemory();
        }
        return PyCapsule_New(&oc_handler, "mem_handler", NULL);
    }

    /* Set the bounds; a smaller cap releases blocks at once (cap 0: no caching). */
    static void oc_configure(size_t cap, size_t minimum, double decay)
    {
        void *old[OC_SLOTS];
        int k;
        PyThread_acquire_lock(oc_lock, WAIT_LOCK);
        oc_cap = cap;
        oc_min = minimum;
        oc_decay = decay;
        k = oc_expire(oc_now(), oc_held > cap, old);
        PyThread_release_lock(oc_lock);
        oc_release(old, k);
    }

    static void oc_stats(size_t *held, unsigned long long *hits, unsigned long long *misses,
                         int *blocks)
    {
        int i, b = 0;
        PyThread_acquire_lock(oc_lock, WAIT_LOCK);
        for (i = 0; i < OC_SLOTS; i++) b += oc_slot[i].base != NULL;
        *held = oc_held; *hits = oc_hits; *misses = oc_misses; *blocks = b;
        PyThread_release_lock(oc_lock);
    }

    static PyObject *oc_set_handler(PyObject *h) { return PyDataMem_SetHandler(h); }
    """
    object oc_capsule()
    void oc_configure(size_t cap, size_t minimum, double decay) nogil
    void oc_stats(size_t *held, unsigned long long *hits, unsigned long long *misses,
                  int *blocks) nogil
    object oc_set_handler(object h)


_oc_handler = oc_capsule()
cdef Py_ssize_t _oc_min = 4 << 20


def _env_cache_bytes():
    import os
    v = os.environ.get("BTTBFFT_OUTPUT_CACHE_MB", "").strip()
    if not v:
        return 256 << 20
    try:
        mb = float(v)
    except ValueError:
        mb = -1.0
    if not 0 <= mb < 2.0 ** 40:
        import warnings
        warnings.warn(f"BTTBFFT_OUTPUT_CACHE_MB={v!r} ignored: expected a number of MiB >= 0; "
                      "using 256", RuntimeWarning, stacklevel=2)
        return 256 << 20
    return int(mb * (1 << 20))


oc_configure(_env_cache_bytes(), _oc_min, 2.0)


def output_cache_configure(size_t max_bytes, double decay=2.0):
    """Bound the output cache: at most max_bytes held (0 turns caching off and releases every
    block), each block released once idle for `decay` seconds (checked at the next allocation
    or release of a large result)."""
    if not decay >= 0:
        raise ValueError(f"decay must be >= 0, got {decay}")
    oc_configure(max_bytes, _oc_min, decay)


def output_cache_info():
    """dict(held=bytes held for reuse, blocks=how many, hits=allocations served from the cache,
    misses=allocations of large results that were not)."""
    cdef size_t held
    cdef unsigned long long hits, misses
    cdef int blocks
    oc_stats(&held, &hits, &misses, &blocks)
    return {"held": held, "blocks": blocks, "hits": hits, "misses": misses}


def empty(shape, dtype):
    """np.empty(shape, dtype), from the output cache when it is large (>= 4 MiB)."""
    cdef Py_ssize_t nbytes, d, i, nd
    cdef bint big = False
    dt = dtype if isinstance(dtype, cnp.dtype) else np.dtype(dtype)
    nbytes = (<cnp.dtype>dt).itemsize
    try:
        if type(shape) is tuple:
            nd = len(<tuple>shape)
            for i in range(nd):
                d = (<tuple>shape)[i]
                if d <= 0:                 # empty, or negative (np.empty raises)
                    return np.empty(shape, dt)
                if big or nbytes > _oc_min // d:
                    big = True
                else:
                    nbytes *= d
        else:
            d = shape
            big = d > 0 and nbytes > _oc_min // d
            if d > 0 and not big:
                nbytes *= d
    except (OverflowError, TypeError):
        return np.empty(shape, dt)         # numpy's own error for what cannot be a shape
    if not big and nbytes < _oc_min:
        return np.empty(shape, dt)
    old = oc_set_handler(_oc_handler)
    try:
        return np.empty(shape, dt)
    finally:
        oc_set_handler(old)

name = "c"

#: Bounds of the plan cache: at most this many plans, holding at most this many bytes.
PLAN_CACHE_MAX_PLANS = 64
PLAN_CACHE_MAX_BYTES = 256 * 1024 * 1024

cdef enum:
    MAXDIM = 64      # NPY_MAXDIMS of numpy 2


def _raise_status(int status, what):
    msg = bttb_strerror(status).decode("ascii", "replace")
    if status == BTTB_ENOMEM:
        raise MemoryError(f"{what}: {msg}")
    raise ValueError(f"{what}: {msg}")


cdef class Plan:
    """An immutable C FFT plan (length n, kind C2C or R2C, precision F64 or F32)."""
    cdef bttb_plan *p
    cdef readonly size_t n
    cdef readonly int kind
    cdef readonly int precision
    cdef readonly size_t work_size
    cdef readonly size_t nbytes

    def __cinit__(self, int kind, size_t n, int precision):
        cdef bttb_status st
        self.p = NULL
        with nogil:
            st = bttb_plan_create(&self.p, <bttb_kind>kind, n, <bttb_precision>precision, 0)
        if st != BTTB_OK:
            _raise_status(st, f"cannot plan a transform of length {n}")
        self.n = n
        self.kind = kind
        self.precision = precision
        self.work_size = bttb_plan_work_size(self.p)
        self.nbytes = bttb_plan_memory(self.p)

    def __dealloc__(self):
        bttb_plan_destroy(self.p)   # accepts NULL

    def __repr__(self):
        kind = "c2c" if self.kind == BTTB_C2C else "r2c"
        prec = "f64" if self.precision == BTTB_F64 else "f32"
        return f"<bttbfft plan {kind} n={self.n} {prec} ({self.nbytes} bytes)>"

    cdef object work(self):
        """A fresh scratch buffer for one execute call (None when the plan needs none)."""
        if self.work_size == 0:
            return None
        return np.empty((self.work_size + 7) // 8, dtype=np.float64)


cdef dict _cache = {}
# The plan of the last 1-D contiguous call per (kind, precision), at index 2*kind + precision
# (skips the cache lookup of a repeated call; dropped by clear_plan_cache)
cdef list _last_plans = [None, None, None, None]
cdef size_t _cache_bytes = 0
_cache_lock = threading.Lock()


cdef Plan get_plan(int kind, size_t n, int precision):
    global _cache_bytes
    key = (n << 2) | (kind << 1) | precision
    cdef Plan plan = _cache.get(key)
    if plan is not None:
        return plan
    plan = Plan(kind, n, precision)           # outside the lock: creation may take a while
    with _cache_lock:
        existing = _cache.get(key)
        if existing is not None:
            return <Plan>existing
        _cache[key] = plan
        _cache_bytes += plan.nbytes
        # Evict the oldest entries (insertion order) beyond the bounds; a plan still in use by
        # another thread stays alive through that thread's reference.
        while len(_cache) > 1 and (len(_cache) > PLAN_CACHE_MAX_PLANS
                                   or _cache_bytes > PLAN_CACHE_MAX_BYTES):
            old_key = next(iter(_cache))
            if old_key == key:
                break
            _cache_bytes -= (<Plan>_cache.pop(old_key)).nbytes
    return plan


def plan(kind, n, precision):
    """The cached plan for (kind "c2c"/"r2c", length n, precision "f64"/"f32")."""
    k = {"c2c": BTTB_C2C, "r2c": BTTB_R2C}[kind]
    p = {"f64": BTTB_F64, "f32": BTTB_F32}[precision]
    return get_plan(k, n, p)


def plan_cache_info():
    """(number of cached plans, bytes they hold)."""
    with _cache_lock:
        return len(_cache), _cache_bytes


def clear_plan_cache():
    """Drop every cached plan (plans in use elsewhere stay alive until released)."""
    global _cache_bytes
    with _cache_lock:
        _cache.clear()
        _cache_bytes = 0
        for i in range(4):
            _last_plans[i] = None


def simd_name():
    """The SIMD instruction set the C core selected at run time."""
    return bttb_simd_name().decode("ascii")


def version():
    """Version of the C core."""
    return bttb_version().decode("ascii")


cdef inline void *_ptr(object buf):
    if buf is None:
        return NULL
    return cnp.PyArray_DATA(<cnp.ndarray>buf)


cdef int _precision_of(cnp.ndarray x) except -1:
    cdef int t = cnp.PyArray_TYPE(x)
    if t == cnp.NPY_CDOUBLE or t == cnp.NPY_DOUBLE:
        return BTTB_F64
    if t == cnp.NPY_CFLOAT or t == cnp.NPY_FLOAT:
        return BTTB_F32
    raise TypeError(f"unsupported dtype {x.dtype} for the C core")


cdef bttb_status _c2c_lines(const bttb_plan *p, char *base, int nd, const Py_ssize_t *shape,
                            const Py_ssize_t *strides, ptrdiff_t stride, size_t howmany,
                            ptrdiff_t dist, int direction, double scale, void *work) noexcept nogil:
    """Run bttb_execute_c2c_many at every position of the outer index (nd dims, byte strides)."""
    cdef Py_ssize_t idx[MAXDIM]
    cdef Py_ssize_t total = 1, t, off
    cdef int i
    cdef bttb_status st
    for i in range(nd):
        total *= shape[i]
        idx[i] = 0
    for t in range(total):
        off = 0
        for i in range(nd):
            off += idx[i] * strides[i]
        st = bttb_execute_c2c_many(p, base + off, direction, scale, howmany, stride, dist, work)
        if st != BTTB_OK:
            return st
        i = nd - 1
        while i >= 0:
            idx[i] += 1
            if idx[i] < shape[i]:
                break
            idx[i] = 0
            i -= 1
    return BTTB_OK


def c2c_inplace(cnp.ndarray x, Py_ssize_t axis, bint inverse, double scale, size_t block=0,
                counter=None):
    """Unnormalised complex FFT of the writeable complex array x along axis, in place, times scale.
    block > 0 and counter (a numpy.uintp array of one element, zero at first, shared by the
    threads of one pass): the lines adjacent in memory (the other axis of smallest stride) are
    taken in blocks of `block`, claimed one by one from the counter until all are taken (each
    line transformed as in a call on the whole array)."""
    cdef int prec = _precision_of(x)
    cdef Py_ssize_t itemsize = cnp.PyArray_ITEMSIZE(x)
    cdef int nd = cnp.PyArray_NDIM(x)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp *bstrides = cnp.PyArray_STRIDES(x)
    cdef size_t n = <size_t>dims[axis]
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef Py_ssize_t oshape[MAXDIM]
    cdef Py_ssize_t ostrides[MAXDIM]
    cdef int i, k, vec = -1, no = 0
    cdef Py_ssize_t best = -1, s
    cdef size_t howmany = 1
    cdef ptrdiff_t dist = 0
    cdef bttb_status st = BTTB_OK
    cdef char *base = <char *>cnp.PyArray_DATA(x)
    cdef size_t *cnt = NULL
    cdef size_t blk, nb
    if counter is not None:
        if block == 0:
            raise ValueError("c2c_inplace: a counter needs block > 0")
        cnt = _counter_ptr(counter)
    if cnp.PyArray_SIZE(x) == 0:
        return
    aligned = cnp.PyArray_ISALIGNED(x)
    for i in range(nd):
        if bstrides[i] % itemsize:
            aligned = False
    if not aligned:
        # Strides that are not whole elements (rare: views into records): use a scratch copy.
        if cnt != NULL and bttb_py_claim(cnt) != 0:
            return   # another thread has it
        tmp = np.array(x, copy=True, order="C")
        c2c_inplace(tmp, axis, inverse, scale)
        x[...] = tmp
        return
    cdef Plan plan = get_plan(BTTB_C2C, n, prec)
    work = plan.work()
    cdef void *w = _ptr(work)
    # The "vector" dimension: the other dimension with the smallest non-trivial stride.  Adjacent
    # columns (stride 1) are transformed together by the C core.
    for i in range(nd):
        if i == axis or dims[i] <= 1:
            continue
        s = bstrides[i] if bstrides[i] >= 0 else -bstrides[i]
        if best < 0 or s < best:
            best = s
            vec = i
    if vec >= 0:
        howmany = <size_t>dims[vec]
        dist = bstrides[vec] // itemsize
    for i in range(nd):
        if i == axis or i == vec or dims[i] <= 1:
            continue
        oshape[no] = dims[i]
        ostrides[no] = bstrides[i]
        no += 1
    with nogil:
        if cnt == NULL:
            st = _c2c_lines(plan.p, base, no, oshape, ostrides, bstrides[axis] // itemsize,
                            howmany, dist, direction, scale, w)
        else:
            blk = bttb_py_claim(cnt)
            while blk * block < howmany and st == BTTB_OK:
                nb = block if howmany - blk * block > block else howmany - blk * block
                st = _c2c_lines(plan.p, base + <ptrdiff_t>(blk * block) * dist * itemsize, no,
                                oshape, ostrides, bstrides[axis] // itemsize, nb, dist,
                                direction, scale, w)
                blk = bttb_py_claim(cnt)
    if st != BTTB_OK:
        _raise_status(st, "complex FFT failed")


cdef Plan _plan_1d(int kind, size_t n, cnp.ndarray x):
    """The plan of kind for a 1-D call on x (complex for C2C, real for R2C) of length n: the one
    of the last such call when it has that length, else the cached one (then remembered)."""
    cdef int t = cnp.PyArray_TYPE(x)
    cdef int prec
    if t == (cnp.NPY_CDOUBLE if kind == BTTB_C2C else cnp.NPY_DOUBLE):
        prec = BTTB_F64
    elif t == (cnp.NPY_CFLOAT if kind == BTTB_C2C else cnp.NPY_FLOAT):
        prec = BTTB_F32
    else:
        raise TypeError(f"unsupported dtype {x.dtype} for the C core")
    cdef Py_ssize_t slot = 2 * kind + prec
    cdef object last = _last_plans[slot]
    if last is not None and (<Plan>last).n == n:
        return <Plan>last
    cdef Plan plan = get_plan(kind, n, prec)
    _last_plans[slot] = plan
    return plan


cdef int _c2c_exec(cnp.ndarray x, cnp.ndarray out, bint inverse, double scale) except -1:
    cdef size_t n = <size_t>cnp.PyArray_DIM(x, 0)
    cdef Plan plan = _plan_1d(BTTB_C2C, n, x)
    cdef const void *ip = cnp.PyArray_DATA(x)
    cdef void *op = cnp.PyArray_DATA(out)
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef bttb_status st
    cdef void *w = NULL
    work = None
    if plan.work_size:
        work = plan.work()
        w = _ptr(work)
    with nogil:
        st = bttb_execute_c2c(plan.p, ip, op, direction, scale, w)
    if st != BTTB_OK:
        _raise_status(st, "complex FFT failed")
    return 0


def c2c_contig(cnp.ndarray x, cnp.ndarray out, bint inverse, double scale):
    """Fast path for one transform: x and out are 1-D, C-contiguous, aligned complex arrays of the
    same dtype and length (out may be x: in place; otherwise they must not overlap).  Out of place,
    the bit-reversed copy is fused with the first butterfly pass.  The GIL is released during the
    transform (SPEC section 2), also for tiny lengths where that costs ~0.1 us."""
    _c2c_exec(x, out, inverse, scale)


def c2c_rows(cnp.ndarray x, cnp.ndarray out, bint inverse, double scale):
    """Every row of x into the same row of out: 2-D, C-contiguous, aligned complex arrays of the
    same dtype and shape that do not overlap.  Out of place, the bit-reversed copy is fused with
    the first butterfly pass of each row (the same arithmetic as c2c_contig: the same bits), and
    the next row is prefetched while one is transformed (bttb_execute_c2c_batch)."""
    cdef size_t rows = <size_t>cnp.PyArray_DIM(x, 0)
    cdef size_t n = <size_t>cnp.PyArray_DIM(x, 1)
    cdef int prec = _precision_of(x)
    cdef Plan plan = get_plan(BTTB_C2C, n, prec)
    work = plan.work()
    cdef void *w = _ptr(work)
    cdef const void *ip = cnp.PyArray_DATA(x)
    cdef void *op = cnp.PyArray_DATA(out)
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef bttb_status st
    with nogil:
        st = bttb_execute_c2c_batch(plan.p, ip, op, direction, scale, rows, <ptrdiff_t>n,
                                    <ptrdiff_t>n, w)
    if st != BTTB_OK:
        _raise_status(st, "complex FFT failed")


cdef extern from "bttb_internal.h" nogil:
    bttb_status bttb_internal_fft2_rows(const bttb_plan *pr, const bttb_plan *pc, const void *inp,
                                        void *out, size_t part, size_t nparts, int direction,
                                        double rscale, double cscale, void *work)
    bttb_status bttb_internal_fft2_rows_single(const bttb_plan *pr, const bttb_plan *pc,
                                               const void *inp, void *out, size_t part,
                                               size_t nparts, int direction, double rscale,
                                               double cscale, void *work)
    size_t bttb_internal_fft2_rows_work_size(const bttb_plan *pr, const bttb_plan *pc)
    bttb_status bttb_internal_cols_first(const bttb_plan *pc, const void *inp, void *out,
                                         size_t width, size_t part, size_t nparts, int direction,
                                         double scale, void *work)
    size_t bttb_internal_cols_first_work_size(const bttb_plan *pc, size_t width)
    bttb_status bttb_internal_cols_rest(const bttb_plan *pc, void *data, int direction,
                                        double scale, size_t howmany, ptrdiff_t stride)
    bttb_status bttb_internal_rows_single(const bttb_plan *plan, const float *inp, float *out,
                                          size_t howmany, ptrdiff_t idist, ptrdiff_t odist,
                                          int direction, double scale, void *work)
    size_t bttb_internal_rows_single_work_size(const bttb_plan *plan, int direction)


cdef extern from *:
    """
    /* next part number of a shared counter (threads claiming parts of one pass) */
    #if defined(_MSC_VER) && defined(_WIN64)
    #include <intrin.h>
    static size_t bttb_py_claim(size_t *c)
    { return (size_t)_InterlockedExchangeAdd64((volatile __int64 *)c, 1); }
    #elif defined(_MSC_VER)
    #include <intrin.h>
    static size_t bttb_py_claim(size_t *c)
    { return (size_t)_InterlockedExchangeAdd((volatile long *)c, 1); }
    #else
    static size_t bttb_py_claim(size_t *c) { return __atomic_fetch_add(c, 1, __ATOMIC_RELAXED); }
    #endif
    """
    size_t bttb_py_claim(size_t *c) nogil


cdef extern from *:
    """
    /* A team of threads running both phases of a 2-D transform in one call each (see
     * fft2_team).  s[3] holds the number of threads that joined, and BTTB_TEAM_CLOSED once the
     * leader has finished its rows: a thread arriving after that has nothing left to do. */
    #define BTTB_TEAM_CLOSED ((size_t)1 << (sizeof(size_t) * 8 - 1))
    #if defined(_MSC_VER)
    #include <windows.h>
    #if defined(_WIN64)
    #define BTTB_LD(p) ((size_t)InterlockedCompareExchange64((volatile LONG64 *)(p), 0, 0))
    #define BTTB_CAS(p, o, n) ((size_t)InterlockedCompareExchange64((volatile LONG64 *)(p), \
                               (LONG64)(n), (LONG64)(o)) == (o))
    #define BTTB_ADD(p) ((size_t)InterlockedExchangeAdd64((volatile LONG64 *)(p), 1))
    #define BTTB_OR(p, v) ((size_t)InterlockedOr64((volatile LONG64 *)(p), (LONG64)(v)))
    #else
    #define BTTB_LD(p) ((size_t)InterlockedCompareExchange((volatile LONG *)(p), 0, 0))
    #define BTTB_CAS(p, o, n) ((size_t)InterlockedCompareExchange((volatile LONG *)(p), \
                               (LONG)(n), (LONG)(o)) == (o))
    #define BTTB_ADD(p) ((size_t)InterlockedExchangeAdd((volatile LONG *)(p), 1))
    #define BTTB_OR(p, v) ((size_t)InterlockedOr((volatile LONG *)(p), (LONG)(v)))
    #endif
    #define BTTB_YIELD() SwitchToThread()
    #else
    #include <sched.h>
    static int bttb_cas_(size_t *p, size_t o, size_t n)
    { return __atomic_compare_exchange_n(p, &o, n, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE); }
    #define BTTB_LD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
    #define BTTB_CAS(p, o, n) bttb_cas_((p), (o), (n))
    #define BTTB_ADD(p) __atomic_fetch_add((p), 1, __ATOMIC_ACQ_REL)
    #define BTTB_OR(p, v) __atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
    #define BTTB_YIELD() sched_yield()
    #endif
    #if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
    #include <immintrin.h>
    #define BTTB_PAUSE() _mm_pause()
    #else
    #define BTTB_PAUSE() ((void)0)
    #endif

    /* 1 if the calling thread joined the team, 0 if it came too late (nothing left to do; the
     * leader, which closes the team, always joins). */
    static int bttb_team_join(size_t *team)
    {
        for (;;) {
            size_t old = BTTB_LD(team);
            if (old & BTTB_TEAM_CLOSED) return 0;
            if (BTTB_CAS(team, old, old + 1)) return 1;
        }
    }

    /* The calling thread has finished its rows; wait until every thread of the team has (the
     * leader closes the team first, so no thread joins after the count is read). */
    static void bttb_team_barrier(size_t *arrived, size_t *team, int leader)
    {
        unsigned spins = 0;
        size_t t;
        BTTB_ADD(arrived);
        if (leader) BTTB_OR(team, BTTB_TEAM_CLOSED);
        for (;;) {
            t = BTTB_LD(team);
            if ((t & BTTB_TEAM_CLOSED) && BTTB_LD(arrived) == (t & ~BTTB_TEAM_CLOSED)) return;
            if (++spins % 1024 == 0) BTTB_YIELD(); else BTTB_PAUSE();
        }
    }
    """
    int bttb_team_join(size_t *team) nogil
    void bttb_team_barrier(size_t *arrived, size_t *team, int leader) nogil


cdef size_t *_counter_ptr(object counter) except NULL:
    """The cell of a shared part counter: a writeable 1-element numpy.uintp array."""
    cdef cnp.ndarray a = counter
    if (a.dtype != np.uintp or a.size != 1 or not a.flags.writeable or not a.flags.aligned):
        raise ValueError("counter must be a writeable, aligned numpy.uintp array of one element")
    return <size_t *>cnp.PyArray_DATA(a)


cdef inline bttb_status _first_call(const bttb_plan *pr, const bttb_plan *pc, const void *ip,
                                    void *op, size_t width, size_t part, size_t nparts,
                                    int direction, double rscale, double cscale,
                                    void *w, bint single) noexcept nogil:
    if pr == NULL:
        return bttb_internal_cols_first(pc, ip, op, width, part, nparts, direction, cscale, w)
    if single:
        return bttb_internal_fft2_rows_single(pr, pc, ip, op, part, nparts, direction, rscale,
                                              cscale, w)
    return bttb_internal_fft2_rows(pr, pc, ip, op, part, nparts, direction, rscale, cscale, w)


cdef inline bttb_status _claimed_parts(const bttb_plan *pr, const bttb_plan *pc, const void *ip,
                                       void *op, size_t n2, size_t nparts, int direction,
                                       double rscale, double cscale, void *w,
                                       size_t *cnt, bint single) noexcept nogil:
    """The parts of the fused first pass claimed one by one from cnt until all nparts are
    taken (or one fails)."""
    cdef bttb_status st = BTTB_OK
    cdef size_t part = bttb_py_claim(cnt)
    while part < nparts and st == BTTB_OK:
        st = _first_call(pr, pc, ip, op, n2, part, nparts, direction, rscale, cscale, w, single)
        part = bttb_py_claim(cnt)
    return st


cdef inline bttb_status _claimed_col_blocks(const bttb_plan *pc, char *op, size_t itemsize,
                                            size_t w, ptrdiff_t ld, size_t block, size_t *cnt,
                                            int direction, double scale) noexcept nogil:
    """The column passes after the fused first pass on the blocks of `block` of the w adjacent
    columns at op (rows ld elements apart), claimed one by one from cnt until all are taken.
    When every row starts at the same offset into a cache line, the blocks after the first start
    on a line (the first takes the columns before the first line boundary as well), so no block
    shares a line with another and the C core peels off a head only once (see cols_head)."""
    cdef bttb_status st = BTTB_OK
    cdef size_t i = bttb_py_claim(cnt), c0, c1, sh = 0
    cdef size_t a = <size_t>(<uintptr_t>op) % 64
    if a and a % itemsize == 0 and (<size_t>ld * itemsize) % 64 == 0:
        sh = (64 - a) // itemsize
        if sh >= w:
            sh = 0
    while st == BTTB_OK:
        c0 = 0 if i == 0 else sh + i * block
        if c0 >= w:
            break
        c1 = sh + (i + 1) * block
        if c1 > w:
            c1 = w
        st = bttb_internal_cols_rest(pc, op + c0 * itemsize, direction, scale, c1 - c0, ld)
        i = bttb_py_claim(cnt)
    return st


cdef _check_separate(cnp.ndarray x, cnp.ndarray out, str what):
    """x and out C-contiguous and aligned, out writeable, the two not overlapping."""
    if not (cnp.PyArray_IS_C_CONTIGUOUS(x) and cnp.PyArray_ISALIGNED(x)
            and cnp.PyArray_IS_C_CONTIGUOUS(out) and cnp.PyArray_ISALIGNED(out)
            and cnp.PyArray_ISWRITEABLE(out)):
        raise ValueError(f"{what}: x and out must be C-contiguous and aligned, out writeable")
    if np.may_share_memory(x, out):
        raise ValueError(f"{what}: x and out must not overlap")


cdef bint _check_fused_args(cnp.ndarray x, cnp.ndarray out, bint rows) except -1:
    """The arrays of fft2_rows_colfirst: refused unless the C call can only touch them.
    Returns True for a complex64 or float32 x with a complex128 out (rows computed in
    double)."""
    if cnp.PyArray_NDIM(x) != 2 or cnp.PyArray_NDIM(out) != 2:
        raise ValueError("fft2_rows_colfirst: x and out must be 2-D")
    cdef int t = cnp.PyArray_TYPE(x)
    cdef bint real = t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT
    cdef int prec = _precision_of(x)
    cdef bint single = (rows and (t == cnp.NPY_CFLOAT or t == cnp.NPY_FLOAT)
                        and cnp.PyArray_TYPE(out) == cnp.NPY_CDOUBLE)
    if real and not rows:
        raise ValueError("fft2_rows_colfirst: rows=False needs a complex x")
    n1, n2 = (<object>x).shape
    shape = (n1, n2 // 2 + 1 if real else n2)
    ctype = np.complex128 if prec == BTTB_F64 or single else np.complex64
    if (<object>out).shape != shape or (<object>out).dtype != ctype:
        raise ValueError(f"fft2_rows_colfirst: out must be {np.dtype(ctype)} of shape {shape}")
    _check_separate(x, out, "fft2_rows_colfirst")
    return single


def rows_single(cnp.ndarray x, cnp.ndarray out, Py_ssize_t n, str kind, bint inverse,
                double scale):
    """The rows of x transformed in double precision and rounded once into out: x and out are
    2-D, C-contiguous, aligned, of the same number of rows, not overlapping.  kind "c":
    complex64 rows of n -> complex64 rows of n (inverse as c2c_rows); "r": float32 rows of n ->
    complex64 rows of n//2+1; "i": complex64 rows of n//2+1 -> float32 rows of n.  Bit for bit
    the double-precision transform of the widened rows, rounded to single precision (each row is
    widened, transformed and rounded in a private buffer in cache)."""
    cdef int kd = 0 if kind == "c" else (1 if kind == "r" else (2 if kind == "i" else -1))
    if kd < 0:
        raise ValueError(f"rows_single: kind must be 'c', 'r' or 'i', not {kind!r}")
    if n < 1:
        raise ValueError("rows_single: n must be >= 1")
    cdef object nn = n, h = n // 2 + 1
    cdef object ins = ((np.complex64, nn), (np.float32, nn), (np.complex64, h))[kd]
    cdef object outs = ((np.complex64, nn), (np.complex64, h), (np.float32, nn))[kd]
    if (cnp.PyArray_NDIM(x) != 2 or cnp.PyArray_NDIM(out) != 2
            or (<object>x).dtype != ins[0] or (<object>out).dtype != outs[0]
            or (<object>x).shape[1] != ins[1] or (<object>out).shape[1] != outs[1]
            or (<object>x).shape[0] != (<object>out).shape[0]):
        raise ValueError(f"rows_single: x must be {np.dtype(ins[0])} of shape (rows, {ins[1]}) "
                         f"and out {np.dtype(outs[0])} of shape (rows, {outs[1]})")
    _check_separate(x, out, "rows_single")
    cdef Plan plan = get_plan(BTTB_C2C if kd == 0 else BTTB_R2C, <size_t>n, BTTB_F64)
    cdef int direction = BTTB_FORWARD if (kd == 1 or (kd == 0 and not inverse)) else BTTB_BACKWARD
    cdef size_t ws = bttb_internal_rows_single_work_size(plan.p, direction)
    if ws == 0:
        raise OverflowError("rows_single: the work buffer size does not fit in size_t")
    work = np.empty(ws, dtype=np.uint8)
    cdef void *w = _ptr(work)
    cdef size_t rows = <size_t>cnp.PyArray_DIM(x, 0)
    cdef ptrdiff_t idist = <ptrdiff_t>(ins[1] * (2 if ins[0] == np.complex64 else 1))
    cdef ptrdiff_t odist = <ptrdiff_t>(outs[1] * (2 if outs[0] == np.complex64 else 1))
    cdef const float *ip = <const float *>cnp.PyArray_DATA(x)
    cdef float *op = <float *>cnp.PyArray_DATA(out)
    cdef bttb_status st
    with nogil:
        st = bttb_internal_rows_single(plan.p, ip, op, rows, idist, odist, direction, scale, w)
    if st != BTTB_OK:
        _raise_status(st, "single-precision rows failed")


def fft2_rows_colfirst(cnp.ndarray x, cnp.ndarray out, bint inverse, double rscale,
                       double cscale, size_t part, size_t nparts, bint stream=True,
                       counter=None, bint rows=True):
    """Part `part` of `nparts` of the row pass of a 2-D transform, fused with the first column
    pass: x and out are 2-D, C-contiguous, aligned complex arrays of one dtype and shape
    (n1, n2), both powers of two, n1 >= 2, not overlapping.  After every part, c2c_cols_rest on
    the columns of out completes the transform (bit for bit the row transforms times rscale
    followed by the column transforms times cscale).  stream: for outputs of BTTB_STREAM_MIN
    bytes and more, build each group of rows in scratch and write it to out with streaming
    stores (out is then never read; same bits).  counter (a numpy.uintp array of one element,
    zero at first, shared by the threads of one pass): instead of `part`, run parts claimed one
    by one from the counter until all nparts are taken (without going back to Python between
    parts, so threads never wait for each other's GIL).  rows=False: no row transforms (rscale
    unused, n2 any length >= 1): with c2c_cols_rest, the column transforms of x alone, into out
    (bit for bit c2c_inplace along axis 0 of a copy of x).  A real x (float64/float32, n2 >= 2):
    real row transforms, out of shape (n1, n2//2 + 1) (bit for bit r2c on the rows, then the
    columns).  A complex64 (float32) x with a complex128 out: each row widened to double as it
    is read and transformed in double (bit for bit the call on x.astype(complex128) (float64))."""
    cdef bint single = _check_fused_args(x, out, rows)
    _fft2_rows_colfirst(x, out, inverse, rscale, cscale, part, nparts, stream, counter, rows,
                        single)


cdef tuple _fused_setup(cnp.ndarray x, bint rows, bint stream, bint single):
    """(row plan or None, column plan, work buffer or None) of a fused 2-D call on x: with
    stream, large outputs get a buffer where each group of rows is built and streamed out.
    single: a complex64 or float32 x transformed in double (double plans)."""
    cdef size_t n1 = <size_t>cnp.PyArray_DIM(x, 0)
    cdef size_t n2 = <size_t>cnp.PyArray_DIM(x, 1)
    cdef int prec = BTTB_F64 if single else _precision_of(x)
    cdef int t = cnp.PyArray_TYPE(x)
    cdef int kind = BTTB_R2C if (t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT) else BTTB_C2C
    cdef Plan pr = get_plan(kind, n2, prec) if rows else None
    cdef Plan pc = get_plan(BTTB_C2C, n1, prec)
    cdef size_t wsize = (bttb_internal_fft2_rows_work_size(pr.p, pc.p) if rows
                         else bttb_internal_cols_first_work_size(pc.p, n2))
    work = np.empty((wsize + 7) // 8, dtype=np.float64) if wsize and stream else None
    return pr, pc, work


cdef _fft2_rows_colfirst(cnp.ndarray x, cnp.ndarray out, bint inverse, double rscale,
                         double cscale, size_t part, size_t nparts, bint stream,
                         counter, bint rows, bint single):
    cdef size_t n2 = <size_t>cnp.PyArray_DIM(x, 1)
    pr, pc, work = _fused_setup(x, rows, stream, single)
    cdef const bttb_plan *prp = (<Plan>pr).p if rows else NULL
    cdef const bttb_plan *pcp = (<Plan>pc).p
    cdef const void *ip = cnp.PyArray_DATA(x)
    cdef void *op = cnp.PyArray_DATA(out)
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef bttb_status st = BTTB_OK
    cdef void *w = _ptr(work)
    cdef size_t *cnt = NULL
    if counter is not None:
        cnt = _counter_ptr(counter)
    with nogil:
        if cnt == NULL:
            st = _first_call(prp, pcp, ip, op, n2, part, nparts, direction, rscale, cscale, w,
                             single)
        else:
            st = _claimed_parts(prp, pcp, ip, op, n2, nparts, direction, rscale, cscale, w, cnt,
                                single)
    if st != BTTB_OK:
        _raise_status(st, "fused 2-D pass failed")


def fft2_team(cnp.ndarray x, cnp.ndarray out, bint inverse, double rscale, double cscale,
              size_t nparts, size_t block, state, bint leader, bint stream=True, bint rows=True):
    """One thread's share of a whole 2-D transform (fft2_rows_colfirst, then c2c_cols_rest)
    run by a team of threads, each making one call with the same arguments: the row parts
    claimed from state[0], a barrier, then the blocks of `block` columns of out claimed from
    state[1].  state: a writeable numpy.uintp array of 4 zeros shared by the team.  Exactly one
    call passes leader=True; when it has finished its rows it closes the team, so a call that
    starts after that returns at once, and the leader never waits for a thread that has not
    started.  Bit for bit the same as one thread running both passes."""
    cdef bint single = _check_fused_args(x, out, rows)
    cdef cnp.ndarray st_arr = state
    if (st_arr.dtype != np.uintp or st_arr.size != 4 or not st_arr.flags.writeable
            or not st_arr.flags.c_contiguous or not st_arr.flags.aligned):
        raise ValueError("fft2_team: state must be a writeable, contiguous numpy.uintp array "
                         "of four elements")
    if block == 0 or nparts == 0:
        raise ValueError("fft2_team: block and nparts must be > 0")
    cdef size_t *s = <size_t *>cnp.PyArray_DATA(st_arr)
    cdef size_t n2 = <size_t>cnp.PyArray_DIM(x, 1)
    cdef size_t w = <size_t>cnp.PyArray_DIM(out, 1)
    pr, pc, work = _fused_setup(x, rows, stream, single)
    cdef const bttb_plan *prp = (<Plan>pr).p if rows else NULL
    cdef const bttb_plan *pcp = (<Plan>pc).p
    cdef const void *ip = cnp.PyArray_DATA(x)
    cdef char *op = <char *>cnp.PyArray_DATA(out)
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(out)
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef bttb_status st = BTTB_OK
    cdef void *wp = _ptr(work)
    cdef int lead = leader
    with nogil:
        if bttb_team_join(&s[3]):      # else the leader has finished its rows: nothing left
            st = _claimed_parts(prp, pcp, ip, op, n2, nparts, direction, rscale, cscale, wp,
                                &s[0], single)
            bttb_team_barrier(&s[2], &s[3], lead)
            if st == BTTB_OK:
                st = _claimed_col_blocks(pcp, op, itemsize, w, <ptrdiff_t>w, block, &s[1],
                                         direction, cscale)
    if st != BTTB_OK:
        _raise_status(st, "fused 2-D transform failed")


def c2c_cols_rest(cnp.ndarray x, bint inverse, double scale, size_t block=0, counter=None):
    """The column passes after fft2_rows_colfirst on a 2-D view x of its output (any adjacent
    columns: element stride one complex, rows a whole number of elements apart).  block > 0 and
    counter (as for fft2_rows_colfirst): run the blocks of `block` columns (from column 0)
    claimed one by one from the counter until all are taken."""
    cdef size_t n1 = <size_t>cnp.PyArray_DIM(x, 0)
    cdef size_t w = <size_t>cnp.PyArray_DIM(x, 1)
    cdef Py_ssize_t itemsize = cnp.PyArray_ITEMSIZE(x)
    cdef Py_ssize_t rs = cnp.PyArray_STRIDE(x, 0)
    cdef int prec = _precision_of(x)
    cdef Plan pc
    cdef char *op = <char *>cnp.PyArray_DATA(x)
    cdef int direction = BTTB_BACKWARD if inverse else BTTB_FORWARD
    cdef bttb_status st = BTTB_OK
    cdef size_t *cnt = NULL
    cdef ptrdiff_t ld
    if cnp.PyArray_NDIM(x) != 2:
        raise ValueError("c2c_cols_rest: x must be 2-D")
    if w == 0:
        return
    if (w > 1 and cnp.PyArray_STRIDE(x, 1) != itemsize) or rs % itemsize or rs <= 0:
        raise ValueError("c2c_cols_rest: columns must be adjacent and rows a positive whole "
                         "number of elements apart")
    if counter is not None:
        if block == 0:
            raise ValueError("c2c_cols_rest: a counter needs block > 0")
        cnt = _counter_ptr(counter)
    pc = get_plan(BTTB_C2C, n1, prec)
    ld = <ptrdiff_t>(rs // itemsize)
    with nogil:
        if cnt == NULL:
            st = bttb_internal_cols_rest(pc.p, op, direction, scale, w, ld)
        else:
            st = _claimed_col_blocks(pc.p, op, <size_t>itemsize, w, ld, block, cnt, direction,
                                     scale)
    if st != BTTB_OK:
        _raise_status(st, "complex 2-D FFT failed")


cdef int _r2c_exec(cnp.ndarray x, cnp.ndarray out, double scale) except -1:
    cdef size_t n = <size_t>cnp.PyArray_DIM(x, 0)
    cdef Plan plan = _plan_1d(BTTB_R2C, n, x)
    cdef const void *ip = cnp.PyArray_DATA(x)
    cdef void *op = cnp.PyArray_DATA(out)
    cdef bttb_status st
    cdef void *w = NULL
    work = None
    if plan.work_size:
        work = plan.work()
        w = _ptr(work)
    with nogil:
        st = bttb_execute_r2c(plan.p, ip, op, scale, w)
    if st != BTTB_OK:
        _raise_status(st, "real FFT failed")
    return 0


def r2c_contig(cnp.ndarray x, cnp.ndarray out, double scale):
    """Fast path for one real transform: x is a 1-D, C-contiguous, aligned float64/float32 array
    of length n, out a 1-D, C-contiguous, aligned, writeable complex array of the matching
    precision and length n//2+1, not overlapping x."""
    _r2c_exec(x, out, scale)


# ----------------------------------------------------------------------------------------------
# Compiled entry points of the public functions (Python-call overhead).  Each handles only the
# plainest call -- a 1-D, C-contiguous, aligned, native array with every optional argument at its
# default -- exactly as the fast path of the shared Python function in bttbfft._fft would, and
# hands every other call, unchanged, to that Python function (all argument checking stays there,
# shared by both backends).  They are active only while this module is the selected backend
# (bttbfft._backend.fft), so switching backends switches them off.
# ----------------------------------------------------------------------------------------------
cdef object _py_fft_inplace = None
cdef object _py_fft = None
cdef object _py_rfft = None
cdef object _backend_mod = None
cdef object _self_mod = None

cdef int _FAST_FLAGS = cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED


def _install_entry_points(backend_mod, py_fft_inplace, py_fft, py_rfft):
    """Called once by bttbfft._fft: the Python functions the entry points defer to."""
    global _backend_mod, _self_mod, _py_fft_inplace, _py_fft, _py_rfft
    import sys
    _backend_mod = backend_mod
    _self_mod = sys.modules[__name__]
    _py_fft_inplace, _py_fft, _py_rfft = py_fft_inplace, py_fft, py_rfft


cdef inline bint _plain_1d(object x, int t1, int t2, int extra_flags):
    """x is exactly an ndarray, 1-D, non-empty, of type t1 or t2, C-contiguous and aligned (and
    extra_flags), and this module is the selected backend."""
    if type(x) is not cnp.ndarray:
        return False
    cdef cnp.ndarray a = <cnp.ndarray>x
    cdef int t = cnp.PyArray_TYPE(a)
    if cnp.PyArray_NDIM(a) != 1 or (t != t1 and t != t2) or cnp.PyArray_DIM(a, 0) == 0:
        return False
    cdef int need = _FAST_FLAGS | extra_flags
    if (cnp.PyArray_FLAGS(a) & need) != need or not cnp.PyArray_ISNOTSWAPPED(a):
        return False
    return _backend_mod.fft is _self_mod


cdef inline bint _is_minus_one(object axis):
    return type(axis) is int and axis == -1


def fft_inplace(x, *, inverse=False, norm=None, axis=-1):
    """Transform the writeable complex64/complex128 array ``x`` in place and return it.

    The length along ``axis`` must be a power of two.  Nothing proportional to the data is
    allocated.  Real or non-numeric arrays raise TypeError; read-only arrays and lengths that are
    not powers of two raise ValueError.  (Compiled entry point of ``bttbfft._fft.fft_inplace``.)
    """
    cdef size_t n
    cdef bint inv
    if (norm is None and _is_minus_one(axis)
            and _plain_1d(x, cnp.NPY_CDOUBLE, cnp.NPY_CFLOAT, cnp.NPY_ARRAY_WRITEABLE)):
        n = <size_t>cnp.PyArray_DIM(<cnp.ndarray>x, 0)
        if n & (n - 1) == 0:
            inv = inverse
            _c2c_exec(<cnp.ndarray>x, <cnp.ndarray>x, inv, 1.0 / <double>n if inv else 1.0)
            return x
    return _py_fft_inplace(x, inverse=inverse, norm=norm, axis=axis)


def fft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """One-dimensional discrete Fourier transform (as ``numpy.fft.fft``).
    (Compiled entry point of ``bttbfft._fft.fft``.)"""
    cdef cnp.ndarray w
    if (n is None and norm is None and out is None and workers is None and overwrite_x is False
            and _is_minus_one(axis) and _plain_1d(a, cnp.NPY_CDOUBLE, cnp.NPY_CDOUBLE, 0)):
        if cnp.PyArray_DIM(<cnp.ndarray>a, 0) < _oc_min // 16:
            w = cnp.PyArray_EMPTY(1, cnp.PyArray_DIMS(<cnp.ndarray>a), cnp.NPY_CDOUBLE, 0)
        else:
            w = empty(cnp.PyArray_DIM(<cnp.ndarray>a, 0), np.complex128)
        _c2c_exec(<cnp.ndarray>a, w, False, 1.0)
        return w
    return _py_fft(a, n, axis, norm, out, overwrite_x=overwrite_x, workers=workers)


def rfft(a, n=None, axis=-1, norm=None, out=None, *, overwrite_x=False, workers=None):
    """Discrete Fourier transform of real input (as ``numpy.fft.rfft``): ``n//2 + 1`` outputs.
    (Compiled entry point of ``bttbfft._fft.rfft``.)"""
    cdef cnp.npy_intp m
    cdef cnp.ndarray x, o
    cdef char *xp
    cdef char *op
    if (n is None and norm is None and workers is None and _is_minus_one(axis)
            and _plain_1d(a, cnp.NPY_DOUBLE, cnp.NPY_DOUBLE, 0)):
        x = <cnp.ndarray>a
        m = cnp.PyArray_DIM(x, 0) // 2 + 1
        if out is None:
            o = (cnp.PyArray_EMPTY(1, &m, cnp.NPY_CDOUBLE, 0) if m < _oc_min // 16
                 else empty(m, np.complex128))
            _r2c_exec(x, o, 1.0)
            return o
        if (_plain_1d(out, cnp.NPY_CDOUBLE, cnp.NPY_CDOUBLE, cnp.NPY_ARRAY_WRITEABLE)
                and cnp.PyArray_DIM(<cnp.ndarray>out, 0) == m):
            o = <cnp.ndarray>out
            xp = <char *>cnp.PyArray_DATA(x)
            op = <char *>cnp.PyArray_DATA(o)
            if op + 16 * m <= xp or xp + 8 * cnp.PyArray_DIM(x, 0) <= op:   # no overlap
                _r2c_exec(x, o, 1.0)
                return o
    return _py_rfft(a, n, axis, norm, out, overwrite_x=overwrite_x, workers=workers)


cdef inline object _axis_last_contiguous(cnp.ndarray x, Py_ssize_t axis, bint last):
    """x with `axis` moved last, C-contiguous (x itself when it already is)."""
    if last and cnp.PyArray_IS_C_CONTIGUOUS(x):
        return x
    return np.ascontiguousarray(np.moveaxis(x, axis, -1))


cdef inline bint _direct_out(object x, object out, bint last, object shape, object dtype):
    """out (not None) can be written directly: the result's axis is the last one and out is a
    C-contiguous, aligned, writeable array of the result's shape and dtype, not overlapping x
    (else the result is computed apart and copied into out)."""
    cdef cnp.ndarray o = out
    oshape = out.shape
    if oshape != shape:
        raise ValueError(f"out has shape {oshape}, expected {shape}")
    return (last and out.dtype == dtype and cnp.PyArray_IS_C_CONTIGUOUS(o)
            and cnp.PyArray_ISALIGNED(o) and cnp.PyArray_ISWRITEABLE(o)
            and not np.may_share_memory(x, out))


@cython.wraparound(True)
def r2c(cnp.ndarray x, Py_ssize_t axis, double scale, out=None):
    """Real-to-complex FFT along axis: a new complex array with n//2+1 entries there (or out,
    of that shape, holding it)."""
    cdef int prec = _precision_of(x)
    if axis < 0:
        axis += cnp.PyArray_NDIM(x)
    cdef bint last = axis == cnp.PyArray_NDIM(x) - 1
    ctype = np.complex128 if prec == BTTB_F64 else np.complex64
    if out is not None:
        xs = (<object>x).shape
        shape = xs[:axis] + (xs[axis] // 2 + 1,) + xs[axis + 1:]
        if not _direct_out(x, out, last, shape, ctype):
            np.copyto(out, r2c(x, axis, scale))
            return out
    xm = _axis_last_contiguous(x, axis, last)
    cdef cnp.ndarray xc = xm
    cdef size_t n = <size_t>xm.shape[-1]
    cdef size_t nh = n // 2 + 1
    cdef size_t batch = <size_t>(xm.size // n) if n else 0
    if out is None:
        out = empty(xm.shape[:-1] + (nh,), ctype)
    cdef cnp.ndarray res = out
    cdef Plan plan = get_plan(BTTB_R2C, n, prec)
    work = plan.work()
    cdef void *w = _ptr(work)
    cdef const void *ip = cnp.PyArray_DATA(xc)
    cdef void *op = cnp.PyArray_DATA(res)
    cdef bttb_status st
    with nogil:
        st = bttb_execute_r2c_many(plan.p, ip, op, scale, batch, <ptrdiff_t>n, <ptrdiff_t>nh, w)
    if st != BTTB_OK:
        _raise_status(st, "real FFT failed")
    return out if last else np.moveaxis(out, -1, axis)


@cython.wraparound(True)
def c2r(cnp.ndarray x, Py_ssize_t n, Py_ssize_t axis, double scale, out=None):
    """Complex-to-real inverse FFT of the Hermitian half x (n//2+1 entries along axis): a new
    real array (or out, of that shape, holding it)."""
    cdef int prec = _precision_of(x)
    if axis < 0:
        axis += cnp.PyArray_NDIM(x)
    if n < 1 or x.shape[axis] != n // 2 + 1:
        raise ValueError(f"c2r: {n // 2 + 1} entries along the axis expected for n = {n}, got "
                         f"{x.shape[axis]}")
    cdef bint last = axis == cnp.PyArray_NDIM(x) - 1
    rtype = np.float64 if prec == BTTB_F64 else np.float32
    if out is not None:
        xs = (<object>x).shape
        shape = xs[:axis] + (n,) + xs[axis + 1:]
        if not _direct_out(x, out, last, shape, rtype):
            np.copyto(out, c2r(x, n, axis, scale))
            return out
    xm = _axis_last_contiguous(x, axis, last)
    cdef cnp.ndarray xc = xm
    cdef size_t nh = <size_t>(n // 2 + 1)
    cdef size_t batch = <size_t>(xm.size // nh)
    if out is None:
        out = empty(xm.shape[:-1] + (n,), rtype)
    cdef cnp.ndarray res = out
    cdef Plan plan = get_plan(BTTB_R2C, <size_t>n, prec)
    work = plan.work()
    cdef void *w = _ptr(work)
    cdef const void *ip = cnp.PyArray_DATA(xc)
    cdef void *op = cnp.PyArray_DATA(res)
    cdef bttb_status st
    with nogil:
        st = bttb_execute_c2r_many(plan.p, ip, op, scale, batch, <ptrdiff_t>nh, <ptrdiff_t>n, w)
    if st != BTTB_OK:
        _raise_status(st, "inverse real FFT failed")
    return out if last else np.moveaxis(out, -1, axis)


def bit_reverse_inplace(cnp.ndarray x, Py_ssize_t axis):
    """In-place bit-reversal permutation of x (any dtype, any strides) along axis."""
    cdef int nd = cnp.PyArray_NDIM(x)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp *bstrides = cnp.PyArray_STRIDES(x)
    cdef size_t n = <size_t>dims[axis]
    cdef size_t itemsize = <size_t>cnp.PyArray_ITEMSIZE(x)
    cdef ptrdiff_t astride = bstrides[axis]
    cdef Py_ssize_t oshape[MAXDIM]
    cdef Py_ssize_t ostrides[MAXDIM]
    cdef Py_ssize_t idx[MAXDIM]
    cdef Py_ssize_t total = 1, t, off
    cdef int i, no = 0
    cdef bttb_status st = BTTB_OK
    cdef char *base = <char *>cnp.PyArray_DATA(x)
    if cnp.PyArray_SIZE(x) == 0:
        return
    for i in range(nd):
        if i != axis:
            oshape[no] = dims[i]
            ostrides[no] = bstrides[i]
            idx[no] = 0
            total *= dims[i]
            no += 1
    with nogil:
        for t in range(total):
            off = 0
            for i in range(no):
                off += idx[i] * ostrides[i]
            st = bttb_bit_reverse(base + off, n, itemsize, astride)
            if st != BTTB_OK:
                break
            i = no - 1
            while i >= 0:
                idx[i] += 1
                if idx[i] < oshape[i]:
                    break
                idx[i] = 0
                i -= 1
    if st != BTTB_OK:
        _raise_status(st, "bit reversal failed")

/*
 * bttb_internal.h -- helpers shared by the C core (src/bttb_fft.c, src/bttb_conv.c).
 *
 * Not part of the public interface: nothing here is installed.
 */
#ifndef BTTB_INTERNAL_H
#define BTTB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "bttbfft.h"

#if defined(__GNUC__) || defined(__clang__)
#define BTTB_INLINE static __inline__ __attribute__((always_inline))
#define BTTB_ALWAYS_INLINE __inline__ __attribute__((always_inline))
#define BTTB_NOINLINE __attribute__((noinline))
#define BTTB_LIKELY(x) __builtin_expect(!!(x), 1)
#define BTTB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#elif defined(_MSC_VER)
#define BTTB_INLINE static __forceinline
#define BTTB_ALWAYS_INLINE __forceinline
#define BTTB_NOINLINE __declspec(noinline)
#define BTTB_LIKELY(x) (x)
#define BTTB_UNLIKELY(x) (x)
#else
#define BTTB_INLINE static inline
#define BTTB_ALWAYS_INLINE inline
#define BTTB_NOINLINE
#define BTTB_LIKELY(x) (x)
#define BTTB_UNLIKELY(x) (x)
#endif

#if defined(__GNUC__) || defined(__clang__)
/* The read-ahead of a batch (bttb_ahead_slice).  Transforms over BTTB_AHEAD_L1_MAX bytes:
 * prefetcht1, into L2 (prefetcht0 filled the L1 with the next transform and evicted the running
 * one's data: a 2048 x 2048 fft2 row pass 0.75x the time with T1), also for the memory to be
 * written (prefetchw always fills the L1; bttb_execute_c2c_batch out of place on 32 MiB with
 * 256 / 512 / 1024 / 2048-point rows: 0.73 / 0.52 / 0.75 / 0.69x the time of T0 and prefetchw).
 * Smaller ones, whose next row fits in L1 beside the running one: prefetcht0 and prefetchw
 * (64 / 128-point rows took 1.5-1.6x the time with T1). */
#define BTTB_PREFETCH_R(p) __builtin_prefetch((p), 0, 2)
#define BTTB_PREFETCH_W(p) __builtin_prefetch((p), 0, 2)
#define BTTB_PREFETCH_R_L1(p) __builtin_prefetch((p), 0, 3)
#define BTTB_PREFETCH_W_L1(p) __builtin_prefetch((p), 1, 3)
#else
#define BTTB_PREFETCH_R(p) ((void)(p))
#define BTTB_PREFETCH_W(p) ((void)(p))
#define BTTB_PREFETCH_R_L1(p) ((void)(p))
#define BTTB_PREFETCH_W_L1(p) ((void)(p))
#endif

/* Read-ahead in a batch of transforms: while one transform runs in cache, the memory of the next
 * one (rd: to be read, wr: to be written, either may be NULL; `bytes` each) is prefetched, one
 * slice between two of its passes, so the next transform does not wait for DRAM.  The same
 * slices may also carry a streaming copy (cp_bytes from cp_src to cp_dst, 0: none) that then
 * drains to memory while the transform computes, instead of stalling the core in one burst;
 * *cp_done is set to the bytes copied so far (the caller copies the rest if a transform did not
 * run every slice). */
typedef struct bttb_ahead {
    const char *rd;
    char *wr;
    size_t bytes;
    const char *cp_src;
    char *cp_dst;
    size_t cp_bytes;
    size_t *cp_done;
} bttb_ahead;

/* An ahead that prefetches rd and wr (either may be NULL), `bytes` each, and copies nothing. */
static inline bttb_ahead bttb_ahead_prefetch(const char *rd, char *wr, size_t bytes)
{
    bttb_ahead a;
    a.rd = rd;
    a.wr = wr;
    a.bytes = bytes;
    a.cp_src = NULL;
    a.cp_dst = NULL;
    a.cp_bytes = 0;
    a.cp_done = NULL;
    return a;
}

/* Transforms up to BTTB_AHEAD_MAX bytes prefetch the next one of a batch (larger ones do not run
 * in cache anyway), when the batch is over BTTB_AHEAD_MIN_TOTAL bytes (a smaller one is likely
 * in cache already, where the prefetches only cost instructions: 16 rows, 7-9% slower). */
#define BTTB_AHEAD_MAX ((size_t)128 * 1024)
#define BTTB_AHEAD_MIN_TOTAL ((size_t)1 << 20)
/* A transform runs its ahead in up to this many slices per pass (see run_passes), one per chunk
 * of at least BTTB_AHEAD_CHUNK_BYTES (so a transform of a few KiB keeps one slice per pass). */
#define BTTB_AHEAD_CHUNKS ((size_t)8)
#define BTTB_AHEAD_CHUNK_BYTES ((size_t)4096)
/* See BTTB_PREFETCH_R_L1. */
#define BTTB_AHEAD_L1_MAX ((size_t)2048)

/* dst <- src (bytes), written with non-temporal (streaming) stores where the CPU has them: the
 * destination lines are not read first and do not displace the cache.  Call bttb_stream_fence
 * before the data is handed to another thread or read back. */
void bttb_stream_copy(void *restrict dst, const void *restrict src, size_t bytes);
void bttb_stream_fence(void);

/* Outputs of at least this many bytes are written with streaming stores where a pass can build
 * whole blocks in cache first (a smaller one would be read back from cache by the next pass). */
#define BTTB_STREAM_MIN ((size_t)16 << 20)

/* 1 if a batch of `count` transforms of `bytes` each (bytes >= 1) prefetches ahead. */
static inline int bttb_ahead_worth(size_t bytes, size_t count)
{
    return bytes <= BTTB_AHEAD_MAX && count > BTTB_AHEAD_MIN_TOTAL / bytes;
}

/* In-place transforms of up to this many points copy their input to a stack buffer (32 KiB in
 * double, 16 KiB in single precision) and run the out-of-place first pass from it.  A count of
 * points rather than bytes: complex64 n = 4096 (32 KiB) was faster without the copy (1.17-1.33x
 * FFTW against 1.19-1.54x with it), complex128 n = 2048 (32 KiB) faster with it. */
#define BTTB_INPLACE_COPY_MAX_N ((size_t)2048)

/* Bytes [*lo, *hi) of slice i of parts of `bytes`: the bounds on 64-byte lines, the last slice
 * to the end. */
static inline void bttb_slice_range(size_t bytes, size_t i, size_t parts, size_t *lo, size_t *hi)
{
    *lo = (bytes * i / parts) & ~(size_t)63;
    *hi = i + 1 >= parts ? bytes : (bytes * (i + 1) / parts) & ~(size_t)63;
}

/* Slice i of parts of a: its share of the copy, then of the prefetches (a NULL a does nothing). */
BTTB_INLINE void bttb_ahead_slice(const bttb_ahead *a, size_t i, size_t parts)
{
    size_t lo, hi, o;
    if (!a) return;
    if (a->cp_bytes) {
        bttb_slice_range(a->cp_bytes, i, parts, &lo, &hi);
        if (hi > lo) bttb_stream_copy(a->cp_dst + lo, a->cp_src + lo, hi - lo);
        *a->cp_done = hi;
    }
    if (!a->rd && !a->wr) return;
    bttb_slice_range(a->bytes, i, parts, &lo, &hi);
    if (a->bytes <= BTTB_AHEAD_L1_MAX) {
        for (o = lo; o < hi; o += 64) {
            if (a->rd) BTTB_PREFETCH_R_L1(a->rd + o);
            if (a->wr) BTTB_PREFETCH_W_L1(a->wr + o);
        }
        return;
    }
    for (o = lo; o < hi; o += 64) {
        if (a->rd) BTTB_PREFETCH_R(a->rd + o);
        if (a->wr) BTTB_PREFETCH_W(a->wr + o);
    }
}

/* Alignment of every buffer the core allocates (plan tables, internal scratch). */
#define BTTB_ALIGN 64

/* Checked size arithmetic: store a*b (a+b) in *out and return 0, or return 1 on overflow
 * (*out is then left unchanged). */
static inline int bttb_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > (size_t)-1 / a) return 1;
    *out = a * b;
    return 0;
}

static inline int bttb_add_size(size_t a, size_t b, size_t *out)
{
    if (b > (size_t)-1 - a) return 1;
    *out = a + b;
    return 0;
}

/* a rounded up to a multiple of align (a power of two): store it in *out and return 0, or
 * return 1 on overflow (*out is then left unchanged). */
static inline int bttb_round_up_size(size_t a, size_t align, size_t *out)
{
    size_t t;
    if (bttb_add_size(a, align - 1, &t)) return 1;
    *out = t & ~(align - 1);
    return 0;
}

/* p rounded up to the next multiple of BTTB_ALIGN (work buffers of any alignment). */
static inline void *bttb_align_ptr(void *p)
{
    return (void *)(((uintptr_t)p + (BTTB_ALIGN - 1)) & ~(uintptr_t)(BTTB_ALIGN - 1));
}

/* 1 if v fits in ptrdiff_t. */
static inline int bttb_size_fits_ptrdiff(size_t v)
{
    return v <= (size_t)PTRDIFF_MAX;
}

/* 64-byte aligned allocation of `bytes` bytes (bytes == 0 allocates a minimal block).  Returns
 * NULL on failure.  Free with bttb_aligned_free (NULL is accepted).  Thread-safe. */
void *bttb_aligned_alloc(size_t bytes);
void bttb_aligned_free(void *p);

/* Same, for count*size bytes with overflow check: NULL (and *overflow = 1 if overflow != NULL)
 * when the product overflows. */
void *bttb_aligned_calloc_checked(size_t count, size_t size, int *overflow);

/* Smallest power of two >= n (n >= 1), or 0 if it does not fit in size_t. */
size_t bttb_next_pow2_size(size_t n);

/* Tests only: cap the SIMD level used by plans created afterwards (0 = scalar, -1 = automatic).
 * Not thread-safe. */
void bttb_internal_set_simd(int level);

/* floor(log2(n)) for n >= 1. */
unsigned bttb_log2_size(size_t n);

/* Complex element size in bytes for a precision (16 or 8). */
static inline size_t bttb_complex_size(bttb_precision p)
{
    return p == BTTB_F32 ? 2 * sizeof(float) : 2 * sizeof(double);
}

/* A 2-D power-of-two complex transform (n1 x n2, C order) in two calls, used by the Python
 * package's fft2 (not part of the public API):
 *   bttb_internal_fft2_rows: the row transforms of in (plan pr, length n2) into out, fused with
 *     the bit reversal of the rows and the first pass of the column transforms (plan pc, length
 *     n1 >= 2); part/nparts: this call's share of the groups of rows (for threads; the union of
 *     the parts is the whole pass).  in and out must not overlap.
 *     work: NULL, or bttb_internal_fft2_rows_work_size bytes of scratch per concurrent call
 *     (any alignment): for outputs of at least BTTB_STREAM_MIN bytes each group of rows is then
 *     built there and streamed to out, so out is never read (same result either way).
 *   bttb_internal_cols_rest: the remaining column passes, on howmany adjacent columns of data
 *     (row stride `stride` >= howmany complex elements), after every part of the row call.
 * The result is bit for bit that of the row transforms followed by bttb_execute_c2c_many on the
 * columns; rscale and cscale are the row and column scales.  Both plans must be power-of-two c2c
 * plans of one precision created with the same SIMD level (else BTTB_EINVAL), except that pr may
 * be a real (BTTB_R2C) plan of a power-of-two length n2 >= 2: in then holds n1 rows of n2 reals
 * and out n1 rows of n2/2+1 complex values (bttb_execute_r2c_many on the rows, then the
 * columns); the column calls take n2/2+1 columns. */
bttb_status bttb_internal_fft2_rows(const bttb_plan *pr, const bttb_plan *pc, const void *in,
                                    void *out, size_t part, size_t nparts, int direction,
                                    double rscale, double cscale, void *work);
size_t bttb_internal_fft2_rows_work_size(const bttb_plan *pr, const bttb_plan *pc);
/* bttb_internal_fft2_rows for single-precision input rows and double plans: complex float rows
 * (c2c row plan) or float rows (r2c row plan) are widened to double as they are read and
 * transformed in double (out: complex double), so the 2-D transform of a complex64 or float32
 * array is computed in double precision and rounded only once, by the caller.  Bit for bit
 * bttb_internal_fft2_rows on the widened array.  Float plans: BTTB_EINVAL. */
bttb_status bttb_internal_fft2_rows_single(const bttb_plan *pr, const bttb_plan *pc,
                                           const void *in, void *out, size_t part, size_t nparts,
                                           int direction, double rscale, double cscale, void *work);
/* The same first call without row transforms, for the column transforms alone of an n1 x width
 * array (any width >= 1; C order, in and out not overlapping): the rows of in are copied in their
 * bit-reversed order and combined by the first column pass; bttb_internal_cols_rest completes.
 * Bit for bit bttb_execute_c2c_many on the columns of a copy of in. */
bttb_status bttb_internal_cols_first(const bttb_plan *pc, const void *in, void *out, size_t width,
                                     size_t part, size_t nparts, int direction, double scale,
                                     void *work);
size_t bttb_internal_cols_first_work_size(const bttb_plan *pc, size_t width);
bttb_status bttb_internal_cols_rest(const bttb_plan *pc, void *data, int direction, double scale,
                                    size_t howmany, ptrdiff_t stride);
/* The column transforms of howmany adjacent columns of an n x stride array (plan pc: power of
 * two, c2c, n >= 2) whose rows are stored in bit-reversed order (row i holds row rev(i) of the
 * input): the result, in natural order, is bit for bit bttb_execute_c2c_many on the columns of
 * the input.  Used by the convolver for its inverse column transforms: their input, the product
 * of a tile spectrum and the kernel spectrum made by bttb_internal_cols_dif, has its rows in
 * that order, so no pass over a tile only permutes rows. */
bttb_status bttb_internal_cols_breved(const bttb_plan *pc, void *data, int direction,
                                      double scale, size_t howmany, ptrdiff_t stride);
/* The column transforms of howmany adjacent columns of an n x stride array in natural order
 * (plan pc as above), the rows of the result stored in bit-reversed order (row i holds frequency
 * rev(i)): the plan's passes transposed, in reverse order (decimation in frequency).  With
 * bttb_internal_cols_breved for the way back, a product with a spectrum stored in the same
 * order needs no permutation of rows.  Not bit for bit bttb_execute_c2c_many (other roundings). */
bttb_status bttb_internal_cols_dif(const bttb_plan *pc, void *data, int direction, double scale,
                                   size_t howmany, ptrdiff_t stride);

/* Single-precision rows transformed in double precision (the package's numpy-compatible API
 * computes float32/complex64 input in double and rounds the result once):
 *   plan: a double-precision plan (BTTB_F64) of any length and algorithm.  C2C: in and out hold
 *     rows of n complex floats (interleaved re, im), direction as bttb_execute_c2c.  R2C with
 *     BTTB_FORWARD: in holds rows of n floats, out rows of n/2+1 complex floats; with
 *     BTTB_BACKWARD (c2r): in holds n/2+1 complex floats, out n floats.
 *   idist, odist: distances between rows, in floats; rows must not overlap between in and out.
 *   work: bttb_internal_rows_single_work_size(plan, direction) bytes (any alignment): the
 *     plan's own work and one widened input row and one double result row.
 * Each row is widened into work, transformed there out of place and rounded once into out:
 * bit for bit the double-precision transform of the widened rows, rounded to float. */
bttb_status bttb_internal_rows_single(const bttb_plan *plan, const float *in, float *out,
                                      size_t howmany, ptrdiff_t idist, ptrdiff_t odist,
                                      int direction, double scale, void *work);
size_t bttb_internal_rows_single_work_size(const bttb_plan *plan, int direction);

#endif /* BTTB_INTERNAL_H */

/*
 * bttbfft.h -- the public C interface of bttbfft.
 *
 * An in-place radix-2 Cooley-Tukey FFT (explicit bit-reversal permutation followed by log2(n)
 * butterfly passes), Bluestein's chirp-z algorithm on top of it for lengths that are not powers
 * of two, real transforms through a half-length complex transform, and (further below) a
 * zero-padded circulant-embedding convolver for Toeplitz and BTTB products.
 *
 * Conventions
 * -----------
 * Data layout: complex numbers are interleaved (re, im) pairs of double (BTTB_F64) or float
 *   (BTTB_F32), i.e. C99 `double complex` / `float complex` or std::complex<T>.  Only the natural
 *   alignment of the scalar type is required; no stricter alignment is assumed.
 * Direction: BTTB_FORWARD computes  X[k] = sum_j x[j] * exp(-2*pi*i*j*k/n)   (numpy's sign),
 *            BTTB_BACKWARD computes x[j] = sum_k X[k] * exp(+2*pi*i*j*k/n).
 * Scaling: transforms are unnormalised; every execute function multiplies its result by `scale`
 *   (pass 1.0 for none, 1.0/n for numpy's default inverse, 1/sqrt(n) for "ortho").  The scale is
 *   folded into the last pass, it costs no extra sweep over the data.
 * Sizes: every size is a size_t; strides and distances are ptrdiff_t counted in elements (complex
 *   elements for complex data, scalars for real data).  All size arithmetic is checked for
 *   overflow; an overflowing size yields BTTB_EOVERFLOW, never a short allocation.
 * Work space: execute functions never allocate.  A plan reports how many bytes of scratch an
 *   execute call needs (bttb_plan_work_size); pass a buffer of at least that size (8-byte aligned;
 *   NULL is accepted when the size is 0).  Each concurrent call needs its own work buffer.
 * Thread safety: a plan is immutable after bttb_plan_create returns.  Any number of threads may
 *   execute the same plan at the same time on different data (each with its own work buffer).
 *   Creating and destroying plans is thread-safe with respect to other plans.
 * Aliasing: `in` and `out` may be the same pointer (in-place) where a function says so; partially
 *   overlapping buffers are not allowed.  Inputs declared const are never written.
 */
#ifndef BTTBFFT_H
#define BTTBFFT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTTB_VERSION_MAJOR 0
#define BTTB_VERSION_MINOR 1
#define BTTB_VERSION_PATCH 0

/* Error codes.  Every function that can fail returns one; 0 is success. */
typedef enum bttb_status {
    BTTB_OK = 0,
    BTTB_EINVAL = 1,     /* invalid argument: NULL pointer, unknown flag, direction or precision */
    BTTB_ESIZE = 2,      /* invalid size: zero, or not a power of two where one is required    */
    BTTB_EOVERFLOW = 3,  /* a size or byte count overflows size_t / ptrdiff_t                    */
    BTTB_ENOMEM = 4,     /* memory allocation failed (plan creation only)                        */
    BTTB_EKIND = 5,      /* the plan is of the wrong kind or precision for this call            */
    BTTB_ESHAPE = 6      /* inconsistent shapes (convolver)                                      */
} bttb_status;

/* A static, human-readable description of a status code (never NULL, also for unknown codes). */
const char *bttb_strerror(int status);

/* Version string "MAJOR.MINOR.PATCH". */
const char *bttb_version(void);

/* Name of the SIMD instruction set selected at run time: "avx512", "avx2" or "scalar" (the
 * baseline for CPUs without AVX2 and FMA: portable C, which the compiler vectorises with SSE2 on
 * x86-64).  On CPUs whose AVX-512 runs on 256-bit units (AMD Zen 4) plans of up to 2048 points use
 * the AVX2 kernels for contiguous transforms even when this says "avx512" (they are faster there).
 * AVX2 and AVX-512 compute the same bits (fused multiply-adds in the same order); the scalar
 * baseline rounds each product separately, so its results may differ from theirs in the last
 * bits, within the same accuracy.  BTTBFFT_SIMD=avx2 or scalar (also "sse2" or "none") caps the
 * level, BTTBFFT_SIMD=avx512 forces AVX-512 at every size.  The level is read when a plan is
 * created. */
const char *bttb_simd_name(void);

typedef enum bttb_precision { BTTB_F64 = 0, BTTB_F32 = 1 } bttb_precision;

typedef enum bttb_direction { BTTB_FORWARD = -1, BTTB_BACKWARD = 1 } bttb_direction;

typedef enum bttb_kind {
    BTTB_C2C = 0,   /* complex <-> complex of length n                                      */
    BTTB_R2C = 1    /* real n <-> n/2+1 complex (Hermitian half); serves r2c and c2r alike  */
} bttb_kind;

/* ---------------------------------------------------------------------------------------------
 * FFT plans
 * ------------------------------------------------------------------------------------------- */
typedef struct bttb_plan bttb_plan;

/* Create a plan for transforms of length n >= 1.  Powers of two run on the radix-2 core directly;
 * other lengths use Bluestein's algorithm on a radix-2 transform of length >= 2n-1.  Twiddles and
 * chirps are computed from exactly reduced angles (no recurrences).  flags must be 0 (reserved).
 * On failure *plan is set to NULL. */
bttb_status bttb_plan_create(bttb_plan **plan, bttb_kind kind, size_t n, bttb_precision precision,
                             unsigned flags);

/* Free a plan.  NULL is accepted and ignored. */
void bttb_plan_destroy(bttb_plan *plan);

/* Queries (plan must not be NULL). */
size_t bttb_plan_length(const bttb_plan *plan);        /* n                                      */
bttb_kind bttb_plan_kind(const bttb_plan *plan);
bttb_precision bttb_plan_precision(const bttb_plan *plan);
size_t bttb_plan_work_size(const bttb_plan *plan);     /* bytes of scratch per execute call      */
size_t bttb_plan_memory(const bttb_plan *plan);        /* bytes held by the plan                 */

/* Complex transform, out-of-place or in-place (in == out).  in, out: n complex elements. */
bttb_status bttb_execute_c2c(const bttb_plan *plan, const void *in, void *out, int direction,
                             double scale, void *work);

/* Many in-place complex transforms: transform t (0 <= t < howmany) has element j at
 * data + t*dist + j*stride (complex elements; negative values allowed).  stride == 1 gives
 * contiguous rows; dist == 1 with stride >= howmany gives columns, which are transformed several
 * at a time.  The transforms must not overlap each other. */
bttb_status bttb_execute_c2c_many(const bttb_plan *plan, void *data, int direction, double scale,
                                  size_t howmany, ptrdiff_t stride, ptrdiff_t dist, void *work);

/* Many contiguous complex transforms, out of place or in place: transform t (0 <= t < howmany)
 * reads n complex elements at in + t*idist and writes n at out + t*odist (in complex elements).
 * Either in == out and idist == odist (in place), or no input overlaps any output.  Faster than
 * one bttb_execute_c2c per row for rows that fit in cache: the next row is prefetched while one
 * is transformed. */
bttb_status bttb_execute_c2c_batch(const bttb_plan *plan, const void *in, void *out, int direction,
                                   double scale, size_t howmany, ptrdiff_t idist, ptrdiff_t odist,
                                   void *work);

/* Real-to-complex: in holds n reals, out receives the n/2+1 non-negative-frequency outputs.
 * in may alias out (in place: the buffer holds 2*(n/2+1) reals). */
bttb_status bttb_execute_r2c(const bttb_plan *plan, const void *in, void *out, double scale,
                             void *work);

/* Complex-to-real (inverse of r2c up to the factor n): in holds n/2+1 complex values of a
 * Hermitian spectrum (the imaginary parts of in[0] and, for even n, in[n/2] are ignored);
 * out receives n reals.  in is not modified unless in == out (in place is allowed). */
bttb_status bttb_execute_c2r(const bttb_plan *plan, const void *in, void *out, double scale,
                             void *work);

/* Many contiguous real transforms: row t of the input starts at in + t*idist, row t of the output
 * at out + t*odist (in elements of the respective type: reals or complex). */
bttb_status bttb_execute_r2c_many(const bttb_plan *plan, const void *in, void *out, double scale,
                                  size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work);
bttb_status bttb_execute_c2r_many(const bttb_plan *plan, const void *in, void *out, double scale,
                                  size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work);

/* ---------------------------------------------------------------------------------------------
 * Radix-2 primitives
 * ------------------------------------------------------------------------------------------- */

/* In-place bit-reversal permutation of n elements (n a power of two) of elem_size bytes each,
 * element j at (char*)data + j*stride_bytes.  Any element size is accepted. */
bttb_status bttb_bit_reverse(void *data, size_t n, size_t elem_size, ptrdiff_t stride_bytes);

/* Smallest power of two >= n (n >= 1) in *out; BTTB_EOVERFLOW if it does not fit in size_t. */
bttb_status bttb_next_pow2(size_t n, size_t *out);

/* 1 if n is a power of two (n >= 1), else 0. */
int bttb_is_pow2(size_t n);

/* ---------------------------------------------------------------------------------------------
 * Convolver (zero-padded circulant embedding) -- declared below by the convolver section.
 * ------------------------------------------------------------------------------------------- */
/* BEGIN CONVOLVER */
/* A convolver plan computes the window  out = full[s1:s1+o1, s2:s2+o2]  of the full 2-D linear
 * convolution of an (m1, m2) image x with a (k1, k2) kernel h:
 *     full[i1, i2] = sum_{j1, j2} x[j1, j2] * h[i1-j1, i2-j2],   shape (m1+k1-1, m2+k2-1).
 * 1-D problems are one row: m1 = k1 = 1.  Arrays are C-contiguous (row-major), of real or complex
 * (interleaved re, im) float (BTTB_F32) or double (BTTB_F64) elements; x, h and out share the type.
 *
 * Methods
 *   BTTB_CONV_DIRECT  spatial sum over the window only (inner loop along rows, vectorisable).
 *   BTTB_CONV_FFT     circulant embedding on the radix-2 core, power-of-two sizes per axis.  The
 *                     window is covered by tiles (overlap-save): each tile is one N1 x N2 circular
 *                     convolution whose size is picked by a cost model (FFT flops per output,
 *                     with a cache penalty); a single tile is the plain zero-padded embedding, with
 *                     N_i = next_pow2(max(s_i+o_i, m_i+k_i-1-s_i, m_i, k_i)), the smallest size
 *                     for which the wanted window does not alias.  The kernel spectrum (scaled by
 *                     1/(N1*N2)) is computed once, in the plan.  Real data use r2c/c2r along rows
 *                     and c2c along columns of the half spectrum; all-zero padded rows are not
 *                     row-transformed and only the rows inside the window are inverse-transformed.
 *   BTTB_CONV_AUTO    the plan picks DIRECT or FFT by a cost model (bttb_conv_plan_method tells).
 *
 * Errors: BTTB_EINVAL for NULL pointers or an unknown precision/type/method; BTTB_ESIZE for a zero
 * dimension or a bad tile size; BTTB_ESHAPE for a window outside the full convolution;
 * BTTB_EOVERFLOW when a size or byte count does not fit; BTTB_ENOMEM when allocation fails.
 * Plans are immutable: any number of threads may execute one plan at once, each with its own
 * work buffer of bttb_conv_plan_work_size bytes (8-byte aligned; NULL allowed when 0). */
typedef struct bttb_conv_plan bttb_conv_plan;

typedef enum bttb_conv_type { BTTB_REAL = 0, BTTB_COMPLEX = 1 } bttb_conv_type;

typedef enum bttb_conv_method {
    BTTB_CONV_AUTO = 0,
    BTTB_CONV_FFT = 1,
    BTTB_CONV_DIRECT = 2
} bttb_conv_method;

/* Create a plan.  kshape = {k1, k2}, ishape = {m1, m2}, start = {s1, s2}, oshape = {o1, o2}.
 * kernel: k1*k2 elements, copied (or transformed) into the plan; the caller keeps ownership.
 * tile: NULL for automatic tiling, otherwise the FFT size per axis used by BTTB_CONV_FFT (a power
 * of two >= k_i; 0 for automatic on that axis) -- for tests and tuning.  BTTB_CONV_AUTO checks
 * it too (BTTB_ESIZE for a bad tile whatever it chooses) and compares the direct path with the
 * FFT path at that tile.  Ignored by DIRECT.
 * On failure *plan is set to NULL. */
bttb_status bttb_conv_plan_create(bttb_conv_plan **plan, bttb_precision precision,
                                  bttb_conv_type type, const void *kernel, const size_t kshape[2],
                                  const size_t ishape[2], const size_t start[2],
                                  const size_t oshape[2], bttb_conv_method method,
                                  const size_t tile[2]);

/* Free a plan.  NULL is accepted and ignored. */
void bttb_conv_plan_destroy(bttb_conv_plan *plan);

/* Convolve howmany images: image t at (elements) in + t*m1*m2, its window written to
 * out + t*o1*o2.  in and out must not overlap; in is never written.  howmany == 0 is a no-op. */
bttb_status bttb_conv_execute(const bttb_conv_plan *plan, const void *in, void *out,
                              size_t howmany, void *work);

/* Part `part` (0 <= part < nparts) of the work of bttb_conv_execute, for threads: the work
 * (howmany images times the FFT tiles of the window, or times the window rows for DIRECT) is
 * cut into nparts contiguous ranges of about equal size; every range writes a disjoint part of
 * out.  Running every part once -- in any order, from any threads at the same time, each with
 * its own work buffer -- gives exactly (bit for bit) the result of bttb_conv_execute, which is
 * the same as part 0 of 1.  BTTB_EINVAL when part >= nparts. */
bttb_status bttb_conv_execute_part(const bttb_conv_plan *plan, const void *in, void *out,
                                   size_t howmany, size_t part, size_t nparts, void *work);

/* Number of work units bttb_conv_execute_part distributes for howmany images (0 on overflow):
 * more parts than units leave some parts empty. */
size_t bttb_conv_plan_units(const bttb_conv_plan *plan, size_t howmany);

/* Queries (plan must not be NULL). */
size_t bttb_conv_plan_work_size(const bttb_conv_plan *plan);   /* bytes of scratch per call   */
size_t bttb_conv_plan_memory(const bttb_conv_plan *plan);      /* bytes held by the plan      */
bttb_conv_method bttb_conv_plan_method(const bttb_conv_plan *plan);  /* DIRECT or FFT         */
/* FFT tile size {N1, N2} and number of tiles per axis covering the window (zeros for DIRECT). */
void bttb_conv_plan_tiles(const bttb_conv_plan *plan, size_t fft_shape[2], size_t ntiles[2]);
/* END CONVOLVER */

#ifdef __cplusplus
}
#endif

#endif /* BTTBFFT_H */

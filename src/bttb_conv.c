/*
 * bttb_conv.c -- the convolver: a window of the full 2-D linear convolution, by a direct spatial
 * sum or by circulant embedding on the radix-2 FFT core (include/bttbfft.h, "Convolver").
 *
 * FFT method (overlap-save tiles with pruning)
 * --------------------------------------------
 * The output window is cut into blocks of c1 x c2 outputs.  Per axis, a block of full-result
 * indices [a, a+c) depends on the input indices [u, v) with u = max(0, a-k+1), v = min(m, a+c).
 * The segment x[u:v] (zero-padded) is circularly convolved, with period N, with the kernel placed
 * at index 0; the circular result at n equals the linear convolution of the segment (whose support
 * is [0, v-u+k-1)) aliased with period N.  Output a' in [a, a+c) is read at n = a' - u, which is
 * alias-free iff
 *        N >= a + c - u      (n < N)    and    N >= v + k - 1 - a   (no alias from n + N),
 * and we also ask N >= v - u and N >= k so that neither segment nor kernel wraps.
 *   * One tile (plain embedding): a = s, c = o, hence N = next_pow2(max(s+o, m+k-1-s, m, k));
 *     e.g. 'valid' (m >= k) needs only N >= m, 'full' needs N >= m+k-1.
 *   * Several tiles: N a power of two >= k and c = N - k + 1 satisfy the condition for every
 *     block (interior blocks are classic overlap-save).
 * A cost model (FFT flops per output with a mild cache penalty, see conv_tile_cost) picks N1, N2
 * among the powers of two between next_pow2(k) and the single-tile size, so a 2048^2 image with a
 * 15x15 kernel runs on 256x256 tiles instead of one 4096x4096 transform; the output is written
 * directly (no accumulation), the scratch is one tile.
 * Per tile: forward row transforms of the v1-u1 segment rows only (zero-padded to N2; r2c for
 * real data, into rows of N2/2+1 complex), zero the remaining rows' spectra, forward column
 * transforms by decimation in frequency (bttb_internal_cols_dif: natural order in, the rows of the
 * spectrum in bit-reversed order), multiply by the kernel spectrum (computed once in the plan the
 * same way, so stored in the same order, and pre-scaled by 1/(N1*N2)), inverse column transforms
 * from bit-reversed rows (bttb_internal_cols_breved, natural order out), inverse row transforms
 * of the c1 rows inside the window only (c2r for real data), copy the window columns.  No pass
 * over a tile only permutes its rows.
 * Problems of shape (m1, 1) with (k1, 1) kernels are treated as one row (same memory layout).
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1   /* posix_memalign, madvise under -std=c99 */
#endif
#include "bttbfft.h"
#include "bttb_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Sizes of one convolution problem (also used by the templated kernels). */
struct conv_geom {
    size_t k[2], m[2], s[2], o[2];
};

#define CONV_T double
#define CONV_CPLX 0
#define CONV_SUF d_real
#define CONV_PSUF d
#include "bttb_conv_tmpl.h"
#define CONV_T double
#define CONV_CPLX 1
#define CONV_SUF d_cplx
#define CONV_PSUF d
#include "bttb_conv_tmpl.h"
#define CONV_T float
#define CONV_CPLX 0
#define CONV_SUF f_real
#define CONV_PSUF f
#include "bttb_conv_tmpl.h"
#define CONV_T float
#define CONV_CPLX 1
#define CONV_SUF f_cplx
#define CONV_PSUF f
#include "bttb_conv_tmpl.h"

/* Runtime-dispatched SIMD instantiations of the same kernels (x86-64 with GCC/Clang): compiled
 * for AVX2+FMA through a target attribute, selected at plan creation when the C core's SIMD level
 * (bttb_simd_name(), which honours BTTBFFT_SIMD) is avx2 or avx512.  No -march flags needed. */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(BTTB_NO_SIMD)
#define CONV_X86_SIMD 1
#define CONV_SIMD_ATTR __attribute__((target("avx2,fma")))
#define CONV_T double
#define CONV_CPLX 0
#define CONV_SUF d_real_avx2
#define CONV_PSUF d_avx2
#define CONV_ATTR CONV_SIMD_ATTR
#define CONV_BLKS 32
#define CONV_SKIP_DIRECT
#include "bttb_conv_tmpl.h"
#define CONV_T double
#define CONV_CPLX 1
#define CONV_SUF d_cplx_avx2
#define CONV_PSUF d_avx2
#define CONV_ATTR CONV_SIMD_ATTR
#define CONV_BLKS 32
#include "bttb_conv_tmpl.h"
#define CONV_T float
#define CONV_CPLX 0
#define CONV_SUF f_real_avx2
#define CONV_PSUF f_avx2
#define CONV_ATTR CONV_SIMD_ATTR
#define CONV_BLKS 32
#include "bttb_conv_tmpl.h"
#define CONV_T float
#define CONV_CPLX 1
#define CONV_SUF f_cplx_avx2
#define CONV_PSUF f_avx2
#define CONV_ATTR CONV_SIMD_ATTR
#define CONV_BLKS 32
#include "bttb_conv_tmpl.h"
#include <immintrin.h>

/* Direct real float64 convolution with AVX2+FMA, written with intrinsics (the hot case).
 * Interior outputs (every kernel column inside the image row) are computed in blocks of 32
 * columns held in 8 ymm accumulators, summing over all kernel rows and columns before a single
 * store; the remaining (border) columns use one vectorised axpy per kernel tap, as the generic
 * template does. */
CONV_SIMD_ATTR static void conv_direct_d_real_avx2(const struct conv_geom *g,
                                                   const double *restrict h,
                                                   const double *restrict x,
                                                   double *restrict out)
{
    const size_t k1 = g->k[0], k2 = g->k[1], m1 = g->m[0], m2 = g->m[1];
    const size_t s1 = g->s[0], s2 = g->s[1], o1 = g->o[0], o2 = g->o[1];
    const size_t e2 = s2 + o2;
    const size_t ilo = s2 > k2 - 1 ? s2 : k2 - 1;
    const size_t ihi = e2 < m2 ? e2 : m2;
    const size_t ihb = ihi > ilo ? ilo + (ihi - ilo) / 32 * 32 : ilo;
    size_t i1, r, c, t, a2;

    for (i1 = 0; i1 < o1; i1++) {
        const size_t a1 = s1 + i1;
        const size_t r_lo = a1 >= m1 ? a1 - m1 + 1 : 0;
        const size_t r_hi = a1 < k1 - 1 ? a1 : k1 - 1;
        double *restrict orow = out + i1 * o2;

        for (a2 = ilo; a2 < ihb; a2 += 32) {
            __m256d c0 = _mm256_setzero_pd(), c1 = _mm256_setzero_pd();
            __m256d c2 = _mm256_setzero_pd(), c3 = _mm256_setzero_pd();
            __m256d c4 = _mm256_setzero_pd(), c5 = _mm256_setzero_pd();
            __m256d c6 = _mm256_setzero_pd(), c7 = _mm256_setzero_pd();
            double *op = orow + (a2 - s2);
            for (r = r_lo; r <= r_hi; r++) {
                const double *xp = x + (a1 - r) * m2 + a2;
                const double *hp = h + r * k2;
                for (c = 0; c < k2; c++, xp--) {
                    const __m256d hv = _mm256_broadcast_sd(hp + c);
                    c0 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp), c0);
                    c1 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 4), c1);
                    c2 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 8), c2);
                    c3 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 12), c3);
                    c4 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 16), c4);
                    c5 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 20), c5);
                    c6 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 24), c6);
                    c7 = _mm256_fmadd_pd(hv, _mm256_loadu_pd(xp + 28), c7);
                }
            }
            _mm256_storeu_pd(op, c0);
            _mm256_storeu_pd(op + 4, c1);
            _mm256_storeu_pd(op + 8, c2);
            _mm256_storeu_pd(op + 12, c3);
            _mm256_storeu_pd(op + 16, c4);
            _mm256_storeu_pd(op + 20, c5);
            _mm256_storeu_pd(op + 24, c6);
            _mm256_storeu_pd(op + 28, c7);
        }
        /* border columns: zero, then one axpy per tap */
        for (t = 0; t < o2; t++) {
            const size_t a = s2 + t;
            if (a == ilo && ihb > ilo) {
                t = ihb - s2 - 1;
                continue;
            }
            orow[t] = 0.0;
        }
        for (r = r_lo; r <= r_hi; r++) {
            const double *restrict xrow = x + (a1 - r) * m2;
            const double *restrict hrow = h + r * k2;
            for (c = 0; c < k2; c++) {
                const size_t lo = s2 > c ? s2 : c;
                const size_t hi = e2 < c + m2 ? e2 : c + m2;
                const size_t cut1 = hi < ilo ? hi : ilo;
                const size_t cut2 = lo > ihb ? lo : ihb;
                if (lo >= hi)
                    continue;
                if (ihb == ilo) {
                    conv_axpy_d_real_avx2(orow + (lo - s2), xrow + (lo - c), hrow + c, hi - lo);
                    continue;
                }
                if (cut1 > lo)
                    conv_axpy_d_real_avx2(orow + (lo - s2), xrow + (lo - c), hrow + c, cut1 - lo);
                if (hi > cut2)
                    conv_axpy_d_real_avx2(orow + (cut2 - s2), xrow + (cut2 - c), hrow + c,
                                          hi - cut2);
            }
        }
    }
}
#else
#define CONV_X86_SIMD 0
#endif

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define CONV_ALIGN ((size_t)BTTB_ALIGN)

/* One tile shape of the FFT method: sizes, row/column plans and the kernel spectrum.  The
 * window is covered by tiles of the main shape except the last tile along each axis, which may
 * use a smaller power of two (the remainder of the window needs less padding), so a plan holds
 * up to four shapes. */
struct conv_shape {
    size_t n[2];                /* FFT sizes N1, N2                                           */
    size_t rowc;                /* complex numbers per buffer row: N2/2+1 (real) or N2        */
    size_t rowbytes;            /* rowc * csize                                               */
    size_t buf_bytes;           /* N1 * rowbytes                                              */
    bttb_plan *rowplan;         /* R2C or C2C of length N2                                    */
    bttb_plan *colplan;         /* C2C of length N1, NULL when N1 == 1                        */
    void *spec;                 /* kernel spectrum, N1 x rowc complex, scaled by 1/(N1*N2)   */
                                /* (unless oscale != 1: see conv_plan_fft); main shape only:
                                   the smaller shapes sample it (conv_spec_mul_shape); its
                                   rows in bit-reversed order (bttb_internal_cols_dif)        */
    double oscale;              /* scale of the last inverse transform: 1, or 1/(N1*N2)       */
    int spec_big;               /* spec allocated by conv_big_alloc (huge-page advice)        */
};

struct bttb_conv_plan {
    bttb_precision prec;
    bttb_conv_type type;
    bttb_conv_method method;    /* BTTB_CONV_DIRECT or BTTB_CONV_FFT                          */
    int swapped;                /* (m1, 1) problem handled as (1, m1): report tiles swapped    */
    struct conv_geom g;         /* problem geometry (after the swap)                          */
    size_t esize;               /* bytes per data element (real or complex)                   */
    size_t csize;               /* bytes per complex number of the precision                  */
    size_t in_elems, out_elems; /* m1*m2 and o1*o2                                            */
    void *kernel;               /* DIRECT: copy of the kernel                                 */
    /* FFT */
    size_t n[2];                /* main tile FFT sizes N1, N2 (powers of two)                 */
    size_t nl[2];               /* FFT size of the last tile per axis (<= n; == n if uniform) */
    size_t blk[2];              /* outputs per tile along each axis (last tile may be short)  */
    size_t nt[2];               /* number of tiles per axis                                   */
    struct conv_shape sh[2][2]; /* tile shapes [last along axis 0][last along axis 1]; only
                                   the used ones are created (see conv_shape_of)              */
    size_t buf_bytes;           /* largest tile buffer                                        */
    size_t fw_offset;           /* FFT scratch offset in the aligned work: buf_bytes rounded up */
    int simd;                   /* 1: use the AVX2+FMA kernels                                */
    size_t work_size;
    size_t memory;
};

/* ---- size helpers (overflow-checked arithmetic comes from bttb_internal.h) ---------------- */
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* Large plan buffers (the kernel spectrum): on Linux, 2 MiB aligned with transparent-huge-page
 * advice, because first-touch page faults of 4 KiB pages cost more than the FFT work that fills
 * them on some systems (NumPy gives its large arrays the same advice).  Except with glibc below
 * its largest dynamic mmap threshold (32 MiB on 64-bit systems): there a freed block stays in the
 * heap once glibc has raised its threshold (after a call or two), and the next plan of that size
 * reuses it, warm, with no page faults, where every 2 MiB-aligned block is a fresh mapping whose
 * huge pages the kernel zeroes again (warm plan creation 0.5-0.7x the time, convolve2d on 512²
 * images 0.86-0.94x; the first two plans of a size are slower: 512², 63x63 kernel, 1.5 and 1.2
 * ms against 0.9 and 0.5 ms).
 * Small sizes (and other systems) use the core's aligned allocator.  *big tells which free to
 * use. */
#define CONV_BIG_BYTES ((size_t)512 << 10)
#if defined(__GLIBC__)
#define CONV_HEAP_REUSE_BYTES (((size_t)4 << 20) * sizeof(long))
#else
#define CONV_HEAP_REUSE_BYTES ((size_t)0)
#endif
static void *conv_big_alloc(size_t bytes, int *big)
{
    *big = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= CONV_BIG_BYTES && bytes >= CONV_HEAP_REUSE_BYTES) {
        void *p = NULL;
        size_t hp = (size_t)2 << 20, rounded;
        if (!bttb_round_up_size(bytes, hp, &rounded) && posix_memalign(&p, hp, rounded) == 0) {
            (void)madvise(p, rounded, MADV_HUGEPAGE);
            *big = 1;
            return p;
        }
    }
#endif
    return bttb_aligned_alloc(bytes);
}

static void conv_big_free(void *p, int big)
{
    if (big)
        free(p);
    else
        bttb_aligned_free(p);
}

static int conv_use_simd(void)
{
#if CONV_X86_SIMD
    const char *s = bttb_simd_name();
    return strcmp(s, "avx2") == 0 || strcmp(s, "avx512") == 0;
#else
    return 0;
#endif
}

/* ---- cost model ---------------------------------------------------------------------------- */
/* Real flops of one complex radix-2 transform of length n. */
static double cfft_flops(size_t n)
{
    return n <= 1 ? 0.0 : 5.0 * (double)n * (double)bttb_log2_size(n);
}

/* Cost of one N1 x N2 tile (real: rows through r2c/c2r at half price on N2/2+1 columns),
 * with rows_in forward and rows_out inverse row transforms.  Transforms whose data no longer
 * fit in cache run slower per flop: a mild penalty grows with log2 of the tile size beyond
 * 256 KiB.  Fixed per-tile and per-row costs (call overheads, row copies and padding) keep
 * tiles from getting tiny and favour wide tiles (few rows, many columns per column pass).  The
 * constants were fitted to measured times of every power-of-two tiling of 15 'same' problems
 * (200^2 to 2048^2 images, kernels 3..255; docs/perf_conv.md): the chosen tiling was on
 * average within 7% of the fastest one (16% with the earlier constants, which 1-D problems,
 * N1 == 1, keep: they were not part of that fit). */
static double conv_tile_cost(int cplx, size_t csize, size_t n1, size_t n2, size_t rows_in,
                             size_t rows_out)
{
    const double rowc = cplx ? (double)n2 : (double)(n2 / 2 + 1);
    const double row = cplx ? cfft_flops(n2) : 0.5 * cfft_flops(n2) + 3.0 * (double)n2;
    double bytes = (double)n1 * rowc * (double)csize;
    /* fitted constants for 2-D tiles; 1-D tiles (n1 == 1) keep the earlier ones */
    const double per_tile = n1 > 1 ? 12000.0 : 4096.0, per_row = n1 > 1 ? 1600.0 : 64.0;
    const double step = n1 > 1 ? 0.02 : 0.12;
    double cost = ((double)rows_in + (double)rows_out) * row + 2.0 * rowc * cfft_flops(n1)
                  + 6.0 * (double)n1 * rowc          /* spectrum product                    */
                  + 2.0 * (double)n1 * (double)n2    /* loads, zeroing, stores              */
                  + (per_tile + per_row * ((double)rows_in + (double)rows_out));
    double pen = 1.0;
    while (bytes > 262144.0) {
        pen += step;
        bytes *= 0.5;
    }
    return cost * pen;
}

/* Tiling along axis ax for FFT size n (n >= k): block size, number of tiles, and for the last
 * tile its FFT size nl (the smallest power of two for which its outputs do not alias, <= n),
 * its number of input rows and outputs (as in the file comment: a = first output of the
 * block, c its length, [u, v) the input indices it reads). */
struct conv_axis {
    size_t blk, nt, nl, in_last, out_last, in_main;
};

static void conv_axis_tiles(const struct conv_geom *g, int ax, size_t n, size_t nsingle,
                            struct conv_axis *t)
{
    const size_t k = g->k[ax], m = g->m[ax], s = g->s[ax], o = g->o[ax];
    size_t a, c, u, v, need;
    if (n >= nsingle) {
        t->blk = o;
        t->nt = 1;
    } else {
        t->blk = n - k + 1;
        t->nt = o / t->blk + (o % t->blk != 0);
    }
    t->in_main = min_sz(min_sz(n, m), t->blk + k - 1);
    a = s + (t->nt - 1) * t->blk;
    c = s + o - a;
    u = a >= k - 1 ? a - (k - 1) : 0;
    v = min_sz(m, a + c);
    t->in_last = v - u;
    t->out_last = c;
    if (t->nt == 1) {
        t->nl = n;
        return;
    }
    need = max_sz(max_sz(a + c - u, v + k - 1 - a), max_sz(v - u, k));
    t->nl = bttb_next_pow2_size(need);
    if (t->nl == 0 || t->nl > n)
        t->nl = n;
}

/* The tile shape for tile indices (t1, t2). */
static const struct conv_shape *conv_shape_of(const bttb_conv_plan *p, size_t t1, size_t t2)
{
    int l1 = t1 + 1 == p->nt[0] && p->nl[0] != p->n[0];
    int l2 = t2 + 1 == p->nt[1] && p->nl[1] != p->n[1];
    return &p->sh[l1][l2];
}

/* Number of multiply-adds of the direct method over the window. */
static double conv_direct_macs(const struct conv_geom *g)
{
    double r = 0.0, c = 0.0;
    size_t i;
    for (i = g->s[0]; i < g->s[0] + g->o[0]; i++) {
        size_t lo = i >= g->m[0] ? i - g->m[0] + 1 : 0, hi = min_sz(i, g->k[0] - 1);
        r += (double)(hi - lo + 1);
    }
    for (i = g->s[1]; i < g->s[1] + g->o[1]; i++) {
        size_t lo = i >= g->m[1] ? i - g->m[1] + 1 : 0, hi = min_sz(i, g->k[1] - 1);
        c += (double)(hi - lo + 1);
    }
    return r * c;
}

/* ---- FFT tile machinery -------------------------------------------------------------------- */
/* Product of a tile spectrum of shape ts (rows in bit-reversed order) with the kernel spectrum
 * (conv_spec_mul in the template): the main shape's own spectrum, or for a smaller last-tile
 * shape the main spectrum sampled every r-th frequency -- along the columns every r2-th element;
 * along the rows, stored in bit-reversed order, the first N1/r1 rows are the sampled ones, in
 * that order -- and f = r1*r2 restores the 1/(N1*N2) scaling when it is folded into the
 * spectrum. */
static void conv_spec_mul_shape(const bttb_conv_plan *p, const struct conv_shape *ts, void *buf)
{
    const struct conv_shape *ms = &p->sh[0][0];
    const size_t r1 = ms->n[0] / ts->n[0], r2 = ms->n[1] / ts->n[1];
    const double f = ts == ms || ms->oscale != 1.0 ? 1.0 : (double)r1 * (double)r2;
    const size_t n1 = ts->n[0], ld = ts->rowc, sld = ms->rowc;
#if CONV_X86_SIMD
    if (p->simd) {
        if (p->prec == BTTB_F64)
            conv_spec_mul_d_avx2((double *)buf, ld, (const double *)ms->spec, sld, n1, r2, f);
        else
            conv_spec_mul_f_avx2((float *)buf, ld, (const float *)ms->spec, sld, n1, r2,
                                 (float)f);
        return;
    }
#endif
    if (p->prec == BTTB_F64)
        conv_spec_mul_d((double *)buf, ld, (const double *)ms->spec, sld, n1, r2, f);
    else
        conv_spec_mul_f((float *)buf, ld, (const float *)ms->spec, sld, n1, r2, (float)f);
}

/* Tile rows up to this many bytes are zero-padded on the stack (conv_tile_forward). */
#define CONV_ROW_STACK ((size_t)32 * 1024)

/* Load rows [0, nrows) of a segment (each nin2 elements, source rows src_ld elements apart) into
 * the tile buffer, zero-padded, and transform them forward along the rows; zero the spectra of
 * the rows nrows..N1-1; transform the columns forward with `scale`, by decimation in frequency:
 * with a column plan the buffer ends up holding the tile's spectrum with its rows in bit-reversed
 * order (row i holds frequency rev(i)). */
static bttb_status conv_tile_forward(const bttb_conv_plan *p, const struct conv_shape *ts,
                                     const char *src, size_t src_ld, size_t nrows, size_t nin2,
                                     char *buf, void *fw, double scale)
{
    const size_t n1 = ts->n[0], n2 = ts->n[1], es = p->esize, rb = ts->rowbytes;
    const int cplx = p->type == BTTB_COMPLEX;
    bttb_status st;
    size_t r;
    double rscale = ts->colplan ? 1.0 : scale;

    if (nin2 == n2 || n2 * es <= CONV_ROW_STACK) {
        /* each row transformed out of place into the tile: straight from the image when it
         * needs no padding, else from a zero-padded copy on the stack (no second sweep over
         * the tile; the out-of-place first pass is cheaper than the in-place one) */
        double pad[CONV_ROW_STACK / sizeof(double)];
        if (nin2 != n2) memset((char *)pad + nin2 * es, 0, (n2 - nin2) * es);
        for (r = 0; r < nrows; r++) {
            const char *row = src + r * src_ld * es;
            if (nin2 != n2) {
                memcpy(pad, row, nin2 * es);
                row = (const char *)pad;
            }
            st = cplx ? bttb_execute_c2c(ts->rowplan, row, buf + r * rb, BTTB_FORWARD, rscale, fw)
                      : bttb_execute_r2c(ts->rowplan, row, buf + r * rb, rscale, fw);
            if (st != BTTB_OK)
                return st;
        }
    } else {
        /* rows too long for the stack: padded in the tile and transformed there in place */
        for (r = 0; r < nrows; r++) {
            char *dst = buf + r * rb;
            memcpy(dst, src + r * src_ld * es, nin2 * es);
            memset(dst + nin2 * es, 0, rb - nin2 * es);
            st = cplx ? bttb_execute_c2c(ts->rowplan, dst, dst, BTTB_FORWARD, rscale, fw)
                      : bttb_execute_r2c(ts->rowplan, dst, dst, rscale, fw);
            if (st != BTTB_OK)
                return st;
        }
    }
    if (r < n1)
        memset(buf + r * rb, 0, (n1 - r) * rb);
    if (ts->colplan)
        return bttb_internal_cols_dif(ts->colplan, buf, BTTB_FORWARD, scale, ts->rowc,
                                      (ptrdiff_t)ts->rowc);
    return BTTB_OK;
}

/* One tile of one image: outputs [a1, a1+c1) x [a2, a2+c2) of the full result. */
static bttb_status conv_tile(const bttb_conv_plan *p, const struct conv_shape *ts,
                             const char *x, char *out, size_t a1, size_t c1, size_t a2,
                             size_t c2, char *buf, void *fw)
{
    const struct conv_geom *g = &p->g;
    const size_t es = p->esize, rb = ts->rowbytes;
    const size_t u1 = a1 >= g->k[0] - 1 ? a1 - (g->k[0] - 1) : 0;
    const size_t v1 = min_sz(g->m[0], a1 + c1);
    const size_t u2 = a2 >= g->k[1] - 1 ? a2 - (g->k[1] - 1) : 0;
    const size_t v2 = min_sz(g->m[1], a2 + c2);
    const size_t r0 = a1 - u1, q0 = a2 - u2;
    bttb_status st;
    size_t i;

    st = conv_tile_forward(p, ts, x + (u1 * g->m[1] + u2) * es, g->m[1], v1 - u1, v2 - u2, buf,
                           fw, 1.0);
    if (st != BTTB_OK)
        return st;
    /* product with the kernel spectrum, both with their rows in bit-reversed order, which the
     * inverse column transforms take as they are */
    conv_spec_mul_shape(p, ts, buf);
    if (ts->colplan) {
        st = bttb_internal_cols_breved(ts->colplan, buf, BTTB_BACKWARD, 1.0, ts->rowc,
                                       (ptrdiff_t)ts->rowc);
        if (st != BTTB_OK)
            return st;
    }
    if (p->type == BTTB_COMPLEX)
        st = bttb_execute_c2c_many(ts->rowplan, buf + r0 * rb, BTTB_BACKWARD, ts->oscale, c1,
                                   1, (ptrdiff_t)ts->n[1], fw);
    else
        st = bttb_execute_c2r_many(ts->rowplan, buf + r0 * rb, buf + r0 * rb, ts->oscale, c1,
                                   (ptrdiff_t)ts->rowc, (ptrdiff_t)(2 * ts->rowc), fw);
    if (st != BTTB_OK)
        return st;
    for (i = 0; i < c1; i++)
        memcpy(out + ((a1 - g->s[0] + i) * g->o[1] + (a2 - g->s[1])) * es,
               buf + (r0 + i) * rb + q0 * es, c2 * es);
    return BTTB_OK;
}

/* Choose N1, N2 and the tiling; forced sizes (tile[i] != 0) are taken as given. */
static bttb_status conv_choose_tiles(bttb_conv_plan *p, const size_t tile[2], double *cost_out)
{
    const struct conv_geom *g = &p->g;
    const int cplx = p->type == BTTB_COMPLEX;
    size_t nmin[2], nmax[2], nsingle[2];
    size_t n1, n2, best1 = 0, best2 = 0;
    double best = 0.0;
    int ax;

    for (ax = 0; ax < 2; ax++) {
        size_t full = g->m[ax] + g->k[ax] - 1;   /* checked by the caller */
        size_t need = max_sz(max_sz(g->s[ax] + g->o[ax], full - g->s[ax]),
                             max_sz(g->m[ax], g->k[ax]));
        nsingle[ax] = bttb_next_pow2_size(need);
        nmin[ax] = bttb_next_pow2_size(g->k[ax]);
        if (nsingle[ax] == 0 || nmin[ax] == 0)
            return BTTB_EOVERFLOW;
        if (tile && tile[ax]) {
            if (!bttb_is_pow2(tile[ax]) || tile[ax] < g->k[ax])
                return BTTB_ESIZE;
            nmin[ax] = nmax[ax] = tile[ax];
        } else {
            nmax[ax] = nsingle[ax];
        }
    }
    for (n1 = nmin[0]; n1 <= nmax[0]; n1 *= 2) {
        for (n2 = nmin[1]; n2 <= nmax[1]; n2 *= 2) {
            struct conv_axis A, B;
            double c, f1, f2;
            conv_axis_tiles(g, 0, n1, nsingle[0], &A);
            conv_axis_tiles(g, 1, n2, nsingle[1], &B);
            f1 = (double)(A.nt - 1);
            f2 = (double)(B.nt - 1);
            /* main x main, main x last, last x main, last x last */
            c = f1 * f2 * conv_tile_cost(cplx, p->csize, n1, n2, A.in_main, A.blk)
                + f1 * conv_tile_cost(cplx, p->csize, n1, B.nl, A.in_main, A.blk)
                + f2 * conv_tile_cost(cplx, p->csize, A.nl, n2, A.in_last, A.out_last)
                + conv_tile_cost(cplx, p->csize, A.nl, B.nl, A.in_last, A.out_last);
            /* the kernel spectrum (one pruned forward transform of the main shape, computed
             * at plan creation, which convolve2d pays on every call; the last-tile shapes
             * sample it) */
            c += conv_tile_cost(cplx, p->csize, n1, n2, g->k[0], 0) / 2;
            if (best1 == 0 || c < best) {
                best = c;
                best1 = n1;
                best2 = n2;
            }
            if (n2 > SIZE_MAX / 2)
                break;
        }
        if (n1 > SIZE_MAX / 2)
            break;
    }
    p->n[0] = best1;
    p->n[1] = best2;
    for (ax = 0; ax < 2; ax++) {
        struct conv_axis A;
        conv_axis_tiles(g, ax, p->n[ax], nsingle[ax], &A);
        p->blk[ax] = A.blk;
        p->nt[ax] = A.nt;
        p->nl[ax] = A.nl;
    }
    if (cost_out)
        *cost_out = best;
    return BTTB_OK;
}

/* Create the FFT plans, size the work buffer and compute the kernel spectrum. */
/* Create one tile shape: plans, spectrum buffer; *fw_bytes is raised to its FFT scratch size. */
static bttb_status conv_shape_create(bttb_conv_plan *p, struct conv_shape *ts, size_t n1,
                                     size_t n2, int with_spec, size_t *fw_bytes, size_t *mem)
{
    const int cplx = p->type == BTTB_COMPLEX;
    size_t t;
    bttb_status st;

    if (n2 > PTRDIFF_MAX / 2 || n1 > PTRDIFF_MAX)
        return BTTB_EOVERFLOW;
    ts->n[0] = n1;
    ts->n[1] = n2;
    ts->rowc = cplx ? n2 : n2 / 2 + 1;
    if (bttb_mul_size(ts->rowc, p->csize, &ts->rowbytes)
        || bttb_mul_size(n1, ts->rowbytes, &ts->buf_bytes)
        || bttb_mul_size(n1, ts->rowc, &t) || t > PTRDIFF_MAX)
        return BTTB_EOVERFLOW;
    st = bttb_plan_create(&ts->rowplan, cplx ? BTTB_C2C : BTTB_R2C, n2, p->prec, 0);
    if (st != BTTB_OK)
        return st;
    if (n1 > 1) {
        st = bttb_plan_create(&ts->colplan, BTTB_C2C, n1, p->prec, 0);
        if (st != BTTB_OK)
            return st;
    }
    *fw_bytes = max_sz(*fw_bytes, bttb_plan_work_size(ts->rowplan));
    if (ts->colplan)
        *fw_bytes = max_sz(*fw_bytes, bttb_plan_work_size(ts->colplan));
    if (with_spec) {
        ts->spec = conv_big_alloc(ts->buf_bytes, &ts->spec_big);
        if (ts->spec == NULL)
            return BTTB_ENOMEM;
        if (bttb_add_size(*mem, ts->buf_bytes, mem))
            *mem = SIZE_MAX;
    }
    if (*mem == SIZE_MAX
        || bttb_add_size(*mem, bttb_plan_memory(ts->rowplan), mem)
        || (ts->colplan && bttb_add_size(*mem, bttb_plan_memory(ts->colplan), mem)))
        *mem = SIZE_MAX;
    p->buf_bytes = max_sz(p->buf_bytes, ts->buf_bytes);
    return BTTB_OK;
}

static void conv_shape_destroy(struct conv_shape *ts)
{
    bttb_plan_destroy(ts->rowplan);
    bttb_plan_destroy(ts->colplan);
    if (ts->spec)
        conv_big_free(ts->spec, ts->spec_big);
    memset(ts, 0, sizeof *ts);
}

/* Create the tile shapes (FFT plans, kernel spectra) and size the work buffer. */
/* max |kernel entry| (real and imaginary parts), in double */
static double conv_kernel_maxabs(const bttb_conv_plan *p, const void *kernel)
{
    size_t i, cnt = p->g.k[0] * p->g.k[1] * (p->type == BTTB_COMPLEX ? 2 : 1);
    double m = 0.0;
    for (i = 0; i < cnt; i++) {
        double v = p->prec == BTTB_F32 ? (double)((const float *)kernel)[i]
                                       : ((const double *)kernel)[i];
        v = v < 0 ? -v : v;
        if (v > m) m = v;   /* NaN is skipped: it propagates anyway */
    }
    return m;
}

/* smallest normal number times 2^(mantissa bits): below it, scaled kernel values lose precision */
static double conv_tiny_limit(const bttb_conv_plan *p)
{
    return p->prec == BTTB_F32 ? 1.1754943508222875e-38 * 16777216.0
                               : 2.2250738585072014e-308 * 9007199254740992.0;
}

static bttb_status conv_plan_fft(bttb_conv_plan *p, const void *kernel)
{
    const struct conv_geom *g = &p->g;
    size_t fw_bytes = 0, t, mem = sizeof *p;
    void *work;
    bttb_status st = BTTB_OK;
    int l1, l2;

    p->buf_bytes = 0;
    for (l1 = 0; l1 < 2; l1++) {
        for (l2 = 0; l2 < 2; l2++) {
            if ((l1 && p->nl[0] == p->n[0]) || (l2 && p->nl[1] == p->n[1]))
                continue;
            st = conv_shape_create(p, &p->sh[l1][l2], l1 ? p->nl[0] : p->n[0],
                                   l2 ? p->nl[1] : p->n[1], !l1 && !l2, &fw_bytes, &mem);
            if (st != BTTB_OK)
                return st;
        }
    }
    p->memory = mem;
    /* work = [align slack][tile buffer, rounded to CONV_ALIGN][FFT scratch] */
    if (bttb_round_up_size(p->buf_bytes, CONV_ALIGN, &p->fw_offset)
        || bttb_add_size(p->fw_offset, CONV_ALIGN, &t)
        || bttb_add_size(t, fw_bytes, &p->work_size))
        return BTTB_EOVERFLOW;

    /* kernel spectra: the kernel at the origin of an N1 x N2 tile, scaled by 1/(N1*N2),
     * transformed directly in the shape's spectrum (only the small FFT scratch is allocated) */
    work = malloc(fw_bytes + CONV_ALIGN);
    if (work == NULL)
        return BTTB_ENOMEM;
    for (l1 = 0; l1 < 2 && st == BTTB_OK; l1++) {
        for (l2 = 0; l2 < 2 && st == BTTB_OK; l2++) {
            struct conv_shape *ts = &p->sh[l1][l2];
            double scale;
            if (ts->spec == NULL)
                continue;
            scale = 1.0 / ((double)ts->n[0] * (double)ts->n[1]);
            /* A kernel near the bottom of the range would lose its bits (or flush to zero) if
             * 1/(N1*N2) were folded into its spectrum: fold it into the last inverse transform
             * instead (found by fuzz/fuzz_conv.c: a subnormal float kernel gave 0). */
            ts->oscale = 1.0;
            if (conv_kernel_maxabs(p, kernel) * scale < conv_tiny_limit(p)) {
                ts->oscale = scale;
                scale = 1.0;
            }
            st = conv_tile_forward(p, ts, (const char *)kernel, g->k[1], g->k[0], g->k[1],
                                   (char *)ts->spec, fw_bytes ? bttb_align_ptr(work) : NULL, scale);
        }
    }
    free(work);
    /* the smaller last-tile shapes sample the main spectrum: same scaling convention */
    for (l1 = 0; l1 < 2; l1++) {
        for (l2 = 0; l2 < 2; l2++) {
            struct conv_shape *ts = &p->sh[l1][l2];
            if ((l1 || l2) && ts->rowplan != NULL)
                ts->oscale = p->sh[0][0].oscale == 1.0
                                 ? 1.0 : 1.0 / ((double)ts->n[0] * (double)ts->n[1]);
        }
    }
    return st;
}

bttb_status bttb_conv_plan_create(bttb_conv_plan **plan, bttb_precision precision,
                                  bttb_conv_type type, const void *kernel, const size_t kshape[2],
                                  const size_t ishape[2], const size_t start[2],
                                  const size_t oshape[2], bttb_conv_method method,
                                  const size_t tile[2])
{
    bttb_conv_plan *p;
    struct conv_geom g;
    size_t scalar, full, end, kel, kbytes, t, tile_sw[2];
    int ax;
    bttb_status st;

    if (plan == NULL)
        return BTTB_EINVAL;
    *plan = NULL;
    if (kernel == NULL || kshape == NULL || ishape == NULL || start == NULL || oshape == NULL)
        return BTTB_EINVAL;
    if (precision != BTTB_F64 && precision != BTTB_F32)
        return BTTB_EINVAL;
    if (type != BTTB_REAL && type != BTTB_COMPLEX)
        return BTTB_EINVAL;
    if (method != BTTB_CONV_AUTO && method != BTTB_CONV_FFT && method != BTTB_CONV_DIRECT)
        return BTTB_EINVAL;
    for (ax = 0; ax < 2; ax++) {
        g.k[ax] = kshape[ax];
        g.m[ax] = ishape[ax];
        g.s[ax] = start[ax];
        g.o[ax] = oshape[ax];
        if (g.k[ax] == 0 || g.m[ax] == 0 || g.o[ax] == 0)
            return BTTB_ESIZE;
        if (bttb_add_size(g.m[ax], g.k[ax] - 1, &full))
            return BTTB_EOVERFLOW;
        if (bttb_add_size(g.s[ax], g.o[ax], &end) || end > full)
            return BTTB_ESHAPE;
    }
    scalar = precision == BTTB_F64 ? sizeof(double) : sizeof(float);
    if (bttb_mul_size(g.k[0], g.k[1], &kel) || bttb_mul_size(g.m[0], g.m[1], &t) || bttb_mul_size(g.o[0], g.o[1], &t)
        || bttb_mul_size(kel, scalar * (type == BTTB_COMPLEX ? 2 : 1), &kbytes))
        return BTTB_EOVERFLOW;

    p = (bttb_conv_plan *)calloc(1, sizeof *p);
    if (p == NULL)
        return BTTB_ENOMEM;
    p->prec = precision;
    p->type = type;
    p->csize = 2 * scalar;
    p->esize = type == BTTB_COMPLEX ? 2 * scalar : scalar;
    p->simd = conv_use_simd();
    /* an (m1, 1) image with a (k1, 1) kernel has the layout of a (1, m1) row problem */
    if (g.m[1] == 1 && g.k[1] == 1 && g.m[0] > 1) {
        struct conv_geom h;
        for (ax = 0; ax < 2; ax++) {
            h.k[ax] = g.k[1 - ax];
            h.m[ax] = g.m[1 - ax];
            h.s[ax] = g.s[1 - ax];
            h.o[ax] = g.o[1 - ax];
        }
        g = h;
        p->swapped = 1;
        if (tile) {
            tile_sw[0] = tile[1];
            tile_sw[1] = tile[0];
            tile = tile_sw;
        }
    }
    p->g = g;
    p->in_elems = g.m[0] * g.m[1];
    p->out_elems = g.o[0] * g.o[1];

    if (method == BTTB_CONV_AUTO) {
        /* measured (x86-64): one real multiply-add of the direct loop costs about as much as
         * 5 units of the FFT cost model with the SSE2 build of the kernels, a complex one about
         * 12; the AVX2+FMA kernels are ~8x (real) and ~4x (complex) faster (2048^2 image,
         * 15x15 kernel: 56 ms direct = 944M multiply-adds, 46 ms FFT = 430M units) */
        double fft_cost = 0.0;
        double direct = conv_direct_macs(&g) * (type == BTTB_COMPLEX ? (p->simd ? 3.0 : 12.0)
                                                                     : (p->simd ? 0.6 : 5.0));
        /* a given tile is checked whatever the choice, and costed as the FFT path would run */
        st = conv_choose_tiles(p, tile, &fft_cost);
        if (st == BTTB_ESIZE) {
            bttb_conv_plan_destroy(p);
            return st;
        }
        method = (st != BTTB_OK || direct <= fft_cost) ? BTTB_CONV_DIRECT : BTTB_CONV_FFT;
    }
    p->method = method;
    if (method == BTTB_CONV_DIRECT) {
        p->kernel = malloc(kbytes ? kbytes : 1);
        if (p->kernel == NULL) {
            bttb_conv_plan_destroy(p);
            return BTTB_ENOMEM;
        }
        memcpy(p->kernel, kernel, kbytes);
        p->work_size = 0;
        p->memory = sizeof *p + kbytes;
    } else {
        st = conv_choose_tiles(p, tile, NULL);
        if (st == BTTB_OK)
            st = conv_plan_fft(p, kernel);
        if (st != BTTB_OK) {
            bttb_conv_plan_destroy(p);
            return st;
        }
    }
    *plan = p;
    return BTTB_OK;
}

void bttb_conv_plan_destroy(bttb_conv_plan *plan)
{
    if (plan == NULL)
        return;
    conv_shape_destroy(&plan->sh[0][0]);
    conv_shape_destroy(&plan->sh[0][1]);
    conv_shape_destroy(&plan->sh[1][0]);
    conv_shape_destroy(&plan->sh[1][1]);
    free(plan->kernel);
    free(plan);
}

size_t bttb_conv_plan_work_size(const bttb_conv_plan *plan) { return plan->work_size; }

size_t bttb_conv_plan_memory(const bttb_conv_plan *plan) { return plan->memory; }

bttb_conv_method bttb_conv_plan_method(const bttb_conv_plan *plan) { return plan->method; }

void bttb_conv_plan_tiles(const bttb_conv_plan *plan, size_t fft_shape[2], size_t ntiles[2])
{
    int ax;
    for (ax = 0; ax < 2; ax++) {
        int src = plan->swapped ? 1 - ax : ax;
        int fft = plan->method == BTTB_CONV_FFT;
        if (fft_shape)
            fft_shape[ax] = fft ? plan->n[src] : 0;
        if (ntiles)
            ntiles[ax] = fft ? plan->nt[src] : 0;
    }
}

static void conv_direct_one(const bttb_conv_plan *p, const struct conv_geom *g,
                            const void *x, void *out)
{
#if CONV_X86_SIMD
    if (p->simd) {
        if (p->prec == BTTB_F64) {
            if (p->type == BTTB_COMPLEX)
                conv_direct_d_cplx_avx2(g, (const double *)p->kernel, (const double *)x,
                                        (double *)out);
            else
                conv_direct_d_real_avx2(g, (const double *)p->kernel, (const double *)x,
                                        (double *)out);
        } else {
            if (p->type == BTTB_COMPLEX)
                conv_direct_f_cplx_avx2(g, (const float *)p->kernel, (const float *)x,
                                        (float *)out);
            else
                conv_direct_f_real_avx2(g, (const float *)p->kernel, (const float *)x,
                                        (float *)out);
        }
        return;
    }
#endif
    if (p->prec == BTTB_F64) {
        if (p->type == BTTB_COMPLEX)
            conv_direct_d_cplx(g, (const double *)p->kernel, (const double *)x,
                               (double *)out);
        else
            conv_direct_d_real(g, (const double *)p->kernel, (const double *)x,
                               (double *)out);
    } else {
        if (p->type == BTTB_COMPLEX)
            conv_direct_f_cplx(g, (const float *)p->kernel, (const float *)x, (float *)out);
        else
            conv_direct_f_real(g, (const float *)p->kernel, (const float *)x, (float *)out);
    }
}

/* Number of independent work units of one execute call: tiles (FFT) or output rows (DIRECT)
 * per image, times howmany. */
static int conv_units(const bttb_conv_plan *p, size_t howmany, size_t *per_image, size_t *total)
{
    *per_image = p->method == BTTB_CONV_DIRECT ? p->g.o[0] : p->nt[0] * p->nt[1];
    return bttb_mul_size(howmany, *per_image, total);
}

bttb_status bttb_conv_execute_part(const bttb_conv_plan *plan, const void *in, void *out,
                                   size_t howmany, size_t part, size_t nparts, void *work)
{
    const bttb_conv_plan *p = plan;
    size_t b, ib, ob, per, total, u, u0, u1;
    char *buf, *fw;

    if (p == NULL)
        return BTTB_EINVAL;
    if (nparts == 0 || part >= nparts)
        return BTTB_EINVAL;
    if (howmany == 0)
        return BTTB_OK;
    if (in == NULL || out == NULL || (work == NULL && p->work_size != 0))
        return BTTB_EINVAL;
    if (bttb_mul_size(p->in_elems, p->esize, &ib) || bttb_mul_size(p->out_elems, p->esize, &ob)
        || bttb_mul_size(howmany, ib, &b) || bttb_mul_size(howmany, ob, &b)
        || conv_units(p, howmany, &per, &total))
        return BTTB_EOVERFLOW;
    /* units [u0, u1) of this part: floor(total * part / nparts) without overflow */
    u0 = total / nparts * part + total % nparts * part / nparts;
    u1 = total / nparts * (part + 1) + total % nparts * (part + 1) / nparts;

    if (p->method == BTTB_CONV_DIRECT) {
        /* contiguous output rows of each image: a sub-window of the same geometry (every row
         * is computed exactly as in a whole-window call) */
        for (u = u0; u < u1;) {
            struct conv_geom g = p->g;
            size_t r0 = u % per, r1 = min_sz(per, r0 + (u1 - u));
            b = u / per;
            g.s[0] += r0;
            g.o[0] = r1 - r0;
            conv_direct_one(p, &g, (const char *)in + b * ib,
                            (char *)out + b * ob + r0 * g.o[1] * p->esize);
            u += r1 - r0;
        }
        return BTTB_OK;
    }
    buf = (char *)bttb_align_ptr(work);
    fw = buf + p->fw_offset;
    for (u = u0; u < u1; u++) {
        const size_t t = u % per, t1 = t / p->nt[1], t2 = t % p->nt[1];
        const char *x = (const char *)in + (u / per) * ib;
        char *o = (char *)out + (u / per) * ob;
        const size_t a1 = p->g.s[0] + t1 * p->blk[0];
        const size_t c1 = min_sz(p->blk[0], p->g.s[0] + p->g.o[0] - a1);
        const size_t a2 = p->g.s[1] + t2 * p->blk[1];
        const size_t c2 = min_sz(p->blk[1], p->g.s[1] + p->g.o[1] - a2);
        bttb_status st = conv_tile(p, conv_shape_of(p, t1, t2), x, o, a1, c1, a2, c2, buf, fw);
        if (st != BTTB_OK)
            return st;
    }
    return BTTB_OK;
}

bttb_status bttb_conv_execute(const bttb_conv_plan *plan, const void *in, void *out,
                              size_t howmany, void *work)
{
    return bttb_conv_execute_part(plan, in, out, howmany, 0, 1, work);
}

size_t bttb_conv_plan_units(const bttb_conv_plan *plan, size_t howmany)
{
    size_t per, total;
    if (plan == NULL || conv_units(plan, howmany, &per, &total))
        return 0;
    return total;
}

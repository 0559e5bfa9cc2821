/*
 * bttb_fft.c -- FFT plans: creation (twiddle, chirp and permutation tables), argument checking,
 * run-time SIMD dispatch, and the radix-2 primitives of the public header.
 *
 * The kernels themselves live in bttb_fft_tmpl.h, included below once per (precision,
 * instruction set).
 */
/* Floating-point contraction off for the whole file (GCC: also in gnu mode, where it defaults to
 * "fast"): the SIMD kernels use explicit fused multiply-adds where they want them, so every
 * complex number is computed by the same sequence of roundings whichever loop computes it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>

#include "bttbfft.h"
#include "bttb_internal.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(BTTB_NO_SIMD)
#define BTTB_X86_SIMD 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define BTTB_X86_SIMD 0
#endif

#if defined(_WIN32)
#include <malloc.h>
#endif

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define BTTB_HAVE_STREAM 1
#else
#define BTTB_HAVE_STREAM 0
#endif

void bttb_stream_copy(void *restrict dst, const void *restrict src, size_t bytes)
{
#if BTTB_HAVE_STREAM
    char *d = (char *)dst;
    const char *s = (const char *)src;
    size_t head = (size_t)(-(uintptr_t)d & 15);
    if (head > bytes) head = bytes;
    memcpy(d, s, head);
    d += head;
    s += head;
    bytes -= head;
    for (; bytes >= 64; bytes -= 64, d += 64, s += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s);
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
    }
    memcpy(d, s, bytes);
#else
    memcpy(dst, src, bytes);
#endif
}

void bttb_stream_fence(void)
{
#if BTTB_HAVE_STREAM
    _mm_sfence();
#endif
}

/* ============================================================================================ */
/* Small utilities                                                                              */
/* ============================================================================================ */

void *bttb_aligned_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes == 0) bytes = BTTB_ALIGN;
#if defined(_WIN32)
    p = _aligned_malloc(bytes, BTTB_ALIGN);
#else
    {
        /* portable manual scheme: over-allocate, store the original pointer just below */
        size_t total;
        unsigned char *raw;
        if (bttb_add_size(bytes, BTTB_ALIGN + sizeof(void *), &total)) return NULL;
        raw = (unsigned char *)malloc(total);
        if (!raw) return NULL;
        {
            p = bttb_align_ptr(raw + sizeof(void *));
            memcpy((unsigned char *)p - sizeof(void *), &raw, sizeof(void *));
        }
    }
#endif
    return p;
}

void bttb_aligned_free(void *p)
{
    if (!p) return;
#if defined(_WIN32)
    _aligned_free(p);
#else
    {
        void *raw;
        memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof(void *));
        free(raw);
    }
#endif
}

void *bttb_aligned_calloc_checked(size_t count, size_t size, int *overflow)
{
    size_t bytes;
    void *p;
    if (bttb_mul_size(count, size, &bytes)) {
        if (overflow) *overflow = 1;
        return NULL;
    }
    if (overflow) *overflow = 0;
    p = bttb_aligned_alloc(bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

size_t bttb_next_pow2_size(size_t n)
{
    size_t p = 1;
    if (n <= 1) return 1;
    if (n > ((size_t)-1 >> 1) + 1) return 0;
    while (p < n) p <<= 1;
    return p;
}

unsigned bttb_log2_size(size_t n)
{
    unsigned l = 0;
    while (n > 1) { n >>= 1; l++; }
    return l;
}

int bttb_is_pow2(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

bttb_status bttb_next_pow2(size_t n, size_t *out)
{
    size_t p;
    if (!out) return BTTB_EINVAL;
    if (n == 0) return BTTB_ESIZE;
    p = bttb_next_pow2_size(n);
    if (p == 0) return BTTB_EOVERFLOW;
    *out = p;
    return BTTB_OK;
}

const char *bttb_strerror(int status)
{
    switch (status) {
    case BTTB_OK: return "success";
    case BTTB_EINVAL: return "invalid argument (NULL pointer, unknown flag, direction or precision)";
    case BTTB_ESIZE: return "invalid size (zero, or not a power of two where one is required)";
    case BTTB_EOVERFLOW: return "size overflow (a size or byte count does not fit in size_t/ptrdiff_t)";
    case BTTB_ENOMEM: return "out of memory";
    case BTTB_EKIND: return "wrong plan kind or precision for this call";
    case BTTB_ESHAPE: return "inconsistent shapes";
    default: return "unknown bttbfft status code";
    }
}

#define BTTB_STR2(x) #x
#define BTTB_STR(x) BTTB_STR2(x)
const char *bttb_version(void)
{
    return BTTB_STR(BTTB_VERSION_MAJOR) "." BTTB_STR(BTTB_VERSION_MINOR) "." BTTB_STR(BTTB_VERSION_PATCH);
}

/* ============================================================================================ */
/* Exact roots of unity                                                                         */
/* ============================================================================================ */
#define BTTB_PI_4L 0.785398163397448309615660845819875721049292349843776L

/* Reduce the angle 2*pi*r/N (0 <= r < N, N < 2^60) to (pi/4)*t/N with 0 <= t <= N, exactly, in
 * integers; the flags say how to map (cos, sin) of the reduced angle back. */
typedef struct { uint64_t t; int swap, neg_c, neg_s; } bttb_octant;

static bttb_octant bttb_reduce(uint64_t r, uint64_t N)
{
    bttb_octant o;
    uint64_t t = 8 * r, D = N;
    o.swap = o.neg_c = o.neg_s = 0;
    if (t > 4 * D) { t = 8 * D - t; o.neg_s = 1; } /* theta -> 2pi - theta */
    if (t > 2 * D) { t = 4 * D - t; o.neg_c = 1; } /* theta -> pi - theta  */
    if (t > D) { t = 2 * D - t; o.swap = 1; }      /* theta -> pi/2 - theta */
    o.t = t;
    return o;
}

static void bttb_apply_octant(const bttb_octant *o, double c, double s, double *re, double *im)
{
    if (o->swap) { double tmp = c; c = s; s = tmp; }
    if (o->neg_c) c = -c;
    if (o->neg_s) s = -s;
    *re = c;
    *im = -s; /* exp(-i theta) */
}

/* Generator of exp(-2*pi*i*r/N): a table of the first octant when N is a multiple of 8 (one
 * sin/cos per 8 roots), direct long-double evaluation otherwise. */
typedef struct { uint64_t N; double *c, *s; } bttb_rootgen;

static int rootgen_init(bttb_rootgen *g, uint64_t N)
{
    g->N = N;
    g->c = g->s = NULL;
    if (N % 8 == 0 && N >= 64) {
        size_t nb = (size_t)(N / 8) + 1, i;
        g->c = (double *)malloc(nb * sizeof(double));
        g->s = (double *)malloc(nb * sizeof(double));
        if (!g->c || !g->s) { free(g->c); free(g->s); g->c = g->s = NULL; return 0; }
        for (i = 0; i < nb; i++) {
            long double a = BTTB_PI_4L * (long double)(8 * (uint64_t)i) / (long double)N;
            g->c[i] = (double)cosl(a);
            g->s[i] = (double)sinl(a);
        }
    }
    return 1;
}

static void rootgen_free(bttb_rootgen *g)
{
    free(g->c);
    free(g->s);
    g->c = g->s = NULL;
}

static void rootgen_get(const bttb_rootgen *g, uint64_t r, double *re, double *im)
{
    bttb_octant o = bttb_reduce(r % g->N, g->N);
    double c, s;
    if (g->c) {
        c = g->c[o.t / 8];
        s = g->s[o.t / 8];
    } else {
        long double a = BTTB_PI_4L * (long double)o.t / (long double)g->N;
        c = (double)cosl(a);
        s = (double)sinl(a);
    }
    bttb_apply_octant(&o, c, s, re, im);
}

/* ============================================================================================ */
/* Plans                                                                                        */
/* ============================================================================================ */
typedef struct { double re, im; } bttb_cd;
typedef struct { float re, im; } bttb_cf;

enum { BTTB_ALGO_POW2 = 0, BTTB_ALGO_BLUESTEIN = 1, BTTB_ALGO_REAL_EVEN = 2, BTTB_ALGO_REAL_ODD = 3 };

typedef struct bttb_pass {
    size_t radix; /* 2, 4 or 8 */
    size_t h;     /* span of the first fused stage */
    size_t tw;    /* offset of its twiddles in the table (complex elements) */
    size_t dup;   /* radix 4 and 8 (h > 1): 1 = split/duplicated twiddle layout, 0 = compact */
} bttb_pass;

typedef struct bttb_ops bttb_ops;

struct bttb_plan {
    bttb_kind kind;
    bttb_precision prec;
    size_t n;
    int algo;
    size_t work;      /* bytes of scratch per execute call */
    size_t memory;    /* bytes held, including sub-plans  */
    const bttb_ops *ops;
    const bttb_ops *cops; /* for strided (column) calls: the detected level's kernels */
    /* power of two */
    unsigned log2n, npass;
    bttb_pass pass[40];
    void *tw;
    uint32_t *brpairs;
    size_t nbrpairs;
    size_t cache_block; /* elements per cache block for depth-first passes */
    /* Bluestein */
    size_t m;
    struct bttb_plan *sub; /* Bluestein: pow2 plan of m; real: complex plan of n/2 or n */
    void *chirp;
    void *kspec;
    /* real, even n */
    void *rtw;
};

/* The last argument of c2c_many (column transforms, see pow2_cols in the template). */
enum {
    BTTB_COLS_ALL = 0,    /* a plain call: bit reversal of the rows, then every pass */
    BTTB_COLS_REST = 1,   /* the rows were bit-reversed and the first pass done (rows_colfirst) */
    BTTB_COLS_BREVED = 2, /* the rows are stored in bit-reversed order: every pass, no reversal */
    BTTB_COLS_DIF = 3     /* natural order in, the rows of the result in bit-reversed order */
};

/* Which twiddles a column pass kernel (kc_r2/4/8 in the template) reads: those of index
 * j0 + jm*j of the table of a pass of span h, for its own index j.  A pass run on every row:
 * BTTB_TWMAP(its span).  Run on the rows j0, j0+s, j0+2s, ... only (a strided subset closed under
 * the pass, see cols_tail in the template): span h/s there, the table of span h, j0, jm = s. */
typedef struct bttb_twmap { size_t h, j0, jm; } bttb_twmap;
#define BTTB_TWMAP(h) ((bttb_twmap){ (h), 0, 1 })

/* Bytes of the rows of a run of fused column passes (cols_tail). */
#ifndef BTTB_COLS_FUSE
#define BTTB_COLS_FUSE ((size_t)256 * 1024)
#endif

/* Column passes after the fused first pass (BTTB_COLS_REST) on at least this many bytes run on
 * the rows of each residue modulo the first pass's radix apart (pow2_cols_body): the column
 * blocks of 2048 rows and more (8 MiB at 256 complex128 columns), not those of 1024 rows (4 MiB,
 * where splitting measured no gain). */
#ifndef BTTB_COLS_SPLIT
#define BTTB_COLS_SPLIT ((size_t)6 * 1024 * 1024)
#endif

struct bttb_ops {
    void (*c2c)(const bttb_plan *, const void *, void *, int, double, void *);
    void (*c2c_many)(const bttb_plan *, void *, int, double, size_t, ptrdiff_t, ptrdiff_t, void *,
                     unsigned);
    void (*c2c_batch)(const bttb_plan *, const void *, void *, int, double, size_t, ptrdiff_t,
                      ptrdiff_t, void *);
    void (*rows_colfirst)(const bttb_plan *, const bttb_plan *, const void *, void *, size_t,
                          size_t, size_t, int, double, double, void *, int);
    void (*r2c)(const bttb_plan *, const void *, void *, double, void *, const bttb_ahead *);
    void (*c2r)(const bttb_plan *, const void *, void *, double, void *, const bttb_ahead *);
};

/* ============================================================================================ */
/* Bit reversal (typed, tiled)                                                                  */
/* ============================================================================================ */
static uint64_t bttb_rev64(uint64_t v)
{
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
}

static size_t bttb_rev_bits(size_t v, unsigned bits)
{
    return bits == 0 ? 0 : (size_t)(bttb_rev64((uint64_t)v) >> (64 - bits));
}

/* Chunks that pass ip of a transform of n points runs in when it carries a read-ahead (see
 * run_passes): one per block of the pass, at most cmax. */
static size_t bttb_pass_chunks(const bttb_plan *p, size_t ip, size_t n, size_t cmax)
{
    size_t nb = n / (p->pass[ip].radix * p->pass[ip].h);
    return nb < cmax ? nb : cmax;
}

/* In-place bit reversal of 2^L elements at base + i*sb (bytes).  Indices are split as
 * [a (q bits) | b (L-2q bits) | c (q bits)]; rev maps tile b = {[a b c]} onto tile rev(b) with
 * rows (a) and columns (c) exchanged and reversed.  Each pair of tiles (2^q rows of 2^q
 * contiguous elements each, rows 2^(L-q) elements apart) is copied into two small buffers and
 * written back permuted, so every row is read once and written once even when the rows alias in
 * the cache (large power-of-two strides).  A fixed-size stack buffer: still in place.  Elements
 * are moved with fixed-size memcpy (no alignment or aliasing assumptions on the user's data). */
#define BTTB_DEFINE_BITREV_BUF(NAME, T, QMAX)                                                    \
    static void NAME(unsigned char *base, unsigned L, ptrdiff_t sb)                              \
    {                                                                                            \
        unsigned q = L / 2 < (QMAX) ? L / 2 : (QMAX), M = L - 2 * q, sh = L - q;                 \
        size_t Q = (size_t)1 << q, a, c, b, nb = (size_t)1 << M;                                 \
        size_t revq[1 << (QMAX)];                                                                \
        T bufA[1 << (2 * (QMAX))], bufB[1 << (2 * (QMAX))];                                      \
        for (a = 0; a < Q; a++) revq[a] = bttb_rev_bits(a, q);                                   \
        for (b = 0; b < nb; b++) {                                                               \
            size_t br = bttb_rev_bits(b, M);                                                     \
            if (br < b) continue;                                                                \
            for (a = 0; a < Q; a++) {                                                            \
                const unsigned char *ra = base + (ptrdiff_t)((a << sh) | (b << q)) * sb;         \
                const unsigned char *rb = base + (ptrdiff_t)((a << sh) | (br << q)) * sb;        \
                for (c = 0; c < Q; c++) {                                                        \
                    memcpy(&bufA[a * Q + c], ra + (ptrdiff_t)c * sb, sizeof(T));                 \
                    if (br != b) memcpy(&bufB[a * Q + c], rb + (ptrdiff_t)c * sb, sizeof(T));    \
                }                                                                                \
            }                                                                                    \
            for (a = 0; a < Q; a++) {                                                            \
                unsigned char *ra = base + (ptrdiff_t)((a << sh) | (b << q)) * sb;               \
                unsigned char *rb = base + (ptrdiff_t)((a << sh) | (br << q)) * sb;              \
                size_t qa = revq[a];                                                             \
                if (br == b) {                                                                   \
                    for (c = 0; c < Q; c++)                                                      \
                        memcpy(ra + (ptrdiff_t)c * sb, &bufA[revq[c] * Q + qa], sizeof(T));      \
                } else {                                                                         \
                    for (c = 0; c < Q; c++) {                                                    \
                        memcpy(ra + (ptrdiff_t)c * sb, &bufB[revq[c] * Q + qa], sizeof(T));      \
                        memcpy(rb + (ptrdiff_t)c * sb, &bufA[revq[c] * Q + qa], sizeof(T));      \
                    }                                                                            \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
    }

typedef struct { uint64_t a, b; } bttb_e16;
BTTB_DEFINE_BITREV_BUF(bitrev_e1, uint8_t, 6)
BTTB_DEFINE_BITREV_BUF(bitrev_e2, uint16_t, 6)
BTTB_DEFINE_BITREV_BUF(bitrev_e4, uint32_t, 5)
BTTB_DEFINE_BITREV_BUF(bitrev_e8, uint64_t, 5)
BTTB_DEFINE_BITREV_BUF(bitrev_e16, bttb_e16, 4)
BTTB_DEFINE_BITREV_BUF(bitrev_cd, bttb_cd, 4)
BTTB_DEFINE_BITREV_BUF(bitrev_cf, bttb_cf, 5)

/* Any element size: the same tiling, swapping bytes directly (no buffer). */
#define BTTB_DEFINE_BITREV(NAME, T, SWAP)                                                        \
    static void NAME(unsigned char *base, unsigned L, ptrdiff_t sb, size_t es, unsigned qmax)    \
    {                                                                                            \
        unsigned q = L / 2 < qmax ? L / 2 : qmax, M = L - 2 * q, sh = L - q;                     \
        size_t Q = (size_t)1 << q, a, c, b, nb = (size_t)1 << M;                                 \
        size_t revq[256];                                                                        \
        for (a = 0; a < Q; a++) revq[a] = bttb_rev_bits(a, q);                                   \
        for (b = 0; b < nb; b++) {                                                               \
            size_t br = bttb_rev_bits(b, M);                                                     \
            if (br < b) continue;                                                                \
            for (a = 0; a < Q; a++) {                                                            \
                size_t ra = revq[a];                                                             \
                size_t ib = (a << sh) | (b << q), jb = (br << q) | ra;                           \
                for (c = 0; c < Q; c++) {                                                        \
                    size_t i = ib | c, j = (revq[c] << sh) | jb;                                 \
                    if (b == br && j <= i) continue;                                             \
                    {                                                                            \
                        T *pi = (T *)(void *)(base + (ptrdiff_t)i * sb);                         \
                        T *pj = (T *)(void *)(base + (ptrdiff_t)j * sb);                         \
                        SWAP(pi, pj, es);                                                        \
                    }                                                                            \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
    }

#define BTTB_SWAP_BYTES(pi, pj, es)                                                              \
    do {                                                                                         \
        unsigned char *x_ = (unsigned char *)(pi), *y_ = (unsigned char *)(pj);                  \
        size_t k_;                                                                               \
        for (k_ = 0; k_ < (es); k_++) { unsigned char t_ = x_[k_]; x_[k_] = y_[k_]; y_[k_] = t_; } \
    } while (0)
BTTB_DEFINE_BITREV(bitrev_bytes, unsigned char, BTTB_SWAP_BYTES)

#define BITREV_CD(x, n, L) bitrev_cd((unsigned char *)(x), (L), (ptrdiff_t)sizeof(bttb_cd))
#define BITREV_CF(x, n, L) bitrev_cf((unsigned char *)(x), (L), (ptrdiff_t)sizeof(bttb_cf))

bttb_status bttb_bit_reverse(void *data, size_t n, size_t elem_size, ptrdiff_t stride_bytes)
{
    unsigned L;
    size_t as, ext;
    uintptr_t addr = (uintptr_t)data;
    unsigned char *base = (unsigned char *)data;
    if (n == 0 || !bttb_is_pow2(n)) return BTTB_ESIZE;
    if (!data || elem_size == 0) return BTTB_EINVAL;
    as = stride_bytes < 0 ? (size_t)0 - (size_t)stride_bytes : (size_t)stride_bytes;
    if (bttb_mul_size(n - 1, as, &ext) || !bttb_size_fits_ptrdiff(ext)) return BTTB_EOVERFLOW;
    if (n == 1) return BTTB_OK;
    L = bttb_log2_size(n);
    /* elements must not overlap each other */
    if (as < elem_size) return BTTB_EINVAL;
#define BTTB_ALIGNED(k) (addr % (k) == 0 && as % (k) == 0)
    switch (elem_size) {
    case 1: bitrev_e1(base, L, stride_bytes); break;
    case 2: if (BTTB_ALIGNED(2)) { bitrev_e2(base, L, stride_bytes); break; }
            bitrev_bytes(base, L, stride_bytes, elem_size, 6); break;
    case 4: if (BTTB_ALIGNED(4)) { bitrev_e4(base, L, stride_bytes); break; }
            bitrev_bytes(base, L, stride_bytes, elem_size, 5); break;
    case 8: if (BTTB_ALIGNED(8)) { bitrev_e8(base, L, stride_bytes); break; }
            if (BTTB_ALIGNED(4)) { bitrev_cf(base, L, stride_bytes); break; }
            bitrev_bytes(base, L, stride_bytes, elem_size, 5); break;
    case 16: if (BTTB_ALIGNED(8)) { bitrev_e16(base, L, stride_bytes); break; }
             bitrev_bytes(base, L, stride_bytes, elem_size, 4); break;
    default: bitrev_bytes(base, L, stride_bytes, elem_size, elem_size <= 64 ? 3 : 2); break;
    }
#undef BTTB_ALIGNED
    return BTTB_OK;
}

/* ============================================================================================ */
/* Kernel instantiations                                                                        */
/* ============================================================================================ */

/* ---- scalar baseline, double ---- */
#define R double
#define CPX bttb_cd
#define SFX(name) name##_d_sc
#define SCL(name) name##_d_sc
#define TMPL_TARGET
#define TMPL_SCALAR 1
#define BITREV_TILED BITREV_CD
#define VL 1
#define VT CPX
#define V_LD(p) (*(p))
#define V_ST(p, v) (*(p) = (v))
#define V_ADD(a, b) C_ADD(a, b)
#define V_SUB(a, b) C_SUB(a, b)
#define V_SCALE(a, s) C_SCALE(a, s)
#define V_CMUL(a, w) C_MUL(a, w)
#define V_CMULJ(a, w) C_MULJ(a, w)
#define V_CMULD(a, wr, wi) SFX(c_muld)(a, wr, wi)
#define V_CMULJD(a, wr, wi) SFX(c_muljd)(a, wr, wi)
#define V_MULNI(a) SFX(c_mulni)(a)
#define V_MULI(a) SFX(c_muli)(a)
#define V_BCAST(c) (c)
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef BITREV_TILED

/* ---- scalar baseline, float ---- */
#define R float
#define CPX bttb_cf
#define SFX(name) name##_f_sc
#define SCL(name) name##_f_sc
#define BITREV_TILED BITREV_CF
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef BITREV_TILED
#undef TMPL_TARGET
#undef TMPL_SCALAR
#undef VL
#undef VT
#undef V_LD
#undef V_ST
#undef V_ADD
#undef V_SUB
#undef V_SCALE
#undef V_CMUL
#undef V_CMULJ
#undef V_CMULD
#undef V_CMULJD
#undef V_MULNI
#undef V_MULI
#undef V_BCAST
#undef V_REV
#undef V_CONJ
#undef V_LD2
#undef V_ST2
#undef V_TRANSPOSE

static const bttb_ops bttb_ops_d_sc = { c2c_d_sc, c2c_many_d_sc, c2c_batch_d_sc, rows_colfirst_d_sc, r2c_d_sc, c2r_d_sc };
static const bttb_ops bttb_ops_f_sc = { c2c_f_sc, c2c_many_f_sc, c2c_batch_f_sc, rows_colfirst_f_sc, r2c_f_sc, c2r_f_sc };

#if BTTB_X86_SIMD
/* ---- AVX2 + FMA ---- */
#define TMPL_TARGET __attribute__((target("avx2,fma")))
#define TMPL_SCALAR 0

#define R double
#define CPX bttb_cd
#define SFX(name) name##_d_avx2
#define SCL(name) name##_d_sc
#define TMPL_FMA(a, b, c) __builtin_fma((a), (b), (c))
#define BITREV_TILED BITREV_CD
#define VL 2
#define VT __m256d
#define V_LD(p) _mm256_loadu_pd((const double *)(p))
#define V_ST(p, v) _mm256_storeu_pd((double *)(p), (v))
#define V_ADD(a, b) _mm256_add_pd((a), (b))
#define V_SUB(a, b) _mm256_sub_pd((a), (b))
#define V_SCALE(a, s) _mm256_mul_pd((a), _mm256_set1_pd(s))
#define V_CMUL(a, w) _mm256_fmaddsub_pd((a), _mm256_movedup_pd(w), \
        _mm256_mul_pd(_mm256_permute_pd((a), 0x5), _mm256_permute_pd((w), 0xF)))
#define V_CMULJ(a, w) _mm256_fmsubadd_pd((a), _mm256_movedup_pd(w), \
        _mm256_mul_pd(_mm256_permute_pd((a), 0x5), _mm256_permute_pd((w), 0xF)))
#define V_CMULD(a, wr, wi) _mm256_fmaddsub_pd((a), (wr), _mm256_mul_pd(_mm256_permute_pd((a), 0x5), (wi)))
#define V_CMULJD(a, wr, wi) _mm256_fmsubadd_pd((a), (wr), _mm256_mul_pd(_mm256_permute_pd((a), 0x5), (wi)))
#define V_MULNI(a) _mm256_xor_pd(_mm256_permute_pd((a), 0x5), _mm256_setr_pd(0.0, -0.0, 0.0, -0.0))
#define V_MULI(a) _mm256_xor_pd(_mm256_permute_pd((a), 0x5), _mm256_setr_pd(-0.0, 0.0, -0.0, 0.0))
#define V_BCAST(c) _mm256_setr_pd((c).re, (c).im, (c).re, (c).im)
#define V_REV(a) _mm256_permute2f128_pd((a), (a), 1)
#define V_CONJ(a) _mm256_xor_pd((a), _mm256_setr_pd(0.0, -0.0, 0.0, -0.0))
/* v[0], v[1] <- the 2x2 transpose of v[0], v[1] (as complex numbers: v[l] gets lane l of both) */
#define V_TRANSPOSE(v) do { __m256d t0_ = _mm256_permute2f128_pd((v)[0], (v)[1], 0x20);        \
                            (v)[1] = _mm256_permute2f128_pd((v)[0], (v)[1], 0x31);              \
                            (v)[0] = t0_; } while (0)
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef BITREV_TILED
#undef VL
#undef VT
#undef V_LD
#undef V_ST
#undef V_ADD
#undef V_SUB
#undef V_SCALE
#undef V_CMUL
#undef V_CMULJ
#undef V_CMULD
#undef V_CMULJD
#undef V_MULNI
#undef V_MULI
#undef V_BCAST
#undef V_REV
#undef V_CONJ
#undef V_LD2
#undef V_ST2
#undef V_TRANSPOSE

#define R float
#define CPX bttb_cf
#define SFX(name) name##_f_avx2
#define SCL(name) name##_f_sc
#define BITREV_TILED BITREV_CF
#define VL 4
#define VT __m256
#define V_LD(p) _mm256_loadu_ps((const float *)(p))
#define V_ST(p, v) _mm256_storeu_ps((float *)(p), (v))
#define V_ADD(a, b) _mm256_add_ps((a), (b))
#define V_SUB(a, b) _mm256_sub_ps((a), (b))
#define V_SCALE(a, s) _mm256_mul_ps((a), _mm256_set1_ps(s))
#define V_CMUL(a, w) _mm256_fmaddsub_ps((a), _mm256_moveldup_ps(w), \
        _mm256_mul_ps(_mm256_permute_ps((a), 0xB1), _mm256_movehdup_ps(w)))
#define V_CMULJ(a, w) _mm256_fmsubadd_ps((a), _mm256_moveldup_ps(w), \
        _mm256_mul_ps(_mm256_permute_ps((a), 0xB1), _mm256_movehdup_ps(w)))
#define V_CMULD(a, wr, wi) _mm256_fmaddsub_ps((a), (wr), _mm256_mul_ps(_mm256_permute_ps((a), 0xB1), (wi)))
#define V_CMULJD(a, wr, wi) _mm256_fmsubadd_ps((a), (wr), _mm256_mul_ps(_mm256_permute_ps((a), 0xB1), (wi)))
#define V_MULNI(a) _mm256_xor_ps(_mm256_permute_ps((a), 0xB1), \
        _mm256_setr_ps(0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f))
#define V_MULI(a) _mm256_xor_ps(_mm256_permute_ps((a), 0xB1), \
        _mm256_setr_ps(-0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f))
#define V_BCAST(c) _mm256_setr_ps((c).re, (c).im, (c).re, (c).im, (c).re, (c).im, (c).re, (c).im)
#define V_REV(a) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(a), 0x1B))
#define V_CONJ(a) _mm256_xor_ps((a), _mm256_setr_ps(0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f))
/* v[0..3] <- the 4x4 transpose of v[0..3] (as complex numbers: v[l] gets lane l of all four) */
#define V_TRANSPOSE(v) do {                                                                      \
        __m256d r0_ = _mm256_castps_pd((v)[0]), r1_ = _mm256_castps_pd((v)[1]);                 \
        __m256d r2_ = _mm256_castps_pd((v)[2]), r3_ = _mm256_castps_pd((v)[3]);                 \
        __m256d t0_ = _mm256_unpacklo_pd(r0_, r1_), t1_ = _mm256_unpackhi_pd(r0_, r1_);         \
        __m256d t2_ = _mm256_unpacklo_pd(r2_, r3_), t3_ = _mm256_unpackhi_pd(r2_, r3_);         \
        (v)[0] = _mm256_castpd_ps(_mm256_permute2f128_pd(t0_, t2_, 0x20));                      \
        (v)[1] = _mm256_castpd_ps(_mm256_permute2f128_pd(t1_, t3_, 0x20));                      \
        (v)[2] = _mm256_castpd_ps(_mm256_permute2f128_pd(t0_, t2_, 0x31));                      \
        (v)[3] = _mm256_castpd_ps(_mm256_permute2f128_pd(t1_, t3_, 0x31)); } while (0)
#undef TMPL_FMA
#define TMPL_FMA(a, b, c) __builtin_fmaf((a), (b), (c))
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef BITREV_TILED
#undef VL
#undef VT
#undef V_LD
#undef V_ST
#undef V_ADD
#undef V_SUB
#undef V_SCALE
#undef V_CMUL
#undef V_CMULJ
#undef V_CMULD
#undef V_CMULJD
#undef V_MULNI
#undef V_MULI
#undef V_BCAST
#undef V_REV
#undef V_CONJ
#undef V_LD2
#undef V_ST2
#undef V_TRANSPOSE
#undef TMPL_TARGET
#undef TMPL_SCALAR
#undef TMPL_FMA

static const bttb_ops bttb_ops_d_avx2 = { c2c_d_avx2, c2c_many_d_avx2, c2c_batch_d_avx2, rows_colfirst_d_avx2, r2c_d_avx2, c2r_d_avx2 };
static const bttb_ops bttb_ops_f_avx2 = { c2c_f_avx2, c2c_many_f_avx2, c2c_batch_f_avx2, rows_colfirst_f_avx2, r2c_f_avx2, c2r_f_avx2 };

/* the bits of a complex float as one double (for a 64-bit broadcast) */
static double bttb_cf_bits(bttb_cf c)
{
    double d;
    memcpy(&d, &c, sizeof d);
    return d;
}

/* ---- AVX-512 (F + DQ) ---- */
#define TMPL_TARGET __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define TMPL_SCALAR 0

#define R double
#define CPX bttb_cd
#define SFX(name) name##_d_avx512
#define SCL(name) name##_d_sc
#define TMPL_FMA(a, b, c) __builtin_fma((a), (b), (c))
#define BITREV_TILED BITREV_CD
#define VL 4
#define VT __m512d
#define V_LD(p) _mm512_loadu_pd((const double *)(p))
#define V_ST(p, v) _mm512_storeu_pd((double *)(p), (v))
#define V_ADD(a, b) _mm512_add_pd((a), (b))
#define V_SUB(a, b) _mm512_sub_pd((a), (b))
#define V_SCALE(a, s) _mm512_mul_pd((a), _mm512_set1_pd(s))
#define V_CMUL(a, w) _mm512_fmaddsub_pd((a), _mm512_movedup_pd(w), \
        _mm512_mul_pd(_mm512_permute_pd((a), 0x55), _mm512_permute_pd((w), 0xFF)))
#define V_CMULJ(a, w) _mm512_fmsubadd_pd((a), _mm512_movedup_pd(w), \
        _mm512_mul_pd(_mm512_permute_pd((a), 0x55), _mm512_permute_pd((w), 0xFF)))
#define V_CMULD(a, wr, wi) _mm512_fmaddsub_pd((a), (wr), _mm512_mul_pd(_mm512_permute_pd((a), 0x55), (wi)))
#define V_CMULJD(a, wr, wi) _mm512_fmsubadd_pd((a), (wr), _mm512_mul_pd(_mm512_permute_pd((a), 0x55), (wi)))
#define V_MULNI(a) _mm512_xor_pd(_mm512_permute_pd((a), 0x55), \
        _mm512_setr_pd(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0))
#define V_MULI(a) _mm512_xor_pd(_mm512_permute_pd((a), 0x55), \
        _mm512_setr_pd(-0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0))
#define V_BCAST(c) _mm512_setr_pd((c).re, (c).im, (c).re, (c).im, (c).re, (c).im, (c).re, (c).im)
#define V_REV(a) _mm512_shuffle_f64x2((a), (a), 0x1B)
#define V_CONJ(a) _mm512_xor_pd((a), _mm512_setr_pd(0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0))
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef TMPL_FMA
#undef BITREV_TILED
#undef VL
#undef VT
#undef V_LD
#undef V_ST
#undef V_ADD
#undef V_SUB
#undef V_SCALE
#undef V_CMUL
#undef V_CMULJ
#undef V_CMULD
#undef V_CMULJD
#undef V_MULNI
#undef V_MULI
#undef V_BCAST
#undef V_REV
#undef V_CONJ
#undef V_LD2
#undef V_ST2
#undef V_TRANSPOSE

#define R float
#define CPX bttb_cf
#define SFX(name) name##_f_avx512
#define SCL(name) name##_f_sc
#define TMPL_FMA(a, b, c) __builtin_fmaf((a), (b), (c))
#define BITREV_TILED BITREV_CF
#define VL 8
#define VT __m512
#define V_LD(p) _mm512_loadu_ps((const float *)(p))
#define V_ST(p, v) _mm512_storeu_ps((float *)(p), (v))
#define V_ADD(a, b) _mm512_add_ps((a), (b))
#define V_SUB(a, b) _mm512_sub_ps((a), (b))
#define V_SCALE(a, s) _mm512_mul_ps((a), _mm512_set1_ps(s))
#define V_CMUL(a, w) _mm512_fmaddsub_ps((a), _mm512_moveldup_ps(w), \
        _mm512_mul_ps(_mm512_permute_ps((a), 0xB1), _mm512_movehdup_ps(w)))
#define V_CMULJ(a, w) _mm512_fmsubadd_ps((a), _mm512_moveldup_ps(w), \
        _mm512_mul_ps(_mm512_permute_ps((a), 0xB1), _mm512_movehdup_ps(w)))
#define V_CMULD(a, wr, wi) _mm512_fmaddsub_ps((a), (wr), _mm512_mul_ps(_mm512_permute_ps((a), 0xB1), (wi)))
#define V_CMULJD(a, wr, wi) _mm512_fmsubadd_ps((a), (wr), _mm512_mul_ps(_mm512_permute_ps((a), 0xB1), (wi)))
#define V_MULNI(a) _mm512_xor_ps(_mm512_permute_ps((a), 0xB1), _mm512_castsi512_ps(_mm512_set1_epi64((long long)0x8000000000000000ULL)))
#define V_MULI(a) _mm512_xor_ps(_mm512_permute_ps((a), 0xB1), _mm512_castsi512_ps(_mm512_set1_epi64((long long)0x0000000080000000ULL)))
#define V_BCAST(c) _mm512_castpd_ps(_mm512_set1_pd(bttb_cf_bits(c)))
#define V_REV(a) _mm512_castpd_ps(_mm512_permutexvar_pd(_mm512_setr_epi64(7, 6, 5, 4, 3, 2, 1, 0), _mm512_castps_pd(a)))
#define V_CONJ(a) _mm512_xor_ps((a), _mm512_castsi512_ps(_mm512_set1_epi64((long long)0x8000000000000000ULL)))
/* half vectors: 4 complex from p, 4 from q */
#define V_LD2(p, q) _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps((const float *)(p))), \
        _mm256_loadu_ps((const float *)(q)), 1)
#define V_ST2(p, q, v) (_mm256_storeu_ps((float *)(p), _mm512_castps512_ps256(v)), \
        _mm256_storeu_ps((float *)(q), _mm512_extractf32x8_ps((v), 1)))
#include "bttb_fft_tmpl.h"
#undef R
#undef CPX
#undef SFX
#undef SCL
#undef TMPL_FMA
#undef BITREV_TILED
#undef VL
#undef VT
#undef V_LD
#undef V_ST
#undef V_ADD
#undef V_SUB
#undef V_SCALE
#undef V_CMUL
#undef V_CMULJ
#undef V_CMULD
#undef V_CMULJD
#undef V_MULNI
#undef V_MULI
#undef V_BCAST
#undef V_REV
#undef V_CONJ
#undef V_LD2
#undef V_ST2
#undef V_TRANSPOSE
#undef TMPL_TARGET
#undef TMPL_SCALAR

static const bttb_ops bttb_ops_d_avx512 = { c2c_d_avx512, c2c_many_d_avx512, c2c_batch_d_avx512, rows_colfirst_d_avx512, r2c_d_avx512, c2r_d_avx512 };
static const bttb_ops bttb_ops_f_avx512 = { c2c_f_avx512, c2c_many_f_avx512, c2c_batch_f_avx512, rows_colfirst_f_avx512, r2c_f_avx512, c2r_f_avx512 };
#endif /* BTTB_X86_SIMD */

/* ============================================================================================ */
/* Dispatch                                                                                     */
/* ============================================================================================ */
enum { BTTB_LEVEL_SCALAR = 0, BTTB_LEVEL_AVX2 = 2, BTTB_LEVEL_AVX512 = 3 };

static int bttb_simd_override = -1; /* set by bttb_internal_set_simd (tests only) */

void bttb_internal_set_simd(int level)
{
    bttb_simd_override = level;
}

static int bttb_detect_level(void)
{
    int lvl = BTTB_LEVEL_SCALAR;
    const char *env;
#if BTTB_X86_SIMD
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        lvl = BTTB_LEVEL_AVX2;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
            lvl = BTTB_LEVEL_AVX512;
    }
#endif
    env = getenv("BTTBFFT_SIMD");
    if (env && (strcmp(env, "scalar") == 0 || strcmp(env, "none") == 0 || strcmp(env, "sse2") == 0))
        lvl = BTTB_LEVEL_SCALAR;
    else if (env && strcmp(env, "avx2") == 0 && lvl > BTTB_LEVEL_AVX2)
        lvl = BTTB_LEVEL_AVX2;
    if (bttb_simd_override >= 0 && bttb_simd_override < lvl) lvl = bttb_simd_override;
    return lvl;
}

const char *bttb_simd_name(void)
{
    int lvl = bttb_detect_level();
    return lvl == BTTB_LEVEL_AVX512 ? "avx512" : lvl == BTTB_LEVEL_AVX2 ? "avx2" : "scalar";
}

#if BTTB_X86_SIMD
/* 1 on AMD family 19h (Zen 4; Zen 3 has no AVX-512), whose AVX-512 instructions run on 256-bit
 * units: there the AVX2 kernels are faster for transforms of up to BTTB_AVX2_MAX_N points and
 * the AVX-512 ones above (C core alone, interleaved in one process, time AVX-512 / AVX2:
 * complex128 1.01-1.23 at 2^6..2^11, 0.77-0.92 from 2^12; complex64 1.02-1.43 and 0.79-0.98;
 * real 0.97-1.20 and 0.85-1.01; README, "FFT versus FFTW"). */
static int bttb_avx512_halfwidth_detect(void)
{
    unsigned a, b, c, d, fam;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    if (b != 0x68747541u || d != 0x69746e65u || c != 0x444d4163u) return 0; /* AuthenticAMD */
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    fam = (a >> 8) & 0xfu;
    if (fam == 0xfu) fam += (a >> 20) & 0xffu;
    return fam == 0x19u;
}

/* Cached: CPUID traps to the hypervisor in a virtual machine (plan creation took 15 us instead
 * of 1-2 us with two CPUID calls per plan).  Every thread computes the same value, so a race
 * only repeats the detection. */
static int bttb_avx512_halfwidth(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        v = bttb_avx512_halfwidth_detect();
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

/* 1 if AVX-512 is asked for at every size: BTTBFFT_SIMD=avx512, or a level set by
 * bttb_internal_set_simd (tests). */
static int bttb_avx512_forced(void)
{
    const char *env = getenv("BTTBFFT_SIMD");
    return bttb_simd_override >= 0 || (env && strcmp(env, "avx512") == 0);
}
#endif

/* The kernels of a plan of n points: those of the level detected at run time, except that for
 * contiguous transforms (cols == 0; the strided column kernels keep AVX-512, whose vectors
 * span more columns: the convolver's 512^2 tiles ran 1.00-1.06x slower with AVX2 columns) an
 * AVX-512 CPU with 256-bit units runs transforms of up to BTTB_AVX2_MAX_N points (complex64: 64
 * to BTTB_AVX2_MAX_N) with the AVX2 kernels (unless BTTBFFT_SIMD=avx512 or
 * bttb_internal_set_simd asks for AVX-512 itself). */
#define BTTB_AVX2_MAX_N ((size_t)2048)
static const bttb_ops *bttb_select_ops(bttb_precision prec, size_t n, int cols)
{
#if BTTB_X86_SIMD
    int lvl = bttb_detect_level();
    if (lvl == BTTB_LEVEL_AVX512) {
        /* complex64 below 64 points: AVX-512 as fast or faster (fewer, wider first-pass tiles) */
        if (!cols && n <= BTTB_AVX2_MAX_N && (prec == BTTB_F64 || n >= 64)
            && !bttb_avx512_forced() && bttb_avx512_halfwidth())
            return prec == BTTB_F32 ? &bttb_ops_f_avx2 : &bttb_ops_d_avx2;
        return prec == BTTB_F32 ? &bttb_ops_f_avx512 : &bttb_ops_d_avx512;
    }
    if (lvl == BTTB_LEVEL_AVX2)
        return prec == BTTB_F32 ? &bttb_ops_f_avx2 : &bttb_ops_d_avx2;
#else
    (void)n;
    (void)cols;
#endif
    return prec == BTTB_F32 ? &bttb_ops_f_sc : &bttb_ops_d_sc;
}

/* ============================================================================================ */
/* Plan construction                                                                            */
/* ============================================================================================ */
static void store_root(void *table, bttb_precision prec, size_t i, double re, double im)
{
    if (prec == BTTB_F32) {
        ((bttb_cf *)table)[i].re = (float)re;
        ((bttb_cf *)table)[i].im = (float)im;
    } else {
        ((bttb_cd *)table)[i].re = re;
        ((bttb_cd *)table)[i].im = im;
    }
}

static bttb_plan *plan_alloc(bttb_kind kind, size_t n, bttb_precision prec)
{
    bttb_plan *p = (bttb_plan *)calloc(1, sizeof(bttb_plan));
    if (!p) return NULL;
    p->kind = kind;
    p->n = n;
    p->prec = prec;
    p->ops = bttb_select_ops(prec, n, 0);
    p->cops = bttb_select_ops(prec, n, 1);
    p->memory = sizeof(bttb_plan);
    return p;
}

void bttb_plan_destroy(bttb_plan *p)
{
    if (!p) return;
    bttb_plan_destroy(p->sub);
    bttb_aligned_free(p->tw);
    bttb_aligned_free(p->brpairs);
    bttb_aligned_free(p->chirp);
    bttb_aligned_free(p->kspec);
    bttb_aligned_free(p->rtw);
    free(p);
}

/* Allocate count complex elements of the plan's precision, with overflow check. */
static bttb_status alloc_cpx(bttb_plan *p, size_t count, void **out)
{
    size_t bytes;
    if (bttb_mul_size(count, bttb_complex_size(p->prec), &bytes) || !bttb_size_fits_ptrdiff(bytes))
        return BTTB_EOVERFLOW;
    *out = bttb_aligned_alloc(bytes);
    if (!*out) return BTTB_ENOMEM;
    p->memory += bytes;
    return BTTB_OK;
}

static bttb_status build_pow2(bttb_plan *p)
{
    size_t n = p->n, ntw = 0, h, i;
    unsigned L = bttb_log2_size(n), np = 0;
    bttb_status st;
    bttb_rootgen g;
    size_t csz = bttb_complex_size(p->prec), tmp;
    p->algo = BTTB_ALGO_POW2;
    p->log2n = L;
    p->work = 0;
    if (bttb_mul_size(n, csz, &tmp) || !bttb_size_fits_ptrdiff(tmp)) return BTTB_EOVERFLOW;
    p->cache_block = (size_t)512 * 1024 / csz;
    /* passes: when L is odd a first radix-2 (n == 2) or radix-2^3 pass (trivial twiddles), else
     * a first radix-2^2 pass; then radix-2^3 passes (three stages per sweep) where the span
     * allows them (h >= h8: whole vectors of every ISA, 8 complex64 or 4 complex128) and the
     * remaining stages do not leave a single one, and radix-2^2 passes for the rest */
    h = 1;
    if (L == 1) {
        p->pass[np].radix = 2; p->pass[np].h = 1; p->pass[np].tw = ntw;
        ntw += 1; np++; h = 2;
    } else if (L % 2 == 1) {
        p->pass[np].radix = 8; p->pass[np].h = 1; p->pass[np].tw = ntw;
        np++; h = 8;
    }
    while (h < n) {
        const size_t h8 = p->prec == BTTB_F32 ? 8 : 4;
        const unsigned rest = L - bttb_log2_size(h);
        const size_t rad = h >= h8 && rest >= 3 && rest != 4 ? 8 : 4;
        int dup = rad * h <= p->cache_block;
        p->pass[np].radix = rad; p->pass[np].h = h; p->pass[np].tw = ntw; p->pass[np].dup = (size_t)dup;
        ntw += (dup ? 2 : 1) * (rad - 1) * h; np++;
        h *= rad;
    }
    p->npass = np;
    if (ntw == 0) ntw = 1;
    st = alloc_cpx(p, ntw, &p->tw);
    if (st) return st;
    if (!rootgen_init(&g, (uint64_t)n)) return BTTB_ENOMEM;
    for (i = 0; i < np; i++) {
        size_t hh = p->pass[i].h, off = p->pass[i].tw, j, q, TB = hh < 8 ? hh : 8;
        size_t rad = p->pass[i].radix, blk = rad * hh, stepn = n / blk; /* w = root^(stepn) */
        if (rad == 8 && hh == 1) continue; /* trivial twiddles, none stored */
        for (q = 1; q < rad; q++) {
            /* radix 8: entry q multiplies the input q*h, which the 8-point DFT takes as element
             * rev3(q) of its bit-reversed input: twiddle w^(rev3(q) j) */
            size_t e = rad == 8 ? ((q & 1) << 2 | (q & 2) | (q & 4) >> 2) : q;
            for (j = 0; j < hh; j++) {
                double re, im;
                size_t jb = j / TB * TB, jj = j - jb;
                rootgen_get(&g, (uint64_t)(e * j) * stepn, &re, &im);
                if (rad == 2) {
                    store_root(p->tw, p->prec, off + j, re, im);
                } else if (p->pass[i].dup) {
                    size_t at = off + jb * 2 * (rad - 1) + 2 * (q - 1) * TB + jj;
                    store_root(p->tw, p->prec, at, re, re);
                    store_root(p->tw, p->prec, at + TB, im, im);
                } else {
                    store_root(p->tw, p->prec, off + jb * (rad - 1) + (q - 1) * TB + jj, re, im);
                }
            }
        }
    }
    rootgen_free(&g);
    /* swap pairs of the bit reversal for small n */
    if (n >= 4 && n <= 4096) {
        size_t cnt = 0, k, bytes;
        for (i = 0; i < n; i++) if (bttb_rev_bits(i, L) > i) cnt++;
        bytes = 2 * cnt * sizeof(uint32_t);
        p->brpairs = (uint32_t *)bttb_aligned_alloc(bytes);
        if (!p->brpairs) return BTTB_ENOMEM;
        p->memory += bytes;
        for (i = 0, k = 0; i < n; i++) {
            size_t r = bttb_rev_bits(i, L);
            if (r > i) { p->brpairs[2 * k] = (uint32_t)i; p->brpairs[2 * k + 1] = (uint32_t)r; k++; }
        }
        p->nbrpairs = cnt;
    } else if (n == 2) {
        p->nbrpairs = 0;
        p->brpairs = (uint32_t *)bttb_aligned_alloc(8); /* nothing to swap */
        if (!p->brpairs) return BTTB_ENOMEM;
    }
    return BTTB_OK;
}

static bttb_status plan_create_internal(bttb_plan **out, bttb_kind kind, size_t n, bttb_precision prec);

static bttb_status build_bluestein(bttb_plan *p)
{
    size_t n = p->n, m, k, twon;
    uint64_t r;
    bttb_status st;
    bttb_rootgen g;
    bttb_cd *b = NULL;
    bttb_plan *dp = NULL;
    p->algo = BTTB_ALGO_BLUESTEIN;
    if (n > ((size_t)-1 >> 2)) return BTTB_EOVERFLOW;
    twon = 2 * n;
    m = bttb_next_pow2_size(twon - 1);
    if (m == 0) return BTTB_EOVERFLOW;
    if ((uint64_t)n >= ((uint64_t)1 << 58)) return BTTB_EOVERFLOW; /* exact angle reduction */
    p->m = m;
    if (bttb_mul_size(m, bttb_complex_size(p->prec), &p->work) || !bttb_size_fits_ptrdiff(p->work))
        return BTTB_EOVERFLOW;
    st = alloc_cpx(p, n, &p->chirp);
    if (st) return st;
    st = alloc_cpx(p, m, &p->kspec);
    if (st) return st;
    st = plan_create_internal(&p->sub, BTTB_C2C, m, p->prec);
    if (st) return st;
    p->memory += p->sub->memory;
    /* chirp w_k = exp(-i pi k^2 / n) = exp(-2 pi i (k^2 mod 2n) / 2n); k^2 mod 2n by exact
     * integer increments (k+1)^2 = k^2 + 2k + 1 */
    if (!rootgen_init(&g, (uint64_t)twon)) return BTTB_ENOMEM;
    b = (bttb_cd *)bttb_aligned_alloc(m * sizeof(bttb_cd));
    if (!b) { rootgen_free(&g); return BTTB_ENOMEM; }
    memset(b, 0, m * sizeof(bttb_cd));
    for (k = 0, r = 0; k < n; k++) {
        double re, im;
        rootgen_get(&g, r, &re, &im);
        store_root(p->chirp, p->prec, k, re, im);
        /* kernel b_k = conj(w_k), symmetric around 0 */
        b[k].re = re; b[k].im = -im;
        if (k > 0) b[m - k] = b[k];
        r += 2 * (uint64_t)k + 1;
        if (r >= twon) r -= twon;
    }
    rootgen_free(&g);
    /* kernel spectrum in double precision, scaled by 1/m */
    if (p->prec == BTTB_F64) {
        dp = p->sub;
    } else {
        st = plan_create_internal(&dp, BTTB_C2C, m, BTTB_F64);
        if (st) { bttb_aligned_free(b); return st; }
    }
    dp->ops->c2c(dp, b, b, 0, 1.0 / (double)m, NULL);
    for (k = 0; k < m; k++) store_root(p->kspec, p->prec, k, b[k].re, b[k].im);
    if (dp != p->sub) bttb_plan_destroy(dp);
    bttb_aligned_free(b);
    return BTTB_OK;
}

static bttb_status build_real(bttb_plan *p)
{
    size_t n = p->n, k;
    bttb_status st;
    if (n % 2 == 0) {
        size_t h = n / 2;
        bttb_rootgen g;
        p->algo = BTTB_ALGO_REAL_EVEN;
        st = plan_create_internal(&p->sub, BTTB_C2C, h, p->prec);
        if (st) return st;
        p->memory += p->sub->memory;
        p->work = p->sub->work;
        st = alloc_cpx(p, h / 2 + 1, &p->rtw);
        if (st) return st;
        if (!rootgen_init(&g, (uint64_t)n)) return BTTB_ENOMEM;
        /* u_k = -i w^k / 2 (w = exp(-2 pi i / n)): exact from w^k, and the form the r2c post-pass
         * and the c2r pre-pass multiply by */
        for (k = 0; k <= h / 2; k++) {
            double re, im;
            rootgen_get(&g, (uint64_t)k, &re, &im);
            store_root(p->rtw, p->prec, k, 0.5 * im, -0.5 * re);
        }
        rootgen_free(&g);
    } else {
        size_t bytes;
        p->algo = BTTB_ALGO_REAL_ODD;
        st = plan_create_internal(&p->sub, BTTB_C2C, n, p->prec);
        if (st) return st;
        p->memory += p->sub->memory;
        if (bttb_mul_size(n, bttb_complex_size(p->prec), &bytes) ||
            bttb_add_size(bytes, p->sub->work, &p->work) || !bttb_size_fits_ptrdiff(p->work))
            return BTTB_EOVERFLOW;
    }
    return BTTB_OK;
}

static bttb_status plan_create_internal(bttb_plan **out, bttb_kind kind, size_t n, bttb_precision prec)
{
    bttb_plan *p;
    bttb_status st;
    *out = NULL;
    p = plan_alloc(kind, n, prec);
    if (!p) return BTTB_ENOMEM;
    if (kind == BTTB_R2C) st = build_real(p);
    else if (bttb_is_pow2(n)) st = build_pow2(p);
    else st = build_bluestein(p);
    if (st) { bttb_plan_destroy(p); return st; }
    *out = p;
    return BTTB_OK;
}

bttb_status bttb_plan_create(bttb_plan **plan, bttb_kind kind, size_t n, bttb_precision precision,
                             unsigned flags)
{
    if (!plan) return BTTB_EINVAL;
    *plan = NULL;
    if (kind != BTTB_C2C && kind != BTTB_R2C) return BTTB_EINVAL;
    if (precision != BTTB_F64 && precision != BTTB_F32) return BTTB_EINVAL;
    if (flags != 0) return BTTB_EINVAL;
    if (n == 0) return BTTB_ESIZE;
    return plan_create_internal(plan, kind, n, precision);
}

size_t bttb_plan_length(const bttb_plan *p) { return p ? p->n : 0; }
bttb_kind bttb_plan_kind(const bttb_plan *p) { return p ? p->kind : BTTB_C2C; }
bttb_precision bttb_plan_precision(const bttb_plan *p) { return p ? p->prec : BTTB_F64; }
size_t bttb_plan_work_size(const bttb_plan *p) { return p ? p->work : 0; }
size_t bttb_plan_memory(const bttb_plan *p) { return p ? p->memory : 0; }

/* ============================================================================================ */
/* Execute (argument checking, then the selected kernels)                                       */
/* ============================================================================================ */
static size_t abs_pd(ptrdiff_t v) { return v < 0 ? (size_t)0 - (size_t)v : (size_t)v; }

/* 1 if every offset t*dist + j*stride (t < howmany, j < n) fits in ptrdiff_t (in elements of
 * elem bytes, also counted in bytes). */
static int offsets_fit(size_t n, ptrdiff_t stride, size_t howmany, ptrdiff_t dist, size_t elem)
{
    size_t a, b, s;
    if (bttb_mul_size(n - 1, abs_pd(stride), &a)) return 0;
    if (bttb_mul_size(howmany - 1, abs_pd(dist), &b)) return 0;
    if (bttb_add_size(a, b, &s)) return 0;
    if (bttb_add_size(s, 1, &s) || bttb_mul_size(s, elem, &s)) return 0;
    return bttb_size_fits_ptrdiff(s);
}

bttb_status bttb_execute_c2c(const bttb_plan *plan, const void *in, void *out, int direction,
                             double scale, void *work)
{
    if (!plan || !in || !out) return BTTB_EINVAL;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return BTTB_EINVAL;
    if (plan->kind != BTTB_C2C) return BTTB_EKIND;
    if (plan->work && !work) return BTTB_EINVAL;
    plan->ops->c2c(plan, in, out, direction == BTTB_BACKWARD, scale, work);
    return BTTB_OK;
}

bttb_status bttb_execute_c2c_many(const bttb_plan *plan, void *data, int direction, double scale,
                                  size_t howmany, ptrdiff_t stride, ptrdiff_t dist, void *work)
{
    if (!plan) return BTTB_EINVAL;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return BTTB_EINVAL;
    if (plan->kind != BTTB_C2C) return BTTB_EKIND;
    if (howmany == 0) return BTTB_OK;
    if (!data) return BTTB_EINVAL;
    if (plan->work && !work) return BTTB_EINVAL;
    if (!offsets_fit(plan->n, stride, howmany, dist, bttb_complex_size(plan->prec)))
        return BTTB_EOVERFLOW;
    if ((stride == 0 && plan->n > 1) || (dist == 0 && howmany > 1)) return BTTB_EINVAL;
    (stride == 1 || plan->n == 1 ? plan->ops : plan->cops)->c2c_many(plan, data, direction == BTTB_BACKWARD, scale, howmany, stride, dist, work,
                        BTTB_COLS_ALL);
    return BTTB_OK;
}

/* 1 if pc (columns, n1 >= 2) and pr (rows: a power-of-two c2c plan, a real plan of even length
 * on a power-of-two c2c plan, or NULL: rows copied) can run the fused 2-D row pass.  The two
 * plans may have kernels of different instruction sets (bttb_select_ops): every ISA's kernels
 * give the same bits, and the fused pass runs with the row plan's. */
static int fused2d_ok(const bttb_plan *pr, const bttb_plan *pc)
{
    if (!pc || pc->kind != BTTB_C2C || pc->algo != BTTB_ALGO_POW2 || pc->n < 2) return 0;
    if (!pr) return 1;
    if (pr->prec != pc->prec) return 0;
    if (pr->kind == BTTB_R2C)
        return pr->algo == BTTB_ALGO_REAL_EVEN && pr->sub->algo == BTTB_ALGO_POW2 && !pr->work;
    return pr->kind == BTTB_C2C && pr->algo == BTTB_ALGO_POW2;
}

/* Output row length of the fused row pass for input rows of n2 elements. */
static size_t fused2d_width(const bttb_plan *pr, size_t n2)
{
    return pr && pr->kind == BTTB_R2C ? n2 / 2 + 1 : n2;
}

/* Scratch for streaming the groups of pc's first pass (output rows of n2 elements): two groups,
 * one built while the other is streamed out; 0 below BTTB_STREAM_MIN or when a size does not
 * fit. */
static size_t fused2d_work_size(const bttb_plan *pc, size_t n2)
{
    size_t elem = bttb_complex_size(pc->prec), total, rows;
    if (!bttb_mul_size(pc->n, n2, &total) && !bttb_mul_size(total, elem, &total) &&
        total < BTTB_STREAM_MIN)
        return 0;
    if (bttb_mul_size(2 * pc->pass[0].radix, n2, &rows) || bttb_mul_size(rows, elem, &rows) ||
        bttb_add_size(rows, BTTB_ALIGN, &rows))
        return 0;
    return rows;
}

static bttb_status fused2d_rows(const bttb_plan *pr, const bttb_plan *pc, const void *in,
                                void *out, size_t n2, size_t part, size_t nparts, int direction,
                                double rscale, double cscale, void *work, int single)
{
    size_t G, g0, g1;
    if (!fused2d_ok(pr, pc) || !in || !out || n2 == 0 || nparts == 0 || part >= nparts)
        return BTTB_EINVAL;
    if (single && pr->prec != BTTB_F64) return BTTB_EINVAL;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return BTTB_EINVAL;
    if (!bttb_size_fits_ptrdiff(n2) ||
        !offsets_fit(n2, 1, pc->n, (ptrdiff_t)n2, bttb_complex_size(pc->prec)))
        return BTTB_EOVERFLOW;
    if (fused2d_work_size(pc, fused2d_width(pr, n2)) == 0) work = NULL;
    if (work) work = bttb_align_ptr(work);
    G = pc->n / pc->pass[0].radix;
    g0 = G / nparts * part + G % nparts * part / nparts;
    g1 = G / nparts * (part + 1) + G % nparts * (part + 1) / nparts;
    (pr ? pr->ops : pc->cops)->rows_colfirst(pr, pc, in, out, n2, g0, g1,
                                            direction == BTTB_BACKWARD, rscale, cscale, work,
                                            single);
    return BTTB_OK;
}

size_t bttb_internal_fft2_rows_work_size(const bttb_plan *pr, const bttb_plan *pc)
{
    return pr && fused2d_ok(pr, pc) ? fused2d_work_size(pc, fused2d_width(pr, pr->n)) : 0;
}

bttb_status bttb_internal_fft2_rows(const bttb_plan *pr, const bttb_plan *pc, const void *in,
                                    void *out, size_t part, size_t nparts, int direction,
                                    double rscale, double cscale, void *work)
{
    if (!pr) return BTTB_EINVAL;
    return fused2d_rows(pr, pc, in, out, pr->n, part, nparts, direction, rscale, cscale, work, 0);
}

bttb_status bttb_internal_fft2_rows_single(const bttb_plan *pr, const bttb_plan *pc,
                                           const void *in, void *out, size_t part, size_t nparts,
                                           int direction, double rscale, double cscale, void *work)
{
    if (!pr) return BTTB_EINVAL;
    return fused2d_rows(pr, pc, in, out, pr->n, part, nparts, direction, rscale, cscale, work, 1);
}

size_t bttb_internal_cols_first_work_size(const bttb_plan *pc, size_t width)
{
    return fused2d_ok(NULL, pc) && width ? fused2d_work_size(pc, width) : 0;
}

bttb_status bttb_internal_cols_first(const bttb_plan *pc, const void *in, void *out, size_t width,
                                     size_t part, size_t nparts, int direction, double scale,
                                     void *work)
{
    return fused2d_rows(NULL, pc, in, out, width, part, nparts, direction, 1.0, scale, work, 0);
}

/* The column calls on a power-of-two c2c plan (bttb_internal_cols_rest / _breved): checks, then
 * the column kernels in `mode`. */
static bttb_status cols_call(const bttb_plan *pc, void *data, int direction, double scale,
                             size_t howmany, ptrdiff_t stride, unsigned mode)
{
    if (!pc || pc->kind != BTTB_C2C || pc->algo != BTTB_ALGO_POW2 || pc->n < 2 || !data)
        return BTTB_EINVAL;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return BTTB_EINVAL;
    if (howmany == 0) return BTTB_OK;
    if (stride <= 0 || (size_t)stride < howmany) return BTTB_EINVAL;
    if (!offsets_fit(pc->n, stride, howmany, 1, bttb_complex_size(pc->prec))) return BTTB_EOVERFLOW;
    pc->cops->c2c_many(pc, data, direction == BTTB_BACKWARD, scale, howmany, stride, 1, NULL, mode);
    return BTTB_OK;
}

bttb_status bttb_internal_cols_rest(const bttb_plan *pc, void *data, int direction, double scale,
                                    size_t howmany, ptrdiff_t stride)
{
    return cols_call(pc, data, direction, scale, howmany, stride, BTTB_COLS_REST);
}

bttb_status bttb_internal_cols_breved(const bttb_plan *pc, void *data, int direction,
                                      double scale, size_t howmany, ptrdiff_t stride)
{
    return cols_call(pc, data, direction, scale, howmany, stride, BTTB_COLS_BREVED);
}

bttb_status bttb_internal_cols_dif(const bttb_plan *pc, void *data, int direction, double scale,
                                   size_t howmany, ptrdiff_t stride)
{
    return cols_call(pc, data, direction, scale, howmany, stride, BTTB_COLS_DIF);
}

bttb_status bttb_execute_c2c_batch(const bttb_plan *plan, const void *in, void *out, int direction,
                                   double scale, size_t howmany, ptrdiff_t idist, ptrdiff_t odist,
                                   void *work)
{
    size_t elem;
    if (!plan) return BTTB_EINVAL;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return BTTB_EINVAL;
    if (plan->kind != BTTB_C2C) return BTTB_EKIND;
    if (howmany == 0) return BTTB_OK;
    if (!in || !out) return BTTB_EINVAL;
    if (plan->work && !work) return BTTB_EINVAL;
    elem = bttb_complex_size(plan->prec);
    if (!offsets_fit(plan->n, 1, howmany, idist, elem) || !offsets_fit(plan->n, 1, howmany, odist, elem))
        return BTTB_EOVERFLOW;
    if (in == out && idist != odist) return BTTB_EINVAL;
    plan->ops->c2c_batch(plan, in, out, direction == BTTB_BACKWARD, scale, howmany, idist, odist,
                         work);
    return BTTB_OK;
}

bttb_status bttb_execute_r2c(const bttb_plan *plan, const void *in, void *out, double scale,
                             void *work)
{
    if (!plan || !in || !out) return BTTB_EINVAL;
    if (plan->kind != BTTB_R2C) return BTTB_EKIND;
    if (plan->work && !work) return BTTB_EINVAL;
    plan->ops->r2c(plan, in, out, scale, work, NULL);
    return BTTB_OK;
}

bttb_status bttb_execute_c2r(const bttb_plan *plan, const void *in, void *out, double scale,
                             void *work)
{
    if (!plan || !in || !out) return BTTB_EINVAL;
    if (plan->kind != BTTB_R2C) return BTTB_EKIND;
    if (plan->work && !work) return BTTB_EINVAL;
    plan->ops->c2r(plan, in, out, scale, work, NULL);
    return BTTB_OK;
}

static bttb_status real_many(const bttb_plan *plan, const void *in, void *out, double scale,
                             size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work, int c2r)
{
    size_t t, rs = plan ? (plan->prec == BTTB_F32 ? sizeof(float) : sizeof(double)) : 0;
    size_t nr, nc;
    if (!plan) return BTTB_EINVAL;
    if (plan->kind != BTTB_R2C) return BTTB_EKIND;
    if (howmany == 0) return BTTB_OK;
    if (!in || !out) return BTTB_EINVAL;
    if (plan->work && !work) return BTTB_EINVAL;
    nr = plan->n;
    nc = plan->n / 2 + 1;
    if (!offsets_fit(c2r ? nc : nr, 1, howmany, idist, c2r ? 2 * rs : rs) ||
        !offsets_fit(c2r ? nr : nc, 1, howmany, odist, c2r ? rs : 2 * rs))
        return BTTB_EOVERFLOW;
    {
        /* byte distances between rows.  r2c rows from DRAM: the next row's input and output
         * are prefetched while one row is transformed in cache (as bttb_execute_c2c_batch): the
         * first pass reads its input in bit-reversed order, which the hardware prefetcher does
         * not follow (2048 rows of 2048: 17.6 -> 14.7 ms).  c2r reads its input sequentially
         * first: no gain measured there, so no prefetch.  Nor in place: such batches (the
         * convolver's tiles) are usually in cache already (the convolver measured 0.97-1.04x
         * with the prefetch, interleaved in one process: no gain). */
        ptrdiff_t ib = idist * (ptrdiff_t)(c2r ? 2 * rs : rs), ob = odist * (ptrdiff_t)(c2r ? rs : 2 * rs);
        size_t rowb = nr * rs;
        int ahead = !c2r && in != out && plan->sub && plan->sub->algo == BTTB_ALGO_POW2 &&
                    bttb_ahead_worth(rowb, howmany);
        for (t = 0; t < howmany; t++) {
            const unsigned char *i = (const unsigned char *)in + (ptrdiff_t)t * ib;
            unsigned char *o = (unsigned char *)out + (ptrdiff_t)t * ob;
            bttb_ahead ah, *pa = NULL;
            if (ahead && t + 1 < howmany) {
                ah = bttb_ahead_prefetch((const char *)(i + ib), (char *)(o + ob), rowb);
                pa = &ah;
            }
            if (c2r) plan->ops->c2r(plan, i, o, scale, work, pa);
            else plan->ops->r2c(plan, i, o, scale, work, pa);
        }
    }
    return BTTB_OK;
}

bttb_status bttb_execute_r2c_many(const bttb_plan *plan, const void *in, void *out, double scale,
                                  size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work)
{
    return real_many(plan, in, out, scale, howmany, idist, odist, work, 0);
}

bttb_status bttb_execute_c2r_many(const bttb_plan *plan, const void *in, void *out, double scale,
                                  size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work)
{
    return real_many(plan, in, out, scale, howmany, idist, odist, work, 1);
}

/* ============================================================================================ */
/* Single-precision rows computed in double precision (bttb_internal.h)                        */
/* ============================================================================================ */
/* Layout of the work of bttb_internal_rows_single: the widened input row (*na doubles, *a bytes
 * rounded up to BTTB_ALIGN), then the double result row (*nb doubles, *b bytes), then the plan's
 * own work; returns the total bytes with the slack for aligning the start, or 0 if the plan or
 * direction does not fit or a size overflows. */
static size_t single_rows_layout(const bttb_plan *p, int direction, size_t *na, size_t *nb,
                                 size_t *a, size_t *b)
{
    size_t n, c, w, total;
    if (!p || p->prec != BTTB_F64) return 0;
    if (direction != BTTB_FORWARD && direction != BTTB_BACKWARD) return 0;
    n = p->n;
    if (p->kind == BTTB_C2C) {
        if (bttb_mul_size(n, 2, &c)) return 0;
        *na = *nb = c;
    } else {
        if (p->kind != BTTB_R2C || bttb_mul_size(n / 2 + 1, 2, &c)) return 0;
        *na = direction == BTTB_FORWARD ? n : c;
        *nb = direction == BTTB_FORWARD ? c : n;
    }
    if (bttb_mul_size(*na, sizeof(double), a) || bttb_round_up_size(*a, BTTB_ALIGN, a) ||
        bttb_mul_size(*nb, sizeof(double), b) || bttb_round_up_size(*b, BTTB_ALIGN, b) ||
        bttb_round_up_size(p->work, BTTB_ALIGN, &w) || bttb_add_size(*a, *b, &total) ||
        bttb_add_size(total, w, &total) || bttb_add_size(total, BTTB_ALIGN, &total))
        return 0;
    return total;
}

size_t bttb_internal_rows_single_work_size(const bttb_plan *plan, int direction)
{
    size_t na, nb, a, b;
    return single_rows_layout(plan, direction, &na, &nb, &a, &b);
}

bttb_status bttb_internal_rows_single(const bttb_plan *plan, const float *in, float *out,
                                      size_t howmany, ptrdiff_t idist, ptrdiff_t odist,
                                      int direction, double scale, void *work)
{
    size_t na = 0, nb = 0, a = 0, b = 0, t, k;
    double *A, *B;
    void *pw;
    if (!plan || plan->prec != BTTB_F64 || (plan->kind != BTTB_C2C && plan->kind != BTTB_R2C) ||
        (direction != BTTB_FORWARD && direction != BTTB_BACKWARD))
        return BTTB_EINVAL;
    if (howmany == 0) return BTTB_OK;
    if (!in || !out || !work) return BTTB_EINVAL;
    if (single_rows_layout(plan, direction, &na, &nb, &a, &b) == 0 ||
        !offsets_fit(na, 1, howmany, idist, sizeof(float)) ||
        !offsets_fit(nb, 1, howmany, odist, sizeof(float)))
        return BTTB_EOVERFLOW;
    A = (double *)bttb_align_ptr(work);
    B = (double *)((unsigned char *)A + a);
    pw = plan->work ? (void *)((unsigned char *)B + b) : NULL;
    for (t = 0; t < howmany; t++) {
        const float *restrict src = in + (ptrdiff_t)t * idist;
        float *restrict dst = out + (ptrdiff_t)t * odist;
        double *restrict wa = A;
        const double *restrict wb = B;
        for (k = 0; k < na; k++) wa[k] = (double)src[k];
        if (plan->kind == BTTB_C2C)
            plan->ops->c2c(plan, A, B, direction == BTTB_BACKWARD, scale, pw);
        else if (direction == BTTB_FORWARD)
            plan->ops->r2c(plan, A, B, scale, pw, NULL);
        else
            plan->ops->c2r(plan, A, B, scale, pw, NULL);
        /* rounded once, to nearest (IEEE 754 conversion; out of float's range gives inf) */
        for (k = 0; k < nb; k++) dst[k] = (float)wb[k];
    }
    return BTTB_OK;
}

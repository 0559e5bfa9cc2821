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
 * Per tile: load the v1-u1 segment rows (zero-padded to N2), forward row transforms of those rows
 * only (r2c for real data, in place in a row of N2/2+1 complex), zero the remaining rows' spectra,
 * forward column transforms (bttb_execute_c2c_many, dist = 1), multiply by the kernel spectrum
 * (computed once in the plan, pre-scaled by 1/(N1*N2)), inverse column transforms, inverse row
 * transforms of the c1 rows inside the window only (c2r for real data), copy the window columns.
 * Problems of shape (m1, 1) with (k1, 1) kernels are treated as one row (same memory layout).
 */
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

#define CONV_ALIGN ((size_t)BTTB_ALIGN)

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
    size_t n[2];                /* tile FFT sizes N1, N2 (powers of two)                      */
    size_t blk[2];              /* outputs per tile along each axis (last tile may be short)  */
    size_t nt[2];               /* number of tiles per axis                                   */
    size_t rowc;                /* complex numbers per buffer row: N2/2+1 (real) or N2        */
    size_t rowbytes;            /* rowc * csize                                               */
    size_t buf_bytes;           /* N1 * rowbytes                                              */
    size_t fw_offset;           /* FFT scratch offset in the aligned work: round_up(buf_bytes) */
    bttb_plan *rowplan;         /* R2C or C2C of length N2                                    */
    bttb_plan *colplan;         /* C2C of length N1, NULL when N1 == 1                        */
    void *spec;                 /* kernel spectrum, N1 x rowc complex, scaled by 1/(N1*N2)   */
    size_t work_size;
    size_t memory;
};

/* ---- size helpers (overflow-checked arithmetic comes from bttb_internal.h) ---------------- */
static int round_up_ovf(size_t a, size_t align, size_t *r)
{
    size_t t;
    if (bttb_add_size(a, align - 1, &t))
        return 1;
    *r = t - t % align;
    return 0;
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

static void *align_ptr(void *p)
{
    uintptr_t u = (uintptr_t)p;
    u = (u + (CONV_ALIGN - 1)) & ~(uintptr_t)(CONV_ALIGN - 1);
    return (void *)u;
}

/* ---- cost model ---------------------------------------------------------------------------- */
/* Real flops of one complex radix-2 transform of length n. */
static double cfft_flops(size_t n)
{
    return n <= 1 ? 0.0 : 5.0 * (double)n * (double)bttb_log2_size(n);
}

/* Cost of one N1 x N2 tile (real: rows through r2c/c2r at half price on N2/2+1 columns),
 * with rows_in forward and rows_out inverse row transforms.  Transforms whose data no longer
 * fit in cache run slower per flop: a penalty grows with log2 of the tile size beyond 256 KiB.
 * Fixed per-tile and per-transform-call overheads keep tiles from getting tiny. */
static double conv_tile_cost(int cplx, size_t csize, size_t n1, size_t n2, size_t rows_in,
                             size_t rows_out)
{
    const double rowc = cplx ? (double)n2 : (double)(n2 / 2 + 1);
    const double row = cplx ? cfft_flops(n2) : 0.5 * cfft_flops(n2) + 3.0 * (double)n2;
    double bytes = (double)n1 * rowc * (double)csize;
    double cost = ((double)rows_in + (double)rows_out) * row + 2.0 * rowc * cfft_flops(n1)
                  + 6.0 * (double)n1 * rowc          /* spectrum product                    */
                  + 2.0 * (double)n1 * (double)n2    /* loads, zeroing, stores              */
                  + 4096.0 + 64.0 * ((double)rows_in + (double)rows_out);   /* call overheads */
    double pen = 1.0;
    while (bytes > 262144.0) {
        pen += 0.08;
        bytes *= 0.5;
    }
    return cost * pen;
}

/* Tiling along one axis for FFT size n: block size and number of tiles (n >= k). */
static void conv_axis_tiles(size_t n, size_t nsingle, size_t k, size_t o, size_t *blk, size_t *nt)
{
    if (n >= nsingle) {
        *blk = o;
        *nt = 1;
    } else {
        *blk = n - k + 1;
        *nt = o / *blk + (o % *blk != 0);
    }
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
static void conv_spec_mul(const bttb_conv_plan *p, void *buf, size_t n)
{
    if (p->prec == BTTB_F64)
        conv_spec_mul_d((double *)buf, (const double *)p->spec, n);
    else
        conv_spec_mul_f((float *)buf, (const float *)p->spec, n);
}

/* Load rows [0, nrows) of a segment (each nin2 elements, source rows src_ld elements apart) into
 * the tile buffer, zero-padded, and transform them forward along the rows; zero the spectra of
 * the rows nrows..N1-1; transform the columns forward with `scale`. */
static bttb_status conv_tile_forward(const bttb_conv_plan *p, const char *src, size_t src_ld,
                                     size_t nrows, size_t nin2, char *buf, void *fw, double scale)
{
    const size_t n1 = p->n[0], n2 = p->n[1], es = p->esize, rb = p->rowbytes;
    const int cplx = p->type == BTTB_COMPLEX;
    bttb_status st;
    size_t r;
    double rscale = p->colplan ? 1.0 : scale;

    for (r = 0; r < nrows; r++) {
        char *dst = buf + r * rb;
        memcpy(dst, src + r * src_ld * es, nin2 * es);
        memset(dst + nin2 * es, 0, rb - nin2 * es);
    }
    if (cplx)
        st = bttb_execute_c2c_many(p->rowplan, buf, BTTB_FORWARD, rscale, nrows, 1,
                                   (ptrdiff_t)n2, fw);
    else
        st = bttb_execute_r2c_many(p->rowplan, buf, buf, rscale, nrows,
                                   (ptrdiff_t)(2 * p->rowc), (ptrdiff_t)p->rowc, fw);
    if (st != BTTB_OK)
        return st;
    if (nrows < n1)
        memset(buf + nrows * rb, 0, (n1 - nrows) * rb);
    if (p->colplan) {
        st = bttb_execute_c2c_many(p->colplan, buf, BTTB_FORWARD, scale, p->rowc,
                                   (ptrdiff_t)p->rowc, 1, fw);
        if (st != BTTB_OK)
            return st;
    }
    return BTTB_OK;
}

/* One tile of one image: outputs [a1, a1+c1) x [a2, a2+c2) of the full result. */
static bttb_status conv_tile(const bttb_conv_plan *p, const char *x, char *out, size_t a1,
                             size_t c1, size_t a2, size_t c2, char *buf, void *fw)
{
    const struct conv_geom *g = &p->g;
    const size_t es = p->esize, rb = p->rowbytes;
    const size_t u1 = a1 >= g->k[0] - 1 ? a1 - (g->k[0] - 1) : 0;
    const size_t v1 = min_sz(g->m[0], a1 + c1);
    const size_t u2 = a2 >= g->k[1] - 1 ? a2 - (g->k[1] - 1) : 0;
    const size_t v2 = min_sz(g->m[1], a2 + c2);
    const size_t r0 = a1 - u1, q0 = a2 - u2;
    bttb_status st;
    size_t i;

    st = conv_tile_forward(p, x + (u1 * g->m[1] + u2) * es, g->m[1], v1 - u1, v2 - u2, buf, fw,
                           1.0);
    if (st != BTTB_OK)
        return st;
    conv_spec_mul(p, buf, p->n[0] * p->rowc);
    if (p->colplan) {
        st = bttb_execute_c2c_many(p->colplan, buf, BTTB_BACKWARD, 1.0, p->rowc,
                                   (ptrdiff_t)p->rowc, 1, fw);
        if (st != BTTB_OK)
            return st;
    }
    if (p->type == BTTB_COMPLEX)
        st = bttb_execute_c2c_many(p->rowplan, buf + r0 * rb, BTTB_BACKWARD, 1.0, c1, 1,
                                   (ptrdiff_t)p->n[1], fw);
    else
        st = bttb_execute_c2r_many(p->rowplan, buf + r0 * rb, buf + r0 * rb, 1.0, c1,
                                   (ptrdiff_t)p->rowc, (ptrdiff_t)(2 * p->rowc), fw);
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
            size_t b1, t1, b2, t2;
            double c;
            conv_axis_tiles(n1, nsingle[0], g->k[0], g->o[0], &b1, &t1);
            conv_axis_tiles(n2, nsingle[1], g->k[1], g->o[1], &b2, &t2);
            c = (double)t1 * (double)t2
                * conv_tile_cost(cplx, p->csize, n1, n2,
                                 min_sz(min_sz(n1, g->m[0]), b1 + g->k[0] - 1), b1);
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
    conv_axis_tiles(best1, nsingle[0], g->k[0], g->o[0], &p->blk[0], &p->nt[0]);
    conv_axis_tiles(best2, nsingle[1], g->k[1], g->o[1], &p->blk[1], &p->nt[1]);
    if (cost_out)
        *cost_out = best;
    return BTTB_OK;
}

/* Create the FFT plans, size the work buffer and compute the kernel spectrum. */
static bttb_status conv_plan_fft(bttb_conv_plan *p, const void *kernel)
{
    const struct conv_geom *g = &p->g;
    const int cplx = p->type == BTTB_COMPLEX;
    size_t fw_bytes, t, spec_bytes, mem;
    void *work;
    bttb_status st;

    if (p->n[1] > PTRDIFF_MAX / 2 || p->n[0] > PTRDIFF_MAX)
        return BTTB_EOVERFLOW;
    p->rowc = cplx ? p->n[1] : p->n[1] / 2 + 1;
    if (bttb_mul_size(p->rowc, p->csize, &p->rowbytes) || bttb_mul_size(p->n[0], p->rowbytes, &p->buf_bytes)
        || bttb_mul_size(p->n[0], p->rowc, &t) || t > PTRDIFF_MAX)
        return BTTB_EOVERFLOW;
    spec_bytes = p->buf_bytes;

    st = bttb_plan_create(&p->rowplan, cplx ? BTTB_C2C : BTTB_R2C, p->n[1], p->prec, 0);
    if (st != BTTB_OK)
        return st;
    if (p->n[0] > 1) {
        st = bttb_plan_create(&p->colplan, BTTB_C2C, p->n[0], p->prec, 0);
        if (st != BTTB_OK)
            return st;
    }
    fw_bytes = bttb_plan_work_size(p->rowplan);
    if (p->colplan)
        fw_bytes = max_sz(fw_bytes, bttb_plan_work_size(p->colplan));
    /* work = [align slack][tile buffer, rounded to CONV_ALIGN][FFT scratch] */
    if (round_up_ovf(p->buf_bytes, CONV_ALIGN, &p->fw_offset)
        || bttb_add_size(p->fw_offset, CONV_ALIGN, &t)
        || bttb_add_size(t, fw_bytes, &p->work_size))
        return BTTB_EOVERFLOW;

    p->spec = bttb_aligned_alloc(spec_bytes);
    if (p->spec == NULL)
        return BTTB_ENOMEM;
    mem = sizeof *p;
    if (bttb_add_size(mem, spec_bytes, &mem)
        || bttb_add_size(mem, bttb_plan_memory(p->rowplan), &mem)
        || (p->colplan && bttb_add_size(mem, bttb_plan_memory(p->colplan), &mem)))
        mem = SIZE_MAX;
    p->memory = mem;

    /* kernel spectrum: the kernel at the origin of an N1 x N2 tile, scaled by 1/(N1*N2) */
    work = malloc(p->work_size);
    if (work == NULL)
        return BTTB_ENOMEM;
    {
        char *buf = (char *)align_ptr(work);
        char *fw = buf + p->fw_offset;
        double scale = 1.0 / ((double)p->n[0] * (double)p->n[1]);
        st = conv_tile_forward(p, (const char *)kernel, g->k[1], g->k[0], g->k[1], buf,
                               fw_bytes ? (void *)fw : NULL, scale);
        if (st == BTTB_OK)
            memcpy(p->spec, buf, spec_bytes);
    }
    free(work);
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
        /* measured (x86-64, SSE2 build): one real multiply-add of the direct loop costs about
         * as much as 5 units of the FFT cost model, a complex one about 12 */
        double fft_cost = 0.0;
        double direct = conv_direct_macs(&g) * (type == BTTB_COMPLEX ? 12.0 : 5.0);
        st = conv_choose_tiles(p, NULL, &fft_cost);
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
    bttb_plan_destroy(plan->rowplan);
    bttb_plan_destroy(plan->colplan);
    bttb_aligned_free(plan->spec);
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

static void conv_direct_one(const bttb_conv_plan *p, const void *x, void *out)
{
    if (p->prec == BTTB_F64) {
        if (p->type == BTTB_COMPLEX)
            conv_direct_d_cplx(&p->g, (const double *)p->kernel, (const double *)x,
                               (double *)out);
        else
            conv_direct_d_real(&p->g, (const double *)p->kernel, (const double *)x,
                               (double *)out);
    } else {
        if (p->type == BTTB_COMPLEX)
            conv_direct_f_cplx(&p->g, (const float *)p->kernel, (const float *)x, (float *)out);
        else
            conv_direct_f_real(&p->g, (const float *)p->kernel, (const float *)x, (float *)out);
    }
}

bttb_status bttb_conv_execute(const bttb_conv_plan *plan, const void *in, void *out,
                              size_t howmany, void *work)
{
    const bttb_conv_plan *p = plan;
    size_t b, t1, t2, ib, ob;
    char *buf, *fw;

    if (p == NULL)
        return BTTB_EINVAL;
    if (howmany == 0)
        return BTTB_OK;
    if (in == NULL || out == NULL || (work == NULL && p->work_size != 0))
        return BTTB_EINVAL;
    if (bttb_mul_size(p->in_elems, p->esize, &ib) || bttb_mul_size(p->out_elems, p->esize, &ob)
        || bttb_mul_size(howmany, ib, &b) || bttb_mul_size(howmany, ob, &b))
        return BTTB_EOVERFLOW;

    if (p->method == BTTB_CONV_DIRECT) {
        for (b = 0; b < howmany; b++)
            conv_direct_one(p, (const char *)in + b * ib, (char *)out + b * ob);
        return BTTB_OK;
    }
    buf = (char *)align_ptr(work);
    fw = buf + p->fw_offset;
    for (b = 0; b < howmany; b++) {
        const char *x = (const char *)in + b * ib;
        char *o = (char *)out + b * ob;
        for (t1 = 0; t1 < p->nt[0]; t1++) {
            const size_t a1 = p->g.s[0] + t1 * p->blk[0];
            const size_t c1 = min_sz(p->blk[0], p->g.s[0] + p->g.o[0] - a1);
            for (t2 = 0; t2 < p->nt[1]; t2++) {
                const size_t a2 = p->g.s[1] + t2 * p->blk[1];
                const size_t c2 = min_sz(p->blk[1], p->g.s[1] + p->g.o[1] - a2);
                bttb_status st = conv_tile(p, x, o, a1, c1, a2, c2, buf, fw);
                if (st != BTTB_OK)
                    return st;
            }
        }
    }
    return BTTB_OK;
}

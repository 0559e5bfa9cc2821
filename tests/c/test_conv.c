/*
 * test_conv.c -- the convolver (bttb_conv_*) against a naive direct convolution in long double.
 *
 * Every method (direct, FFT with automatic tiling, FFT with forced overlap-save tiles, auto) x
 * precision x real/complex, on 1-D rows, 1xN and Nx1 problems, kernels larger than the image,
 * windows 'full', 'same', 'valid' and arbitrary ones, batches; plus the error codes and the memory
 * bound of a large 'same' convolution.  Prints "N passed, N failed"; exit status 1 on failure.
 */
#include "bttbfft.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_pass = 0, n_fail = 0;

#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (cond) {                                                                              \
            n_pass++;                                                                            \
        } else {                                                                                 \
            n_fail++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                          \
            printf(__VA_ARGS__);                                                                 \
            printf("\n");                                                                        \
        }                                                                                        \
    } while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double urand(void)   /* uniform in [-1, 1) */
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

/* Values stored as doubles (re, im interleaved when complex); converted to the tested type. */
static void *to_type(const double *v, size_t count, bttb_precision prec, int cplx)
{
    size_t n = count * (cplx ? 2 : 1), i;
    if (prec == BTTB_F64) {
        double *d = (double *)malloc(n * sizeof *d + 1);
        for (i = 0; i < n; i++)
            d[i] = v[i];
        return d;
    } else {
        float *f = (float *)malloc(n * sizeof *f + 1);
        for (i = 0; i < n; i++)
            f[i] = (float)v[i];
        return f;
    }
}

static double get(const void *a, size_t i, bttb_precision prec)
{
    return prec == BTTB_F64 ? ((const double *)a)[i] : (double)((const float *)a)[i];
}

struct problem {
    size_t m[2], k[2], s[2], o[2], howmany;
};

/* Run one configuration and compare with the long-double reference.  tile may be NULL. */
static void run_case(const struct problem *pr, bttb_precision prec, int cplx,
                     bttb_conv_method method, const size_t *tile, const char *label)
{
    const size_t m1 = pr->m[0], m2 = pr->m[1], k1 = pr->k[0], k2 = pr->k[1];
    const size_t s1 = pr->s[0], s2 = pr->s[1], o1 = pr->o[0], o2 = pr->o[1], hm = pr->howmany;
    const size_t es = cplx ? 2 : 1;
    const size_t nx = hm * m1 * m2, nh = k1 * k2, no = hm * o1 * o2;
    double *xv = (double *)malloc(nx * es * sizeof(double));
    double *hv = (double *)malloc(nh * es * sizeof(double));
    void *x, *h, *x_copy, *out, *work = NULL;
    bttb_conv_plan *plan = NULL;
    bttb_status st;
    size_t i, b, i1, i2, j1, j2, wsize;
    double max_err = 0.0, max_bound = 0.0, tol;
    size_t xbytes;

    for (i = 0; i < nx * es; i++)
        xv[i] = urand();
    for (i = 0; i < nh * es; i++)
        hv[i] = urand();
    x = to_type(xv, nx, prec, cplx);
    h = to_type(hv, nh, prec, cplx);
    xbytes = nx * es * (prec == BTTB_F64 ? sizeof(double) : sizeof(float));
    x_copy = malloc(xbytes + 1);
    memcpy(x_copy, x, xbytes);
    out = malloc(no * es * (prec == BTTB_F64 ? sizeof(double) : sizeof(float)) + 1);

    st = bttb_conv_plan_create(&plan, prec, cplx ? BTTB_COMPLEX : BTTB_REAL, h, pr->k, pr->m,
                               pr->s, pr->o, method, tile);
    CHECK(st == BTTB_OK, "%s: plan_create returned %d (%s)", label, (int)st, bttb_strerror(st));
    if (st != BTTB_OK)
        goto done;
    wsize = bttb_conv_plan_work_size(plan);
    if (wsize) {
        work = malloc(wsize);
        memset(work, 0xff, wsize);   /* garbage (NaN patterns) must not leak into results */
    }
    st = bttb_conv_execute(plan, x, out, hm, work);
    CHECK(st == BTTB_OK, "%s: execute returned %d", label, (int)st);
    CHECK(memcmp(x, x_copy, xbytes) == 0, "%s: input modified", label);

    for (b = 0; b < hm; b++) {
        const double *xb = xv + b * m1 * m2 * es;
        for (i1 = 0; i1 < o1; i1++) {
            for (i2 = 0; i2 < o2; i2++) {
                long double re = 0, im = 0, bound = 0;
                size_t a1 = s1 + i1, a2 = s2 + i2;
                size_t oi = (b * o1 * o2 + i1 * o2 + i2) * es;
                double er, ei, err;
                for (j1 = 0; j1 < m1; j1++) {
                    if (a1 < j1 || a1 - j1 >= k1)
                        continue;
                    for (j2 = 0; j2 < m2; j2++) {
                        size_t xi, hi;
                        if (a2 < j2 || a2 - j2 >= k2)
                            continue;
                        xi = (j1 * m2 + j2) * es;
                        hi = ((a1 - j1) * k2 + (a2 - j2)) * es;
                        if (cplx) {
                            long double xr = xb[xi], xim = xb[xi + 1], hr = hv[hi],
                                        him = hv[hi + 1];
                            re += xr * hr - xim * him;
                            im += xr * him + xim * hr;
                            bound += sqrtl((xr * xr + xim * xim) * (hr * hr + him * him));
                        } else {
                            re += (long double)xb[xi] * hv[hi];
                            bound += fabsl((long double)xb[xi] * hv[hi]);
                        }
                    }
                }
                er = get(out, oi, prec) - (double)re;
                ei = cplx ? get(out, oi + 1, prec) - (double)im : 0.0;
                err = sqrt(er * er + ei * ei);
                if (!(err <= max_err))   /* also catches NaN */
                    max_err = err != err ? INFINITY : err;
                if ((double)bound > max_bound)
                    max_bound = (double)bound;
            }
        }
    }
    tol = prec == BTTB_F64 ? 1e-13 : 3e-6;
    {
        size_t fs[2], nt[2];
        bttb_conv_plan_tiles(plan, fs, nt);
        tol *= 4.0 + log2((double)(fs[0] + 1) * (double)(fs[1] + 1));
        CHECK(max_err <= tol * (max_bound > 1e-300 ? max_bound : 1.0),
              "%s: m=(%zu,%zu) k=(%zu,%zu) s=(%zu,%zu) o=(%zu,%zu) hm=%zu %s %s method=%d "
              "fft=(%zu,%zu) tiles=(%zu,%zu): max err %.3g, bound %.3g",
              label, m1, m2, k1, k2, s1, s2, o1, o2, hm, prec == BTTB_F64 ? "f64" : "f32",
              cplx ? "complex" : "real", (int)bttb_conv_plan_method(plan), fs[0], fs[1], nt[0],
              nt[1], max_err, max_bound);
    }
done:
    bttb_conv_plan_destroy(plan);
    free(work);
    free(out);
    free(x_copy);
    free(x);
    free(h);
    free(xv);
    free(hv);
}

/* All methods, precisions and types for one problem. */
static void run_all(const struct problem *pr, const char *label)
{
    int pi, ci;
    for (pi = 0; pi < 2; pi++) {
        for (ci = 0; ci < 2; ci++) {
            bttb_precision prec = pi ? BTTB_F32 : BTTB_F64;
            size_t tile[2], t1, t2;
            run_case(pr, prec, ci, BTTB_CONV_DIRECT, NULL, label);
            run_case(pr, prec, ci, BTTB_CONV_FFT, NULL, label);
            run_case(pr, prec, ci, BTTB_CONV_AUTO, NULL, label);
            /* forced overlap-save tiles: the smallest legal size and twice that, per axis */
            for (t1 = 0; t1 < 2; t1++) {
                for (t2 = 0; t2 < 2; t2++) {
                    size_t n;
                    bttb_next_pow2(pr->k[0], &n);
                    tile[0] = n << t1;
                    bttb_next_pow2(pr->k[1], &n);
                    tile[1] = n << t2;
                    run_case(pr, prec, ci, BTTB_CONV_FFT, tile, label);
                }
            }
            tile[0] = 0;   /* automatic on one axis only */
            run_case(pr, prec, ci, BTTB_CONV_FFT, tile, label);
        }
    }
}

/* The scipy-style windows of an (m, k) problem per axis. */
static void window(size_t m, size_t k, int kind, size_t *s, size_t *o)
{
    switch (kind) {
    case 0:   /* full */
        *s = 0;
        *o = m + k - 1;
        break;
    case 1:   /* same (scipy.signal.convolve) */
        *s = (k - 1) / 2;
        *o = m;
        break;
    default:   /* valid (scipy: the larger input plays the image) */
        if (m >= k) {
            *s = k - 1;
            *o = m - k + 1;
        } else {
            *s = m - 1;
            *o = k - m + 1;
        }
        break;
    }
}

static void test_numerics(void)
{
    static const size_t shapes[][4] = {
        /* m1, m2, k1, k2 */
        {1, 1, 1, 1},   {1, 17, 1, 5},  {1, 16, 1, 16}, {1, 5, 1, 12},  {1, 40, 1, 3},
        {13, 1, 4, 1},  {9, 1, 3, 2},   {1, 9, 3, 1},   {7, 11, 3, 4},  {12, 9, 5, 5},
        {4, 6, 7, 9},   {3, 3, 8, 2},   {16, 16, 3, 3}, {20, 23, 2, 7}, {33, 5, 6, 1},
        {2, 2, 2, 2},   {5, 30, 1, 1},  {31, 17, 9, 4},
    };
    size_t si, w;
    char label[64];
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        for (w = 0; w < 3; w++) {
            struct problem pr;
            pr.m[0] = shapes[si][0];
            pr.m[1] = shapes[si][1];
            pr.k[0] = shapes[si][2];
            pr.k[1] = shapes[si][3];
            window(pr.m[0], pr.k[0], (int)w, &pr.s[0], &pr.o[0]);
            window(pr.m[1], pr.k[1], (int)w, &pr.s[1], &pr.o[1]);
            pr.howmany = (si % 3 == 1) ? 3 : 1;
            snprintf(label, sizeof label, "shape %zu window %zu", si, w);
            run_all(&pr, label);
        }
    }
    /* random windows */
    for (si = 0; si < 25; si++) {
        struct problem pr;
        int ax;
        for (ax = 0; ax < 2; ax++) {
            size_t full;
            pr.m[ax] = 1 + (size_t)((urand() + 1.0) * 12.0);
            pr.k[ax] = 1 + (size_t)((urand() + 1.0) * 5.0);
            full = pr.m[ax] + pr.k[ax] - 1;
            pr.s[ax] = (size_t)((urand() + 1.0) * 0.5 * (double)full);
            if (pr.s[ax] >= full)
                pr.s[ax] = full - 1;
            pr.o[ax] = 1 + (size_t)((urand() + 1.0) * 0.5 * (double)(full - pr.s[ax] - 1));
            if (pr.s[ax] + pr.o[ax] > full)
                pr.o[ax] = full - pr.s[ax];
        }
        pr.howmany = 1 + si % 2;
        snprintf(label, sizeof label, "random window %zu", si);
        run_all(&pr, label);
    }
    /* a larger one, where automatic tiling uses several tiles */
    {
        struct problem pr = {{150, 90}, {5, 3}, {2, 1}, {150, 90}, 1};
        size_t tile[2] = {16, 8};
        run_case(&pr, BTTB_F64, 0, BTTB_CONV_FFT, NULL, "large auto");
        run_case(&pr, BTTB_F64, 1, BTTB_CONV_FFT, tile, "large tiles");
        run_case(&pr, BTTB_F32, 0, BTTB_CONV_FFT, tile, "large tiles");
        run_case(&pr, BTTB_F32, 1, BTTB_CONV_DIRECT, NULL, "large direct");
    }
    /* tile rows of 8192 elements: over the 32 KiB the forward row pass pads on the stack for
     * f64 and complex f32 (padded rows then go through the tile buffer), at it for real f32 */
    {
        struct problem pr = {{3, 6000}, {2, 2500}, {1, 1249}, {3, 6000}, 1};
        size_t tile[2] = {2, 8192};
        int pi, ci;
        for (pi = 0; pi < 2; pi++)
            for (ci = 0; ci < 2; ci++)
                run_case(&pr, pi ? BTTB_F32 : BTTB_F64, ci, BTTB_CONV_FFT, tile, "8192-wide tiles");
    }
}

static void test_errors(void)
{
    double h[4] = {1, 2, 3, 4}, x[4] = {0}, out[16];
    size_t k[2] = {2, 2}, m[2] = {2, 2}, s[2] = {0, 0}, o[2] = {3, 3};
    size_t zero[2] = {0, 2}, big[2] = {(size_t)-1, 2}, bad_o[2] = {4, 3}, bad_s[2] = {1, 0};
    size_t huge_s[2] = {(size_t)-1, 0};
    size_t tile_np2[2] = {3, 0}, tile_small[2] = {1, 0};
    bttb_conv_plan *plan = (bttb_conv_plan *)&plan;   /* must be reset to NULL on failure */
    bttb_status st;

    CHECK(bttb_conv_plan_create(NULL, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_FFT, NULL)
              == BTTB_EINVAL, "NULL plan pointer");
    st = bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, NULL, k, m, s, o, BTTB_CONV_FFT, NULL);
    CHECK(st == BTTB_EINVAL && plan == NULL, "NULL kernel: %d", (int)st);
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, NULL, m, s, o, BTTB_CONV_FFT, NULL)
              == BTTB_EINVAL, "NULL kshape");
    CHECK(bttb_conv_plan_create(&plan, (bttb_precision)7, BTTB_REAL, h, k, m, s, o,
                                BTTB_CONV_FFT, NULL) == BTTB_EINVAL, "bad precision");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, (bttb_conv_type)5, h, k, m, s, o, BTTB_CONV_FFT,
                                NULL) == BTTB_EINVAL, "bad type");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, (bttb_conv_method)9,
                                NULL) == BTTB_EINVAL, "bad method");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, zero, m, s, o, BTTB_CONV_FFT, NULL)
              == BTTB_ESIZE, "zero kernel size");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, zero, s, o, BTTB_CONV_FFT, NULL)
              == BTTB_ESIZE, "zero image size");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, zero, BTTB_CONV_DIRECT,
                                NULL) == BTTB_ESIZE, "zero output size");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, bad_o, BTTB_CONV_FFT,
                                NULL) == BTTB_ESHAPE, "window too large");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, bad_s, o, BTTB_CONV_DIRECT,
                                NULL) == BTTB_ESHAPE, "window shifted out");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, huge_s, o, BTTB_CONV_FFT,
                                NULL) == BTTB_ESHAPE, "start + out overflows");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, big, s, o, BTTB_CONV_FFT, NULL)
              == BTTB_EOVERFLOW, "m + k - 1 overflows");
    {
        size_t bm[2] = {(size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4)};
        size_t bo[2] = {1, 1};
        CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, bm, s, bo,
                                    BTTB_CONV_DIRECT, NULL) == BTTB_EOVERFLOW,
              "m1 * m2 overflows");
    }
    {
        size_t bm[2] = {2, (size_t)1 << (sizeof(size_t) * 8 - 2)}, bo[2] = {1, 1};
        size_t ss[2] = {0, 0}, bt[2] = {0, (size_t)1 << (sizeof(size_t) * 8 - 2)};
        st = bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, bm, ss, bo, BTTB_CONV_FFT,
                                   bt);
        CHECK(st == BTTB_EOVERFLOW || st == BTTB_ENOMEM, "huge FFT tile: %d", (int)st);
        bttb_conv_plan_destroy(plan);
    }
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_FFT,
                                tile_np2) == BTTB_ESIZE, "tile not a power of two");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_FFT,
                                tile_small) == BTTB_ESIZE, "tile smaller than the kernel");
    /* AUTO checks a given tile whatever it chooses (the direct path for this small problem) */
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_AUTO,
                                tile_np2) == BTTB_ESIZE && plan == NULL,
          "AUTO: tile not a power of two");
    CHECK(bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_AUTO,
                                tile_small) == BTTB_ESIZE && plan == NULL,
          "AUTO: tile smaller than the kernel");
    bttb_conv_plan_destroy(NULL);

    st = bttb_conv_plan_create(&plan, BTTB_F64, BTTB_REAL, h, k, m, s, o, BTTB_CONV_FFT, NULL);
    CHECK(st == BTTB_OK, "valid plan: %d", (int)st);
    if (st == BTTB_OK) {
        size_t ws = bttb_conv_plan_work_size(plan);
        void *work = malloc(ws + 1);
        CHECK(bttb_conv_plan_method(plan) == BTTB_CONV_FFT, "method query");
        CHECK(bttb_conv_plan_memory(plan) > 0, "memory query");
        CHECK(bttb_conv_execute(NULL, x, out, 1, work) == BTTB_EINVAL, "execute NULL plan");
        CHECK(bttb_conv_execute(plan, NULL, out, 1, work) == BTTB_EINVAL, "execute NULL in");
        CHECK(bttb_conv_execute(plan, x, NULL, 1, work) == BTTB_EINVAL, "execute NULL out");
        CHECK(ws == 0 || bttb_conv_execute(plan, x, out, 1, NULL) == BTTB_EINVAL,
              "execute NULL work");
        CHECK(bttb_conv_execute(plan, x, out, (size_t)-1 / 2, work) == BTTB_EOVERFLOW,
              "howmany overflow");
        CHECK(bttb_conv_execute(plan, NULL, NULL, 0, NULL) == BTTB_OK, "howmany 0");
        free(work);
        bttb_conv_plan_destroy(plan);
    }
}

/* A 2048^2 'same' convolution with a 15x15 kernel must not hold a padded 4096^2 copy: plan
 * memory + work stay under 3x the output size, and the plan uses overlap-save tiles. */
static void test_memory(void)
{
    static double h[15 * 15];
    size_t k[2] = {15, 15}, m[2] = {2048, 2048}, s[2] = {7, 7}, o[2] = {2048, 2048};
    size_t fs[2], nt[2];
    int pi;
    for (pi = 0; pi < 2; pi++) {
        bttb_conv_plan *plan = NULL;
        bttb_precision prec = pi ? BTTB_F32 : BTTB_F64;
        size_t out_bytes = 2048u * 2048u * (pi ? sizeof(float) : sizeof(double)), extra;
        bttb_status st = bttb_conv_plan_create(&plan, prec, BTTB_REAL, h, k, m, s, o,
                                               BTTB_CONV_FFT, NULL);
        CHECK(st == BTTB_OK, "2048^2 plan: %d", (int)st);
        if (st != BTTB_OK)
            continue;
        bttb_conv_plan_tiles(plan, fs, nt);
        extra = bttb_conv_plan_memory(plan) + bttb_conv_plan_work_size(plan);
        CHECK(extra < 3 * out_bytes && nt[0] > 1 && nt[1] > 1 && fs[0] < 4096,
              "2048^2 same 15x15: tiles %zux%zu of %zux%zu, extra %zu bytes", nt[0], nt[1],
              fs[0], fs[1], extra);
        printf("  2048^2 'same' 15x15 %s: FFT tiles %zux%zu (%zu x %zu tiles), plan %zu B, "
               "work %zu B\n", pi ? "f32" : "f64", fs[0], fs[1], nt[0], nt[1],
               bttb_conv_plan_memory(plan), bttb_conv_plan_work_size(plan));
        bttb_conv_plan_destroy(plan);
    }
}

int main(void)
{
    test_errors();
    test_memory();
    test_numerics();
    printf("test_conv: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}

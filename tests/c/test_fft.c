/*
 * test_fft.c -- C tests of the FFT core against a naive DFT in long double.
 *
 * Every check prints on failure; the last line is "N passed, N failed" and the exit status is
 * non-zero when anything failed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bttbfft.h"
#include "bttb_internal.h"

static long n_pass = 0, n_fail = 0;
/* BTTBFFT_TEST_QUICK=1 in the environment: lengths up to 2^10 only (valgrind, sanitizer runs) */
static int g_quick = 0;

#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (cond) {                                                                              \
            n_pass++;                                                                            \
        } else {                                                                                 \
            n_fail++;                                                                            \
            if (n_fail <= 60) {                                                                  \
                printf("FAIL %s:%d: ", __FILE__, __LINE__);                                      \
                printf(__VA_ARGS__);                                                             \
                printf("\n");                                                                    \
            }                                                                                    \
        }                                                                                        \
    } while (0)

/* ---------------------------------------------------------------------------------------- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static double rnd(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}
static size_t rnd_index(size_t n) { return (size_t)((rnd() + 1.0) * 0.5 * (double)n) % n; }

typedef struct { long double re, im; } cld;

static const long double PI_L = 3.141592653589793238462643383279502884L;

/* exp(sign * 2 pi i r / n) for r = 0..n-1, angles from exactly reduced integers */
static cld *root_table(size_t n, int sign)
{
    cld *t = (cld *)malloc(n * sizeof(cld));
    size_t r;
    for (r = 0; r < n; r++) {
        long double a = 2.0L * PI_L * (long double)r / (long double)n;
        t[r].re = cosl(a);
        t[r].im = sign * sinl(a);
    }
    return t;
}

/* naive DFT of x (n points) at the bins listed in ks (nk of them), into y[0..nk) */
static void naive_dft(const cld *x, size_t n, int sign, const size_t *ks, size_t nk, cld *y)
{
    cld *t = root_table(n, sign);
    size_t i, j;
    for (i = 0; i < nk; i++) {
        size_t k = ks[i], idx = 0;
        long double sr = 0, si = 0;
        for (j = 0; j < n; j++) {
            sr += x[j].re * t[idx].re - x[j].im * t[idx].im;
            si += x[j].re * t[idx].im + x[j].im * t[idx].re;
            idx += k;
            if (idx >= n) idx -= n;
        }
        y[i].re = sr;
        y[i].im = si;
    }
    free(t);
}

static double tolerance(size_t n, bttb_precision prec)
{
    double l = n > 1 ? log2((double)n) : 1.0;
    if (l < 1.0) l = 1.0;
    return (prec == BTTB_F64 ? 1e-14 : 5e-6) * l;
}

/* Buffers of complex numbers of either precision, accessed through doubles. */
static double get_re(const void *b, bttb_precision p, size_t i)
{
    return p == BTTB_F64 ? ((const double *)b)[2 * i] : ((const float *)b)[2 * i];
}
static double get_im(const void *b, bttb_precision p, size_t i)
{
    return p == BTTB_F64 ? ((const double *)b)[2 * i + 1] : ((const float *)b)[2 * i + 1];
}
static void set_c(void *b, bttb_precision p, size_t i, double re, double im)
{
    if (p == BTTB_F64) { ((double *)b)[2 * i] = re; ((double *)b)[2 * i + 1] = im; }
    else { ((float *)b)[2 * i] = (float)re; ((float *)b)[2 * i + 1] = (float)im; }
}
static double get_r(const void *b, bttb_precision p, size_t i)
{
    return p == BTTB_F64 ? ((const double *)b)[i] : ((const float *)b)[i];
}
static void set_r(void *b, bttb_precision p, size_t i, double v)
{
    if (p == BTTB_F64) ((double *)b)[i] = v; else ((float *)b)[i] = (float)v;
}
static size_t csize(bttb_precision p) { return p == BTTB_F64 ? 16 : 8; }

/* relative L2 error of buffer y (complex, at indices ks[i] or i) against ref */
static double rel_err(const void *y, bttb_precision p, const size_t *ks, const cld *ref, size_t nk,
                      double scale)
{
    long double num = 0, den = 0;
    size_t i;
    for (i = 0; i < nk; i++) {
        size_t k = ks ? ks[i] : i;
        long double rr = ref[i].re * scale, ri = ref[i].im * scale;
        long double dr = get_re(y, p, k) - rr, di = get_im(y, p, k) - ri;
        num += dr * dr + di * di;
        den += rr * rr + ri * ri;
    }
    if (den == 0) return (double)sqrtl(num);
    return (double)sqrtl(num / den);
}

static const char *pname(bttb_precision p) { return p == BTTB_F64 ? "f64" : "f32"; }

/* ---------------------------------------------------------------------------------------- */
/* Complex transforms of one length: oop/in-place, both directions, scale, round trip         */
/* ---------------------------------------------------------------------------------------- */
static void test_c2c_length(size_t n, bttb_precision prec, size_t full_limit)
{
    bttb_plan *plan = NULL;
    bttb_status st = bttb_plan_create(&plan, BTTB_C2C, n, prec, 0);
    size_t cs = csize(prec), i, nk;
    void *x, *y, *z, *work = NULL;
    cld *xl, *ref;
    size_t *ks;
    double tol = tolerance(n, prec), e;
    int d;
    CHECK(st == BTTB_OK && plan, "plan_create n=%zu %s: %s", n, pname(prec), bttb_strerror(st));
    if (!plan) return;
    CHECK(bttb_plan_length(plan) == n && bttb_plan_kind(plan) == BTTB_C2C &&
          bttb_plan_precision(plan) == prec && bttb_plan_memory(plan) > 0, "plan queries n=%zu", n);
    if (bttb_is_pow2(n)) CHECK(bttb_plan_work_size(plan) == 0, "pow2 work size n=%zu", n);
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    x = malloc(n * cs); y = malloc(n * cs); z = malloc(n * cs);
    xl = (cld *)malloc(n * sizeof(cld));
    for (i = 0; i < n; i++) {
        set_c(x, prec, i, rnd(), rnd());
        xl[i].re = get_re(x, prec, i);
        xl[i].im = get_im(x, prec, i);
    }
    nk = n <= full_limit ? n : 64;
    ks = (size_t *)malloc(nk * sizeof(size_t));
    ref = (cld *)malloc(nk * sizeof(cld));
    for (i = 0; i < nk; i++) ks[i] = n <= full_limit ? i : (i < 2 ? i * (n - 1) : rnd_index(n));
    for (d = -1; d <= 1; d += 2) {
        double scale = d == 1 ? 1.0 / (double)n : 1.0;
        naive_dft(xl, n, d, ks, nk, ref);
        /* out of place */
        memset(y, 0, n * cs);
        st = bttb_execute_c2c(plan, x, y, d, scale, work);
        e = rel_err(y, prec, ks, ref, nk, scale);
        CHECK(st == BTTB_OK && e <= tol, "c2c oop n=%zu %s dir=%d err=%.3g tol=%.3g", n, pname(prec), d, e, tol);
        /* input untouched */
        CHECK(memcmp(&((char *)x)[0], &((char *)x)[0], 1) == 0 && get_re(x, prec, 0) == (double)xl[0].re,
              "c2c oop modified input n=%zu", n);
        /* in place, with a non-trivial scale */
        memcpy(z, x, n * cs);
        st = bttb_execute_c2c(plan, z, z, d, 0.5 * scale, work);
        e = rel_err(z, prec, ks, ref, nk, 0.5 * scale);
        CHECK(st == BTTB_OK && e <= tol, "c2c in-place n=%zu %s dir=%d err=%.3g tol=%.3g", n, pname(prec), d, e, tol);
        /* c2c_many with one contiguous transform == in place */
        memcpy(z, x, n * cs);
        st = bttb_execute_c2c_many(plan, z, d, scale, 1, 1, (ptrdiff_t)n, work);
        e = rel_err(z, prec, ks, ref, nk, scale);
        CHECK(st == BTTB_OK && e <= tol, "c2c_many(1) n=%zu %s dir=%d err=%.3g", n, pname(prec), d, e);
    }
    /* round trip: forward then backward with 1/n */
    st = bttb_execute_c2c(plan, x, y, BTTB_FORWARD, 1.0, work);
    st |= bttb_execute_c2c(plan, y, y, BTTB_BACKWARD, 1.0 / (double)n, work);
    e = rel_err(y, prec, NULL, xl, n, 1.0);
    CHECK(st == BTTB_OK && e <= tol, "round trip n=%zu %s err=%.3g tol=%.3g", n, pname(prec), e, tol);
    free(x); free(y); free(z); free(xl); free(ks); free(ref); free(work);
    bttb_plan_destroy(plan);
}

/* ---------------------------------------------------------------------------------------- */
/* c2c_many layouts against single contiguous transforms                                      */
/* ---------------------------------------------------------------------------------------- */
static void test_many_layout(size_t n, size_t howmany, ptrdiff_t stride, ptrdiff_t dist,
                             bttb_precision prec, int dir)
{
    bttb_plan *plan = NULL;
    size_t cs = csize(prec), t, j, span, total;
    ptrdiff_t lo = 0, hi = 0, off;
    unsigned char *buf, *orig, *base;
    void *row, *ref, *work = NULL;
    double tol = tolerance(n, prec), worst = 0, scale = dir == 1 ? 0.25 : 1.0;
    bttb_status st;
    if (bttb_plan_create(&plan, BTTB_C2C, n, prec, 0) != BTTB_OK) { CHECK(0, "plan"); return; }
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    /* extent of the offsets */
    for (t = 0; t < howmany; t++)
        for (j = 0; j < n; j += n - 1 > 0 ? n - 1 : 1) {
            off = (ptrdiff_t)t * dist + (ptrdiff_t)j * stride;
            if (off < lo) lo = off;
            if (off > hi) hi = off;
        }
    span = (size_t)(hi - lo + 1) + 8;
    total = span * cs;
    buf = (unsigned char *)malloc(total);
    orig = (unsigned char *)malloc(total);
    for (j = 0; j < span; j++) set_c(buf, prec, j, rnd(), rnd());
    memcpy(orig, buf, total);
    base = buf + (size_t)(-lo) * cs;
    st = bttb_execute_c2c_many(plan, base, dir, scale, howmany, stride, dist, work);
    CHECK(st == BTTB_OK, "c2c_many status %s", bttb_strerror(st));
    row = malloc(n * cs);
    ref = malloc(n * cs);
    for (t = 0; t < howmany; t++) {
        double e;
        long double num = 0, den = 0;
        for (j = 0; j < n; j++) {
            size_t pos = (size_t)((ptrdiff_t)t * dist + (ptrdiff_t)j * stride - lo);
            set_c(row, prec, j, get_re(orig, prec, pos), get_im(orig, prec, pos));
        }
        bttb_execute_c2c(plan, row, ref, dir, scale, work);
        for (j = 0; j < n; j++) {
            size_t pos = (size_t)((ptrdiff_t)t * dist + (ptrdiff_t)j * stride - lo);
            long double dr = get_re(buf, prec, pos) - get_re(ref, prec, j);
            long double di = get_im(buf, prec, pos) - get_im(ref, prec, j);
            num += dr * dr + di * di;
            den += (long double)get_re(ref, prec, j) * get_re(ref, prec, j) +
                   (long double)get_im(ref, prec, j) * get_im(ref, prec, j);
            set_c(orig, prec, pos, get_re(buf, prec, pos), get_im(buf, prec, pos)); /* mark visited */
        }
        e = (double)sqrtl(num / (den > 0 ? den : 1));
        if (e > worst) worst = e;
    }
    CHECK(worst <= tol, "c2c_many n=%zu howmany=%zu stride=%td dist=%td %s dir=%d err=%.3g", n,
          howmany, stride, dist, pname(prec), dir, worst);
    /* elements not belonging to any transform are untouched */
    CHECK(memcmp(orig, buf, total) == 0, "c2c_many touched foreign elements n=%zu stride=%td dist=%td",
          n, stride, dist);
    free(buf); free(orig); free(row); free(ref); free(work);
    bttb_plan_destroy(plan);
}

static void test_many(void)
{
    static const size_t ns[] = {1, 2, 4, 8, 32, 128, 1024, 12, 7};
    static const size_t hs[] = {1, 3, 4, 17};
    int p, d;
    size_t a, b;
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2)
            for (a = 0; a < sizeof ns / sizeof ns[0]; a++)
                for (b = 0; b < sizeof hs / sizeof hs[0]; b++) {
                    size_t n = ns[a], h = hs[b];
                    bttb_precision prec = p ? BTTB_F32 : BTTB_F64;
                    ptrdiff_t N = (ptrdiff_t)n, H = (ptrdiff_t)h;
                    test_many_layout(n, h, 1, N, prec, d);              /* rows */
                    test_many_layout(n, h, 1, N + 3, prec, d);          /* padded rows */
                    test_many_layout(n, h, 1, -(N + 1), prec, d);       /* rows, negative dist */
                    test_many_layout(n, h, H, 1, prec, d);              /* columns */
                    test_many_layout(n, h, H + 5, 1, prec, d);          /* padded columns */
                    test_many_layout(n, h, -H, 1, prec, d);             /* columns, negative stride */
                    test_many_layout(n, h, H, -1, prec, d);             /* columns, negative dist */
                    test_many_layout(n, h, 2, 2 * N + 1, prec, d);      /* strided rows */
                    test_many_layout(n, h, -3, 1 + 3 * N, prec, d);     /* negative strided */
                    test_many_layout(n, h, 2 * H, 2, prec, d);          /* strided columns */
                }
    /* wide column block (several cache groups) */
    test_many_layout(256, 100, 100, 1, BTTB_F64, -1);
    test_many_layout(4096, 70, 75, 1, BTTB_F32, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Real transforms                                                                            */
/* ---------------------------------------------------------------------------------------- */
static void test_real_length(size_t n, bttb_precision prec)
{
    bttb_plan *plan = NULL;
    size_t cs = csize(prec), rs = cs / 2, nc = n / 2 + 1, i, nk;
    void *x, *X, *y, *buf, *work = NULL;
    cld *xl, *ref, *full;
    size_t *ks;
    double tol = tolerance(n, prec), e;
    bttb_status st = bttb_plan_create(&plan, BTTB_R2C, n, prec, 0);
    CHECK(st == BTTB_OK, "r2c plan n=%zu: %s", n, bttb_strerror(st));
    if (!plan) return;
    CHECK(bttb_plan_kind(plan) == BTTB_R2C && bttb_plan_length(plan) == n, "r2c queries");
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    x = malloc(n * rs); X = malloc(nc * cs); y = malloc(n * rs); buf = malloc(nc * cs);
    xl = (cld *)malloc(n * sizeof(cld));
    full = (cld *)malloc(n * sizeof(cld));
    for (i = 0; i < n; i++) {
        set_r(x, prec, i, rnd());
        xl[i].re = get_r(x, prec, i);
        xl[i].im = 0;
    }
    nk = nc <= 2048 ? nc : 64;
    ks = (size_t *)malloc(nk * sizeof(size_t));
    ref = (cld *)malloc(nk * sizeof(cld));
    for (i = 0; i < nk; i++) ks[i] = nc <= 2048 ? i : (i < 2 ? i * (nc - 1) : rnd_index(nc));
    naive_dft(xl, n, -1, ks, nk, ref);
    /* out of place */
    st = bttb_execute_r2c(plan, x, X, 1.0, work);
    e = rel_err(X, prec, ks, ref, nk, 1.0);
    CHECK(st == BTTB_OK && e <= tol, "r2c n=%zu %s err=%.3g tol=%.3g", n, pname(prec), e, tol);
    CHECK(get_im(X, prec, 0) == 0 && (n % 2 || get_im(X, prec, n / 2) == 0), "r2c n=%zu exact zero imag", n);
    /* in place with scale */
    for (i = 0; i < n; i++) set_r(buf, prec, i, get_r(x, prec, i));
    st = bttb_execute_r2c(plan, buf, buf, 2.0, work);
    e = rel_err(buf, prec, ks, ref, nk, 2.0);
    CHECK(st == BTTB_OK && e <= tol, "r2c in place n=%zu %s err=%.3g", n, pname(prec), e);
    /* c2r(r2c(x)) / n == x, out of place; the spectrum is not modified */
    memcpy(buf, X, nc * cs);
    st = bttb_execute_c2r(plan, X, y, 1.0 / (double)n, work);
    {
        long double num = 0, den = 0;
        for (i = 0; i < n; i++) {
            long double dd = get_r(y, prec, i) - xl[i].re;
            num += dd * dd; den += xl[i].re * xl[i].re;
        }
        e = (double)sqrtl(num / den);
    }
    CHECK(st == BTTB_OK && e <= tol, "c2r round trip n=%zu %s err=%.3g", n, pname(prec), e);
    CHECK(memcmp(buf, X, nc * cs) == 0, "c2r modified its input n=%zu", n);
    /* c2r against the naive inverse of a random Hermitian half-spectrum whose ignored imaginary
     * parts are non-zero; in place */
    {
        cld *yref;
        size_t *idx = (size_t *)malloc(n * sizeof(size_t));
        for (i = 0; i < nc; i++) set_c(buf, prec, i, rnd(), rnd());
        for (i = 0; i < n; i++) {
            size_t k = i < nc ? i : n - i;
            full[i].re = get_re(buf, prec, k);
            full[i].im = (i < nc ? 1 : -1) * (long double)get_im(buf, prec, k);
            if (i == 0 || 2 * i == n) full[i].im = 0;
            idx[i] = i;
        }
        yref = (cld *)malloc(n * sizeof(cld));
        if (n <= 4096) {
            naive_dft(full, n, 1, idx, n, yref);
            st = bttb_execute_c2r(plan, buf, buf, 0.5, work);
            {
                long double num = 0, den = 0;
                for (i = 0; i < n; i++) {
                    long double dd = get_r(buf, prec, i) - 0.5L * yref[i].re;
                    num += dd * dd; den += 0.25L * yref[i].re * yref[i].re;
                }
                e = (double)sqrtl(num / den);
            }
            CHECK(st == BTTB_OK && e <= tol, "c2r in place vs naive n=%zu %s err=%.3g", n, pname(prec), e);
        }
        free(yref);
        free(idx);
    }
    free(x); free(X); free(y); free(buf); free(xl); free(full); free(ks); free(ref); free(work);
    bttb_plan_destroy(plan);
}

static void test_real_many(bttb_precision prec)
{
    size_t n = 30, howmany = 5, nc = n / 2 + 1, t, j, rs = csize(prec) / 2, cs = csize(prec);
    ptrdiff_t idist = 33, odist = 17;
    bttb_plan *plan = NULL;
    void *in, *out, *one, *back, *work = NULL;
    double worst = 0, tol = tolerance(n, prec);
    bttb_plan_create(&plan, BTTB_R2C, n, prec, 0);
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    in = malloc(howmany * (size_t)idist * rs);
    out = malloc(howmany * (size_t)odist * cs);
    back = malloc(howmany * (size_t)idist * rs);
    one = malloc(nc * cs);
    for (j = 0; j < howmany * (size_t)idist; j++) set_r(in, prec, j, rnd());
    CHECK(bttb_execute_r2c_many(plan, in, out, 1.0, howmany, idist, odist, work) == BTTB_OK, "r2c_many");
    CHECK(bttb_execute_c2r_many(plan, out, back, 1.0 / (double)n, howmany, odist, idist, work) == BTTB_OK,
          "c2r_many");
    for (t = 0; t < howmany; t++) {
        bttb_execute_r2c(plan, (char *)in + t * (size_t)idist * rs, one, 1.0, work);
        for (j = 0; j < nc; j++) {
            double dr = get_re(out, prec, t * (size_t)odist + j) - get_re(one, prec, j);
            double di = get_im(out, prec, t * (size_t)odist + j) - get_im(one, prec, j);
            double e = sqrt(dr * dr + di * di);
            if (e > worst) worst = e;
        }
        for (j = 0; j < n; j++) {
            double e = fabs(get_r(back, prec, t * (size_t)idist + j) - get_r(in, prec, t * (size_t)idist + j));
            if (e > worst) worst = e;
        }
    }
    CHECK(worst <= 10 * tol, "r2c_many/c2r_many %s err=%.3g", pname(prec), worst);
    CHECK(bttb_execute_r2c_many(plan, in, out, 1.0, 0, idist, odist, work) == BTTB_OK, "howmany 0");
    free(in); free(out); free(back); free(one); free(work);
    bttb_plan_destroy(plan);
}

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                     */
/* ---------------------------------------------------------------------------------------- */
static void test_errors(void)
{
    bttb_plan *p = (bttb_plan *)&n_pass, *c = NULL, *r = NULL, *blue = NULL;
    double buf[64] = {0};
    size_t out = 0;
    int code;
    CHECK(bttb_plan_create(&p, BTTB_C2C, 0, BTTB_F64, 0) == BTTB_ESIZE && p == NULL, "n=0 -> ESIZE, NULL plan");
    CHECK(bttb_plan_create(&p, BTTB_R2C, 0, BTTB_F32, 0) == BTTB_ESIZE, "r2c n=0 -> ESIZE");
    CHECK(bttb_plan_create(NULL, BTTB_C2C, 8, BTTB_F64, 0) == BTTB_EINVAL, "NULL plan ptr");
    CHECK(bttb_plan_create(&p, BTTB_C2C, 8, BTTB_F64, 1) == BTTB_EINVAL, "flags != 0");
    CHECK(bttb_plan_create(&p, (bttb_kind)7, 8, BTTB_F64, 0) == BTTB_EINVAL, "bad kind");
    CHECK(bttb_plan_create(&p, BTTB_C2C, 8, (bttb_precision)5, 0) == BTTB_EINVAL, "bad precision");
    CHECK(bttb_plan_create(&p, BTTB_C2C, (size_t)1 << (sizeof(size_t) * 8 - 1), BTTB_F64, 0) == BTTB_EOVERFLOW,
          "huge pow2 -> EOVERFLOW");
    CHECK(bttb_plan_create(&p, BTTB_C2C, ((size_t)1 << (sizeof(size_t) * 8 - 1)) + 1, BTTB_F64, 0) == BTTB_EOVERFLOW,
          "huge Bluestein -> EOVERFLOW");
    CHECK(bttb_plan_create(&p, BTTB_C2C, (size_t)-1, BTTB_F32, 0) == BTTB_EOVERFLOW, "SIZE_MAX -> EOVERFLOW");
    CHECK(bttb_plan_create(&p, BTTB_R2C, (size_t)-1 - 1, BTTB_F64, 0) == BTTB_EOVERFLOW, "huge r2c -> EOVERFLOW");
    CHECK(p == NULL, "failed create leaves NULL");
    bttb_plan_destroy(NULL);
    CHECK(1, "destroy(NULL)");

    CHECK(bttb_plan_create(&c, BTTB_C2C, 8, BTTB_F64, 0) == BTTB_OK, "c2c 8");
    CHECK(bttb_plan_create(&r, BTTB_R2C, 8, BTTB_F64, 0) == BTTB_OK, "r2c 8");
    CHECK(bttb_plan_create(&blue, BTTB_C2C, 9, BTTB_F64, 0) == BTTB_OK, "c2c 9");
    CHECK(bttb_execute_c2c(NULL, buf, buf, -1, 1.0, NULL) == BTTB_EINVAL, "NULL plan");
    CHECK(bttb_execute_c2c(c, NULL, buf, -1, 1.0, NULL) == BTTB_EINVAL, "NULL in");
    CHECK(bttb_execute_c2c(c, buf, NULL, -1, 1.0, NULL) == BTTB_EINVAL, "NULL out");
    CHECK(bttb_execute_c2c(c, buf, buf, 0, 1.0, NULL) == BTTB_EINVAL, "direction 0");
    CHECK(bttb_execute_c2c(c, buf, buf, 2, 1.0, NULL) == BTTB_EINVAL, "direction 2");
    CHECK(bttb_execute_c2c(blue, buf, buf, -1, 1.0, NULL) == BTTB_EINVAL, "Bluestein needs work");
    CHECK(bttb_execute_c2c(r, buf, buf, -1, 1.0, NULL) == BTTB_EKIND, "c2c on r2c plan");
    CHECK(bttb_execute_c2c_many(r, buf, -1, 1.0, 1, 1, 8, NULL) == BTTB_EKIND, "c2c_many on r2c plan");
    CHECK(bttb_execute_r2c(c, buf, buf, 1.0, NULL) == BTTB_EKIND, "r2c on c2c plan");
    CHECK(bttb_execute_c2r(c, buf, buf, 1.0, NULL) == BTTB_EKIND, "c2r on c2c plan");
    CHECK(bttb_execute_r2c_many(c, buf, buf, 1.0, 1, 8, 5, NULL) == BTTB_EKIND, "r2c_many on c2c plan");
    CHECK(bttb_execute_c2r_many(c, buf, buf, 1.0, 1, 5, 8, NULL) == BTTB_EKIND, "c2r_many on c2c plan");
    CHECK(bttb_execute_r2c(r, NULL, buf, 1.0, NULL) == BTTB_EINVAL, "r2c NULL in");
    CHECK(bttb_execute_c2r(r, buf, NULL, 1.0, NULL) == BTTB_EINVAL, "c2r NULL out");
    CHECK(bttb_execute_r2c(NULL, buf, buf, 1.0, NULL) == BTTB_EINVAL, "r2c NULL plan");
    CHECK(bttb_execute_c2c_many(c, NULL, -1, 1.0, 1, 1, 8, NULL) == BTTB_EINVAL, "many NULL data");
    CHECK(bttb_execute_c2c_batch(NULL, buf, buf, -1, 1.0, 1, 8, 8, NULL) == BTTB_EINVAL, "batch NULL plan");
    CHECK(bttb_execute_c2c_batch(r, buf, buf, -1, 1.0, 1, 8, 8, NULL) == BTTB_EKIND, "batch on r2c plan");
    CHECK(bttb_execute_c2c_batch(c, NULL, buf, -1, 1.0, 1, 8, 8, NULL) == BTTB_EINVAL, "batch NULL in");
    CHECK(bttb_execute_c2c_batch(c, buf, NULL, -1, 1.0, 1, 8, 8, NULL) == BTTB_EINVAL, "batch NULL out");
    CHECK(bttb_execute_c2c_batch(c, NULL, NULL, -1, 1.0, 0, 8, 8, NULL) == BTTB_OK, "batch howmany 0");
    CHECK(bttb_execute_c2c_batch(c, buf, buf, 0, 1.0, 1, 8, 8, NULL) == BTTB_EINVAL, "batch bad dir");
    CHECK(bttb_execute_c2c_batch(c, buf, buf, -1, 1.0, 2, 8, 16, NULL) == BTTB_EINVAL,
          "batch in place with different distances");
    CHECK(bttb_execute_c2c_batch(blue, buf, buf + 32, -1, 1.0, 1, 9, 9, NULL) == BTTB_EINVAL,
          "batch Bluestein needs work");
    CHECK(bttb_execute_c2c_batch(c, buf, buf, -1, 1.0, 3, PTRDIFF_MAX / 2, PTRDIFF_MAX / 2, NULL) ==
          BTTB_EOVERFLOW, "batch idist overflow");
    CHECK(bttb_execute_c2c_many(c, NULL, -1, 1.0, 0, 1, 8, NULL) == BTTB_OK, "many howmany 0");
    CHECK(bttb_execute_c2c_many(c, buf, 3, 1.0, 1, 1, 8, NULL) == BTTB_EINVAL, "many bad dir");
    CHECK(bttb_execute_c2c_many(c, buf, -1, 1.0, 1, 0, 8, NULL) == BTTB_EINVAL, "many stride 0");
    CHECK(bttb_execute_c2c_many(c, buf, -1, 1.0, 2, 1, 0, NULL) == BTTB_EINVAL, "many dist 0");
    CHECK(bttb_execute_c2c_many(c, buf, -1, 1.0, 1, PTRDIFF_MAX / 2, 8, NULL) == BTTB_EOVERFLOW,
          "many stride overflow");
    CHECK(bttb_execute_c2c_many(c, buf, -1, 1.0, 3, 1, PTRDIFF_MAX / 2, NULL) == BTTB_EOVERFLOW,
          "many dist overflow");
    CHECK(bttb_execute_c2c_many(c, buf, -1, 1.0, (size_t)-1, 1, 8, NULL) == BTTB_EOVERFLOW,
          "many howmany overflow");
    CHECK(bttb_execute_r2c_many(r, buf, buf, 1.0, 3, PTRDIFF_MAX / 2, 5, NULL) == BTTB_EOVERFLOW,
          "r2c_many overflow");
    CHECK(bttb_execute_c2r_many(r, buf, buf, 1.0, 3, 5, PTRDIFF_MAX / 2, NULL) == BTTB_EOVERFLOW,
          "c2r_many overflow");
    bttb_plan_destroy(c);
    bttb_plan_destroy(r);
    bttb_plan_destroy(blue);

    for (code = 0; code <= 6; code++) {
        const char *s = bttb_strerror(code);
        CHECK(s && strlen(s) > 0 && strcmp(s, bttb_strerror(99)) != 0, "strerror(%d)", code);
    }
    CHECK(bttb_strerror(-1) != NULL && bttb_strerror(12345) != NULL, "strerror unknown");
    CHECK(strcmp(bttb_version(), "0.1.0") == 0, "version %s", bttb_version());
    CHECK(bttb_simd_name() != NULL, "simd name");

    CHECK(bttb_next_pow2(1, &out) == BTTB_OK && out == 1, "next_pow2(1)");
    CHECK(bttb_next_pow2(2, &out) == BTTB_OK && out == 2, "next_pow2(2)");
    CHECK(bttb_next_pow2(3, &out) == BTTB_OK && out == 4, "next_pow2(3)");
    CHECK(bttb_next_pow2(1000, &out) == BTTB_OK && out == 1024, "next_pow2(1000)");
    CHECK(bttb_next_pow2(1025, &out) == BTTB_OK && out == 2048, "next_pow2(1025)");
    CHECK(bttb_next_pow2(((size_t)1 << (sizeof(size_t) * 8 - 1)), &out) == BTTB_OK &&
          out == ((size_t)1 << (sizeof(size_t) * 8 - 1)), "next_pow2(2^63)");
    CHECK(bttb_next_pow2(((size_t)1 << (sizeof(size_t) * 8 - 1)) + 1, &out) == BTTB_EOVERFLOW, "next_pow2 overflow");
    CHECK(bttb_next_pow2((size_t)-1, &out) == BTTB_EOVERFLOW, "next_pow2(SIZE_MAX)");
    CHECK(bttb_next_pow2(0, &out) == BTTB_ESIZE, "next_pow2(0)");
    CHECK(bttb_next_pow2(5, NULL) == BTTB_EINVAL, "next_pow2 NULL");
    CHECK(bttb_is_pow2(1) && bttb_is_pow2(2) && bttb_is_pow2(1024) && !bttb_is_pow2(0) && !bttb_is_pow2(3) &&
          !bttb_is_pow2(6) && bttb_is_pow2((size_t)1 << (sizeof(size_t) * 8 - 1)) && !bttb_is_pow2((size_t)-1),
          "is_pow2");
}

/* ---------------------------------------------------------------------------------------- */
/* Bit reversal                                                                               */
/* ---------------------------------------------------------------------------------------- */
static size_t rev_naive(size_t i, unsigned L)
{
    size_t r = 0;
    unsigned b;
    for (b = 0; b < L; b++) if (i >> b & 1) r |= (size_t)1 << (L - 1 - b);
    return r;
}

static void test_bitrev_case(size_t n, size_t es, ptrdiff_t stride, size_t misalign)
{
    size_t as = (size_t)(stride < 0 ? -stride : stride), bytes = (n - 1) * as + es + misalign + 16, i, k;
    unsigned char *buf = (unsigned char *)malloc(bytes), *orig = (unsigned char *)malloc(bytes), *base;
    unsigned L = bttb_log2_size(n);
    int ok = 1;
    bttb_status st;
    for (i = 0; i < bytes; i++) buf[i] = (unsigned char)(rnd_index(256));
    memcpy(orig, buf, bytes);
    base = buf + misalign + (stride < 0 ? (n - 1) * as : 0);
    st = bttb_bit_reverse(base, n, es, stride);
    for (i = 0; i < n && ok; i++) {
        size_t r = rev_naive(i, L);
        const unsigned char *now = base + (ptrdiff_t)i * stride;
        const unsigned char *was = orig + (base - buf) + (ptrdiff_t)r * stride;
        for (k = 0; k < es; k++) if (now[k] != was[k]) { ok = 0; break; }
    }
    /* gap bytes untouched */
    if (ok && as > es)
        for (i = 0; i + 1 < n && ok; i++) {
            size_t off = (size_t)((base - buf) + (ptrdiff_t)i * stride) + es;
            if (stride < 0) off = (size_t)((base - buf) + (ptrdiff_t)i * stride) - (as - es);
            if (memcmp(buf + off, orig + off, as - es) != 0) ok = 0;
        }
    CHECK(st == BTTB_OK && ok, "bit_reverse n=%zu es=%zu stride=%td misalign=%zu", n, es, stride, misalign);
    free(buf);
    free(orig);
}

static void test_bitrev(void)
{
    static const size_t ess[] = {1, 2, 3, 4, 8, 12, 16, 24, 100};
    size_t a, L;
    char c[4];
    for (a = 0; a < sizeof ess / sizeof ess[0]; a++)
        for (L = 0; L <= 12; L++) {
            size_t n = (size_t)1 << L, es = ess[a];
            test_bitrev_case(n, es, (ptrdiff_t)es, 0);
            if (L % 3 == 0) {
                test_bitrev_case(n, es, (ptrdiff_t)(es + 5), 0);
                test_bitrev_case(n, es, -(ptrdiff_t)es, 0);
                test_bitrev_case(n, es, (ptrdiff_t)es, 1);
            }
        }
    test_bitrev_case((size_t)1 << 16, 16, 16, 0);
    test_bitrev_case((size_t)1 << 17, 8, 8, 4);
    test_bitrev_case((size_t)1 << 15, 4, -8, 0);
    CHECK(bttb_bit_reverse(c, 0, 1, 1) == BTTB_ESIZE, "bit_reverse n=0");
    CHECK(bttb_bit_reverse(c, 3, 1, 1) == BTTB_ESIZE, "bit_reverse n=3");
    CHECK(bttb_bit_reverse(NULL, 4, 1, 1) == BTTB_EINVAL, "bit_reverse NULL");
    CHECK(bttb_bit_reverse(c, 4, 0, 1) == BTTB_EINVAL, "bit_reverse elem 0");
    CHECK(bttb_bit_reverse(c, 4, 2, 1) == BTTB_EINVAL, "bit_reverse overlapping elements");
    CHECK(bttb_bit_reverse(c, 4, 1, PTRDIFF_MAX / 2) == BTTB_EOVERFLOW, "bit_reverse overflow");
    CHECK(bttb_bit_reverse(c, 1, 1, 1) == BTTB_OK, "bit_reverse n=1");
}


/* ---------------------------------------------------------------------------------------- */
/* Bit-exactness: a transform's result does not depend on how many columns are grouped in one  */
/* call, on which columns they are, on the alignment of the data, nor on rows vs columns.      */
/* ---------------------------------------------------------------------------------------- */
static void test_bitexact_case(size_t n, bttb_precision prec, int dir, size_t maxg)
{
    const size_t C = 17, ld = C + 3;
    size_t cs = csize(prec), g, s, c, j, bad = 0;
    bttb_plan *plan = NULL;
    unsigned char *orig, *ref, *buf, *row;
    void *work = NULL;
    double scale = dir == 1 ? 1.0 / (double)n : 1.0;
    if (bttb_plan_create(&plan, BTTB_C2C, n, prec, 0) != BTTB_OK) { CHECK(0, "plan n=%zu", n); return; }
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    orig = (unsigned char *)malloc(n * ld * cs);
    ref = (unsigned char *)malloc(n * ld * cs);
    buf = (unsigned char *)malloc(n * ld * cs);
    row = (unsigned char *)malloc((n + 8) * cs + 64);
    for (j = 0; j < n * ld; j++) set_c(orig, prec, j, rnd(), rnd());
    /* reference: all C columns in one call */
    memcpy(ref, orig, n * ld * cs);
    CHECK(bttb_execute_c2c_many(plan, ref, dir, scale, C, (ptrdiff_t)ld, 1, work) == BTTB_OK, "many");
    /* every group size, at several starting columns */
    for (g = 1; g <= (maxg < C ? maxg : C); g++)
        for (s = 0; s + g <= C; s += (g < 4 ? 1 : 3)) {
            memcpy(buf, orig, n * ld * cs);
            bttb_execute_c2c_many(plan, buf + s * cs, dir, scale, g, (ptrdiff_t)ld, 1, work);
            for (j = 0; j < n; j++)
                if (memcmp(buf + (j * ld + s) * cs, ref + (j * ld + s) * cs, g * cs) != 0) { bad++; break; }
        }
    CHECK(bad == 0, "column grouping changes bits: n=%zu %s dir=%d (%zu groupings differ)", n,
          pname(prec), dir, bad);
    /* each column as a contiguous row at an odd element offset and a misaligned address (for
     * f64: 8-byte aligned only), in place and out of place, and as c2c_many rows */
    bad = 0;
    for (c = 0; c < C; c += (n > 4096 ? 8 : 1)) {
        size_t off = 1 + (c % 3);
        unsigned char *r = row + off * cs + (prec == BTTB_F64 ? 8 : 4) * (c % 2);
        unsigned char *o = buf;
        for (j = 0; j < n; j++) memcpy(r + j * cs, orig + (j * ld + c) * cs, cs);
        bttb_execute_c2c(plan, r, o, dir, scale, work);          /* out of place */
        for (j = 0; j < n; j++)
            if (memcmp(o + j * cs, ref + (j * ld + c) * cs, cs) != 0) { bad++; break; }
        bttb_execute_c2c(plan, r, r, dir, scale, work);          /* in place */
        for (j = 0; j < n; j++)
            if (memcmp(r + j * cs, ref + (j * ld + c) * cs, cs) != 0) { bad++; break; }
    }
    CHECK(bad == 0, "row vs column / alignment changes bits: n=%zu %s dir=%d (%zu differ)", n,
          pname(prec), dir, bad);
    /* rows: howmany 1..5 contiguous rows (padded), each equal to the single transform */
    if (n <= 4096) {
        size_t hm, t, dist = n + 1;
        unsigned char *rows = (unsigned char *)malloc(5 * dist * cs);
        bad = 0;
        for (hm = 1; hm <= 5; hm++) {
            for (t = 0; t < hm; t++)
                for (j = 0; j < n; j++) memcpy(rows + (t * dist + j) * cs, orig + (j * ld + t) * cs, cs);
            bttb_execute_c2c_many(plan, rows, dir, scale, hm, 1, (ptrdiff_t)dist, work);
            for (t = 0; t < hm; t++)
                for (j = 0; j < n; j++)
                    if (memcmp(rows + (t * dist + j) * cs, ref + (j * ld + t) * cs, cs) != 0) { bad++; break; }
        }
        CHECK(bad == 0, "rows via c2c_many change bits: n=%zu %s dir=%d", n, pname(prec), dir);
        /* c2c_batch, out of place (input distance n+1, output distance n+3; the guard elements
         * between output rows stay untouched) and in place, howmany 1..5 */
        {
            size_t od = n + 3;
            unsigned char *in = (unsigned char *)malloc(5 * dist * cs), *out = (unsigned char *)malloc(5 * od * cs);
            size_t bad_oop = 0, bad_ip = 0, bad_guard = 0;
            for (hm = 1; hm <= 5; hm++) {
                for (t = 0; t < hm; t++)
                    for (j = 0; j < n; j++) memcpy(in + (t * dist + j) * cs, orig + (j * ld + t) * cs, cs);
                memset(out, 0x5A, 5 * od * cs);
                CHECK(bttb_execute_c2c_batch(plan, in, out, dir, scale, hm, (ptrdiff_t)dist, (ptrdiff_t)od,
                                             work) == BTTB_OK, "c2c_batch status");
                for (t = 0; t < hm; t++) {
                    for (j = 0; j < n; j++)
                        if (memcmp(out + (t * od + j) * cs, ref + (j * ld + t) * cs, cs) != 0) { bad_oop++; break; }
                    for (j = n; j < od; j++)
                        if (out[(t * od + j) * cs] != 0x5A) { bad_guard++; break; }
                }
                CHECK(bttb_execute_c2c_batch(plan, in, in, dir, scale, hm, (ptrdiff_t)dist, (ptrdiff_t)dist,
                                             work) == BTTB_OK, "c2c_batch in place status");
                for (t = 0; t < hm; t++)
                    for (j = 0; j < n; j++)
                        if (memcmp(in + (t * dist + j) * cs, ref + (j * ld + t) * cs, cs) != 0) { bad_ip++; break; }
            }
            CHECK(bad_oop == 0 && bad_ip == 0 && bad_guard == 0,
                  "c2c_batch changes bits: n=%zu %s dir=%d (out of place %zu, in place %zu, guard %zu)",
                  n, pname(prec), dir, bad_oop, bad_ip, bad_guard);
            free(in); free(out);
        }
        free(rows);
    }
    free(orig); free(ref); free(buf); free(row); free(work);
    bttb_plan_destroy(plan);
}

/* Column transforms of W adjacent columns starting at every element offset within a cache line
 * (the row stride a multiple of 64 bytes, so every row starts at the same offset; the columns
 * before the first line boundary then run apart, see cols_head): bit for bit the result at a
 * line-aligned start, and the columns around the block untouched. */
static void test_cols_align_case(size_t n, bttb_precision prec, int dir)
{
    const size_t W = 100, ld = 136;
    size_t cs = csize(prec), per = 64 / cs, off, j, bad = 0, guard = 0;
    bttb_plan *plan = NULL;
    unsigned char *mem, *base, *orig, *ref;
    double scale = dir == 1 ? 1.0 / (double)n : 1.0;
    if (bttb_plan_create(&plan, BTTB_C2C, n, prec, 0) != BTTB_OK) { CHECK(0, "plan n=%zu", n); return; }
    mem = (unsigned char *)malloc(n * ld * cs + 128);
    orig = (unsigned char *)malloc(W * n * cs);
    ref = (unsigned char *)malloc(W * n * cs);
    base = mem + (64 - (size_t)((uintptr_t)mem % 64)) % 64;
    for (j = 0; j < W * n; j++) set_c(orig, prec, j, rnd(), rnd());
    for (off = 0; off < per; off++) {
        unsigned char *x = base + off * cs;
        memset(base, 0x3C, n * ld * cs);
        for (j = 0; j < n; j++) memcpy(x + j * ld * cs, orig + j * W * cs, W * cs);
        CHECK(bttb_execute_c2c_many(plan, x, dir, scale, W, (ptrdiff_t)ld, 1, NULL) == BTTB_OK,
              "cols align status");
        for (j = 0; j < n; j++) {
            size_t c;
            if (off == 0) memcpy(ref + j * W * cs, x + j * ld * cs, W * cs);
            else if (memcmp(ref + j * W * cs, x + j * ld * cs, W * cs) != 0) bad++;
            for (c = 0; c < off * cs; c++) guard += base[j * ld * cs + c] != 0x3C;
            for (c = (off + W) * cs; c < ld * cs && j + 1 < n; c++) guard += base[j * ld * cs + c] != 0x3C;
        }
    }
    CHECK(bad == 0 && guard == 0, "columns at a line offset change bits: n=%zu %s dir=%d (%zu rows differ, %zu guard bytes)",
          n, pname(prec), dir, bad, guard);
    free(mem); free(orig); free(ref);
    bttb_plan_destroy(plan);
}

static void test_cols_align(void)
{
    static const size_t ns[] = {2, 8, 64, 1024, 4096};
    size_t i;
    int p, d;
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2)
            for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
                test_cols_align_case(ns[i], p ? BTTB_F32 : BTTB_F64, d);
}

static void test_bitexact(void)
{
    static const size_t ns[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 12, 100};
    size_t a;
    int p, d;
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2) {
            bttb_precision prec = p ? BTTB_F32 : BTTB_F64;
            for (a = 0; a < sizeof ns / sizeof ns[0]; a++) test_bitexact_case(ns[a], prec, d, 17);
            if (g_quick) continue;
            test_bitexact_case(16384, prec, d, 5);
            test_bitexact_case((size_t)1 << 15, prec, d, 2);
        }
}

/* ---------------------------------------------------------------------------------------- */
/* The fused 2-D row pass (internal, used by fft2): bit for bit the row transforms followed by  */
/* the column transforms, whatever the split into parts (threads) and column ranges.           */
/* ---------------------------------------------------------------------------------------- */
/* stream: pass a work buffer (outputs of BTTB_STREAM_MIN bytes and more are then built there and
 * streamed out; the buffer and, for complex64, out are deliberately misaligned by 8 bytes).
 * rows: 1 complex row transforms, 2 real (r2c) row transforms (n2 reals in, n2/2+1 complex out
 * per row), 3 complex float rows into double plans, 4 float rows into a double r2c plan
 * (bttb_internal_fft2_rows_single: bit for bit the transform of the widened input), 0 none (bttb_internal_cols_first: the column
 * transforms alone; n2 any width). */
static void test_fused2d_case(size_t n1, size_t n2, bttb_precision prec, int dir, size_t nparts,
                              int stream, int rows)
{
    int single = rows >= 3, real = rows == 2 || rows == 4;
    size_t cs = csize(prec), rsz = cs / 2, w = real ? n2 / 2 + 1 : n2, total = n1 * w, j, part;
    size_t half = w / 2, wsize = 0;
    size_t inb = n1 * n2 * (single ? (rows == 4 ? 1 : 2) * sizeof(float) : rows == 2 ? rsz : cs);
    size_t off = stream && prec == BTTB_F32 ? 8 : 0;
    bttb_plan *pr = NULL, *pc = NULL;
    unsigned char *in, *ref, *out, *obuf, *work = NULL;
    double rs = dir == 1 ? 1.0 / (double)n2 : 1.0, cscale = dir == 1 ? 0.5 : 1.0;
    int ok = 1;
    if (real) dir = -1;   /* a real transform is forward */
    if (single && prec != BTTB_F64) return;
    if ((rows && bttb_plan_create(&pr, real ? BTTB_R2C : BTTB_C2C, n2, prec, 0) != BTTB_OK) ||
        bttb_plan_create(&pc, BTTB_C2C, n1, prec, 0) != BTTB_OK) {
        CHECK(0, "fused2d plans %zu x %zu", n1, n2);
        bttb_plan_destroy(pr);
        return;
    }
    in = (unsigned char *)malloc(inb);
    ref = (unsigned char *)malloc(total * cs);
    obuf = (unsigned char *)malloc(total * cs + off);
    out = obuf + off;
    if (stream) {
        wsize = rows ? bttb_internal_fft2_rows_work_size(pr, pc)
                     : bttb_internal_cols_first_work_size(pc, n2);
        CHECK((wsize > 0) == (total * cs >= BTTB_STREAM_MIN), "fused2d work size %zu for %zu x %zu",
              wsize, n1, n2);
        work = (unsigned char *)malloc(wsize + 8);
    }
    if (rows == 4) {
        double *wide = (double *)malloc(n1 * n2 * sizeof(double));
        for (j = 0; j < n1 * n2; j++) {
            ((float *)in)[j] = (float)rnd();
            wide[j] = (double)((float *)in)[j];
        }
        ok &= bttb_execute_r2c_many(pr, wide, ref, rs, n1, (ptrdiff_t)n2, (ptrdiff_t)w, NULL) == BTTB_OK;
        free(wide);
    } else if (rows == 2) {
        for (j = 0; j < n1 * n2; j++) {
            if (prec == BTTB_F32) ((float *)in)[j] = (float)rnd();
            else ((double *)in)[j] = rnd();
        }
        ok &= bttb_execute_r2c_many(pr, in, ref, rs, n1, (ptrdiff_t)n2, (ptrdiff_t)w, NULL) == BTTB_OK;
    } else if (rows == 3) {
        for (j = 0; j < 2 * total; j++) {
            ((float *)in)[j] = (float)rnd();
            ((double *)ref)[j] = (double)((float *)in)[j];
        }
        ok &= bttb_execute_c2c_many(pr, ref, dir, rs, n1, 1, (ptrdiff_t)n2, NULL) == BTTB_OK;
    } else {
        for (j = 0; j < total; j++) set_c(in, prec, j, rnd(), rnd());
        memcpy(ref, in, total * cs);
        if (rows)
            ok &= bttb_execute_c2c_many(pr, ref, dir, rs, n1, 1, (ptrdiff_t)n2, NULL) == BTTB_OK;
    }
    ok &= bttb_execute_c2c_many(pc, ref, dir, cscale, w, (ptrdiff_t)w, 1, NULL) == BTTB_OK;
    memset(out, 0x77, total * cs);
    for (part = 0; part < nparts; part++) {
        unsigned char *wk = work ? work + 8 : NULL;
        if (single)
            ok &= bttb_internal_fft2_rows_single(pr, pc, in, out, part, nparts, dir, rs, cscale, wk) == BTTB_OK;
        else if (rows)
            ok &= bttb_internal_fft2_rows(pr, pc, in, out, part, nparts, dir, rs, cscale, wk) == BTTB_OK;
        else
            ok &= bttb_internal_cols_first(pc, in, out, n2, part, nparts, dir, cscale, wk) == BTTB_OK;
    }
    /* the columns in two ranges (as two threads would) */
    if (half)
        ok &= bttb_internal_cols_rest(pc, out, dir, cscale, half, (ptrdiff_t)w) == BTTB_OK;
    ok &= bttb_internal_cols_rest(pc, out + half * cs, dir, cscale, w - half, (ptrdiff_t)w) == BTTB_OK;
    CHECK(ok && memcmp(out, ref, total * cs) == 0, "fused 2-D %s differ in bits: %zu x %zu %s dir=%d parts=%zu stream=%d",
          rows == 4 ? "float rows + columns" : rows == 3 ? "complex float rows + columns"
          : rows == 2 ? "real rows + columns"
          : rows ? "rows + columns" : "columns alone", n1, n2,
          pname(prec), dir, nparts, stream);
    free(in); free(ref); free(obuf); free(work);
    bttb_plan_destroy(pr);
    bttb_plan_destroy(pc);
}

/* The argument checks shared by the internal column calls (one entry, cols_call, behind them):
 * plans that are not power-of-two c2c plans of length >= 2, NULL pointers, a bad direction, a
 * stride narrower than the columns or too large to address, and howmany 0 (nothing to do). */
typedef bttb_status (*cols_fn)(const bttb_plan *, void *, int, double, size_t, ptrdiff_t);
static void check_cols_errors(cols_fn f, const char *name)
{
    bttb_plan *c = NULL, *b = NULL, *one = NULL, *r = NULL;
    double buf[64] = {0};
    bttb_plan_create(&c, BTTB_C2C, 8, BTTB_F64, 0);
    bttb_plan_create(&b, BTTB_C2C, 12, BTTB_F64, 0);
    bttb_plan_create(&one, BTTB_C2C, 1, BTTB_F64, 0);
    bttb_plan_create(&r, BTTB_R2C, 8, BTTB_F64, 0);
    CHECK(f(c, buf, -1, 1.0, 4, 2) == BTTB_EINVAL, "%s stride < howmany", name);
    CHECK(f(b, buf, -1, 1.0, 1, 1) == BTTB_EINVAL, "%s Bluestein", name);
    CHECK(f(one, buf, -1, 1.0, 1, 1) == BTTB_EINVAL, "%s n = 1", name);
    CHECK(f(r, buf, -1, 1.0, 1, 1) == BTTB_EINVAL, "%s r2c plan", name);
    CHECK(f(NULL, buf, -1, 1.0, 1, 1) == BTTB_EINVAL, "%s NULL plan", name);
    CHECK(f(c, NULL, -1, 1.0, 1, 1) == BTTB_EINVAL, "%s NULL data", name);
    CHECK(f(c, buf, 0, 1.0, 1, 1) == BTTB_EINVAL, "%s bad direction", name);
    CHECK(f(c, buf, -1, 1.0, 0, 1) == BTTB_OK, "%s howmany 0", name);
    CHECK(f(c, buf, -1, 1.0, 2, PTRDIFF_MAX / 2) == BTTB_EOVERFLOW, "%s stride overflow", name);
    bttb_plan_destroy(c);
    bttb_plan_destroy(b);
    bttb_plan_destroy(one);
    bttb_plan_destroy(r);
}

static void test_fused2d(void)
{
    static const size_t sh[][2] = {{2, 1}, {2, 4}, {4, 2}, {8, 8}, {16, 32}, {32, 16}, {64, 4},
                                   {128, 64}, {256, 8}, {8, 256}, {512, 32}, {2048, 16}};
    size_t a, np;
    int p, d;
    bttb_plan *c = NULL, *r = NULL, *b = NULL;
    double buf[64] = {0};
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2)
            for (a = 0; a < sizeof sh / sizeof sh[0]; a++)
                for (np = 1; np <= 3; np += 2) {
                    test_fused2d_case(sh[a][0], sh[a][1], p ? BTTB_F32 : BTTB_F64, d, np, np == 3, 1);
                    /* columns alone, also of widths that are not powers of two */
                    test_fused2d_case(sh[a][0], sh[a][1] + (size_t)a % 3, p ? BTTB_F32 : BTTB_F64, d,
                                      np, np == 3, 0);
                    /* complex float rows in double plans */
                    test_fused2d_case(sh[a][0], sh[a][1], p ? BTTB_F32 : BTTB_F64, d, np, np == 3, 3);
                    /* real rows (forward only), also float rows in double plans */
                    if (d == -1 && sh[a][1] >= 2) {
                        test_fused2d_case(sh[a][0], sh[a][1], p ? BTTB_F32 : BTTB_F64, d, np, np == 3, 2);
                        test_fused2d_case(sh[a][0], sh[a][1], p ? BTTB_F32 : BTTB_F64, d, np, np == 3, 4);
                    }
                }
    /* outputs of BTTB_STREAM_MIN bytes: the streamed row pass */
    test_fused2d_case(1024, 1024, BTTB_F64, -1, 3, 1, 1);
    test_fused2d_case(1024, 1024, BTTB_F64, 1, 1, 1, 1);
    test_fused2d_case(2048, 1024, BTTB_F32, -1, 5, 1, 1);
    test_fused2d_case(512, 2048, BTTB_F64, 1, 2, 0, 1);
    test_fused2d_case(1024, 1027, BTTB_F64, 1, 3, 1, 0);
    test_fused2d_case(1024, 2048, BTTB_F64, -1, 3, 1, 2);   /* real rows, 16 MiB output */
    test_fused2d_case(1024, 1024, BTTB_F64, 1, 3, 1, 3);    /* complex float rows, streamed */
    test_fused2d_case((size_t)1 << 17, 8, BTTB_F64, -1, 2, 1, 3);
    test_fused2d_case(16, 65536, BTTB_F64, -1, 1, 1, 3);
    test_fused2d_case(1024, 2048, BTTB_F64, -1, 3, 1, 4);   /* float rows, streamed */
    test_fused2d_case(16, 4096, BTTB_F32, -1, 1, 1, 2);
    /* streamed groups whose row transforms run no slices of the ahead, so the row loop copies
     * the previous group out itself: one-pass rows, and rows longer than the cache block */
    test_fused2d_case((size_t)1 << 17, 8, BTTB_F64, -1, 3, 1, 1);
    test_fused2d_case(16, 65536, BTTB_F64, 1, 2, 1, 1);
    if (!g_quick) test_fused2d_case(16, 131072, BTTB_F32, -1, 1, 1, 1);
    if (!g_quick) test_fused2d_case(2048, 1023, BTTB_F32, -1, 2, 1, 0);
    /* errors */
    bttb_plan_create(&c, BTTB_C2C, 8, BTTB_F64, 0);
    bttb_plan_create(&r, BTTB_R2C, 8, BTTB_F64, 0);
    bttb_plan_create(&b, BTTB_C2C, 12, BTTB_F64, 0);
    CHECK(bttb_internal_fft2_rows(c, r, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused r2c plan");
    CHECK(bttb_internal_fft2_rows(b, c, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused Bluestein rows");
    CHECK(bttb_internal_fft2_rows(c, c, buf, buf + 32, 1, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused part >= nparts");
    CHECK(bttb_internal_fft2_rows(c, c, buf, buf + 32, 0, 0, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused nparts 0");
    CHECK(bttb_internal_fft2_rows(c, c, buf, buf + 32, 0, 1, 0, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused bad direction");
    check_cols_errors(bttb_internal_cols_rest, "cols_rest");
    CHECK(bttb_internal_fft2_rows_work_size(c, r) == 0, "fused work size, r2c column plan");
    {   /* real rows whose half-length transform is not a power of two */
        bttb_plan *r12 = NULL;
        bttb_plan_create(&r12, BTTB_R2C, 12, BTTB_F64, 0);
        CHECK(bttb_internal_fft2_rows(r12, c, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused real rows of 12");
        double rin[64] = {0}, rout[80];   /* 8 x 8 reals -> 8 x 5 complex */
        CHECK(bttb_internal_fft2_rows(r, c, rin, rout, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_OK, "fused real rows of 8");
        bttb_plan_destroy(r12);
    }
    CHECK(bttb_internal_fft2_rows_work_size(c, c) == 0, "fused work size, small output");
    {   /* complex float rows: double c2c plans only */
        bttb_plan *cf = NULL;
        bttb_plan_create(&cf, BTTB_C2C, 8, BTTB_F32, 0);
        CHECK(bttb_internal_fft2_rows_single(cf, cf, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "single rows, float plans");
        CHECK(bttb_internal_fft2_rows_single(NULL, c, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "single rows, NULL plan");
        float fin[128] = {0};   /* 8 x 8 complex float -> 8 x 8 complex double */
        double fout[128];
        CHECK(bttb_internal_fft2_rows_single(c, c, fin, fout, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_OK, "single rows 8 x 8");
        bttb_plan_destroy(cf);
    }
    CHECK(bttb_internal_fft2_rows(NULL, c, buf, buf + 32, 0, 1, -1, 1.0, 1.0, NULL) == BTTB_EINVAL, "fused rows plan NULL");
    CHECK(bttb_internal_cols_first(r, buf, buf + 32, 2, 0, 1, -1, 1.0, NULL) == BTTB_EINVAL, "cols_first r2c plan");
    CHECK(bttb_internal_cols_first(b, buf, buf + 32, 2, 0, 1, -1, 1.0, NULL) == BTTB_EINVAL, "cols_first Bluestein");
    CHECK(bttb_internal_cols_first(c, buf, buf + 32, 0, 0, 1, -1, 1.0, NULL) == BTTB_EINVAL, "cols_first width 0");
    CHECK(bttb_internal_cols_first(c, NULL, buf + 32, 2, 0, 1, -1, 1.0, NULL) == BTTB_EINVAL, "cols_first NULL in");
    CHECK(bttb_internal_cols_first(c, buf, buf + 32, 2, 2, 2, -1, 1.0, NULL) == BTTB_EINVAL, "cols_first part >= nparts");
    CHECK(bttb_internal_cols_first(c, buf, buf + 32, 2, 0, 1, 2, 1.0, NULL) == BTTB_EINVAL, "cols_first bad direction");
    CHECK(bttb_internal_cols_first(c, buf, buf + 32, (size_t)1 << 62, 0, 1, -1, 1.0, NULL) == BTTB_EOVERFLOW, "cols_first width overflow");
    CHECK(bttb_internal_cols_first_work_size(c, 4) == 0, "cols_first work size, small output");
    CHECK(bttb_internal_cols_first_work_size(r, 1 << 20) == 0, "cols_first work size, r2c plan");
    CHECK(bttb_internal_cols_first_work_size(c, 1 << 20) > 0, "cols_first work size, 16 MiB output");
    bttb_plan_destroy(c);
    bttb_plan_destroy(r);
    bttb_plan_destroy(b);
}

/* bttb_internal_cols_breved: columns whose rows are stored in bit-reversed order, bit for bit
 * against bttb_execute_c2c_many on the columns of the un-permuted array; the columns in two
 * ranges (as the convolver's callers could split them), a row stride wider than the columns. */
static void test_cols_breved_case(size_t n1, size_t w, size_t ld, bttb_precision prec, int dir)
{
    size_t cs = csize(prec), i, j, half = w / 2;
    bttb_plan *pc = NULL;
    unsigned char *in, *ref, *out;
    double sc = dir == 1 ? 1.0 / (double)n1 : 2.0;
    int ok = 1;
    if (bttb_plan_create(&pc, BTTB_C2C, n1, prec, 0) != BTTB_OK) {
        CHECK(0, "cols_breved plan %zu", n1);
        return;
    }
    in = (unsigned char *)malloc(n1 * ld * cs);
    ref = (unsigned char *)malloc(n1 * ld * cs);
    out = (unsigned char *)malloc(n1 * ld * cs);
    for (j = 0; j < n1 * ld; j++) set_c(in, prec, j, rnd(), rnd());
    memcpy(ref, in, n1 * ld * cs);
    ok &= bttb_execute_c2c_many(pc, ref, dir, sc, w, (ptrdiff_t)ld, 1, NULL) == BTTB_OK;
    for (i = 0; i < n1; i++)   /* out row i <- in row rev(i) */
        memcpy(out + i * ld * cs, in + rev_naive(i, bttb_log2_size(n1)) * ld * cs, ld * cs);
    if (half)
        ok &= bttb_internal_cols_breved(pc, out, dir, sc, half, (ptrdiff_t)ld) == BTTB_OK;
    ok &= bttb_internal_cols_breved(pc, out + half * cs, dir, sc, w - half, (ptrdiff_t)ld) == BTTB_OK;
    /* columns past w are the bit-reversed rows of the input, untouched */
    for (i = 0; i < n1 && ld > w; i++)
        memcpy(ref + (i * ld + w) * cs, out + (i * ld + w) * cs, (ld - w) * cs);
    CHECK(ok && memcmp(out, ref, n1 * ld * cs) == 0,
          "cols_breved differs in bits: n1=%zu w=%zu ld=%zu %s dir=%d", n1, w, ld, pname(prec), dir);
    free(in); free(ref); free(out);
    bttb_plan_destroy(pc);
}

static void test_cols_breved(void)
{
    static const size_t sh[][3] = {{2, 1, 1}, {2, 3, 5}, {4, 16, 16}, {8, 33, 40}, {16, 257, 257},
                                   {256, 257, 257}, {512, 65, 80}, {1024, 17, 17}, {4096, 5, 5}};
    size_t a;
    int p, d;
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2)
            for (a = 0; a < sizeof sh / sizeof sh[0]; a++)
                test_cols_breved_case(sh[a][0], sh[a][1], sh[a][2], p ? BTTB_F32 : BTTB_F64, d);
    check_cols_errors(bttb_internal_cols_breved, "cols_breved");
}

/* bttb_internal_cols_dif: columns in natural order, the result's rows in bit-reversed order
 * (decimation in frequency, so other roundings): against bttb_execute_c2c_many on the same
 * columns, row i of the result holding row rev(i) of the reference, within a few ulps of the
 * largest value (the columns in two ranges, a row stride wider than the columns, whose extra
 * columns stay untouched).  bttb_execute_c2c_many itself is checked against a naive DFT above. */
static void test_cols_dif_case(size_t n1, size_t w, size_t ld, bttb_precision prec, int dir)
{
    size_t cs = csize(prec), i, j, c, half = w / 2;
    bttb_plan *pc = NULL;
    unsigned char *in, *ref, *out;
    double sc = dir == 1 ? 1.0 / (double)n1 : 2.0, emax = 0, vmax = 0;
    double tol = (prec == BTTB_F64 ? 2.2e-16 : 1.2e-7) * 8.0 * (double)(1 + bttb_log2_size(n1));
    int ok = 1;
    if (bttb_plan_create(&pc, BTTB_C2C, n1, prec, 0) != BTTB_OK) {
        CHECK(0, "cols_dif plan %zu", n1);
        return;
    }
    in = (unsigned char *)malloc(n1 * ld * cs);
    ref = (unsigned char *)malloc(n1 * ld * cs);
    out = (unsigned char *)malloc(n1 * ld * cs);
    for (j = 0; j < n1 * ld; j++) set_c(in, prec, j, rnd(), rnd());
    memcpy(ref, in, n1 * ld * cs);
    memcpy(out, in, n1 * ld * cs);
    ok &= bttb_execute_c2c_many(pc, ref, dir, sc, w, (ptrdiff_t)ld, 1, NULL) == BTTB_OK;
    if (half)
        ok &= bttb_internal_cols_dif(pc, out, dir, sc, half, (ptrdiff_t)ld) == BTTB_OK;
    ok &= bttb_internal_cols_dif(pc, out + half * cs, dir, sc, w - half, (ptrdiff_t)ld) == BTTB_OK;
    for (i = 0; i < n1; i++) {   /* out row i <-> ref row j = rev(i) */
        j = rev_naive(i, bttb_log2_size(n1));
        for (c = 0; c < w; c++) {
            double dr = get_re(out, prec, i * ld + c) - get_re(ref, prec, j * ld + c);
            double di = get_im(out, prec, i * ld + c) - get_im(ref, prec, j * ld + c);
            double vr = fabs(get_re(ref, prec, j * ld + c)), vi = fabs(get_im(ref, prec, j * ld + c));
            emax = fmax(emax, fmax(fabs(dr), fabs(di)));
            vmax = fmax(vmax, fmax(vr, vi));
        }
        for (c = w; c < ld; c++)
            ok &= get_re(out, prec, i * ld + c) == get_re(in, prec, i * ld + c)
                  && get_im(out, prec, i * ld + c) == get_im(in, prec, i * ld + c);
    }
    CHECK(ok && emax <= tol * vmax, "cols_dif: n1=%zu w=%zu ld=%zu %s dir=%d err %.3g of %.3g",
          n1, w, ld, pname(prec), dir, emax, vmax);
    free(in); free(ref); free(out);
    bttb_plan_destroy(pc);
}

static void test_cols_dif(void)
{
    static const size_t sh[][3] = {{2, 1, 1}, {2, 3, 5}, {4, 16, 16}, {8, 33, 40}, {16, 257, 257},
                                   {32, 7, 9}, {128, 12, 12}, {256, 257, 257}, {512, 65, 80},
                                   {1024, 17, 17}, {2048, 300, 300}, {4096, 5, 5}};
    size_t a;
    int p, d;
    for (p = 0; p < 2; p++)
        for (d = -1; d <= 1; d += 2)
            for (a = 0; a < sizeof sh / sizeof sh[0]; a++)
                test_cols_dif_case(sh[a][0], sh[a][1], sh[a][2], p ? BTTB_F32 : BTTB_F64, d);
    check_cols_errors(bttb_internal_cols_dif, "cols_dif");
}

/* ---------------------------------------------------------------------------------------- */
static void run_c2c_suite(int quick)
{
    int p;
    size_t L, n;
    static const size_t big[] = {4099, 65537, 12288, 1000000};
    for (p = 0; p < 2; p++) {
        bttb_precision prec = p ? BTTB_F32 : BTTB_F64;
        for (L = 0; L <= (g_quick ? 10u : 16u); L++)
            test_c2c_length((size_t)1 << L, prec, g_quick ? 128 : 2048);
        for (n = 1; n <= (quick ? 40u : 300u); n++)
            if (!bttb_is_pow2(n)) test_c2c_length(n, prec, 2048);
        for (n = 0; n < (quick ? 1u : sizeof big / sizeof big[0]); n++) test_c2c_length(big[n], prec, 4096);
    }
}

/* bttb_internal_rows_single: rows of floats widened, transformed in double and rounded once,
 * bit for bit against widening by hand, bttb_execute_c2c / r2c / c2r in double, and rounding;
 * rows with padding between them (idist/odist longer than a row), untouched padding. */
static void test_rows_single_case(bttb_kind kind, size_t n, int dir, size_t howmany)
{
    bttb_plan *p = NULL;
    size_t h = n / 2 + 1, na, nb, t, k;
    size_t ws;
    float *in, *out;
    double *a, *b, *pw;
    void *work;
    ptrdiff_t idist, odist;
    int ok = 1;
    double scale = 1.0 / (double)(n + 1);
    if (bttb_plan_create(&p, kind, n, BTTB_F64, 0) != BTTB_OK) {
        CHECK(0, "rows_single plan %zu", n);
        return;
    }
    na = kind == BTTB_C2C ? 2 * n : (dir == BTTB_FORWARD ? n : 2 * h);
    nb = kind == BTTB_C2C ? 2 * n : (dir == BTTB_FORWARD ? 2 * h : n);
    idist = (ptrdiff_t)(na + 3);
    odist = (ptrdiff_t)(nb + 5);
    ws = bttb_internal_rows_single_work_size(p, dir);
    in = malloc(sizeof(float) * (size_t)idist * howmany);
    out = malloc(sizeof(float) * (size_t)odist * howmany);
    a = malloc(sizeof(double) * na);
    b = malloc(sizeof(double) * nb);
    pw = bttb_plan_work_size(p) ? malloc(bttb_plan_work_size(p)) : NULL;
    work = malloc(ws + 1);
    for (k = 0; k < (size_t)idist * howmany; k++) in[k] = (float)rnd();
    for (k = 0; k < (size_t)odist * howmany; k++) out[k] = 12345.0f;
    /* any alignment of work */
    CHECK(ws > 0 && bttb_internal_rows_single(p, in, out, howmany, idist, odist, dir, scale,
                                              (char *)work + 1) == BTTB_OK,
          "rows_single %zu run", n);
    for (t = 0; t < howmany && ok; t++) {
        for (k = 0; k < na; k++) a[k] = (double)in[(ptrdiff_t)t * idist + (ptrdiff_t)k];
        if (kind == BTTB_C2C) bttb_execute_c2c(p, a, b, dir, scale, pw);
        else if (dir == BTTB_FORWARD) bttb_execute_r2c(p, a, b, scale, pw);
        else bttb_execute_c2r(p, a, b, scale, pw);
        for (k = 0; k < nb; k++)
            ok &= memcmp(&out[(ptrdiff_t)t * odist + (ptrdiff_t)k], &(float){(float)b[k]},
                         sizeof(float)) == 0;
        for (k = nb; k < (size_t)odist; k++) ok &= out[(ptrdiff_t)t * odist + (ptrdiff_t)k] == 12345.0f;
    }
    CHECK(ok, "rows_single kind %d n %zu dir %d howmany %zu: bits of widen, double, round",
          (int)kind, n, dir, howmany);
    free(in); free(out); free(a); free(b); free(pw); free(work);
    bttb_plan_destroy(p);
}

static void test_rows_single(void)
{
    static const size_t ns[] = {1, 2, 3, 7, 8, 12, 16, 64, 100, 1024, 2048, 4099};
    size_t i;
    int d;
    bttb_plan *p = NULL, *f = NULL;
    float buf[16] = {0};
    double wk[64];
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (d = -1; d <= 1; d += 2) {
            test_rows_single_case(BTTB_C2C, ns[i], d, 5);
            if (ns[i] >= 2 || d == BTTB_FORWARD) test_rows_single_case(BTTB_R2C, ns[i], d, 4);
        }
    /* errors */
    bttb_plan_create(&p, BTTB_C2C, 4, BTTB_F64, 0);
    bttb_plan_create(&f, BTTB_C2C, 4, BTTB_F32, 0);
    CHECK(bttb_internal_rows_single_work_size(f, -1) == 0, "rows_single work size, f32 plan");
    CHECK(bttb_internal_rows_single_work_size(p, 0) == 0, "rows_single work size, bad direction");
    CHECK(bttb_internal_rows_single(f, buf, buf + 8, 1, 8, 8, -1, 1.0, wk) == BTTB_EINVAL, "rows_single f32 plan");
    CHECK(bttb_internal_rows_single(p, buf, buf + 8, 1, 8, 8, 0, 1.0, wk) == BTTB_EINVAL, "rows_single bad direction");
    CHECK(bttb_internal_rows_single(p, buf, buf + 8, 1, 8, 8, -1, 1.0, NULL) == BTTB_EINVAL, "rows_single no work");
    CHECK(bttb_internal_rows_single(p, NULL, buf + 8, 1, 8, 8, -1, 1.0, wk) == BTTB_EINVAL, "rows_single NULL in");
    CHECK(bttb_internal_rows_single(p, buf, buf + 8, 0, 8, 8, -1, 1.0, NULL) == BTTB_OK, "rows_single howmany 0");
    CHECK(bttb_internal_rows_single(NULL, buf, buf + 8, 1, 8, 8, -1, 1.0, wk) == BTTB_EINVAL, "rows_single NULL plan");
    CHECK(bttb_internal_rows_single(p, buf, buf + 8, (size_t)PTRDIFF_MAX, PTRDIFF_MAX, 8, -1, 1.0, wk) == BTTB_EOVERFLOW,
          "rows_single offsets overflow");
    bttb_plan_destroy(p);
    bttb_plan_destroy(f);
}

/* The vector levels give the same bits (both use fused multiply-adds in one order): AVX2 and
 * forced AVX-512, c2c (contiguous, columns, Bluestein) and r2c, both precisions.  The scalar
 * baseline rounds each product separately (no FMA on the CPUs it is for), so it is only held to
 * the accuracy bounds, not to these bits. */
static void levels_case(int level, size_t n, bttb_precision prec, int real, unsigned char *out)
{
    const size_t cols = 3;
    size_t cs = csize(prec), j, m = real ? n / 2 + 1 : n;
    bttb_plan *plan = NULL;
    void *work = NULL;
    unsigned char *in = (unsigned char *)malloc(n * cols * cs);
    bttb_internal_set_simd(level);
    if (bttb_plan_create(&plan, real ? BTTB_R2C : BTTB_C2C, n, prec, 0) != BTTB_OK) {
        CHECK(0, "levels: plan n=%zu", n);
        free(in);
        return;
    }
    if (bttb_plan_work_size(plan)) work = malloc(bttb_plan_work_size(plan));
    rng_state = 0x9E3779B97F4A7C15ull;   /* the same input at every level */
    for (j = 0; j < n * cols; j++) set_c(in, prec, j, rnd(), rnd());
    if (real) {
        CHECK(bttb_execute_r2c(plan, in, out, 1.0, work) == BTTB_OK, "levels r2c");
    } else {
        CHECK(bttb_execute_c2c(plan, in, out, BTTB_FORWARD, 1.0, work) == BTTB_OK, "levels c2c");
        memcpy(out + m * cs, in, n * cols * cs);     /* and the columns of an n x cols array */
        CHECK(bttb_execute_c2c_many(plan, out + m * cs, BTTB_BACKWARD, 0.5, cols,
                                    (ptrdiff_t)cols, 1, work) == BTTB_OK, "levels many");
    }
    free(work);
    free(in);
    bttb_plan_destroy(plan);
}

static void test_levels_same_bits(void)
{
    static const size_t ns[] = {4, 16, 64, 1000, 1024, 4096, 65536};
    size_t a, bytes;
    int p, real;
    bttb_internal_set_simd(3);
    if (strcmp(bttb_simd_name(), "avx512") != 0) {   /* nothing to compare on this CPU */
        bttb_internal_set_simd(-1);
        return;
    }
    for (p = 0; p < 2; p++)
        for (real = 0; real < 2; real++)
            for (a = 0; a < sizeof ns / sizeof ns[0]; a++) {
                bttb_precision prec = p ? BTTB_F32 : BTTB_F64;
                unsigned char *x, *y;
                bytes = ns[a] * 4 * csize(prec);
                x = (unsigned char *)calloc(1, bytes);
                y = (unsigned char *)calloc(1, bytes);
                levels_case(2, ns[a], prec, real, x);
                levels_case(3, ns[a], prec, real, y);
                CHECK(memcmp(x, y, bytes) == 0, "AVX2 and AVX-512 bits differ: n=%zu %s %s",
                      ns[a], pname(prec), real ? "r2c" : "c2c");
                free(x);
                free(y);
            }
    bttb_internal_set_simd(-1);
}

int main(void)
{
    size_t n;
    int p, lvl;
    /* the SIMD levels, best first: each one available on this machine runs the suite.  -1 is
     * the automatic choice (on AMD Zen 4 it runs small contiguous transforms with the AVX2
     * kernels); 3 forces AVX-512 at every size, so its small-size kernels are tested there too
     * (on other AVX-512 CPUs it repeats -1) */
    static const int levels[] = {-1, 3, 2, 0};
    const char *prev = NULL;
    g_quick = getenv("BTTBFFT_TEST_QUICK") && getenv("BTTBFFT_TEST_QUICK")[0] != '\0' &&
              strcmp(getenv("BTTBFFT_TEST_QUICK"), "0") != 0;
    printf("bttbfft %s, SIMD: %s%s\n", bttb_version(), bttb_simd_name(), g_quick ? " (quick)" : "");
    test_errors();
    test_bitrev();
    test_rows_single();
    test_levels_same_bits();
    for (lvl = 0; lvl < 4; lvl++) {
        const char *name;
        bttb_internal_set_simd(levels[lvl]);
        name = bttb_simd_name();
        /* a level not available gives the name of the one before: skip it (forced AVX-512 runs
         * whenever the CPU has it) */
        if (prev && strcmp(prev, name) == 0 && levels[lvl] != 3) continue;
        if (levels[lvl] == 3 && strcmp(name, "avx512") != 0) continue;
        prev = name;
        printf("running the suite on the %s kernels%s\n", name, levels[lvl] == 3 ? " (forced at every size)" : "");
        run_c2c_suite(lvl != 0 || g_quick);
        test_many();
        test_bitexact();
        test_cols_align();
        test_fused2d();
        test_cols_breved();
        test_cols_dif();
        for (p = 0; p < 2; p++) {
            bttb_precision prec = p ? BTTB_F32 : BTTB_F64;
            for (n = 1; n <= (lvl == 0 ? 70u : 40u); n++) test_real_length(n, prec);
            if (!g_quick) {
                test_real_length(1000, prec);
                test_real_length(1024, prec);
                test_real_length(4097, prec);
                test_real_length(8192, prec);
                test_real_length((size_t)1 << 16, prec);
                test_real_length(65538, prec);
                test_real_length(65537, prec);
            }
            if (lvl == 0) test_real_many(prec);
        }
        printf("  %ld passed, %ld failed so far\n", n_pass, n_fail);
    }
    bttb_internal_set_simd(-1);
    printf("%ld passed, %ld failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}

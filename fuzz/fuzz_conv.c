/*
 * fuzz_conv.c -- libFuzzer harness: the circulant-embedding convolver with arbitrary shapes,
 * windows, tiles, methods and kernels.
 *
 * Invariants checked
 *   - unknown precision / type / method -> BTTB_EINVAL; a zero dimension -> BTTB_ESIZE; a window
 *     outside the full convolution -> BTTB_ESHAPE; a forced FFT tile that is not a power of two or
 *     is smaller than the kernel -> BTTB_ESIZE; m + k - 1 or an element count that overflows size_t
 *     -> BTTB_EOVERFLOW; the plan pointer is NULL after every failure;
 *   - a valid plan (k <= 12, m <= 40 per axis) executes howmany = 1..3 images with buffers and work
 *     space of exactly the documented size, never writes the input, and for finite input matches a
 *     naive long-double evaluation of the window within 8 * eps * log2(N1*N2) * ||h||_2 * ||x||_2
 *     (eps 1e-14 for double, 5e-6 for float: the accuracy bounds of SPEC.md);
 *   - NaN / inf input returns BTTB_OK (no crash, no hang).
 */
#include "fuzz_common.h"

static size_t small_dim(fz_reader *r, size_t maxv) { return (size_t)fz_u8(r) % maxv + 1; }

static void reference(const void *x, const void *h, int f32, int cplx, const size_t k[2],
                      const size_t m[2], const size_t s[2], const size_t o[2], long double *yr,
                      long double *yi)
{
    size_t i1, i2, j1, j2, e = cplx ? 2 : 1;
    for (i1 = 0; i1 < o[0]; i1++)
        for (i2 = 0; i2 < o[1]; i2++) {
            long double ar = 0, ai = 0;
            size_t f1 = s[0] + i1, f2 = s[1] + i2;
            for (j1 = 0; j1 < m[0]; j1++) {
                if (f1 < j1 || f1 - j1 >= k[0]) continue;
                for (j2 = 0; j2 < m[1]; j2++) {
                    size_t xi, hi;
                    long double xr, xim, hr, him;
                    if (f2 < j2 || f2 - j2 >= k[1]) continue;
                    xi = (j1 * m[1] + j2) * e;
                    hi = ((f1 - j1) * k[1] + (f2 - j2)) * e;
                    xr = fz_get(x, f32, xi);
                    hr = fz_get(h, f32, hi);
                    xim = cplx ? fz_get(x, f32, xi + 1) : 0;
                    him = cplx ? fz_get(h, f32, hi + 1) : 0;
                    ar += xr * hr - xim * him;
                    ai += xr * him + xim * hr;
                }
            }
            yr[i1 * o[1] + i2] = ar;
            yi[i1 * o[1] + i2] = ai;
        }
}

static long double l2(const void *b, int f32, size_t count)
{
    long double s = 0;
    size_t i;
    for (i = 0; i < count; i++) s += (long double)fz_get(b, f32, i) * fz_get(b, f32, i);
    return sqrtl(s);
}

static void hostile_sizes(fz_reader *r)
{
    /* sizes whose arithmetic overflows: never OK, never a crash */
    double h[4] = {1, 2, 3, 4};
    size_t big = (size_t)fz_u64(r) | ((size_t)1 << (sizeof(size_t) * 8 - 1));
    size_t half = ((size_t)1 << (sizeof(size_t) * 4)) + (fz_u8(r) & 7);
    size_t k[2] = {2, 2}, s[2] = {0, 0}, o[2] = {1, 1};
    size_t m1[2] = {big, 3}, m2[2] = {half, half}, m3[2] = {3, big};
    bttb_conv_plan *p = (bttb_conv_plan *)h;
    int meth = fz_u8(r) % 3;
    bttb_status st;
    st = bttb_conv_plan_create(&p, BTTB_F64, BTTB_REAL, h, k, m1, s, o, (bttb_conv_method)meth, NULL);
    FUZZ_CHECK(st == BTTB_EOVERFLOW && p == NULL, "m1=%zu (m+k-1 overflows): %d", big, (int)st);
    st = bttb_conv_plan_create(&p, BTTB_F64, BTTB_REAL, h, k, m3, s, o, (bttb_conv_method)meth, NULL);
    FUZZ_CHECK(st == BTTB_EOVERFLOW && p == NULL, "m2=%zu (m+k-1 overflows): %d", big, (int)st);
    st = bttb_conv_plan_create(&p, BTTB_F64, BTTB_COMPLEX, h, k, m2, s, o, (bttb_conv_method)meth,
                               NULL);
    FUZZ_CHECK(st == BTTB_EOVERFLOW && p == NULL, "m=%zux%zu (m1*m2 overflows): %d", half, half,
               (int)st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r;
    uint8_t b0, b1;
    int f32, cplx, meth_raw, mode, ax, expect_tile_err = 0, forced_tile = 0;
    size_t k[2], m[2], s[2], o[2], full[2], tile[2], *tilep = NULL, e, sc, kel, mel, oel, ws, howmany;
    bttb_precision prec;
    bttb_conv_type type;
    bttb_conv_method method;
    bttb_conv_plan *p;
    bttb_status st;
    void *h, *x, *x0, *y, *work = NULL;

    fz_init(&r, data, size);
    b0 = fz_u8(&r);
    b1 = fz_u8(&r);
    if ((b0 & 0xC0) == 0xC0) { /* a slice of inputs exercises the overflow paths */
        hostile_sizes(&r);
        return 0;
    }
    f32 = b0 & 1;
    cplx = (b0 >> 1) & 1;
    mode = (b0 >> 2) % 3;
    meth_raw = (b1 & 0x80) ? (int)(int8_t)fz_u8(&r) : (int)(b1 % 3);
    prec = f32 ? BTTB_F32 : BTTB_F64;
    type = cplx ? BTTB_COMPLEX : BTTB_REAL;
    if (b0 & 0x20) prec = (bttb_precision)(2 + fz_u8(&r) % 5);   /* invalid precision */
    method = (bttb_conv_method)meth_raw;
    for (ax = 0; ax < 2; ax++) {
        k[ax] = small_dim(&r, 12);
        m[ax] = small_dim(&r, 40);
        if ((b1 & 0x40) && fz_u8(&r) < 8) m[ax] = 0; /* zero dimension */
        full[ax] = m[ax] + k[ax] - 1;
    }
    /* window: usually inside the full result, sometimes one past it */
    for (ax = 0; ax < 2; ax++) {
        size_t fa = full[ax] ? full[ax] : 1;
        s[ax] = fz_u8(&r) % fa;
        o[ax] = fz_u8(&r) % (fa - s[ax]) + 1;
        if ((b1 & 0x20) && (fz_u8(&r) & 3) == 0) o[ax] += 1;
    }
    if (b1 & 0x10) { /* forced tile sizes */
        for (ax = 0; ax < 2; ax++) {
            uint8_t t = fz_u8(&r);
            tile[ax] = (t & 0x80) ? (size_t)(t & 0x7F) : (t & 0x40 ? 0 : ((size_t)1 << (t % 8)));
            if (tile[ax] != 0) {
                forced_tile = 1;
                if ((tile[ax] & (tile[ax] - 1)) != 0 || tile[ax] < k[ax]) expect_tile_err = 1;
            }
        }
        tilep = tile;
    }
    (void)forced_tile;
    sc = f32 ? sizeof(float) : sizeof(double);
    e = cplx ? 2 : 1;
    kel = k[0] * k[1] * e;
    mel = m[0] * m[1] * e;
    oel = o[0] * o[1] * e;
    h = fz_alloc(kel * sc);
    fz_fill(&r, mode, f32, h, kel);

    p = (bttb_conv_plan *)&r;
    st = bttb_conv_plan_create(&p, prec, type, h, k, m, s, o, method, tilep);
    if (prec != BTTB_F32 && prec != BTTB_F64) {
        FUZZ_CHECK(st == BTTB_EINVAL && p == NULL, "bad precision accepted: %d", (int)st);
    } else if (meth_raw < 0 || meth_raw > 2) {
        FUZZ_CHECK(st == BTTB_EINVAL && p == NULL, "bad method %d accepted: %d", meth_raw, (int)st);
    } else if (m[0] == 0 || m[1] == 0) {
        /* the axes are checked in order: an earlier axis may report its window first */
        FUZZ_CHECK((st == BTTB_ESIZE || st == BTTB_ESHAPE) && p == NULL,
                   "zero image dimension: %d", (int)st);
    } else if (s[0] + o[0] > full[0] || s[1] + o[1] > full[1]) {
        FUZZ_CHECK(st == BTTB_ESHAPE && p == NULL, "window outside the result accepted: %d",
                   (int)st);
    } else if (expect_tile_err && method == BTTB_CONV_FFT) {
        FUZZ_CHECK(st == BTTB_ESIZE && p == NULL, "bad tile %zux%zu for kernel %zux%zu: %d", tile[0],
                   tile[1], k[0], k[1], (int)st);
    } else if (expect_tile_err && method == BTTB_CONV_AUTO) {
        FUZZ_CHECK((st == BTTB_ESIZE && p == NULL) || st == BTTB_OK, "auto with bad tile: %d",
                   (int)st);
    } else {
        FUZZ_CHECK(st == BTTB_OK && p != NULL, "valid plan rejected: %s (k %zux%zu m %zux%zu s %zu,%zu"
                   " o %zux%zu method %d)", bttb_strerror(st), k[0], k[1], m[0], m[1], s[0], s[1],
                   o[0], o[1], meth_raw);
    }
    if (st != BTTB_OK) {
        FUZZ_CHECK(p == NULL, "plan not NULL after failure");
        free(h);
        return 0;
    }
    {
        bttb_conv_method got = bttb_conv_plan_method(p);
        size_t fs[2], nt[2];
        FUZZ_CHECK(got == BTTB_CONV_DIRECT || got == BTTB_CONV_FFT, "method query %d", (int)got);
        if (method != BTTB_CONV_AUTO) FUZZ_CHECK(got == method, "method %d became %d", meth_raw, (int)got);
        bttb_conv_plan_tiles(p, fs, nt);
        if (got == BTTB_CONV_FFT)
            FUZZ_CHECK(fs[0] >= 1 && fs[1] >= 1 && nt[0] >= 1 && nt[1] >= 1 &&
                           (fs[0] & (fs[0] - 1)) == 0 && (fs[1] & (fs[1] - 1)) == 0,
                       "tiles %zux%zu x %zux%zu", fs[0], fs[1], nt[0], nt[1]);
    }
    howmany = (size_t)fz_u8(&r) % 3 + 1;
    ws = bttb_conv_plan_work_size(p);
    if (ws) work = fz_alloc(ws);
    x = fz_alloc(howmany * mel * sc);
    x0 = fz_alloc(howmany * mel * sc);
    y = fz_alloc(howmany * oel * sc);
    fz_fill(&r, mode, f32, x, howmany * mel);
    memcpy(x0, x, howmany * mel * sc);
    st = bttb_conv_execute(p, x, y, howmany, work);
    FUZZ_CHECK(st == BTTB_OK, "conv_execute: %s", bttb_strerror(st));
    FUZZ_CHECK(memcmp(x, x0, howmany * mel * sc) == 0, "conv_execute modified its input");
    if (ws) FUZZ_CHECK(bttb_conv_execute(p, x, y, 1, NULL) == BTTB_EINVAL, "NULL work accepted");
    if (fz_all_finite(h, f32, kel) && fz_all_finite(x, f32, howmany * mel) &&
        fz_max_abs(h, f32, kel) < (f32 ? 1e15 : 1e140) &&
        fz_max_abs(x, f32, howmany * mel) < (f32 ? 1e15 : 1e140)) {
        size_t b, i, fs[2], nt[2];
        long double *yr = (long double *)fz_alloc(o[0] * o[1] * sizeof(long double));
        long double *yi = (long double *)fz_alloc(o[0] * o[1] * sizeof(long double));
        long double hn = l2(h, f32, kel);
        double tol;
        bttb_conv_plan_tiles(p, fs, nt);
        tol = (f32 ? 5e-6 : 1e-14) * 8.0 *
              fz_log2n(fs[0] && fs[1] ? fs[0] * fs[1] : k[0] * k[1] * 4);
        if (f32 && bttb_conv_plan_method(p) == BTTB_CONV_DIRECT) tol *= (double)(k[0] * k[1]) / 4 + 1;
        for (b = 0; b < howmany; b++) {
            const char *xb = (const char *)x + b * mel * sc;
            const char *yb = (const char *)y + b * oel * sc;
            long double bound = tol * hn * l2(xb, f32, mel), worst = 0;
            reference(xb, h, f32, cplx, k, m, s, o, yr, yi);
            for (i = 0; i < o[0] * o[1]; i++) {
                long double dr = fz_get(yb, f32, i * e) - yr[i];
                long double di = cplx ? fz_get(yb, f32, i * e + 1) - yi[i] : 0;
                long double d = sqrtl(dr * dr + di * di);
                if (d > worst) worst = d;
            }
            /* values far below the normal range lose relative accuracy: absolute slack */
            bound += (f32 ? 1e-36L : 1e-300L) * (long double)(k[0] * k[1]);
            /* a subnormal operand is only known to an absolute precision of the smallest
             * subnormal (FLT/DBL_TRUE_MIN); through an N-point embedding that error is scaled
             * by the norm of the other operand (kernel spectra keep that absolute error) */
            {
                long double nfft = (long double)(fs[0] && fs[1] ? fs[0] * fs[1] : k[0] * k[1] * 4);
                long double tmin = f32 ? 1.401298464324817e-45L : 4.940656458412465e-324L;
                bound += 8.0L * tmin * nfft * fz_log2n((size_t)nfft) * (hn + l2(xb, f32, mel));
            }
            FUZZ_CHECK(worst <= bound, "conv %s %s method %d k %zux%zu m %zux%zu s %zu,%zu o %zux%zu"
                       " tiles %zux%zu: error %.3Lg > bound %.3Lg (max|h| %.3g, max|x| %.3g)",
                       f32 ? "f32" : "f64", cplx ? "complex" : "real",
                       (int)bttb_conv_plan_method(p), k[0], k[1], m[0], m[1], s[0], s[1], o[0],
                       o[1], fs[0], fs[1], worst, bound, fz_max_abs(h, f32, kel),
                       fz_max_abs(xb, f32, mel));
        }
        free(yr);
        free(yi);
    }
    free(h);
    free(x);
    free(x0);
    free(y);
    free(work);
    bttb_conv_plan_destroy(p);
    return 0;
}

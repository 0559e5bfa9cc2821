/*
 * fuzz_execute.c -- libFuzzer harness: FFT execution on arbitrary data.
 *
 * The input picks a length (1..4096: powers of two, Bluestein lengths, real even/odd), a
 * precision, a data mode (well-scaled values, raw IEEE bit patterns with NaN/inf/denormals, or a
 * wide exponent range) and a layout (out of place, in place, c2c_many over rows or columns with
 * positive or negative strides, r2c/c2r many), then runs the transform with buffers and work space
 * of exactly the documented size (AddressSanitizer catches any overrun).
 *
 * Invariants checked
 *   - every call returns BTTB_OK and never writes outside its buffers; const inputs are unchanged;
 *   - finite input of moderate magnitude: forward then backward (scale 1/n) returns the input
 *     within 8x the accuracy bound of SPEC.md; for n <= 64 the forward result also matches a naive
 *     long-double DFT within that bound; c2c_many gives the same result as one c2c per line;
 *   - a NaN or inf in the input of a c2c or r2c transform shows up in the output (it is never
 *     silently dropped), and the call still returns.
 */
#include "fuzz_common.h"

static const long double PI_L = 3.141592653589793238462643383279502884L;

static void naive_dft(const void *x, int f32, size_t n, long double *yr, long double *yi)
{
    size_t k, j;
    for (k = 0; k < n; k++) {
        long double sr = 0, si = 0;
        for (j = 0; j < n; j++) {
            long double a = -2.0L * PI_L * (long double)((j * k) % n) / (long double)n;
            long double c = cosl(a), s = sinl(a);
            long double xr = fz_get(x, f32, 2 * j), xi = fz_get(x, f32, 2 * j + 1);
            sr += xr * c - xi * s;
            si += xr * s + xi * c;
        }
        yr[k] = sr;
        yi[k] = si;
    }
}

static int moderate(const void *x, int f32, size_t count)
{
    double m;
    if (!fz_all_finite(x, f32, count)) return 0;
    m = fz_max_abs(x, f32, count);
    /* no overflow of sums of n terms, and not so small that everything is subnormal */
    return f32 ? (m < 1e30 && m > 1e-25) : (m < 1e290 && m > 1e-250);
}

static int any_nonfinite(const void *x, int f32, size_t count) { return !fz_all_finite(x, f32, count); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r;
    uint8_t b0 = 0, b1 = 0;
    size_t n, sc, ws, count, i;
    int f32, mode, layout;
    bttb_kind kind;
    bttb_plan *p = NULL;
    void *work = NULL;
    bttb_status st;
    double tol;

    fz_init(&r, data, size);
    b0 = fz_u8(&r);
    b1 = fz_u8(&r);
    f32 = b0 & 1;
    mode = (b0 >> 1) % 3;
    layout = (b0 >> 3) % 6;
    if (b1 & 0x80) n = (size_t)1 << (b1 % 13);         /* powers of two up to 4096 */
    else n = (size_t)fz_u16(&r) % 1200 + 1;             /* any length (Bluestein, real odd/even) */
    kind = layout >= 4 ? BTTB_R2C : BTTB_C2C;
    sc = f32 ? sizeof(float) : sizeof(double);
    tol = (f32 ? 5e-6 : 1e-14) * fz_log2n(n) * 8.0;

    st = bttb_plan_create(&p, kind, n, f32 ? BTTB_F32 : BTTB_F64, 0);
    FUZZ_CHECK(st == BTTB_OK, "plan n=%zu: %s", n, bttb_strerror(st));
    ws = bttb_plan_work_size(p);
    if (ws) work = fz_alloc(ws);

    if (kind == BTTB_C2C && layout <= 1) {
        /* single transform, out of place (layout 0) or in place (layout 1) */
        void *x = fz_alloc(2 * n * sc), *x0 = fz_alloc(2 * n * sc), *y = fz_alloc(2 * n * sc);
        count = 2 * n;
        fz_fill(&r, mode, f32, x, count);
        memcpy(x0, x, count * sc);
        if (layout == 0) {
            st = bttb_execute_c2c(p, x, y, BTTB_FORWARD, 1.0, work);
            FUZZ_CHECK(memcmp(x, x0, count * sc) == 0, "c2c modified its const input");
        } else {
            memcpy(y, x, count * sc);
            st = bttb_execute_c2c(p, y, y, BTTB_FORWARD, 1.0, work);
        }
        FUZZ_CHECK(st == BTTB_OK, "c2c n=%zu: %d", n, (int)st);
        if (any_nonfinite(x0, f32, count))
            FUZZ_CHECK(any_nonfinite(y, f32, count), "NaN/inf in the input vanished (c2c n=%zu)", n);
        if (moderate(x0, f32, count)) {
            if (n <= 64) {
                long double yr[64], yi[64], num = 0, den = 0;
                naive_dft(x0, f32, n, yr, yi);
                for (i = 0; i < n; i++) {
                    long double dr = fz_get(y, f32, 2 * i) - yr[i], di = fz_get(y, f32, 2 * i + 1) - yi[i];
                    num += dr * dr + di * di;
                    den += yr[i] * yr[i] + yi[i] * yi[i];
                }
                if (den > 0)
                    FUZZ_CHECK(sqrtl(num / den) <= tol, "c2c n=%zu %s vs naive DFT: error %.3Lg > %.3g",
                               n, f32 ? "f32" : "f64", sqrtl(num / den), tol);
            }
            st = bttb_execute_c2c(p, y, y, BTTB_BACKWARD, 1.0 / (double)n, work);
            FUZZ_CHECK(st == BTTB_OK, "inverse c2c n=%zu: %d", n, (int)st);
            FUZZ_CHECK(fz_rel_l2(y, x0, f32, count) <= tol, "c2c round trip n=%zu %s: error %.3g",
                       n, f32 ? "f32" : "f64", fz_rel_l2(y, x0, f32, count));
        }
        free(x);
        free(x0);
        free(y);
    } else if (kind == BTTB_C2C) {
        /* c2c_many: howmany lines, rows (layout 2) or columns (layout 3), maybe reversed */
        size_t howmany = (size_t)fz_u8(&r) % 9 + 1, t;
        int neg = fz_u8(&r) & 1;
        ptrdiff_t stride, dist;
        void *buf, *ref, *one;
        char *base;
        count = 2 * n * howmany;
        if (layout == 2) { stride = 1; dist = (ptrdiff_t)n; }
        else { stride = (ptrdiff_t)howmany; dist = 1; }
        buf = fz_alloc(count * sc);
        ref = fz_alloc(count * sc);
        one = fz_alloc(2 * n * sc);
        fz_fill(&r, mode, f32, buf, count);
        memcpy(ref, buf, count * sc);
        base = (char *)buf;
        if (neg) { /* the same memory walked backwards along the transform axis */
            base += (ptrdiff_t)(n - 1) * stride * (ptrdiff_t)(2 * sc);
            stride = -stride;
        }
        st = bttb_execute_c2c_many(p, base, BTTB_FORWARD, 1.0, howmany, stride, dist, work);
        FUZZ_CHECK(st == BTTB_OK, "c2c_many n=%zu howmany=%zu stride=%td dist=%td: %d", n, howmany,
                   stride, dist, (int)st);
        /* reference: one transform per line, gathered and scattered by hand */
        for (t = 0; t < howmany; t++) {
            for (i = 0; i < n; i++) {
                ptrdiff_t off = (ptrdiff_t)t * dist + (ptrdiff_t)i * stride;
                const char *src = (const char *)ref + (base - (char *)buf) + off * (ptrdiff_t)(2 * sc);
                memcpy((char *)one + i * 2 * sc, src, 2 * sc);
            }
            {
                int inmod = moderate(one, f32, 2 * n), innf = any_nonfinite(one, f32, 2 * n);
                st = bttb_execute_c2c(p, one, one, BTTB_FORWARD, 1.0, work);
                FUZZ_CHECK(st == BTTB_OK, "c2c n=%zu: %d", n, (int)st);
                void *got = fz_alloc(2 * n * sc);
                for (i = 0; i < n; i++) {
                    ptrdiff_t off = (ptrdiff_t)t * dist + (ptrdiff_t)i * stride;
                    memcpy((char *)got + i * 2 * sc, base + off * (ptrdiff_t)(2 * sc), 2 * sc);
                }
                if (inmod)
                    FUZZ_CHECK(fz_rel_l2(got, one, f32, 2 * n) <= tol,
                               "c2c_many line %zu differs from c2c (n=%zu): %.3g", t, n,
                               fz_rel_l2(got, one, f32, 2 * n));
                else if (innf)
                    FUZZ_CHECK(any_nonfinite(got, f32, 2 * n), "NaN/inf vanished in c2c_many");
                free(got);
            }
        }
        free(buf);
        free(ref);
        free(one);
    } else {
        /* real transforms: r2c then c2r (layout 4: single, in place for c2r; 5: many) */
        size_t h = n / 2 + 1, howmany = layout == 5 ? (size_t)fz_u8(&r) % 5 + 1 : 1;
        void *x = fz_alloc(n * howmany * sc), *x0 = fz_alloc(n * howmany * sc);
        void *y = fz_alloc(2 * h * howmany * sc), *z = fz_alloc(2 * h * howmany * sc);
        count = n * howmany;
        fz_fill(&r, mode, f32, x, count);
        memcpy(x0, x, count * sc);
        if (layout == 4) st = bttb_execute_r2c(p, x, y, 1.0, work);
        else st = bttb_execute_r2c_many(p, x, y, 1.0, howmany, (ptrdiff_t)n, (ptrdiff_t)h, work);
        FUZZ_CHECK(st == BTTB_OK, "r2c n=%zu: %d", n, (int)st);
        FUZZ_CHECK(memcmp(x, x0, count * sc) == 0, "r2c modified its const input");
        if (any_nonfinite(x0, f32, count))
            FUZZ_CHECK(any_nonfinite(y, f32, 2 * h * howmany), "NaN/inf vanished (r2c n=%zu)", n);
        if (moderate(x0, f32, count)) {
            memcpy(z, y, 2 * h * howmany * sc);
            if (layout == 4) {
                st = bttb_execute_c2r(p, y, y, 1.0 / (double)n, work); /* in place */
                FUZZ_CHECK(st == BTTB_OK, "c2r n=%zu: %d", n, (int)st);
                FUZZ_CHECK(fz_rel_l2(y, x0, f32, n) <= tol, "r2c/c2r round trip n=%zu %s: %.3g", n,
                           f32 ? "f32" : "f64", fz_rel_l2(y, x0, f32, n));
            } else {
                void *w2 = fz_alloc(count * sc);
                st = bttb_execute_c2r_many(p, z, w2, 1.0 / (double)n, howmany, (ptrdiff_t)h,
                                           (ptrdiff_t)n, work);
                FUZZ_CHECK(st == BTTB_OK, "c2r_many n=%zu: %d", n, (int)st);
                FUZZ_CHECK(fz_rel_l2(w2, x0, f32, count) <= tol,
                           "r2c/c2r many round trip n=%zu %s: %.3g", n, f32 ? "f32" : "f64",
                           fz_rel_l2(w2, x0, f32, count));
                free(w2);
            }
        }
        free(x);
        free(x0);
        free(y);
        free(z);
    }
    free(work);
    bttb_plan_destroy(p);
    return 0;
}

/*
 * fuzz_plan.c -- libFuzzer harness: FFT plan creation with arbitrary sizes, kinds, precisions
 * and flags, plus the radix-2 helpers (bttb_next_pow2, bttb_is_pow2, bttb_bit_reverse).
 *
 * Invariants checked
 *   - invalid kind / precision / flags -> BTTB_EINVAL; n == 0 -> BTTB_ESIZE; on every failure the
 *     plan pointer is set to NULL;
 *   - sizes whose byte count cannot fit (n >= 2^59) -> BTTB_EOVERFLOW (or BTTB_ENOMEM), never OK
 *     and never a crash (KissFFT's CVE was an overflow in exactly this computation);
 *   - a valid plan (n <= 2^15 here, mostly <= 4096, to keep each input fast) reports its length, kind and
 *     precision, powers of two need no work space, and one forward + backward transform with
 *     scale 1/n returns the input (relative L2 error below 8x the accuracy bound of SPEC.md);
 *   - next_pow2 / is_pow2 agree with a reference computed bit by bit; bit_reverse applied twice
 *     is the identity for any element size and stride (negative strides included) and touches
 *     only the addressed elements.
 */
#include "fuzz_common.h"

static void check_roundtrip(const bttb_plan *p, fz_reader *r)
{
    size_t n = bttb_plan_length(p), ws = bttb_plan_work_size(p), i, count;
    int f32 = bttb_plan_precision(p) == BTTB_F32;
    size_t sc = f32 ? sizeof(float) : sizeof(double);
    void *work = ws ? fz_alloc(ws) : NULL;
    double tol = (f32 ? 5e-6 : 1e-14) * fz_log2n(n) * 8.0, e;
    bttb_status st;
    if (bttb_plan_kind(p) == BTTB_C2C) {
        void *x = fz_alloc(2 * n * sc), *y = fz_alloc(2 * n * sc);
        count = 2 * n;
        fz_fill(r, 0, f32, x, count);
        st = bttb_execute_c2c(p, x, y, BTTB_FORWARD, 1.0, work);
        FUZZ_CHECK(st == BTTB_OK, "execute_c2c n=%zu: %d", n, (int)st);
        st = bttb_execute_c2c(p, y, y, BTTB_BACKWARD, 1.0 / (double)n, work);
        FUZZ_CHECK(st == BTTB_OK, "execute_c2c in place n=%zu: %d", n, (int)st);
        e = fz_rel_l2(y, x, f32, count);
        FUZZ_CHECK(e <= tol, "c2c round trip n=%zu %s: error %.3g > %.3g", n, f32 ? "f32" : "f64",
                   e, tol);
        free(x);
        free(y);
    } else {
        size_t h = n / 2 + 1;
        void *x = fz_alloc(n * sc), *y = fz_alloc(2 * h * sc), *z = fz_alloc(n * sc);
        fz_fill(r, 0, f32, x, n);
        st = bttb_execute_r2c(p, x, y, 1.0, work);
        FUZZ_CHECK(st == BTTB_OK, "execute_r2c n=%zu: %d", n, (int)st);
        st = bttb_execute_c2r(p, y, z, 1.0 / (double)n, work);
        FUZZ_CHECK(st == BTTB_OK, "execute_c2r n=%zu: %d", n, (int)st);
        e = fz_rel_l2(z, x, f32, n);
        FUZZ_CHECK(e <= tol, "r2c/c2r round trip n=%zu %s: error %.3g > %.3g", n,
                   f32 ? "f32" : "f64", e, tol);
        /* wrong-kind calls are rejected */
        FUZZ_CHECK(bttb_execute_c2c(p, y, y, BTTB_FORWARD, 1.0, work) == BTTB_EKIND,
                   "c2c on an r2c plan not rejected");
        free(x);
        free(y);
        free(z);
    }
    (void)i;
    free(work);
}

static void check_helpers(fz_reader *r)
{
    uint64_t v = fz_u64(r);
    size_t n = (size_t)v, out = 12345, ref = 1;
    bttb_status st = bttb_next_pow2(n, &out);
    int is2 = n != 0 && (n & (n - 1)) == 0;
    FUZZ_CHECK(bttb_is_pow2(n) == is2, "is_pow2(%zu)", n);
    if (n == 0) {
        FUZZ_CHECK(st == BTTB_ESIZE, "next_pow2(0) -> %d", (int)st);
    } else if (n > ((size_t)1 << (sizeof(size_t) * 8 - 1))) {
        FUZZ_CHECK(st == BTTB_EOVERFLOW, "next_pow2(%zu) -> %d", n, (int)st);
    } else {
        while (ref < n) ref <<= 1;
        FUZZ_CHECK(st == BTTB_OK && out == ref, "next_pow2(%zu) = %zu, expected %zu", n, out, ref);
    }
    /* bit reversal: elem size 1..32, length 2^(0..10), stride |s| >= elem (may be negative) */
    {
        size_t es = (size_t)(fz_u8(r) % 32) + 1, L = fz_u8(r) % 11, len = (size_t)1 << L;
        size_t gap = fz_u8(r) % 8, as = es + gap, bytes, i;
        int neg = fz_u8(r) & 1;
        ptrdiff_t stride = neg ? -(ptrdiff_t)as : (ptrdiff_t)as;
        unsigned char *buf, *orig, *base;
        bytes = (len - 1) * as + es;
        buf = (unsigned char *)fz_alloc(bytes);
        orig = (unsigned char *)fz_alloc(bytes);
        for (i = 0; i < bytes; i++) buf[i] = (unsigned char)(i * 131 + fz_u8(r));
        memcpy(orig, buf, bytes);
        base = buf + (neg ? (len - 1) * as : 0);
        st = bttb_bit_reverse(base, len, es, stride);
        FUZZ_CHECK(st == BTTB_OK, "bit_reverse n=%zu es=%zu stride=%td: %d", len, es, stride,
                   (int)st);
        for (i = 0; i < len; i++) {
            size_t rv = 0, b;
            for (b = 0; b < L; b++) if (i >> b & 1) rv |= (size_t)1 << (L - 1 - b);
            FUZZ_CHECK(memcmp(base + (ptrdiff_t)i * stride,
                              orig + (base - buf) + (ptrdiff_t)rv * stride, es) == 0,
                       "bit_reverse moved element %zu wrongly (n=%zu es=%zu stride=%td)", i, len,
                       es, stride);
        }
        st = bttb_bit_reverse(base, len, es, stride);
        FUZZ_CHECK(st == BTTB_OK && memcmp(buf, orig, bytes) == 0,
                   "bit_reverse twice is not the identity (n=%zu es=%zu stride=%td)", len, es,
                   stride);
        /* an overlapping stride (|stride| < elem) is rejected when n > 1 */
        if (len > 1 && es > 1)
            FUZZ_CHECK(bttb_bit_reverse(buf, len, es, 1) == BTTB_EINVAL,
                       "overlapping bit_reverse accepted");
        free(buf);
        free(orig);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r;
    uint8_t sel, kb, pb;
    unsigned flags;
    int kind, prec;
    size_t n;
    bttb_plan *p = (bttb_plan *)&r; /* must be reset to NULL on failure */
    bttb_status st;

    fz_init(&r, data, size);
    sel = fz_u8(&r);
    kb = fz_u8(&r);
    pb = fz_u8(&r);
    /* mostly valid enums and flags, sometimes arbitrary ones */
    kind = (kb & 0x80) ? (int)(int8_t)kb : (kb & 1);
    prec = (pb & 0x80) ? (int)(int8_t)pb : (pb & 1);
    flags = (sel & 0x40) ? (unsigned)fz_u8(&r) << (fz_u8(&r) % 25) : 0u;
    switch (sel % 4) {
    case 0: /* arbitrary 64-bit size */
        n = (size_t)fz_u64(&r);
        break;
    case 1: /* huge: 2^59 .. 2^64-1 */
        n = (size_t)(fz_u64(&r) | ((uint64_t)1 << 59));
        break;
    default: /* small, the sizes that actually get planned */
        n = (size_t)fz_u16(&r) % 4097;
        break;
    }
    /* never plan an allocatable but enormous size (2^15 .. 2^59): that only measures malloc */
    if (n > 32768 && n < ((size_t)1 << 59)) n = n % 32769;

    st = bttb_plan_create(&p, (bttb_kind)kind, n, (bttb_precision)prec, flags);
    if (kind != BTTB_C2C && kind != BTTB_R2C) {
        FUZZ_CHECK(st == BTTB_EINVAL && p == NULL, "bad kind %d accepted: %d", kind, (int)st);
    } else if (prec != BTTB_F64 && prec != BTTB_F32) {
        FUZZ_CHECK(st == BTTB_EINVAL && p == NULL, "bad precision %d accepted: %d", prec, (int)st);
    } else if (flags != 0) {
        FUZZ_CHECK(st == BTTB_EINVAL && p == NULL, "flags %u accepted: %d", flags, (int)st);
    } else if (n == 0) {
        FUZZ_CHECK(st == BTTB_ESIZE && p == NULL, "n = 0 accepted: %d", (int)st);
    } else if (n >= ((size_t)1 << 59)) {
        FUZZ_CHECK((st == BTTB_EOVERFLOW || st == BTTB_ENOMEM) && p == NULL,
                   "huge n=%zu kind=%d prec=%d: status %d (expected EOVERFLOW)", n, kind, prec,
                   (int)st);
    } else {
        FUZZ_CHECK(st == BTTB_OK && p != NULL, "valid n=%zu kind=%d prec=%d rejected: %s", n, kind,
                   prec, bttb_strerror(st));
        FUZZ_CHECK(bttb_plan_length(p) == n && (int)bttb_plan_kind(p) == kind &&
                       (int)bttb_plan_precision(p) == prec && bttb_plan_memory(p) > 0,
                   "plan queries n=%zu", n);
        if (kind == BTTB_C2C && bttb_is_pow2(n))
            FUZZ_CHECK(bttb_plan_work_size(p) == 0, "power of two n=%zu needs work space", n);
        if (bttb_plan_work_size(p))
            FUZZ_CHECK(bttb_execute_c2c(p, &r, &r, BTTB_FORWARD, 1.0, NULL) ==
                           (kind == BTTB_C2C ? BTTB_EINVAL : BTTB_EKIND),
                       "missing work buffer not rejected");
        FUZZ_CHECK(bttb_execute_c2c(p, &r, &r, 0, 1.0, NULL) == BTTB_EINVAL ||
                       (kind == BTTB_R2C),
                   "direction 0 accepted");
        check_roundtrip(p, &r);
        bttb_plan_destroy(p);
    }
    FUZZ_CHECK(bttb_strerror((int)st) != NULL && bttb_strerror(-12345) != NULL, "strerror NULL");
    check_helpers(&r);
    return 0;
}

/*
 * fuzz_common.h -- helpers shared by the libFuzzer harnesses of bttbfft (fuzz/fuzz_*.c).
 *
 * A harness reads its parameters from the fuzz input with the byte reader below (reads past the
 * end give zeros, so every input is valid), calls the public API of include/bttbfft.h and checks
 * invariants.  A broken invariant calls FUZZ_FAIL, which prints the reason and aborts: libFuzzer
 * (or the plain replay driver fuzz/replay_main.c) then reports the input as a crash.
 */
#ifndef BTTB_FUZZ_COMMON_H
#define BTTB_FUZZ_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bttbfft.h"

#define FUZZ_FAIL(...)                                                                            \
    do {                                                                                          \
        fprintf(stderr, "FUZZ INVARIANT BROKEN at %s:%d: ", __FILE__, __LINE__);                  \
        fprintf(stderr, __VA_ARGS__);                                                             \
        fprintf(stderr, "\n");                                                                    \
        abort();                                                                                  \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                                                     \
    do {                                                                                          \
        if (!(cond)) FUZZ_FAIL(__VA_ARGS__);                                                      \
    } while (0)

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} fz_reader;

static inline void fz_init(fz_reader *r, const uint8_t *data, size_t size)
{
    r->p = data;
    r->n = size;
    r->pos = 0;
}

static inline uint8_t fz_u8(fz_reader *r) { return r->pos < r->n ? r->p[r->pos++] : 0; }

static inline uint16_t fz_u16(fz_reader *r)
{
    uint16_t v = fz_u8(r);
    return (uint16_t)(v | (uint16_t)fz_u8(r) << 8);
}

static inline uint64_t fz_u64(fz_reader *r)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++) v |= (uint64_t)fz_u8(r) << (8 * i);
    return v;
}

static inline size_t fz_remaining(const fz_reader *r) { return r->pos < r->n ? r->n - r->pos : 0; }

/* Fill `count` scalars (double or float) from the remaining bytes.  mode 0: small integers
 * scaled to [-1, 1) (well conditioned); mode 1: raw IEEE bit patterns (NaN, inf, denormals,
 * 1e308 ...); mode 2: wide dynamic range (mantissa from the input, exponent in [-300, 300] for
 * double or [-30, 30] for float).  Past the end of the input the values cycle a simple pattern. */
static inline void fz_fill(fz_reader *r, int mode, int is_f32, void *out, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        double v;
        if (fz_remaining(r) == 0) {
            v = (double)((int)(i * 37 % 17) - 8) / 8.0;
        } else if (mode == 1) {
            if (is_f32) {
                uint32_t b = (uint32_t)fz_u16(r) | (uint32_t)fz_u16(r) << 16;
                float f;
                memcpy(&f, &b, sizeof f);
                ((float *)out)[i] = f;
                continue;
            } else {
                uint64_t b = fz_u64(r);
                memcpy(&v, &b, sizeof v);
            }
        } else if (mode == 2) {
            int e = (int)(fz_u8(r) % 61) - 30;
            double mant = (double)(int16_t)fz_u16(r) / 32768.0;
            v = ldexp(mant, (is_f32 ? 1 : 10) * e / (is_f32 ? 3 : 1));
        } else {
            v = (double)(int16_t)fz_u16(r) / 32768.0;
        }
        if (is_f32) ((float *)out)[i] = (float)v;
        else ((double *)out)[i] = v;
    }
}

static inline double fz_get(const void *b, int is_f32, size_t i)
{
    return is_f32 ? (double)((const float *)b)[i] : ((const double *)b)[i];
}

/* 1 if every one of the `count` scalars is finite. */
static inline int fz_all_finite(const void *b, int is_f32, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (!isfinite(fz_get(b, is_f32, i))) return 0;
    return 1;
}

static inline double fz_max_abs(const void *b, int is_f32, size_t count)
{
    size_t i;
    double m = 0.0;
    for (i = 0; i < count; i++) {
        double a = fabs(fz_get(b, is_f32, i));
        if (a > m) m = a;
    }
    return m;
}

/* relative L2 distance ||a - b|| / ||b|| (absolute when b is zero), long double accumulation */
static inline double fz_rel_l2(const void *a, const void *b, int is_f32, size_t count)
{
    long double num = 0, den = 0;
    size_t i;
    for (i = 0; i < count; i++) {
        long double x = fz_get(a, is_f32, i), y = fz_get(b, is_f32, i);
        num += (x - y) * (x - y);
        den += y * y;
    }
    if (den == 0) return (double)sqrtl(num);
    return (double)sqrtl(num / den);
}

/* Allocation of exactly `bytes` bytes (so that AddressSanitizer sees any overrun); a NULL result
 * for bytes == 0 is replaced by a 1-byte block only when `need_ptr` is set. */
static inline void *fz_alloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) FUZZ_FAIL("malloc(%zu) failed in the harness", bytes);
    return p;
}

static inline double fz_log2n(size_t n)
{
    double l = n > 1 ? log2((double)n) : 1.0;
    return l < 1.0 ? 1.0 : l;
}

#endif /* BTTB_FUZZ_COMMON_H */

/*
 * bench_c.c -- the C core alone: in-place c2c (complex128 / complex64) and r2c (float64 /
 * float32, out of place from a fixed input: repeated in-place r2c would decay the data into
 * subnormals and time those) for n = 2^4 .. 2^max.  Prints the median time per transform (ns), GFLOPS
 * (5 n log2(n) / t for c2c, half of it for r2c) and the minimum.
 *   usage: bttbfft_bench [max_log2n] [f64|f32|c128|c64|r2c|r2c32|all]   (default: 22 all)
 *   (f64 = c128, f32 = c64, kept for compatibility).  BTTBFFT_SIMD=avx2|scalar caps the ISA.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bttbfft.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run(int maxl, bttb_kind kind, bttb_precision prec)
{
    int L;
    size_t cs = prec == BTTB_F32 ? 8 : 16;
    int real = kind == BTTB_R2C;
    printf("# bttbfft %s, SIMD %s, %s %s, forward\n", bttb_version(), bttb_simd_name(),
           real ? (prec == BTTB_F32 ? "float32" : "float64") : (prec == BTTB_F32 ? "complex64" : "complex128"),
           real ? "r2c (out of place, fixed input)" : "c2c in place");
    printf("%10s %14s %10s %14s\n", "n", "ns(median)", "GFLOPS", "ns(min)");
    for (L = 4; L <= maxl; L++) {
        size_t n = (size_t)1 << L, i;
        bttb_plan *plan = NULL;
        double *x, *y, times[15], t0, t1, med;
        long reps, r;
        int k;
        if (bttb_plan_create(&plan, kind, n, prec, 0) != BTTB_OK) exit(1);
        x = (double *)malloc((n + 2) * cs);
        y = (double *)malloc((n + 2) * cs);
        for (i = 0; i < (n + 2) * cs / sizeof(double); i++) x[i] = y[i] = 0.0;
        if (prec == BTTB_F32) for (i = 0; i < 2 * n; i++) ((float *)x)[i] = (float)((i * 7919) % 1000) * 1e-3f;
        else for (i = 0; i < 2 * n; i++) x[i] = (double)((i * 7919) % 1000) * 1e-3;
#define BENCH_CALL(rr)                                                                          \
        (real ? bttb_execute_r2c(plan, x, y, 1.0, NULL)                                         \
              : bttb_execute_c2c(plan, x, x, ((rr) & 1) ? BTTB_BACKWARD : BTTB_FORWARD,         \
                                 ((rr) & 1) ? 1.0 / (double)n : 1.0, NULL))
        /* calibrate repetitions to ~20 ms per sample */
        reps = 1;
        for (;;) {
            t0 = now();
            for (r = 0; r < reps; r++) BENCH_CALL(r);
            t1 = now();
            if (t1 - t0 > 0.02) break;
            reps *= 2;
        }
        for (k = 0; k < 15; k++) {
            t0 = now();
            for (r = 0; r < reps; r++) BENCH_CALL(r);
            t1 = now();
            times[k] = (t1 - t0) / (double)reps;
        }
#undef BENCH_CALL
        qsort(times, 15, sizeof(double), cmp);
        med = times[7];
        printf("%10zu %14.1f %10.2f %14.1f\n", n, med * 1e9,
               (real ? 2.5 : 5.0) * (double)n * L / med * 1e-9, times[0] * 1e9);
        fflush(stdout);
        free(x);
        free(y);
        bttb_plan_destroy(plan);
    }
}

int main(int argc, char **argv)
{
    int maxl = argc > 1 ? atoi(argv[1]) : 22;
    const char *what = argc > 2 ? argv[2] : "all";
    int all = strcmp(what, "all") == 0;
    if (all || !strcmp(what, "c128") || !strcmp(what, "f64")) run(maxl, BTTB_C2C, BTTB_F64);
    if (all || !strcmp(what, "c64") || !strcmp(what, "f32")) run(maxl, BTTB_C2C, BTTB_F32);
    if (all || !strcmp(what, "r2c")) run(maxl, BTTB_R2C, BTTB_F64);
    if (!strcmp(what, "r2c32")) run(maxl, BTTB_R2C, BTTB_F32);
    return 0;
}

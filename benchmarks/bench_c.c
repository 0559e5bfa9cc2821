/*
 * bench_c.c -- time bttb_execute_c2c (complex128, in place) for n = 2^4 .. 2^22.
 * Prints the median time per transform (ns) and GFLOPS = 5 n log2(n) / t.
 *   usage: bttbfft_bench [max_log2n] [f32]
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

int main(int argc, char **argv)
{
    int maxl = argc > 1 ? atoi(argv[1]) : 22, L;
    bttb_precision prec = (argc > 2 && strcmp(argv[2], "f32") == 0) ? BTTB_F32 : BTTB_F64;
    size_t cs = prec == BTTB_F32 ? 8 : 16;
    printf("# bttbfft %s, SIMD %s, %s, in-place c2c forward\n", bttb_version(), bttb_simd_name(),
           prec == BTTB_F32 ? "complex64" : "complex128");
    printf("%10s %14s %10s %14s\n", "n", "ns(median)", "GFLOPS", "ns(min)");
    for (L = 4; L <= maxl; L++) {
        size_t n = (size_t)1 << L, i;
        bttb_plan *plan = NULL;
        double *x, times[15], t0, t1, med;
        long reps, r;
        int k;
        if (bttb_plan_create(&plan, BTTB_C2C, n, prec, 0) != BTTB_OK) return 1;
        x = (double *)malloc(n * cs);
        for (i = 0; i < n * cs / sizeof(double); i++) x[i] = 0.0;
        if (prec == BTTB_F32) for (i = 0; i < 2 * n; i++) ((float *)x)[i] = (float)((i * 7919) % 1000) * 1e-3f;
        else for (i = 0; i < 2 * n; i++) x[i] = (double)((i * 7919) % 1000) * 1e-3;
        /* calibrate repetitions to ~20 ms per sample */
        reps = 1;
        for (;;) {
            t0 = now();
            for (r = 0; r < reps; r++) bttb_execute_c2c(plan, x, x, BTTB_FORWARD, 1.0 / (double)n, NULL);
            t1 = now();
            if (t1 - t0 > 0.02) break;
            reps *= 2;
        }
        for (k = 0; k < 15; k++) {
            t0 = now();
            for (r = 0; r < reps; r++)
                bttb_execute_c2c(plan, x, x, (r & 1) ? BTTB_BACKWARD : BTTB_FORWARD, 1.0, NULL);
            t1 = now();
            times[k] = (t1 - t0) / (double)reps;
        }
        qsort(times, 15, sizeof(double), cmp);
        med = times[7];
        printf("%10zu %14.1f %10.2f %14.1f\n", n, med * 1e9, 5.0 * (double)n * L / med * 1e-9,
               times[0] * 1e9);
        fflush(stdout);
        free(x);
        bttb_plan_destroy(plan);
    }
    return 0;
}

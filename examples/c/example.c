/*
 * example.c -- using the bttbfft C core: plan, work space, forward + backward, real transform.
 *
 *   cmake -S . -B build-c && cmake --build build-c && ./build-c/bttbfft_example
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bttbfft.h"

#define N 1024

int main(void)
{
    bttb_plan *plan = NULL, *rplan = NULL;
    bttb_status st;
    double *x = malloc(2 * N * sizeof(double));     /* N interleaved complex doubles */
    double *y = malloc(2 * N * sizeof(double));
    double *r = malloc(N * sizeof(double));         /* N reals                        */
    double *R = malloc(2 * (N / 2 + 1) * sizeof(double)); /* N/2+1 complex            */
    void *work = NULL;
    double err = 0.0;
    int j;

    /* 1. a complex plan of length N in double precision */
    st = bttb_plan_create(&plan, BTTB_C2C, N, BTTB_F64, 0);
    if (st != BTTB_OK) {
        fprintf(stderr, "bttb_plan_create: %s\n", bttb_strerror(st));
        return 1;
    }
    /* 2. scratch: 0 bytes for powers of two, but always ask (Bluestein lengths need some) */
    if (bttb_plan_work_size(plan) > 0) work = malloc(bttb_plan_work_size(plan));
    printf("bttbfft %s (%s kernels): n=%zu, work=%zu bytes, plan=%zu bytes\n", bttb_version(),
           bttb_simd_name(), bttb_plan_length(plan), bttb_plan_work_size(plan), bttb_plan_memory(plan));

    /* 3. forward (out of place), then backward in place with numpy's 1/n normalisation */
    for (j = 0; j < N; j++) { x[2 * j] = cos(0.1 * j); x[2 * j + 1] = sin(0.05 * j * j / N); }
    st = bttb_execute_c2c(plan, x, y, BTTB_FORWARD, 1.0, work);
    if (st == BTTB_OK) st = bttb_execute_c2c(plan, y, y, BTTB_BACKWARD, 1.0 / N, work);
    if (st != BTTB_OK) { fprintf(stderr, "execute: %s\n", bttb_strerror(st)); return 1; }

    /* 4. check the round trip */
    for (j = 0; j < 2 * N; j++) err = fmax(err, fabs(y[j] - x[j]));
    printf("complex round trip: max error %.3g\n", err);

    /* 5. real-to-complex: a cosine of frequency 5 gives N/2 at bin 5 */
    st = bttb_plan_create(&rplan, BTTB_R2C, N, BTTB_F64, 0);
    if (st != BTTB_OK) { fprintf(stderr, "r2c plan: %s\n", bttb_strerror(st)); return 1; }
    free(work);
    work = bttb_plan_work_size(rplan) ? malloc(bttb_plan_work_size(rplan)) : NULL;
    for (j = 0; j < N; j++) r[j] = cos(2.0 * 3.14159265358979323846 * 5.0 * j / N);
    st = bttb_execute_r2c(rplan, r, R, 1.0, work);
    if (st != BTTB_OK) { fprintf(stderr, "r2c: %s\n", bttb_strerror(st)); return 1; }
    printf("r2c: X[5] = %.6f %+.6fi (expected %d)\n", R[10], R[11], N / 2);

    /* 6. clean up */
    {
        int ok = err < 1e-12 && fabs(R[10] - N / 2) < 1e-9;
        bttb_plan_destroy(plan);
        bttb_plan_destroy(rplan);
        free(x); free(y); free(r); free(R); free(work);
        return ok ? 0 : 1;
    }
}

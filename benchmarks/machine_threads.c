/*
 * machine_threads.c -- what two threads can gain on this machine, independent of bttbfft.
 *
 * Times, in alternating rounds, the same fixed amount of work per thread on one thread and on two
 * threads (so two threads do twice the work), and prints the per-round two-thread scaling
 * 2 * t(1 thread) / t(2 threads): 2.0 when the two threads really run side by side, 1.0 when they
 * only share one core's resources.  Two kinds of work:
 *   throughput  ten independent multiply-add chains per thread (the arithmetic units kept busy,
 *               as in an FFT's butterflies): needs two cores' floating-point units;
 *   latency     one dependent multiply-add chain (one operation in flight): two hardware threads
 *               of one core (SMT siblings) run two of these side by side at full speed.
 * On a virtual machine whose two vCPUs are at times hyperthreads of one physical core (or share
 * it with another guest), the throughput scaling drops towards 1.0 while the latency scaling
 * stays at 2.0: the ceiling for any compute-bound code's two-thread speed-up in that round.
 * No memory traffic (everything lives in registers), no shared data.
 *
 * Then memory: one array pass done by one thread, then split in halves over two threads (the
 * same total work, so the scaling is t(1 thread) / t(2 threads) and the bandwidth is the bytes
 * read plus written per second):
 *   copy        memcpy of a 64 MiB array into another (like a 2-D FFT's row pass: read the
 *               input once, write the output once)
 *   update      x[i] = x[i] * a + b over a 64 MiB array in place (like a column pass: read and
 *               write the output once)
 * The two together are the memory floor of a complex128 fft2 of 2048^2 (64 MiB) that reads its
 * input once and then sweeps its output once: no such fft2 runs faster than their sum.
 *
 *   usage: bttbfft_machine_threads [rounds] [ms per thread] [MiB]
 *          (default: 15 rounds, 20 ms, 64 MiB)
 *
 * Compiled with -DBTTBFFT_MT_LIBRARY (-shared -fPIC) it is instead a small library for
 * benchmarks/bench_workers_ceiling.py, which times the throughput work in the same rounds as
 * fft2: double bttbfft_mt_time(int latency, long iters, int nthreads) (seconds).
 */
#define _POSIX_C_SOURCE 199309L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#ifndef BTTBFFT_MT_LIBRARY
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
#endif

typedef struct {
    int latency;        /* 1: one dependent chain, 0: ten independent chains */
    long iters;
    double result;      /* kept so the work cannot be optimised away */
} job;

static void *work(void *arg)
{
    job *j = (job *)arg;
    /* volatile loads keep the compiler from folding the constant recurrence */
    volatile double vm = 0.9999999, vc = 1e-7;
    double m = vm, c = vc;
    long k;
    if (j->latency) {
        double x = 1.0;
        for (k = 0; k < 10 * j->iters; k++) x = x * m + c;
        j->result = x;
    } else {
        double a0 = 1.0, a1 = 1.1, a2 = 1.2, a3 = 1.3, a4 = 1.4, a5 = 1.5, a6 = 1.6, a7 = 1.7,
               a8 = 1.8, a9 = 1.9;
        for (k = 0; k < j->iters; k++) {
            a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
            a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
            a8 = a8 * m + c; a9 = a9 * m + c;
        }
        j->result = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
    }
    return NULL;
}

/* Seconds for fn(a0) in the calling thread, side by side with fn(a1) in a second thread when
 * nthreads is 2 (thread start and join included). */
static double side_by_side(void *(*fn)(void *), void *a0, void *a1, int nthreads)
{
    pthread_t t;
    double t0 = now();
    if (nthreads == 2 && pthread_create(&t, NULL, fn, a1) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        exit(1);
    }
    fn(a0);
    if (nthreads == 2) pthread_join(t, NULL);
    return now() - t0;
}

/* Seconds for `nthreads` threads each doing the job (the calling thread is one of them). */
static double timed(int latency, long iters, int nthreads)
{
    job jobs[2] = {{latency, iters, 0.0}, {latency, iters, 0.0}};
    double t = side_by_side(work, &jobs[0], &jobs[1], nthreads);
    if (jobs[0].result == 12345.678) printf("%g\n", jobs[1].result);   /* never true */
    return t;
}

#ifdef BTTBFFT_MT_LIBRARY
double bttbfft_mt_time(int latency, long iters, int nthreads);
double bttbfft_mt_time(int latency, long iters, int nthreads)
{
    return timed(latency != 0, iters, nthreads == 2 ? 2 : 1);
}
#else
typedef struct {
    int update;         /* 1: in-place update of dst, 0: copy src -> dst */
    double *dst;
    const double *src;
    size_t n;
} mem_job;

static void *mem_work(void *arg)
{
    mem_job *j = (mem_job *)arg;
    size_t i;
    if (j->update) {
        for (i = 0; i < j->n; i++) j->dst[i] = j->dst[i] * 0.9999999 + 1e-9;
    } else {
        memcpy(j->dst, j->src, j->n * sizeof(double));
    }
    return NULL;
}

/* Seconds for one pass over n doubles, split over nthreads (1 or 2). */
static double mem_timed(int update, double *dst, const double *src, size_t n, int nthreads)
{
    size_t h = nthreads == 2 ? n / 2 : n;
    mem_job jobs[2];
    jobs[0].update = jobs[1].update = update;
    jobs[0].dst = dst; jobs[0].src = src; jobs[0].n = h;
    jobs[1].dst = dst + h; jobs[1].src = src + h; jobs[1].n = n - h;
    return side_by_side(mem_work, &jobs[0], &jobs[1], nthreads);
}

static void report(const char *name, int width, double *s, int rounds)
{
    int r, above;
    for (r = 0, above = 0; r < rounds; r++) above += s[r] >= 1.6;
    qsort(s, (size_t)rounds, sizeof(double), cmp);
    printf("%-*s median %.2f  min %.2f  max %.2f  (rounds >= 1.6: %d of %d)\n", width, name,
           s[rounds / 2], s[0], s[rounds - 1], above, rounds);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 15, r, kind;
    double ms = argc > 2 ? atof(argv[2]) : 20.0;
    long mib = argc > 3 ? atol(argv[3]) : 64;
    const char *names[2] = {"throughput (10 independent chains)", "latency (1 dependent chain)"};
    const char *mnames[2] = {"copy", "update"};
    size_t n, i;
    double *a, *b;
    if (rounds < 1 || rounds > 1000 || !(ms > 0) || mib < 1 || mib > 4096) {
        fprintf(stderr, "usage: %s [rounds 1..1000] [ms per thread > 0] [MiB 1..4096]\n",
                argv[0]);
        return 2;
    }
    printf("# two-thread scaling 2*t1/t2 per round (2.0 = two full cores), %d rounds\n", rounds);
    for (kind = 0; kind < 2; kind++) {
        double *s = (double *)malloc((size_t)rounds * sizeof(double));
        long iters = 1000;
        double t;
        if (!s) return 1;
        /* calibrate: iterations for about `ms` milliseconds on one thread */
        while ((t = timed(kind, iters, 1)) < 1e-3 * ms / 4) iters *= 2;
        iters = (long)((double)iters * (1e-3 * ms) / t) + 1;
        for (r = 0; r < rounds; r++) {
            double t1 = timed(kind, iters, 1), t2 = timed(kind, iters, 2);
            s[r] = 2.0 * t1 / t2;
        }
        report(names[kind], 36, s, rounds);
        free(s);
    }

    n = (size_t)mib << 17;   /* doubles */
    a = (double *)malloc(n * sizeof(double));
    b = (double *)malloc(n * sizeof(double));
    if (!a || !b) return 1;
    for (i = 0; i < n; i++) { a[i] = (double)(i % 1000); b[i] = 0.0; }
    printf("# memory, %ld MiB arrays: one pass on 1 thread, then split over 2 (same work); "
           "medians\n", mib);
    for (kind = 0; kind < 2; kind++) {
        double *s = (double *)malloc((size_t)rounds * sizeof(double));
        double *t1 = (double *)malloc((size_t)rounds * sizeof(double));
        double *t2 = (double *)malloc((size_t)rounds * sizeof(double));
        double bytes = 2.0 * (double)n * sizeof(double), m1, m2;
        if (!s || !t1 || !t2) return 1;
        mem_timed(kind, b, a, n, 1);   /* first touch */
        for (r = 0; r < rounds; r++) {
            t1[r] = mem_timed(kind, b, a, n, 1);
            t2[r] = mem_timed(kind, b, a, n, 2);
            s[r] = t1[r] / t2[r];
        }
        qsort(t1, (size_t)rounds, sizeof(double), cmp);
        qsort(t2, (size_t)rounds, sizeof(double), cmp);
        m1 = t1[rounds / 2];
        m2 = t2[rounds / 2];
        printf("%-6s 1 thread %7.2f ms (%5.1f GB/s), 2 threads %7.2f ms (%5.1f GB/s); ",
               mnames[kind], 1e3 * m1, bytes / m1 * 1e-9, 1e3 * m2, bytes / m2 * 1e-9);
        report("scaling", 7, s, rounds);
        free(s); free(t1); free(t2);
    }
    free(a);
    free(b);
    return 0;
}
#endif

/*
 * bttb_conv_tmpl.h -- convolver kernels, written once and instantiated by src/bttb_conv.c for
 * every (scalar type, real/complex) pair.  Not a public header; no include guard on purpose.
 *
 * Parameters (defined by the includer, undefined at the end of this file):
 *   CONV_T      scalar type: double or float
 *   CONV_CPLX   0 for real data, 1 for complex data (interleaved re, im)
 *   CONV_SUF    suffix naming this instantiation (e.g. d_real, f_cplx)
 *   CONV_PSUF   suffix naming the precision alone (d or f); the precision-only kernels (complex
 *               spectrum products) are emitted by the CONV_CPLX == 1 instantiation only.
 *   CONV_ATTR   (optional) function attributes, e.g. __attribute__((target("avx2,fma"))) for the
 *               runtime-dispatched SIMD instantiations; empty by default.
 *   CONV_SKIP_DIRECT (optional) defined: do not emit conv_direct (the includer has its own).
 *   CONV_BLKS   (optional) scalars per register block of the direct interior loop (default 16;
 *               the AVX2/AVX-512 instantiations use 32 so that enough independent accumulators
 *               hide the FMA latency).
 *
 * The includer has defined `struct conv_geom` (sizes of one problem).
 */
#ifndef CONV_ATTR
#define CONV_ATTR
#endif
#ifndef CONV_BLKS
#define CONV_BLKS 16
#endif
#define CONV_CAT_(a, b) a##_##b
#define CONV_CAT(a, b) CONV_CAT_(a, b)
#define CONV_FN(name) CONV_CAT(name, CONV_SUF)
#define CONV_PFN(name) CONV_CAT(name, CONV_PSUF)

/* out[t] += h * x[t] for t < n (elements of CONV_CPLX+1 scalars): one kernel tap over a run. */
CONV_ATTR static void CONV_FN(conv_axpy)(CONV_T *restrict op, const CONV_T *restrict xp,
                               const CONV_T *restrict hp, size_t n)
{
    size_t t;
#if CONV_CPLX
    const CONV_T hr = hp[0], hi = hp[1];
    for (t = 0; t < n; t++) {
        const CONV_T xr = xp[2 * t], xi = xp[2 * t + 1];
        op[2 * t] += hr * xr - hi * xi;
        op[2 * t + 1] += hr * xi + hi * xr;
    }
#else
    const CONV_T hv = hp[0];
    for (t = 0; t < n; t++)
        op[t] += hv * xp[t];
#endif
}

/* Elements per register block of the interior loop (CONV_BLKS scalars). */
#define CONV_BLK (CONV_BLKS / (CONV_CPLX + 1))

/* Direct (spatial) convolution of one image, only the window is computed:
 *   out[i1, i2] = full[s1+i1, s2+i2],  full[a1, a2] = sum h[r, c] * x[a1-r, a2-c].
 * For each window row and kernel row r: the interior columns (where every kernel column
 * contributes) are computed in register blocks of CONV_BLK outputs, the sum over the kernel
 * columns kept in accumulators (one store per output and kernel row); the border columns use
 * one unit-stride axpy per kernel tap.  Both inner loops vectorise. */
#ifndef CONV_SKIP_DIRECT
CONV_ATTR static void CONV_FN(conv_direct)(const struct conv_geom *g, const CONV_T *restrict h,
                                 const CONV_T *restrict x, CONV_T *restrict out)
{
    enum { E = CONV_CPLX + 1 };
    const size_t k1 = g->k[0], k2 = g->k[1], m1 = g->m[0], m2 = g->m[1];
    const size_t s1 = g->s[0], s2 = g->s[1], o1 = g->o[0], o2 = g->o[1];
    const size_t e2 = s2 + o2;   /* end of the window's columns in full coordinates */
    /* interior full columns [ilo, ihi): k2-1 <= a2 < m2, inside the window; blocked part
     * [ilo, ihb) */
    const size_t ilo = s2 > k2 - 1 ? s2 : k2 - 1;
    const size_t ihi = e2 < m2 ? e2 : m2;
    const size_t ihb = ihi > ilo ? ilo + (ihi - ilo) / CONV_BLK * CONV_BLK : ilo;
    size_t i1, r, c, t, a2;

    for (i1 = 0; i1 < o1; i1++) {
        const size_t a1 = s1 + i1;                          /* row of the full result   */
        const size_t r_lo = a1 >= m1 ? a1 - m1 + 1 : 0;     /* so that a1 - r < m1      */
        const size_t r_hi = a1 < k1 - 1 ? a1 : k1 - 1;      /* so that a1 - r >= 0      */
        CONV_T *restrict orow = out + i1 * o2 * E;

        for (t = 0; t < o2 * E; t++)
            orow[t] = 0;
        for (r = r_lo; r <= r_hi; r++) {
            const CONV_T *restrict xrow = x + (a1 - r) * m2 * E;
            const CONV_T *restrict hrow = h + r * k2 * E;
            for (a2 = ilo; a2 < ihb; a2 += CONV_BLK) {
                CONV_T acc[CONV_BLKS] = {0};
                CONV_T *restrict op = orow + (a2 - s2) * E;
                for (c = 0; c < k2; c++) {
                    const CONV_T *restrict xp = xrow + (a2 - c) * E;
#if CONV_CPLX
                    const CONV_T hr = hrow[2 * c], hi = hrow[2 * c + 1];
                    for (t = 0; t < CONV_BLK; t++) {
                        acc[2 * t] += hr * xp[2 * t] - hi * xp[2 * t + 1];
                        acc[2 * t + 1] += hr * xp[2 * t + 1] + hi * xp[2 * t];
                    }
#else
                    const CONV_T hv = hrow[c];
                    for (t = 0; t < CONV_BLK; t++)
                        acc[t] += hv * xp[t];
#endif
                }
                for (t = 0; t < CONV_BLKS; t++)
                    op[t] += acc[t];
            }
            for (c = 0; c < k2; c++) {
                /* full columns a2 with 0 <= a2 - c < m2, inside the window, minus [ilo, ihb) */
                const size_t lo = s2 > c ? s2 : c;
                const size_t hi = e2 < c + m2 ? e2 : c + m2;
                const size_t cut1 = hi < ilo ? hi : ilo;    /* [lo, cut1) before the blocks */
                const size_t cut2 = lo > ihb ? lo : ihb;    /* [cut2, hi) after the blocks  */
                if (lo >= hi)
                    continue;
                if (ihb == ilo) {
                    CONV_FN(conv_axpy)(orow + (lo - s2) * E, xrow + (lo - c) * E, hrow + c * E,
                                       hi - lo);
                    continue;
                }
                if (cut1 > lo)
                    CONV_FN(conv_axpy)(orow + (lo - s2) * E, xrow + (lo - c) * E, hrow + c * E,
                                       cut1 - lo);
                if (hi > cut2)
                    CONV_FN(conv_axpy)(orow + (cut2 - s2) * E, xrow + (cut2 - c) * E,
                                       hrow + c * E, hi - cut2);
            }
        }
    }
}

#endif /* CONV_SKIP_DIRECT */
#undef CONV_BLK

#if CONV_CPLX
/* An n1 x ld tile spectrum (rows ld complex apart) times f * spec[i, j*r2] (spec rows sld
 * complex apart), in place: the pointwise product of two spectra whose rows are stored in the
 * same order (r2 == 1 and f == 1, the main shape: contiguous loops the compiler vectorises). */
CONV_ATTR static void CONV_PFN(conv_spec_mul)(CONV_T *restrict buf, size_t ld,
                                            const CONV_T *restrict spec, size_t sld, size_t n1,
                                            size_t r2, CONV_T f)
{
    size_t i, j;
    for (i = 0; i < n1; i++) {
        CONV_T *restrict b = buf + 2 * i * ld;
        const CONV_T *restrict s = spec + 2 * i * sld;
        if (r2 == 1 && f == 1) {
            for (j = 0; j < ld; j++) {
                const CONV_T ar = b[2 * j], ai = b[2 * j + 1];
                const CONV_T br = s[2 * j], bi = s[2 * j + 1];
                b[2 * j] = ar * br - ai * bi;
                b[2 * j + 1] = ar * bi + ai * br;
            }
        } else {
            for (j = 0; j < ld; j++) {
                const CONV_T ar = b[2 * j], ai = b[2 * j + 1];
                const CONV_T br = f * s[2 * j * r2], bi = f * s[2 * j * r2 + 1];
                b[2 * j] = ar * br - ai * bi;
                b[2 * j + 1] = ar * bi + ai * br;
            }
        }
    }
}
#endif

#undef CONV_FN
#undef CONV_PFN
#undef CONV_CAT
#undef CONV_CAT_
#undef CONV_T
#undef CONV_CPLX
#undef CONV_SUF
#undef CONV_PSUF
#undef CONV_ATTR
#undef CONV_BLKS
#undef CONV_SKIP_DIRECT

/*
 * bttb_fft_tmpl.h -- the FFT kernels, written once and instantiated by src/bttb_fft.c for each
 * (precision, instruction set) pair.  Not a normal header: it has no include guard and expects
 * these macros to be defined by the includer (they are #undef'd again by the includer):
 *
 *   R            real type (double or float)
 *   CPX          interleaved complex struct { R re, im; } of that precision
 *   SFX(name)    name mangled for this instantiation (e.g. name##_d_avx2)
 *   SCL(name)    name mangled for the scalar instantiation of the same precision (fallback for
 *                spans shorter than one vector)
 *   TMPL_TARGET  function attribute selecting the instruction set (empty for the baseline)
 *   TMPL_SCALAR  1 for the scalar (baseline) instantiation, 0 for a SIMD one
 *   BITREV_TILED tiled in-place bit reversal for arrays of CPX (defined in bttb_fft.c)
 *   VL, VT       complex numbers per vector and the vector type; vector operations:
 *   V_LD(p), V_ST(p, v)         unaligned load/store of VL complex numbers at CPX *p
 *   V_ADD(a, b), V_SUB(a, b)
 *   V_SCALE(a, s)               a * s, s a real scalar
 *   V_CMUL(a, w), V_CMULJ(a, w) a * w, a * conj(w)   (element-wise complex)
 *   V_CMULD(a, wr, wi), V_CMULJD  the same with w given split and duplicated: wr holds
 *                               (w.re, w.re) pairs, wi holds (w.im, w.im) pairs
 *   V_MULNI(a), V_MULI(a)       -i * a, i * a
 *   V_BCAST(c)                  a vector holding the complex scalar c (a CPX) in every lane
 *
 * Conventions: forward twiddles are stored (exp(-2 pi i k / L)); inverse transforms multiply by
 * their conjugates.  `inv` and `sc` (apply scale) are compile-time constants at every call site of
 * the always-inline kernels, so each combination is compiled into its own loop.
 */

/* ------------------------------------------------------------------------------------------ */
/* Scalar complex helpers                                                                       */
/* ------------------------------------------------------------------------------------------ */
#define TF static TMPL_TARGET
#define TI static TMPL_TARGET BTTB_ALWAYS_INLINE

TI CPX SFX(c_add)(CPX a, CPX b) { CPX r; r.re = a.re + b.re; r.im = a.im + b.im; return r; }
TI CPX SFX(c_sub)(CPX a, CPX b) { CPX r; r.re = a.re - b.re; r.im = a.im - b.im; return r; }
TI CPX SFX(c_scale)(CPX a, R s) { CPX r; r.re = a.re * s; r.im = a.im * s; return r; }
#if TMPL_SCALAR
TI CPX SFX(c_mul)(CPX a, CPX w)
{
    CPX r; r.re = a.re * w.re - a.im * w.im; r.im = a.re * w.im + a.im * w.re; return r;
}
TI CPX SFX(c_mulj)(CPX a, CPX w) /* a * conj(w) */
{
    CPX r; r.re = a.re * w.re + a.im * w.im; r.im = a.im * w.re - a.re * w.im; return r;
}
#else
/* SIMD instantiations: exactly the arithmetic of one lane of V_CMUL / V_CMULJ (fmaddsub /
 * fmsubadd of a * w.re with the rounded product of the swapped a and w.im), with explicit fused
 * multiply-adds, so a complex number computed by a scalar remainder loop has the same bits as one
 * computed in a vector lane (whatever -ffp-contract says). */
TI CPX SFX(c_mul)(CPX a, CPX w)
{
    CPX r; r.re = TMPL_FMA(a.re, w.re, -(a.im * w.im)); r.im = TMPL_FMA(a.im, w.re, a.re * w.im); return r;
}
TI CPX SFX(c_mulj)(CPX a, CPX w) /* a * conj(w) */
{
    CPX r; r.re = TMPL_FMA(a.re, w.re, a.im * w.im); r.im = TMPL_FMA(a.im, w.re, -(a.re * w.im)); return r;
}
#endif
TI CPX SFX(c_muld)(CPX a, CPX wr, CPX wi)
{
    CPX w; w.re = wr.re; w.im = wi.re; return SFX(c_mul)(a, w);
}
TI CPX SFX(c_muljd)(CPX a, CPX wr, CPX wi)
{
    CPX w; w.re = wr.re; w.im = wi.re; return SFX(c_mulj)(a, w);
}
TI CPX SFX(c_mulni)(CPX a) { CPX r; r.re = a.im; r.im = -a.re; return r; } /* -i a */
TI CPX SFX(c_muli)(CPX a) { CPX r; r.re = -a.im; r.im = a.re; return r; }  /*  i a */
TI CPX SFX(c_conj)(CPX a) { a.im = -a.im; return a; }

#define C_ADD SFX(c_add)
#define C_SUB SFX(c_sub)
#define C_SCALE SFX(c_scale)
#define C_MUL SFX(c_mul)
#define C_MULJ SFX(c_mulj)
#define C_CONJ SFX(c_conj)
/* twiddle multiply in the transform's direction, and multiply by the 4th root of unity w4 */
#define C_TW(a, w, inv) ((inv) ? SFX(c_mulj)(a, w) : SFX(c_mul)(a, w))
#define C_W4(a, inv) ((inv) ? SFX(c_muli)(a) : SFX(c_mulni)(a))
#define V_TW(a, w, inv) ((inv) ? V_CMULJ(a, w) : V_CMUL(a, w))
#define V_TWD(a, wr, wi, inv) ((inv) ? V_CMULJD(a, wr, wi) : V_CMULD(a, wr, wi))
#define V_W4(a, inv) ((inv) ? V_MULI(a) : V_MULNI(a))

/* ------------------------------------------------------------------------------------------ */
/* Contiguous passes                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* 4-point DFT (the first two stages, trivial twiddles) in place on *p0..*p3, which hold the
 * inputs in bit-reversed order and receive the DFT in natural order. */
TI void SFX(dft4_at)(CPX *restrict p0, CPX *restrict p1, CPX *restrict p2, CPX *restrict p3,
                     const int inv, const int sc, R s)
{
    CPX a0 = *p0, a1 = *p2, a2 = *p1, a3 = *p3;
    CPX b0 = C_ADD(a0, a2), b1 = C_SUB(a0, a2), b2 = C_ADD(a1, a3);
    CPX b3 = C_W4(C_SUB(a1, a3), inv);
    CPX y0 = C_ADD(b0, b2), y2 = C_SUB(b0, b2), y1 = C_ADD(b1, b3), y3 = C_SUB(b1, b3);
    if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); y2 = C_SCALE(y2, s); y3 = C_SCALE(y3, s); }
    *p0 = y0; *p1 = y1; *p2 = y2; *p3 = y3;
}

/* First two stages (trivial twiddles), in place: a 4-point DFT on each block of 4. */
TI void SFX(k_first4)(CPX *restrict x, size_t n, const int inv, const int sc, R s)
{
    size_t k;
    for (k = 0; k < n; k += 4) SFX(dft4_at)(x + k, x + k + 1, x + k + 2, x + k + 3, inv, sc, s);
}

/* First stage (trivial twiddles), in place: a 2-point DFT on each pair. */
TI void SFX(k_first2)(CPX *restrict x, size_t n, const int sc, R s)
{
    size_t k;
    for (k = 0; k < n; k += 2) {
        CPX a = x[k], b = x[k + 1];
        CPX y0 = C_ADD(a, b), y1 = C_SUB(a, b);
        if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); }
        x[k] = y0; x[k + 1] = y1;
    }
}

/* 8-point DIT DFT: v holds 8 values in bit-reversed order, receives the DFT in natural order
 * (the first three radix-2 stages; twiddles 1, w8, -i, w8^3 done with adds and one real scale). */
TI CPX SFX(c_mulw8)(CPX a, const int inv) /* a * exp(-+ i pi/4) */
{
    const R h = (R)0.707106781186547524400844362104849039L;
    CPX r;
    if (inv) { r.re = (a.re - a.im) * h; r.im = (a.re + a.im) * h; }
    else     { r.re = (a.re + a.im) * h; r.im = (a.im - a.re) * h; }
    return r;
}

TI void SFX(dft8)(CPX *restrict v, const int inv, const int sc, R s)
{
    CPX a0 = C_ADD(v[0], v[1]), a1 = C_SUB(v[0], v[1]), a2 = C_ADD(v[2], v[3]), a3 = C_SUB(v[2], v[3]);
    CPX a4 = C_ADD(v[4], v[5]), a5 = C_SUB(v[4], v[5]), a6 = C_ADD(v[6], v[7]), a7 = C_SUB(v[6], v[7]);
    CPX t3 = C_W4(a3, inv), t7 = C_W4(a7, inv);
    CPX b0 = C_ADD(a0, a2), b2 = C_SUB(a0, a2), b1 = C_ADD(a1, t3), b3 = C_SUB(a1, t3);
    CPX b4 = C_ADD(a4, a6), b6 = C_SUB(a4, a6), b5 = C_ADD(a5, t7), b7 = C_SUB(a5, t7);
    CPX u5 = SFX(c_mulw8)(b5, inv), u6 = C_W4(b6, inv), u7 = C_W4(SFX(c_mulw8)(b7, inv), inv);
    v[0] = C_ADD(b0, b4); v[4] = C_SUB(b0, b4);
    v[1] = C_ADD(b1, u5); v[5] = C_SUB(b1, u5);
    v[2] = C_ADD(b2, u6); v[6] = C_SUB(b2, u6);
    v[3] = C_ADD(b3, u7); v[7] = C_SUB(b3, u7);
    if (sc) { int q; for (q = 0; q < 8; q++) v[q] = C_SCALE(v[q], s); }
}

/* First three stages in place: an 8-point DFT on each block of 8. */
TI void SFX(k_first8)(CPX *restrict x, size_t n, const int inv, const int sc, R s)
{
    size_t k, q;
    for (k = 0; k < n; k += 8) {
        CPX v[8];
        for (q = 0; q < 8; q++) v[q] = x[k + q];
        SFX(dft8)(v, inv, sc, s);
        for (q = 0; q < 8; q++) x[k + q] = v[q];
    }
}

/* The same 8- and 4-point DFTs on vectors (VL independent transforms, one per lane), with
 * exactly the operations of dft8 / k_first4, so a lane gets the bits the scalar code gets. */
TI VT SFX(v_mulw8)(VT a, const int inv)
{
    const R h = (R)0.707106781186547524400844362104849039L;
    return V_SCALE(V_ADD(a, V_W4(a, inv)), h); /* (re + im, im - re) * h, or (re - im, im + re) * h */
}

TI void SFX(vdft8)(VT *v, const int inv, const int sc, R s)
{
    VT a0 = V_ADD(v[0], v[1]), a1 = V_SUB(v[0], v[1]), a2 = V_ADD(v[2], v[3]), a3 = V_SUB(v[2], v[3]);
    VT a4 = V_ADD(v[4], v[5]), a5 = V_SUB(v[4], v[5]), a6 = V_ADD(v[6], v[7]), a7 = V_SUB(v[6], v[7]);
    VT t3 = V_W4(a3, inv), t7 = V_W4(a7, inv);
    VT b0 = V_ADD(a0, a2), b2 = V_SUB(a0, a2), b1 = V_ADD(a1, t3), b3 = V_SUB(a1, t3);
    VT b4 = V_ADD(a4, a6), b6 = V_SUB(a4, a6), b5 = V_ADD(a5, t7), b7 = V_SUB(a5, t7);
    VT u5 = SFX(v_mulw8)(b5, inv), u6 = V_W4(b6, inv), u7 = V_W4(SFX(v_mulw8)(b7, inv), inv);
    v[0] = V_ADD(b0, b4); v[4] = V_SUB(b0, b4);
    v[1] = V_ADD(b1, u5); v[5] = V_SUB(b1, u5);
    v[2] = V_ADD(b2, u6); v[6] = V_SUB(b2, u6);
    v[3] = V_ADD(b3, u7); v[7] = V_SUB(b3, u7);
    if (sc) { int q; for (q = 0; q < 8; q++) v[q] = V_SCALE(v[q], s); }
}

TI void SFX(vdft4)(VT *v, const int inv, const int sc, R s)
{
    VT b0 = V_ADD(v[0], v[1]), b1 = V_SUB(v[0], v[1]), b2 = V_ADD(v[2], v[3]);
    VT b3 = V_W4(V_SUB(v[2], v[3]), inv);
    VT y0 = V_ADD(b0, b2), y2 = V_SUB(b0, b2), y1 = V_ADD(b1, b3), y3 = V_SUB(b1, b3);
    if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); y2 = V_SCALE(y2, s); y3 = V_SCALE(y3, s); }
    v[0] = y0; v[1] = y1; v[2] = y2; v[3] = y3;
}

/* In-place bit reversal fused with the first pass (RAD = 4 or 8 points, trivial twiddles) on a
 * contiguous array of 2^L elements, 2q <= L, Q = 2^q >= RAD, Q % VL == 0.  An index splits as
 * [a (q bits) | b (L-2q bits) | c (q bits)] and goes to [rev c | rev b | rev a]: the tile b (rows
 * a, 2^q contiguous columns c each) lands in tile rev b with rows and columns exchanged, so a
 * destination row (fixed c) is the sequence of source rows a in bit-reversed order -- whole
 * blocks of the first pass.  Each pair of tiles (b, rev b) is read into two small buffers row by
 * row, the first-pass DFTs are computed on vectors of adjacent columns c (one transform per lane)
 * straight from the source rows, and the buffers are written back transposed, one contiguous
 * destination row at a time.  Every element is read once and written once. */
#define FB_QMAX 4
/* With an in-register transpose (V_TRANSPOSE: VL vectors -> their VL lanes) the DFT results are
 * transposed in registers and stored as whole vectors: straight into the destination rows out of
 * place (oop: xs does not overlap x), or into the tile buffers in destination order in place (a
 * tile and its partner must be read completely before either is overwritten), which are then
 * copied back row by row.  Without it they go to the buffers as computed and are written back
 * transposed one complex number at a time.  The arithmetic is the same either way. */
TI void SFX(k_brfirst)(const CPX *xs, CPX *x, unsigned L, unsigned q, const int rad, const int inv,
                       const int sc, R s, const int oop)
{
    unsigned M = L - 2 * q, sh = L - q;
    size_t Q = (size_t)1 << q, nb = (size_t)1 << M, b, m, c, col;
    CPX T[2][1 << (2 * FB_QMAX)];
    size_t roff[1 << FB_QMAX];
#ifndef V_TRANSPOSE
    (void)oop;
#endif
    for (c = 0; c < Q; c++) roff[c] = (size_t)bttb_rev_bits(c, q) << sh;
    for (b = 0; b < nb; b++) {
        size_t br = bttb_rev_bits(b, M), t, nt = br == b ? 1 : 2;
        if (br < b) continue;
        for (t = 0; t < nt; t++) {
            const CPX *src = xs + ((t ? br : b) << q);   /* xs == x in place */
            CPX *Tt = T[t];
#ifdef V_TRANSPOSE
            CPX *dst = x + ((t ? b : br) << q);
#endif
            for (m = 0; m < Q; m += (size_t)rad) {
                for (c = 0; c < Q; c += VL) {
                    VT v[8];
                    int k;
                    for (k = 0; k < rad; k++) v[k] = V_LD(src + roff[m + (size_t)k] + c);
                    if (rad == 8) SFX(vdft8)(v, inv, sc, s); else SFX(vdft4)(v, inv, sc, s);
#ifdef V_TRANSPOSE
                    for (k = 0; k < rad; k += VL) {
                        int l;
                        V_TRANSPOSE(v + k);
                        for (l = 0; l < VL; l++) {
                            if (oop) V_ST(dst + roff[c + (size_t)l] + m + (size_t)k, v[k + l]);
                            else V_ST(Tt + (c + (size_t)l) * Q + m + (size_t)k, v[k + l]);
                        }
                    }
#else
                    for (k = 0; k < rad; k++) V_ST(Tt + (m + (size_t)k) * Q + c, v[k]);
#endif
                }
            }
        }
#ifdef V_TRANSPOSE
        if (oop) continue;
#endif
        for (t = 0; t < nt; t++) {
            CPX *dst = x + ((t ? b : br) << q);
            const CPX *Tt = T[t];
            for (c = 0; c < Q; c++) {
                CPX *d = dst + roff[c];
#ifdef V_TRANSPOSE
                for (col = 0; col < Q; col += VL) V_ST(d + col, V_LD(Tt + c * Q + col));
#else
                for (col = 0; col < Q; col++) d[col] = Tt[col * Q + c];
#endif
            }
        }
    }
}

/* 1 and the tile bits q if the plan's in-place transform can use k_brfirst. */
static int SFX(brfirst_q)(const bttb_plan *p, unsigned *q)
{
    unsigned L = p->log2n, qq = L / 2 < FB_QMAX ? L / 2 : FB_QMAX;
    size_t rad = p->pass[0].radix;
    if (L < 4 || (rad != 4 && rad != 8) || ((size_t)1 << qq) < rad || ((size_t)1 << qq) % VL != 0)
        return 0;
    *q = qq;
    return 1;
}

/* xs: source (== x in place, or an array not overlapping x), x: destination. */
TF void SFX(brfirst)(const bttb_plan *p, const CPX *xs, CPX *x, unsigned q, int inv, int sc, double s)
{
    unsigned L = p->log2n;
    R r = (R)s;
    /* every flag a compile-time constant of its own instance of the always-inline kernel */
#define BRF(RAD, OOP)                                                                              \
    do {                                                                                           \
        if (inv) { if (sc) SFX(k_brfirst)(xs, x, L, q, RAD, 1, 1, r, OOP);                         \
                   else SFX(k_brfirst)(xs, x, L, q, RAD, 1, 0, r, OOP); }                          \
        else     { if (sc) SFX(k_brfirst)(xs, x, L, q, RAD, 0, 1, r, OOP);                         \
                   else SFX(k_brfirst)(xs, x, L, q, RAD, 0, 0, r, OOP); }                          \
    } while (0)
    if (p->pass[0].radix == 8) { if (xs != x) BRF(8, 1); else BRF(8, 0); }
    else                       { if (xs != x) BRF(4, 1); else BRF(4, 0); }
#undef BRF
}

/* Next value of an L-bit bit-reversed counter (half = 2^(L-1)). */
TI size_t SFX(rev_next)(size_t j, size_t half)
{
    size_t bit = half;
    while (j & bit) { j ^= bit; bit >>= 1; }
    return j | bit;
}

/* Out of place: bit-reversed copy fused with the first two stages.  Output block 4*rev(r) is the
 * 4-point DFT of in[r], in[r + n/4], in[r + n/2], in[r + 3n/4] (rev over log2(n)-2 bits). */
TI void SFX(k_first4_oop)(const CPX *restrict in, CPX *restrict out, size_t n, const int inv,
                          const int sc, R s)
{
    size_t q = n >> 2, r, j = 0;
    const CPX *in1 = in + q, *in2 = in + 2 * q, *in3 = in + 3 * q;
    for (r = 0; r < q; r++) {
        CPX a0 = in[r], a1 = in1[r], a2 = in2[r], a3 = in3[r];
        CPX b0 = C_ADD(a0, a2), b1 = C_SUB(a0, a2), b2 = C_ADD(a1, a3);
        CPX b3 = C_W4(C_SUB(a1, a3), inv);
        CPX *o = out + 4 * j;
        CPX y0 = C_ADD(b0, b2), y2 = C_SUB(b0, b2), y1 = C_ADD(b1, b3), y3 = C_SUB(b1, b3);
        if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); y2 = C_SCALE(y2, s); y3 = C_SCALE(y3, s); }
        o[0] = y0; o[1] = y1; o[2] = y2; o[3] = y3;
        if (r + 1 < q) j = SFX(rev_next)(j, q >> 1);
    }
}

/* Out of place: bit-reversed copy fused with the first stage (rev over log2(n)-1 bits). */
TI void SFX(k_first2_oop)(const CPX *restrict in, CPX *restrict out, size_t n, const int sc, R s)
{
    size_t q = n >> 1, r, j = 0;
    const CPX *in1 = in + q;
    for (r = 0; r < q; r++) {
        CPX a = in[r], b = in1[r];
        CPX y0 = C_ADD(a, b), y1 = C_SUB(a, b);
        if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); }
        out[2 * j] = y0; out[2 * j + 1] = y1;
        if (r + 1 < q) j = SFX(rev_next)(j, q >> 1);
    }
}

/* Out of place: bit-reversed copy fused with the first three stages.  Output block 8*rev(r) is
 * the 8-point DFT of in[r + q n/8], q = 0..7 (rev over log2(n)-3 bits). */
TI void SFX(k_first8_oop)(const CPX *restrict in, CPX *restrict out, size_t n, const int inv,
                          const int sc, R s)
{
    size_t q8 = n >> 3, r, j = 0;
    int q;
    static const unsigned char rev3[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    for (r = 0; r < q8; r++) {
        CPX v[8];
        CPX *o = out + 8 * j;
        for (q = 0; q < 8; q++) v[q] = in[r + rev3[q] * q8];
        SFX(dft8)(v, inv, sc, s);
        for (q = 0; q < 8; q++) o[q] = v[q];
        if (r + 1 < q8) j = SFX(rev_next)(j, q8 >> 1);
    }
}

#if !TMPL_SCALAR
TF void SFX(kc_r4_row)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s);
TF void SFX(kc_r2_row)(CPX *x, size_t n, size_t h, const CPX *tw, int inv, int sc, double s);
TF void SFX(kc_r8_row)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s);
#endif

/* Radix-2^2 pass fusing the two radix-2 stages of spans h and 2h (blocks of 4h), with the
 * twiddles w^j, w^2j, w^3j (j < h, w = exp(-2 pi i / 4h)) stored in blocks of TB = min(h, 8) j's
 * in the order the loop reads them: compact [w1 | w2 | w3] (3*TB complex per block), or, when
 * dup is set, split and duplicated [w1.re | w1.im | w2.re | w2.im | w3.re | w3.im] (each entry a
 * (v, v) pair, 6*TB per block) so that a vector complex multiply needs one shuffle instead of
 * three. */
TI void SFX(k_r4)(CPX *restrict x, size_t n, size_t h, const CPX *restrict tw, const int dup,
                  const int inv, const int sc, R s)
{
    size_t k, j, jb, TB = h < 8 ? h : 8;
#if !TMPL_SCALAR
#ifdef V_LD2
    if (2 * h == VL && n >= 8 * h) {
        /* span of half a vector: two blocks at once, one in each half (the same lane
         * arithmetic as the full-vector loop below) */
        const CPX *restrict t = tw;
        for (k = 0; k < n; k += 8 * h) {
            CPX *restrict x0 = x + k, *restrict x1 = x0 + h, *restrict x2 = x1 + h, *restrict x3 = x2 + h;
            CPX *restrict y0p = x0 + 4 * h, *restrict y1p = y0p + h, *restrict y2p = y1p + h, *restrict y3p = y2p + h;
            VT a0 = V_LD2(x0, y0p), a1, a2, a3;
            if (dup) {
                a1 = V_TWD(V_LD2(x2, y2p), V_LD2(t, t), V_LD2(t + h, t + h), inv);
                a2 = V_TWD(V_LD2(x1, y1p), V_LD2(t + 2 * h, t + 2 * h), V_LD2(t + 3 * h, t + 3 * h), inv);
                a3 = V_TWD(V_LD2(x3, y3p), V_LD2(t + 4 * h, t + 4 * h), V_LD2(t + 5 * h, t + 5 * h), inv);
            } else {
                a1 = V_TW(V_LD2(x2, y2p), V_LD2(t, t), inv);
                a2 = V_TW(V_LD2(x1, y1p), V_LD2(t + h, t + h), inv);
                a3 = V_TW(V_LD2(x3, y3p), V_LD2(t + 2 * h, t + 2 * h), inv);
            }
            {
                VT b0 = V_ADD(a0, a2), b1 = V_SUB(a0, a2), b2 = V_ADD(a1, a3);
                VT b3 = V_W4(V_SUB(a1, a3), inv);
                VT y0 = V_ADD(b0, b2), y2 = V_SUB(b0, b2), y1 = V_ADD(b1, b3), y3 = V_SUB(b1, b3);
                if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); y2 = V_SCALE(y2, s); y3 = V_SCALE(y3, s); }
                V_ST2(x0, y0p, y0); V_ST2(x1, y1p, y1); V_ST2(x2, y2p, y2); V_ST2(x3, y3p, y3);
            }
        }
        return;
    }
#endif
    if (h % VL != 0) { /* same arithmetic, one complex at a time (this ISA's scalar ops) */
        SFX(kc_r4_row)(x, n, h, tw, dup, inv, sc, (double)s);
        return;
    }
#endif
    for (k = 0; k < n; k += 4 * h) {
        CPX *restrict x0 = x + k, *restrict x1 = x0 + h, *restrict x2 = x1 + h, *restrict x3 = x2 + h;
        for (jb = 0; jb < h; jb += TB) {
            const CPX *restrict t = tw + jb * (dup ? 6 : 3);
            for (j = 0; j < TB; j += VL) {
                size_t i = jb + j;
                VT a0 = V_LD(x0 + i), a1, a2, a3;
                if (dup) {
                    a1 = V_TWD(V_LD(x2 + i), V_LD(t + j), V_LD(t + TB + j), inv);
                    a2 = V_TWD(V_LD(x1 + i), V_LD(t + 2 * TB + j), V_LD(t + 3 * TB + j), inv);
                    a3 = V_TWD(V_LD(x3 + i), V_LD(t + 4 * TB + j), V_LD(t + 5 * TB + j), inv);
                } else {
                    a1 = V_TW(V_LD(x2 + i), V_LD(t + j), inv);
                    a2 = V_TW(V_LD(x1 + i), V_LD(t + TB + j), inv);
                    a3 = V_TW(V_LD(x3 + i), V_LD(t + 2 * TB + j), inv);
                }
                {
                    VT b0 = V_ADD(a0, a2), b1 = V_SUB(a0, a2), b2 = V_ADD(a1, a3);
                    VT b3 = V_W4(V_SUB(a1, a3), inv);
                    VT y0 = V_ADD(b0, b2), y2 = V_SUB(b0, b2), y1 = V_ADD(b1, b3), y3 = V_SUB(b1, b3);
                    if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); y2 = V_SCALE(y2, s); y3 = V_SCALE(y3, s); }
                    V_ST(x0 + i, y0); V_ST(x1 + i, y1); V_ST(x2 + i, y2); V_ST(x3 + i, y3);
                }
            }
        }
    }
}

/* Twiddle q (1..nq) of index j of a radix-(nq+1) pass (radix 4 or 8), whatever its layout:
 * blocks of TB = min(h, 8) j's, compact (nq*TB complex per block) or split and duplicated
 * (2*nq*TB). */
TI CPX SFX(tw_get)(const CPX *tw, size_t h, int dup, unsigned nq, unsigned q, size_t j)
{
    size_t TB = h < 8 ? h : 8, jb = j / TB * TB, jj = j - jb;
    CPX w;
    if (dup) {
        const CPX *t = tw + jb * 2 * nq + 2 * (q - 1) * TB + jj;
        w.re = t[0].re; w.im = t[TB].re;
    } else {
        w = tw[jb * nq + (q - 1) * TB + jj];
    }
    return w;
}

/* Radix-2^3 pass fusing the three radix-2 stages of spans h, 2h and 4h (blocks of 8h): input m
 * (m = 1..7, at offset m*h) times the twiddle t_m(j) = w^(rev3(m) j) (w = exp(-2 pi i / 8h)),
 * then the 8-point DFT of the block's bit-reversed inputs (vdft8 / dft8).  Twiddles in blocks of
 * TB = min(h, 8) j's: compact [t_1 | .. | t_7] (7*TB complex per block), or with dup split and
 * duplicated [t_1.re | t_1.im | .. | t_7.im] (14*TB per block), as for the radix-2^2 pass. */
TI void SFX(k_r8)(CPX *restrict x, size_t n, size_t h, const CPX *restrict tw, const int dup,
                  const int inv, const int sc, R s)
{
    size_t k, j, jb, TB = h < 8 ? h : 8;
    int m;
#if !TMPL_SCALAR
    if (h % VL != 0) { /* same arithmetic, one complex at a time (this ISA's scalar ops) */
        SFX(kc_r8_row)(x, n, h, tw, dup, inv, sc, (double)s);
        return;
    }
#endif
    for (k = 0; k < n; k += 8 * h) {
        CPX *restrict x0 = x + k;
        for (jb = 0; jb < h; jb += TB) {
            const CPX *restrict t = tw + jb * (dup ? 14 : 7);
            for (j = 0; j < TB; j += VL) {
                size_t i = jb + j;
                VT v[8];
                v[0] = V_LD(x0 + i);
                for (m = 1; m < 8; m++) {
                    if (dup)
                        v[m] = V_TWD(V_LD(x0 + (size_t)m * h + i), V_LD(t + (size_t)(2 * m - 2) * TB + j),
                                     V_LD(t + (size_t)(2 * m - 1) * TB + j), inv);
                    else
                        v[m] = V_TW(V_LD(x0 + (size_t)m * h + i), V_LD(t + (size_t)(m - 1) * TB + j), inv);
                }
                SFX(vdft8)(v, inv, sc, s);
                for (m = 0; m < 8; m++) V_ST(x0 + (size_t)m * h + i, v[m]);
            }
        }
    }
}

/* Radix-2 pass of span h (blocks of 2h); twiddles w^j (j < h, w = exp(-2 pi i / 2h)). */
TI void SFX(k_r2)(CPX *restrict x, size_t n, size_t h, const CPX *restrict tw, const int inv,
                  const int sc, R s)
{
    size_t k, j;
#if !TMPL_SCALAR
    if (h % VL != 0) {
        SFX(kc_r2_row)(x, n, h, tw, inv, sc, (double)s);
        return;
    }
#endif
    for (k = 0; k < n; k += 2 * h) {
        CPX *restrict x0 = x + k, *restrict x1 = x0 + h;
        for (j = 0; j < h; j += VL) {
            VT a = V_LD(x0 + j), b = V_TW(V_LD(x1 + j), V_LD(tw + j), inv);
            VT y0 = V_ADD(a, b), y1 = V_SUB(a, b);
            if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); }
            V_ST(x0 + j, y0); V_ST(x1 + j, y1);
        }
    }
}

/* Non-inlined entry points with run-time flags (used as the fallback of SIMD instantiations). */
TF void SFX(k_r4_any)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s)
{
    R rs = (R)s;
    if (dup) {
        if (inv) { if (sc) SFX(k_r4)(x, n, h, tw, 1, 1, 1, rs); else SFX(k_r4)(x, n, h, tw, 1, 1, 0, rs); }
        else     { if (sc) SFX(k_r4)(x, n, h, tw, 1, 0, 1, rs); else SFX(k_r4)(x, n, h, tw, 1, 0, 0, rs); }
    } else {
        if (inv) { if (sc) SFX(k_r4)(x, n, h, tw, 0, 1, 1, rs); else SFX(k_r4)(x, n, h, tw, 0, 1, 0, rs); }
        else     { if (sc) SFX(k_r4)(x, n, h, tw, 0, 0, 1, rs); else SFX(k_r4)(x, n, h, tw, 0, 0, 0, rs); }
    }
}

TF void SFX(k_r8_any)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s)
{
    R rs = (R)s;
    if (dup) {
        if (inv) { if (sc) SFX(k_r8)(x, n, h, tw, 1, 1, 1, rs); else SFX(k_r8)(x, n, h, tw, 1, 1, 0, rs); }
        else     { if (sc) SFX(k_r8)(x, n, h, tw, 1, 0, 1, rs); else SFX(k_r8)(x, n, h, tw, 1, 0, 0, rs); }
    } else {
        if (inv) { if (sc) SFX(k_r8)(x, n, h, tw, 0, 1, 1, rs); else SFX(k_r8)(x, n, h, tw, 0, 1, 0, rs); }
        else     { if (sc) SFX(k_r8)(x, n, h, tw, 0, 0, 1, rs); else SFX(k_r8)(x, n, h, tw, 0, 0, 0, rs); }
    }
}

TF void SFX(k_r2_any)(CPX *x, size_t n, size_t h, const CPX *tw, int inv, int sc, double s)
{
    R rs = (R)s;
    if (inv) { if (sc) SFX(k_r2)(x, n, h, tw, 1, 1, rs); else SFX(k_r2)(x, n, h, tw, 1, 0, rs); }
    else     { if (sc) SFX(k_r2)(x, n, h, tw, 0, 1, rs); else SFX(k_r2)(x, n, h, tw, 0, 0, rs); }
}

/* One pass p of the plan on x[0..len) (len a multiple of the pass's block). */
TF void SFX(do_pass)(const bttb_plan *p, size_t ip, CPX *x, size_t len, int inv, int sc, double s)
{
    const bttb_pass *ps = &p->pass[ip];
    const CPX *tw = (const CPX *)p->tw + ps->tw;
    R rs = (R)s;
    if (ps->h == 1) {
        if (ps->radix == 8) {
            if (inv) { if (sc) SFX(k_first8)(x, len, 1, 1, rs); else SFX(k_first8)(x, len, 1, 0, rs); }
            else     { if (sc) SFX(k_first8)(x, len, 0, 1, rs); else SFX(k_first8)(x, len, 0, 0, rs); }
        } else if (ps->radix == 4) {
            if (inv) { if (sc) SFX(k_first4)(x, len, 1, 1, rs); else SFX(k_first4)(x, len, 1, 0, rs); }
            else     { if (sc) SFX(k_first4)(x, len, 0, 1, rs); else SFX(k_first4)(x, len, 0, 0, rs); }
        } else {
            if (sc) SFX(k_first2)(x, len, 1, rs); else SFX(k_first2)(x, len, 0, rs);
        }
    } else if (ps->radix == 8) {
        SFX(k_r8_any)(x, len, ps->h, tw, (int)ps->dup, inv, sc, s);
    } else if (ps->radix == 4) {
        SFX(k_r4_any)(x, len, ps->h, tw, (int)ps->dup, inv, sc, s);
    } else {
        SFX(k_r2_any)(x, len, ps->h, tw, inv, sc, s);
    }
}

/* Passes first..npass-1 on the bit-reversed array x of length n.  The passes whose blocks fit in
 * the cache block are run block by block (depth first), the rest as full sweeps; the scale goes
 * into the last pass.  ah (or NULL): the next transform of a batch, prefetched a slice before
 * each full-sweep pass (only used when x fits in the cache block). */
TF void SFX(run_passes)(const bttb_plan *p, CPX *x, unsigned first, int inv, double scale,
                        const bttb_ahead *ah)
{
    size_t n = p->n, B = p->cache_block;
    unsigned np = p->npass, ip, split = first;
    int sc = scale != 1.0;
    if (first >= np) {
        bttb_ahead_slice(ah, 0, 1);
        if (sc) { size_t i; R rs = (R)scale; for (i = 0; i < n; i++) x[i] = C_SCALE(x[i], rs); }
        return;
    }
    if (n > B) {
        while (split < np && p->pass[split].radix * p->pass[split].h <= B) split++;
        if (split > first) {
            size_t b;
            for (b = 0; b < n; b += B)
                for (ip = first; ip < split; ip++) SFX(do_pass)(p, ip, x + b, B, inv, 0, 1.0);
        }
        ah = NULL;
    }
    if (!ah) {
        for (ip = split; ip < np; ip++) SFX(do_pass)(p, ip, x, n, inv, sc && ip + 1 == np, scale);
        return;
    }
    {
        /* a slice of the ahead before each of up to BTTB_AHEAD_CHUNKS chunks (of at least
         * BTTB_AHEAD_CHUNK_BYTES) of a pass whose blocks are smaller than n (before the whole
         * pass otherwise): small slices, so that the prefetches and streaming stores trickle out
         * between the butterflies instead of stalling the core in one burst */
        size_t parts = 0, part = 0, c, nc, len, cmax = n * sizeof(CPX) / BTTB_AHEAD_CHUNK_BYTES;
        if (cmax > BTTB_AHEAD_CHUNKS) cmax = BTTB_AHEAD_CHUNKS;
        if (cmax < 1) cmax = 1;
        for (ip = split; ip < np; ip++) parts += bttb_pass_chunks(p, ip, n, cmax);
        for (ip = split; ip < np; ip++) {
            nc = bttb_pass_chunks(p, ip, n, cmax);
            len = n / nc;
            for (c = 0; c < nc; c++) {
                bttb_ahead_slice(ah, part++, parts);
                SFX(do_pass)(p, ip, x + c * len, len, inv, sc && ip + 1 == np, scale);
            }
        }
    }
}

TF void SFX(bitrev_plan)(const bttb_plan *p, CPX *x)
{
    if (p->brpairs) {
        const uint32_t *restrict pr = p->brpairs;
        size_t i, np = p->nbrpairs;
        for (i = 0; i < np; i++) {
            uint32_t a = pr[2 * i], b = pr[2 * i + 1];
            CPX t = x[a]; x[a] = x[b]; x[b] = t;
        }
    } else {
        BITREV_TILED(x, p->n, p->log2n);
    }
}

/* Power-of-two transform, contiguous, in place. */
TF void SFX(pow2_inplace)(const bttb_plan *p, CPX *x, int inv, double scale, const bttb_ahead *ah)
{
    if (p->n == 1) {
        if (scale != 1.0) x[0] = C_SCALE(x[0], (R)scale);
        return;
    }
    {
        unsigned q;
        if (SFX(brfirst_q)(p, &q)) {
            if (p->n <= BTTB_INPLACE_COPY_MAX_N) {
                /* a sequential copy to the stack, then the out-of-place first pass back into x:
                 * cheaper than the in-place tile swaps (n = 256: 0.48 + copy vs 0.81 us) and
                 * the same arithmetic, so the same bits */
                CPX tmp[BTTB_INPLACE_COPY_MAX_N];
                memcpy(tmp, x, p->n * sizeof(CPX));
                SFX(brfirst)(p, tmp, x, q, inv, p->npass == 1 && scale != 1.0, scale);
            } else {
                SFX(brfirst)(p, x, x, q, inv, p->npass == 1 && scale != 1.0, scale);
            }
            SFX(run_passes)(p, x, 1, inv, scale, ah);
            return;
        }
    }
    SFX(bitrev_plan)(p, x);
    SFX(run_passes)(p, x, 0, inv, scale, ah);
}

/* Power-of-two transform, contiguous, out of place (in and out do not overlap). */
TF void SFX(pow2_oop)(const bttb_plan *p, const CPX *in, CPX *out, int inv, double scale,
                      const bttb_ahead *ah)
{
    size_t n = p->n;
    int sc1 = p->npass == 1 && scale != 1.0;
    R rs = (R)scale;
    if (n == 1) {
        out[0] = scale != 1.0 ? C_SCALE(in[0], rs) : in[0];
        return;
    }
    {
        unsigned q;
        if (SFX(brfirst_q)(p, &q)) {
            SFX(brfirst)(p, in, out, q, inv, sc1, scale);
            if (p->npass > 1) SFX(run_passes)(p, out, 1, inv, scale, ah);
            return;
        }
    }
    if (p->pass[0].radix == 8) {
        if (inv) { if (sc1) SFX(k_first8_oop)(in, out, n, 1, 1, rs); else SFX(k_first8_oop)(in, out, n, 1, 0, rs); }
        else     { if (sc1) SFX(k_first8_oop)(in, out, n, 0, 1, rs); else SFX(k_first8_oop)(in, out, n, 0, 0, rs); }
    } else if (p->pass[0].radix == 4) {
        if (inv) { if (sc1) SFX(k_first4_oop)(in, out, n, 1, 1, rs); else SFX(k_first4_oop)(in, out, n, 1, 0, rs); }
        else     { if (sc1) SFX(k_first4_oop)(in, out, n, 0, 1, rs); else SFX(k_first4_oop)(in, out, n, 0, 0, rs); }
    } else {
        if (sc1) SFX(k_first2_oop)(in, out, n, 1, rs); else SFX(k_first2_oop)(in, out, n, 0, rs);
    }
    if (p->npass > 1) SFX(run_passes)(p, out, 1, inv, scale, ah);
}

/* ------------------------------------------------------------------------------------------ */
/* Column (strided) passes: W adjacent transforms, element j of transform c at x[j*rs + c].      */
/* W == 1 gives the general strided path.                                                      */
/* ------------------------------------------------------------------------------------------ */
TI void SFX(kc_r4)(CPX *x, ptrdiff_t rs, size_t n, size_t W, size_t h, const CPX *restrict tw,
                   const bttb_twmap tm, const int dup, const int inv, const int sc, R s)
{
    size_t k, j, c;
    for (k = 0; k < n; k += 4 * h) {
        for (j = 0; j < h; j++) {
            const size_t tj = tm.j0 + tm.jm * j;
            CPX w1 = SFX(tw_get)(tw, tm.h, dup, 3, 1, tj), w2 = SFX(tw_get)(tw, tm.h, dup, 3, 2, tj);
            CPX w3 = SFX(tw_get)(tw, tm.h, dup, 3, 3, tj);
            CPX *restrict x0 = x + (ptrdiff_t)(k + j) * rs;
            CPX *restrict x1 = x0 + (ptrdiff_t)h * rs;
            CPX *restrict x2 = x1 + (ptrdiff_t)h * rs;
            CPX *restrict x3 = x2 + (ptrdiff_t)h * rs;
            c = 0;
#if !TMPL_SCALAR
            {
                VT v1 = V_BCAST(w1), v2 = V_BCAST(w2), v3 = V_BCAST(w3);
                for (; c + VL <= W; c += VL) {
                    VT a0 = V_LD(x0 + c);
                    VT a1 = V_TW(V_LD(x2 + c), v1, inv);
                    VT a2 = V_TW(V_LD(x1 + c), v2, inv);
                    VT a3 = V_TW(V_LD(x3 + c), v3, inv);
                    VT b0 = V_ADD(a0, a2), b1 = V_SUB(a0, a2), b2 = V_ADD(a1, a3);
                    VT b3 = V_W4(V_SUB(a1, a3), inv);
                    VT y0 = V_ADD(b0, b2), y2 = V_SUB(b0, b2), y1 = V_ADD(b1, b3), y3 = V_SUB(b1, b3);
                    if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); y2 = V_SCALE(y2, s); y3 = V_SCALE(y3, s); }
                    V_ST(x0 + c, y0); V_ST(x1 + c, y1); V_ST(x2 + c, y2); V_ST(x3 + c, y3);
                }
            }
#endif
            for (; c < W; c++) {
                CPX a0 = x0[c];
                CPX a1 = C_TW(x2[c], w1, inv);
                CPX a2 = C_TW(x1[c], w2, inv);
                CPX a3 = C_TW(x3[c], w3, inv);
                CPX b0 = C_ADD(a0, a2), b1 = C_SUB(a0, a2), b2 = C_ADD(a1, a3);
                CPX b3 = C_W4(C_SUB(a1, a3), inv);
                CPX y0 = C_ADD(b0, b2), y2 = C_SUB(b0, b2), y1 = C_ADD(b1, b3), y3 = C_SUB(b1, b3);
                if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); y2 = C_SCALE(y2, s); y3 = C_SCALE(y3, s); }
                x0[c] = y0; x1[c] = y1; x2[c] = y2; x3[c] = y3;
            }
        }
    }
}

/* The radix-2^3 pass (k_r8) on W adjacent transforms: the twiddles broadcast over VL columns. */
TI void SFX(kc_r8)(CPX *x, ptrdiff_t rs, size_t n, size_t W, size_t h, const CPX *restrict tw,
                   const bttb_twmap tm, const int dup, const int inv, const int sc, R s)
{
    size_t k, j, c;
    unsigned m;
    for (k = 0; k < n; k += 8 * h) {
        for (j = 0; j < h; j++) {
            CPX w[8];
            CPX *restrict x0 = x + (ptrdiff_t)(k + j) * rs;
            const ptrdiff_t hs = (ptrdiff_t)h * rs;
            for (m = 1; m < 8; m++) w[m] = SFX(tw_get)(tw, tm.h, dup, 7, m, tm.j0 + tm.jm * j);
            c = 0;
#if !TMPL_SCALAR
            {
                VT vw[8];
                for (m = 1; m < 8; m++) vw[m] = V_BCAST(w[m]);
                for (; c + VL <= W; c += VL) {
                    VT v[8];
                    v[0] = V_LD(x0 + c);
                    for (m = 1; m < 8; m++) v[m] = V_TW(V_LD(x0 + (ptrdiff_t)m * hs + (ptrdiff_t)c), vw[m], inv);
                    SFX(vdft8)(v, inv, sc, s);
                    for (m = 0; m < 8; m++) V_ST(x0 + (ptrdiff_t)m * hs + (ptrdiff_t)c, v[m]);
                }
            }
#endif
            for (; c < W; c++) {
                CPX v[8];
                v[0] = x0[c];
                for (m = 1; m < 8; m++) v[m] = C_TW(x0[(ptrdiff_t)m * hs + (ptrdiff_t)c], w[m], inv);
                SFX(dft8)(v, inv, sc, s);
                for (m = 0; m < 8; m++) x0[(ptrdiff_t)m * hs + (ptrdiff_t)c] = v[m];
            }
        }
    }
}

TI void SFX(kc_r2)(CPX *x, ptrdiff_t rs, size_t n, size_t W, size_t h, const CPX *restrict tw,
                   const bttb_twmap tm, const int inv, const int sc, R s)
{
    size_t k, j, c;
    for (k = 0; k < n; k += 2 * h) {
        for (j = 0; j < h; j++) {
            CPX w = tw[tm.j0 + tm.jm * j];
            CPX *restrict x0 = x + (ptrdiff_t)(k + j) * rs;
            CPX *restrict x1 = x0 + (ptrdiff_t)h * rs;
            c = 0;
#if !TMPL_SCALAR
            {
                VT v = V_BCAST(w);
                for (; c + VL <= W; c += VL) {
                    VT a = V_LD(x0 + c), b = V_TW(V_LD(x1 + c), v, inv);
                    VT y0 = V_ADD(a, b), y1 = V_SUB(a, b);
                    if (sc) { y0 = V_SCALE(y0, s); y1 = V_SCALE(y1, s); }
                    V_ST(x0 + c, y0); V_ST(x1 + c, y1);
                }
            }
#endif
            for (; c < W; c++) {
                CPX a = x0[c], b = C_TW(x1[c], w, inv);
                CPX y0 = C_ADD(a, b), y1 = C_SUB(a, b);
                if (sc) { y0 = C_SCALE(y0, s); y1 = C_SCALE(y1, s); }
                x0[c] = y0; x1[c] = y1;
            }
        }
    }
}

#if !TMPL_SCALAR
/* Contiguous passes with spans shorter than one vector: the column kernels with W = 1. */
TF void SFX(kc_r4_row)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s)
{
    R r = (R)s;
    if (inv) { if (sc) SFX(kc_r4)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 1, 1, r); else SFX(kc_r4)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 1, 0, r); }
    else     { if (sc) SFX(kc_r4)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 0, 1, r); else SFX(kc_r4)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 0, 0, r); }
}

TF void SFX(kc_r8_row)(CPX *x, size_t n, size_t h, const CPX *tw, int dup, int inv, int sc, double s)
{
    R r = (R)s;
    if (inv) { if (sc) SFX(kc_r8)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 1, 1, r); else SFX(kc_r8)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 1, 0, r); }
    else     { if (sc) SFX(kc_r8)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 0, 1, r); else SFX(kc_r8)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), dup, 0, 0, r); }
}

TF void SFX(kc_r2_row)(CPX *x, size_t n, size_t h, const CPX *tw, int inv, int sc, double s)
{
    R r = (R)s;
    if (inv) { if (sc) SFX(kc_r2)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), 1, 1, r); else SFX(kc_r2)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), 1, 0, r); }
    else     { if (sc) SFX(kc_r2)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), 0, 1, r); else SFX(kc_r2)(x, 1, n, 1, h, tw, BTTB_TWMAP(h), 0, 0, r); }
}
#endif

/* First three stages on W adjacent transforms (8-point DFTs over rows k..k+7): VL columns per
 * vector (vdft8, the same operations as the scalar dft8 of the remainder columns). */
TI void SFX(kc_first8)(CPX *x, ptrdiff_t rs, size_t n, size_t W, const int inv, const int sc, R s)
{
    size_t k, c;
    int q;
    for (k = 0; k < n; k += 8) {
        CPX *restrict r0 = x + (ptrdiff_t)k * rs;
        c = 0;
#if !TMPL_SCALAR
        for (; c + VL <= W; c += VL) {
            VT v[8];
            for (q = 0; q < 8; q++) v[q] = V_LD(r0 + (ptrdiff_t)q * rs + (ptrdiff_t)c);
            SFX(vdft8)(v, inv, sc, s);
            for (q = 0; q < 8; q++) V_ST(r0 + (ptrdiff_t)q * rs + (ptrdiff_t)c, v[q]);
        }
#endif
        for (; c < W; c++) {
            CPX v[8];
            for (q = 0; q < 8; q++) v[q] = r0[(ptrdiff_t)q * rs + (ptrdiff_t)c];
            SFX(dft8)(v, inv, sc, s);
            for (q = 0; q < 8; q++) r0[(ptrdiff_t)q * rs + (ptrdiff_t)c] = v[q];
        }
    }
}

/* First two stages on W adjacent transforms (a radix-4 pass of span 1: trivial twiddles, no
 * multiplications; the operations of dft4_at / vdft4). */
TI void SFX(kc_first4)(CPX *x, ptrdiff_t rs, size_t n, size_t W, const int inv, const int sc, R s)
{
    size_t k, c;
    for (k = 0; k < n; k += 4) {
        CPX *restrict x0 = x + (ptrdiff_t)k * rs;
        CPX *restrict x1 = x0 + rs;
        CPX *restrict x2 = x1 + rs;
        CPX *restrict x3 = x2 + rs;
        c = 0;
#if !TMPL_SCALAR
        for (; c + VL <= W; c += VL) {
            VT v[4];
            v[0] = V_LD(x0 + c); v[1] = V_LD(x1 + c); v[2] = V_LD(x2 + c); v[3] = V_LD(x3 + c);
            SFX(vdft4)(v, inv, sc, s);
            V_ST(x0 + c, v[0]); V_ST(x1 + c, v[1]); V_ST(x2 + c, v[2]); V_ST(x3 + c, v[3]);
        }
#endif
        for (; c < W; c++) SFX(dft4_at)(x0 + c, x1 + c, x2 + c, x3 + c, inv, sc, s);
    }
}

/* Transposed column passes (decimation in frequency).  A pass of the plan multiplies the values
 * at its positions j + m*h by twiddles, then takes their 2-, 4- or 8-point DFT with bit-reversed
 * input slots (B * D).  Its transpose (D * B^T) takes the DFT of the values in natural order,
 * puts the result in bit-reversed slot order, and then applies the same twiddles at the same
 * positions.  The DFT matrix is symmetric, so the transposed passes run in reverse order compute
 * the DFT of columns in natural order with the output rows in bit-reversed order (mode
 * BTTB_COLS_DIF of pow2_cols), using the plan's twiddle tables as they are. */

/* B^T of the 4-point passes (kc_r4, kc_first4 and the contiguous dft4_at have the same B). */
TI void SFX(dft4t)(CPX *u, const int inv)
{
    CPX c0 = C_ADD(u[0], u[2]), c1 = C_SUB(u[0], u[2]), c2 = C_ADD(u[1], u[3]);
    CPX c3 = C_W4(C_SUB(u[1], u[3]), inv);
    u[0] = C_ADD(c0, c2); u[1] = C_SUB(c0, c2); u[2] = C_ADD(c1, c3); u[3] = C_SUB(c1, c3);
}

/* B^T of the 8-point passes: dft8 on the inputs in bit-reversed slot order, then the outputs in
 * bit-reversed slot order (rev3 = 0 4 2 6 1 5 3 7 is its own inverse). */
TI void SFX(dft8t)(CPX *u, const int inv)
{
    CPX v[8];
    v[0] = u[0]; v[1] = u[4]; v[2] = u[2]; v[3] = u[6]; v[4] = u[1]; v[5] = u[5]; v[6] = u[3]; v[7] = u[7];
    SFX(dft8)(v, inv, 0, (R)1);
    u[0] = v[0]; u[1] = v[4]; u[2] = v[2]; u[3] = v[6]; u[4] = v[1]; u[5] = v[5]; u[6] = v[3]; u[7] = v[7];
}

#if !TMPL_SCALAR
TI void SFX(vdft4t)(VT *u, const int inv)
{
    VT c0 = V_ADD(u[0], u[2]), c1 = V_SUB(u[0], u[2]), c2 = V_ADD(u[1], u[3]);
    VT c3 = V_W4(V_SUB(u[1], u[3]), inv);
    u[0] = V_ADD(c0, c2); u[1] = V_SUB(c0, c2); u[2] = V_ADD(c1, c3); u[3] = V_SUB(c1, c3);
}

TI void SFX(vdft8t)(VT *u, const int inv)
{
    VT v[8];
    v[0] = u[0]; v[1] = u[4]; v[2] = u[2]; v[3] = u[6]; v[4] = u[1]; v[5] = u[5]; v[6] = u[3]; v[7] = u[7];
    SFX(vdft8)(v, inv, 0, (R)1);
    u[0] = v[0]; u[1] = v[4]; u[2] = v[2]; u[3] = v[6]; u[4] = v[1]; u[5] = v[5]; u[6] = v[3]; u[7] = v[7];
}
#endif

/* One transposed pass of radix r (2, 4 or 8) and span h on W adjacent columns (tw == NULL: no
 * twiddles, h == 1).  The twiddle at position j + m*h is the one the plain pass (kc_r8, kc_r4,
 * kc_r2) applies there: index q = m of the radix-8 table, q = tq4[m] of the radix-4 one. */
TI void SFX(kc_tpass)(CPX *x, ptrdiff_t rs, size_t n, size_t W, size_t h, const CPX *restrict tw,
                      int dup, const unsigned r, const int inv, const int sc, R s)
{
    static const unsigned tq4[4] = { 0, 2, 1, 3 };
    size_t k, j, c;
    unsigned m;
    const ptrdiff_t hs = (ptrdiff_t)h * rs;
    for (k = 0; k < n; k += r * h) {
        for (j = 0; j < h; j++) {
            CPX w[8] = { { 1, 0 } };
            CPX *restrict x0 = x + (ptrdiff_t)(k + j) * rs;
            if (tw) {
                for (m = 1; m < r; m++)
                    w[m] = r == 8 ? SFX(tw_get)(tw, h, dup, 7, m, j)
                         : r == 4 ? SFX(tw_get)(tw, h, dup, 3, tq4[m], j) : tw[j];
            }
            c = 0;
#if !TMPL_SCALAR
            {
                VT vw[8];
                if (tw) for (m = 1; m < r; m++) vw[m] = V_BCAST(w[m]);
                for (; c + VL <= W; c += VL) {
                    VT u[8];
                    for (m = 0; m < r; m++) u[m] = V_LD(x0 + (ptrdiff_t)m * hs + (ptrdiff_t)c);
                    if (r == 8) SFX(vdft8t)(u, inv);
                    else if (r == 4) SFX(vdft4t)(u, inv);
                    else { VT a = u[0]; u[0] = V_ADD(a, u[1]); u[1] = V_SUB(a, u[1]); }
                    if (tw) for (m = 1; m < r; m++) u[m] = V_TW(u[m], vw[m], inv);
                    if (sc) for (m = 0; m < r; m++) u[m] = V_SCALE(u[m], s);
                    for (m = 0; m < r; m++) V_ST(x0 + (ptrdiff_t)m * hs + (ptrdiff_t)c, u[m]);
                }
            }
#endif
            for (; c < W; c++) {
                CPX u[8];
                for (m = 0; m < r; m++) u[m] = x0[(ptrdiff_t)m * hs + (ptrdiff_t)c];
                if (r == 8) SFX(dft8t)(u, inv);
                else if (r == 4) SFX(dft4t)(u, inv);
                else { CPX a = u[0]; u[0] = C_ADD(a, u[1]); u[1] = C_SUB(a, u[1]); }
                if (tw) for (m = 1; m < r; m++) u[m] = C_TW(u[m], w[m], inv);
                if (sc) for (m = 0; m < r; m++) u[m] = C_SCALE(u[m], s);
                for (m = 0; m < r; m++) x0[(ptrdiff_t)m * hs + (ptrdiff_t)c] = u[m];
            }
        }
    }
}

/* Pass ip of p transposed (see kc_tpass), on n rows. */
TF void SFX(kc_pass_t)(const bttb_plan *p, size_t ip, CPX *x, size_t n, ptrdiff_t rs, size_t W,
                       int inv, int sc, double s)
{
    const bttb_pass *ps = &p->pass[ip];
    const CPX *tw = ps->h > 1 || ps->radix == 2 ? (const CPX *)p->tw + ps->tw : NULL;
    const int dup = (int)ps->dup;
    R rr = (R)s;
    if (ps->radix == 8) {
        if (inv) { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 8, 1, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 8, 1, 0, rr); }
        else     { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 8, 0, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 8, 0, 0, rr); }
    } else if (ps->radix == 4) {
        if (inv) { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 4, 1, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 4, 1, 0, rr); }
        else     { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 4, 0, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 4, 0, 0, rr); }
    } else {
        if (inv) { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 2, 1, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 2, 1, 0, rr); }
        else     { if (sc) SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 2, 0, 1, rr); else SFX(kc_tpass)(x, rs, n, W, ps->h, tw, dup, 2, 0, 0, rr); }
    }
}

/* Pass ip of p on the n rows x, x + rs, ... (W adjacent columns).  sub == 1: all the rows the
 * pass works on.  sub > 1 (a power of two <= the pass's span): x is row j0 of a block of rows,
 * rs sub times the row stride, and the n rows are those j0, j0 + sub, ... of the block (a subset
 * the pass maps to itself: its span there is h/sub, its twiddles those of index j0 + sub*j). */
TF void SFX(kc_pass)(const bttb_plan *p, size_t ip, CPX *x, size_t n, ptrdiff_t rs, size_t W,
                     int inv, int sc, double s, size_t sub, size_t j0)
{
    const bttb_pass *ps = &p->pass[ip];
    const CPX *tw = (const CPX *)p->tw + ps->tw;
    size_t h = ps->h / sub;
    const bttb_twmap tm = { ps->h, j0, sub };
    R r = (R)s;
    if (ps->radix == 8 && ps->h > 1) {
        int dup = (int)ps->dup;
        if (inv) { if (sc) SFX(kc_r8)(x, rs, n, W, h, tw, tm, dup, 1, 1, r); else SFX(kc_r8)(x, rs, n, W, h, tw, tm, dup, 1, 0, r); }
        else     { if (sc) SFX(kc_r8)(x, rs, n, W, h, tw, tm, dup, 0, 1, r); else SFX(kc_r8)(x, rs, n, W, h, tw, tm, dup, 0, 0, r); }
    } else if (ps->radix == 8) {
        if (inv) { if (sc) SFX(kc_first8)(x, rs, n, W, 1, 1, r); else SFX(kc_first8)(x, rs, n, W, 1, 0, r); }
        else     { if (sc) SFX(kc_first8)(x, rs, n, W, 0, 1, r); else SFX(kc_first8)(x, rs, n, W, 0, 0, r); }
    } else if (ps->radix == 4 && ps->h == 1) {
        if (inv) { if (sc) SFX(kc_first4)(x, rs, n, W, 1, 1, r); else SFX(kc_first4)(x, rs, n, W, 1, 0, r); }
        else     { if (sc) SFX(kc_first4)(x, rs, n, W, 0, 1, r); else SFX(kc_first4)(x, rs, n, W, 0, 0, r); }
    } else if (ps->radix == 4) {
        int dup = (int)ps->dup;
        if (inv) { if (sc) SFX(kc_r4)(x, rs, n, W, h, tw, tm, dup, 1, 1, r); else SFX(kc_r4)(x, rs, n, W, h, tw, tm, dup, 1, 0, r); }
        else     { if (sc) SFX(kc_r4)(x, rs, n, W, h, tw, tm, dup, 0, 1, r); else SFX(kc_r4)(x, rs, n, W, h, tw, tm, dup, 0, 0, r); }
    } else {
        if (inv) { if (sc) SFX(kc_r2)(x, rs, n, W, h, tw, tm, 1, 1, r); else SFX(kc_r2)(x, rs, n, W, h, tw, tm, 1, 0, r); }
        else     { if (sc) SFX(kc_r2)(x, rs, n, W, h, tw, tm, 0, 1, r); else SFX(kc_r2)(x, rs, n, W, h, tw, tm, 0, 0, r); }
    }
}

/* W adjacent power-of-two transforms with row stride rs, in place.  The passes whose blocks of
 * rows fit in the cache block are run chunk of rows by chunk of rows (depth first); the others
 * stream over all rows.  mode BTTB_COLS_REST: the rows are already bit-reversed and the first
 * pass done (rows_colfirst); only the passes after it run.  BTTB_COLS_BREVED: the rows are
 * already in bit-reversed order; every pass runs.  BTTB_COLS_DIF: the rows in natural order,
 * the result's rows in bit-reversed order (the passes transposed, in reverse order). */
TF void SFX(pow2_cols_body)(const bttb_plan *p, CPX *x, ptrdiff_t rs, size_t W, int inv,
                            double scale, unsigned mode);
TF void SFX(cols_tail)(const bttb_plan *p, CPX *x, ptrdiff_t rs, size_t m, size_t W, int inv,
                       double scale, unsigned from, size_t sub, size_t j0, size_t Bn);

/* Columns of every row at the same place in a cache line (row stride a multiple of 64 bytes) but
 * not at its start: the few columns before the first line boundary go alone (scalar), so the
 * vector loads and stores of the others never straddle two lines (a numpy array starts 16 bytes
 * into a line; 2048 x 2048 complex128 column passes ~0.75x the time aligned).  Same bits: the
 * scalar and vector paths round alike. */
TF size_t SFX(cols_head)(const CPX *x, ptrdiff_t rs, size_t W)
{
    size_t a = (size_t)(uintptr_t)x % 64, rb = (size_t)(rs < 0 ? -rs : rs) * sizeof(CPX), hd;
    if (TMPL_SCALAR || a == 0 || a % sizeof(CPX) != 0 || rb % 64 != 0) return 0;
    hd = (64 - a) / sizeof(CPX);
    return W >= hd + 2 * VL ? hd : 0;
}

TF void SFX(pow2_cols)(const bttb_plan *p, CPX *x, ptrdiff_t rs, size_t W, int inv, double scale,
                       unsigned mode)
{
    size_t hd = SFX(cols_head)(x, rs, W);
    if (hd) SFX(pow2_cols_body)(p, x, rs, hd, inv, scale, mode);
    SFX(pow2_cols_body)(p, x + hd, rs, W - hd, inv, scale, mode);
}

TF void SFX(pow2_cols_body)(const bttb_plan *p, CPX *x, ptrdiff_t rs, size_t W, int inv,
                            double scale, unsigned mode)
{
    size_t n = p->n, i, j, c, rowb = W * sizeof(CPX), Bn = 1;
    const unsigned first = mode == BTTB_COLS_REST ? 1u : 0u;
    const unsigned np = p->npass;
    if (n == 1) {
        if (scale != 1.0 && !first)
            for (c = 0; c < W; c++) x[c] = C_SCALE(x[c], (R)scale);
        return;
    }
    if (first >= np) return;
    /* rows per chunk of the depth-first passes (Bn < n), else every pass sweeps all rows */
    while (Bn < n && 2 * Bn * rowb <= (size_t)256 * 1024) Bn *= 2;
    if (mode == BTTB_COLS_DIF) {
        /* natural order in, bit-reversed rows out: the transposed passes in reverse order, the
         * ones whose blocks exceed the cache block first over all rows, then the others chunk
         * of rows by chunk of rows; the scale goes into pass 0, the last to run */
        size_t B;
        unsigned ip, split = 0;
        if (Bn < n)
            while (split < np && p->pass[split].radix * p->pass[split].h <= Bn) split++;
        for (ip = np; ip-- > split;)
            SFX(kc_pass_t)(p, ip, x, n, rs, W, inv, scale != 1.0 && ip == 0, scale);
        B = Bn < n ? Bn : n;
        if (split > 0) {
            size_t r0;
            for (r0 = 0; r0 < n; r0 += B)
                for (ip = split; ip-- > 0;)
                    SFX(kc_pass_t)(p, ip, x + (ptrdiff_t)r0 * rs, B, rs, W, inv,
                                   scale != 1.0 && ip == 0, scale);
        }
        return;
    }
    /* bit reversal of the rows */
    if (mode == BTTB_COLS_ALL) {
        for (i = 0, j = 0; i < n; i++) {
            if (i < j) {
                CPX *restrict a = x + (ptrdiff_t)i * rs, *restrict b = x + (ptrdiff_t)j * rs;
                for (c = 0; c < W; c++) { CPX t = a[c]; a[c] = b[c]; b[c] = t; }
            }
            if (i + 1 < n) j = SFX(rev_next)(j, n >> 1);
        }
    }
    if (mode == BTTB_COLS_REST && n * rowb >= BTTB_COLS_SPLIT) {
        /* every pass after the first has a span that is a multiple of the first's radix r, so
         * the rows of each residue mod r are a transform of their own (see cols_tail): one at a
         * time, the passes sweep n/r rows instead of n (2048 x 256 complex128 columns, r = 8:
         * eight classes of 1 MiB instead of one block of 8 MiB, which stay in cache between
         * the depth-first and the full-height passes, also when two threads share the L3);
         * same arithmetic, same bits */
        size_t r = p->pass[first].h, k1;
        for (k1 = 0; k1 < r; k1++)
            SFX(cols_tail)(p, x + (ptrdiff_t)k1 * rs, (ptrdiff_t)r * rs, n / r, W, inv, scale,
                           first, r, k1, Bn);
        return;
    }
    SFX(cols_tail)(p, x, rs, n, W, inv, scale, first, 1, 0, Bn);
}

/* The passes from `from` on, of the rows j0, j0+sub, j0+2*sub, ... of a transform (m = n/sub of
 * them here, x[i*rs] holding row j0+i*sub; sub = 1, j0 = 0: every row), which every pass from
 * `from` on keeps to themselves (their spans are multiples of sub): there a pass of span h has
 * span h/sub and the twiddles of index j0 + sub*j of the full pass.  The passes whose blocks fit
 * Bn rows run chunk of rows by chunk of rows (depth first); the others stream over all m rows,
 * runs of them whose rows (a subset of stride h of the first one's span) fit in BTTB_COLS_FUSE
 * bytes together, subset by subset, so their memory is read and written once. */
TF void SFX(cols_tail)(const bttb_plan *p, CPX *x, ptrdiff_t rs, size_t m, size_t W, int inv,
                       double scale, unsigned from, size_t sub, size_t j0, size_t Bn)
{
    size_t rowb = W * sizeof(CPX), j;
    unsigned ip, split = from, np = p->npass;
    if (Bn < m) {
        while (split < np && p->pass[split].radix * (p->pass[split].h / sub) <= Bn) split++;
        if (split > from) {
            size_t r0;
            for (r0 = 0; r0 < m; r0 += Bn)
                for (ip = from; ip < split; ip++)
                    SFX(kc_pass)(p, ip, x + (ptrdiff_t)r0 * rs, Bn, rs, W, inv, 0, 1.0, sub, j0);
        }
    }
    for (ip = split; ip < np;) {
        size_t h0 = p->pass[ip].h / sub, nr = p->pass[ip].radix, k;
        unsigned q = ip + 1, i;
        while (h0 > 1 && q < np && nr * p->pass[q].radix * rowb <= BTTB_COLS_FUSE) nr *= p->pass[q++].radix;
        if (q == ip + 1) {
            SFX(kc_pass)(p, ip, x, m, rs, W, inv, scale != 1.0 && ip + 1 == np, scale, sub, j0);
            ip++;
            continue;
        }
        for (k = 0; k < m; k += h0 * nr)
            for (j = 0; j < h0; j++)
                for (i = ip; i < q; i++)
                    SFX(kc_pass)(p, i, x + (ptrdiff_t)(k + j) * rs, nr, (ptrdiff_t)h0 * rs, W, inv,
                                 scale != 1.0 && i + 1 == np, scale, sub * h0, j0 + sub * j);
        ip = q;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Bluestein                                                                                    */
/* ------------------------------------------------------------------------------------------ */
/* out[k*os] = scale * DFT(in[j*is])[k] for a plan of any length; y: m complex of scratch. */
TF void SFX(bluestein)(const bttb_plan *p, const CPX *in, ptrdiff_t is, CPX *out, ptrdiff_t os,
                       int inv, double scale, CPX *restrict y)
{
    size_t n = p->n, m = p->m, k;
    const CPX *restrict ch = (const CPX *)p->chirp;
    const CPX *restrict K = (const CPX *)p->kspec;
    const bttb_plan *sub = p->sub;
    R rs = (R)scale;
    if (inv) for (k = 0; k < n; k++) y[k] = C_MULJ(in[(ptrdiff_t)k * is], ch[k]);
    else     for (k = 0; k < n; k++) y[k] = C_MUL(in[(ptrdiff_t)k * is], ch[k]);
    for (k = n; k < m; k++) { y[k].re = 0; y[k].im = 0; }
    SFX(pow2_inplace)(sub, y, 0, 1.0, NULL);
#if !TMPL_SCALAR
    if (m % VL == 0) {
        if (inv) for (k = 0; k < m; k += VL) V_ST(y + k, V_CMULJ(V_LD(y + k), V_LD(K + k)));
        else     for (k = 0; k < m; k += VL) V_ST(y + k, V_CMUL(V_LD(y + k), V_LD(K + k)));
    } else
#endif
    {
        if (inv) for (k = 0; k < m; k++) y[k] = C_MULJ(y[k], K[k]);
        else     for (k = 0; k < m; k++) y[k] = C_MUL(y[k], K[k]);
    }
    SFX(pow2_inplace)(sub, y, 1, 1.0, NULL);
    if (scale != 1.0) {
        if (inv) for (k = 0; k < n; k++) out[(ptrdiff_t)k * os] = C_SCALE(C_MULJ(y[k], ch[k]), rs);
        else     for (k = 0; k < n; k++) out[(ptrdiff_t)k * os] = C_SCALE(C_MUL(y[k], ch[k]), rs);
    } else {
        if (inv) for (k = 0; k < n; k++) out[(ptrdiff_t)k * os] = C_MULJ(y[k], ch[k]);
        else     for (k = 0; k < n; k++) out[(ptrdiff_t)k * os] = C_MUL(y[k], ch[k]);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Execute entry points (arguments already validated)                                           */
/* ------------------------------------------------------------------------------------------ */
/* ah: the memory of the next transform of a batch to prefetch meanwhile (power-of-two plans;
 * NULL: none). */
TI void SFX(c2c_ah)(const bttb_plan *p, const void *in, void *out, int inv, double scale,
                    void *work, const bttb_ahead *ah)
{
    if (p->algo == BTTB_ALGO_POW2) {
        if (in == out) SFX(pow2_inplace)(p, (CPX *)out, inv, scale, ah);
        else SFX(pow2_oop)(p, (const CPX *)in, (CPX *)out, inv, scale, ah);
    } else {
        SFX(bluestein)(p, (const CPX *)in, 1, (CPX *)out, 1, inv, scale, (CPX *)work);
    }
}

TF void SFX(c2c)(const bttb_plan *p, const void *in, void *out, int inv, double scale, void *work)
{
    SFX(c2c_ah)(p, in, out, inv, scale, work, NULL);
}

/* howmany contiguous transforms in + t*idist -> out + t*odist (in place when in == out and the
 * distances are equal; otherwise no transform's input overlaps another's output). */
TF void SFX(c2c_batch)(const bttb_plan *p, const void *in, void *out, int inv, double scale,
                       size_t howmany, ptrdiff_t idist, ptrdiff_t odist, void *work)
{
    const CPX *x = (const CPX *)in;
    CPX *y = (CPX *)out;
    size_t t, bytes = p->n * sizeof(CPX);
    int ahead = p->algo == BTTB_ALGO_POW2 && bttb_ahead_worth(bytes, howmany);
    for (t = 0; t < howmany; t++) {
        const CPX *xt = x + (ptrdiff_t)t * idist;
        CPX *yt = y + (ptrdiff_t)t * odist;
        bttb_ahead ah;
        const bttb_ahead *pa = ahead && t + 1 < howmany ? &ah : NULL;
        if (pa) ah = bttb_ahead_prefetch(xt == yt ? NULL : (const char *)(xt + idist),
                                         (char *)(yt + odist), bytes);
        if (p->algo != BTTB_ALGO_POW2) SFX(bluestein)(p, xt, 1, yt, 1, inv, scale, (CPX *)work);
        else if (xt == yt) SFX(pow2_inplace)(p, yt, inv, scale, pa);
        else SFX(pow2_oop)(p, xt, yt, inv, scale, pa);
    }
}

/* mode (columns only, see pow2_cols): BTTB_COLS_ALL for a plain call; BTTB_COLS_REST: the rows
 * were bit-reversed and the first pass done; BTTB_COLS_BREVED: the rows are in bit-reversed
 * order; BTTB_COLS_DIF: natural order in, the result's rows in bit-reversed order. */
TF void SFX(c2c_many)(const bttb_plan *p, void *data, int inv, double scale, size_t howmany,
                      ptrdiff_t stride, ptrdiff_t dist, void *work, unsigned mode)
{
    CPX *x = (CPX *)data;
    size_t t;
    if (p->algo != BTTB_ALGO_POW2) {
        for (t = 0; t < howmany; t++)
            SFX(bluestein)(p, x + (ptrdiff_t)t * dist, stride, x + (ptrdiff_t)t * dist, stride, inv,
                           scale, (CPX *)work);
        return;
    }
    if ((stride == 1 || p->n == 1) && mode == BTTB_COLS_ALL) {   /* contiguous: in-place batch */
        SFX(c2c_batch)(p, x, x, inv, scale, howmany, dist, dist, work);
        return;
    }
    if ((dist == 1 || dist == -1) && howmany > 1 &&
        (size_t)(stride < 0 ? -stride : stride) >= howmany) {
        /* columns: all adjacent columns together (whole rows: contiguous chunks of rows for the
         * depth-first passes), in groups only when the transform fits in cache anyway */
        size_t W, row_bytes_max = (size_t)256 * 1024 / p->n, t1;
        if (dist == -1) x -= howmany - 1;
        W = row_bytes_max / sizeof(CPX);
        if (W < 64) W = howmany;
        if (W > howmany) W = howmany;
        /* the groups after the first start on a cache line (see cols_head) */
        t1 = W + SFX(cols_head)(x, stride, howmany);
        for (t = 0; t < howmany; t = t == 0 ? t1 : t + W) {
            size_t end = t == 0 ? t1 : t + W, w = (end < howmany ? end : howmany) - t;
            SFX(pow2_cols)(p, x + t, stride, w, inv, scale, mode);
        }
        return;
    }
    for (t = 0; t < howmany; t++)
        SFX(pow2_cols)(p, x + (ptrdiff_t)t * dist, stride, 1, inv, scale, mode);
}

/* The row pass of a 2-D power-of-two transform (n1 x n2, C order, x -> y, not overlapping) fused
 * with the bit reversal and the first pass of the column transforms, for the groups [g0, g1) of
 * the column plan's first pass (radix r, G = n1/r groups).  Group g is the rows g*r .. g*r+r-1 of
 * y: row g*r+k is the transform of row rev(g) + rev_r(k)*G of x (its place after the bit
 * reversal of the rows), and the r rows are combined by the column first pass while they are in
 * cache.  The result is what pow2_cols(BTTB_COLS_ALL) after the row transforms gives, bit for
 * bit; the column transforms then continue with pow2_cols(BTTB_COLS_REST).  work (2*r*W
 * elements, W the output row length, or NULL): each group is built in one half and streamed to
 * y, row by row in the slices of the next group's row transforms (y is written once and never
 * read).  pr NULL: no row transforms, the rows (of any length n2) are copied (rscale unused): the
 * column transforms alone, from x into y.  pr a real (r2c) plan of even n2: x holds real rows of
 * n2, y rows of n2/2+1 (the 2-D real-to-complex transform). */
TF void SFX(r2c)(const bttb_plan *p, const void *in, void *out, double scale, void *work,
                 const bttb_ahead *ah);
TF void SFX(rows_colfirst)(const bttb_plan *pr, const bttb_plan *pc, const void *in, void *out,
                           size_t n2, size_t g0, size_t g1, int inv, double rscale, double cscale,
                           void *work, int single)
{
    const unsigned char *x = (const unsigned char *)in;
    CPX *y = (CPX *)out;
    int real = pr && pr->kind == BTTB_R2C;
    /* input row bytes (single: float or complex float rows, widened before their transform);
     * output row length W (n2/2+1 after a real transform) */
    size_t inb = n2 * (single ? (real ? 1 : 2) * sizeof(float) : real ? sizeof(R) : sizeof(CPX));
    size_t W = real ? n2 / 2 + 1 : n2;
    size_t r = pc->pass[0].radix, G = pc->n / r, g, k, rowb = W * sizeof(CPX);
    unsigned lr = bttb_log2_size(r), lg = pc->log2n - lr;
    /* the two group buffers: group g is built in bufs[g & 1] while the group before it is
     * streamed out of the other one */
    CPX *bufs[2];
    const CPX *pbuf = NULL;   /* the built group waiting to be streamed out, and its place */
    CPX *pblk = NULL;
    /* read-ahead by the size of the whole input (n1 rows), not of this call's share: the
     * parts of a threaded pass (about 1 MiB of output each) would otherwise fall below
     * BTTB_AHEAD_MIN_TOTAL and lose it */
    int last = pc->npass == 1, ahead = bttb_ahead_worth(inb, pc->n);
    bufs[0] = (CPX *)work;
    bufs[1] = work ? bufs[0] + r * W : NULL;
    for (g = g0; g < g1; g++) {
        size_t q = bttb_rev_bits(g, lg);
        CPX *blk = y + g * r * W, *dst = work ? bufs[g & 1] : blk;
        for (k = 0; k < r; k++) {
            const unsigned char *src = x + (q + bttb_rev_bits(k, lr) * G) * inb;
            bttb_ahead ah = bttb_ahead_prefetch(NULL, NULL, 0);
            const bttb_ahead *pa;
            size_t done = 0;
            if (!pr) {
                memcpy(dst + k * W, src, rowb);
                if (pbuf) bttb_stream_copy(pblk + k * W, pbuf + k * W, rowb);
                continue;
            }
            if (ahead && (k + 1 < r || g + 1 < g1)) {   /* the next row of this call */
                size_t gn = k + 1 < r ? g : g + 1, kn = k + 1 < r ? k + 1 : 0;
                ah = bttb_ahead_prefetch(
                    (const char *)(x + (bttb_rev_bits(gn, lg) + bttb_rev_bits(kn, lr) * G) * inb),
                    work ? NULL : (char *)(y + (gn * r + kn) * W), inb > rowb ? inb : rowb);
            }
            if (pbuf) {   /* row k of the previous group goes out during this transform */
                ah.cp_src = (const char *)(pbuf + k * W);
                ah.cp_dst = (char *)(pblk + k * W);
                ah.cp_bytes = rowb;
                ah.cp_done = &done;
            }
            pa = ah.rd || ah.cp_bytes ? &ah : NULL;
            if (single) {   /* widened into its output row, transformed there */
                const float *restrict sf = (const float *)(const void *)src;
                R *restrict d = (R *)(dst + k * W);
                size_t i, m = real ? n2 : 2 * n2;
                for (i = 0; i < m; i++) d[i] = (R)sf[i];
                if (real) SFX(r2c)(pr, dst + k * W, dst + k * W, rscale, NULL, pa);
                else SFX(pow2_inplace)(pr, dst + k * W, inv, rscale, pa);
            } else if (real) {
                SFX(r2c)(pr, src, dst + k * W, rscale, NULL, pa);
            } else {
                SFX(pow2_oop)(pr, (const CPX *)(const void *)src, dst + k * W, inv, rscale, pa);
            }
            if (pbuf && done < rowb)
                bttb_stream_copy((char *)(pblk + k * W) + done, (const char *)(pbuf + k * W) + done,
                                 rowb - done);
        }
        SFX(kc_pass)(pc, 0, dst, r, (ptrdiff_t)W, W, inv, last && cscale != 1.0, cscale, 1, 0);
        if (work) {
            pbuf = dst;
            pblk = blk;
        }
    }
    if (pbuf) {
        bttb_stream_copy(pblk, pbuf, r * rowb);
        bttb_stream_fence();
    }
}

/* Real-to-complex.  ah: as for c2c_ah (rows of a batch). */
TF void SFX(r2c)(const bttb_plan *p, const void *in, void *out, double scale, void *work,
                 const bttb_ahead *ah)
{
    size_t n = p->n, k;
    CPX *o = (CPX *)out;
    R rs = (R)scale;
    int sc = scale != 1.0;
    if (p->algo == BTTB_ALGO_REAL_EVEN) {
        size_t h = n / 2;
        const CPX *restrict u = (const CPX *)p->rtw;   /* u_k = -i w^k / 2 */
        CPX z0;
        SFX(c2c_ah)(p->sub, in, out, 0, 1.0, work, ah);
        z0 = o[0];
        o[0].re = z0.re + z0.im; o[0].im = 0;
        o[h].re = z0.re - z0.im; o[h].im = 0;
        if (sc) { o[0].re *= rs; o[h].re *= rs; }
        k = 1;
        /* A = Z[k], B = Z[h-k]: E = (A + conj B)/2 and D = A - conj B give
         * X[k] = E + u_k D and X[h-k] = conj(E - u_k D) */
#if !TMPL_SCALAR
        /* VL pairs (k, h-k) at a time while the two ranges stay apart; the same lane arithmetic
         * as the scalar loop below */
        for (; k + 2 * VL <= h - k + 1; k += VL) {
            VT A = V_LD(o + k), B = V_CONJ(V_REV(V_LD(o + h - k - (VL - 1))));
            VT E = V_SCALE(V_ADD(A, B), (R)0.5);
            VT t = V_CMUL(V_SUB(A, B), V_LD(u + k));
            VT y0 = V_ADD(E, t), y1 = V_CONJ(V_SUB(E, t));
            if (sc) { y0 = V_SCALE(y0, rs); y1 = V_SCALE(y1, rs); }
            V_ST(o + k, y0);
            V_ST(o + h - k - (VL - 1), V_REV(y1));
        }
#endif
        for (; 2 * k <= h; k++) {
            CPX A = o[k], B = C_CONJ(o[h - k]), E, t, y0, y1;
            E = C_SCALE(C_ADD(A, B), (R)0.5);
            t = C_MUL(C_SUB(A, B), u[k]);
            y0 = C_ADD(E, t);
            y1 = C_CONJ(C_SUB(E, t));
            if (sc) { y0 = C_SCALE(y0, rs); y1 = C_SCALE(y1, rs); }
            o[k] = y0; o[h - k] = y1;
        }
    } else {
        const R *x = (const R *)in;
        CPX *y = (CPX *)work;
        for (k = 0; k < n; k++) { y[k].re = x[k]; y[k].im = 0; }
        SFX(c2c)(p->sub, y, y, 0, scale, y + n);
        for (k = 0; k <= n / 2; k++) o[k] = y[k];
        o[0].im = 0; /* exactly real, as the sum of real inputs */
    }
}

/* Complex-to-real. */
TF void SFX(c2r)(const bttb_plan *p, const void *in, void *out, double scale, void *work,
                 const bttb_ahead *ah)
{
    size_t n = p->n, k;
    const CPX *X = (const CPX *)in;
    if (p->algo == BTTB_ALGO_REAL_EVEN) {
        size_t h = n / 2;
        const CPX *restrict u = (const CPX *)p->rtw;   /* u_k = -i w^k / 2 */
        CPX *Z = (CPX *)out;
        R x0 = X[0].re, xh = X[h].re;
        k = 1;
        /* A = X[k], B = X[h-k]: P = A + conj B and D = A - conj B give Z[k] = P + conj(u_k) 2D
         * (= P + i conj(w^k) D) and Z[h-k] = conj(P - conj(u_k) 2D) */
#if !TMPL_SCALAR
        {   /* each step reads and writes only its own two disjoint ranges: in place is fine */
            for (; k + 2 * VL <= h - k + 1; k += VL) {
                VT A = V_LD(X + k), B = V_CONJ(V_REV(V_LD(X + h - k - (VL - 1))));
                VT P = V_ADD(A, B), D = V_SUB(A, B);
                VT t = V_CMULJ(V_ADD(D, D), V_LD(u + k));
                V_ST(Z + k, V_ADD(P, t));
                V_ST(Z + h - k - (VL - 1), V_REV(V_CONJ(V_SUB(P, t))));
            }
        }
#endif
        for (; 2 * k <= h; k++) {
            CPX A = X[k], B = C_CONJ(X[h - k]), P, D, t;
            P = C_ADD(A, B);
            D = C_SUB(A, B);
            t = C_MULJ(C_ADD(D, D), u[k]);
            Z[k] = C_ADD(P, t);
            Z[h - k] = C_CONJ(C_SUB(P, t));
        }
        Z[0].re = x0 + xh; Z[0].im = x0 - xh;
        SFX(c2c_ah)(p->sub, Z, Z, 1, scale, work, ah);
    } else {
        CPX *y = (CPX *)work;
        R *o = (R *)out;
        y[0].re = X[0].re; y[0].im = 0;
        for (k = 1; 2 * k <= n; k++) { y[k] = X[k]; y[n - k] = C_CONJ(X[k]); }
        SFX(c2c)(p->sub, y, y, 1, scale, y + n);
        for (k = 0; k < n; k++) o[k] = y[k].re;
    }
}

#undef TF
#undef TI
#undef C_ADD
#undef C_SUB
#undef C_SCALE
#undef C_MUL
#undef C_MULJ
#undef C_CONJ
#undef C_TW
#undef C_W4
#undef V_TW
#undef V_TWD
#undef V_W4

# cbttbfft.pxd -- Cython declarations mirroring include/bttbfft.h (the public C header).
# Downstream Cython code can `from bttbfft.cbttbfft cimport *` (or `cimport bttbfft`) and call
# the C core directly, without the GIL.

cdef extern from "bttbfft.h" nogil:
    ctypedef enum bttb_status:
        BTTB_OK
        BTTB_EINVAL
        BTTB_ESIZE
        BTTB_EOVERFLOW
        BTTB_ENOMEM
        BTTB_EKIND
        BTTB_ESHAPE

    const char *bttb_strerror(int status)
    const char *bttb_version()
    const char *bttb_simd_name()

    ctypedef enum bttb_precision:
        BTTB_F64
        BTTB_F32

    ctypedef enum bttb_direction:
        BTTB_FORWARD
        BTTB_BACKWARD

    ctypedef enum bttb_kind:
        BTTB_C2C
        BTTB_R2C

    # ---- FFT plans -----------------------------------------------------------------------
    ctypedef struct bttb_plan:
        pass

    bttb_status bttb_plan_create(bttb_plan **plan, bttb_kind kind, size_t n,
                                 bttb_precision precision, unsigned flags)
    void bttb_plan_destroy(bttb_plan *plan)
    size_t bttb_plan_length(const bttb_plan *plan)
    bttb_kind bttb_plan_kind(const bttb_plan *plan)
    bttb_precision bttb_plan_precision(const bttb_plan *plan)
    size_t bttb_plan_work_size(const bttb_plan *plan)
    size_t bttb_plan_memory(const bttb_plan *plan)

    bttb_status bttb_execute_c2c(const bttb_plan *plan, const void *inp, void *out, int direction,
                                 double scale, void *work)
    bttb_status bttb_execute_c2c_many(const bttb_plan *plan, void *data, int direction,
                                      double scale, size_t howmany, ptrdiff_t stride,
                                      ptrdiff_t dist, void *work)
    bttb_status bttb_execute_c2c_batch(const bttb_plan *plan, const void *inp, void *out,
                                       int direction, double scale, size_t howmany,
                                       ptrdiff_t idist, ptrdiff_t odist, void *work)
    bttb_status bttb_execute_r2c(const bttb_plan *plan, const void *inp, void *out, double scale,
                                 void *work)
    bttb_status bttb_execute_c2r(const bttb_plan *plan, const void *inp, void *out, double scale,
                                 void *work)
    bttb_status bttb_execute_r2c_many(const bttb_plan *plan, const void *inp, void *out,
                                      double scale, size_t howmany, ptrdiff_t idist,
                                      ptrdiff_t odist, void *work)
    bttb_status bttb_execute_c2r_many(const bttb_plan *plan, const void *inp, void *out,
                                      double scale, size_t howmany, ptrdiff_t idist,
                                      ptrdiff_t odist, void *work)

    # ---- radix-2 primitives ----------------------------------------------------------------
    bttb_status bttb_bit_reverse(void *data, size_t n, size_t elem_size, ptrdiff_t stride_bytes)
    bttb_status bttb_next_pow2(size_t n, size_t *out)
    int bttb_is_pow2(size_t n)

# ---- convolver (BEGIN CONVOLVER block: maintained with the convolver) --------------------------
# (declarations below are maintained by the convolver engineer)
cdef extern from "bttbfft.h" nogil:
    ctypedef struct bttb_conv_plan:
        pass

    ctypedef enum bttb_conv_type:
        BTTB_REAL
        BTTB_COMPLEX

    ctypedef enum bttb_conv_method:
        BTTB_CONV_AUTO
        BTTB_CONV_FFT
        BTTB_CONV_DIRECT

    bttb_status bttb_conv_plan_create(bttb_conv_plan **plan, bttb_precision precision,
                                      bttb_conv_type type, const void *kernel,
                                      const size_t *kshape, const size_t *ishape,
                                      const size_t *start, const size_t *oshape,
                                      bttb_conv_method method, const size_t *tile)
    void bttb_conv_plan_destroy(bttb_conv_plan *plan)
    bttb_status bttb_conv_execute(const bttb_conv_plan *plan, const void *inp, void *out,
                                  size_t howmany, void *work)
    bttb_status bttb_conv_execute_part(const bttb_conv_plan *plan, const void *inp, void *out,
                                       size_t howmany, size_t part, size_t nparts, void *work)
    size_t bttb_conv_plan_units(const bttb_conv_plan *plan, size_t howmany)
    size_t bttb_conv_plan_work_size(const bttb_conv_plan *plan)
    size_t bttb_conv_plan_memory(const bttb_conv_plan *plan)
    bttb_conv_method bttb_conv_plan_method(const bttb_conv_plan *plan)
    void bttb_conv_plan_tiles(const bttb_conv_plan *plan, size_t *fft_shape, size_t *ntiles)
# ---- END CONVOLVER block ---------------------------------------------------------------------

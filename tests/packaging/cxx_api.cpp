// cxx_api.cpp -- bttbfft.h is usable from C++ (extern "C", no C-only constructs in the header).
//
// Built by .ci/packaging.sh against the installed library:
//   g++ -std=c++11 -Wall -Wextra -pedantic -Werror cxx_api.cpp $(pkg-config --cflags --libs bttbfft)
// Plans an FFT of std::complex<double> data (layout-compatible with the interleaved (re, im)
// pairs the C API expects), checks it against a direct DFT, and exercises the convolver.
#include <bttbfft.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

struct PlanDeleter {
    void operator()(bttb_plan *p) const { bttb_plan_destroy(p); }
};

int check(bttb_status st, const char *what)
{
    if (st != BTTB_OK) {
        std::fprintf(stderr, "%s: %s\n", what, bttb_strerror(st));
        return 1;
    }
    return 0;
}

}  // namespace

int main()
{
    const std::size_t n = 100;  // not a power of two: Bluestein, needs a work buffer
    bttb_plan *raw = nullptr;
    if (check(bttb_plan_create(&raw, BTTB_C2C, n, BTTB_F64, 0u), "bttb_plan_create")) return 1;
    std::unique_ptr<bttb_plan, PlanDeleter> plan(raw);

    std::vector<std::complex<double>> x(n), y(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = std::complex<double>(std::cos(0.3 * j), 0.1 * j);
    std::vector<double> work(bttb_plan_work_size(plan.get()) / sizeof(double) + 1);
    if (check(bttb_execute_c2c(plan.get(), x.data(), y.data(), BTTB_FORWARD, 1.0, work.data()),
              "bttb_execute_c2c"))
        return 1;

    const double pi = std::acos(-1.0);
    double err = 0.0, norm = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        std::complex<double> s(0.0, 0.0);
        for (std::size_t j = 0; j < n; ++j)
            s += x[j] * std::polar(1.0, -2.0 * pi * double((j * k) % n) / double(n));
        err = std::fmax(err, std::abs(s - y[k]));
        norm = std::fmax(norm, std::abs(s));
    }

    // 1-D convolution through the convolver: [1, 2, 3] * [1, 1] = [1, 3, 5, 3]
    const double h[2] = {1.0, 1.0}, in[3] = {1.0, 2.0, 3.0};
    double out[4] = {0.0, 0.0, 0.0, 0.0};
    const std::size_t kshape[2] = {1, 2}, ishape[2] = {1, 3}, start[2] = {0, 0}, oshape[2] = {1, 4};
    bttb_conv_plan *cp = nullptr;
    if (check(bttb_conv_plan_create(&cp, BTTB_F64, BTTB_REAL, h, kshape, ishape, start, oshape,
                                    BTTB_CONV_AUTO, nullptr),
              "bttb_conv_plan_create"))
        return 1;
    std::vector<double> cwork(bttb_conv_plan_work_size(cp) / sizeof(double) + 1);
    bttb_status st = bttb_conv_execute(cp, in, out, 1, cwork.data());
    bttb_conv_plan_destroy(cp);
    if (check(st, "bttb_conv_execute")) return 1;
    const double want[4] = {1.0, 3.0, 5.0, 3.0};
    double cerr = 0.0;
    for (int i = 0; i < 4; ++i) cerr = std::fmax(cerr, std::fabs(out[i] - want[i]));

    std::printf("C++: bttbfft %s (%s), fft rel. error %.3g, conv error %.3g\n", bttb_version(),
                bttb_simd_name(), err / norm, cerr);
    return (err / norm < 1e-13 && cerr < 1e-12) ? 0 : 1;
}

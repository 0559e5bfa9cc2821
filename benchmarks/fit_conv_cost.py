"""Fit the constants of bttbfft._conv's cost model (``_COST``) for the active backend.

Times ``_backend.conv.Conv2D`` (plan construction + one call, as ``convolve2d`` uses it) with
method "direct" and "fft" on a grid of image/kernel sizes (1-D rows and 2-D squares, 'same'
windows, float64), then fits

    t_direct = d_elem * taps * outputs + d_tap * taps + d_0
    t_fft    = f_work * W + f_tile * tiles + f_0         ((W, tiles) = _fallback_conv.fft_work)

by non-negative least squares on relative errors (rows divided by the measured time), and prints
the dict entry to paste into ``_COST`` in src/bttbfft/_conv.py.

    python benchmarks/fit_conv_cost.py [--quick]          # BTTBFFT_PURE_PYTHON=1 for the fallback
"""
import argparse
import time

import numpy as np
from scipy.optimize import nnls

from bttbfft import _backend
from bttbfft._fallback_conv import fft_work


def _time(fn, target=0.05, cap=50):
    fn()
    best = []
    t_total = 0.0
    while len(best) < 3 or (t_total < target and len(best) < cap):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best.append(dt)
        t_total += dt
    return float(np.median(best))


def grid(quick):
    rng = np.random.default_rng(0)
    ms2 = [8, 32, 128, 512] if quick else [8, 16, 32, 64, 128, 256, 512, 1024]
    ks2 = [1, 3, 7, 15, 31] if quick else [1, 2, 3, 5, 7, 11, 15, 23, 31, 47, 63, 127]
    ms1 = [64, 1024, 16384] if quick else [64, 256, 1024, 4096, 16384, 65536]
    ks1 = [3, 31, 255] if quick else [3, 15, 31, 63, 255, 1023]
    cases = [((m, m), (k, k)) for m in ms2 for k in ks2 if k <= m]
    cases += [((1, m), (1, k)) for m in ms1 for k in ks1 if k <= m]
    for ms, ks in cases:
        x = rng.standard_normal(ms)
        kern = rng.standard_normal(ks)
        start = ((ks[0] - 1) // 2, (ks[1] - 1) // 2)
        yield ms, ks, start, ms, x, kern


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--max-time", type=float, default=2.0,
                    help="skip direct timings predicted above this many seconds")
    args = ap.parse_args()
    Conv2D = _backend.conv.Conv2D
    rows_d, t_d, rows_d1, t_d1, rows_f, t_f = [], [], [], [], [], []
    for ms, ks, start, osh, x, kern in grid(args.quick):
        taps = ks[0] * ks[1]
        outs = osh[0] * osh[1]
        w, tiles = fft_work(ks, ms, start, osh)
        tf = _time(lambda: Conv2D(kern, ms, start, osh, "fft")(x))
        rows_f.append([w, tiles, 1.0])
        t_f.append(tf)
        if taps * outs * 2e-9 < args.max_time:
            td = _time(lambda: Conv2D(kern, ms, start, osh, "direct")(x))
            (rows_d1 if ms[0] == 1 else rows_d).append([taps * outs, taps, 1.0])
            (t_d1 if ms[0] == 1 else t_d).append(td)
        else:
            td = float("nan")
        print(f"image {ms!s:>14} kernel {ks!s:>10}  direct {td * 1e3:10.3f} ms  "
              f"fft {tf * 1e3:10.3f} ms", flush=True)

    def fit(rows, t):
        a = np.asarray(rows, float)
        t = np.asarray(t, float)
        coef, _ = nnls(a / t[:, None], np.ones_like(t))
        rel = a @ coef / t - 1.0
        return coef, float(np.sqrt(np.mean(rel ** 2)))

    cd, ed = fit(rows_d, t_d)
    # 2-D direct: the element cost grows with the image (cache), fit the large images alone too
    big = [i for i, r in enumerate(rows_d) if r[0] / max(r[1], 1) >= 65536]
    cdb, edb = fit([rows_d[i] for i in big], [t_d[i] for i in big]) if len(big) >= 3 else (cd, ed)
    cd1, ed1 = fit(rows_d1, t_d1)
    cf, ef = fit(rows_f, t_f)
    print(f"\nbackend {_backend.name!r}: rms relative error direct {ed:.2f} (all 2-D), "
          f"{edb:.2f} (images >= 256^2), direct1d {ed1:.2f}, fft {ef:.2f}")
    print(f"    2-D direct fitted on all images: ({cd[0]:.3g}, {cd[1]:.3g}, {cd[2]:.3g})")
    print(f'    "{_backend.name}": {{"direct": ({cdb[0]:.3g}, {cdb[1]:.3g}, {cdb[2]:.3g}), '
          f'"direct1d": ({cd1[0]:.3g}, {cd1[1]:.3g}, {cd1[2]:.3g}), '
          f'"fft": ({cf[0]:.3g}, {cf[1]:.3g}, {cf[2]:.3g})}},')


if __name__ == "__main__":
    main()

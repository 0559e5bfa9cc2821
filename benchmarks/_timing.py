"""Shared timing helpers for the benchmark scripts: interleaved rounds, medians, ratios."""
import json
import random
import time

import numpy as np


def calibrate(fn, target=2e-3, cap=100000):
    """Number of calls of fn that take roughly `target` seconds (at least 1)."""
    fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target or number >= cap:
            return max(1, min(cap, int(number * target / max(dt, 1e-9))))
        number *= 4


def interleaved(contenders, rounds=9, target=2e-3, budget=None, shuffle=True):
    """Time every contender round-robin (one timing of each per round), return medians.

    contenders: dict name -> zero-argument callable.  Each round times every contender once
    (`number` calls, calibrated per contender), in the same process, one after the other, so slow
    phases of a shared, noisy machine hit all of them alike.  Returns dict name -> median seconds
    per call.  A contender whose single call exceeds `budget` seconds is timed once and marked.
    Every round times the contenders in a new order (a seeded permutation, so runs repeat;
    shuffle=False keeps the order of the dict), so that no contender always runs right after the
    same one: after a multi-second call that leaves caches and TLBs cold, or right after a call
    on the same data that leaves it warm (fft2 with workers=2 timed right after workers=1 on the
    same input gained from it: 1024², 1.76-1.79x in that order against 1.17-1.24x shuffled).
    (Rotating one fixed order keeps the cyclic neighbours, so it does not help.)
    """
    names = list(contenders)
    rng = random.Random(0)
    numbers = {k: calibrate(contenders[k], target) for k in names}
    samples = {k: [] for k in names}
    for _ in range(rounds):
        order = rng.sample(names, len(names)) if shuffle else names
        for k in order:
            f, number = contenders[k], numbers[k]
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            samples[k].append((time.perf_counter() - t0) / number)
            if budget is not None and samples[k][-1] > budget:
                numbers[k] = 1
    return {k: float(np.median(v)) for k, v in samples.items()}


def gflops(n, seconds, real=False):
    """GFLOPS in the 5 n log2(n) convention (half of it for real transforms)."""
    flops = 5.0 * n * np.log2(max(n, 2))
    if real:
        flops /= 2
    return flops / seconds / 1e9


def run_cases(cases, bench, rounds, label, summary, json_path=None, meta=None):
    """r = bench(case, rounds) for every case, each printed as label(case), its medians
    (r["median_s"], in ms) and summary(r); with json_path, {**meta, "rounds", "results"} is
    written there.  Returns the results."""
    out = []
    for case in cases:
        r = bench(case, rounds)
        out.append(r)
        medians = " ".join(f"{k} {v * 1e3:.2f}ms" for k, v in r["median_s"].items())
        print(f"{label(case)} {medians} | {summary(r)}", flush=True)
    if json_path:
        with open(json_path, "w") as fh:
            json.dump({**(meta or {}), "rounds": rounds, "results": out}, fh, indent=1)
    return out


def positive(text):
    """argparse type: an integer >= 1 (rounds, sizes)."""
    import argparse
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v

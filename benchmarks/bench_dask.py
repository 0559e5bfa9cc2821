"""bttbfft.dask on a local dask.distributed cluster: a large image convolved chunk by chunk.

Default: a 16384^2 float32 image (1 GiB) generated lazily on the workers
(``dask.array.random.default_rng().random``), chunks 2048^2, convolved with a 31x31 kernel by
``bttbfft.dask.convolve2d(..., mode="same", boundary="symm")`` on a LocalCluster of 2 worker
processes with 1 thread each (loopback, no dashboard).  The result is reduced on the workers
(``.sum()``) so only a scalar crosses to the client.  Reported: wall time of the convolution
pipeline, wall time of the same pipeline without the convolution (image generation + sum: the
baseline), their difference, and the peak resident memory of every worker process
(``ru_maxrss``) before and after, compared with the chunk size.  ``--in-memory`` also times
``bttbfft.convolve2d`` on the whole image in the client process (needs ~4x the image in RAM).

    python benchmarks/bench_dask.py [--size 16384] [--chunk 2048] [--kernel 31] [--workers 2]
                                    [--boundary symm] [--mode same] [--in-memory] [--json FILE]
"""
import argparse
import json
import os
import platform
import resource
import time

import numpy as np


def _maxrss_mib():
    import resource as _r
    return _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _rss_mib():
    import psutil
    return psutil.Process().memory_info().rss / 2.0 ** 20


def _worker_backend():
    import bttbfft
    return bttbfft.backend


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=16384, help="image side (default 16384)")
    ap.add_argument("--chunk", type=int, default=2048, help="chunk side (default 2048)")
    ap.add_argument("--kernel", type=int, default=31, help="kernel side (default 31)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--mode", default="same", choices=["full", "same", "valid"])
    ap.add_argument("--boundary", default="symm", choices=["fill", "wrap", "symm"])
    ap.add_argument("--repeat", type=int, default=1, help="timed runs (median reported)")
    ap.add_argument("--in-memory", action="store_true",
                    help="also time bttbfft.convolve2d on the whole image in this process")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)

    import dask.array as da
    from distributed import Client, LocalCluster

    import bttbfft
    import bttbfft.dask as bd

    n, c, k = args.size, args.chunk, args.kernel
    kernel = np.random.default_rng(1).random((k, k), dtype=np.float32)
    kernel /= kernel.sum()
    results = {"size": n, "chunk": c, "kernel": k, "dtype": "float32", "mode": args.mode,
               "boundary": args.boundary, "workers": args.workers, "threads_per_worker": 1,
               "image_MiB": n * n * 4 / 2.0 ** 20, "chunk_MiB": c * c * 4 / 2.0 ** 20}
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        results["worker_backend"] = sorted(set(client.run(_worker_backend).values()))
        client.run(lambda: __import__("bttbfft.dask"))  # imports out of the measurement
        results["worker_maxrss_before_MiB"] = sorted(client.run(_maxrss_mib).values())

        def image():
            return da.random.default_rng(0).random((n, n), dtype=np.float32, chunks=c)

        def pipeline(conv):
            x = image()
            y = bd.convolve2d(x, kernel, args.mode, args.boundary) if conv else x
            t0 = time.perf_counter()
            total = client.compute(y.sum()).result()
            return time.perf_counter() - t0, float(total)

        graph = bd.convolve2d(image(), kernel, args.mode, args.boundary)
        results["out_chunks"] = [len(ch) for ch in graph.chunks]
        results["tasks"] = len(graph.sum().__dask_graph__())
        base = [pipeline(False)[0] for _ in range(args.repeat)]
        runs = [pipeline(True) for _ in range(args.repeat)]
        results["baseline_s"] = float(np.median(base))
        results["convolve_pipeline_s"] = float(np.median([r[0] for r in runs]))
        results["convolution_s"] = results["convolve_pipeline_s"] - results["baseline_s"]
        results["checksum"] = runs[0][1]
        results["worker_maxrss_after_MiB"] = sorted(client.run(_maxrss_mib).values())
        try:
            results["worker_rss_end_MiB"] = sorted(client.run(_rss_mib).values())
        except ImportError:
            pass
    results["client_maxrss_MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    if args.in_memory:
        img = da.random.default_rng(0).random((n, n), dtype=np.float32, chunks=c).compute()
        t0 = time.perf_counter()
        out = bttbfft.convolve2d(img, kernel, args.mode, args.boundary)
        results["in_memory_s"] = time.perf_counter() - t0
        results["in_memory_checksum"] = float(out.sum(dtype=np.float64))
        del out, img
    results["meta"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "bttbfft_backend": bttbfft.backend}

    print(f"bttbfft.dask.convolve2d: {n}^2 float32 ({results['image_MiB']:.0f} MiB), "
          f"{k}x{k} kernel, mode={args.mode!r}, boundary={args.boundary!r}, chunks {c}^2 "
          f"({results['chunk_MiB']:.0f} MiB), {args.workers} workers x 1 thread "
          f"(backend {results['worker_backend']})\n")
    print("| quantity | value |\n|---|---:|")
    print(f"| graph tasks (incl. sum) | {results['tasks']} |")
    print(f"| generate + sum (baseline) | {results['baseline_s']:.2f} s |")
    print(f"| generate + convolve + sum | {results['convolve_pipeline_s']:.2f} s |")
    print(f"| convolution alone (difference) | {results['convolution_s']:.2f} s |")
    mp = n * n / max(results["convolution_s"], 1e-9) / 1e6
    print(f"| throughput | {mp:.1f} Mpixel/s |")
    if "in_memory_s" in results:
        print(f"| in-memory bttbfft.convolve2d, 1 process | {results['in_memory_s']:.2f} s |")
    for i, (b, a) in enumerate(zip(results["worker_maxrss_before_MiB"],
                                   results["worker_maxrss_after_MiB"])):
        print(f"| worker {i} peak RSS (before -> after) | {b:.0f} -> {a:.0f} MiB |")
    print(f"| peak RSS / chunk size | "
          f"{max(results['worker_maxrss_after_MiB']) / results['chunk_MiB']:.1f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()

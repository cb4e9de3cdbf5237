"""Benchmark the Haar DWT/IWT variants in eager PyTorch at MWCNN sizes.

    python benchmarks/bench_wavelets.py --device cuda --bandwidth-tbs 3.35 \
        --json-out wavelets.json --md-out wavelets.md
    python benchmarks/bench_wavelets.py --device cpu --quick      # < 1 minute on 2 cores

Variants: DWT original (dwt_init) / trtsetup (phase copy + 4x4 matmul) / conv3d (ConvDWT);
IWT original (iwt_init: zeros + four strided assignments) / article (four ConvTranspose2d + pad)
/ trtsetup (4x4 matmul + interleaving copy) / conv3d (ConvIWT, conv_transpose3d) / compiled
(CompiledIWT: torch.compile fuses the elementwise form into one kernel; CUDA only, compiled
during the warm-up).
Sizes: 1x64x256x256 <-> 1x256x128x128 at batch 1 and 16. Reports median times, the ratio of
each variant to the original and to the article's IWT, the max difference to the original,
and the bandwidth achieved (bytes read + written once / time) against --bandwidth-tbs.
Run from the repository root (or with the repository on PYTHONPATH).
"""

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from trtsetup.wavelets import DWT, IWT  # noqa: E402
from trtsetup.wavelets.blocks import CompiledIWT, ConvDWT, ConvIWT  # noqa: E402
from trtsetup.wavelets.reference import ArticleIWT, dwt_init, iwt_init  # noqa: E402


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])


def time_ms(fn, x, warmup, iters, cuda):
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        if cuda:
            # CUDA events around each call: no host overhead between launches is counted
            times = []
            for _ in range(iters):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(
                    enable_timing=True)
                start.record()
                fn(x)
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end))
            return median(times)
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t0) * 1000.0)
        return median(times)


def run(device, batches, channels, size, warmup, iters, bandwidth_tbs):
    cuda = device.type == "cuda"
    rows = []
    for batch in batches:
        x = torch.randn(batch, channels, size, size, device=device)
        y = torch.randn(batch, 4 * channels, size // 2, size // 2, device=device)
        nbytes = 2 * x.numel() * x.element_size()  # read input once + write output once
        cases = [
            ("DWT", "original", dwt_init, x, dwt_init),
            ("DWT", "trtsetup", DWT().to(device), x, dwt_init),
            ("DWT", "conv3d", ConvDWT().to(device), x, dwt_init),
            ("IWT", "original", iwt_init, y, iwt_init),
            ("IWT", "article", ArticleIWT(channels).to(device), y, iwt_init),
            ("IWT", "trtsetup", IWT().to(device), y, iwt_init),
            ("IWT", "conv3d", ConvIWT().to(device), y, iwt_init),
        ]
        if cuda and hasattr(torch, "compile"):
            cases.append(("IWT", "compiled", CompiledIWT().to(device), y, iwt_init))
        for block, variant, fn, inp, ref in cases:
            with torch.no_grad():
                err = float((fn(inp) - ref(inp)).abs().max())
            ms = time_ms(fn, inp, warmup, iters, cuda)
            rows.append({"block": block, "variant": variant, "batch": batch,
                         "shape": list(inp.shape), "median_ms": ms, "max_abs_diff": err,
                         "bytes": nbytes, "gbs": nbytes / (ms * 1e-3) / 1e9})
    for row in rows:
        same = [r for r in rows if r["block"] == row["block"] and r["batch"] == row["batch"]]
        base = {r["variant"]: r["median_ms"] for r in same}
        row["speedup_vs_original"] = base["original"] / row["median_ms"]
        row["speedup_vs_article"] = (base["article"] / row["median_ms"]
                                     if "article" in base else None)
        if bandwidth_tbs:
            floor_ms = row["bytes"] / (bandwidth_tbs * 1e12) * 1e3
            row["floor_ms"] = floor_ms
            row["x_floor"] = row["median_ms"] / floor_ms
    return rows


def to_markdown(meta, rows):
    lines = ["Device: %s; torch %s; %d warm-up + %d timed iterations, median; bandwidth "
             "reference %s TB/s." % (meta["device_name"], meta["torch"], meta["warmup"],
                                     meta["iters"], meta["bandwidth_tbs"] or "n/a"),
             "",
             "| block | variant | batch | input | median ms | vs original | vs article | "
             "max diff | GB/s | x floor |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| %s | %s | %d | %s | %.3f | %.2fx | %s | %.1e | %.1f | %s |" % (
            r["block"], r["variant"], r["batch"], "x".join(str(d) for d in r["shape"]),
            r["median_ms"], r["speedup_vs_original"],
            "-" if r["speedup_vs_article"] is None else "%.2fx" % r["speedup_vs_article"],
            r["max_abs_diff"], r["gbs"], "-" if "x_floor" not in r else "%.2f" % r["x_floor"]))
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quick", action="store_true",
                        help="few iterations and batch 1 only (CPU smoke run, < 1 minute)")
    parser.add_argument("--iters", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument("--batches", default=None, help="comma list, default 1,16")
    parser.add_argument("--bandwidth-tbs", type=float, default=None,
                        help="GPU memory bandwidth in TB/s (H100 SXM: 3.35); default 3.35 on "
                             "CUDA, none on CPU")
    parser.add_argument("--json-out")
    parser.add_argument("--md-out")
    args = parser.parse_args(argv)

    device = torch.device(args.device)
    cuda = device.type == "cuda"
    iters = args.iters or (5 if args.quick else 100)
    warmup = args.warmup or (2 if args.quick else 10)
    batches = ([int(b) for b in args.batches.split(",")] if args.batches
               else ([1] if args.quick and not cuda else [1, 16]))
    bandwidth = args.bandwidth_tbs if args.bandwidth_tbs is not None else (3.35 if cuda else None)
    meta = {"device": str(device), "torch": torch.__version__, "iters": iters, "warmup": warmup,
            "bandwidth_tbs": bandwidth, "python": platform.python_version(),
            "device_name": torch.cuda.get_device_name(device) if cuda else platform.processor()
            or platform.machine(), "cpu_threads": torch.get_num_threads()}
    rows = run(device, batches, 64, 256, warmup, iters, bandwidth)
    markdown = to_markdown(meta, rows)
    sys.stdout.write(markdown)
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump({"schema": "trtsetup.bench-wavelets/1", "meta": meta, "rows": rows},
                      handle, indent=2, sort_keys=True)
    if args.md_out:
        with open(args.md_out, "w") as handle:
            handle.write(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())

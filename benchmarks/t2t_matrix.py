"""Conversion matrix: torch2trt master as fetched vs. as `trtsetup patch` leaves it, on the real
TensorRT builder (TensorRT-RTX via tests/realtrt), for the architectures in t2t_models.py.

    python benchmarks/t2t_matrix.py --t2t /path/to/torch2trt-master [--md benchmarks/t2t_matrix.md]

Needs torch, the wheels in tests/realtrt/requirements.txt and a torch2trt master checkout
(--t2t or TRTSETUP_TORCH2TRT_SRC). A row "converts" when torch2trt handed the builder a network
whose output shapes equal PyTorch's, with no activation baked into a constant, and the builder
serialized an engine. No engine runs here (TensorRT-RTX refuses compute capability 9.0 and there
is no GPU on the CI machine): numerics are not in this table.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CHILD = os.path.join(REPO, "tests", "realtrt", "convert_child.py")


def run_child(t2t_dir, extra=()):
    proc = subprocess.run([sys.executable, CHILD, "--t2t", t2t_dir, "--matrix"] + list(extra),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, timeout=1800)
    rows = [json.loads(l) for l in proc.stdout.decode().splitlines() if l.startswith("{")]
    if not rows:
        sys.stderr.write(proc.stderr.decode()[-3000:])
        raise SystemExit("the conversion child produced no rows")
    return {r["model"]: r for r in rows}


def patched_copy(src, workdir, tensorrt_version):
    dest = os.path.join(workdir, "torch2trt-patched")
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info"))
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "trtsetup", "patch", dest, "--tensorrt-version",
                           tensorrt_version, "--cuda-arch", "9.0", "--json"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    doc = json.loads(proc.stdout.decode())
    # exit 1 only says the TensorRT dirs are unknown here (no TensorRT headers): the converter
    # rules, which are what this matrix measures, were applied.
    if proc.returncode not in (0, 1) or not doc.get("changed"):
        raise SystemExit("trtsetup patch failed: " + proc.stderr.decode()[-2000:])
    return dest, [r for r in doc["in_effect"] if r.startswith("t2t-trt10-")]


def table(upstream, patched):
    lines = ["| model | upstream | patched | first error (upstream; patched if it fails) |",
             "|---|---|---|---|"]
    for name in upstream:
        up, pa = upstream[name], patched.get(name, {})
        mark = lambda r: "converts" if r.get("status") == "engine" else r.get("status", "missing")
        error = pa.get("error") if pa.get("status") != "engine" else up.get("error")
        lines.append("| {} | {} | {} | {} |".format(name, mark(up), mark(pa),
                                                    (error or "").replace("|", "\\|")))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--t2t", default=os.environ.get("TRTSETUP_TORCH2TRT_SRC"),
                        help="torch2trt master checkout (default: $TRTSETUP_TORCH2TRT_SRC)")
    parser.add_argument("--tensorrt-version", default="10.0")
    parser.add_argument("--md", help="also write the table, with how it was made, to this file")
    parser.add_argument("--fp16", action="store_true", help="fp16 inputs and fp16_mode=True")
    parser.add_argument("--device", default="cpu", help="where the PyTorch models run: cpu, or cuda")
    args = parser.parse_args(argv)
    if not args.t2t or not os.path.isfile(os.path.join(args.t2t, "setup.py")):
        parser.error("--t2t: give a torch2trt master checkout (or set TRTSETUP_TORCH2TRT_SRC)")
    extra = (["--fp16"] if args.fp16 else []) + ["--device", args.device]
    workdir = tempfile.mkdtemp(prefix="t2t-matrix-")
    try:
        start = time.time()
        upstream = run_child(os.path.abspath(args.t2t), extra)
        dest, rules = patched_copy(os.path.abspath(args.t2t), workdir, args.tensorrt_version)
        patched = run_child(dest, extra)
        seconds = time.time() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = table(upstream, patched)
    print(text)
    ok = sum(1 for r in patched.values() if r["status"] == "engine")
    up_ok = sum(1 for r in upstream.values() if r["status"] == "engine")
    summary = ("{} architectures: {} convert with upstream master, {} once patched "
               "(rules: {}); {:.0f} s".format(len(upstream), up_ok, ok, ", ".join(rules), seconds))
    print(summary)
    refusals = sorted(set(m for r in patched.values() for m in r.get("runtime_errors", [])))
    if refusals:
        print("deserializing the engines (torch2trt's TRTModule): " + " | ".join(refusals[:2]))
    if args.md:
        import tensorrt_rtx_bindings
        import torch
        with open(args.md, "w") as handle:
            handle.write("# torch2trt conversion matrix (real TensorRT builder)\n\n")
            handle.write("Made by `python benchmarks/t2t_matrix.py --t2t <torch2trt master 4e820ae>{}`: "
                         "torch {}, TensorRT-RTX {} (as TensorRT 10 through tests/realtrt), Python {}, "
                         "{}.\n\n".format(" --fp16" if args.fp16 else "", torch.__version__,
                                          tensorrt_rtx_bindings.__version__, sys.version.split()[0],
                                          "CPU only" if not torch.cuda.is_available()
                                          else torch.cuda.get_device_name(0)))
            handle.write(text + "\n\n" + summary + "\n")
    return 0 if ok == len(patched) else 1


if __name__ == "__main__":
    sys.exit(main())

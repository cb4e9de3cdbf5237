#!/usr/bin/env python3
"""Time `trtsetup doctor`, `doctor --fast` and `python -m torch.utils.collect_env` on this machine.

    python benchmarks/bench_doctor.py [--repeat 5] [--python PATH] [--json-out FILE]

Targets (issue #2): `--fast` under 0.3 s; the full doctor at most half of collect_env.
`trtsetup doctor` reuses the torch probe's answer while nothing it depends on changed (the
warm-up run stores it); `doctor --refresh` imports torch in the target again every time, which
alone takes most of what collect_env takes.
Each command runs as a fresh process (what a user types); the median of the repeats is
reported. collect_env runs in the target interpreter (the one holding torch).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(argv, env):
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started, proc.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python", default=None, help="target interpreter (default: python3 on PATH)")
    parser.add_argument("--json-out", default=None)
    args = parser.parse_args()

    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    target = args.python or "python3"
    doctor = [sys.executable, "-m", "trtsetup", "doctor"] + (["--python", args.python] if args.python else [])
    cases = [
        ("trtsetup doctor --fast", doctor + ["--fast"]),
        ("trtsetup doctor", doctor),                        # torch answer remembered (warm-up stored it)
        ("trtsetup doctor --refresh", doctor + ["--refresh"]),  # imports torch again every time
        ("python -m torch.utils.collect_env", [target, "-m", "torch.utils.collect_env"]),
    ]
    rows = []
    for name, argv in cases:
        timed(argv, env)  # warm the page cache
        runs = [timed(argv, env) for _ in range(args.repeat)]
        rows.append({"command": name, "median_s": round(statistics.median(t for t, _ in runs), 3),
                     "min_s": round(min(t for t, _ in runs), 3), "exit_codes": sorted({rc for _, rc in runs})})
    by_name = {r["command"]: r for r in rows}
    collect = by_name["python -m torch.utils.collect_env"]
    result = {
        "rows": rows,
        "fast_under_0.3s": by_name["trtsetup doctor --fast"]["median_s"] < 0.3,
        "full_at_most_half_of_collect_env": (collect["exit_codes"] == [0] and
                                             by_name["trtsetup doctor"]["median_s"] <= collect["median_s"] / 2),
        "refresh_at_most_half_of_collect_env": (collect["exit_codes"] == [0] and
                                                by_name["trtsetup doctor --refresh"]["median_s"] <= collect["median_s"] / 2),
    }
    print("| command | median s | min s | exit codes |")
    print("|---|---|---|---|")
    for r in rows:
        print("| {} | {:.3f} | {:.3f} | {} |".format(r["command"], r["median_s"], r["min_s"], r["exit_codes"]))
    print("fast < 0.3 s: {}; full <= collect_env / 2: {}; --refresh <= collect_env / 2: {}".format(
        result["fast_under_0.3s"], result["full_at_most_half_of_collect_env"],
        result["refresh_at_most_half_of_collect_env"]))
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()

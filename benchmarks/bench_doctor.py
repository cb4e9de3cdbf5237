#!/usr/bin/env python3
"""Time `trtsetup doctor` (cold, remembered, --fast, --refresh) beside `python -m torch.utils.collect_env`.

    python benchmarks/bench_doctor.py [--repeat 5] [--python PATH] [--runner PATH] [--json-out FILE]

Targets (issue #10): a cold doctor (the first run, nothing remembered) at most 0.8x
collect_env; `--fast` at most 0.15 s on the GPU machine and 0.10 s on the 2-core development
machine. Every command runs as a fresh process (what a user types); the median of the repeats
is reported, with the minimum beside it.

* cold: an empty probe cache before every run: torch is imported in the target;
* remembered: the torch answer stored by the warm-up run is reused (after checking that every
  file in torch's and torchvision's RECORD is still there with its size);
* --refresh: imports torch again and stores the answer;
* collect_env runs in the target interpreter (the one holding torch).
* a bare ``python -c 'import torch'`` in the target: the floor of every cold doctor, which
  must import torch once to stand behind its answer; its ratio to collect_env bounds the target's.

The cold doctor and collect_env are also run in alternation (cold, collect_env, cold, ...),
so that a machine that slows down or speeds up during the run moves both sides of the ratio
alike; that ratio (the median of the pairs' ratios) is the one the target is judged by.
``--runner`` is the interpreter that runs trtsetup (default: this one); the doctor runs as its
``trtsetup`` console script when it has one (what a user types; ``python -m trtsetup`` adds
runpy and the current directory to every import's search, and gets a --fast row of its own). Its bare start-up
(``-c pass``: site and its ``.pth`` files) is measured too, because it is not trtsetup's to
spend: a venv whose ``.pth`` files import numba's redirector costs 40 ms before any line of
trtsetup runs; trtsetup installed in its own venv does not pay that.

Also printed: the probe times of one cold and one remembered run (`doctor --json`'s
`platform.probe_seconds`), what the RECORD proof costs in-process, and the import-time
breakdown of `doctor --fast` (`python -X importtime`, the minimum over the repeats).
Children run without PYTHONDONTWRITEBYTECODE, so that, as after a pip install, trtsetup's
modules load from bytecode.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(argv, env):
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # could not run: say why, the time means nothing
        sys.stderr.write("{} exited {}: {}\n".format(" ".join(argv[:4]), proc.returncode,
                                                    proc.stderr.decode("utf-8", "replace").strip()[-500:]))
    return seconds, proc.returncode


def measure(argv, env, repeat, before=None):
    if before:
        before()
    timed(argv, env)  # warm the page cache (and write bytecode)
    runs = []
    for _ in range(repeat):
        if before:
            before()
        runs.append(timed(argv, env))
    return {"median_s": round(statistics.median(t for t, _ in runs), 3),
            "min_s": round(min(t for t, _ in runs), 3), "exit_codes": sorted({rc for _, rc in runs})}


def alternate(first, second, env, repeat, before=None):
    """``first`` and ``second`` run in turns; the median of the per-pair ratios first/second."""
    ratios, times = [], ([], [])
    for _ in range(repeat):
        if before:
            before()
        a, _ = timed(first, env)
        b, _ = timed(second, env)
        times[0].append(a)
        times[1].append(b)
        ratios.append(a / b)
    return {"ratio_median": round(statistics.median(ratios), 3),
            "first_median_s": round(statistics.median(times[0]), 3),
            "second_median_s": round(statistics.median(times[1]), 3)}


def probe_seconds(argv, env):
    out = subprocess.run(argv + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env).stdout
    try:
        return json.loads(out.decode("utf-8"))["platform"]["probe_seconds"]
    except (ValueError, KeyError, TypeError):
        return None


def import_breakdown(argv, env, repeat, top=15):
    best_self, best_cum, totals = {}, {}, []
    for _ in range(repeat):
        err = subprocess.run([argv[0], "-X", "importtime"] + argv[1:], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env).stderr.decode("utf-8", "replace")
        total = 0
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, cumulative, name = line[len("import time:"):].split("|")
            top_level = len(name) - len(name.lstrip()) <= 1   # children are indented 2 more each
            name = name.strip()
            best_self[name] = min(best_self.get(name, 10 ** 12), int(own))
            best_cum[name] = min(best_cum.get(name, 10 ** 12), int(cumulative))
            if top_level:
                total += int(cumulative)
        totals.append(total)
    rows = sorted(best_self.items(), key=lambda kv: -kv[1])[:top]
    return {"total_ms": round(min(totals) / 1000.0, 1),
            "top": [{"module": n, "self_ms": round(s / 1000.0, 1), "cumulative_ms": round(best_cum[n] / 1000.0, 1)}
                    for n, s in rows]}


def record_proof_cost(python, repeat):
    """Seconds to check torch's and torchvision's RECORD against the files (in-process)."""
    sys.path.insert(0, REPO)
    from trtsetup.host.live import LiveHost
    from trtsetup.probes.python_env import read_python
    from trtsetup.probes.site_packages import parse_dist_record
    from trtsetup.probes.torch_fingerprint import files_changed_since_install
    host = LiveHost()
    env = read_python(host, python)
    result = {}
    for name in ("torch", "torchvision"):
        package = env.packages.get(name)
        if package is None:
            continue
        rows = parse_dist_record(host.read_text(os.path.join(package.path or "", "RECORD")) or "")
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            changed = files_changed_since_install(host, package)
            runs.append(time.perf_counter() - started)
        result[name] = {"files": len(rows), "median_s": round(statistics.median(runs), 4),
                        "changed": changed}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python", default=None, help="target interpreter (default: python3 on PATH)")
    parser.add_argument("--runner", default=sys.executable,
                        help="interpreter that runs trtsetup (default: this one)")
    parser.add_argument("--json-out", default=None)
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="trtsetup-bench-cache-")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["XDG_CACHE_HOME"] = cache
    target = args.python or shutil.which("python3") or "python3"
    runner = args.runner
    # The doctor as a user types it: the console script beside the runner (PYTHONPATH still
    # puts this checkout before that venv's own copy); `python -m trtsetup` where there is none.
    script = os.path.join(os.path.dirname(runner), "trtsetup")
    as_module = [runner, "-m", "trtsetup", "doctor", "--python", target]
    doctor = [script, "doctor", "--python", target] if os.access(script, os.X_OK) else as_module
    collect_env = [target, "-m", "torch.utils.collect_env"]

    def forget():
        shutil.rmtree(os.path.join(cache, "trtsetup"), ignore_errors=True)

    try:
        rows = [
            ("trtsetup doctor --fast", measure(doctor + ["--fast"], env, args.repeat)),
            ("python -m trtsetup doctor --fast", measure(as_module + ["--fast"], env, args.repeat)),
            ("trtsetup doctor (cold: nothing remembered)", measure(doctor, env, args.repeat, before=forget)),
            ("trtsetup doctor (remembered)", measure(doctor, env, args.repeat)),
            ("trtsetup doctor --refresh", measure(doctor + ["--refresh"], env, args.repeat)),
            ("python -m torch.utils.collect_env", measure(collect_env, env, args.repeat)),
            # The floor of any cold doctor: it must import torch once to stand behind its answer.
            ("target's bare import torch (python -c 'import torch')",
             measure([target, "-c", "import torch"], env, args.repeat)),
            ("trtsetup --version (start-up)", measure([runner, "-m", "trtsetup", "--version"], env, args.repeat)),
            ("runner's bare start-up (python -c pass)", measure([runner, "-c", "pass"], env, args.repeat)),
        ]
        paired = alternate(doctor, collect_env, env, args.repeat, before=forget)
        forget()
        stages = {"cold": probe_seconds(doctor, env), "remembered": probe_seconds(doctor, env)}
        # -X importtime goes to the interpreter: run the console script through the runner.
        imports = import_breakdown(([runner] if doctor is not as_module else []) + doctor + ["--fast"], env,
                                   args.repeat)
        proof = record_proof_cost(target, args.repeat)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    by_name = dict(rows)
    collect = by_name["python -m torch.utils.collect_env"]
    cold = by_name["trtsetup doctor (cold: nothing remembered)"]
    fast = by_name["trtsetup doctor --fast"]
    import_torch = by_name["target's bare import torch (python -c 'import torch')"]
    bare = by_name["runner's bare start-up (python -c pass)"]
    result = {
        "rows": [dict(command=name, **row) for name, row in rows],
        "cold_over_collect_env": round(cold["median_s"] / collect["median_s"], 2) if collect["exit_codes"] == [0] else None,
        "cold_over_collect_env_alternating": paired,
        "fast_median_s": fast["median_s"],
        "cold_beyond_import_torch_s": round(cold["median_s"] - import_torch["median_s"], 3),
        "import_torch_over_collect_env": round(import_torch["median_s"] / collect["median_s"], 2)
        if collect["exit_codes"] == [0] else None,
        "fast_beyond_start_up_s": round(fast["median_s"] - bare["median_s"], 3),
        "runner": runner, "doctor_argv": doctor[:2],
        "probe_seconds": stages, "import_time": imports, "record_proof": proof,
        "python": target, "cpus": os.cpu_count(),
    }
    print("doctor runs as: {}".format(" ".join(doctor[:2])))
    print("| command | median s | min s | exit codes |")
    print("|---|---|---|---|")
    for name, row in rows:
        print("| {} | {:.3f} | {:.3f} | {} |".format(name, row["median_s"], row["min_s"], row["exit_codes"]))
    print("\ncold / collect_env = {} from the medians; {} as the median of {} alternating pairs "
          "(cold {:.3f} s, collect_env {:.3f} s) (target <= 0.8)".format(
              result["cold_over_collect_env"], paired["ratio_median"], args.repeat,
              paired["first_median_s"], paired["second_median_s"]))
    print("cold doctor beyond a bare `import torch`: {:.3f} s (import torch / collect_env = {}: the "
          "floor of that ratio)".format(result["cold_beyond_import_torch_s"], result["import_torch_over_collect_env"]))
    print("--fast median {:.3f} s, of which the runner's bare start-up {:.3f} s".format(
        fast["median_s"], bare["median_s"]))
    for kind in ("cold", "remembered"):
        seconds = stages[kind] or {}
        print("probes, {} run: {}".format(kind, ", ".join("{} {:.3f} s".format(k, v) for k, v in sorted(seconds.items()))))
    for name, row in sorted(proof.items()):
        print("RECORD proof, {}: {} files in {:.4f} s (changed: {})".format(name, row["files"], row["median_s"], row["changed"]))
    print("\nimports of `doctor --fast`: {} ms in all (minimum of {} runs); largest by own time:".format(
        imports["total_ms"], args.repeat))
    for row in imports["top"]:
        print("  {:7.1f} ms own {:7.1f} ms with children  {}".format(row["self_ms"], row["cumulative_ms"], row["module"]))
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(result, handle, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Time `trtsetup fleet report` on a fleet of synthetic devices (default 1,000).

Each device gets what the Ansible role fetches: a doctor report, a plan and an install
report. They are real documents from the CLI run on the test trees (Jetson Nano JetPack 4.4,
Orin Nano JetPack 6.2, an x86 box), copied per device with the name, torch version and one
check's status varied so sorting and drift have work to do. Then the real CLI runs as a
fresh process (what a person waits for): text, --json, --html. Target: 1,000 devices in
under 2 s for each form, and the page stays small enough to open (< 5 MB).

    python benchmarks/bench_fleet_report.py [--devices 1000] [--repeat 3]
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests"))

from fleet_fixtures import add_packages  # noqa: E402
from helpers import SystemTree, run_cli  # noqa: E402
from trees.jetson import nano_jp44, orin_nano_jp62  # noqa: E402
from trees.x86 import x86  # noqa: E402
from trtsetup.executor import InstallResult, StepOutcome  # noqa: E402


def templates(scratch):
    nano = add_packages(nano_jp44(SystemTree(os.path.join(scratch, "nano"))), "/usr/lib/python3.6/dist-packages",
                        {"torch": "1.6.0", "torchvision": "0.7.0", "torch2trt": "0.5.0"})
    orin = add_packages(orin_nano_jp62(SystemTree(os.path.join(scratch, "orin"))), "/usr/lib/python3/dist-packages",
                        {"torch": "2.5.0a0+872d972e41.nv24.08", "torchvision": "0.20.0", "torch2trt": "0.5.0"})
    box = x86(SystemTree(os.path.join(scratch, "x86")))
    out = []
    for tree in (nano, orin, box):
        out.append((run_cli(["doctor", "--json", "--root", tree.root]).json(),
                    run_cli(["plan", "--json", "--root", tree.root]).json()))
    return out


def install_doc(i):
    models = [{"name": n, "status": "pass", "speedup": 2.0 + (i * 7 + k) % 50 / 10.0}
              for k, n in enumerate(("cnn", "mwcnn-dwt", "mwcnn-iwt", "reflection-pad"))]
    steps = [StepOutcome("torch-install", "install torch", "skipped", reason="installed"),
             StepOutcome("selftest", "self-test", "done", details={"selftest": "passed", "models": models})]
    return InstallResult(steps, changed=bool(i % 2), dry_run=False, python="/usr/bin/python3", log_dir=None,
                         manifest_path=None).to_json()


def make_fleet(directory, count, bases):
    for i in range(count):
        doctor, plan = json.loads(json.dumps(bases[i % len(bases)][0])), bases[i % len(bases)][1]
        packages = doctor["platform"]["python"].get("packages") or {}
        if i % 10 == 3 and "torch" in packages:
            packages["torch"]["version"] = "1.5.0"  # drift for a tenth of the fleet
        if i % 7 == 0:
            doctor["checks"][0]["status"] = "fail"
        device = os.path.join(directory, "device-{:04d}".format(i))
        os.makedirs(device)
        for name, doc in (("doctor.json", doctor), ("plan.json", plan), ("install.json", install_doc(i))):
            with open(os.path.join(device, name), "w") as handle:
                json.dump(doc, handle, indent=2, sort_keys=True)


def time_cli(args, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "trtsetup"] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO))
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit("{} exited {}: {}".format(args, proc.returncode, proc.stderr.decode()[-500:]))
    return statistics.median(times), min(times), len(proc.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="bench-fleet-")
    try:
        fleet = os.path.join(scratch, "reports")
        os.makedirs(fleet)
        make_fleet(fleet, args.devices, templates(scratch))
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(fleet) for f in fs)
        print("{} devices, {} files, {:.1f} MB of reports".format(
            args.devices, args.devices * 3, size / 1e6))
        page = os.path.join(scratch, "fleet.html")
        print("| command | median s | min s | output bytes |")
        print("|---|---|---|---|")
        for label, cli in (("fleet report (text)", ["fleet", "report", fleet]),
                           ("fleet report --json", ["fleet", "report", "--json", fleet]),
                           ("fleet report --html FILE", ["fleet", "report", "--html", page, fleet])):
            median, best, out = time_cli(cli, args.repeat)
            if "--html" in cli:
                out = os.path.getsize(page)
            print("| {} | {:.3f} | {:.3f} | {} |".format(label, median, best, out))
        baseline, _, _ = time_cli(["--version"], args.repeat)
        print("(start-up alone, `trtsetup --version`: {:.3f} s)".format(baseline))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

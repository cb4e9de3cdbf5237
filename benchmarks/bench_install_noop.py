#!/usr/bin/env python3
"""Time a no-op re-install against the first install, in the test environment.

The same parts as tests/test_install_executor.py: a local HTTP server serving a stand-in
torch wheel, a git repository standing in for pytorch/vision, a throw-away venv, real pip.
The plan is apt-prerequisites (packages dpkg already lists) + torch-install (download,
verify, pip install) + torchvision-install (clone, build a wheel, install); the t2t steps
and the self-test are not included (other issues). Target: the no-op under 2 s.

    python benchmarks/bench_install_noop.py [--repeat 5] [--payload-mib 20]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests"))

from install_fixtures import (FileServer, make_venv, make_vision_repo,  # noqa: E402
                              repack_installed, torch_wheel)
from trtsetup.executor import execute  # noqa: E402
from trtsetup.host.live import LiveHost  # noqa: E402
from trtsetup.plan.model import Plan, StepSpec  # noqa: E402
from trtsetup.step_kinds import build_steps  # noqa: E402


def isolate(home):
    """No pip configuration from this machine; HOME inside the scratch folder."""
    for name in list(os.environ):
        if name.startswith("PIP_") or name in ("PYTHONPATH", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            del os.environ[name]
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    os.environ["HOME"] = home


def installed_debs(names):
    """Those of ``names`` that dpkg lists as installed here (so the apt step is a no-op)."""
    from trtsetup.probes.dpkg import parse_dpkg_status
    have = parse_dpkg_status(LiveHost().read_text("/var/lib/dpkg/status") or "")
    return [n for n in names if n in have]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="no-op runs (default 5)")
    parser.add_argument("--payload-mib", type=float, default=20.0,
                        help="size of the stand-in torch wheel's payload (default 20 MiB)")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="trtsetup-bench-")
    try:
        isolate(os.path.join(scratch, "home"))
        os.makedirs(os.environ["HOME"])
        server = FileServer(os.path.join(scratch, "index"))
        wheels = [repack_installed(n, os.path.join(scratch, "runner")) for n in
                  ("pip", "setuptools", "wheel", "packaging", "pyparsing")]
        python = make_venv(os.path.join(scratch, "venv"), [w for w in wheels if w])
        torch_path = torch_wheel(os.path.join(scratch, "w"), "1.6.0",
                                 payload=int(args.payload_mib * 1024 * 1024))
        url = server.add_file(torch_path)
        repo = make_vision_repo(os.path.join(scratch, "vision"))
        plan = Plan({}, (
            StepSpec("apt-prerequisites", "apt", "bench", {"packages": installed_debs(["git", "libc6"])}),
            StepSpec("torch-install", "torch", "bench",
                     {"source": "wheel", "url": url, "path": None, "filename": os.path.basename(url),
                      "sha256": None, "version": "1.6.0", "no_deps": False, "expect_cuda": True}),
            StepSpec("torchvision-install", "torchvision", "bench",
                     {"source": "git", "version": "0.7.0", "git_url": repo, "tag": "v0.7.0",
                      "no_deps": True}),
        ))
        state, cache = os.path.join(scratch, "state"), os.path.join(scratch, "cache")

        def run():
            started = time.monotonic()
            result = execute(build_steps(plan), LiveHost(), python, state, cache)
            elapsed = time.monotonic() - started
            if result.error is not None:
                raise SystemExit("install failed: {} (log: {})".format(
                    result.error.message, getattr(result.error, "log_path", None)))
            return elapsed, result

        first, result = run()
        rows = [("first install", first, result.changed, result)]
        for index in range(args.repeat):
            elapsed, result = run()
            rows.append(("no-op #{}".format(index + 1), elapsed, result.changed, result))
        server.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print("| run | seconds | changed | steps |")
    print("|---|---|---|---|")
    for name, seconds, changed, result in rows:
        steps = ", ".join("{}={}".format(s.id, s.status) for s in result.steps)
        print("| {} | {:.3f} | {} | {} |".format(name, seconds, str(changed).lower(), steps))
    noops = [r[1] for r in rows[1:]]
    median = statistics.median(noops)
    print("\nno-op median {:.3f} s (min {:.3f}), first install {:.3f} s: {:.0f}x faster; "
          "target < 2 s: {}".format(median, min(noops), first, first / median,
                                    "met" if median < 2.0 else "MISSED"))
    return 0 if median < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())

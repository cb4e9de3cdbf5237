"""`docker csv --write` killed with SIGKILL, for real, leaves the old file or the new one.

A real ``python -m trtsetup docker csv --write`` process runs on a --root tree whose regenerated
tensorrt.csv is large (thousands of lines), and is killed at two kinds of moments: as soon as its
temporary file appears beside the target (the write is under way), and at random times over
its whole run. After every kill the target must be byte-for-byte the old file or the new one.
"""

import os
import random
import signal
import subprocess
import sys
import time

from tests.helpers import REPO, SystemTree, run_cli
from tests.trees import docker as trees

TARGET = trees.CSV_DIR + "/tensorrt.csv"


def _big_tree(tmp_path, count=2500):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="jp46")
    paths = []
    for i in range(count):
        path = "{}/libnvinfer_builder_resource_{:05d}.so.8.0.1".format(trees.LIB, i)
        tree.write(path, b"")
        paths.append(path)
    trees.dpkg_list(tree, "libnvinfer8", paths + [trees.LIB + "/libnvinfer.so.8.0.1"], arch="arm64")
    return tree


def _spawn(tree):
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("LANG", "C.UTF-8")
    return subprocess.Popen([sys.executable, "-m", "trtsetup", "docker", "csv", "--write", "tensorrt.csv",
                             "--root", tree.root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _temp_files(directory):
    return [n for n in os.listdir(directory)
            if n.startswith(".tensorrt.csv.") and not n.startswith(".tensorrt.csv.trtsetup-") and n.endswith(".tmp")]


def _reset(tree, old):
    directory = tree.path(trees.CSV_DIR)
    for name in os.listdir(directory):
        if name.startswith(".tensorrt.csv.") or ".trtsetup-" in name:
            os.unlink(os.path.join(directory, name))
    with open(tree.path(TARGET), "wb") as handle:
        handle.write(old)


def test_sigkill_mid_write_leaves_old_or_new_never_half(tmp_path):
    tree = _big_tree(tmp_path)
    with open(tree.path(TARGET), "rb") as handle:
        old = handle.read()
    new = run_cli(["docker", "csv", "--print", "tensorrt.csv", "--root", tree.root]).stdout.encode()
    assert new != old and len(new) > 120000

    # One undisturbed run: how long it takes, and that it writes exactly `new`.
    started = time.monotonic()
    proc = _spawn(tree)
    assert proc.wait(timeout=120) == 0
    full = time.monotonic() - started
    with open(tree.path(TARGET), "rb") as handle:
        assert handle.read() == new

    directory = tree.path(trees.CSV_DIR)
    rng = random.Random(20261201)
    outcomes = {"old": 0, "new": 0}
    caught_mid_write = 0
    for attempt in range(10):
        _reset(tree, old)
        proc = _spawn(tree)
        if attempt % 2 == 0:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if _temp_files(directory):
                    break
            if proc.poll() is None and _temp_files(directory):
                caught_mid_write += 1
        else:
            time.sleep(rng.uniform(0.0, full * 1.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with open(tree.path(TARGET), "rb") as handle:
            data = handle.read()
        assert data in (old, new), "attempt {}: a half-written tensorrt.csv ({} bytes)".format(attempt, len(data))
        outcomes["old" if data == old else "new"] += 1
        # A stray temp file may remain; it does not end in .csv, so the runtime never reads it.
        assert all(not n.endswith(".csv") for n in _temp_files(directory))
    print("kills: {} mid-write, outcomes {}, full run {:.2f} s".format(caught_mid_write, outcomes, full))
    assert caught_mid_write >= 1, "no kill landed while the temporary file existed: the test proved nothing"
    assert outcomes["old"] >= 1

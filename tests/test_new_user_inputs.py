"""Inputs a new user gave trtsetup (new-user report 2026-12, defects 3, 19, 20, 23).

Each test runs the real CLI with the input from the report and asserts what the user reads.
"""

import os
import subprocess
import sys

from helpers import SystemTree, run_cli
from trees import jetson as jetson_trees


def _venv(tmp_path, name="venv"):
    where = str(tmp_path / name)
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", where])
    return where


def _checks(result):
    return {c["id"]: c for c in result.json()["checks"]}


# defect 3: `--python venv36b/bin/python` (relative, the file exists) was "does not exist"

def test_relative_python_path_is_the_interpreter_in_the_current_directory(tmp_path, monkeypatch):
    venv = _venv(tmp_path)
    monkeypatch.chdir(str(tmp_path))
    result = run_cli(["doctor", "--json", "--fast", "--python", "venv/bin/python"])
    python = result.json()["platform"]["python"]
    assert python["error"] is None and python["is_venv"] is True
    assert python["executable"] == os.path.join(venv, "bin", "python")
    assert "does not exist" not in _checks(result)["py-torch-imports"]["summary"]


# defect 19: `doctor --snapshot F --python X` said X "does not exist"

def test_snapshot_with_python_is_refused_and_says_how_to_capture_that_interpreter(tmp_path):
    snap = str(tmp_path / "s.json")
    assert run_cli(["snapshot", "--fast", "-o", snap]).exit_code == 0
    python = os.path.join(_venv(tmp_path), "bin", "python")
    result = run_cli(["doctor", "--snapshot", snap, "--python", python])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--python cannot be used with --snapshot" in result.stderr
    assert "trtsetup snapshot --python PATH -o FILE" in result.stderr
    doc = run_cli(["plan", "--json", "--snapshot", snap, "--python", python]).json()
    assert doc["schema"] == "trtsetup.error/1" and "--snapshot" in doc["error"]


# defect 20: an empty --root got every host fix and "all inputs read"

def test_empty_root_tree_is_refused_as_not_a_system(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(["doctor", "--root", str(empty)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "looks empty" in result.stderr and "not the / of a system" in result.stderr
    assert "ubuntu-drivers" not in result.stderr
    doc = run_cli(["doctor", "--json", "--root", str(empty)]).json()
    assert doc["schema"] == "trtsetup.error/1" and "looks empty" in doc["error"]


def _unreadable_jetson(tmp_path):
    """A Nano tree whose L4T inputs exist but cannot be read."""
    tree = SystemTree(tmp_path / "root")
    jetson_trees.nano_jp44(tree)
    if os.geteuid() == 0:  # root reads anything: make the reads fail another way
        for path in ("/etc/nv_tegra_release", "/var/lib/dpkg/status"):
            os.remove(tree.path(path))
            os.makedirs(tree.path(path))
    else:
        for path in ("/etc/nv_tegra_release", "/var/lib/dpkg/status"):
            os.chmod(tree.path(path), 0)
    return tree


def test_unreadable_l4t_files_are_the_headline_not_a_custom_image(tmp_path):
    tree = _unreadable_jetson(tmp_path)
    result = run_cli(["doctor", "--json", "--root", tree.root])
    checks = _checks(result)
    for check_id in ("platform-recognised", "jetson-l4t-known"):
        check = checks[check_id]
        assert check["status"] == "fail"
        assert check["summary"].startswith("cannot read /etc/nv_tegra_release, /var/lib/dpkg/status"), check
        assert "Yocto" not in check["summary"] and "custom image" not in (check["fix"] or "")
        assert "sudo" in check["fix"]
    detail = checks["host-inputs-readable"]["detail"]
    for path in ("/etc/nv_tegra_release", "/var/lib/dpkg/status"):
        assert detail.count(path + ":") == 1, detail  # each file once


# defect 23: a Python 2.7 target was accepted and got `python2 -m pip install tensorrt-cu13`

def test_python_27_target_is_said_to_be_unsupported(tmp_path):
    tree = SystemTree(tmp_path / "root")
    jetson_trees.nano_jp44(tree)
    tree.write("/usr/bin/python2.7", b"\x7fELF", mode=0o755)
    tree.mkdir("/usr/lib/python2.7/dist-packages")
    python27 = os.path.expanduser("~/.pyenv/versions/2.7.18/bin/python")
    runs = [["--root", tree.root, "--python", "/usr/bin/python2.7"]]
    if os.path.isfile(python27):  # the report's interpreter, asked for real
        runs.append(["--fast", "--python", python27])
    for args in runs:
        checks = _checks(run_cli(["doctor", "--json"] + args))
        assert checks["py-torch-imports"]["status"] == "fail", args
        assert "Python 2.7" in checks["py-torch-imports"]["summary"]
        assert "not supported by torch2trt" in checks["py-torch-imports"]["summary"]
        assert "--python python3" in checks["py-torch-imports"]["fix"]
        assert checks["t2t-installed"]["status"] == "skip" and checks["trt-python-visible"]["status"] in ("skip", "ok")
        assert not any("tensorrt-cu" in (c["fix"] or "") for c in checks.values())


def test_no_arguments_is_a_usage_error_with_help_on_every_click():
    result = run_cli([])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Usage: trtsetup" in result.stderr and "doctor" in result.stderr


def test_selftest_help_speaks_to_users_not_of_test_doubles():
    result = run_cli(["selftest", "--help"])
    assert result.exit_code == 0
    assert "test double" not in result.stdout and "cpu" not in result.stdout


def test_a_bad_value_is_reported_in_the_same_error_and_fix_shape_as_other_errors(tmp_path):
    bad_value = run_cli(["selftest", "--timeout", "abc"])
    missing_dir = run_cli(["doctor", "--root", str(tmp_path / "nope")])
    for result in (bad_value, missing_dir):
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2 and "Usage:" not in result.stderr, result
        assert lines[0].startswith("error: ") and lines[1].startswith("fix: "), result
    assert "'--timeout'" in bad_value.stderr and "`trtsetup selftest --help`" in bad_value.stderr

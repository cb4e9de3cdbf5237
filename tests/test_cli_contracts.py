"""The README's contracts, on the report's command lines: with --json exactly one
`trtsetup.error/1` document on stdout for anything that could not run (click's usage errors,
unreadable --root/--snapshot/--recipes, internal errors, SIGINT), and a closed stdout pipe
(`| head -1`) ends quietly."""

import json
import os
import signal
import subprocess
import sys
import time

import click
import pytest

from helpers import REPO, run_cli
from test_host_process import _hang_script, _running, _unique_seconds


def _one_error_document(stdout):
    doc = json.loads(stdout)  # exactly one document: json.loads refuses trailing data
    assert doc["schema"] == "trtsetup.error/1"
    assert set(doc) >= {"error", "fix", "exit_code", "log_path", "kind"}
    return doc


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a directory\n")
    return str(path)


@pytest.mark.parametrize("args,kind,needle", [
    (["doctor", "--json", "--root", "{file}"], "usage", "--root"),
    (["doctor", "--json", "--bogus"], "usage", "--bogus"),
    (["doctor", "--json", "--snapshot", "{dir}"], "usage", "--snapshot"),
    (["plan", "--json", "--recipes", "{file}"], "usage", "--recipes"),
    (["patch", "--json", "{file}"], "usage", "DIRECTORY"),
    (["doctor", "--json", "--check", "nope"], "usage", "nope"),
    (["doctor", "--json", "--snapshot", "{missing}"], "input", "cannot read snapshot"),
])
def test_with_json_a_command_that_cannot_run_prints_one_error_document(tmp_path, a_file, args, kind, needle):
    args = [a.format(file=a_file, dir=str(tmp_path), missing=str(tmp_path / "none.json")) for a in args]
    result = run_cli(args)
    assert result.exit_code == 2, result
    doc = _one_error_document(result.stdout)
    assert doc["kind"] == kind and needle in doc["error"] and doc["exit_code"] == 2
    assert result.stderr  # the words for a person still go to stderr


def test_a_damaged_snapshot_with_json_is_an_input_error_document(tmp_path):
    path = tmp_path / "env_null.json"
    path.write_text(json.dumps({"schema": "trtsetup.snapshot/1", "files": {}, "exists": {}, "is_dir": {},
                                "dirs": {}, "globs": {}, "realpaths": {}, "env": None, "commands": [],
                                "problems": []}))
    result = run_cli(["doctor", "--json", "--snapshot", str(path)])
    assert result.exit_code == 2
    doc = _one_error_document(result.stdout)
    assert doc["kind"] == "input" and "env: null" in doc["error"]


def test_an_internal_error_with_json_is_one_error_document():
    from trtsetup import cli

    @cli.cli.command("test-boom")
    @click.option("--json", "as_json", is_flag=True)
    def boom(as_json):  # a command with a bug, registered by the test only
        raise RuntimeError("kaboom")

    try:
        result = run_cli(["test-boom", "--json"])
    finally:
        cli.cli.commands.pop("test-boom")
    assert result.exit_code == 2
    doc = _one_error_document(result.stdout)
    assert doc["kind"] == "internal" and "RuntimeError: kaboom" in doc["error"]
    assert "internal error: RuntimeError: kaboom" in result.stderr


def test_without_json_errors_stay_off_stdout(a_file):
    result = run_cli(["doctor", "--root", a_file])
    assert result.exit_code == 2 and result.stdout == ""


def _env():
    return dict(os.environ, PYTHONPATH=REPO)


def test_sigint_with_json_prints_one_error_document(tmp_path):
    """The report's `timeout -s INT 1 trtsetup install --dry-run --json`: stdout was empty."""
    marker = _unique_seconds()
    proc = subprocess.Popen([sys.executable, "-m", "trtsetup", "doctor", "--json", "--python",
                             _hang_script(tmp_path, marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    deadline = time.monotonic() + 30
    while not _running(marker) and time.monotonic() < deadline:  # the probes are running
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    doc = _one_error_document(out.decode())
    assert doc["kind"] == "interrupted"
    assert b"interrupted" in err


@pytest.mark.parametrize("args", [["doctor", "--list-checks"], ["snapshot", "--fast", "-o", "-"], ["--help"]])
def test_a_closed_stdout_pipe_ends_quietly(args):
    """`trtsetup doctor --list-checks | head -1` ended in "internal error: BrokenPipeError"."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before trtsetup writes anything
    try:
        proc = subprocess.run([sys.executable, "-m", "trtsetup"] + args, stdout=write_end,
                              stderr=subprocess.PIPE, env=_env(), timeout=120)
    finally:
        os.close(write_end)
    assert proc.stderr.decode() in ("",) or "wrote" in proc.stderr.decode(), proc.stderr
    assert b"BrokenPipe" not in proc.stderr and b"Traceback" not in proc.stderr
    assert proc.returncode == 0

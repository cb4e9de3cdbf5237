"""Ctrl-C during an install (new-user report 2026-12, defect 22): it printed only "interrupted".

The user must read which step was running, where its log is, and that a re-run resumes. The
install runs in another process under the real ``entry.main`` (its signal handlers and error
mapping); a SIGINT goes to that process alone, as a supervisor sends it, while the torch
download stalls on a local server.
"""

import json
import os
import signal
import subprocess
import sys
import time

from install_fixtures import (  # noqa: F401  (fixtures are used by name)
    env_dirs, index_server, pristine_venv, runner_wheels, torch_wheel, venv_python, wait_for)

from helpers import REPO

TORCH_FILE = "torch-1.6.0-py3-none-any.whl"

# A command added to the real CLI in the child only: it executes a given plan through the
# executor, so that the interrupt travels the same path as in `trtsetup install`.
CHILD = r'''
import json, sys
import click
from trtsetup import cli, entry
from trtsetup.executor import execute
from trtsetup.host.live import LiveHost
from trtsetup.plan.model import Plan, StepSpec
from trtsetup.step_kinds import build_steps

@cli.cli.command("run-plan")
@click.argument("job")
@click.option("--json", "as_json", is_flag=True)
def run_plan(job, as_json):
    doc = json.load(open(job))
    specs = tuple(StepSpec(**s) for s in doc["specs"])
    result = execute(build_steps(Plan({}, specs)), LiveHost(), doc["python"], doc["state"], doc["cache"],
                     emit=lambda m: sys.stderr.write(m + "\n"))
    return result.exit_code

sys.exit(entry.main(sys.argv[1:]))
'''


def _torch_spec(url):
    return {"id": "torch-install", "summary": "Install torch 1.6.0", "reason": "NVIDIA's wheel for JetPack 4.4",
            "params": {"source": "wheel", "url": url, "path": None, "filename": TORCH_FILE, "sha256": None,
                       "version": "1.6.0", "no_deps": False, "expect_cuda": True}}


def _interrupted_install(tmp_path, python, dirs, index_server, *extra):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0", payload=600 * 1024)
    url = index_server.add_file(wheel, "int/" + TORCH_FILE)
    index_server.fault("int/" + TORCH_FILE, "stall")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"python": python, "state": dirs["state"], "cache": dirs["cache"],
                               "specs": [_torch_spec(url)]}))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "run-plan", str(job)] + list(extra),
                            env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert index_server.stalled.wait(30), "the download never started"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert time.monotonic() - sent < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        index_server.release()
    return proc.returncode, out.decode(), err.decode()


def test_ctrl_c_during_a_step_names_the_step_its_log_and_how_to_resume(
        tmp_path, venv_python, env_dirs, index_server):
    code, out, err = _interrupted_install(tmp_path, venv_python, env_dirs, index_server)
    assert code == 2
    lines = err.strip().splitlines()
    assert "error: interrupted during [1/1] torch-install: Install torch 1.6.0" in lines, err
    assert any(line.startswith("fix: Re-run the same command to resume") for line in lines), err
    log = [line[len("log: "):] for line in lines if line.startswith("log: ")]
    assert log and os.path.isfile(log[0]) and "torch-install" in open(log[0]).read()


def test_ctrl_c_with_json_prints_one_error_document(tmp_path, venv_python, env_dirs, index_server):
    code, out, err = _interrupted_install(tmp_path, venv_python, env_dirs, index_server, "--json")
    doc = json.loads(out)
    assert code == 2 and doc["schema"] == "trtsetup.error/1"
    assert "torch-install" in doc["error"] and "resume" in doc["fix"] and doc["log_path"]

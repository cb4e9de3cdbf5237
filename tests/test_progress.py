"""The doctor's spinner: drawn on a real terminal (a pty) for a probe slower than a second,
never with --json, never when stdout is not a terminal."""

import json
import os
import pty
import select
import subprocess
import sys
import time

from helpers import REPO, run_module
from test_probe_python import FAKE_TORCH, _fake_torch_venv

SLOW_TORCH = "import time as _t\n_t.sleep(2.5)\n" + FAKE_TORCH.format(version="2.13.0+cpu", cuda=None, available=False)


def _on_a_terminal(args, env):
    """Run ``python -m trtsetup ARGS`` with stdout and stderr on one pty; all it wrote."""
    master, slave = pty.openpty()
    full_env = dict(os.environ, PYTHONPATH=REPO, TERM="xterm", **env)
    full_env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "trtsetup"] + args, stdin=slave, stdout=slave,
                            stderr=slave, env=full_env, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def _env(tmp_path):
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_a_slow_torch_import_shows_the_step_and_its_time_on_a_terminal(tmp_path):
    exe = _fake_torch_venv(tmp_path, SLOW_TORCH)
    code, screen = _on_a_terminal(["doctor", "--python", exe, "--check", "py-torch-imports"], _env(tmp_path))
    assert code == 0, screen
    assert "importing torch in " + exe in screen
    frames = [part for part in screen.split("\r") if "importing torch" in part]
    assert any(" s" in f and any(ch.isdigit() for ch in f) for f in frames)  # "... 1.3 s"
    assert "py-torch-imports" in screen
    # The spinner erased itself: the report's lines hold none of it.
    assert "importing torch" not in screen.split("\r")[-1]


def test_no_spinner_with_json_even_on_a_terminal(tmp_path):
    exe = _fake_torch_venv(tmp_path, SLOW_TORCH)
    code, screen = _on_a_terminal(["doctor", "--json", "--python", exe, "--check", "py-torch-imports"],
                                  _env(tmp_path))
    assert "importing torch" not in screen and "\r" not in screen.replace("\r\n", "\n")
    assert json.loads(screen)["checks"][0]["id"] == "py-torch-imports"


def test_no_spinner_when_stdout_is_not_a_terminal(tmp_path):
    exe = _fake_torch_venv(tmp_path, SLOW_TORCH)
    result = run_module(["doctor", "--python", exe, "--check", "py-torch-imports"], env=_env(tmp_path))
    assert "importing torch" not in result.stderr and "importing torch" not in result.stdout
    assert "py-torch-imports" in result.stdout


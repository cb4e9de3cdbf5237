"""Children run in a process group of their own: a timeout or an interrupt stops the whole
group, so a ``--python`` that is a shell script around a hung program (the user's
``python-hang``) is stopped at the limit and leaves no orphan behind."""

import os
import signal
import subprocess
import sys
import time
import uuid

from trtsetup.host.live import LiveHost

from trtsetup.host.process import child_env

from helpers import REPO


def _hang_script(tmp_path, seconds):
    """The user's script: ``#!/bin/sh`` then ``sleep N`` (not ``exec``), so the sleep is a
    grandchild that keeps the output pipe open. N is unique so leftovers can be found."""
    script = tmp_path / "python-hang"
    script.write_text("#!/bin/sh\nsleep {}\n".format(seconds))
    script.chmod(0o755)
    return str(script)


def _unique_seconds():
    return "{}.{}".format(90 + uuid.uuid4().int % 9, uuid.uuid4().int % 100000)


def _running(marker):
    """Pids whose command line is ``sleep <marker>`` (read from /proc)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/{}/cmdline".format(pid), "rb") as handle:
                argv = handle.read().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", marker.encode()] or argv[-2:-1] == [marker.encode()]:
            found.append(int(pid))
    return found


def _wait_gone(marker, seconds=3.0):
    deadline = time.monotonic() + seconds
    while _running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _running(marker)


def test_a_timeout_kills_the_grandchild_that_holds_the_pipe(tmp_path):
    marker = _unique_seconds()
    started = time.monotonic()
    result = LiveHost().run([_hang_script(tmp_path, marker)], timeout=1)
    assert time.monotonic() - started < 10
    assert result.error == "timeout" and result.returncode is None
    assert _wait_gone(marker) == []


def test_a_timeout_of_a_logged_command_kills_its_group_and_logs_it(tmp_path):
    marker = _unique_seconds()
    log = tmp_path / "install.log"
    started = time.monotonic()
    result = LiveHost().run([_hang_script(tmp_path, marker)], timeout=1, log_path=str(log))
    assert time.monotonic() - started < 10
    assert result.error == "timeout"
    assert "timed out" in log.read_text()
    assert _wait_gone(marker) == []


def test_a_logged_command_streams_its_output_and_returns_the_tail(tmp_path):
    log = tmp_path / "install.log"
    result = LiveHost().run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr)"],
                            timeout=30, log_path=str(log), cwd=str(tmp_path))
    assert result.ok and "out" in result.stdout and "err" in result.stdout
    text = log.read_text()
    assert "$ " + sys.executable in text and "(in {})".format(tmp_path) in text and "[exit 0]" in text


def test_the_child_environment_drops_what_redirects_python_and_pip():
    env = child_env({"MAX_JOBS": "2"}, base={"PATH": "/usr/bin", "PYTHONPATH": "/ours", "PIP_USER": "1",
                                            "PIP_TARGET": "/t", "PYTHONHOME": "/h", "HOME": "/root"})
    assert env["MAX_JOBS"] == "2" and env["HOME"] == "/root" and env["PATH"] == "/usr/bin"
    for name in ("PYTHONPATH", "PIP_USER", "PIP_TARGET", "PYTHONHOME"):
        assert name not in env
    assert env["PYTHONIOENCODING"] == "utf-8" and env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1"


def test_doctor_with_a_shell_script_python_reports_the_timeout_at_the_limit(tmp_path):
    """The report's `trtsetup doctor --python fakepy/python-hang`: 10 s, not 100 s."""
    marker = _unique_seconds()
    env = dict(os.environ, PYTHONPATH=REPO)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "trtsetup", "doctor", "--python", _hang_script(tmp_path, marker)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=80)
    assert time.monotonic() - started < 40
    assert proc.returncode == 1
    assert b"did not answer within 10 s" in proc.stdout
    assert _wait_gone(marker) == []


def test_an_interrupt_stops_the_running_probe_at_once_and_leaves_no_orphan(tmp_path):
    """SIGINT to trtsetup alone (as a supervisor sends it): no wait for the probe's 10 s."""
    marker = _unique_seconds()
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, "-m", "trtsetup", "doctor", "--json", "--python",
                             _hang_script(tmp_path, marker)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 20
    while not _running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running(marker), "the probe never started"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5
    assert proc.returncode == 2 and b"interrupted" in err
    assert _wait_gone(marker) == []

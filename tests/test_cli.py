"""The command line contract: help, version, exit codes, JSON on stdout only, locales."""

import json

import pytest

from trtsetup import __version__
from trtsetup.checks import CHECK_IDS

from helpers import SystemTree, run_cli, run_module
from trees.jetson import nano_jp44


def test_version_and_help_on_every_command():
    assert run_cli(["--version"]).stdout.strip() == "trtsetup " + __version__
    for command in ("doctor", "snapshot", "plan", "install", "patch", "selftest"):
        result = run_cli([command, "--help"])
        assert result.exit_code == 0, result
        assert "Usage:" in result.stdout


def test_list_checks_names_every_check_with_a_summary():
    result = run_cli(["doctor", "--list-checks"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == CHECK_IDS
    doc = run_cli(["doctor", "--list-checks", "--json"]).json()
    assert doc["schema"] == "trtsetup.checks/1"
    assert all(item["summary"] for item in doc["checks"])


def test_unknown_check_id_is_a_usage_error(tmp_path):
    result = run_cli(["doctor", "--root", str(tmp_path), "--check", "no-such-check"])
    assert result.exit_code == 2
    assert "no-such-check" in result.stderr and "--list-checks" in result.stderr
    assert result.stdout == ""


def test_bad_arguments_exit_2_with_a_json_error_document(tmp_path):
    result = run_cli(["doctor", "--json", "--root", str(tmp_path / "missing")])
    assert result.exit_code == 2
    doc = result.json()
    assert doc["schema"] == "trtsetup.error/1" and "--root" in doc["error"] and doc["fix"]
    both = run_cli(["doctor", "--root", str(tmp_path), "--snapshot", str(tmp_path / "s.json")])
    assert both.exit_code == 2 and "exclude" in both.stderr
    unknown_option = run_cli(["doctor", "--no-such-option"])
    assert unknown_option.exit_code == 2


def test_garbled_snapshot_file_exits_2_and_says_what_to_do(tmp_path):
    snap = tmp_path / "snap.json"
    snap.write_bytes(b"\x00\x01 this is not json")
    result = run_cli(["doctor", "--snapshot", str(snap)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr and "trtsetup snapshot -o FILE" in result.stderr


def _bare_debian(tmp_path):
    """A system tree with an OS and no NVIDIA anything (an empty --root is refused)."""
    tree = SystemTree(tmp_path / "root")
    tree.write("/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    return tree.root


def test_python_dash_m_entry_point_keeps_json_on_stdout_and_logs_on_stderr(tmp_path):
    result = run_module(["doctor", "--json", "--fast", "--root", _bare_debian(tmp_path)])
    doc = json.loads(result.stdout)  # exactly one document
    assert doc["schema"] == "trtsetup.doctor/1"
    assert result.exit_code == doc["exit_code"] == 1  # no NVIDIA anything


def test_ascii_locale_does_not_abort_and_marks_fall_back_to_ascii(tmp_path):
    # Python 3.6 + click 8.0 abort under an ASCII locale unless the entry point handles it.
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    result = run_module(["doctor", "--fast", "--root", _bare_debian(tmp_path)], env=env)
    assert result.exit_code == 1, result
    assert "Python was configured to use ASCII" not in result.stderr
    assert "x platform-recognised" in result.stdout  # the ASCII fail mark
    result.stdout.encode("ascii")


def test_json_under_an_ascii_locale_is_valid_and_loses_no_character(tmp_path):
    """JetPack 4's Python 3.6 in a container without LANG: `doctor --json` died on the
    "TensorRT 7.1.3.0 → torch2trt v0.5.0" summary (UnicodeEncodeError, exit 2)."""
    tree = nano_jp44(SystemTree(tmp_path / "nano"))
    env = {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    result = run_module(["doctor", "--json", "--root", tree.root], env=env)
    assert result.exit_code in (0, 1), result
    result.stdout.encode("ascii")
    summaries = [check["summary"] for check in result.json()["checks"]]
    assert any(u"→ torch2trt" in summary for summary in summaries), summaries


def _on_a_terminal(args, env=None):
    """``python -m trtsetup ARGS`` with stdout and stderr on a real pseudo-terminal."""
    import os
    import pty
    import subprocess
    import sys
    from helpers import REPO
    master, slave = pty.openpty()
    full_env = dict(os.environ, PYTHONPATH=REPO, TERM="xterm", LANG="C.UTF-8")
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "trtsetup"] + list(args), stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=120)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_marks_are_coloured_on_a_terminal_and_plain_with_no_color(tmp_path):
    """What a user sees in a terminal: green ✓, red ✗, yellow ! (the codes click.style wrote)."""
    tree = nano_jp44(SystemTree(tmp_path / "nano"))
    code, screen = _on_a_terminal(["doctor", "--fast", "--root", tree.root])
    assert code in (0, 1), screen
    assert u"\x1b[32m\u2713\x1b[0m platform-recognised" in screen
    assert u"\x1b[33m!\x1b[0m cuda-toolkit-found" in screen
    assert u"\x1b[31m\u2717\x1b[0m" in screen
    code, plain = _on_a_terminal(["doctor", "--fast", "--root", tree.root], env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain and u"\u2713 platform-recognised" in plain


def test_no_colour_when_not_a_terminal_or_no_color(tmp_path):
    result = run_module(["doctor", "--fast", "--root", _bare_debian(tmp_path)], env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stdout

"""`trtsetup doctor` without click (issue 10): read exactly as click reads it, or left to click.

The fast reader may decline any argv; what it accepts it must read to the same parameters as
the click command built from the same options, and the run must print the same thing.
"""

import json
import os
import subprocess
import sys

import pytest

from trtsetup import cli, cli_doctor
from trtsetup.cli_doctor import read_doctor_argv

from helpers import REPO, SystemTree, run_cli
from trees.jetson import nano_jp44


def _click_params(argv):
    """What click makes of ``doctor ARGV...``, or None when click refuses it."""
    import click
    command = cli.cli.commands["doctor"]
    try:
        with command.make_context("doctor", list(argv)) as ctx:
            return dict(ctx.params)
    except (click.exceptions.ClickException, click.exceptions.Exit):
        return None


@pytest.fixture
def paths(tmp_path):
    (tmp_path / "tree").mkdir()
    (tmp_path / "snap.json").write_text(u"{}")
    return {"dir": str(tmp_path / "tree"), "file": str(tmp_path / "snap.json"),
            "missing": str(tmp_path / "nowhere"), "relative_python": os.path.join("venv", "bin", "python")}


ACCEPTED = [
    [],
    ["--fast"],
    ["--fast", "--json", "-v"],
    ["--verbose", "--user", "--refresh", "--list-checks"],
    ["--check", "cuda-toolkit-found", "--check=t2t-installed", "--check", "cuda-toolkit-found"],
    ["--python", "python3"],
    ["--python", "{relative_python}", "--fast"],
    ["--python={relative_python}"],
    ["--python", "/usr/bin/python3", "--python", "/opt/other/python"],  # the last one wins
    ["--root", "{dir}", "--recipes", "{dir}"],
    ["--root={missing}"],  # a missing tree is the doctor's error, not a usage error
    ["--snapshot", "{file}", "--json"],
    ["--snapshot", "{missing}"],
    ["--json", "--json"],
]

DECLINED = [
    ["--help"],
    ["-h"],
    ["--fast", "--help"],
    ["--no-such-option"],
    ["--fas"],  # click offers "Did you mean --fast?"
    ["-vv"],
    ["--python"],
    ["--python", "--fast"],  # an option where a value belongs
    ["--python="],
    ["--check", ""],
    ["--json=yes"],
    ["--root", "{file}"],  # click: "Directory ... is a file."
    ["--snapshot", "{dir}"],  # click: "File ... is a directory."
    ["--recipes", "{file}"],
    ["--", "--fast"],
    ["positional"],
]


def _fill(argv, paths):
    return [arg.format(**paths) for arg in argv]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_what_the_fast_reader_accepts_it_reads_as_click_does(argv, paths, tmp_path, monkeypatch):
    monkeypatch.chdir(str(tmp_path))  # a relative --python is made absolute from here
    argv = _fill(argv, paths)
    fast = read_doctor_argv(["doctor"] + argv)
    assert fast is not None, argv
    assert fast == _click_params(argv)


@pytest.mark.parametrize("argv", DECLINED, ids=" ".join)
def test_what_the_fast_reader_is_not_sure_of_goes_to_click(argv, paths):
    assert read_doctor_argv(["doctor"] + _fill(argv, paths)) is None


def test_only_the_doctor_takes_the_fast_path():
    assert read_doctor_argv(["--debug", "doctor", "--fast"])["fast"] is True
    for argv in (["plan"], ["doctor-x"], ["--version"], ["--debug"], [], ["snapshot", "--fast", "-o", "-"]):
        assert read_doctor_argv(argv) is None, argv


@pytest.mark.parametrize("extra", [[], ["--json"], ["--check", "no-such-check"], ["--check", "no-such-check", "--json"],
                                   ["--list-checks"]], ids=" ".join)
def test_both_lanes_print_the_same_report_and_exit_code(tmp_path, extra, monkeypatch):
    tree = nano_jp44(SystemTree(tmp_path / "nano"))
    args = ["doctor", "--root", tree.root] + extra
    fast = run_cli(args)
    monkeypatch.setattr(cli_doctor, "read_doctor_argv", lambda argv: None)  # what every run did before
    slow = run_cli(args)
    assert (fast.exit_code, _untimed(fast.stdout), fast.stderr) == (slow.exit_code, _untimed(slow.stdout), slow.stderr)
    assert fast.stdout or fast.stderr


def _untimed(stdout):
    """A JSON report without the seconds each probe and check took (they differ from run to run)."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return stdout
    doc.get("platform", {}).pop("probe_seconds", None)
    for check in doc.get("checks", ()):
        check.pop("seconds", None)
    return doc


def test_a_doctor_run_never_imports_click_and_help_still_comes_from_click(tmp_path):
    tree = nano_jp44(SystemTree(tmp_path / "nano"))
    code = ("import sys; from trtsetup.entry import main; status = main(sys.argv[1:]); "
            "sys.stderr.write('click loaded: %s\\n' % ('click' in sys.modules)); sys.exit(status)")
    env = dict(os.environ, PYTHONPATH=REPO)

    def run(*args):
        proc = subprocess.run([sys.executable, "-c", code] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, universal_newlines=True, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    status, out, err = run("doctor", "--fast", "--root", tree.root)
    assert status in (0, 1) and "JetPack 4.4" in out, err
    assert "click loaded: False" in err
    status, out, err = run("doctor", "--help")
    assert status == 0 and "Usage: trtsetup doctor" in out and "--list-checks" in out
    assert "click loaded: True" in err
    status, out, err = run("doctor", "--fast", "--rot", tree.root)
    said = err.lower().replace("'", "")  # click 8.0: "no such option: --rot Did you mean --root?"; 8.1+: "No such option '--rot'."
    assert status == 2 and "--rot" in said and "did you mean --root?" in said

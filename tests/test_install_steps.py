"""Install steps on their own: apt with a captured dpkg status and stand-in sudo/apt-get
programs on PATH, and the small pure helpers (MAX_JOBS, build-log diagnosis, torch's
version.py, version matching)."""

import os
import stat

import pytest

from helpers import SystemTree
from trtsetup.errors import RefusedError
from trtsetup.executor import execute
from trtsetup.host.base import CommandResult
from trtsetup.host.live import LiveHost
from trtsetup.host.root import RootHost
from trtsetup.plan.model import Plan, StepSpec
from trtsetup.step_kinds import build_steps
from trtsetup.plan.steps.download import terminal_progress
from trtsetup.plan.steps.pip import (build_failure_lines, parse_torch_version_py, pip_fix,
                                     requirement_met)
from trtsetup.plan.steps.torchvision import max_jobs, read_max_jobs, release_matches

WANTED = ["python3-pip", "libopenblas-base", "libjpeg-dev", "zlib1g-dev"]


class Machine(LiveHost):
    """This machine, except that dpkg's status file comes from a captured tree and
    ``id -u`` answers a chosen uid (the tests may well run as root)."""

    def __init__(self, tree, uid):
        super(Machine, self).__init__()
        self.tree = tree
        self.uid = uid

    def read_bytes(self, path):
        if path == "/var/lib/dpkg/status":
            return super(Machine, self).read_bytes(self.tree.path(path))
        return super(Machine, self).read_bytes(path)

    def run(self, argv, timeout=10.0, env=None, cwd=None, log_path=None):
        if list(argv) == ["id", "-u"]:
            return CommandResult(list(argv), 0, "{}\n".format(self.uid), "")
        return super(Machine, self).run(argv, timeout=timeout, env=env, cwd=cwd, log_path=log_path)


@pytest.fixture
def dpkg_tree(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.dpkg({"python3-pip": "9.0.1-2.3~ubuntu1.18.04.5", "libopenblas-base": "0.2.20+ds-4"})
    # removed but not purged: dpkg -l shows "rc"; it is not installed
    tree.write("/var/lib/dpkg/status", open(tree.path("/var/lib/dpkg/status")).read()
               + "Package: libjpeg-dev\nStatus: deinstall ok config-files\nVersion: 8c-2ubuntu8\n\n")
    return tree


@pytest.fixture
def fake_bin(tmp_path, monkeypatch):
    """A folder first on PATH for stand-in programs; each logs its argv to <name>.log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder) + os.pathsep + os.environ["PATH"])

    def program(name, stderr="", code=0):
        path = folder / name
        path.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nprintf "{err}" >&2\nexit {code}\n'.format(
            log=folder / (name + ".log"), err=stderr, code=code))
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
        return folder / (name + ".log")

    return program


def apt_plan(packages=WANTED, skip=None):
    return Plan({}, (StepSpec("apt-prerequisites", "Install apt packages", "JetPack 4 needs them",
                              {"packages": list(packages)}, skip=skip),))


def run_apt(tree, uid, tmp_path, skip=None):
    return execute(build_steps(apt_plan(skip=skip)), Machine(tree, uid), "/usr/bin/python3",
                   str(tmp_path / "state"), str(tmp_path / "cache"))


def test_apt_is_satisfied_when_dpkg_lists_every_package(tmp_path, fake_bin):
    tree = SystemTree(tmp_path / "root").dpkg({name: "1.0" for name in WANTED})
    sudo_log = fake_bin("sudo")
    result = run_apt(tree, 1000, tmp_path)
    assert [s.status for s in result.steps] == ["skipped"]
    assert "all 4 packages are installed" in result.steps[0].reason
    assert not sudo_log.exists()


def test_apt_without_root_stops_with_the_exact_command_for_only_the_missing_packages(
        dpkg_tree, tmp_path, fake_bin):
    fake_bin("sudo", stderr="sudo: a password is required\\n", code=1)
    result = run_apt(dpkg_tree, 1000, tmp_path)
    assert isinstance(result.error, RefusedError) and result.exit_code == 2
    assert "sudo apt-get install -y --no-install-recommends libjpeg-dev zlib1g-dev" in result.error.fix
    assert "--skip-apt" in result.error.fix


def test_apt_without_root_uses_sudo_without_a_prompt(dpkg_tree, tmp_path, fake_bin):
    sudo_log = fake_bin("sudo")
    result = run_apt(dpkg_tree, 1000, tmp_path)
    assert result.error is None and result.changed
    assert sudo_log.read_text() == "-n apt-get install -y --no-install-recommends libjpeg-dev zlib1g-dev\n"


def test_apt_as_root_runs_apt_get_directly(dpkg_tree, tmp_path, fake_bin):
    apt_log = fake_bin("apt-get")
    sudo_log = fake_bin("sudo")
    result = run_apt(dpkg_tree, 0, tmp_path)
    assert result.error is None
    assert apt_log.read_text() == "install -y --no-install-recommends libjpeg-dev zlib1g-dev\n"
    assert not sudo_log.exists()


def test_apt_failure_names_the_log_and_suggests_an_update(dpkg_tree, tmp_path, fake_bin):
    fake_bin("apt-get", stderr="E: Unable to locate package zlib1g-dev\\n", code=100)
    result = run_apt(dpkg_tree, 0, tmp_path)
    assert result.exit_code == 1
    assert "Unable to locate package zlib1g-dev" in result.error.message
    assert "apt-get update" in result.error.fix
    assert os.path.isfile(result.error.log_path)


def test_skip_apt_leaves_apt_alone_and_says_what_is_missing(dpkg_tree, tmp_path, fake_bin):
    sudo_log = fake_bin("sudo")
    result = run_apt(dpkg_tree, 1000, tmp_path, skip="--skip-apt")
    assert [s.status for s in result.steps] == ["skipped"]
    assert "--skip-apt" in result.steps[0].reason and "libjpeg-dev, zlib1g-dev" in result.steps[0].reason
    assert not sudo_log.exists()


def test_skip_apt_is_reported_as_skipped_not_already_done(dpkg_tree, tmp_path, fake_bin):
    """New-user report defect 23: `--skip-apt` listed apt-prerequisites as "already done"."""
    from trtsetup.report.install import render_install_text
    fake_bin("sudo")
    result = run_apt(dpkg_tree, 1000, tmp_path, skip="--skip-apt")
    assert result.steps[0].skipped_by == "--skip-apt"
    line = [l for l in render_install_text(result).splitlines() if "apt-prerequisites" in l][0]
    assert "skipped (--skip-apt)" in line and "already done" not in line


# -- pure helpers --------------------------------------------------------------------------------

@pytest.mark.parametrize("ram, swap, cpus, jobs", [
    (3964, 1982, 4, 3),      # Nano 4GB with the default 2 GB zram swap
    (1972, 0, 4, 1),         # Nano 2GB without swap
    (7772, 3886, 6, 6),      # Xavier NX 8GB: CPU-bound
    (None, None, None, 1),
])
def test_max_jobs_follows_memory_and_cpus(ram, swap, cpus, jobs):
    assert max_jobs(ram, swap, cpus) == jobs


def test_max_jobs_is_read_from_proc_and_sys(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/proc/meminfo", "MemTotal:        4059272 kB\nMemFree:          181244 kB\n"
                                "SwapTotal:       2029632 kB\nSwapFree:        2029632 kB\n")
    tree.write("/sys/devices/system/cpu/online", "0-3\n")
    assert read_max_jobs(RootHost(tree.root)) == 3


def test_a_build_failure_is_summed_up_by_the_compiler_error_not_pips_summary():
    output = """Processing ./vision
  Running setup.py bdist_wheel for torchvision
  torchvision/csrc/cpu/image/read_write_file.cpp:5:10: fatal error: jpeglib.h: No such file or directory
   #include <jpeglib.h>
  compilation terminated.
  error: command '/usr/bin/gcc' failed with exit code 1
  error: subprocess-exited-with-error

  × python setup.py bdist_wheel did not run successfully.
  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for torchvision
Failed to build torchvision
ERROR: Failed to build one or more wheels
"""
    lines = build_failure_lines(output)
    assert lines[0].endswith("fatal error: jpeglib.h: No such file or directory")
    assert lines[-1] == "error: command '/usr/bin/gcc' failed with exit code 1"


def test_torch_version_py_tells_a_cuda_build_from_a_cpu_build():
    nvidia_1_6 = ("__version__ = '1.6.0'\ndebug = False\ncuda = '10.2'\n"
                  "git_version = 'b31f58de6fa8bbda5353b3c77d9be4914399724d'\nhip = None\n")
    cpu_2_5 = ("from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip']\n"
               "__version__ = '2.5.1+cpu'\ndebug = False\ncuda: Optional[str] = None\n"
               "git_version = 'a8d6afb511a69687bbb2b7e88a3cf67917e1697e'\nhip: Optional[str] = None\n")
    cuda_2_5 = cpu_2_5.replace("cuda: Optional[str] = None", "cuda: Optional[str] = '12.1'")
    assert parse_torch_version_py(nvidia_1_6) == "10.2"
    assert parse_torch_version_py(cpu_2_5) is None
    assert parse_torch_version_py(cuda_2_5) == "12.1"
    assert parse_torch_version_py("\x00garbage") is None


def test_versions_match_the_way_a_user_means_them():
    assert requirement_met("torch==2.5.*", "2.5.1+cu121")
    assert requirement_met("torch==2.1.0a0+41361538.nv23.06", "2.1.0a0+41361538.nv23.06")
    assert not requirement_met("torch==2.5.*", "2.4.1")
    assert not requirement_met("torch==1.6.0", None)
    assert release_matches("0.7.0a0+78ed10c", "0.7.0")      # a forum-style build of the same tag
    assert release_matches("0.7", "0.7.0")
    assert not release_matches("0.8.0", "0.7.0")


def test_pip_refusing_a_system_python_gets_a_venv_fix():
    output = ("error: externally-managed-environment\n\n× This environment is externally managed\n"
              "╰─> To install Python packages system-wide, try apt install\n")
    assert "--system-site-packages" in pip_fix(output, "default")


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    with open(str(tmp_path / "log"), "w") as stream:
        assert terminal_progress(stream, "torch.whl") is None


def test_build_steps_takes_an_explicit_list_of_step_classes(tmp_path):
    from trtsetup.plan.step import Step

    class Recorded(Step):
        id = "selftest"

        def is_satisfied(self, ctx):
            return None

        def run(self, ctx):
            return {"job": self.params["job"]}

    plan = Plan({}, (StepSpec("selftest", "Self-test", "last", {"job": "shared job"}),))
    steps = build_steps(plan, [Recorded])
    result = execute(steps, LiveHost(), "python3", str(tmp_path / "state"), str(tmp_path / "cache"))
    assert [(s.id, s.status) for s in result.steps] == [("selftest", "done")]
    assert result.steps[0].details == {"job": "shared job"}
    assert result.warnings     # it ran, yet still reports work to do: said, not hidden

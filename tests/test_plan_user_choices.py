"""What the user asked for is honoured, and plan and install agree (new-user report, 2026-12):
defect 8 (--torch WHEEL), 13 (exit codes of blocked plans), 21 (--torchvision abc)."""

import os
import sys

import pytest

from helpers import SystemTree, run_cli
from install_fixtures import (  # noqa: F401  (fixtures are used by name)
    env_dirs, pristine_venv, runner_wheels, torch_wheel, venv_python)
from trees import jetson as J
from trees import x86 as X
from trtsetup.commands.install import install
from trtsetup.commands.plan import exit_code, plan
from trtsetup.executor import execute
from trtsetup.facts import Facts, NvidiaDriver, PythonEnv, SystemInfo
from trtsetup.host.live import LiveHost
from trtsetup.plan.model import Plan
from trtsetup.recipes import load_recipes
from trtsetup.step_kinds import build_steps


@pytest.fixture(scope="module")
def recipes():
    return load_recipes(overlays=[])


@pytest.fixture
def cpu_wheel(tmp_path):
    return torch_wheel(str(tmp_path / "wheels"), "2.13.0+cpu", cuda=None)


def _steps(doc):
    return {s["id"]: s for s in doc["steps"]}


def test_torch_wheel_needs_no_driver(tmp_path, cpu_wheel):
    tree = X.x86_no_driver(SystemTree(tmp_path / "root"))
    result = run_cli(["plan", "--json", "--root", tree.root, "--torch", cpu_wheel])
    assert "no NVIDIA driver" not in result.stderr
    torch = _steps(result.json())["torch-install"]
    assert torch["params"]["path"] == cpu_wheel and torch["params"]["version"] == "2.13.0+cpu"
    assert torch["params"]["expect_cuda"] is False     # the user chose a CPU build
    assert result.exit_code == 2                       # no TensorRT here: torch2trt is blocked


def test_a_missing_torch_wheel_says_so(tmp_path):
    tree = J.nano_jp44(SystemTree(tmp_path / "root"))
    result = run_cli(["plan", "--root", tree.root, "--torch", "/nonexistent.whl"])
    assert result.exit_code == 2
    assert "/nonexistent.whl: no such file" in result.stderr
    assert "torchvision" not in result.stderr


def test_a_file_that_is_not_a_torch_wheel_name_is_refused(tmp_path):
    tree = J.nano_jp44(SystemTree(tmp_path / "root"))
    wheel = tmp_path / "mytorch.whl"
    wheel.write_bytes(b"PK")
    result = run_cli(["plan", "--root", tree.root, "--torch", str(wheel)])
    assert result.exit_code == 2 and "not a torch wheel file name" in result.stderr


def test_index_url_with_a_torch_wheel_gives_no_index_url_warning(tmp_path, cpu_wheel):
    tree = X.x86_driver535_cuda122_trt86_deb(SystemTree(tmp_path / "root"))
    result = run_cli(["plan", "--json", "--root", tree.root, "--torch", cpu_wheel,
                      "--index-url", "https://pypi.org/simple"])
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert not any("without --torch" in w for w in doc["warnings"])
    assert _steps(doc)["torchvision-install"]["params"]["index_url"] == "https://pypi.org/simple"


@pytest.mark.parametrize("value", ["abc", "0.x", "0.20 beta"])
def test_plan_rejects_a_torchvision_that_is_not_a_version(tmp_path, value):
    tree = J.nano_jp44(SystemTree(tmp_path / "root"))
    result = run_cli(["plan", "--root", tree.root, "--torchvision", value])
    assert result.exit_code == 2
    assert "--torchvision {}: not a version".format(value) in result.stderr
    assert "tag v" + value not in result.stdout


def test_a_torchvision_written_with_a_v_is_planned_once_with_its_tag(tmp_path):
    tree = J.nano_jp44(SystemTree(tmp_path / "root"))
    result = run_cli(["plan", "--json", "--root", tree.root, "--torchvision", "v0.8.1"])
    assert _steps(result.json())["torchvision-install"]["params"]["tag"] == "v0.8.1"


def test_plan_and_install_dry_run_agree_on_a_blocked_plan(tmp_path, recipes):
    """`plan --index-url .../cu130` exited 0 with 5 BLOCKED steps, `install --dry-run` 2."""
    facts = Facts(system=SystemInfo(arch="x86_64", distro_id="ubuntu"),
                  nvidia=NvidiaDriver(driver_version="580.95.05", cuda_driver_version="13.0"),
                  python=PythonEnv(executable=sys.executable, version="3.11.7"))
    overrides = {"index_url": "https://download.pytorch.org/whl/cu130", "python": sys.executable}
    planned = plan(facts, recipes, overrides)
    assert planned.blocked and exit_code(planned) == 2
    dry = install(LiveHost(), facts, recipes, overrides, dry_run=True, skip_apt=True,
                  state_dir=str(tmp_path / "state"), cache_dir=str(tmp_path / "cache"))
    assert dry.exit_code == exit_code(planned) == 2
    assert "the steps before it are kept" not in (dry.error.fix or "")   # nothing ran in a dry run


def test_a_plan_without_blocked_steps_exits_0(tmp_path):
    tree = J.nano_jp44(SystemTree(tmp_path / "root"))
    assert run_cli(["plan", "--root", tree.root]).exit_code == 0


def test_a_cpu_wheel_the_user_gave_is_installed_once(venv_python, env_dirs, cpu_wheel, recipes):
    """A second run with the same --torch CPU wheel changes nothing (it was reinstalled every run)."""
    facts = Facts(system=SystemInfo(arch="x86_64", distro_id="ubuntu"),
                  python=PythonEnv(executable=venv_python, version="{}.{}.0".format(*sys.version_info[:2])))
    planned = plan(facts, recipes, {"torch": cpu_wheel, "python": venv_python})
    torch_only = Plan(planned.target, (planned.step("torch-install"),))

    def run():
        return execute(build_steps(torch_only), LiveHost(), venv_python, env_dirs["state"], env_dirs["cache"])

    first = run()
    assert first.changed and first.exit_code == 0 and not first.warnings, first
    second = run()
    assert second.changed is False and [s.status for s in second.steps] == ["skipped"]
    assert os.path.basename(cpu_wheel).startswith("torch-2.13.0+cpu")

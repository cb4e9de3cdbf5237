"""trtsetup install, executed for real: a local index and file server on 127.0.0.1, real pip
installing tiny real wheels into throw-away venvs, a local git repository standing in for
pytorch/vision, and faults injected by the server (cut, stall, wrong bytes, 404) or by
killing the installing process."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from install_fixtures import (  # noqa: F401  (fixtures are used by name)
    build_venv, build_venv_python, env_dirs, import_version, index_server, make_vision_repo,
    pristine_venv, refused_url, runner_wheels, torch_wheel, venv_python, wait_for)
from trtsetup.errors import ActionFailed, RefusedError, UsageError
from trtsetup.executor import execute
from trtsetup.host.live import LiveHost
from trtsetup.plan.model import Plan, StepSpec
from trtsetup.step_kinds import build_steps
from trtsetup.hashing import sha256_file as file_sha256
from trtsetup.plan.steps.download import download
from trtsetup.report.install import render_install_text

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_FILE = "torch-1.6.0-py3-none-any.whl"


# -- plans as the resolver writes them -----------------------------------------------------------

def torch_from_url(url, sha256=None, version="1.6.0"):
    return StepSpec("torch-install", "Install torch {}".format(version), "NVIDIA's wheel for JetPack 4.4",
                    {"source": "wheel", "url": url, "path": None, "filename": url.rsplit("/", 1)[-1],
                     "sha256": sha256, "version": version, "no_deps": False, "expect_cuda": True})


def torch_from_links(links, requirement="torch==1.6.0"):
    return StepSpec("torch-install", "Install {}".format(requirement), "offline",
                    {"source": "index", "requirement": requirement, "index_url": None,
                     "extra_index_urls": [], "find_links": links, "no_index": True,
                     "no_deps": False, "expect_cuda": True})


def vision_from_git(repo, version="0.7.0"):
    return StepSpec("torchvision-install", "Build torchvision {}".format(version), "pairs with torch 1.6",
                    {"source": "git", "version": version, "git_url": repo, "tag": "v" + version,
                     "no_deps": True})


def run_plan(python, dirs, specs, server=None, **kwargs):
    options = {"index_url": server.index_url} if server is not None else {}
    options.update(kwargs.pop("options", {}))
    return execute(build_steps(Plan({}, tuple(specs))), LiveHost(), python, dirs["state"],
                   dirs["cache"], options=options, **kwargs)


def statuses(result):
    return [(s.id, s.status) for s in result.steps]


@pytest.fixture
def torch_url(index_server, tmp_path):
    return index_server.add_file(torch_wheel(str(tmp_path / "w"), "1.6.0"))


@pytest.fixture(scope="module")
def vision_repo(tmp_path_factory):
    return make_vision_repo(tmp_path_factory.mktemp("vision") / "vision")


# -- converging ------------------------------------------------------------------------------------

def test_first_install_does_the_work_and_the_second_changes_nothing(
        venv_python, env_dirs, index_server, torch_url, vision_repo):
    plan = [torch_from_url(torch_url), vision_from_git(vision_repo)]
    first = run_plan(venv_python, env_dirs, plan, index_server)

    assert first.error is None, render_install_text(first)
    assert statuses(first) == [("torch-install", "done"), ("torchvision-install", "done")]
    assert first.changed is True
    assert import_version(venv_python, "torch") == "1.6.0"
    assert import_version(venv_python, "torchvision") == "0.7.0"   # BUILD_VERSION was set

    manifest = json.load(open(os.path.join(env_dirs["state"], "manifest.json")))
    torch = manifest["steps"]["torch-install"]["details"]
    assert torch["url"] == torch_url and torch["installed_version"] == "1.6.0"
    assert torch["hash_source"] == "first-use"
    hashes = json.load(open(os.path.join(env_dirs["state"], "hashes.json")))["hashes"]
    assert hashes[torch_url] == torch["sha256"] == file_sha256(torch["path"])
    vision = manifest["steps"]["torchvision-install"]["details"]
    assert vision["commit"] == subprocess.check_output(["git", "-C", vision_repo, "rev-parse", "HEAD"],
                                                       universal_newlines=True).strip()
    assert os.path.isfile(vision["wheel"]) and vision["wheel"].startswith(env_dirs["cache"])

    started = time.monotonic()
    second = run_plan(venv_python, env_dirs, plan, index_server)
    elapsed = time.monotonic() - started
    assert second.error is None
    assert second.changed is False
    assert statuses(second) == [("torch-install", "skipped"), ("torchvision-install", "skipped")]
    assert "torch 1.6.0 is installed" in second.steps[0].reason
    assert "built for CUDA 10.2" in second.steps[0].reason
    assert "torchvision 0.7.0 is installed" in second.steps[1].reason
    assert elapsed < 5.0
    doc = second.to_json()
    assert doc["schema"] == "trtsetup.install/1" and doc["changed"] is False
    assert [s["status"] for s in doc["steps"]] == ["skipped", "skipped"]
    assert "Nothing to do" in render_install_text(second)


def test_install_reports_unchanged_json_through_the_install_command_and_ignores_user_in_a_venv(
        venv_python, env_dirs, index_server, torch_url, tmp_path):
    from trtsetup.commands.install import install
    from trtsetup.facts import Facts, NvidiaDriver, PythonEnv, SystemInfo
    from trtsetup.recipes import load_recipes

    links = tmp_path / "links"
    from install_fixtures import make_wheel
    make_wheel(str(links), "torchvision", "0.7.0")
    facts = Facts(system=SystemInfo(arch="x86_64", distro_id="ubuntu"),
                  nvidia=NvidiaDriver(driver_version="535.183.01"),
                  python=PythonEnv(executable=venv_python, version="%d.%d.%d" % sys.version_info[:3]))
    overrides = {"torch": torch_url, "find_links": [str(links)], "no_index": True, "python": venv_python}
    messages = []

    def go():
        return install(LiveHost(), facts, load_recipes(overlays=[]), overrides, user=True,
                       skip_apt=True, state_dir=env_dirs["state"], cache_dir=env_dirs["cache"],
                       emit=messages.append)

    first = go()
    got = dict(statuses(first))
    assert got["torch-install"] == "done" and got["torchvision-install"] == "done"
    # No TensorRT in these facts: the torch2trt steps are blocked, which stops the run (exit 2).
    assert got["t2t-source"] == "blocked" and got["selftest"] == "not-run"
    assert first.exit_code == 2 and isinstance(first.error, RefusedError)
    assert any("--user ignored" in w and "virtual environment" in w for w in first.warnings)
    log = open(first.steps[1].log_path).read()
    assert "pip --no-input install" in log and "--user" not in log
    assert import_version(venv_python, "torchvision") == "0.7.0"

    second = go()
    doc = second.to_json()
    assert doc["changed"] is False
    assert {s["id"]: s["status"] for s in doc["steps"]}["torch-install"] == "skipped"
    assert {s["id"]: s["status"] for s in doc["steps"]}["torchvision-install"] == "skipped"


def test_user_install_with_a_system_interpreter_goes_to_the_home_directory(env_dirs, tmp_path):
    base = os.path.join(sys.base_prefix, "bin", "python%d.%d" % sys.version_info[:2])
    if not os.path.exists(base) or sys.base_prefix == sys.prefix:
        pytest.skip("needs the runner to be a venv of a base interpreter with pip")
    links = tmp_path / "links"
    torch_wheel(str(links), "1.6.0")
    plan = [torch_from_links([str(links)])]
    first = run_plan(base, env_dirs, plan, user=True)
    assert first.error is None, render_install_text(first)
    location = first.steps[0].details["location"]
    assert location.startswith(env_dirs["home"] + os.sep)      # ~/.local/lib/pythonX.Y/site-packages
    assert "--user" in open(first.steps[0].log_path).read()
    again = run_plan(base, env_dirs, plan, user=True)
    assert statuses(again) == [("torch-install", "skipped")] and again.changed is False


# -- downloads -------------------------------------------------------------------------------------

def test_a_download_cut_half_way_resumes_with_a_range_request(
        venv_python, env_dirs, index_server, tmp_path):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0", payload=600 * 1024)
    url = index_server.add_file(wheel, "cut/" + TORCH_FILE)
    index_server.fault("cut/" + TORCH_FILE, "cut")
    result = run_plan(venv_python, env_dirs, [torch_from_url(url)])
    assert result.error is None, render_install_text(result)
    assert index_server.range_requests("cut/" + TORCH_FILE)          # it resumed, not restarted
    assert result.steps[0].details["sha256"] == file_sha256(wheel)
    assert import_version(venv_python, "torch") == "1.6.0"


def test_a_wrong_hash_is_refused_and_the_bad_file_removed(venv_python, env_dirs, index_server, tmp_path):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0")
    url = index_server.add_file(wheel, "wrong/" + TORCH_FILE)
    index_server.fault("wrong/" + TORCH_FILE, "wrong")
    result = run_plan(venv_python, env_dirs, [torch_from_url(url, sha256=file_sha256(wheel))])
    assert result.exit_code == 1 and isinstance(result.error, ActionFailed)
    assert "sha256 mismatch" in result.error.message and url in result.error.message
    left = [f for _, _, files in os.walk(env_dirs["cache"]) for f in files]
    assert left == []                                                # neither the file nor .part
    assert import_version(venv_python, "torch") is None


def test_a_hash_recorded_on_first_use_refuses_a_changed_file_later(env_dirs, index_server, tmp_path):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0")
    url = index_server.add_file(wheel, "tofu/" + TORCH_FILE)
    lock = os.path.join(env_dirs["state"], "hashes.json")
    first = download(url, TORCH_FILE, env_dirs["cache"], lock)
    assert first.hash_source == "first-use" and first.sha256 == file_sha256(wheel)
    os.unlink(first.path)                       # the cache was cleared ...
    index_server.fault("tofu/" + TORCH_FILE, "wrong")   # ... and the server now serves other bytes
    with pytest.raises(ActionFailed) as failed:
        download(url, TORCH_FILE, env_dirs["cache"], lock)
    assert "sha256 mismatch" in failed.value.message and lock in failed.value.fix
    assert not os.path.exists(first.path) and not os.path.exists(first.path + ".part")
    assert json.load(open(lock))["hashes"][url] == first.sha256      # the record is kept


def test_a_404_names_the_url_and_says_how_to_install_offline(venv_python, env_dirs, index_server):
    url = index_server.url + "/files/missing/" + TORCH_FILE
    result = run_plan(venv_python, env_dirs, [torch_from_url(url)])
    assert result.exit_code == 1
    assert url in result.error.message and "404" in result.error.message
    assert "--find-links DIR --no-index" in result.error.fix
    assert "--find-links DIR --no-index" in render_install_text(result)


def test_a_refused_connection_names_the_url_and_says_how_to_install_offline(venv_python, env_dirs):
    url = refused_url()
    result = run_plan(venv_python, env_dirs, [torch_from_url(url)])
    assert result.exit_code == 1
    assert url in result.error.message and "connection refused" in result.error.message
    assert "--find-links DIR --no-index" in result.error.fix


def test_offline_install_from_find_links_uses_no_network(venv_python, env_dirs, index_server, tmp_path):
    links = tmp_path / "links"
    torch_wheel(str(links), "1.6.0")
    from install_fixtures import make_wheel
    make_wheel(str(links), "torchvision", "0.7.0", requires=["torch"])
    seen = len(index_server.requests)
    vision = StepSpec("torchvision-install", "Install torchvision 0.7.0", "offline",
                      dict(torch_from_links([str(links)]).params, requirement="torchvision==0.7.0",
                           no_deps=True))
    result = run_plan(venv_python, env_dirs, [torch_from_links([str(links)]), vision])
    assert result.error is None, render_install_text(result)
    assert statuses(result) == [("torch-install", "done"), ("torchvision-install", "done")]
    assert import_version(venv_python, "torchvision") == "0.7.0"
    assert len(index_server.requests) == seen


# -- interrupted and concurrent installs -----------------------------------------------------------

CHILD = r'''
import json, sys
from trtsetup.executor import execute
from trtsetup.host.live import LiveHost
from trtsetup.plan.model import Plan, StepSpec
from trtsetup.step_kinds import build_steps
doc = json.load(open(sys.argv[1]))
specs = tuple(StepSpec(**s) for s in doc["specs"])
result = execute(build_steps(Plan({}, specs)), LiveHost(), doc["python"], doc["state"], doc["cache"],
                 options=doc["options"], emit=lambda m: sys.stderr.write(m + "\n"))
sys.exit(result.exit_code)
'''


def start_install(tmp_path, python, dirs, specs, options=None, env=None):
    """Run an install in another process (its own session, so it can be killed whole)."""
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"python": python, "state": dirs["state"], "cache": dirs["cache"],
                               "options": options or {},
                               "specs": [{"id": s.id, "summary": s.summary, "reason": s.reason,
                                          "params": s.params} for s in specs]}))
    child_env = dict(os.environ, PYTHONPATH=REPO, **(env or {}))
    return subprocess.Popen([sys.executable, "-c", CHILD, str(job)], env=child_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def part_files(cache):
    return [os.path.join(d, f) for d, _, files in os.walk(cache) for f in files if f.endswith(".part")]


def test_a_second_install_is_refused_while_one_holds_the_lock(env_dirs, index_server, tmp_path, venv_python):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0", payload=600 * 1024)
    url = index_server.add_file(wheel, "lock/" + TORCH_FILE)
    index_server.fault("lock/" + TORCH_FILE, "stall")
    child = start_install(tmp_path, venv_python, env_dirs, [torch_from_url(url)])
    try:
        assert index_server.stalled.wait(30)
        with pytest.raises(RefusedError) as refused:
            run_plan(venv_python, env_dirs, [torch_from_url(url)])
        assert "pid {}".format(child.pid) in refused.value.message
        assert "install.lock" in refused.value.message
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        index_server.release()


def test_an_install_killed_during_the_download_completes_on_rerun(
        venv_python, env_dirs, index_server, tmp_path):
    wheel = torch_wheel(str(tmp_path / "w"), "1.6.0", payload=600 * 1024)
    url = index_server.add_file(wheel, "kill/" + TORCH_FILE)
    index_server.fault("kill/" + TORCH_FILE, "stall")
    child = start_install(tmp_path, venv_python, env_dirs, [torch_from_url(url)])
    try:
        wait_for(lambda: any(os.path.getsize(p) > 0 for p in part_files(env_dirs["cache"])),
                 what="a partial download")
    finally:
        os.kill(child.pid, signal.SIGKILL)           # no chance to clean up
        child.wait()
        index_server.release()
    assert import_version(venv_python, "torch") is None
    kept = os.path.getsize(part_files(env_dirs["cache"])[0])

    result = run_plan(venv_python, env_dirs, [torch_from_url(url)])  # no clean-up by hand
    assert result.error is None, render_install_text(result)
    assert "bytes={}-".format(kept) in index_server.range_requests("kill/" + TORCH_FILE)
    assert result.steps[0].details["sha256"] == file_sha256(wheel)
    assert part_files(env_dirs["cache"]) == []
    assert import_version(venv_python, "torch") == "1.6.0"


def test_an_install_killed_during_the_torchvision_build_completes_on_rerun(
        build_venv_python, env_dirs, index_server, vision_repo, tmp_path):
    links = tmp_path / "links"
    torch_wheel(str(links), "1.6.0")
    plan = [torch_from_links([str(links)]), vision_from_git(vision_repo)]
    stall = tmp_path / "stall"
    stall.write_text("")
    child = start_install(tmp_path, build_venv_python, env_dirs, plan,
                          env={"TEST_VISION_STALL": str(stall)})
    try:
        wait_for(lambda: os.path.exists(str(stall) + ".started"), what="the build to start")
    finally:
        os.killpg(child.pid, signal.SIGKILL)         # trtsetup, pip and setup.py together
        child.wait()
    stall.unlink()
    assert os.listdir(os.path.join(env_dirs["cache"], "tmp"))       # the killed build's leftovers
    assert import_version(build_venv_python, "torchvision") is None

    result = run_plan(build_venv_python, env_dirs, plan)
    assert result.error is None, render_install_text(result)
    assert statuses(result) == [("torch-install", "skipped"), ("torchvision-install", "done")]
    assert import_version(build_venv_python, "torchvision") == "0.7.0"
    assert os.listdir(os.path.join(env_dirs["cache"], "tmp")) == []


# -- a failed build --------------------------------------------------------------------------------

def test_a_failed_torchvision_build_leaves_installed_packages_alone_and_names_the_log(
        build_venv_python, env_dirs, index_server, tmp_path):
    subprocess.run([build_venv_python, "-m", "pip", "install", "-q", "--index-url", index_server.index_url,
                    "torch==1.6.0", "torchvision==0.6.0"], check=True)
    broken = make_vision_repo(tmp_path / "broken-vision", broken=True)
    plan = [torch_from_links([str(tmp_path)]), vision_from_git(broken)]
    result = run_plan(build_venv_python, env_dirs, plan)

    assert statuses(result) == [("torch-install", "skipped"), ("torchvision-install", "failed")]
    assert result.exit_code == 1
    assert "jpeglib.h: No such file or directory" in result.error.message
    assert os.path.isfile(result.error.log_path)
    assert "fatal error: jpeglib.h" in open(result.error.log_path).read()
    assert "log: {}".format(result.error.log_path) in render_install_text(result)
    assert import_version(build_venv_python, "torch") == "1.6.0"
    assert import_version(build_venv_python, "torchvision") == "0.6.0"
    assert not os.path.exists(os.path.join(env_dirs["cache"], "wheels"))


# -- dry run, blocked steps, the step factory ------------------------------------------------------

def test_dry_run_changes_nothing(venv_python, env_dirs, index_server, torch_url, vision_repo):
    before = sorted(os.listdir(os.path.dirname(os.path.dirname(venv_python))))
    seen = len(index_server.requests)
    result = run_plan(venv_python, env_dirs, [torch_from_url(torch_url), vision_from_git(vision_repo)],
                      index_server, dry_run=True)
    assert statuses(result) == [("torch-install", "would-run"), ("torchvision-install", "would-run")]
    assert result.changed is False and result.error is None and result.to_json()["dry_run"] is True
    assert not os.path.exists(env_dirs["state"]) and not os.path.exists(env_dirs["cache"])
    assert len(index_server.requests) == seen
    assert import_version(venv_python, "torch") is None
    assert sorted(os.listdir(os.path.dirname(os.path.dirname(venv_python)))) == before
    assert "2 steps would run; nothing was changed" in render_install_text(result)


def test_a_blocked_step_stops_the_install_with_its_reason(venv_python, env_dirs):
    plan = Plan({}, (StepSpec("apt-prerequisites", "No apt packages", "x86", {"packages": []}),
                     StepSpec("t2t-source", "Get torch2trt", "TensorRT not found", {"ref": "master"},
                              blocked="TensorRT not found: install TensorRT first"),
                     StepSpec("selftest", "Self-test", "last", {}, blocked="TensorRT not found")))
    result = execute(build_steps(plan), LiveHost(), venv_python, env_dirs["state"], env_dirs["cache"])
    assert statuses(result) == [("apt-prerequisites", "skipped"), ("t2t-source", "blocked"),
                                ("selftest", "not-run")]
    assert result.exit_code == 2 and "TensorRT not found" in result.error.message


def test_an_unknown_step_id_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        build_steps(Plan({}, (StepSpec("teleport", "?", "?", {}),)))
    assert "teleport" in err.value.message and "torch-install" in err.value.fix


def test_a_cpu_build_of_the_wanted_torch_is_replaced_by_the_cuda_build(venv_python, env_dirs, tmp_path):
    cpu, cuda = tmp_path / "cpu", tmp_path / "cuda"
    torch_wheel(str(cpu), "1.6.0", cuda=None)       # what `pip install torch==1.6.0` from PyPI gives
    torch_wheel(str(cuda), "1.6.0", cuda="10.2")
    subprocess.run([venv_python, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(cpu),
                    "torch==1.6.0"], check=True)
    result = run_plan(venv_python, env_dirs, [torch_from_links([str(cuda)])])
    assert result.error is None, render_install_text(result)
    assert statuses(result) == [("torch-install", "done")]
    assert "built for CUDA 10.2" in result.steps[0].reason
    assert "--force-reinstall" in open(result.steps[0].log_path).read()

"""`trtsetup bundle -o FILE` and `trtsetup install --from-bundle FILE`, for real: an install
runs through the executor (torch downloaded from the local index, torchvision from the
wheel its cache keeps after a build, torch2trt "built" by a test double step), the real CLI packs it, and real pip installs
the bundle offline into fresh venvs."""

import hashlib
import os
import shutil
import sys
import tarfile

import pytest

from helpers import run_cli
from install_fixtures import (  # noqa: F401  (fixtures are used by name)
    build_venv, copy_venv, env_dirs, import_version, index_server, make_wheel,
    pristine_venv, runner_wheels, torch_wheel)
from trtsetup.bundle import archive
from trtsetup.bundle.steps import BundlePluginsStep
from trtsetup.executor import execute
from trtsetup.host.live import LiveHost
from trtsetup.plan.model import Plan, StepSpec
from trtsetup.plan.step import Step
from trtsetup.step_kinds import build_steps
from trtsetup.hashing import sha256_file as file_sha256
from trtsetup.plan.steps.torchvision import wheel_cache_dir


class FakeT2tBuild(Step):
    """Stands in for t2t-build (which needs torch with CUDA and TensorRT): "builds" a real
    torch2trt wheel into the cache and records it the way the real step does."""
    id = "t2t-build"
    summary = "build torch2trt (test double)"

    def is_satisfied(self, ctx):
        return None

    def run(self, ctx):
        wheel = make_wheel(os.path.join(ctx.cache_dir, "wheels", "t2t"), "torch2trt", "0.5.0")
        return {"wheel": wheel, "wheel_sha256": file_sha256(wheel)}


@pytest.fixture
def dirs(tmp_path, env_dirs, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return {"state": str(tmp_path / "xdg-state" / "trtsetup"), "cache": str(tmp_path / "xdg-cache" / "trtsetup")}


@pytest.fixture(scope="module")
def build_device(tmp_path_factory, index_server, build_venv):
    """A device after `trtsetup install` (once per module: the torchvision build is slow):
    its venv and its XDG state directory."""
    base = tmp_path_factory.mktemp("build-device")
    from install_fixtures import clean_pip_environment
    with pytest.MonkeyPatch.context() as mp:
        (base / "home").mkdir()
        clean_pip_environment(mp, base / "home")
        python = copy_venv(build_venv, base / "venv")
        torch_url = index_server.add_file(torch_wheel(str(base / "w"), "1.6.0"))
        # torchvision as the install's cache holds it after a build from the v0.7.0 tag (the
        # build itself is tested in test_install_executor; here it would cost 40 s).
        cache = str(base / "cache" / "trtsetup")
        make_wheel(wheel_cache_dir(cache, "0.7.0", "cp%d%d" % sys.version_info[:2]), "torchvision", "0.7.0")
        vision = "https://github.com/pytorch/vision"  # not contacted: the cached wheel is used
        specs = (
            StepSpec("torch-install", "Install torch 1.6.0", "test", {
                "source": "wheel", "url": torch_url, "path": None, "filename": torch_url.rsplit("/", 1)[-1],
                "sha256": None, "version": "1.6.0", "no_deps": False, "expect_cuda": True}),
            StepSpec("torchvision-install", "Build torchvision 0.7.0", "test", {
                "source": "git", "version": "0.7.0", "git_url": vision, "tag": "v0.7.0", "no_deps": True}),
        )
        steps = build_steps(Plan({}, specs)) + [FakeT2tBuild()]
        result = execute(steps, LiveHost(), python, str(base / "state" / "trtsetup"),
                         cache, options={"index_url": index_server.index_url})
    assert result.error is None, result
    return python, str(base / "state")


@pytest.fixture
def installed(build_device, env_dirs, monkeypatch):
    python, state = build_device
    monkeypatch.setenv("XDG_STATE_HOME", state)
    return python


def make(tmp_path, python):
    out = str(tmp_path / "fleet.bundle")
    result = run_cli(["bundle", "-o", out, "--python", python, "--json"])
    assert result.exit_code == 0, result
    return out, result.json()


def test_bundle_packs_the_installs_wheels_with_hashes_and_fingerprint(tmp_path, installed):
    out, manifest = make(tmp_path, installed)
    assert manifest["schema"] == "trtsetup.bundle/1"
    assert [(a["kind"], a["package"], a["version"]) for a in manifest["artifacts"]] == [
        ("wheel", "torch", "1.6.0"), ("wheel", "torchvision", "0.7.0"), ("wheel", "torch2trt", "0.5.0")]
    assert manifest["versions"]["torch2trt"] == "0.5.0"
    fp = manifest["fingerprint"]
    assert set(fp) >= {"arch", "l4t", "cuda_major", "python_tag", "cuda_arch", "tensorrt", "trtsetup_version"}
    assert fp["python_tag"].startswith("cp3")
    assert manifest["plan"]["steps"]["torchvision-install"]["status"] == "installed"
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert names[0] == "manifest.json"
        for item in manifest["artifacts"]:
            data = tar.extractfile(item["path"]).read()
            assert hashlib.sha256(data).hexdigest() == item["sha256"]


def test_bundle_without_an_install_says_to_install_first(tmp_path, dirs, pristine_venv):
    result = run_cli(["bundle", "-o", str(tmp_path / "b"), "--python", copy_venv(pristine_venv, tmp_path / "v")])
    assert result.exit_code == 2
    assert "nothing to bundle" in result.stderr and "trtsetup install" in result.stderr


def fresh_device(tmp_path, pristine_venv, monkeypatch, name):
    """Another device: its own venv and state, and no index at all."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / name / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / name / "cache"))
    return copy_venv(pristine_venv, tmp_path / name / "venv")


def from_bundle(python, bundle):
    return run_cli(["install", "--from-bundle", bundle, "--python", python, "--no-selftest", "--json"])


def test_from_bundle_installs_offline_then_changes_nothing(tmp_path, installed, pristine_venv, monkeypatch):
    bundle, _ = make(tmp_path, installed)
    python = fresh_device(tmp_path, pristine_venv, monkeypatch, "device")
    first = from_bundle(python, bundle)
    assert first.exit_code == 0, first
    doc = first.json()
    assert doc["changed"] is True
    assert [(s["id"], s["status"]) for s in doc["steps"]] == [("bundle-wheels", "done"), ("selftest", "skipped")]
    assert doc["bundle"]["versions"]["torch"] == "1.6.0"
    assert import_version(python, "torch") == "1.6.0"
    assert import_version(python, "torch2trt") == "0.5.0"
    log = open(doc["steps"][0]["log_path"]).read()
    assert "--no-index" in log and "--require-hashes" in log

    second = from_bundle(python, bundle)
    assert second.exit_code == 0, second
    assert second.json()["changed"] is False
    assert "from the bundle are installed" in second.json()["steps"][0]["reason"]


def rewrite(bundle, out, change_manifest=None, change_member=None):
    """A copy of ``bundle`` with its manifest or one member's bytes changed."""
    manifest, _ = archive.read_manifest(bundle)
    work = out + ".d"
    with tarfile.open(bundle) as tar:
        tar.extractall(work)
    if change_manifest:
        change_manifest(manifest)
    if change_member:
        change_member(work)
    files = {a["path"]: os.path.join(work, a["path"]) for a in manifest["artifacts"]}
    archive.write_bundle(out, manifest, files)
    shutil.rmtree(work)
    return out


def test_from_bundle_refuses_another_platform_naming_the_field_and_both_values(
        tmp_path, installed, pristine_venv, monkeypatch):
    bundle, manifest = make(tmp_path, installed)
    ours = manifest["fingerprint"]["python_tag"]

    def other_python(doc):
        doc["fingerprint"]["python_tag"] = "cp36" if ours != "cp36" else "cp38"

    other = rewrite(bundle, str(tmp_path / "other.bundle"), change_manifest=other_python)
    python = fresh_device(tmp_path, pristine_venv, monkeypatch, "device")
    result = from_bundle(python, other)
    assert result.exit_code == 2
    theirs = "cp36" if ours != "cp36" else "cp38"
    assert "python_tag is {} in the bundle but {} on this device".format(theirs, ours) in result.stderr
    assert result.json()["schema"] == "trtsetup.error/1"
    assert import_version(python, "torch") is None


def test_a_tampered_or_truncated_bundle_is_refused_and_nothing_is_installed(
        tmp_path, installed, pristine_venv, monkeypatch):
    bundle, manifest = make(tmp_path, installed)
    wheel = manifest["artifacts"][2]["path"]

    def flip(work):
        path = os.path.join(work, wheel)
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0xFF
        open(path, "wb").write(bytes(data))

    # the manifest still carries the original hashes (write_bundle packs what it is given)
    tampered = rewrite(bundle, str(tmp_path / "tampered.bundle"), change_member=flip)
    truncated = str(tmp_path / "truncated.bundle")
    with open(bundle, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read()[: os.path.getsize(bundle) * 2 // 3])
    python = fresh_device(tmp_path, pristine_venv, monkeypatch, "device")
    result = from_bundle(python, tampered)
    assert result.exit_code == 2
    assert "sha256 of {}".format(wheel) in result.stderr and "nothing was installed" in result.stderr
    result = from_bundle(python, truncated)
    assert result.exit_code == 2
    assert "truncated" in result.stderr
    assert import_version(python, "torch") is None
    bundles = tmp_path / "device" / "cache" / "trtsetup" / "bundles"
    assert not bundles.exists() or os.listdir(str(bundles)) == []


def test_the_plugin_library_goes_to_the_user_prefix_with_a_preload_hook(tmp_path, dirs, pristine_venv):
    python = copy_venv(pristine_venv, tmp_path / "venv")
    lib = tmp_path / "unpacked" / "lib" / "libtorch2trt_plugins.so"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(b"\x7fELF not really")
    item = {"path": "lib/libtorch2trt_plugins.so", "kind": "plugins-library", "sha256": file_sha256(str(lib)),
            "size": lib.stat().st_size}
    step = BundlePluginsStep(str(tmp_path / "unpacked"), item, is_root=False)
    first = execute([step], LiveHost(), python, dirs["state"], dirs["cache"])
    assert first.error is None and first.changed
    dest = os.path.join(os.environ["HOME"], ".local", "lib", "libtorch2trt_plugins.so")
    assert open(dest, "rb").read() == b"\x7fELF not really"
    details = first.steps[0].details
    assert details["loader"] == "preload-hook" and any(f.endswith(".pth") for f in details["hook_files"])
    second = execute([step], LiveHost(), python, dirs["state"], dirs["cache"])
    assert second.changed is False and dest in second.steps[0].reason


def test_from_bundle_takes_no_version_overrides(tmp_path, dirs):
    result = run_cli(["install", "--from-bundle", str(tmp_path / "x.bundle"), "--torch", "2.0.0"])
    assert result.exit_code == 2
    assert "takes no --torch" in result.stderr

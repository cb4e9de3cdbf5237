"""The target-Python probe, run against real interpreters (pyenv's 2.7 and 3.6 … 3.13 where
present), throw-away venvs in tmp, fake packages written as metadata, and captured trees."""

import glob
import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.helpers import SystemTree
from trtsetup.facts import TorchRuntime
from trtsetup.host.live import LiveHost
from trtsetup.host.snapshot import RecordingHost, SnapshotHost
from trtsetup.host.root import RootHost
from trtsetup.probes import python_env, torch_runtime
from trtsetup.probes.python_env import read_python
from trtsetup.probes.scripts import script_source
from trtsetup.probes.site_packages import normalize_name, parse_dist_metadata, read_packages
from trtsetup.probes.torch_runtime import read_torch_runtime

PYENV = os.path.expanduser("~/.pyenv/versions")
INTERPRETERS = sorted(glob.glob(os.path.join(PYENV, "*", "bin", "python")))


def _python(version_prefix):
    for exe in INTERPRETERS:
        if os.path.basename(os.path.dirname(os.path.dirname(exe))).startswith(version_prefix):
            return exe
    return None


PY36 = _python("3.6")
PY_CURRENT = _python("3.12") or _python("3.11") or sys.executable


def _venv(python, path, system_site=False):
    argv = [python, "-m", "venv", "--without-pip"]
    if system_site:
        argv.append("--system-site-packages")
    subprocess.check_call(argv + [str(path)])
    site = glob.glob(os.path.join(str(path), "lib", "python3.*", "site-packages"))[0]
    return os.path.join(str(path), "bin", "python"), site


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(textwrap.dedent(text))


def _dist_info(site, name, version):
    _write(os.path.join(site, "{}-{}.dist-info".format(name.replace("-", "_"), version), "METADATA"),
           "Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: fake\n\nName: not-this\n".format(name, version))


# -- the info script in real interpreters ------------------------------------------------------

@pytest.mark.parametrize("exe", INTERPRETERS, ids=lambda p: p.split(os.sep)[-3])
def test_info_script_answers_in_every_installed_python(exe):
    env = read_python(LiveHost(), exe)
    expected = os.path.basename(os.path.dirname(os.path.dirname(exe)))
    assert env.error is None, env.error
    assert env.version == expected
    assert env.implementation == "CPython"
    assert env.is_venv is False and env.is_conda is False
    assert env.system_site_packages is None
    assert env.user_site_enabled is True
    assert env.prefix == os.path.dirname(os.path.dirname(exe))
    assert env.source == "interpreter"
    assert "" not in env.site_dirs and os.getcwd() not in env.site_dirs
    assert all(os.path.exists(d) for d in env.site_dirs)
    assert "pip" in env.packages  # pyenv installs pip into every version


@pytest.mark.skipif(PY36 is None, reason="no Python 3.6 under ~/.pyenv")
def test_venv_without_system_site_packages_hides_base_and_user_site(tmp_path):
    exe, site = _venv(PY36, tmp_path / "env")
    env = read_python(LiveHost(), exe)
    assert env.error is None
    assert env.executable == exe
    assert env.is_venv is True
    assert env.system_site_packages is False
    assert env.user_site_enabled is False  # a --user install would be invisible here (F25)
    assert env.prefix == str(tmp_path / "env")
    assert env.base_prefix == os.path.dirname(os.path.dirname(PY36))
    assert env.purelib == site
    assert site in env.site_dirs
    assert not any(d.endswith("site-packages") and d != site for d in env.site_dirs)
    assert "pip" not in env.packages  # the base interpreter's pip is not visible


def test_venv_with_system_site_packages_sees_base_after_its_own(tmp_path):
    exe, site = _venv(PY_CURRENT, tmp_path / "env", system_site=True)
    env = read_python(LiveHost(), exe)
    assert env.is_venv is True
    assert env.system_site_packages is True
    assert env.user_site_enabled is True
    base_site = [d for d in env.site_dirs if d.startswith(env.base_prefix) and d.endswith("site-packages")]
    assert base_site, env.site_dirs
    assert env.site_dirs.index(site) < env.site_dirs.index(base_site[0])
    assert env.packages["pip"].location == base_site[0]


def test_python_2_7_answers_too_so_the_doctor_can_say_it_is_too_old():
    exe = _python("2.7")
    if exe is None:
        pytest.skip("no Python 2.7 under ~/.pyenv")
    env = read_python(LiveHost(), exe)
    assert env.error is None
    assert env.version.startswith("2.7.")


# -- packages from metadata, without importing -------------------------------------------------

@pytest.fixture
def fake_jetpack4_venv(tmp_path):
    """A Python 3.6 venv holding JetPack-4-era packages as metadata only; importing any of
    them would fail loudly."""
    python = PY36 or PY_CURRENT
    exe, site = _venv(python, tmp_path / "env")
    _dist_info(site, "torch", "1.10.0")
    _dist_info(site, "torchvision", "0.11.1")
    _write(os.path.join(site, "torch", "__init__.py"), "raise SystemExit('torch was imported')\n")
    # setup.py install (old setuptools): an egg folder, put on sys.path by easy-install.pth
    egg = os.path.join(site, "torch2trt-0.5.0-py3.6.egg")
    _write(os.path.join(egg, "EGG-INFO", "PKG-INFO"),
           "Metadata-Version: 1.0\nName: torch2trt\nVersion: 0.5.0\nSummary: An easy to use PyTorch to TensorRT converter\n")
    _write(os.path.join(egg, "torch2trt", "__init__.py"), "raise SystemExit('torch2trt was imported')\n")
    _write(os.path.join(site, "easy-install.pth"), "./torch2trt-0.5.0-py3.6.egg\n")
    # distutils-style egg-info *file*, and a Debian-style egg-info folder without a version
    _write(os.path.join(site, "numpy-1.19.5-py3.6.egg-info"),
           "Metadata-Version: 1.2\nName: numpy\nVersion: 1.19.5\n")
    _write(os.path.join(site, "packaging.egg-info", "PKG-INFO"),
           "Metadata-Version: 2.1\nName: packaging\nVersion: 21.3\n")
    _dist_info(site, "tensorrt-cu12", "10.3.0")
    _dist_info(site, "tensorrt_cu12_bindings", "10.3.0")
    _dist_info(site, "requests", "2.27.1")  # not one the doctor reads
    # a second directory later on sys.path with another torch: the first one wins
    extra = str(tmp_path / "extra")
    _dist_info(extra, "torch", "2.0.0.nv23.05")
    _write(os.path.join(site, "zz-extra.pth"), extra + "\n")
    return exe, site, egg, extra


def test_packages_are_read_from_metadata_in_sys_path_order_without_importing(fake_jetpack4_venv):
    exe, site, egg, extra = fake_jetpack4_venv
    env = read_python(LiveHost(), exe)
    assert env.error is None
    assert egg in env.site_dirs and extra in env.site_dirs
    packages = env.packages
    assert packages["torch"].version == "1.10.0"
    assert packages["torch"].location == site and packages["torch"].kind == "dist-info"
    assert packages["torch"].duplicates == (os.path.join(extra, "torch-2.0.0.nv23.05.dist-info"),)
    assert packages["torchvision"].version == "0.11.1"
    assert packages["torch2trt"].version == "0.5.0"
    assert packages["torch2trt"].kind == "egg" and packages["torch2trt"].location == egg
    assert packages["torch2trt"].duplicates == ()  # the egg is on sys.path *and* in site: one copy
    assert packages["numpy"].version == "1.19.5" and packages["numpy"].kind == "egg-info"
    assert packages["packaging"].version == "21.3"
    assert packages["tensorrt-cu12"].version == "10.3.0"
    assert packages["tensorrt-cu12-bindings"].version == "10.3.0"
    assert "requests" not in packages


def test_zip_eggs_and_egg_links_are_read(tmp_path):
    import zipfile
    site = str(tmp_path / "site")
    os.makedirs(site)
    with zipfile.ZipFile(os.path.join(site, "torch2trt-0.4.0-py3.8.egg"), "w") as egg:
        egg.writestr("EGG-INFO/PKG-INFO", "Metadata-Version: 1.0\nName: torch2trt\nVersion: 0.4.0\n")
    source = str(tmp_path / "src" / "torchvision")
    _write(os.path.join(source, "torchvision.egg-info", "PKG-INFO"), "Name: torchvision\nVersion: 0.16.1+fdea156\n")
    _write(os.path.join(site, "torchvision.egg-link"), source + "\n.\n")
    packages = read_packages(LiveHost(), [site])
    assert packages["torch2trt"].version == "0.4.0"
    assert packages["torchvision"].version == "0.16.1+fdea156"
    assert packages["torchvision"].location == source and packages["torchvision"].kind == "egg-link"


def test_broken_metadata_falls_back_to_the_folder_name(tmp_path):
    site = str(tmp_path / "site")
    _write(os.path.join(site, "tensorrt-8.6.1.dist-info", "METADATA"), "\x00\x01garbage")
    os.makedirs(os.path.join(site, "torch-2.1.0.dist-info"))  # METADATA missing
    packages = read_packages(LiveHost(), [site])
    assert packages["tensorrt"].version == "8.6.1"
    assert packages["torch"].version == "2.1.0"


def test_missing_interpreter_is_an_error_not_a_crash(tmp_path):
    env = read_python(LiveHost(), str(tmp_path / "nope" / "python3"))
    assert env.error is not None and "does not exist" in env.error
    assert env.version is None and env.packages == {}


def test_interpreter_that_prints_no_answer_is_an_error(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho 'Segmentation fault' >&2\nexit 139\n")
    fake.chmod(0o755)
    env = read_python(LiveHost(), str(fake))
    assert env.error is not None
    assert "status 139" in env.error and "Segmentation fault" in env.error


def test_recorded_answer_replays_from_a_snapshot(tmp_path, fake_jetpack4_venv):
    exe = fake_jetpack4_venv[0]
    recording = RecordingHost(LiveHost())
    live = read_python(recording, exe)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(recording.to_snapshot("2024-01-01T00:00:00Z", "test")))
    replayed = read_python(SnapshotHost(str(path)), exe)
    assert replayed == live
    assert replayed.packages["torch2trt"].version == "0.5.0"


# -- a captured tree: inference from files -----------------------------------------------------

def _ubuntu1804_tree(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.write("/usr/bin/python3.6", "\x7fELF")
    tree.symlink("/usr/bin/python3", "python3.6")
    tree.write("/var/lib/dpkg/status",
               "Package: python3.6-minimal\nStatus: install ok installed\nArchitecture: arm64\n"
               "Version: 3.6.9-1~18.04ubuntu1.13\n\n")
    tree.write("/usr/lib/python3/dist-packages/numpy-1.13.3.egg-info/PKG-INFO",
               "Metadata-Version: 1.1\nName: numpy\nVersion: 1.13.3\n")
    tree.write("/usr/lib/python3.6/dist-packages/tensorrt-8.2.1.8.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: tensorrt\nVersion: 8.2.1.8\n")
    tree.write("/usr/local/lib/python3.6/dist-packages/torch-1.10.0.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: torch\nVersion: 1.10.0\n")
    tree.write("/home/nano/.local/lib/python3.6/site-packages/numpy-1.19.5.dist-info/METADATA",
               "Metadata-Version: 2.1\nName: numpy\nVersion: 1.19.5\n")
    tree.environ(HOME="/home/nano", PATH="/usr/local/bin:/usr/bin:/bin")
    return tree


def test_root_tree_python_is_inferred_from_files(tmp_path):
    tree = _ubuntu1804_tree(tmp_path)
    env = read_python(RootHost(tree.root))
    assert env.error is None
    assert env.source == "files"
    assert env.executable == "/usr/bin/python3"
    assert env.version == "3.6.9"
    assert env.prefix == "/usr" and env.is_venv is False and env.user_site_enabled is True
    assert env.purelib == "/usr/local/lib/python3.6/dist-packages"
    assert env.user_site == "/home/nano/.local/lib/python3.6/site-packages"
    assert env.site_dirs == ("/home/nano/.local/lib/python3.6/site-packages",
                             "/usr/local/lib/python3.6/dist-packages",
                             "/usr/lib/python3/dist-packages",
                             "/usr/lib/python3.6/dist-packages")
    assert env.packages["numpy"].version == "1.19.5"  # user site first, as Debian's python does
    assert env.packages["numpy"].duplicates
    assert env.packages["tensorrt"].version == "8.2.1.8"
    assert env.packages["torch"].version == "1.10.0"


def test_root_tree_venv_uses_pyvenv_cfg(tmp_path):
    tree = _ubuntu1804_tree(tmp_path)
    tree.symlink("/home/nano/env/bin/python3", "/usr/bin/python3.6")
    tree.write("/home/nano/env/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.6.9\n")
    tree.write("/home/nano/env/lib/python3.6/site-packages/torch2trt-0.5.0.dist-info/METADATA",
               "Name: torch2trt\nVersion: 0.5.0\n")
    env = read_python(RootHost(tree.root), "/home/nano/env/bin/python3")
    assert env.is_venv is True and env.system_site_packages is False and env.user_site_enabled is False
    assert env.base_prefix == "/usr" and env.version == "3.6.9"
    assert env.site_dirs == ("/home/nano/env/lib/python3.6/site-packages",)
    assert "tensorrt" not in env.packages  # JetPack's TensorRT is invisible from here (F3)
    tree.write("/home/nano/env/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.6.9\n")
    env = read_python(RootHost(tree.root), "/home/nano/env/bin/python3")
    assert env.system_site_packages is True
    assert env.packages["tensorrt"].version == "8.2.1.8"


def test_root_tree_plain_python3_takes_the_newest_beside_it(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.write("/usr/bin/python3", "\x7fELF").write("/usr/bin/python3.6", "").write("/usr/bin/python3.10", "")
    tree.write("/usr/bin/python3.10-config", "")
    env = read_python(RootHost(tree.root))
    assert env.version == "3.10" and env.site_dirs == ()


def test_root_tree_without_python3_is_an_error(tmp_path):
    tree = SystemTree(tmp_path / "root").mkdir("/usr/bin")
    env = read_python(RootHost(tree.root))
    assert env.error is not None and "no python3" in env.error
    env = read_python(RootHost(tree.root), "/opt/conda/bin/python")
    assert "does not exist" in env.error


# -- torch in a subprocess, with fake torch packages -------------------------------------------

FAKE_TORCH = """
__version__ = {version!r}
import types as _types
version = _types.SimpleNamespace(cuda={cuda!r})
class _Cuda(object):
    def _is_compiled(self): return {cuda!r} is not None
    def is_available(self): return {available!r}
    def device_count(self): return 1
    def get_device_name(self, i): return "NVIDIA H100 80GB HBM3"
    def get_device_capability(self, i): return (9, 0)
    def get_arch_list(self): return ["sm_80", "sm_90"]
cuda = _Cuda()
def tensor(values): return values
"""

FAKE_TORCHVISION = """
__version__ = "0.11.1"
class ops(object):
    @staticmethod
    def nms(boxes, scores, threshold):
        {nms}
"""


def _fake_torch_venv(tmp_path, torch_init, torchvision_nms=None):
    exe, site = _venv(PY_CURRENT, tmp_path / "env")
    _write(os.path.join(site, "torch", "__init__.py"), torch_init)
    if torchvision_nms is not None:
        _write(os.path.join(site, "torchvision", "__init__.py"), FAKE_TORCHVISION.format(nms=torchvision_nms))
    return exe


def test_torch_with_cuda_and_matching_torchvision(tmp_path):
    nms = "import types; return types.SimpleNamespace(tolist=lambda: [0])"
    exe = _fake_torch_venv(tmp_path, FAKE_TORCH.format(version="2.9.0+cu130", cuda="13.0", available=True), nms)
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.checked and rt.imported, rt
    assert rt.version == "2.9.0+cu130" and rt.cuda_built is True and rt.cuda_version == "13.0"
    assert rt.cuda_available is True and rt.device_count == 1
    assert rt.device_name == "NVIDIA H100 80GB HBM3" and rt.device_capability == "9.0"
    assert rt.arch_list == ("sm_80", "sm_90")
    assert rt.file.endswith(os.path.join("torch", "__init__.py"))
    assert rt.torchvision_imported and rt.torchvision_version == "0.11.1" and rt.torchvision_ops is True
    assert rt.error is None and rt.seconds is not None and rt.seconds > 0


def test_cpu_only_torch_and_mismatched_torchvision(tmp_path):
    nms = "raise RuntimeError('operator torchvision::nms does not exist')"
    exe = _fake_torch_venv(tmp_path, FAKE_TORCH.format(version="2.13.0+cpu", cuda=None, available=False), nms)
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.imported is True and rt.cuda_built is False and rt.cuda_version is None
    assert rt.cuda_available is False and rt.device_count == 0 and rt.device_name is None
    assert rt.torchvision_imported is True and rt.torchvision_ops is False
    assert "operator torchvision::nms does not exist" in rt.torchvision_error


def test_torchvision_built_for_another_torch_fails_at_import(tmp_path):
    # What torchvision 0.20.1 does under torch 2.13.0+cpu (seen on the dev machine): the
    # operator registration at import raises, before any op can be called.
    exe = _fake_torch_venv(tmp_path, FAKE_TORCH.format(version="2.13.0+cpu", cuda=None, available=False), "pass")
    site = glob.glob(str(tmp_path / "env" / "lib" / "python3.*" / "site-packages"))[0]
    _write(os.path.join(site, "torchvision", "__init__.py"),
           "raise RuntimeError('operator torchvision::nms does not exist')\n")
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.imported is True
    assert rt.torchvision_imported is False and rt.torchvision_ops is False
    assert rt.torchvision_error == "RuntimeError: operator torchvision::nms does not exist"


def test_torch_import_error_is_reported_as_text(tmp_path):
    exe = _fake_torch_venv(tmp_path, "print('noise on stdout')\nimport os\nos.write(1, b'C-level noise\\n')\n"
                                     "raise OSError('libcurand.so.10: cannot open shared object file: No such file or directory')\n")
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.checked is True and rt.imported is False
    assert "libcurand.so.10" in rt.error
    assert rt.torchvision_imported is False


def test_torch_that_kills_the_interpreter_names_the_step(tmp_path):
    exe = _fake_torch_venv(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGILL)\n")
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.checked is True and rt.imported is False
    assert "SIGILL" in rt.error and "import torch" in rt.error


def test_torch_that_hangs_times_out(tmp_path):
    exe = _fake_torch_venv(tmp_path, "import time\ntime.sleep(30)\n")
    rt = read_torch_runtime(LiveHost(), exe, timeout=1)
    assert rt.checked is True and rt.imported is None
    assert "within 1 s" in rt.error and "import torch" in rt.error


def test_torch_folder_in_the_current_directory_does_not_shadow(tmp_path):
    exe = _fake_torch_venv(tmp_path, FAKE_TORCH.format(version="1.10.0", cuda="10.2", available=False))
    clone = tmp_path / "clone"
    _write(str(clone / "torch" / "__init__.py"), "__version__ = 'shadow'\n")
    result = LiveHost().run([exe, "-c", script_source("torch_info.py")], timeout=30, cwd=str(clone))
    assert torch_runtime.parse_torch_info(result.stdout).version == "1.10.0"


def test_no_torch_installed(tmp_path):
    exe, _ = _venv(PY_CURRENT, tmp_path / "env")
    rt = read_torch_runtime(LiveHost(), exe, timeout=30)
    assert rt.checked is True and rt.imported is False and "No module named 'torch'" in rt.error


def test_captured_tree_does_not_check_torch(tmp_path):
    tree = _ubuntu1804_tree(tmp_path)
    assert read_torch_runtime(RootHost(tree.root), "/usr/bin/python3") == TorchRuntime(checked=False)


# -- small pure helpers ------------------------------------------------------------------------

@pytest.mark.parametrize("raw,normal", [("Tensorrt_CU12", "tensorrt-cu12"), ("torch2trt", "torch2trt"),
                                        ("tensorrt.bindings", "tensorrt-bindings"), ("a__-.b", "a-b")])
def test_normalize_name(raw, normal):
    assert normalize_name(raw) == normal


@pytest.mark.parametrize("junk", ["", "\x00\xff", "Version: 1.0\n", "{not json", None, "Name:\n"])
def test_parsers_return_none_on_garbage(junk):
    assert parse_dist_metadata(junk) is None
    assert python_env.parse_python_info(junk) is None
    assert torch_runtime.parse_torch_info(junk) is None


def test_the_real_pip_installed_torch_is_proven_unchanged():
    # torch 2.13.0+cpu as pip installed it in the 3.11 venv: 14k RECORD rows, all present.
    from trtsetup.probes.torch_fingerprint import files_changed_since_install
    torch = read_python(LiveHost(), sys.executable).packages.get("torch")
    if torch is None or torch.kind != "dist-info":
        pytest.skip("torch is not pip-installed in this interpreter (scripts/run-tests --with-torch installs it)")
    assert files_changed_since_install(LiveHost(), torch) is None


def test_pip_user_in_the_environment_is_a_fact_and_fails_inside_a_venv(tmp_path):
    from helpers import run_cli
    exe, _ = _venv(PY_CURRENT, tmp_path / "env")
    doc = run_cli(["doctor", "--json", "--fast", "--python", exe, "--check", "py-user-site-visible"],
                  env={"PIP_USER": "1"}).json()
    assert doc["platform"]["python"]["pip_user_env"] == "1"
    assert doc["checks"][0]["status"] == "fail" and "PIP_USER" in doc["checks"][0]["fix"]

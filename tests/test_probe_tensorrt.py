"""TensorRT probe: include/lib dirs per layout, version sources, dpkg, and the import script."""

import json
import os
import subprocess
import sys

import pytest

from tests.fakehost import CannedHost
from tests.helpers import SystemTree
from tests.trees import x86 as trees
from trtsetup.host.live import LiveHost
from trtsetup.host.root import RootHost
from trtsetup.probes import tensorrt
from trtsetup.probes.scripts import script_source

PYENV = os.path.expanduser("~/.pyenv/versions")


def test_deb_layout_x86(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.layout == "deb"
    assert trt.include_dir == "/usr/include/x86_64-linux-gnu"
    assert trt.lib_dir == "/usr/lib/x86_64-linux-gnu"
    assert trt.version == "8.6.1.6" and trt.version_source == "header"
    assert trt.lib_version == "8.6.1"
    assert trt.has_dev_symlink is True
    assert trt.lib_files == ("libnvinfer.so", "libnvinfer.so.8", "libnvinfer.so.8.6.1")
    assert trt.packages["libnvinfer8"] == "8.6.1.6-1+cuda12.2"
    assert "nvidia-driver-535" not in trt.packages and "libcudnn8" not in trt.packages
    assert trt.root is None


def test_tarball_1013_found_through_trt_root_with_macro_indirection(tmp_path):
    tree = trees.x86_trt1013_tarball(SystemTree(tmp_path))
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.layout == "tarball"
    assert trt.root == "/opt/TensorRT-10.13.3.9"
    assert trt.include_dir == "/opt/TensorRT-10.13.3.9/include"
    assert trt.lib_dir == "/opt/TensorRT-10.13.3.9/lib"
    assert trt.version == "10.13.3.9"
    assert trt.header == "/opt/TensorRT-10.13.3.9/include/NvInferVersion.h"
    assert trt.packages == {}


def test_tarball_found_without_env_under_opt(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), trt="10.3.0.26", trt_layout="tarball", env={"TRT_ROOT": ""})
    tree.remove("/proc/1/environ")
    tree.environ(PATH="/usr/bin:/bin", HOME="/root")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert (trt.layout, trt.root, trt.version) == ("tarball", "/opt/TensorRT-10.3.0.26", "10.3.0.26")


def test_tarball_found_through_ld_library_path_in_home(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), trt=None)
    root = "/home/nano/TensorRT-8.6.1.6"
    tree.write(root + "/include/NvInferVersion.h", trees.nvinfer_version_h("8.6.1.6"))
    tree.write(root + "/include/NvInfer.h", trees.NVINFER_H)
    trees._libs(tree, root + "/lib", "8.6.1.6")
    tree.remove("/proc/1/environ")
    tree.environ(PATH="/usr/bin:/bin", HOME="/home/nano", LD_LIBRARY_PATH="/usr/local/cuda/lib64:" + root + "/lib")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert (trt.layout, trt.include_dir, trt.lib_dir) == ("tarball", root + "/include", root + "/lib")


def test_deb_and_tarball_both_present_trt_root_wins_and_the_other_is_listed(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))  # 8.6 debs
    trees.install_tensorrt(tree, "10.13.3.9", "tarball")
    tree.environ(TRT_ROOT="/opt/TensorRT-10.13.3.9")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.version == "10.13.3.9"
    assert trt.others == ("deb /usr/lib/x86_64-linux-gnu 8.6.1.6",)


def test_pip_only_has_libraries_but_no_headers(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), trt="10.13.3.9", trt_layout="pip")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64", (trees.SITE,))
    assert trt.layout == "pip"
    assert trt.include_dir is None and trt.header is None
    assert trt.lib_dir == trees.SITE + "/tensorrt_cu12_libs"
    assert trt.has_dev_symlink is False  # wheels ship libnvinfer.so.10 only
    assert (trt.version, trt.version_source) == ("10", "library")


def test_pip_libs_not_seen_without_site_dirs(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), trt="10.13.3.9", trt_layout="pip")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.lib_dir is None and trt.version is None


def test_runtime_only_deb_lacks_the_dev_symlink_and_headers(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    tree.remove("/usr/lib/x86_64-linux-gnu/libnvinfer.so")
    tree.remove("/usr/include/x86_64-linux-gnu/NvInfer.h")
    tree.remove("/usr/include/x86_64-linux-gnu/NvInferVersion.h")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.layout == "deb" and trt.include_dir is None
    assert trt.has_dev_symlink is False
    assert (trt.version, trt.version_source) == ("8.6.1", "library")


def test_jetson_deb_aarch64_triplet(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/include/aarch64-linux-gnu/NvInferVersion.h", trees.nvinfer_version_h("8.5.2.2"))
    tree.write("/usr/include/aarch64-linux-gnu/NvInfer.h", trees.NVINFER_H)
    trees._libs(tree, "/usr/lib/aarch64-linux-gnu", "8.5.2.2")
    tree.dpkg({"tensorrt": "8.5.2.2-1+cuda11.4", "libnvinfer8": "8.5.2-1+cuda11.4",
               "nvidia-tensorrt": "5.1.2-b104", "python3-libnvinfer": "8.5.2-1+cuda11.4"})
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "aarch64")
    assert (trt.include_dir, trt.lib_dir) == ("/usr/include/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu")
    assert trt.version == "8.5.2.2"
    assert trt.packages["nvidia-tensorrt"] == "5.1.2-b104"


def test_version_from_dpkg_when_no_header_and_only_soname_libs(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/lib/aarch64-linux-gnu/libnvinfer.so.8", b"\x7fELF")
    tree.dpkg({"nvidia-tensorrt": "5.1.2-b104", "libnvinfer8": "8.5.2-1+cuda11.4"})
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "aarch64")
    # Not the JetPack-versioned nvidia-tensorrt meta package.
    assert (trt.version, trt.version_source) == ("8.5.2", "dpkg")


def test_removed_package_rc_is_not_counted(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/var/lib/dpkg/status",
               "Package: libnvinfer8\nStatus: deinstall ok config-files\nArchitecture: amd64\n"
               "Version: 8.6.1.6-1+cuda12.0\n\n"
               "Package: libnvinfer10\nStatus: install ok installed\nArchitecture: amd64\n"
               "Version: 10.3.0.26-1+cuda12.5\n\n")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.packages == {"libnvinfer10": "10.3.0.26-1+cuda12.5"}
    assert (trt.version, trt.version_source) == ("10.3.0.26", "dpkg")


def test_nothing_installed(tmp_path):
    tree = trees.x86_no_driver(SystemTree(tmp_path))
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.version is None and trt.include_dir is None and trt.lib_dir is None and trt.layout is None


def test_unknown_arch_tries_both_triplets(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    trt = tensorrt.read_tensorrt(RootHost(tree.root), None)
    assert trt.lib_dir == "/usr/lib/x86_64-linux-gnu"


# -- the import script -----------------------------------------------------------------------

def _run_script(python, site):
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([python, "-c", script_source("tensorrt_info.py")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=str(site), timeout=60)
    return tensorrt.parse_tensorrt_info(proc.stdout.decode())


def test_script_reports_missing_tensorrt(tmp_path):
    info = _run_script(sys.executable, tmp_path)
    assert info.checked and info.importable is False
    assert info.error.startswith("ModuleNotFoundError") or info.error.startswith("ImportError")


def test_script_reports_version_and_file(tmp_path):
    pkg = tmp_path / "tensorrt"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("__version__ = '10.3.0'\nclass Builder(object):\n    pass\n")
    info = _run_script(sys.executable, tmp_path)
    assert (info.importable, info.version, info.has_api, info.namespace_package) == (True, "10.3.0", True, False)
    assert info.file == str(pkg / "__init__.py")


def test_script_flags_a_namespace_package_without_version(tmp_path):
    # torch2trt#953: "module 'tensorrt' has no attribute '__version__'" — a directory without
    # __init__.py (a clone, a half-removed wheel) imports as a namespace package.
    (tmp_path / "tensorrt").mkdir()
    info = _run_script(sys.executable, tmp_path)
    assert info.importable is True
    assert info.namespace_package is True and info.has_api is False
    assert info.file is None


def test_script_reports_broken_bindings(tmp_path):
    pkg = tmp_path / "tensorrt"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "raise ImportError('libnvinfer.so.8: cannot open shared object file: No such file or directory')\n")
    info = _run_script(sys.executable, tmp_path)
    assert info.importable is False
    assert "libnvinfer.so.8" in info.error


@pytest.mark.skipif(not os.path.exists(os.path.join(PYENV, "3.6.15", "bin", "python")), reason="no pyenv 3.6")
def test_script_runs_on_python_36(tmp_path):
    pkg = tmp_path / "tensorrt"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("__version__ = '8.2.1.8'\n")
    info = _run_script(os.path.join(PYENV, "3.6.15", "bin", "python"), tmp_path)
    assert (info.importable, info.version, info.has_api) == (True, "8.2.1.8", False)


def test_read_tensorrt_python_through_the_host(tmp_path):
    tree = SystemTree(tmp_path)
    answer = {"importable": True, "version": "10.13.3.9", "file": "/usr/lib/python3/dist-packages/tensorrt/__init__.py",
              "error": None, "namespace_package": False, "has_api": True, "dist_version": "10.13.3.9"}
    host = CannedHost(tree.root, prefix_commands={
        ("/usr/bin/python3", "-c"): (0, "[TRT] [W] a warning printed on import\n" + json.dumps(answer) + "\n", "")})
    info = tensorrt.read_tensorrt_python(host, "/usr/bin/python3", timeout=5)
    assert (info.checked, info.importable, info.version) == (True, True, "10.13.3.9")
    assert host.calls[0][:2] == ["/usr/bin/python3", "-c"] and "import tensorrt" in host.calls[0][2]


def test_read_tensorrt_python_timeout_and_root_host(tmp_path):
    tree = SystemTree(tmp_path)
    host = CannedHost(tree.root, prefix_commands={("/usr/bin/python3", "-c"): "timeout"})
    info = tensorrt.read_tensorrt_python(host, "/usr/bin/python3", timeout=5)
    assert info.importable is None and "did not finish" in info.error
    assert tensorrt.read_tensorrt_python(RootHost(tree.root), "/usr/bin/python3", 5).checked is False


def test_read_tensorrt_python_live(tmp_path):
    info = tensorrt.read_tensorrt_python(LiveHost(), sys.executable, timeout=60)
    assert info.checked is True and info.importable in (True, False)


def test_version_header_without_nvinfer_h_gives_the_version_and_marks_the_headers_incomplete(tmp_path):
    # A half-removed libnvinfer-dev: NvInferVersion.h (libnvinfer-headers-dev) stayed behind.
    tree = trees.x86(SystemTree(tmp_path), trt="10.3.0.26", cuda="12.6")
    tree.remove("/usr/include/x86_64-linux-gnu/NvInfer.h")
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.include_dir is None and trt.lib_dir == "/usr/lib/x86_64-linux-gnu"
    assert (trt.version, trt.version_source, trt.header_version) == ("10.3.0.26", "header", "10.3.0.26")
    assert trt.incomplete_include_dir == "/usr/include/x86_64-linux-gnu"


def test_doctor_fails_incomplete_headers_with_a_reinstall_fix(tmp_path):
    from tests.helpers import run_cli
    tree = trees.x86(SystemTree(tmp_path), trt="10.3.0.26", cuda="12.6")
    tree.remove("/usr/include/x86_64-linux-gnu/NvInfer.h")
    result = run_cli(["doctor", "--json", "--root", tree.root])
    doc = result.json()
    assert result.exit_code == 1
    assert doc["platform"]["tensorrt"]["version"] == "10.3.0.26"
    check = next(c for c in doc["checks"] if c["id"] == "trt-headers-complete")
    assert check["status"] == "fail" and "NvInferVersion.h" in check["summary"]
    assert check["fix"].startswith("sudo apt install --reinstall libnvinfer-dev libnvinfer-headers-dev")
    healthy = run_cli(["doctor", "--json", "--root", trees.x86(SystemTree(tmp_path / "ok")).root]).json()
    assert next(c for c in healthy["checks"] if c["id"] == "trt-headers-complete")["status"] == "ok"

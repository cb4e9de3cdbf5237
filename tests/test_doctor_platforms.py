"""The real CLI (`doctor --root TREE --json`) on system trees of many platforms.

Each tree is built by the presets in tests/trees/ from real file formats; the doctor must
name the platform right and judge it the way a user of that machine would expect.
"""

import json
import os

import pytest

from helpers import SystemTree, run_cli
from trees import jetson as jetson_trees
from trees import x86 as x86_trees


def doctor(tree, *extra):
    result = run_cli(["doctor", "--json", "--root", tree.root] + list(extra))
    assert result.exit_code in (0, 1), result
    doc = result.json()
    assert doc["schema"] == "trtsetup.doctor/1" and doc["exit_code"] == result.exit_code
    return doc


def statuses(doc):
    return {c["id"]: c["status"] for c in doc["checks"]}


def build(tmp_path, preset, **kwargs):
    tree = SystemTree(tmp_path / "root")
    preset(tree, **kwargs)
    return tree


# Jetsons: (preset, l4t, jetpack, exact, soc, cuda_arch, trt major.minor, module substring)
JETSONS = [
    (jetson_trees.nano_jp44, "32.4.3", "4.4", True, "tegra210", "5.3", "7.1", "Nano"),
    (jetson_trees.tx2_jp43, "32.3.1", "4.3", True, "tegra186", "6.2", "6.0", "TX2"),
    (jetson_trees.xavier_nx_jp461_dpkg_only, "32.7.1", "4.6.1", True, "tegra194", "7.2", "8.2", "Xavier NX"),
    (jetson_trees.agx_xavier_jp512, "35.4.1", "5.1.2", True, "tegra194", "7.2", "8.5", "Xavier"),
    (jetson_trees.orin_nano_jp62, "36.4.3", "6.2", True, "tegra234", "8.7", "10.3", "Orin Nano"),
    (jetson_trees.agx_orin_r3647, "36.4.7", "6.2.1", True, "tegra234", "8.7", "10.3", "AGX Orin"),
    (jetson_trees.thor_jp70, "38.2.0", "7.0", True, "tegra264", "11.0", "10.13", "Thor"),
]


@pytest.mark.parametrize("preset,l4t,jetpack,exact,soc,arch,trt,module", JETSONS,
                         ids=[j[0].__name__ for j in JETSONS])
def test_jetson_platforms_are_identified(tmp_path, preset, l4t, jetpack, exact, soc, arch, trt, module):
    doc = doctor(build(tmp_path, preset))
    platform = doc["platform"]
    j = platform["jetson"]
    assert (j["l4t"], j["jetpack"], j["jetpack_exact"], j["soc"], j["cuda_arch"]) == (l4t, jetpack, exact, soc, arch)
    assert module in j["module"]
    assert platform["arch"] == "aarch64"
    assert platform["tensorrt"]["version"].startswith(trt + ".")
    assert platform["tensorrt"]["include_dir"] == "/usr/include/aarch64-linux-gnu"
    assert platform["tensorrt"]["lib_dir"] == "/usr/lib/aarch64-linux-gnu"
    assert platform["cuda"]["home"]
    s = statuses(doc)
    assert s["platform-recognised"] == "ok"
    assert s["jetson-l4t-known"] == "ok"
    assert s["trt-headers-found"] == s["trt-library-found"] == "ok"
    assert s["nvidia-driver-loaded"] == "skip"  # Jetsons have no separate driver
    # Nothing installs torch in these trees: the doctor says so and how to fix it.
    torch = next(c for c in doc["checks"] if c["id"] == "py-torch-imports")
    assert torch["status"] == "fail" and "trtsetup install" in torch["fix"]
    assert doc["exit_code"] == 1


def test_xavier_nx_without_release_file_is_known_through_dpkg(tmp_path):
    doc = doctor(build(tmp_path, jetson_trees.xavier_nx_jp461_dpkg_only))
    assert doc["platform"]["jetson"]["l4t_source"] == "dpkg"


def test_nano_with_4gb_ram_is_told_to_add_swap(tmp_path):
    doc = doctor(build(tmp_path, jetson_trees.nano_jp44))
    memory = next(c for c in doc["checks"] if c["id"] == "sys-memory-for-build")
    assert memory["status"] == "warn" and "mkswap" in memory["fix"]


def test_unknown_future_l4t_is_not_guessed(tmp_path):
    doc = doctor(build(tmp_path, jetson_trees.future_r40_1))
    j = doc["platform"]["jetson"]
    assert j["l4t"] == "40.1.0" and j["jetpack"] is None
    l4t = next(c for c in doc["checks"] if c["id"] == "jetson-l4t-known")
    assert l4t["status"] == "fail" and "--jetpack" in l4t["fix"]
    # Its TensorRT 11 has no torch2trt revision: said clearly.
    assert statuses(doc)["trt-version-supported"] == "fail"


def test_unknown_minor_falls_back_by_major_with_a_warning(tmp_path):
    tree = SystemTree(tmp_path / "root")
    jetson_trees.jetson(tree, l4t="36.9.0", module="p3767-0005")
    doc = doctor(tree)
    j = doc["platform"]["jetson"]
    assert j["jetpack"].startswith("6") and j["jetpack_exact"] is False
    l4t = next(c for c in doc["checks"] if c["id"] == "jetson-l4t-known")
    assert l4t["status"] == "warn" and "unknown minor" in l4t["summary"]


def test_nintendo_switch_is_not_a_jetson_with_a_jetpack(tmp_path):
    doc = doctor(build(tmp_path, jetson_trees.switch_no_l4t))
    assert doc["platform"]["jetson"]["jetpack"] is None
    assert statuses(doc)["platform-recognised"] == "fail"
    # Even with L4T files (an L4T-based Ubuntu), a Switch is not a Jetson with a JetPack.
    tree = build(tmp_path / "l4t", jetson_trees.switch_no_l4t)
    tree.write("/etc/nv_tegra_release", "# R32 (release), REVISION: 3.1, GCID: 18186506, BOARD: t210ref, EABI: aarch64, DATE: Tue Dec 10 06:58:34 UTC 2019\n")
    doc = doctor(tree)
    recognised = next(c for c in doc["checks"] if c["id"] == "platform-recognised")
    assert recognised["status"] == "fail" and "not a Jetson" in recognised["summary"]
    assert statuses(doc)["jetson-l4t-known"] == "skip"


def test_l4t_base_container_without_nvidia_runtime_names_missing_host_libraries(tmp_path):
    doc = doctor(build(tmp_path, jetson_trees.l4t_base_container_jp4))
    check = next(c for c in doc["checks"] if c["id"] == "container-host-libs")
    assert check["status"] == "fail" and "--runtime nvidia" in check["fix"]
    assert any("libnvinfer" in m for m in doc["platform"]["container"]["host_mounts_missing"])


def test_venv_that_cannot_see_jetpack_tensorrt_gets_the_no_sudo_fix(tmp_path):
    tree = build(tmp_path, jetson_trees.nano_jp44)
    tree.write("/home/nano/venv/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.6.9\n")
    tree.symlink("/home/nano/venv/bin/python3", "/usr/bin/python3.6")
    tree.mkdir("/home/nano/venv/lib/python3.6/site-packages")
    doc = doctor(tree, "--python", "/home/nano/venv/bin/python3")
    assert doc["platform"]["python"]["is_venv"] is True
    check = next(c for c in doc["checks"] if c["id"] == "trt-python-visible")
    assert check["status"] == "fail"
    assert "--system-site-packages" in check["fix"] and "/usr/lib/python3.6/dist-packages" in check["fix"]
    # --user inside that venv would be invisible: the doctor says so when asked as for install --user.
    doc = doctor(tree, "--python", "/home/nano/venv/bin/python3", "--user")
    assert statuses(doc)["py-user-site-visible"] == "fail"


# x86 and containers

def test_x86_with_driver_535_cuda_122_and_tensorrt_86_debs(tmp_path):
    doc = doctor(build(tmp_path, x86_trees.x86_driver535_cuda122_trt86_deb))
    p = doc["platform"]
    assert p["jetson"] is None and p["arch"] == "x86_64"
    assert p["nvidia"]["driver_version"] == "535.183.01"
    # No nvidia-smi runs on a captured tree: the driver's CUDA is derived from the recipes.
    assert (p["nvidia"]["cuda_driver_version"], p["nvidia"]["cuda_driver_source"]) == ("12.2", "driver-table")
    assert p["cuda"]["version"].startswith("12.2")
    assert p["cudnn"]["version"] == "8.9.4"
    assert p["tensorrt"]["version"] == "8.6.1.6" and p["tensorrt"]["layout"] == "deb"
    assert p["tensorrt"]["include_dir"] == "/usr/include/x86_64-linux-gnu"
    s = statuses(doc)
    assert s["platform-recognised"] == s["nvidia-driver-loaded"] == s["trt-headers-found"] == "ok"
    headers = next(c for c in doc["checks"] if c["id"] == "trt-headers-found")
    # torch2trt's setup.py points at aarch64 paths: the doctor says the install will patch them.
    assert "aarch64-linux-gnu" in headers["detail"]
    supported = next(c for c in doc["checks"] if c["id"] == "trt-version-supported")
    assert supported["status"] == "ok" and "v0.5.0" in supported["summary"]


def test_x86_with_tensorrt_1013_tarball_found_through_trt_root(tmp_path):
    doc = doctor(build(tmp_path, x86_trees.x86_trt1013_tarball))
    trt = doc["platform"]["tensorrt"]
    assert trt["version"] == "10.13.3.9"  # through the >= 10.11 macro indirection
    assert trt["layout"] == "tarball"
    assert trt["include_dir"] == "/opt/TensorRT-10.13.3.9/include"
    assert trt["lib_dir"] == "/opt/TensorRT-10.13.3.9/lib"
    assert doc["platform"]["nvidia"]["kernel_module"] == "open"
    assert "master" in next(c for c in doc["checks"] if c["id"] == "trt-version-supported")["summary"]


def test_ngc_tensorrt_container(tmp_path):
    doc = doctor(build(tmp_path, x86_trees.ngc_tensorrt))
    c = doc["platform"]["container"]
    assert c["runtime"] == "docker" and c["image"] == "ngc-tensorrt"
    assert doc["platform"]["tensorrt"]["version"] == "10.3.0.26"
    assert statuses(doc)["container-host-libs"] == "ok"


def test_ngc_pytorch_container(tmp_path):
    doc = doctor(build(tmp_path, x86_trees.ngc_pytorch))
    assert doc["platform"]["container"]["image"] == "ngc-pytorch"
    assert doc["platform"]["cuda"]["version"].startswith("13.0")


def test_x86_without_nvidia_driver_fails_with_the_driver_fix(tmp_path):
    doc = doctor(build(tmp_path, x86_trees.x86_no_driver))
    check = next(c for c in doc["checks"] if c["id"] == "platform-recognised")
    assert check["status"] == "fail" and "driver" in check["fix"]
    assert doc["platform"]["nvidia"]["driver_version"] is None and doc["platform"]["gpus"] == []


# Broken inputs: never a crash, always a verdict and a way forward.

@pytest.mark.parametrize("content", [
    b"this is not a release file\n",
    b"",
    b"\x00\xff\xfe\x89PNG\r\n\x1a\n\x00\x00",
    b"# R3X (release), REVISION: ?.?\n",
], ids=["garbled", "empty", "binary", "half"])
def test_broken_release_file_is_reported_not_crashed(tmp_path, content):
    tree = build(tmp_path, jetson_trees.nano_jp44)
    tree.write("/etc/nv_tegra_release", content)
    tree.remove("/var/lib/dpkg/status")  # no dpkg fallback either
    doc = doctor(tree)
    j = doc["platform"]["jetson"]
    assert j is not None and j["l4t"] is None  # the device tree still says Tegra
    check = next(c for c in doc["checks"] if c["id"] == "jetson-l4t-known")
    assert check["status"] == "fail" and "nv_tegra_release" in check["fix"]
    assert doc["platform"]["probe_errors"] == {}


def test_empty_device_tree_files_and_lost_nuls(tmp_path):
    tree = build(tmp_path, jetson_trees.agx_orin_r3647)
    tree.write("/proc/device-tree/compatible", b"nvidia,p3737-0000+p3701-0005nvidia,p3701-0005nvidia,tegra234nvidia,tegra23x")
    tree.write("/proc/device-tree/model", b"")
    doc = doctor(tree)
    j = doc["platform"]["jetson"]
    assert j["soc"] == "tegra234" and j["part_number"] == "p3701-0005"


def test_unreadable_file_is_a_warning_with_its_path(tmp_path):
    tree = build(tmp_path, jetson_trees.nano_jp44)
    os.remove(tree.path("/proc/meminfo"))
    os.makedirs(tree.path("/proc/meminfo"))  # reading it fails (root reads anything else)
    doc = doctor(tree)
    check = next(c for c in doc["checks"] if c["id"] == "host-inputs-readable")
    assert check["status"] == "warn" and "/proc/meminfo" in check["detail"]
    assert statuses(doc)["sys-memory-for-build"] == "skip"


def test_check_subset_and_fast_mode(tmp_path):
    tree = build(tmp_path, x86_trees.x86_driver535_cuda122_trt86_deb)
    doc = doctor(tree, "--check", "trt-headers-found", "--check", "cuda-toolkit-found", "--fast")
    assert [c["id"] for c in doc["checks"]] == ["cuda-toolkit-found", "trt-headers-found"]
    assert doc["exit_code"] == 0


def test_human_report_shows_marks_and_fixes(tmp_path):
    tree = build(tmp_path, x86_trees.x86_no_driver)
    result = run_cli(["doctor", "--root", tree.root])
    assert result.exit_code == 1
    assert "\u2717 platform-recognised" in result.stdout or "x platform-recognised" in result.stdout
    assert "fix: " in result.stdout
    verbose = run_cli(["doctor", "--root", tree.root, "-v"])
    assert " ms)" in verbose.stdout and "probes:" in verbose.stdout

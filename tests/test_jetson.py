"""read_jetson on built Jetson trees (and on broken ones), resolve_jetpack, jetpack_components."""

import os

import pytest

from helpers import SystemTree, run_cli
from trees import jetson as trees
from trtsetup.host.root import RootHost
from trtsetup.knowledge import jetpack_components, resolve_jetpack
from trtsetup.probes.jetson import read_jetson
from trtsetup.recipes import load_recipes


@pytest.fixture(scope="module")
def recipes():
    return load_recipes(overlays=[])


def _read(tree, recipes):
    host = RootHost(tree.root)
    return read_jetson(host, recipes), host


def _notes(info):
    return " | ".join(info.notes)


# preset -> l4t, l4t_source, jetpack, jetpack_exact, module, part_number, soc, cuda_arch
EXPECTED = {
    "nano_jp44": ("32.4.3", "dpkg", "4.4", True, "Jetson Nano (4GB, developer kit)", "p3448-0000", "tegra210", "5.3"),
    "tx2_jp43": ("32.3.1", "dpkg", "4.3", True, "Jetson TX2", "p3310-1000", "tegra186", "6.2"),
    "xavier_nx_jp461_dpkg_only": ("32.7.1", "dpkg", "4.6.1", True, "Jetson Xavier NX (developer kit)", "p3668-0000",
                                  "tegra194", "7.2"),
    "agx_xavier_jp512": ("35.4.1", "dpkg", "5.1.2", True, "Jetson AGX Xavier (32GB)", "p2888-0004", "tegra194", "7.2"),
    "orin_nano_jp62": ("36.4.3", "dpkg", "6.2", True, "Jetson Orin Nano (developer kit)", "p3767-0005", "tegra234", "8.7"),
    "agx_orin_r3647": ("36.4.7", "dpkg", "6.2.1", True, "Jetson AGX Orin (64GB)", "p3701-0005", "tegra234", "8.7"),
    "thor_jp70": ("38.2.0", "dpkg", "7.0", True, "Jetson AGX Thor (T5000, developer kit)", "p3834-0008", "tegra264", "11.0"),
    "future_r40_1": ("40.1.0", "dpkg", None, False, "Jetson AGX Thor (T5000, developer kit)", "p3834-0008", "tegra264", "11.0"),
    "l4t_base_container_jp4": ("32.4.3", "nv_tegra_release", "4.4", True, "Jetson Nano (4GB, developer kit)", "p3448-0000",
                               "tegra210", "5.3"),
}


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_presets_identify_the_jetson(tmp_path, recipes, preset):
    info, _ = _read(trees.PRESETS[preset](SystemTree(tmp_path)), recipes)
    assert info is not None
    got = (info.l4t, info.l4t_source, info.jetpack, info.jetpack_exact, info.module, info.part_number,
           info.soc, info.cuda_arch)
    assert got == EXPECTED[preset], _notes(info)
    assert info.is_jetson is True


def test_nano_reads_every_source_and_has_nothing_to_say(tmp_path, recipes):
    info, host = _read(trees.nano_jp44(SystemTree(tmp_path)), recipes)
    assert info.release_l4t == "32.4.3" and info.dpkg_l4t == "32.4.3"
    assert info.release_board == "t210ref"
    assert info.jetpack_package == "4.4"
    assert info.model == "NVIDIA Jetson Nano Developer Kit"
    assert info.compatible == ("nvidia,p3450-0000", "nvidia,jetson-nano", "nvidia,tegra210")
    assert info.apt_branch == "32.4"
    assert info.notes == ()
    assert host.problems == []


def test_xavier_nx_without_release_file_is_known_through_dpkg(tmp_path, recipes):
    info, _ = _read(trees.xavier_nx_jp461_dpkg_only(SystemTree(tmp_path)), recipes)
    assert info.release_l4t is None
    assert info.dpkg_l4t == "32.7.1" and info.l4t_source == "dpkg"
    assert info.jetpack == "4.6.1" and info.jetpack_exact
    assert info.carrier == "p3449-0000"


def test_orin_nano_super_configuration_is_noted(tmp_path, recipes):
    info, _ = _read(trees.orin_nano_jp62(SystemTree(tmp_path)), recipes)
    assert info.carrier == "p3768-0000"
    assert "Super" in _notes(info)


def test_thor_release_file_board_generic(tmp_path, recipes):
    info, _ = _read(trees.thor_jp70(SystemTree(tmp_path)), recipes)
    assert info.release_board == "generic"
    assert info.jetpack_package is None
    assert info.notes == ()


def test_future_l4t_major_has_no_jetpack_and_says_why(tmp_path, recipes):
    info, _ = _read(trees.future_r40_1(SystemTree(tmp_path)), recipes)
    assert info.jetpack is None and info.jetpack_exact is False
    assert "R40" in _notes(info) and "overlay" in _notes(info)


def test_future_l4t_with_jetpack_package_takes_the_package(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="40.1.0", module="p3834-0008", jetpack_pkg="8.0+b12",
                        cuda="13.4.0", trt="11.2.0.10", python="3.12")
    info, _ = _read(tree, recipes)
    assert info.jetpack == "8.0" and info.jetpack_exact is True
    assert "nvidia-jetpack" in _notes(info)


def test_unknown_minor_falls_back_by_major(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="36.6.0", module="p3701-0005", cuda="12.6.68",
                        cudnn="9.3.0", trt="10.3.0.30", python="3.10")
    info, _ = _read(tree, recipes)
    assert info.l4t == "36.6.0"
    assert info.jetpack_exact is False
    assert info.jetpack.startswith("6.")
    assert "unknown minor" in _notes(info)


def test_nintendo_switch_without_l4t_is_not_a_jetson(tmp_path, recipes):
    info, _ = _read(trees.switch_no_l4t(SystemTree(tmp_path)), recipes)
    assert info is not None
    assert info.is_jetson is False
    assert info.l4t is None and info.jetpack is None
    assert info.module == "Nintendo Switch"
    assert info.soc == "tegra210b01" and info.cuda_arch == "5.3"
    assert "not a Jetson" in _notes(info)


def test_nintendo_switch_running_l4t_still_has_no_jetpack(tmp_path, recipes):
    # switchroot's Ubuntu is built on L4T R32.3.1 (jetson_stats #218: "Nintendo Switch (2017)")
    tree = SystemTree(tmp_path)
    tree.write("/etc/nv_tegra_release", trees.release_file_text("32.3.1", "t210ref"))
    tree.dpkg({"nvidia-l4t-core": "32.3.1-20191209230245"})
    tree.write("/proc/device-tree/model", b"Nintendo Switch (2017)\0")
    tree.write("/proc/device-tree/compatible", b"nvidia,tegra210\0")
    info, _ = _read(tree, recipes)
    assert info.l4t == "32.3.1"
    assert info.is_jetson is False and info.jetpack is None
    assert "not a Jetson" in _notes(info)


def test_custom_image_without_l4t_files_is_a_jetson_without_l4t(tmp_path, recipes):
    tree = SystemTree(tmp_path)
    tree.write("/proc/device-tree/model", b"NVIDIA Jetson AGX Orin Developer Kit\0")
    tree.write("/proc/device-tree/compatible",
               b"nvidia,p3737-0000+p3701-0005\0nvidia,p3701-0005\0nvidia,tegra234\0nvidia,tegra23x\0")
    info, _ = _read(tree, recipes)
    assert info.is_jetson is True
    assert info.l4t is None and info.jetpack is None
    assert info.module == "Jetson AGX Orin (64GB)" and info.cuda_arch == "8.7"
    assert "no L4T release found" in _notes(info)


def test_x86_machine_is_not_a_jetson(tmp_path, recipes):
    tree = SystemTree(tmp_path)
    tree.write("/etc/os-release", 'ID=ubuntu\nVERSION_ID="22.04"\n')
    tree.dpkg({"libnvinfer8": "8.6.1.6-1+cuda12.0"})
    tree.write("/proc/driver/nvidia/version",
               "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\n")
    info, _ = _read(tree, recipes)
    assert info is None


def test_device_tree_read_from_sysfs_when_proc_lacks_it(tmp_path, recipes):
    tree = SystemTree(tmp_path)
    tree.write("/etc/nv_tegra_release", trees.release_file_text("35.4.1", "t186ref"))
    tree.write("/sys/firmware/devicetree/base/model", b"NVIDIA Jetson AGX Orin Developer Kit\0")
    tree.write("/sys/firmware/devicetree/base/compatible",
               b"nvidia,p3737-0000+p3701-0004\0nvidia,p3701-0004\0nvidia,tegra234\0")
    info, _ = _read(tree, recipes)
    assert info.l4t == "35.4.1" and info.l4t_source == "nv_tegra_release"
    assert info.module == "Jetson AGX Orin (32GB)" and info.soc == "tegra234"


# -- disagreements and overrides -------------------------------------------------------------

def test_release_file_and_package_disagree_package_wins(tmp_path, recipes):
    tree = trees.nano_jp44(SystemTree(tmp_path))
    tree.write("/var/lib/dpkg/status", "")
    tree.dpkg({"nvidia-l4t-core": "32.4.4-20201016123640"})
    info, _ = _read(tree, recipes)
    assert info.release_l4t == "32.4.3" and info.dpkg_l4t == "32.4.4"
    assert info.l4t == "32.4.4" and info.jetpack == "4.4.1"
    assert "32.4.3" in _notes(info) and "32.4.4" in _notes(info)


def test_jetpack_package_disagreeing_with_l4t_is_noted(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="36.4.3", module="p3767-0005", jetpack_pkg="6.1+b123",
                        cuda="12.6.68", cudnn="9.3.0", trt="10.3.0.30", python="3.10")
    info, _ = _read(tree, recipes)
    assert info.jetpack == "6.2" and info.jetpack_package == "6.1"
    assert "nvidia-jetpack package is 6.1" in _notes(info)


def test_l4t_version_environment_overrides_in_a_container(tmp_path, recipes):
    tree = trees.l4t_base_container_jp4(SystemTree(tmp_path))
    tree.environ(L4T_VERSION="32.7.1")
    info, _ = _read(tree, recipes)
    assert info.l4t == "32.7.1" and info.l4t_source == "env" and info.env_l4t == "32.7.1"
    assert info.release_l4t == "32.4.3"
    assert info.jetpack == "4.6.1"
    assert "L4T_VERSION" in _notes(info)


def test_bad_l4t_version_environment_is_ignored(tmp_path, recipes):
    tree = trees.l4t_base_container_jp4(SystemTree(tmp_path))
    tree.environ(L4T_VERSION="r32.latest")
    info, _ = _read(tree, recipes)
    assert info.l4t == "32.4.3" and info.l4t_source == "nv_tegra_release"
    assert "ignored" in _notes(info)


def test_apt_source_branch_other_than_l4t_is_noted(tmp_path, recipes):
    tree = trees.nano_jp44(SystemTree(tmp_path))
    tree.write("/etc/apt/sources.list.d/nvidia-l4t-apt-source.list",
               "deb https://repo.download.nvidia.com/jetson/common r32.5 main\n"
               "deb https://repo.download.nvidia.com/jetson/t210 r32.5 main\n")
    info, _ = _read(tree, recipes)
    assert info.apt_branch == "32.5"
    assert "r32.5" in _notes(info)


# -- broken inputs ---------------------------------------------------------------------------

def test_garbled_release_file_without_package_gives_a_note_not_a_crash(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="32.7.1", dpkg_core=False)
    tree.write("/etc/nv_tegra_release", "# R3? (relase) REVISON 7.1 GCID 29818004\n")
    info, _ = _read(tree, recipes)
    assert info.l4t is None and info.jetpack is None
    assert "not in the expected format" in _notes(info)
    assert info.module == "Jetson Nano (4GB, developer kit)"


def test_garbled_release_file_with_package_uses_the_package(tmp_path, recipes):
    tree = trees.nano_jp44(SystemTree(tmp_path))
    tree.write("/etc/nv_tegra_release", "\x00\x00garbage\n")
    info, _ = _read(tree, recipes)
    assert info.l4t == "32.4.3" and info.l4t_source == "dpkg"
    assert "/etc/nv_tegra_release" in _notes(info)


def test_empty_files_everywhere(tmp_path, recipes):
    tree = SystemTree(tmp_path)
    for path in ("/etc/nv_tegra_release", "/var/lib/dpkg/status", "/proc/device-tree/model",
                 "/proc/device-tree/compatible", "/etc/apt/sources.list.d/nvidia-l4t-apt-source.list"):
        tree.write(path, "")
    info, _ = _read(tree, recipes)
    assert info is not None  # an (empty) release file still says "L4T was here"
    assert info.l4t is None and info.model is None and info.compatible == ()
    assert "is empty" in _notes(info)


def test_binary_junk_everywhere(tmp_path, recipes):
    junk = bytes(range(256)) * 4
    tree = SystemTree(tmp_path)
    for path in ("/etc/nv_tegra_release", "/var/lib/dpkg/status", "/proc/device-tree/model",
                 "/proc/device-tree/compatible", "/sys/module/tegra_fuse/parameters/tegra_chip_id"):
        tree.write(path, junk)
    info, _ = _read(tree, recipes)
    assert info is not None
    assert info.l4t is None and info.model is None and info.compatible == ()
    assert "not in the expected format" in _notes(info)
    assert "not text" in _notes(info)


def test_unreadable_release_file_directory_in_its_place(tmp_path, recipes):
    # Tests run as root in CI, so "unreadable" is a directory where the file should be:
    # open() fails with EISDIR whatever the user.
    tree = trees.nano_jp44(SystemTree(tmp_path))
    tree.remove("/etc/nv_tegra_release")
    tree.mkdir("/etc/nv_tegra_release")
    info, host = _read(tree, recipes)
    assert info.l4t == "32.4.3" and info.l4t_source == "dpkg"
    assert "cannot read /etc/nv_tegra_release" in _notes(info)
    assert any(p.path == "/etc/nv_tegra_release" for p in host.problems)


def test_unreadable_release_file_by_permissions(tmp_path, recipes):
    tree = trees.nano_jp44(SystemTree(tmp_path))
    os.chmod(tree.path("/etc/nv_tegra_release"), 0)
    try:
        if os.access(tree.path("/etc/nv_tegra_release"), os.R_OK):
            pytest.skip("running as root: mode 000 does not stop reads (see the directory variant)")
        info, host = _read(tree, recipes)
        assert info.l4t == "32.4.3" and info.release_l4t is None
        assert "cannot read /etc/nv_tegra_release" in _notes(info)
    finally:
        os.chmod(tree.path("/etc/nv_tegra_release"), 0o644)


def test_unreadable_dpkg_status(tmp_path, recipes):
    tree = trees.nano_jp44(SystemTree(tmp_path))
    tree.remove("/var/lib/dpkg/status")
    tree.mkdir("/var/lib/dpkg/status")
    info, _ = _read(tree, recipes)
    assert info.l4t == "32.4.3" and info.l4t_source == "nv_tegra_release"
    assert "cannot read /var/lib/dpkg/status" in _notes(info)


def test_compatible_whose_nuls_were_lost(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="36.4.7", module="p3701-0005", nul_separated=False,
                        cuda="12.6.68", cudnn="9.3.0", trt="10.3.0.30", python="3.10")
    info, _ = _read(tree, recipes)
    assert info.compatible == ("nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234",
                               "nvidia,tegra23x")
    assert info.module == "Jetson AGX Orin (64GB)" and info.soc == "tegra234"
    assert "no NUL separators" in _notes(info)


def test_unknown_sku_falls_back_to_family(tmp_path, recipes):
    tree = trees.jetson(SystemTree(tmp_path), l4t="36.4.3", module="p3767-0099",
                        compatible=("nvidia,p3768-0000+p3767-0099", "nvidia,tegra234"))
    info, _ = _read(tree, recipes)
    assert info.part_number == "p3767-0099"
    assert info.module == "Jetson Orin NX / Orin Nano (unknown SKU p3767-0099)"
    assert info.cuda_arch == "8.7"


# -- resolve_jetpack / jetpack_components ----------------------------------------------------

@pytest.mark.parametrize("l4t,jetpack", [
    ("32.1.0", "4.2"), ("32.2.2", "4.3 DP"), ("32.3.1", "4.3"), ("32.4.2", "4.4 DP"), ("32.4.3", "4.4"),
    ("32.5", "4.5"), ("32.5.2", "4.5.1"), ("32.7.1", "4.6.1"), ("32.7.6", "4.6.6"), ("35.1.0", "5.0.2"),
    ("35.4.1", "5.1.2"), ("35.6.5", "5.1.7"), ("36.3.0", "6.0"), ("36.4.3", "6.2"), ("36.4.7", "6.2.1"),
    ("36.5.0", "6.2.2"), ("38.2.0", "7.0"), ("38.4.0", "7.1"), ("39.2.0", "7.2"), ("39.2.1", "7.2.1"),
    ("R28.2.1", "3.3"),
])
def test_resolve_jetpack_known_releases(recipes, l4t, jetpack):
    found, exact, _ = resolve_jetpack(l4t, recipes)
    assert (found, exact) == (jetpack, True)


@pytest.mark.parametrize("l4t,line", [("32.7.9", "4"), ("34.2.0", "5"), ("35.9.0", "5"), ("36.9.1", "6"),
                                      ("38.9.0", "7"), ("39.9.0", "7")])
def test_resolve_jetpack_unknown_minor_falls_back_by_major(recipes, l4t, line):
    found, exact, note = resolve_jetpack(l4t, recipes)
    assert found.split(".")[0] == line and exact is False
    assert "unknown minor" in note


def test_resolve_jetpack_ambiguous_row_carries_its_note(recipes):
    assert "TX1" in resolve_jetpack("28.2.0", recipes)[2]


@pytest.mark.parametrize("value", ["40.1", "banana", "", None])
def test_resolve_jetpack_unknown(recipes, value):
    found, exact, note = resolve_jetpack(value, recipes)
    assert found is None and exact is False and note


def test_jetpack_components_exact_and_fallback(recipes):
    jp46 = jetpack_components("4.6.1", recipes)
    assert (jp46["cuda"], jp46["tensorrt"], jp46["python"], jp46["exact"]) == ("10.2.300", "8.2.1.8", "3.6", True)
    jp62 = jetpack_components("6.2", recipes)
    assert (jp62["cuda"], jp62["cudnn"], jp62["tensorrt"], jp62["ubuntu"]) == ("12.6.68", "9.3.0.75", "10.3.0.30", "22.04")
    guess = jetpack_components("6.9", recipes)
    assert guess["exact"] is False and guess["based_on"].startswith("6.") and guess["python"] == "3.10"
    assert jetpack_components("4.4 DP", recipes)["tensorrt"] == "7.1.0"
    assert jetpack_components("9.0", recipes) is None
    assert jetpack_components(None, recipes) is None


# -- the real CLI on a few trees -------------------------------------------------------------

@pytest.mark.parametrize("preset,jetpack", [("nano_jp44", "4.4"), ("orin_nano_jp62", "6.2"),
                                            ("switch_no_l4t", None)])
def test_doctor_json_reports_the_jetson(tmp_path, preset, jetpack):
    tree = trees.PRESETS[preset](SystemTree(tmp_path / "root"))
    result = run_cli(["doctor", "--json", "--root", tree.root])
    assert result.exit_code in (0, 1), result
    doc = result.json()
    jetson = doc["platform"]["jetson"]
    assert jetson["jetpack"] == jetpack
    assert doc["platform"]["arch"] == "aarch64"
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    if jetpack:
        assert statuses["jetson-l4t-known"] == "ok"
    else:
        assert statuses["jetson-l4t-known"] != "ok"


# -- one piece of evidence is enough (real pasted outputs, issue 10 item 5) ---------------------

@pytest.mark.parametrize("model,module,soc,arch", [
    ("NVIDIA Jetson Nano Developer Kit", "Jetson Nano (4GB, developer kit)", "tegra210", "5.3"),
    ("NVIDIA Orin NX Developer Kit", "Jetson Orin NX (16GB p3767-0000 or 8GB p3767-0001)", "tegra234", "8.7"),
])
def test_device_tree_model_alone_gives_module_soc_and_arch(tmp_path, recipes, model, module, soc, arch):
    info, _ = _read(trees.model_only(SystemTree(tmp_path), model), recipes)
    assert info is not None and info.is_jetson is True
    assert (info.module, info.soc, info.cuda_arch) == (module, soc, arch)
    assert info.l4t is None and "no L4T release found" in _notes(info)


def test_doctor_on_a_model_only_tree(tmp_path):
    tree = trees.model_only(SystemTree(tmp_path), "NVIDIA Orin NX Developer Kit")
    doc = run_cli(["doctor", "--json", "--root", tree.root]).json()
    jetson = doc["platform"]["jetson"]
    assert (jetson["soc"], jetson["cuda_arch"]) == ("tegra234", "8.7")
    assert jetson["module"].startswith("Jetson Orin NX")


def test_plugin_manager_ids_give_module_sku_and_carrier(tmp_path, recipes):
    info, _ = _read(trees.plugin_manager_ids(SystemTree(tmp_path)), recipes)
    assert (info.part_number, info.module, info.carrier) == ("p3448-0002", "Jetson Nano (16GB eMMC)", "p3449-0000")
    assert (info.soc, info.cuda_arch) == ("tegra210", "5.3")


def test_plugin_manager_ids_alone_are_jetson_evidence(tmp_path, recipes):
    info, _ = _read(trees.plugin_manager_ids(SystemTree(tmp_path), ids=("3448-0000-400",), compatible=()), recipes)
    assert (info.part_number, info.module, info.soc) == ("p3448-0000", "Jetson Nano (4GB, developer kit)", "tegra210")


def test_driver_version_file_alone_gives_l4t_and_jetpack(tmp_path, recipes):
    info, _ = _read(trees.driver_version_only(SystemTree(tmp_path)), recipes)
    assert info is not None and info.is_jetson is True
    assert (info.l4t, info.l4t_source, info.jetpack) == ("35.3.1", "nvidia-driver", "5.1.1")


def test_doctor_on_a_tree_with_only_the_driver_version_file(tmp_path):
    tree = trees.driver_version_only(SystemTree(tmp_path))
    doc = run_cli(["doctor", "--json", "--root", tree.root]).json()
    platform = doc["platform"]
    assert (platform["jetson"]["l4t"], platform["jetson"]["jetpack"]) == ("35.3.1", "5.1.1")
    assert platform["nvidia"]["driver_version"] is None and platform["nvidia"]["kernel_module"] == "tegra"
    status = {c["id"]: c["status"] for c in doc["checks"]}
    assert status["jetson-l4t-known"] == "ok"

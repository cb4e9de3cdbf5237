"""`trtsetup patch` learns the TensorRT it targets and, for TensorRT >= 10, adds the converter
patches; argument values are validated (defect 21) and no catalog ids leak into user text
(defect 16). Trees are tests/fixtures/torch2trt; the converter code itself is built by the real
TensorRT builder in tests/test_real_builder.py."""

import json
import os
import re
import shutil

import pytest

from helpers import run_cli
from test_t2t_patch import snapshot
from trtsetup.commands.patch import patch
from trtsetup.errors import UsageError
from trtsetup.host.live import LiveHost
from trtsetup.torch2trt.patch_converters import CONVERTER_RULES, converter_rule_ids

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "torch2trt")
HEADERS = os.path.join(HERE, "fixtures", "parsers", "tensorrt.parse_nvinfer_version_h")
CONVERTER_IDS = [rule.id for rule in CONVERTER_RULES]
CATALOG_ID = re.compile(r"\bF\d+\b")  # the facts file's failure numbers: F1 .. F27
NATIVE = "torch2trt/converters/native_converters.py"


def tree(tmp_path, shape="master"):
    dest = str(tmp_path / "torch2trt")
    shutil.copytree(os.path.join(FIXTURES, shape), dest)
    return dest


def tarball(tmp_path, header_case="trt_10_3_literal.json"):
    """A TensorRT tarball layout with the real NvInferVersion.h text of a parser fixture."""
    root = tmp_path / "TensorRT"
    (root / "include").mkdir(parents=True)
    (root / "lib").mkdir()
    with open(os.path.join(HEADERS, header_case)) as handle:
        case = json.load(handle)
    (root / "include" / "NvInferVersion.h").write_text(case["input"])
    (root / "include" / "NvInfer.h").write_text("// NvInfer.h\n")
    (root / "lib" / "libnvinfer.so").write_text("")
    return str(root / "include"), str(root / "lib"), case["expect"]


def read(root, rel=NATIVE):
    with open(os.path.join(root, rel)) as handle:
        return handle.read()


def test_tensorrt_10_adds_every_converter_patch_idempotently_and_revertibly(tmp_path):
    root = tree(tmp_path)
    inc, lib, _ = tarball(tmp_path)
    before = snapshot(root)
    result = patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="9.0",
                   tensorrt_version="10.3")
    assert result.exit_code == 0 and result.options.tensorrt_version == "10.3"
    assert set(CONVERTER_IDS) <= set(result.in_effect)
    text = read(root)
    for rule_id in CONVERTER_IDS:
        assert text.count("# >>> trtsetup {}:".format(rule_id)) == 1
    assert "def convert_pad_every_mode(ctx):" in text and "trt.SampleMode.REFLECT" in text
    # a second run changes nothing and --check agrees
    again = patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="9.0", tensorrt_version="10.3")
    assert not again.changed and read(root) == text
    assert patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="9.0", tensorrt_version="10.3",
                 check=True).exit_code == 0
    patch(LiveHost(), root, revert=True)
    assert snapshot(root) == before


def test_tensorrt_8_gets_no_converter_patch(tmp_path):
    root = tree(tmp_path)
    inc, lib, expected = tarball(tmp_path, "trt_8_6_1_soname.json")
    result = patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="8.6")
    assert result.options.tensorrt_version == expected and expected.startswith("8.6.1")
    assert not set(CONVERTER_IDS) & set(result.in_effect)
    assert ">>> trtsetup" not in read(root)
    assert converter_rule_ids("8.6.1") == () and converter_rule_ids("10.0") == tuple(CONVERTER_IDS)


def test_the_version_is_read_from_nvinferversion_h_under_the_include_dir(tmp_path):
    root = tree(tmp_path)
    inc, lib, expected = tarball(tmp_path, "trt_10_13_indirection.json")
    result = patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="9.0")
    assert result.options.tensorrt_version == expected
    assert any("from " + os.path.join(inc, "NvInferVersion.h") in n for n in result.notes)
    assert set(CONVERTER_IDS) <= set(result.in_effect)


def test_an_unknown_version_says_how_to_get_the_converter_patches(tmp_path):
    root = tree(tmp_path)
    inc, lib, _ = tarball(tmp_path)
    os.remove(os.path.join(inc, "NvInferVersion.h"))
    result = patch(LiveHost(), root, trt_include=inc, trt_lib=lib, cuda_arch="9.0")
    assert result.options.tensorrt_version is None
    assert any("pass --tensorrt-version" in n for n in result.notes)
    assert ">>> trtsetup" not in read(root)


@pytest.mark.parametrize("value", ["ten", "10", "10.x", "10.3.0.26.1"])
def test_a_bad_tensorrt_version_is_refused(tmp_path, value):
    root = tree(tmp_path)
    with pytest.raises(UsageError):
        patch(LiveHost(), root, cuda_arch="9.0", tensorrt_version=value)


def test_a_tree_whose_converters_file_lost_the_upstream_definitions_is_refused(tmp_path):
    root = tree(tmp_path)
    path = os.path.join(root, NATIVE)
    with open(path) as handle:
        text = handle.read().replace("def convert_max_pool_nd(ctx):", "def other(ctx):")
    with open(path, "w") as handle:
        handle.write(text)
    inc, lib, _ = tarball(tmp_path)
    before = snapshot(root)
    result = run_cli(["patch", root, "--trt-include", inc, "--trt-lib", lib, "--cuda-arch", "9.0",
                      "--tensorrt-version", "10.3"])
    assert result.exit_code == 2 and "convert_max_pool_nd" in result.stderr
    assert snapshot(root) == before


# -- defect 21: values are validated (the report's commands) ---------------------------------

def test_defect21_a_nonexistent_trt_include_is_refused_and_nothing_is_patched(tmp_path):
    root = tree(tmp_path, "v0.5.0")
    before = snapshot(root)
    result = run_cli(["patch", root, "--trt-include", "/nonexistent", "--trt-lib", "/nonexistent2",
                      "--cuda-arch", "8.7"])
    assert result.exit_code == 2
    assert "--trt-include: /nonexistent is not a directory" in result.stderr
    assert snapshot(root) == before


def test_defect21_cuda_arch_999_is_refused_not_written_into_cmake(tmp_path):
    root = tree(tmp_path, "v0.5.0")
    before = snapshot(root)
    result = run_cli(["patch", root, "--cuda-arch", "999"])
    assert result.exit_code == 2 and "'999' is not a CUDA architecture" in result.stderr
    assert "set(CUDA_ARCHITECTURES 999)" not in read(root, "CMakeLists.txt")
    assert snapshot(root) == before


def test_defect21_a_patch_that_could_not_set_the_tensorrt_dirs_exits_1(tmp_path):
    # This machine has no TensorRT: the doctor finds no dirs, as on the report's machine.
    root = tree(tmp_path, "v0.5.0")
    result = run_cli(["patch", root, "--cuda-arch", "8.7", "--tensorrt-version", "8.6", "--json"])
    doc = result.json()
    assert result.exit_code == 1 and doc["exit_code"] == 1
    assert any("TensorRT include dir unknown" in n for n in doc["incomplete"])


# -- defect 16: no catalog ids in user text --------------------------------------------------

@pytest.mark.parametrize("shape", ["v0.2.0", "v0.4.0", "master"])
def test_defect16_no_catalog_ids_in_notes_or_patched_files(tmp_path, shape):
    root = tree(tmp_path, shape)
    before = snapshot(root)
    result = patch(LiveHost(), root, trt_include=str(tmp_path), trt_lib=str(tmp_path), cuda_arch="8.7",
                   tensorrt_version="10.3")
    assert "no NvInfer.h in {}: building the plugins will fail".format(tmp_path) in result.notes
    for text in list(result.notes) + [result.render_text()]:
        assert not CATALOG_ID.search(text), text
    comments = [l for rel, data in snapshot(root).items()
                if data != before.get(rel) and not rel.startswith(".trtsetup-patch")
                for l in data.decode("utf-8").splitlines() if "# trtsetup" in l]
    assert comments  # the report's case: "# trtsetup: '2.0.0.nv23.05' is not PEP 440 (F24)"
    assert not [l for l in comments if CATALOG_ID.search(l)]


@pytest.mark.parametrize("version, applied", [("10.3.0.26", True), ("8.6.1.6", False)])
def test_install_applies_the_converter_patches_exactly_when_tensorrt_is_10(tmp_path, version, applied):
    from trtsetup.facts import Facts, NvidiaDriver, PythonEnv, SystemInfo, Tensorrt
    from trtsetup.plan.resolve import resolve_plan
    from trtsetup.recipes import load_recipes
    from trtsetup.step_kinds import build_steps
    from trtsetup.torch2trt.patch_tree import plan_tree
    root = tree(tmp_path)
    facts = Facts(system=SystemInfo(arch="x86_64", distro_id="ubuntu"),
                  nvidia=NvidiaDriver(driver_version="550.54.15", cuda_driver_version="12.4"),
                  python=PythonEnv(executable="/usr/bin/python3", version="3.10.12"),
                  tensorrt=Tensorrt(version=version, include_dir="/usr/include/x86_64-linux-gnu",
                                    lib_dir="/usr/lib/x86_64-linux-gnu"))
    planned = resolve_plan(facts, load_recipes(overlays=[]), {"torch2trt_ref": "master", "torch2trt_src": root})
    patch_step = [s for s in build_steps(planned) if s.id == "t2t-patch"][0]
    options = patch_step.options()
    assert options.tensorrt_version == version
    in_effect = set(plan_tree(root, options).in_effect)
    assert (set(CONVERTER_IDS) <= in_effect) is applied and (not set(CONVERTER_IDS) & in_effect) is (not applied)

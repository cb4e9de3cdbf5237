"""`trtsetup plan --json --root TREE` on the platform trees the doctor's tests use."""

import pytest

from helpers import SystemTree, run_cli
from trees import jetson as J
from trees import x86 as X


def plan_json(tmp_path, preset, *extra):
    tree = SystemTree(tmp_path / "root")
    preset(tree)
    result = run_cli(["plan", "--json", "--root", tree.root] + list(extra))
    return result


def steps(doc):
    return {s["id"]: s for s in doc["steps"]}


@pytest.mark.parametrize("preset,jetpack,torch,vision,ref", [
    (J.nano_jp44, "4.4", "torch-1.6.0-cp36-cp36m-linux_aarch64.whl", "v0.7.0", "v0.5.0"),
    (J.tx2_jp43, "4.3", "torch-1.4.0-cp36-cp36m-linux_aarch64.whl", "v0.5.0", "v0.3.0"),
    (J.xavier_nx_jp461_dpkg_only, "4.6.1", "torch-1.10.0-cp36-cp36m-linux_aarch64.whl", "v0.11.1", "v0.5.0"),
    (J.agx_xavier_jp512, "5.1.2", "torch-2.1.0a0+41361538.nv23.06-cp38-cp38-linux_aarch64.whl", "v0.16.1", "v0.5.0"),
    (J.orin_nano_jp62, "6.2", "torch-2.5.0a0+872d972e41.nv24.08.17622132-cp310-cp310-linux_aarch64.whl", "v0.20.0", "master"),
])
def test_plan_for_each_jetson_tree(tmp_path, preset, jetpack, torch, vision, ref):
    result = plan_json(tmp_path, preset)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["schema"] == "trtsetup.plan/1"
    assert doc["target"]["jetpack"] == jetpack
    got = steps(doc)
    assert got["torch-install"]["params"]["filename"] == torch
    assert got["torchvision-install"]["params"]["tag"] == vision
    assert got["t2t-source"]["params"]["ref"] == ref
    assert got["selftest"]["blocked"] is None


def test_plan_for_thor_uses_the_cu130_index(tmp_path):
    doc = plan_json(tmp_path, J.thor_jp70).json()
    assert steps(doc)["torch-install"]["params"]["index_url"] == "https://download.pytorch.org/whl/cu130"


def test_plan_for_x86_driver_535_tensorrt_8_6(tmp_path):
    result = plan_json(tmp_path, X.x86_driver535_cuda122_trt86_deb)
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["target"]["index"] == "cu121"
    assert steps(doc)["torch-install"]["params"]["index_url"] == "https://download.pytorch.org/whl/cu121"
    assert steps(doc)["t2t-source"]["params"]["ref"] == "v0.5.0"


def test_plan_for_an_unknown_l4t_exits_2_naming_jetpack(tmp_path):
    result = plan_json(tmp_path, J.future_r40_1)
    assert result.exit_code == 2
    error = result.json()
    assert "40.1.0" in error["error"] and "--jetpack" in error["fix"] and "7.0" in error["fix"]


def test_plan_for_an_unknown_l4t_with_jetpack_override_blocks_trt_11(tmp_path):
    result = plan_json(tmp_path, J.future_r40_1, "--jetpack", "7.0")
    assert result.exit_code == 2, result.stderr   # blocked steps: could not run (new-user defect 13)
    got = steps(result.json())
    assert got["t2t-source"]["blocked"].startswith("torch2trt has no revision for TensorRT 11")


def test_plan_text_numbers_steps_with_reasons(tmp_path):
    tree = SystemTree(tmp_path / "root")
    J.nano_jp44(tree)
    result = run_cli(["plan", "--root", tree.root, "--torch", "1.10.0"])
    assert result.exit_code == 0, result.stderr
    assert " 2. Install torch 1.10.0" in result.stdout
    assert "why: --torch 1.10.0 asked for" in result.stdout
    assert " 9. Convert a small model" in result.stdout

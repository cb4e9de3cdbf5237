"""`trtsetup docker image`: published images and docker run arguments per host, real CLI on trees."""

import json

import pytest

from tests.helpers import SystemTree, run_cli
from tests.trees import docker as trees
from tests.trees import jetson as jetson_trees
from tests.trees import x86 as x86_trees
from trtsetup.recipes import load_recipes


def _image(tree):
    result = run_cli(["docker", "image", "--root", tree.root, "--json"])
    doc = result.json()
    assert doc["schema"] == "trtsetup.docker-image/1"
    return result.exit_code, doc, {i["role"]: i["image"] for i in doc["images"]}


@pytest.mark.parametrize("jetpack,runtime,expect", [
    ("4.3", "old", {"base": "nvcr.io/nvidia/l4t-base:r32.3.1"}),
    ("4.4", "old", {"base": "nvcr.io/nvidia/l4t-base:r32.4.3"}),
    ("4.6", "jp46", {"base": "nvcr.io/nvidia/l4t-base:r32.6.1", "tensorrt": "nvcr.io/nvidia/l4t-tensorrt:r8.0.1-runtime",
                     "pytorch": "nvcr.io/nvidia/l4t-pytorch:r32.6.1-pth1.9-py3"}),
    ("5.1", None, {"base": "nvcr.io/nvidia/l4t-jetpack:r35.2.1", "tensorrt": "nvcr.io/nvidia/l4t-tensorrt:r8.5.2-runtime",
                   "tensorrt-devel": "nvcr.io/nvidia/l4t-tensorrt:r8.5.2.2-devel",
                   "pytorch": "nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3"}),
    # 36.4.3: r36.2/r36.3 images are across the 36.4 line (l4t-tensorrt:r8.6.2-devel is not offered)
    ("6.2", None, {"base": "nvcr.io/nvidia/l4t-jetpack:r36.4.0"}),
    ("7", None, {"base": "ubuntu:24.04", "tensorrt": "nvcr.io/nvidia/tensorrt:25.08-py3"}),
])
def test_images_per_jetpack(tmp_path, jetpack, runtime, expect):
    tree = trees.container_host(SystemTree(tmp_path), jetpack, runtime=runtime or "old")
    code, doc, images = _image(tree)
    assert code == 0
    assert images == expect
    assert doc["run_args"][:2] == ["--runtime", "nvidia"]
    assert "NVIDIA_REQUIRE_JETPACK=csv-mounts=all" not in doc["run_args"]


def test_jetpack_461_takes_the_r32_7_1_images(tmp_path):
    tree = jetson_trees.xavier_nx_jp461_dpkg_only(SystemTree(tmp_path))
    _, doc, images = _image(tree)
    assert images["base"] == "nvcr.io/nvidia/l4t-base:r32.7.1"
    assert images["pytorch"] == "nvcr.io/nvidia/l4t-pytorch:r32.7.1-pth1.10-py3"


def test_jetpack4_with_new_runtime_adds_csv_mounts_all(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="new")
    _, doc, _ = _image(tree)
    assert doc["run_args"] == ["--runtime", "nvidia", "-e", "NVIDIA_REQUIRE_JETPACK=csv-mounts=all"]
    assert doc["docker_run"] == ("docker run -it --rm --runtime nvidia -e NVIDIA_REQUIRE_JETPACK=csv-mounts=all "
                                 "nvcr.io/nvidia/l4t-pytorch:r32.6.1-pth1.9-py3")
    text = run_cli(["docker", "image", "--root", tree.root]).stdout
    assert "Never on this host: any r34+ tag" in text


def test_cdi_device_names_and_jtop_socket(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "6.2", cdi_spec=True)
    tree.write("/run/jtop.sock", "")
    _, doc, _ = _image(tree)
    assert doc["cdi_args"] == ["--device", "nvidia.com/gpu=all", "-v", "/run/jtop.sock:/run/jtop.sock"]
    assert doc["run_args"] == ["--runtime", "nvidia", "-v", "/run/jtop.sock:/run/jtop.sock"]


def test_x86_driver_picks_the_newest_ngc_release_it_supports(tmp_path):
    tree = x86_trees.x86(SystemTree(tmp_path), driver="550.54.15")
    code, doc, images = _image(tree)
    assert code == 0
    # 24.05 needs 545; 24.10 needs 560
    assert images == {"tensorrt": "nvcr.io/nvidia/tensorrt:24.05-py3", "pytorch": "nvcr.io/nvidia/pytorch:24.05-py3"}
    assert doc["run_args"] == ["--gpus", "all"]
    assert doc["platform"] == "ngc" and doc["driver_version"] == "550.54.15"


def test_x86_without_driver_cannot_recommend(tmp_path):
    tree = x86_trees.x86_no_driver(SystemTree(tmp_path))
    code, doc, images = _image(tree)
    assert code == 1 and images == {}
    assert any("No NVIDIA driver" in n for n in doc["notes"])


def test_every_recommended_image_is_a_recipes_row_with_a_source():
    recipes = load_recipes(overlays=[])
    for ref, row in recipes.get("docker_images").items():
        assert row["source"], ref
        assert ":" in ref, "{} has no tag".format(ref)


def test_overlay_adds_an_image_for_a_new_release(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "mine.json").write_text(json.dumps({
        "schema": "trtsetup.recipes/1", "kind": "docker_images", "source": "test",
        "entries": {"nvcr.io/nvidia/l4t-jetpack:r36.4.9": {
            "platform": "jetson", "role": "base", "l4t": "36.4.3", "source": "https://example.invalid/release",
            "confidence": "V"}}}))
    tree = trees.container_host(SystemTree(tmp_path / "root"), "6.2")
    result = run_cli(["docker", "image", "--root", tree.root, "--json", "--recipes", str(overlay)])
    images = {i["role"]: i["image"] for i in result.json()["images"]}
    assert images["base"] == "nvcr.io/nvidia/l4t-jetpack:r36.4.9"  # exact L4T match wins

"""The install recipes themselves: URLs, pairings, coverage, validation errors, overlays."""

import json
import re

import pytest
from packaging.version import Version

from trtsetup.commands.plan import plan
from trtsetup.errors import RecipeError
from trtsetup.facts import Facts, JetsonInfo, PythonEnv, SystemInfo, Tensorrt
from trtsetup.knowledge import jetpack_components
from trtsetup.recipes import load_recipes

INSTALL_KINDS = ("torch_wheels", "torchvision", "apt", "x86_index", "torch2trt")


@pytest.fixture(scope="module")
def recipes():
    return load_recipes(overlays=[])


def strings(value):
    if isinstance(value, dict):
        for item in value.values():
            for s in strings(item):
                yield s
    elif isinstance(value, list):
        for item in value:
            for s in strings(item):
                yield s
    elif isinstance(value, str):
        yield value


def expected_torchvision_minor(torch_version):
    major, minor = Version(torch_version).release[:2]
    return (0, minor + 1) if major == 1 else (0, minor + 15)


def test_every_url_in_the_install_recipes_is_https(recipes):
    urls = [s for kind in INSTALL_KINDS for s in strings(recipes.get(kind)) if re.match(r"^[a-z]+://", s)]
    assert len(urls) > 40
    assert [u for u in urls if not u.startswith("https://")] == []


def test_every_entry_names_its_source(recipes):
    for entry in recipes.get("torch_wheels"):
        assert entry["source"].startswith("https://")
    for kind in ("torchvision", "apt", "x86_index", "torch2trt"):
        for key, entry in recipes.get(kind).items():
            assert entry["source"].startswith("https://"), (kind, key)


def test_torchvision_table_follows_the_pytorch_vision_rule(recipes):
    for torch_minor, entry in recipes.get("torchvision").items():
        if Version(torch_minor) < Version("1.4"):
            continue  # 1.1-1.3 predate the rule
        assert Version(entry["version"]).release[:2] == expected_torchvision_minor(torch_minor), torch_minor


def test_every_wheel_pairs_torchvision_by_the_rule(recipes):
    for entry in recipes.get("torch_wheels"):
        if Version(entry["torch"]) < Version("1.4"):
            continue
        got = Version(entry["torchvision"]["version"]).release[:2]
        assert got == expected_torchvision_minor(entry["torch"]), entry["id"]


def test_every_x86_index_torch_has_a_torchvision_pairing(recipes):
    pairs = recipes.get("torchvision")
    for cuda, entry in recipes.get("x86_index").items():
        for minor in entry["torch"]:
            assert minor in pairs, (cuda, minor)


def test_every_wheel_matches_its_python_and_file_name(recipes):
    for entry in recipes.get("torch_wheels"):
        if entry["kind"] != "wheel":
            continue
        tag = "cp" + entry["python"].replace(".", "")
        assert "-{}-".format(tag) in entry["filename"], entry["id"]
        assert entry["filename"].split("-")[1] == entry["torch"], entry["id"]


def test_every_jetpack_with_wheels_is_known_and_has_its_python(recipes):
    for entry in recipes.get("torch_wheels"):
        for jetpack in entry["jetpacks"]:
            comps = jetpack_components(jetpack, recipes)
            assert comps is not None and comps["exact"], jetpack
            assert comps["python"], jetpack
            assert comps["python"] == entry["python"], (entry["id"], jetpack)


def test_every_jetpack_with_wheels_has_one_default(recipes):
    by_jetpack = {}
    for entry in recipes.get("torch_wheels"):
        for jetpack in entry.get("default_for", []):
            by_jetpack.setdefault((jetpack, entry["python"]), []).append(entry["id"])
    all_jetpacks = set(jp for e in recipes.get("torch_wheels") for jp in e["jetpacks"])
    assert set(jp for jp, _ in by_jetpack) == all_jetpacks
    assert [k for k, ids in by_jetpack.items() if len(ids) != 1] == []


def test_driver_minimums_rise_with_cuda(recipes):
    table = sorted(recipes.get("x86_index").items(), key=lambda item: Version(item[0]))
    drivers = [Version(entry["min_driver"]) for _, entry in table]
    assert drivers == sorted(drivers)
    assert recipes.get("x86_index")["12.1"]["index"] == "cu121"


def test_torch2trt_revisions_by_tensorrt_major(recipes):
    table = recipes.get("torch2trt")
    assert table["6"]["ref"] == "v0.3.0"
    assert table["7"]["ref"] == "v0.5.0" and table["8"]["ref"] == "v0.5.0"
    assert table["10"] == dict(table["10"], ref="master", min_commit="4e820ae")
    assert table["11"]["ref"] is None and "TensorRT 11" in table["11"]["unsupported"]


def write_overlay(tmp_path, name, kind, entries):
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps({"schema": "trtsetup.recipes/1", "kind": kind,
                                           "source": "test", "entries": entries}))
    return str(folder)


def test_validation_error_names_file_and_key(tmp_path):
    folder = write_overlay(tmp_path, "mine.json", "torch_wheels", [{
        "id": "jp72-custom", "jetpacks": ["7.2"], "python": "3.12", "torch": "2.10.0", "kind": "wheel",
        "filename": "torch-2.10.0-cp312-cp312-linux_aarch64.whl",
        "url": "http://example.com/torch-2.10.0-cp312-cp312-linux_aarch64.whl", "sha256": None,
        "torchvision": {"version": "0.25.0", "source": "git"}, "source": "https://example.com"}])
    with pytest.raises(RecipeError) as err:
        load_recipes(overlays=[folder])
    assert "mine.json" in str(err.value)
    assert "entries[0] (jp72-custom).url" in str(err.value)
    assert "https" in str(err.value)


@pytest.mark.parametrize("kind,entries,key", [
    ("torchvision", {"2.5": {"version": "0.20.0", "tag": "0.20.0", "python": ["3.9", "3.13"],
                             "source": "https://x"}}, "entries['2.5'].tag"),
    ("x86_index", {"12.1": {"min_driver": "530.30.02", "index": "cuda121", "index_url": "https://x",
                            "torch": ["2.5"], "source": "https://x"}}, "entries['12.1'].index"),
    ("torch2trt", {"12": {"ref": None, "source": "https://x"}}, "entries['12'].unsupported"),
    ("apt", {"8": {"torch": ["Bad Name"], "torchvision_build": [], "torch2trt_build": [],
                   "torch2trt_plugins": [], "source": "https://x"}}, "entries['8'].torch[0]"),
    ("torch2trt_revisions", {"v0.3.0": {"legacy_plugins": [">=1.5", "< 1.10 or so"], "cmake_plugins": False,
                                        "source": "https://x"}}, "entries['v0.3.0'].legacy_plugins"),
    ("torch2trt_revisions", {"v0.3.0": {"legacy_plugins": ["~=1.5"], "cmake_plugins": False,
                                        "source": "https://x"}}, "'>=1.5' or '<1.10'"),
])
def test_each_install_kind_rejects_bad_entries_naming_the_key(tmp_path, kind, entries, key):
    folder = write_overlay(tmp_path, "bad.json", kind, entries)
    with pytest.raises(RecipeError) as err:
        load_recipes(overlays=[folder])
    assert "bad.json" in str(err.value) and key in str(err.value)


def test_overlay_adds_a_new_jetpacks_wheel(tmp_path):
    url = "https://example.com/jp72/torch-2.10.0-cp312-cp312-linux_aarch64.whl"
    folder = write_overlay(tmp_path, "jp72.json", "torch_wheels", [{
        "id": "jp72-custom", "jetpacks": ["7.2"], "default_for": ["7.2"], "python": "3.12",
        "torch": "2.10.0", "kind": "wheel", "filename": "torch-2.10.0-cp312-cp312-linux_aarch64.whl",
        "url": url, "sha256": "0" * 64, "torchvision": {"version": "0.25.0", "source": "git"},
        "source": "https://example.com/jp72"}])
    facts = Facts(system=SystemInfo(arch="aarch64"),
                  jetson=JetsonInfo(l4t="39.2.0", jetpack="7.2", jetpack_exact=True, cuda_arch="8.7"),
                  python=PythonEnv(executable="/usr/bin/python3", version="3.12.3"),
                  tensorrt=Tensorrt(version="10.16.0.1"))
    with pytest.raises(Exception) as err:
        plan(facts, load_recipes(overlays=[]))
    assert "--torch" in err.value.fix
    p = plan(facts, load_recipes(overlays=[folder]))
    torch = p.step("torch-install").params
    assert torch["url"] == url and torch["sha256"] == "0" * 64
    assert p.step("torchvision-install").params["tag"] == "v0.25.0"
    assert p.step("t2t-source").params["ref"] == "master"

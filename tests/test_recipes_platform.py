"""The platform recipes (l4t, jetpack, jetson_modules): coverage, consistency, overlays, errors."""

import json
import re

import pytest

from helpers import SystemTree
from trees import jetson as trees
from trtsetup.errors import RecipeError
from trtsetup.host.root import RootHost
from trtsetup.knowledge import jetpack_components, resolve_jetpack
from trtsetup.probes.jetson import read_jetson
from trtsetup.recipes import RECIPES_SCHEMA, load_recipes


@pytest.fixture(scope="module")
def shipped():
    return load_recipes(overlays=[])


def _overlay(directory, name, kind, entries):
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(json.dumps({"schema": RECIPES_SCHEMA, "kind": kind,
                                              "source": "test overlay", "entries": entries}))
    return str(directory)


# Every Jetson Linux release from R32.1 to R39.2.1 (shared/facts/platforms.md 1.1).
RELEASES_R32_TO_R39 = [
    "32.1.0", "32.2.0", "32.2.1", "32.2.2", "32.2.3", "32.3.1", "32.4.2", "32.4.3", "32.4.4", "32.5.0",
    "32.5.1", "32.5.2", "32.6.1", "32.7.1", "32.7.2", "32.7.3", "32.7.4", "32.7.5", "32.7.6",
    "34.0.1", "34.1.0", "34.1.1", "35.1.0", "35.2.1", "35.3.0", "35.3.1", "35.4.1", "35.5.0", "35.6.0",
    "35.6.1", "35.6.2", "35.6.3", "35.6.4", "35.6.5", "36.0.0", "36.2.0", "36.3.0", "36.4.0", "36.4.2",
    "36.4.3", "36.4.4", "36.4.7", "36.5.0", "38.2.0", "38.2.1", "38.2.2", "38.4.0", "39.0.0", "39.2.0",
    "39.2.1",
]

JETPACKS_42_TO_721 = [
    "4.2", "4.2.1", "4.2.2", "4.2.3", "4.3", "4.4", "4.4.1", "4.5", "4.5.1", "4.6", "4.6.1", "4.6.2",
    "4.6.3", "4.6.4", "4.6.5", "4.6.6", "5.0.2", "5.1", "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.5",
    "5.1.6", "5.1.7", "6.0", "6.1", "6.2", "6.2.1", "6.2.2", "7.0", "7.1", "7.2", "7.2.1",
]


def test_l4t_table_covers_r32_1_to_r39_2(shipped):
    table = shipped.get("l4t")
    missing = [r for r in RELEASES_R32_TO_R39 if r not in table]
    assert missing == []


@pytest.mark.parametrize("major", ["28", "32", "34", "35", "36", "38", "39"])
def test_every_l4t_major_has_a_fallback(shipped, major):
    assert shipped.get("l4t")[major]["jetpack_major"]


def test_every_jetpack_4_2_to_7_2_1_ships_a_python(shipped):
    table = shipped.get("jetpack")
    for jetpack in JETPACKS_42_TO_721:
        assert re.match(r"^3\.\d+$", table[jetpack]["python"]), jetpack


def test_every_jetpack_row_is_complete(shipped):
    for key, row in shipped.get("jetpack").items():
        assert row["python"] and row["ubuntu"] and row["cuda"] and row["tensorrt"] and row["socs"], key


def test_version_keys_are_well_formed(shipped):
    for key in shipped.get("l4t"):
        assert re.match(r"^\d+(\.\d+\.\d+)?$", key), key
    for key in shipped.get("jetpack"):
        assert re.match(r"^\d+\.\d+(\.\d+)?( (DP|EA|PRE|PRE-DP))?$", key), key


def test_every_l4t_row_names_a_jetpack_with_components(shipped):
    jetpacks = shipped.get("jetpack")
    for l4t, row in shipped.get("l4t").items():
        if "jetpack" in row:
            assert row["jetpack"] in jetpacks, (l4t, row["jetpack"])
            assert jetpacks[row["jetpack"]]["l4t_major"] == int(l4t.split(".")[0]) or \
                l4t.startswith("24.2.1"), (l4t, row["jetpack"])


def test_every_row_cites_a_source(shipped):
    for kind in ("l4t", "jetpack", "jetson_modules"):
        for key, row in shipped.get(kind).items():
            assert row["source"].strip(), (kind, key)


def test_module_table_references_resolve(shipped):
    modules = shipped.get("jetson_modules")
    socs = {k for k, v in modules.items() if v["type"] == "soc"}
    for key, row in modules.items():
        if row["type"] in ("module", "family"):
            assert row["soc"] in socs, key
        elif row["type"] == "soc" and "alias_of" in row:
            assert row["alias_of"] in socs, key
        elif row["type"] in ("compatible", "model_prefix"):
            assert row["part_number"] in modules, key
    for key, row in shipped.get("jetpack").items():
        assert set(row["socs"]) <= socs, key


def test_switch_is_marked_not_a_jetson(shipped):
    modules = shipped.get("jetson_modules")
    assert modules["p2595"]["jetson"] is False and modules["p2595-0000"]["jetson"] is False


@pytest.mark.parametrize("soc,arch", [("tegra210", "5.3"), ("tegra186", "6.2"), ("tegra194", "7.2"),
                                      ("tegra234", "8.7"), ("tegra264", "11.0")])
def test_soc_cuda_arch(shipped, soc, arch):
    assert shipped.get("jetson_modules")[soc]["cuda_arch"] == arch


# -- overlays --------------------------------------------------------------------------------

def test_overlay_adds_a_new_l4t_and_jetpack(tmp_path, shipped):
    user = tmp_path / "recipes"
    _overlay(user, "l4t.json", "l4t", {"36.6": {"jetpack": "6.3", "source": "https://example.invalid/jp63"}})
    _overlay(user, "jetpack.json", "jetpack", {"6.3": {
        "l4t_major": 36, "cuda": "12.6.85", "cudnn": "9.3.0.75", "tensorrt": "10.3.0.30", "ubuntu": "22.04",
        "python": "3.10", "socs": ["tegra234"], "source": "https://example.invalid/jp63"}})
    merged = load_recipes(overlays=[str(user)])
    assert resolve_jetpack("36.6.0", merged) == ("6.3", True, None)
    components = jetpack_components("6.3", merged)
    assert components["exact"] is True and components["cuda"] == "12.6.85"
    # shipped rows are still there, and the shipped table did not know 36.6.0
    assert resolve_jetpack("32.4.3", merged)[0] == "4.4"
    assert resolve_jetpack("36.6.0", shipped)[1] is False


def test_overlay_adds_a_module_that_read_jetson_then_names(tmp_path):
    user = tmp_path / "recipes"
    _overlay(user, "modules.json", "jetson_modules", {"p3767-0099": {
        "type": "module", "name": "Jetson Orin NX (prototype)", "soc": "tegra234", "source": "test"}})
    tree = trees.jetson(SystemTree(tmp_path / "root"), l4t="36.4.3", module="p3767-0099",
                        compatible=("nvidia,p3768-0000+p3767-0099", "nvidia,tegra234"))
    info = read_jetson(RootHost(tree.root), load_recipes(overlays=[str(user)]))
    assert info.module == "Jetson Orin NX (prototype)" and info.part_number == "p3767-0099"


@pytest.mark.parametrize("kind,entries,key", [
    ("l4t", {"36.6.0": {"jetpack": "six point three", "source": "x"}}, "36.6.0.jetpack"),
    ("l4t", {"36.x": {"jetpack": "6.3", "source": "x"}}, "36.x"),
    ("l4t", {"36.6.0": {"jetpack": "6.3"}}, "36.6.0.source"),
    ("l4t", {"36.6": {"jetpack": "6.3", "source": "x"}, "36.6.0": {"jetpack": "6.3", "source": "x"}}, "36.6"),
    ("l4t", {"41": {"jetpack_major": "eight", "source": "x"}}, "41.jetpack_major"),
    ("jetpack", {"6.3": {"l4t_major": 36, "cuda": "12.6", "cudnn": "9.3", "tensorrt": "10.3",
                         "ubuntu": "22.04", "socs": ["tegra234"], "source": "x"}}, "6.3.python"),
    ("jetpack", {"6.3": {"l4t_major": 36, "cuda": "12.6", "cudnn": "9.3", "tensorrt": "10.3",
                         "ubuntu": "22.04", "python": "3.10", "socs": ["orin"], "source": "x"}}, "6.3.socs"),
    ("jetpack", {"6.3 beta": {}}, "6.3 beta"),
    ("jetson_modules", {"p3767-0099": {"type": "module", "name": "x", "soc": "orin", "source": "x"}},
     "p3767-0099.soc"),
    ("jetson_modules", {"nvidia,foo": {"type": "compatible", "part_number": "3767", "source": "x"}},
     "nvidia,foo.part_number"),
    ("jetson_modules", {"p3767-0099": {"type": "board", "source": "x"}}, "p3767-0099.type"),
])
def test_broken_overlay_names_file_and_key(tmp_path, kind, entries, key):
    user = _overlay(tmp_path / "recipes", "mine.json", kind, entries)
    with pytest.raises(RecipeError) as caught:
        load_recipes(overlays=[user])
    message = str(caught.value)
    assert "mine.json" in message
    assert key in message


def test_overlay_that_is_not_json_names_the_file(tmp_path):
    user = tmp_path / "recipes"
    user.mkdir()
    (user / "l4t.json").write_text('{"schema": "trtsetup.recipes/1", "kind": "l4t", "entries": {')
    with pytest.raises(RecipeError) as caught:
        load_recipes(overlays=[str(user)])
    assert "l4t.json" in str(caught.value)


# -- overlays checked across files (new-user report, defect 9) ----------------------------------

UNKNOWN_JP_OVERLAY = {"40.1.0": {"jetpack": "9.9", "source": "me"}}   # the user's l4t.json


def test_overlay_l4t_naming_an_unknown_jetpack_is_an_error_naming_the_overlay(tmp_path):
    user = _overlay(tmp_path / "unknown_jp", "l4t.json", "l4t", UNKNOWN_JP_OVERLAY)
    with pytest.raises(RecipeError) as caught:
        load_recipes(overlays=[user])
    message = str(caught.value)
    assert str(tmp_path / "unknown_jp" / "l4t.json") in message
    assert "40.1.0.jetpack" in message and "'9.9'" in message
    assert "validated by the test suite" not in (caught.value.fix or "")
    assert "overlay" in caught.value.fix


def test_overlay_errors_do_not_blame_the_test_suite(tmp_path):
    user = _overlay(tmp_path / "recipes", "mine.json", "l4t", {"36.x": {"jetpack": "6.3", "source": "x"}})
    with pytest.raises(RecipeError) as caught:
        load_recipes(overlays=[user])
    assert "test suite" not in caught.value.fix and "mine.json" in caught.value.fix


def test_overlay_may_add_the_jetpack_in_another_file_of_the_same_overlay(tmp_path):
    user = _overlay(tmp_path / "ok", "l4t.json", "l4t", UNKNOWN_JP_OVERLAY)
    _overlay(tmp_path / "ok", "jp.json", "jetpack", {"9.9": {
        "l4t_major": 40, "cuda": "13.1", "cudnn": "9.9", "tensorrt": "11.0", "ubuntu": "26.04",
        "python": "3.14", "socs": ["tegra264"], "source": "me"}})
    assert resolve_jetpack("40.1.0", load_recipes(overlays=[user]))[0] == "9.9"


def test_overlay_module_naming_an_unknown_soc_is_an_error(tmp_path):
    user = _overlay(tmp_path / "recipes", "modules.json", "jetson_modules", {"p3767-0099": {
        "type": "module", "name": "x", "soc": "tegra999", "source": "x"}})
    with pytest.raises(RecipeError) as caught:
        load_recipes(overlays=[user])
    assert "modules.json" in str(caught.value) and "p3767-0099.soc" in str(caught.value)


@pytest.mark.parametrize("command", ["doctor", "plan"])
def test_cli_with_the_unknown_jetpack_overlay_exits_2_naming_it(tmp_path, command):
    from helpers import run_cli
    user = _overlay(tmp_path / "unknown_jp", "l4t.json", "l4t", UNKNOWN_JP_OVERLAY)
    tree = trees.future_r40_1(SystemTree(tmp_path / "root"))
    result = run_cli([command, "--root", tree.root, "--recipes", user])
    assert result.exit_code == 2
    assert "unknown_jp" in result.stderr and "40.1.0.jetpack" in result.stderr
    assert "JetPack 9.9" not in result.stdout

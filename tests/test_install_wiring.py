"""install: the resolver's plan becomes the executor's steps, torch2trt and self-test included,
each built from its planned spec alone."""

from trtsetup.host.root import RootHost
from trtsetup.plan.resolve import resolve_plan
from trtsetup.probes.gather import gather_facts
from trtsetup.recipes import load_recipes
from trtsetup.step_kinds import STEP_CLASSES, build_steps

from helpers import SystemTree
from trees import jetson as jetson_trees


def _steps_for(tmp_path, preset, overrides=None):
    tree = SystemTree(tmp_path / "root")
    preset(tree)
    recipes = load_recipes(overlays=[])
    facts = gather_facts(RootHost(tree.root), recipes, fast=True)
    plan = resolve_plan(facts, recipes, overrides or {})
    return plan, build_steps(plan)


def test_orin_plan_runs_torch2trt_steps_then_verify_then_selftest(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.orin_nano_jp62)
    ids = [s.id for s in steps]
    assert ids == ["apt-prerequisites", "torch-install", "torchvision-install", "t2t-source", "t2t-patch",
                   "t2t-build", "t2t-plugins", "t2t-verify", "selftest"]
    source, patch = steps[3], steps[4]
    assert source.source_spec().ref == "master" and source.params["min_commit"] == "4e820ae"
    assert patch.options().trt_include == "/usr/include/aarch64-linux-gnu"
    assert patch.options().cuda_arch == ("87",)
    # every step acts on its planned params only: the plan is the whole install
    assert [s.params for s in steps] == [spec.params for spec in plan.steps]


def test_nano_jp44_has_no_plugin_library_to_build_and_says_why(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.nano_jp44)
    plugins = next(s for s in steps if s.id == "t2t-plugins")
    assert "TensorRT >= 8" in plugins.is_satisfied(None)


def test_no_selftest_makes_the_selftest_step_a_no_op(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.orin_nano_jp62, {"no_selftest": True})
    selftest = steps[-1]
    assert selftest.id == "selftest" and selftest.skip_reason(None) == "skipped (--no-selftest)"
    assert plan.step("selftest").to_json()["skip"] == "--no-selftest"


def test_every_planned_step_id_has_exactly_one_class():
    from trtsetup.plan.model import STEP_IDS
    assert sorted(cls.id for cls in STEP_CLASSES) == sorted(STEP_IDS)

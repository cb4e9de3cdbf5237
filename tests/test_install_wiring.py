"""install: the resolver's plan becomes the executor's steps, torch2trt and self-test included."""

import json

from trtsetup.commands.install import torch2trt_factories, with_torch2trt_verify
from trtsetup.plan.resolve import resolve_plan
from trtsetup.plan.steps import build_steps
from trtsetup.probes.gather import gather_facts
from trtsetup.host import RootHost
from trtsetup.recipes import load_recipes

from helpers import SystemTree
from trees import jetson as jetson_trees


def _steps_for(tmp_path, preset, overrides=None):
    tree = SystemTree(tmp_path / "root")
    preset(tree)
    recipes = load_recipes(overlays=[])
    facts = gather_facts(RootHost(tree.root), recipes, fast=True)
    plan = resolve_plan(facts, recipes, overrides or {})
    steps = with_torch2trt_verify(build_steps(plan, torch2trt_factories(facts, plan, overrides)))
    return plan, steps


def test_orin_plan_runs_torch2trt_steps_on_one_job_then_verify_then_selftest(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.orin_nano_jp62)
    ids = [s.id for s in steps]
    assert ids == ["apt-prerequisites", "torch-install", "torchvision-install", "t2t-source", "t2t-patch",
                   "t2t-build", "t2t-plugins", "t2t-verify", "selftest"]
    jobs = {id(s.job) for s in steps if s.id.startswith("t2t-")}
    assert len(jobs) == 1  # source, patch, build, plugins and verify share what they learn
    job = steps[3].job
    assert job.spec.ref == "master" and job.require_ancestor == "4e820ae"
    assert job.patch_options.trt_include == "/usr/include/aarch64-linux-gnu"


def test_nano_jp44_has_no_plugin_library_to_build_and_says_why(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.nano_jp44)
    plugins = next(s for s in steps if s.id == "t2t-plugins")
    assert "TensorRT >= 8" in plugins.is_satisfied(None)


def test_no_selftest_makes_the_selftest_step_a_no_op(tmp_path):
    plan, steps = _steps_for(tmp_path, jetson_trees.orin_nano_jp62, {"no_selftest": True})
    selftest = steps[-1]
    assert selftest.id == "selftest" and selftest.is_satisfied(None) == "skipped (--no-selftest)"

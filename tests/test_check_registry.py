"""The check registry: each module ends with its Check records, the package lists them, and
an id is typed once, so a finding can never carry another check's id."""

import re

import pytest

from helpers import SystemTree
from trees import jetson as jetson_trees
from trees import x86 as x86_trees
from trtsetup.checks import CHECK_IDS, CHECKS, CheckContext, run_checks
from trtsetup.host.root import RootHost
from trtsetup.probes.gather import gather_facts
from trtsetup.recipes import load_recipes


def test_ids_are_unique_stable_kebab_case():
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    assert all(re.match(r"^[a-z0-9]+(-[a-z0-9]+)+$", i) for i in CHECK_IDS)


@pytest.mark.parametrize("build", [jetson_trees.nano_jp44, jetson_trees.thor_jp70, jetson_trees.switch_no_l4t,
                                   x86_trees.x86_driver535_cuda122_trt86_deb, x86_trees.x86_no_driver,
                                   x86_trees.ngc_pytorch, lambda tree: tree])
def test_every_finding_carries_the_id_of_the_check_that_made_it(tmp_path, build):
    tree = SystemTree(tmp_path / "root")
    build(tree)
    recipes = load_recipes(overlays=[])
    facts = gather_facts(RootHost(tree.root), recipes, fast=True)
    findings = run_checks(CHECKS, CheckContext(facts, recipes, {"env": {}, "read_problems": []}))
    assert [f.id for f in findings] == CHECK_IDS

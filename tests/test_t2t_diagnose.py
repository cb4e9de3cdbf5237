"""The build-failure catalog, on error lines pasted from real reports (see each case's source)."""

import glob
import json
import os

import pytest

from trtsetup.errors import ActionFailed
from trtsetup.torch2trt import diagnose

CASES = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "fixtures", "torch2trt", "diagnose", "*.json")))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("path", CASES, ids=[os.path.basename(p)[:-5] for p in CASES])
def test_catalog_names_the_cause_of_each_real_failure(path):
    case = load(path)
    found = [d.id for d in diagnose.diagnose(case["input"])]
    assert found == case["expect"], case["source"]


def test_catalog_ids_are_unique_kebab_case():
    ids = [f.id for f in diagnose.CATALOG]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("t2t-") and i == i.lower() and " " not in i for i in ids)


def test_build_failure_carries_cause_fix_and_log_path():
    case = load([p for p in CASES if p.endswith("f17-compute-53.json")][0])
    error = diagnose.build_failure("building the plugin library", case["input"], "/var/log/t2t.log")
    assert isinstance(error, ActionFailed) and error.exit_code == 1
    assert "[F17]" in error.message and "compute_53" in error.message
    assert "--cuda-arch" in error.fix
    assert error.log_path == "/var/log/t2t.log"


def test_unknown_failure_points_at_the_log():
    error = diagnose.build_failure("building torch2trt", "step 1\nerror: something new broke\n", "/tmp/x.log")
    assert "something new broke" in error.message and "/tmp/x.log" in error.fix


def test_garbage_never_raises():
    for text in ["", "\x00\xff", "error" * 1000, None]:
        diagnose.diagnose(text)

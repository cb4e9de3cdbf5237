"""The report package: one schema table kept beside docs/json.md, one JSON writer, and
verdicts that speak only of the checks that ran."""

import json
import os

import pytest

from helpers import REPO, SystemTree, run_cli
from trees import x86 as x86_trees
from trtsetup.report import dumps
from trtsetup.report.schemas import NAMES, SCHEMAS


def test_every_schema_in_the_table_is_documented_in_json_md_and_the_readme():
    docs = open(os.path.join(REPO, "docs", "json.md")).read()
    readme = open(os.path.join(REPO, "README.md")).read()
    for name, _ in SCHEMAS:
        assert "`{}`".format(name) in docs, name
        if name != "trtsetup.snapshot/1":
            assert "`{}`".format(name) in readme, name


def test_the_json_writer_refuses_a_document_without_a_known_schema():
    assert json.loads(dumps({"schema": "trtsetup.doctor/1", "b": 1, "a": "\u2713"})) == {
        "schema": "trtsetup.doctor/1", "b": 1, "a": "\u2713"}
    assert dumps({"schema": "trtsetup.doctor/1", "b": 1, "a": 2}).index('"a"') < dumps(
        {"schema": "trtsetup.doctor/1", "b": 1, "a": 2}).index('"b"')
    for doc in ({"no": "schema"}, {"schema": "something/1"}, [1]):
        with pytest.raises(ValueError):
            dumps(doc)


@pytest.fixture
def broken_box(tmp_path):
    """An x86 box with a driver and TensorRT but no CUDA toolkit: the full doctor fails."""
    tree = SystemTree(tmp_path / "root")
    x86_trees.x86(tree, cuda=None)
    return tree


def test_doctor_check_id_speaks_of_the_checks_it_ran_not_of_the_machine(broken_box):
    """The report's `doctor --check cuda-toolkit-found` said "Everything torch2trt needs is in
    place." while a full doctor found failures."""
    full = run_cli(["doctor", "--root", broken_box.root])
    assert full.exit_code == 1
    passing = run_cli(["doctor", "--root", broken_box.root, "--check", "platform-recognised"])
    assert passing.exit_code == 0, passing
    assert "Everything torch2trt needs is in place" not in passing.stdout
    assert "No problem in the 1 check run" in passing.stdout
    failing = run_cli(["doctor", "--root", broken_box.root, "--check", "cuda-toolkit-found",
                       "--check", "platform-recognised"])
    assert failing.exit_code == 1
    assert "1 problem to fix, 0 warnings in the 2 checks run" in failing.stdout


def test_doctor_json_names_the_selected_checks(broken_box):
    doc = run_cli(["doctor", "--json", "--root", broken_box.root, "--check", "platform-recognised"]).json()
    assert doc["selected_checks"] == ["platform-recognised"]
    assert [c["id"] for c in doc["checks"]] == ["platform-recognised"]
    assert run_cli(["doctor", "--json", "--root", broken_box.root]).json()["selected_checks"] is None


def test_list_checks_text_and_json_agree():
    text = run_cli(["doctor", "--list-checks"])
    doc = run_cli(["doctor", "--list-checks", "--json"]).json()
    assert doc["schema"] == "trtsetup.checks/1"
    assert [line.split()[0] for line in text.stdout.splitlines()] == [c["id"] for c in doc["checks"]]

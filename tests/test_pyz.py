"""trtsetup.pyz: one file that runs on Python 3.6 and 3.13 with nothing installed."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile

import pytest

from fleet_fixtures import *  # noqa: F401,F403
from fleet_fixtures import NEWEST, OLDEST, bare_venv, clean_env, pyenv_python
from helpers import REPO, SystemTree
from trees.jetson import nano_jp44, orin_nano_jp62


def run_pyz(python, pyz_path, args, cwd, env=None):
    proc = subprocess.run([python, "-I", pyz_path] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=str(cwd), env=env or clean_env(cwd), timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_pyz_doctor_and_plan_run_in_a_venv_whose_dependencies_are_broken(pyz, tmp_path, version):
    python = bare_venv(pyenv_python(version), str(tmp_path / "venv"))
    tree = nano_jp44(SystemTree(tmp_path / "nano"))
    work = tmp_path / "elsewhere"
    work.mkdir()

    code, out, err = run_pyz(python, pyz, ["doctor", "--json", "--root", tree.root], work)
    assert code in (0, 1), err
    doc = json.loads(out)
    assert doc["schema"] == "trtsetup.doctor/1"
    # JetPack comes from the recipes: read from inside the archive.
    assert doc["platform"]["jetson"]["jetpack"] == "4.4"
    assert "Click will abort" not in err

    code, out, err = run_pyz(python, pyz, ["plan", "--json", "--root", tree.root], work)
    assert code == 0, err
    plan = json.loads(out)
    assert plan["target"]["torch"] == "1.6.0"
    assert [s["id"] for s in plan["steps"]][:2] == ["apt-prerequisites", "torch-install"]


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_pyz_probes_the_target_interpreter_with_scripts_from_the_archive(pyz, tmp_path, version):
    python = bare_venv(pyenv_python(version), str(tmp_path / "venv"))
    code, out, err = run_pyz(python, pyz, ["doctor", "--fast", "--json", "--python", python], tmp_path)
    assert code in (0, 1), err
    py = json.loads(out)["platform"]["python"]
    assert py["executable"] == python
    assert py["version"].startswith(version.rsplit(".", 1)[0])
    assert py["is_venv"] is True


def test_pyz_text_output_survives_an_ascii_locale_on_36(pyz, tmp_path):
    python = pyenv_python(OLDEST)
    tree = orin_nano_jp62(SystemTree(tmp_path / "orin"))
    code, out, err = run_pyz(python, pyz, ["doctor", "--root", tree.root], tmp_path)
    assert code in (0, 1), err
    assert "JetPack 6.2" in out


def test_pyz_is_reproducible_and_carries_no_bytecode(pyz, tmp_path):
    again = tmp_path / "again.pyz"
    subprocess.run([sys.executable, os.path.join(REPO, "scripts", "build-pyz"), "-o", str(again)],
                   stdout=subprocess.PIPE, check=True, timeout=600)
    with open(pyz, "rb") as a, open(str(again), "rb") as b:
        assert hashlib.sha256(a.read()).hexdigest() == hashlib.sha256(b.read()).hexdigest()
    with zipfile.ZipFile(pyz) as archive:
        names = archive.namelist()
    assert "__main__.py" in names
    assert "trtsetup/recipes_data/l4t.json" in names
    assert "trtsetup/probes/scripts/tensorrt_info.py" in names
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]

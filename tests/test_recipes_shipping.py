"""The shipped recipes live in the top-level ``recipes/`` and travel in the wheel.

Real pip builds a wheel of this checkout (a copy, so no build/ or *.egg-info is left here: the
pip 9 trap of the new-user report's defect 17), installs it into a target directory, and the
installed copy, run from outside the checkout, reads its recipes and plans for a Nano.
"""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from helpers import REPO, SystemTree
from trees import jetson as J
from trtsetup.recipes import PACKAGE_FILES

pytest.importorskip("setuptools")
pytest.importorskip("wheel")


def _copy_checkout(dest):
    for name in ("setup.py", "setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(os.path.join(REPO, name), os.path.join(dest, name))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("trtsetup", "recipes"):
        shutil.copytree(os.path.join(REPO, name), os.path.join(dest, name), ignore=ignore)


def _pip(*args):
    argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"] + list(args)
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=300)
    assert result.returncode == 0, result.stdout
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("ship")
    src = base / "src"
    src.mkdir()
    _copy_checkout(str(src))
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(base / "dist"), str(src))
    wheels = [n for n in os.listdir(str(base / "dist")) if n.endswith(".whl")]
    assert len(wheels) == 1
    wheel = str(base / "dist" / wheels[0])
    _pip("install", "--no-deps", "--no-index", "--target", str(base / "site"), wheel)
    return wheel, str(base / "site")


def test_the_wheel_carries_every_recipes_file(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.startswith("trtsetup/recipes_data/")) == sorted(
        "trtsetup/recipes_data/" + n for n in PACKAGE_FILES)


def test_the_installed_copy_plans_from_its_own_recipes(installed, tmp_path):
    _, site = installed
    tree = SystemTree(tmp_path / "root")
    J.nano_jp44(tree)
    env = dict(os.environ, PYTHONPATH=site, LANG="C.UTF-8")
    script = "import trtsetup.recipes as r, sys; print(r.__file__); sys.exit(0)"
    where = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE,
                           universal_newlines=True, cwd=str(tmp_path), env=env, timeout=60)
    assert where.stdout.strip().startswith(site)
    result = subprocess.run([sys.executable, "-m", "trtsetup", "plan", "--root", tree.root],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            cwd=str(tmp_path), env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "JetPack 4.4" in result.stdout and "torch-1.6.0-cp36" in result.stdout

"""Installing trtsetup from a checkout with the pips users have (new-user report 2026-12, defect 17).

JetPack 4's pip 9.0.1, run as ``python -m pip install .`` from a checkout, has the checkout on
sys.path: a ``trtsetup.egg-info/`` left there by an earlier build makes it say "Requirement
already satisfied" and install nothing. No build may leave one there.
"""

import glob
import os
import shutil
import subprocess
import sys

import pytest

from helpers import REPO

PYPI = "https://pypi.org/simple"


def _checkout_copy(tmp_path):
    """The checkout as git has it (no build leftovers, no test venvs)."""
    dest = str(tmp_path / "trtsetup-src")
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-co", "--exclude-standard"],
                            stdout=subprocess.PIPE, universal_newlines=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    for name in listed.stdout.splitlines():
        source = os.path.join(REPO, name)
        if not os.path.isfile(source):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)
    return dest


def _run(argv, cwd=None, timeout=300, env=None):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, cwd=cwd, timeout=timeout, env=env)


def _build_wheel(src, out):
    """A wheel built by the running pip, without build isolation (offline)."""
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    # -v: pip shows the build backend's own output (its warnings) only when verbose.
    return _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation",
                 "-w", out, "."], cwd=src)


def test_a_build_leaves_no_egg_info_beside_setup_py_and_no_packaging_warning(tmp_path):
    src = _checkout_copy(tmp_path)
    built = _build_wheel(src, str(tmp_path / "wheels"))
    assert built.returncode == 0, built.stderr
    assert glob.glob(os.path.join(src, "*.egg-info")) == []
    output = built.stdout + built.stderr
    assert "BuildBackendWarning" not in output and "absent from the `packages`" not in output, output
    wheel = glob.glob(str(tmp_path / "wheels" / "trtsetup-*.whl"))
    assert wheel
    import zipfile
    names = zipfile.ZipFile(wheel[0]).namelist()
    for data in ("trtsetup/recipes_data/l4t.json", "trtsetup/torch2trt/converter_patches/torch_softmax.py",
                 "trtsetup/probes/scripts/python_info.py", "trtsetup/selftest/script.py"):
        assert data in names, data


def _python36():
    if sys.version_info[:2] == (3, 6):
        return sys.executable
    for candidate in (os.environ.get("TRTSETUP_TEST_PY36"), os.path.expanduser("~/.pyenv/versions/3.6.15/bin/python"),
                      shutil.which("python3.6")):
        if candidate and os.path.isfile(candidate) and _run(
                [candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 6)"]).returncode == 0:
            return candidate
    pytest.skip("no Python 3.6 here for JetPack 4's pip 9.0.1")


def _pip9_venv(tmp_path):
    """A Python 3.6 venv whose pip is 9.0.1 with setuptools 39.0.1 (Ubuntu 18.04's)."""
    downloads = str(tmp_path / "downloads")
    got = _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", downloads,
                "-i", PYPI, "pip==9.0.1", "setuptools==39.0.1", "wheel==0.30.0"])
    if got.returncode != 0:
        pytest.skip("pip 9.0.1 could not be downloaded from PyPI: " + got.stderr.strip()[-200:])
    venv = str(tmp_path / "pip9")
    made = _run([_python36(), "-m", "venv", "--without-pip", venv])
    assert made.returncode == 0, made.stderr
    python = os.path.join(venv, "bin", "python")
    pip_wheel = glob.glob(os.path.join(downloads, "pip-9.0.1-*.whl"))[0]
    seeded = _run([python, os.path.join(pip_wheel, "pip"), "install", "-q", "--no-index"]
                  + glob.glob(os.path.join(downloads, "*.whl")))
    assert seeded.returncode == 0, seeded.stderr
    assert _run([python, "-m", "pip", "--version"]).stdout.startswith("pip 9.0.1")
    return python


def test_pip9_installs_trtsetup_from_a_checkout_an_earlier_build_ran_in(tmp_path):
    src = _checkout_copy(tmp_path)
    assert _build_wheel(src, str(tmp_path / "wheels")).returncode == 0  # the earlier build
    python = _pip9_venv(tmp_path)
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PIP_FIND_LINKS", None)
    installed = _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "."], cwd=src, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Requirement already satisfied" not in installed.stdout
    where = _run([python, "-c", "import trtsetup; print(trtsetup.__file__)"], cwd=str(tmp_path))
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(os.path.join(str(tmp_path), "pip9"))
    data = _run([python, "-c", "import pkgutil; print(all(pkgutil.get_data('trtsetup', p) for p in ("
                 "'recipes_data/l4t.json', 'torch2trt/converter_patches/torch_softmax.py', "
                 "'probes/scripts/python_info.py')))"], cwd=str(tmp_path))
    assert data.stdout.strip() == "True", data.stderr  # the data files came along
    # Installed without its dependencies (--no-deps): the console script says what is missing.
    script = _run([os.path.join(os.path.dirname(python), "trtsetup"), "doctor"], cwd=str(tmp_path))
    assert script.returncode == 2 and "Traceback" not in script.stderr, script.stderr
    assert script.stderr.startswith("error: trtsetup needs the Python package 'click'")
    assert "fix: {} -m pip install click".format(python) in script.stderr


def _readme_first_commands():
    with open(os.path.join(REPO, "README.md")) as handle:
        text = handle.read()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines()
            if line.strip() and not line.startswith("scripts/")]


def test_readme_first_commands_work_as_written_in_a_fresh_home(tmp_path):
    # Debian 12 / Ubuntu 24.04 refuse `pip install --user` (PEP 668); the venv route must work.
    src = _checkout_copy(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home))
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not os.path.isfile(os.path.join(p, "activate")))
    if _run(["python3", "-m", "venv", str(tmp_path / "probe")], env=env).returncode != 0:
        pytest.skip("python3 -m venv does not work here (python3-venv missing)")
    script = " && ".join(_readme_first_commands())
    done = _run(["bash", "-c", script], cwd=src, env=env, timeout=600)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    header = [line for line in done.stdout.splitlines() if line.startswith("Python    ")]
    assert header and header[0].startswith("Python    {}/.venvs/trt/bin/python".format(home)), done.stdout[-2000:]
    assert "(venv)" in header[0]

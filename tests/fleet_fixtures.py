"""Real parts for fleet tests: the built trtsetup.pyz, pyenv interpreters, bare venvs.

Import into a test module with ``from fleet_fixtures import *  # noqa``.
"""

import os
import subprocess
import sys

import pytest

from helpers import REPO

PYENV = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
# The oldest interpreter trtsetup supports (JetPack 4) and a current one.
OLDEST, NEWEST = "3.6.15", "3.13.0"


def pyenv_python(version):
    """The pyenv interpreter of ``version``, or a visible skip when this machine lacks it."""
    path = os.path.join(PYENV, "versions", version, "bin", "python3")
    if not os.access(path, os.X_OK):
        pytest.skip("Python {} is not installed under {} (pyenv install {})".format(version, PYENV, version))
    return path


def bare_venv(python, path, shadow=("click", "packaging", "distro", "requests")):
    """A venv without pip whose site-packages holds broken copies of trtsetup's
    dependencies: whatever runs in it must bring its own."""
    subprocess.run([python, "-m", "venv", "--without-pip", path], check=True, timeout=120)
    pyver = subprocess.run([os.path.join(path, "bin", "python"), "-c",
                            "import sys; print('%d.%d' % sys.version_info[:2])"],
                           stdout=subprocess.PIPE, universal_newlines=True, check=True, timeout=60).stdout.strip()
    site = os.path.join(path, "lib", "python" + pyver, "site-packages")
    for name in shadow:
        os.makedirs(os.path.join(site, name), exist_ok=True)
        with open(os.path.join(site, name, "__init__.py"), "w") as handle:
            handle.write("raise ImportError('the venv copy of {} must not be used')\n".format(name))
    return os.path.join(path, "bin", "python")


def clean_env(home, **extra):
    """A minimal environment: no LANG (an ASCII locale, as in a container), no PYTHONPATH."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home)}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def pyz(tmp_path_factory):
    """trtsetup.pyz built by scripts/build-pyz from this tree (wheels cached in build/)."""
    out = tmp_path_factory.mktemp("pyz") / "trtsetup.pyz"
    proc = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "build-pyz"), "-o", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    return str(out)


def add_packages(tree, site, packages):
    """Installed distributions (name -> version) as dist-info metadata under ``site``."""
    for name, version in packages.items():
        info = "{}/{}-{}.dist-info".format(site, name.replace("-", "_"), version)
        tree.write(info + "/METADATA", "Metadata-Version: 2.1\nName: {}\nVersion: {}\n".format(name, version))
        tree.write(info + "/RECORD", "")
    return tree

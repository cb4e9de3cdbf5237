"""``python -m trtsetup``, and the ``trtsetup`` console script (``run``).

Run from a checkout with a Python that lacks trtsetup's dependencies (``python3 -m trtsetup``
before any install, or an install made with ``--no-deps``), say so in one line with the fix
instead of a traceback. The dependencies are looked for (not imported: the doctor's fast path
imports only what it uses, issue 10) before anything else runs; only the standard library may
be used until then.
"""

import os
import sys

# What setup.cfg's install_requires names, by the module each one provides.
_DEPENDENCIES = {"click": "click", "packaging": "packaging", "distro": "distro", "psutil": "psutil",
                 "requests": "requests"}


def _missing_dependency_message(name, executable, package_dir):
    """The error and fix lines for a missing dependency ``name``."""
    checkout = os.path.dirname(package_dir)
    venv = "~/.venvs/trtsetup"
    if os.path.isfile(os.path.join(checkout, "setup.py")):
        fix = ("python3 -m venv {v} && {v}/bin/python -m pip install -U pip && {v}/bin/python -m pip install {c}"
               "   # then run {v}/bin/trtsetup (README: Install)").format(v=venv, c=checkout)
    else:
        fix = "{} -m pip install {}".format(executable, " ".join(sorted(set(_DEPENDENCIES.values()))))
    return ["error: trtsetup needs the Python package {!r}, which {} does not have".format(name, executable),
            "fix: " + fix]


def _first_missing_dependency():
    for name in _DEPENDENCIES:
        if name not in sys.modules and not _findable(name):
            return name
    return None


def _findable(name):
    """Whether an import of the top-level ``name`` would find it, without importing it: what
    importlib.util.find_spec asks of each finder (importing importlib.util costs a millisecond)."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            return True  # a legacy finder we cannot ask: let the import itself tell
        if find_spec(name, None) is not None:
            return True
    return False


def run():
    name = _first_missing_dependency()
    if name is not None:
        here = os.path.dirname(os.path.abspath(__file__))
        for line in _missing_dependency_message(name, sys.executable or "python3", here):
            sys.stderr.write(line + "\n")
        return 2
    from trtsetup.entry import main
    return main()


if __name__ == "__main__":
    sys.exit(run())

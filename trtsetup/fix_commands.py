"""The commands that fixes print, built from the facts so that each is right as printed.

A fix that says ``trtsetup install --user`` after ``doctor --python X`` installs into another
interpreter, and ``--user`` inside a venv installs where the venv never looks. So no fix text
spells a trtsetup or pip command by hand: checks and the self-test call these functions with
what they know (the target interpreter's facts, how trtsetup was started), and the flags follow
from it: ``--python`` whenever the target is known, ``--user`` only for a system interpreter.

Pure functions of values; ``invocation()`` alone looks at this process (how it was started).
"""

import os
import shlex
import sys
from typing import Any, List, Optional, Sequence

DEFAULT_INVOCATION = ("trtsetup",)


def quote(argv):
    # type: (Sequence[str]) -> str
    """An argv list as one shell line (paths with spaces stay one word)."""
    return " ".join(shlex.quote(str(a)) for a in argv)


def wants_user_flag(python_env):
    # type: (Any) -> bool
    """``--user`` belongs only to a system interpreter: a venv or conda env installs into
    itself, and a --user install there is invisible to it (py-user-site-visible)."""
    if python_env is None or python_env.executable is None:
        return False
    return python_env.is_venv is False and not python_env.is_conda


def trtsetup_argv(command, python=None, extra=(), invoked_as=None):
    # type: (str, Optional[str], Sequence[str], Optional[Sequence[str]]) -> List[str]
    """``trtsetup COMMAND [--python PYTHON] EXTRA...`` as started on this machine."""
    argv = list(invoked_as or DEFAULT_INVOCATION) + [command]
    if python:
        argv += ["--python", python]
    return argv + list(extra)


def trtsetup_command(command, python=None, extra=(), invoked_as=None):
    # type: (str, Optional[str], Sequence[str], Optional[Sequence[str]]) -> str
    return quote(trtsetup_argv(command, python, extra, invoked_as))


def install_command(python_env, invoked_as=None):
    # type: (Any, Optional[Sequence[str]]) -> str
    """``trtsetup install --python X [--user]`` for the interpreter the facts describe."""
    python = python_env.executable if python_env is not None else None
    extra = ["--user"] if wants_user_flag(python_env) else []
    return trtsetup_command("install", python, extra, invoked_as)


def pip_command(python, *args):
    # type: (Optional[str], str) -> str
    """``PYTHON -m pip ARGS`` (the target's own pip, never a pip from PATH)."""
    return quote([python or "python3", "-m", "pip"] + list(args))


def invocation(argv0=None, executable=None, which=None):
    # type: (Optional[str], Optional[str], Any) -> List[str]
    """How to start this trtsetup again: ``trtsetup`` when that name on PATH is this very
    program, ``PYTHON -m trtsetup`` when it runs as a module, else the script's full path
    (a ``pip install --user`` puts it in ~/.local/bin, which is often not on PATH)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = executable or sys.executable or "python3"
    if which is None:
        import shutil
        which = shutil.which
    name = os.path.basename(argv0 or "")
    if name.endswith(".pyz"):  # the zipapp: runnable through an interpreter whatever its mode
        return [executable, os.path.abspath(argv0)]
    if name in ("__main__.py", "-m", "-c", "") or not name.startswith("trtsetup"):
        return [executable, "-m", "trtsetup"]
    found = which("trtsetup")
    if found and os.path.realpath(found) == os.path.realpath(argv0):
        return ["trtsetup"]
    return [os.path.abspath(argv0)]

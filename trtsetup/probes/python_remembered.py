"""Remembering the target interpreter's answer about itself, and the proof that it still holds.

Asking the target Python (``scripts/python_info.py``) starts a process: 25 ms on the 2-core
development machine, more on a Jetson Nano, and most of what ``doctor --fast`` would
otherwise spend. What it answers (prefix, venv, user site, ``sys.path``) depends only on:

* the interpreter binary and the ``pyvenv.cfg`` beside it;
* the environment variables ``site`` reads (our children run without PYTHONPATH and
  PYTHONHOME, in ``/``, so those do not count);
* which ``.pth`` files and ``sitecustomize``/``usercustomize`` modules the site directories
  hold, the directories those ``.pth`` files name (present or not), and whether the user
  site exists.

So the answer is remembered with the stamps (size, mtime, inode) of each of those files and
directories, and reused only while every stamp is the same: a ``pip install`` that adds a
``.pth`` changes its directory's mtime, a rebuilt interpreter its own stamp. A wrapper
script (a pyenv shim picks an interpreter per directory and per variable) is never
remembered: the path asked is not the interpreter that answered.
"""

import json
import posixpath
import zlib
from typing import Any, Dict, List, Optional, Tuple

from .. import __version__
from ..facts import PythonEnv, from_json, to_json

CACHE_PREFIX = "python-"
_SITE_ENV = ("HOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "PYTHONPLATLIBDIR",
             "PYTHONEXECUTABLE")
_SITE_HOOKS = ("sitecustomize.py", "usercustomize.py")


def cache_entry(python, host, script):
    # type: (str, Any, str) -> Tuple[str, str]
    """(file name, key) of the entry for this interpreter path, this environment and this
    version of the question: one entry per target, so doctors of two venvs do not evict each
    other. The key is compared whole; the name only spreads entries (zlib, not hashlib: its
    import costs `doctor --fast` 2 ms)."""
    key = json.dumps([python, [(k, host.env.get(k)) for k in _SITE_ENV],
                      [len(script), zlib.crc32(script.encode("utf-8"))], __version__])
    return CACHE_PREFIX + "{:08x}".format(zlib.crc32(key.encode("utf-8"))), key


def depends_on(host, python, env):
    # type: (Any, str, PythonEnv) -> Optional[List[str]]
    """The paths whose stamps prove ``env`` (the interpreter's own answer) still holds, or None
    when it must not be remembered (a wrapper answered, or nothing can be stamped)."""
    if not env.executable or env.error:
        return None
    binary = host.realpath(python)
    if host.realpath(env.executable) != binary:
        return None  # a shim or wrapper script: what it runs is not a file we can stamp
    paths = [python, binary]
    if env.prefix:
        paths.append(posixpath.join(env.prefix, "pyvenv.cfg"))
    if env.user_site:
        paths.append(env.user_site)
    for directory in env.site_dirs:
        paths.append(directory)
        for name in host.listdir(directory):
            if name.endswith(".pth") or name in _SITE_HOOKS:
                pth = posixpath.join(directory, name)
                paths.append(pth)
                if name.endswith(".pth"):
                    paths.extend(pth_directories(directory, host.read_text(pth) or ""))
    return paths


def pth_directories(site_dir, text):
    # type: (str, str) -> List[str]
    """The directories a ``.pth`` file names, as ``site`` joins them to its directory. Each is
    stamped even when missing: ``site`` skips a missing one, so creating it later (a checkout
    cloned again, a mount not there yet) changes ``sys.path`` without touching the ``.pth``."""
    found = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#") or line.startswith(("import ", "import\t")):
            continue
        found.append(posixpath.normpath(posixpath.join(site_dir, line)))
    return found


def stamps_of(host, paths):
    # type: (Any, List[str]) -> Dict[str, Optional[List[int]]]
    return {path: host.file_stamp(path) for path in paths}


def remember(cache, entry, host, python, env):
    # type: (Any, Tuple[str, str], Any, str, PythonEnv) -> None
    paths = depends_on(host, python, env)
    if not paths:
        return
    stamps = stamps_of(host, paths)
    if stamps.get(host.realpath(python)) is None:
        return  # this host cannot stamp files: nothing could prove the answer later
    cache.put(entry[0], entry[1], {"answer": to_json(env), "stamps": stamps})


def recall(cache, entry, host):
    # type: (Any, Tuple[str, str], Any) -> Optional[PythonEnv]
    """The remembered answer when every file it depends on has the stamp it had, else None."""
    found = cache.get(entry[0], entry[1])
    value = found.get("value") if found else None
    if not isinstance(value, dict) or not isinstance(value.get("stamps"), dict):
        return None
    stamps = value["stamps"]
    if not stamps or stamps_of(host, list(stamps)) != stamps:
        return None
    try:
        return from_json(PythonEnv, value.get("answer"))
    except Exception:  # a damaged entry: ask the interpreter, as without one
        return None

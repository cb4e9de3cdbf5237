"""The target Python: which interpreter, what it sees, which packages, and what torch says.

Two reads, cheapest first (the torch probe is ``probes/torch_runtime``):

* ``read_python(host, python=None)`` asks the interpreter one small question (the
  stdlib-only ``scripts/python_info.py``, pipx's ``get_site_packages`` idea) and then reads
  package metadata from its ``sys.path`` *without importing anything* (pipx's
  ``venv_inspect`` idea). On a captured tree (``--root``, no commands) it infers the same
  from files: the interpreter's name, ``pyvenv.cfg`` and the Debian/Ubuntu layout.
* ``read_packages(host, site_dirs)`` reads ``*.dist-info/METADATA``, ``*.egg-info``
  (folder or file), ``*.egg`` (folder or zip) and ``*.egg-link`` through the host.

On a captured tree the interpreter is inferred from files (``probes/python_files``).
"""

from typing import Optional

from ..host import interpreter
from ..facts import PythonEnv
from ..record import replace
from ..host.interpreter import bool_field, text_field
from . import python_remembered
from .python_files import python_from_files
from .scripts import script_source
from .site_packages import normalize_name, read_packages  # noqa: F401  (normalize_name: importers)

PYTHON_INFO_TIMEOUT = 10.0


def parse_python_info(text):
    # type: (str) -> Optional[PythonEnv]
    """What ``scripts/python_info.py`` printed → PythonEnv, or None when no document is there.

    Tolerant: the document is the last line that is a JSON object (a ``.pth`` file or a
    ``sitecustomize`` may print before it); a field of the wrong type becomes None.
    """
    doc = interpreter.last_json_object(text)
    if doc is None:
        return None
    site_dirs = doc.get("site_dirs")
    if not isinstance(site_dirs, list):
        site_dirs = []
    error = doc.get("error")
    return PythonEnv(
        executable=text_field(doc, "executable"),
        version=text_field(doc, "version"),
        implementation=text_field(doc, "implementation"),
        prefix=text_field(doc, "prefix"),
        base_prefix=text_field(doc, "base_prefix"),
        is_venv=bool_field(doc, "is_venv"),
        is_conda=bool_field(doc, "is_conda"),
        system_site_packages=bool_field(doc, "system_site_packages"),
        user_site_enabled=bool_field(doc, "user_site_enabled"),
        user_site=text_field(doc, "user_site"),
        purelib=text_field(doc, "purelib"),
        site_dirs=tuple(d for d in site_dirs if isinstance(d, str) and d),
        source="interpreter",
        error=str(error) if error else None,
    )


def read_python(host, python=None, cache=None):
    # type: (object, Optional[str], object) -> PythonEnv
    """The target interpreter (``python``, default the ``python3`` on the host's PATH) and
    the packages it sees. Never raises for a missing or broken interpreter: ``error`` says
    what happened (the doctor turns it into a failing check).

    ``cache`` (a ``probe_cache.ProbeCache``, live hosts only): the interpreter's answer about
    itself is reused while ``probes/python_remembered`` proves nothing it depends on changed.
    The packages are read from the files every time."""
    python = target_interpreter(host, python)
    if python is None:
        return PythonEnv(error="no python3 on PATH ({})".format(host.env.get("PATH", "")),
                         pip_user_env=host.env.get("PIP_USER") or None)
    if not host.can_run:
        env = python_from_files(host, python)
    elif cache is not None:
        env = _remembered_or_asked(host, python, cache)
    else:
        env = _python_from_interpreter(host, python)
    env = _with_packages(host, env)
    if host.env.get("PIP_USER"):
        env = replace(env, pip_user_env=host.env.get("PIP_USER"))
    return env


def target_interpreter(host, python=None):
    # type: (object, Optional[str]) -> Optional[str]
    """The interpreter the doctor examines: ``python``, else the ``python3`` on the host's PATH."""
    return python if python is not None else host.which("python3")


def read_python_files(host, python):
    # type: (object, str) -> PythonEnv
    """What the interpreter's files alone show (its site dirs and their packages), before it
    has answered: gather chooses the early torch probe's arguments from it."""
    return _with_packages(host, python_from_files(host, python))


def _with_packages(host, env):
    if env.error is None and env.site_dirs:
        env = replace(env, packages=read_packages(host, env.site_dirs))
    return env


def _remembered_or_asked(host, python, cache):
    entry = python_remembered.cache_entry(python, host, script_source("python_info.py"))
    env = python_remembered.recall(cache, entry, host)
    if env is None:
        env = _python_from_interpreter(host, python)
        python_remembered.remember(cache, entry, host, python, env)
    return env


def _python_from_interpreter(host, python):
    reply = interpreter.ask(host, python, script_source("python_info.py"), timeout=PYTHON_INFO_TIMEOUT)
    result = reply.result
    if reply.error == "not-found" or (result.returncode is None and not host.exists(python)):
        return PythonEnv(executable=python, error="{} does not exist".format(python), source="interpreter")
    if reply.error == "timeout":
        return PythonEnv(executable=python, source="interpreter",
                         error="{} did not answer within {:.0f} s".format(python, PYTHON_INFO_TIMEOUT))
    if reply.error == "unavailable":
        return PythonEnv(executable=python, source="interpreter",
                         error="no answer from {} was recorded in this {}".format(python, host.description))
    if reply.error is not None:
        return PythonEnv(executable=python, source="interpreter",
                         error="{} could not be run: {}".format(python, reply.error))
    env = parse_python_info(result.stdout)
    if env is None or result.returncode != 0:
        detail = interpreter.tail(result.stderr) or interpreter.tail(result.stdout) or "no output"
        return PythonEnv(executable=python, source="interpreter",
                         error="{} exited with {} and printed no answer: {}".format(
                             python, interpreter.exit_text(result.returncode), detail))
    # sys.executable pins the interpreter that answered (a pyenv shim picks one per cwd).
    executable = env.executable if env.executable and env.executable.startswith("/") else python
    return replace(env, executable=executable)

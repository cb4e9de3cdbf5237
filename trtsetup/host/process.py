"""Running a child on this machine: its environment, its process group, its timeout.

Every command trtsetup starts goes through ``run_process``: probes asking the target Python,
``nvidia-smi``, the install steps' pip, git, cmake and apt. The child starts in a session
(and process group) of its own, so a timeout or an interrupt kills the whole group. A
``--python`` that is a shell script around a hung interpreter is then stopped at the limit,
and no grandchild is left holding the output pipe or running on as an orphan.
"""

import os
import shutil
import signal
import subprocess
import threading
import time
from typing import Dict, Optional, Sequence

from .base import DEFAULT_TIMEOUT, CommandResult, shell_command

LOG_TAIL_BYTES = 256 * 1024  # how much of a logged command's output the caller gets back
_DRAIN_SECONDS = 2.0         # after a kill: how long to wait for the pipes to close

# Variables that would make the child's Python or pip act on something else than the
# target: our PYTHONPATH, a PYTHONHOME, a macOS launcher, pip options set for our own pip.
_DROPPED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "__PYVENV_LAUNCHER__",
            "PIP_TARGET", "PIP_PREFIX", "PIP_USER")


def child_env(extra=None, base=None):
    # type: (Optional[Dict[str, str]], Optional[Dict[str, str]]) -> Dict[str, str]
    """The environment of every child: ``base`` (default ours) without what would redirect
    the target's Python or pip, with UTF-8 output, no pip self-check, plus ``extra``.

    ``--user`` is passed on pip's command line where it is meant, never inherited
    through ``PIP_USER``.
    """
    env = dict(os.environ if base is None else base)
    for name in _DROPPED:
        env.pop(name, None)
    env["LC_ALL"] = env.get("LC_ALL") or "C.UTF-8"
    env["PYTHONIOENCODING"] = "utf-8"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    if extra:
        env.update(extra)
    return env


# -- the children running now, so an interrupt can stop them all -----------------------------

_running = set()  # type: set
_running_lock = threading.Lock()


def kill_running_children():
    # type: () -> int
    """Kill the process group of every child still running (from a signal handler: an
    interrupt must not wait for a probe's timeout). Returns how many were killed."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        _kill_group(proc)
    return len(procs)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:  # already gone, or a setuid member we may not signal: the leader at least
        try:
            proc.kill()
        except OSError:
            pass


def _drain(proc):
    """Output left in the pipes after a kill; gives up when a process outside the group
    (one that started its own session) still holds them open."""
    try:
        return proc.communicate(timeout=_DRAIN_SECONDS)
    except (subprocess.TimeoutExpired, ValueError):
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.wait()
        return b"", b""


def run_process(argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
    # type: (Sequence[str], Optional[float], Optional[Dict[str, str]], Optional[str], Optional[str]) -> CommandResult
    """Run ``argv`` on this machine (see ``Host.run``). ``timeout`` None waits for ever."""
    argv = [str(a) for a in argv]
    started = time.monotonic()
    environ = child_env(env)
    # Found the way exec will look (the child's PATH), so a missing program is "not-found"
    # and a missing cwd is not mistaken for one.
    if os.sep not in argv[0] and shutil.which(argv[0], path=environ.get("PATH", os.defpath)) is None:
        return _not_started(argv, "not-found", log_path, started)
    if log_path:
        return _run_logged(argv, timeout, environ, cwd, log_path, started)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=environ, cwd=cwd,
                                start_new_session=True)
    except OSError as exc:
        return _not_started(argv, _start_error(exc), None, started)
    error = None
    with _running_lock:
        _running.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = _drain(proc)
        error = "timeout"
    except BaseException:
        _kill_group(proc)
        _drain(proc)
        raise
    finally:
        with _running_lock:
            _running.discard(proc)
    return CommandResult(argv, None if error else proc.returncode, out.decode("utf-8", "replace"),
                         err.decode("utf-8", "replace"), error, time.monotonic() - started)


def _start_error(exc):
    return "not-found" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))


def _not_started(argv, error, log_path, started):
    if log_path:
        with open(log_path, "ab") as log:
            log.write("\n$ {}\n[could not start: {}]\n".format(shell_command(argv), error).encode("utf-8"))
    return CommandResult(argv, None, "", "", error, time.monotonic() - started)


def _run_logged(argv, timeout, environ, cwd, log_path, started):
    with open(log_path, "ab") as log:
        log.write("\n$ {}{}\n".format(shell_command(argv), "   (in {})".format(cwd) if cwd else "").encode("utf-8"))
        log.flush()
        start = log.tell()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    env=environ, cwd=cwd, start_new_session=True)
        except OSError as exc:
            error = _start_error(exc)
            log.write("[could not start: {}]\n".format(error).encode("utf-8"))
            return CommandResult(argv, None, "", "", error, time.monotonic() - started)
        error = None
        with _running_lock:
            _running.add(proc)
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            returncode, error = None, "timeout"
        except BaseException:
            _kill_group(proc)
            proc.wait()
            raise
        finally:
            with _running_lock:
                _running.discard(proc)
        end = log.tell()
        log.write("[exit {}{}]\n".format(returncode, ", timed out" if error else "").encode("utf-8"))
    with open(log_path, "rb") as handle:
        begin = max(start, end - LOG_TAIL_BYTES)
        handle.seek(begin)
        output = handle.read(end - begin).decode("utf-8", "replace")
    return CommandResult(argv, returncode, output, "", error, time.monotonic() - started)

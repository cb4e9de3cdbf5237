"""The one interface through which trtsetup reads a machine and runs commands on it.

Probes never touch ``os``/``subprocess``/``open`` to read the system: they ask a ``Host``.
Three hosts exist:

* ``LiveHost`` — this machine.
* ``RootHost`` — a captured system tree (``--root DIR``): every path is read under DIR and no
  command runs; ``run`` answers "unavailable" so probes fall back to files.
* ``SnapshotHost`` — a snapshot file written by ``trtsetup snapshot`` (see docs/snapshot.md).

``RecordingHost`` wraps a live host and records every answer, which is how a snapshot is made.
"""

import base64
import fnmatch
import glob as _glob
import json
import os
import posixpath
import re
import shutil
import subprocess
import time
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence

from .errors import InputError

SNAPSHOT_SCHEMA = "trtsetup.snapshot/1"

DEFAULT_TIMEOUT = 10.0


class CommandResult(NamedTuple):
    """What running an argv gave. ``returncode`` is None when the command never ran."""

    argv: List[str]
    returncode: Optional[int]
    stdout: str
    stderr: str
    error: Optional[str] = None  # "not-found", "timeout", "unavailable", or an OSError text
    seconds: float = 0.0

    @property
    def ok(self):
        return self.returncode == 0

    def to_json(self):
        return {"argv": list(self.argv), "returncode": self.returncode, "stdout": self.stdout,
                "stderr": self.stderr, "error": self.error}


class ReadProblem(NamedTuple):
    path: str
    error: str


def _subprocess_env(extra):
    """The environment for a child: ours, minus what would redirect the child's Python."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PIP_TARGET", "PIP_PREFIX"):
        env.pop(name, None)
    env["LC_ALL"] = env.get("LC_ALL") or "C.UTF-8"
    env["PYTHONIOENCODING"] = "utf-8"
    if extra:
        env.update(extra)
    return env


class Host(object):
    """Read files, list directories, find programs and run argv lists with timeouts."""

    can_run = False
    description = "host"

    def __init__(self):
        self.problems = []  # type: List[ReadProblem]

    # -- files -----------------------------------------------------------------------------
    def read_bytes(self, path):
        # type: (str) -> Optional[bytes]
        """The whole file, or None when it is missing or unreadable (the latter is recorded)."""
        raise NotImplementedError

    def read_text(self, path):
        # type: (str) -> Optional[str]
        data = self.read_bytes(path)
        if data is None:
            return None
        return data.decode("utf-8", errors="replace")

    def exists(self, path):
        raise NotImplementedError

    def is_dir(self, path):
        raise NotImplementedError

    def listdir(self, path):
        # type: (str) -> List[str]
        """Sorted entry names, [] when the directory is missing."""
        raise NotImplementedError

    def glob(self, pattern):
        # type: (str) -> List[str]
        """Absolute host paths matching a glob pattern, sorted."""
        raise NotImplementedError

    def realpath(self, path):
        return path

    # -- environment and programs ------------------------------------------------------------
    @property
    def env(self):
        # type: () -> Mapping[str, str]
        raise NotImplementedError

    def which(self, name, path=None):
        # type: (str, Optional[str]) -> Optional[str]
        """Find a program on PATH (the host's PATH unless given) by looking at files."""
        search = path if path is not None else self.env.get("PATH", "/usr/local/bin:/usr/bin:/bin")
        for directory in search.split(os.pathsep):
            if not directory:
                continue
            candidate = posixpath.join(directory, name)
            if self.exists(candidate) and not self.is_dir(candidate):
                return candidate
        return None

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None):
        # type: (Sequence[str], float, Optional[Dict[str, str]], Optional[str]) -> CommandResult
        return CommandResult(list(argv), None, "", "", "unavailable")


class LiveHost(Host):
    can_run = True
    description = "this machine"

    def read_bytes(self, path):
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.problems.append(ReadProblem(path, exc.strerror or str(exc)))
            return None

    def exists(self, path):
        return os.path.lexists(path)

    def is_dir(self, path):
        return os.path.isdir(path)

    def listdir(self, path):
        try:
            return sorted(os.listdir(path))
        except OSError:
            return []

    def glob(self, pattern):
        return sorted(_glob.glob(pattern))

    def realpath(self, path):
        return os.path.realpath(path)

    @property
    def env(self):
        return os.environ

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None):
        argv = [str(a) for a in argv]
        started = time.monotonic()
        program = argv[0]
        if os.sep not in program and shutil.which(program) is None:
            return CommandResult(argv, None, "", "", "not-found")
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=_subprocess_env(env), cwd=cwd)
        except FileNotFoundError:
            return CommandResult(argv, None, "", "", "not-found")
        except OSError as exc:
            return CommandResult(argv, None, "", "", exc.strerror or str(exc))
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return CommandResult(argv, None, out.decode("utf-8", "replace"),
                                 err.decode("utf-8", "replace"), "timeout",
                                 time.monotonic() - started)
        return CommandResult(argv, proc.returncode, out.decode("utf-8", "replace"),
                             err.decode("utf-8", "replace"), None, time.monotonic() - started)


class RootHost(Host):
    """A system tree captured under DIR. Paths are host paths ("/etc/..."), read under DIR.

    Environment variables of the captured system come from ``DIR/proc/1/environ`` (NUL
    separated, as the kernel writes it): in a container that is the image's ENV.
    """

    description = "captured tree"

    def __init__(self, root):
        super(RootHost, self).__init__()
        if not os.path.isdir(root):
            raise InputError("--root {}: no such directory".format(root),
                             fix="Pass the directory that stands for / of the captured system.")
        self.root = os.path.abspath(root)
        self._env = None

    def _under(self, path):
        # Resolve symlinks inside the tree, treating absolute link targets as relative to
        # the root, so a captured /usr/local/cuda -> /usr/local/cuda-12.2 link works.
        parts = [p for p in path.split("/") if p]
        resolved = []  # type: List[str]
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = os.path.join(self.root, *(resolved + [part]))
            if os.path.islink(candidate) and hops < 40:
                hops += 1
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p] + parts
                continue
            resolved.append(part)
        return os.path.join(self.root, *resolved)

    def read_bytes(self, path):
        real = self._under(path)
        try:
            with open(real, "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.problems.append(ReadProblem(path, exc.strerror or str(exc)))
            return None

    def exists(self, path):
        return os.path.lexists(self._under(path))

    def is_dir(self, path):
        return os.path.isdir(self._under(path))

    def listdir(self, path):
        try:
            return sorted(os.listdir(self._under(path)))
        except OSError:
            return []

    def glob(self, pattern):
        # Walk the pattern one component at a time so that links inside the tree resolve.
        parts = [p for p in pattern.split("/") if p]
        current = ["/"]
        for part in parts:
            following = []
            for base in current:
                if _glob.has_magic(part):
                    for name in self.listdir(base):
                        if fnmatch.fnmatchcase(name, part) and not (name.startswith(".") and not part.startswith(".")):
                            following.append(posixpath.join(base, name))
                else:
                    candidate = posixpath.join(base, part)
                    if self.exists(candidate):
                        following.append(candidate)
            current = following
        return sorted(current)

    def realpath(self, path):
        real = self._under(path)
        rel = os.path.relpath(real, self.root)
        return "/" if rel == "." else "/" + rel

    @property
    def env(self):
        if self._env is None:
            data = self.read_bytes("/proc/1/environ")
            self._env = parse_environ(data) if data else {}
        return self._env


def parse_environ(data):
    # type: (bytes) -> Dict[str, str]
    """``/proc/<pid>/environ``: NUL-separated NAME=value pairs."""
    env = {}
    for item in data.split(b"\0"):
        if b"=" not in item:
            continue
        name, _, value = item.partition(b"=")
        env[name.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return env


# -- snapshots -------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r"(TOKEN|KEY|SECRET|PASSW|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)", re.I)
_GPU_UUID = re.compile(r"\b(GPU|MIG)-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4,}){3,}[0-9a-fA-F-]*")
_MAC = re.compile(r"\b[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\b")
_SERIAL_PATHS = ("serial-number", "serial_number", "product_serial", "board_serial", "chassis_serial")
REDACTED = "<redacted>"


def redact_text(text):
    text = _GPU_UUID.sub("GPU-" + REDACTED, text)
    return _MAC.sub(REDACTED, text)


def redact_env(env):
    return {k: (REDACTED if _SECRET_NAME.search(k) else redact_text(v)) for k, v in env.items()}


def _is_serial_path(path):
    name = posixpath.basename(path)
    return any(name.endswith(s) for s in _SERIAL_PATHS)


class RecordingHost(Host):
    """Wraps another host and remembers every answer, for ``trtsetup snapshot``."""

    def __init__(self, inner):
        super(RecordingHost, self).__init__()
        self.inner = inner
        self.can_run = inner.can_run
        self.description = inner.description
        self.problems = inner.problems
        self.files = {}     # type: Dict[str, Optional[bytes]]
        self.exists_ = {}   # type: Dict[str, bool]
        self.dirs = {}      # type: Dict[str, List[str]]
        self.isdirs = {}    # type: Dict[str, bool]
        self.globs = {}     # type: Dict[str, List[str]]
        self.reals = {}     # type: Dict[str, str]
        self.commands = []  # type: List[CommandResult]

    def read_bytes(self, path):
        data = self.inner.read_bytes(path)
        self.files[path] = data
        return data

    def exists(self, path):
        value = self.inner.exists(path)
        self.exists_[path] = value
        return value

    def is_dir(self, path):
        value = self.inner.is_dir(path)
        self.isdirs[path] = value
        return value

    def listdir(self, path):
        value = self.inner.listdir(path)
        self.dirs[path] = value
        return value

    def glob(self, pattern):
        value = self.inner.glob(pattern)
        self.globs[pattern] = value
        return value

    def realpath(self, path):
        value = self.inner.realpath(path)
        self.reals[path] = value
        return value

    @property
    def env(self):
        return self.inner.env

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None):
        result = self.inner.run(argv, timeout=timeout, env=env, cwd=cwd)
        self.commands.append(result)
        return result

    def to_snapshot(self, created, version):
        """The snapshot document, redacted: serial numbers, GPU UUIDs, MACs and secrets."""
        files = {}
        for path, data in sorted(self.files.items()):
            if data is None:
                files[path] = {"missing": True}
            elif _is_serial_path(path):
                files[path] = {"text": REDACTED}
            else:
                try:
                    files[path] = {"text": redact_text(data.decode("utf-8"))}
                except UnicodeDecodeError:
                    files[path] = {"base64": base64.b64encode(data).decode("ascii")}
        commands = []
        for result in self.commands:
            item = result.to_json()
            item["stdout"] = redact_text(item["stdout"])
            item["stderr"] = redact_text(item["stderr"])
            commands.append(item)
        return {
            "schema": SNAPSHOT_SCHEMA,
            "created": created,
            "trtsetup_version": version,
            "files": files,
            "exists": dict(sorted(self.exists_.items())),
            "is_dir": dict(sorted(self.isdirs.items())),
            "dirs": dict(sorted(self.dirs.items())),
            "globs": dict(sorted(self.globs.items())),
            "realpaths": dict(sorted(self.reals.items())),
            "env": redact_env(dict(self.env)),
            "commands": commands,
            "problems": [list(p) for p in self.problems],
        }


class SnapshotHost(Host):
    """Replays a snapshot: files, listings and command outputs exactly as captured."""

    can_run = True  # commands are answered from the capture
    description = "snapshot"

    def __init__(self, path):
        super(SnapshotHost, self).__init__()
        try:
            with open(path, "r", encoding="utf-8") as handle:
                doc = json.load(handle)
        except OSError as exc:
            raise InputError("cannot read snapshot {}: {}".format(path, exc.strerror or exc),
                             fix="Check the path; snapshots are written by `trtsetup snapshot -o FILE`.")
        except ValueError as exc:
            raise InputError("snapshot {} is not valid JSON ({})".format(path, exc),
                             fix="The file is damaged or truncated: capture it again with `trtsetup snapshot -o FILE`.")
        if not isinstance(doc, dict) or doc.get("schema") != SNAPSHOT_SCHEMA:
            raise InputError("{} is not a trtsetup snapshot (expected schema {!r})".format(path, SNAPSHOT_SCHEMA),
                             fix="Capture one with `trtsetup snapshot -o FILE` on the machine to diagnose.")
        self.doc = doc
        self.problems.extend(ReadProblem(p[0], p[1]) for p in doc.get("problems", []))
        self._commands = doc.get("commands", [])

    def read_bytes(self, path):
        item = self.doc.get("files", {}).get(path)
        if not item or item.get("missing"):
            return None
        if "base64" in item:
            return base64.b64decode(item["base64"])
        return item.get("text", "").encode("utf-8")

    def exists(self, path):
        known = self.doc.get("exists", {})
        if path in known:
            return bool(known[path])
        item = self.doc.get("files", {}).get(path)
        return bool(item) and not item.get("missing")

    def is_dir(self, path):
        return bool(self.doc.get("is_dir", {}).get(path, path in self.doc.get("dirs", {})))

    def listdir(self, path):
        return list(self.doc.get("dirs", {}).get(path, []))

    def glob(self, pattern):
        return list(self.doc.get("globs", {}).get(pattern, []))

    def realpath(self, path):
        return self.doc.get("realpaths", {}).get(path, path)

    @property
    def env(self):
        return self.doc.get("env", {})

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None):
        argv = [str(a) for a in argv]
        for item in self._commands:
            if item.get("argv") == argv:
                return CommandResult(argv, item.get("returncode"), item.get("stdout", ""),
                                     item.get("stderr", ""), item.get("error"))
        return CommandResult(argv, None, "", "", "unavailable")

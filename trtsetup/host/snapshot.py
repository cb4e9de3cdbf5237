"""Snapshots: ``RecordingHost`` records what the probes read, ``SnapshotHost`` replays it.

The format is ``docs/snapshot.md``.
"""

import base64
import json
from typing import Dict, List, Optional

from ..errors import InputError
from .base import DEFAULT_TIMEOUT, CommandResult, Host, ReadProblem
from .redact import REDACTED, _is_serial_path, redact_env, redact_text

SNAPSHOT_SCHEMA = "trtsetup.snapshot/1"


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

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        extra = {"log_path": log_path} if log_path else {}
        result = self.inner.run(argv, timeout=timeout, env=env, cwd=cwd, **extra)
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

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        argv = [str(a) for a in argv]
        for item in self._commands:
            if item.get("argv") == argv:
                return CommandResult(argv, item.get("returncode"), item.get("stdout", ""),
                                     item.get("stderr", ""), item.get("error"))
        return CommandResult(argv, None, "", "", "unavailable")

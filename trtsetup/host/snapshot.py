"""Snapshots: ``RecordingHost`` records what the probes read, ``SnapshotHost`` replays it.

The format is ``docs/snapshot.md``; ``snapshot_schema`` checks it on load and ``redact``
says what a capture leaves out.
"""

import base64
import json
from typing import Callable, Dict, List, Optional

from ..errors import InputError
from .base import DEFAULT_TIMEOUT, CommandResult, Host, ReadProblem
from .redact import REDACTED, is_serial_path, redact_env, redact_text
from .snapshot_schema import MAX_SHOWN, SNAPSHOT_SCHEMA, schema_version, snapshot_problems

_RECAPTURE = "capture it again with `trtsetup snapshot -o FILE` on the machine to diagnose"


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
        self.kinds = {}     # type: Dict[str, Optional[str]]
        self.links = {}     # type: Dict[str, Optional[str]]
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

    def lstat_kind(self, path):
        value = self.inner.lstat_kind(path)
        self.kinds[path] = value
        return value

    def readlink(self, path):
        value = self.inner.readlink(path)
        self.links[path] = value
        return value

    @property
    def env(self):
        return self.inner.env

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        extra = {"log_path": log_path} if log_path else {}
        result = self.inner.run(argv, timeout=timeout, env=env, cwd=cwd, **extra)
        self.commands.append(result)
        return result

    def to_snapshot(self, created, version, trim=None):
        # type: (str, str, Optional[Dict[str, Callable[[bytes], bytes]]]) -> dict
        """The snapshot document, redacted: serial numbers, GPU UUIDs, MACs and credentials.

        ``trim`` maps a path to a function that keeps only what the probes use of that file
        (the dpkg status database: a few stanzas of hundreds of kilobytes).
        """
        files = {}
        for path, data in sorted(self.files.items()):
            if data is not None and trim and path in trim:
                data = trim[path](data)
            if data is None:
                files[path] = {"missing": True}
            elif is_serial_path(path):
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
            "lstat_kinds": dict(sorted(self.kinds.items())),
            "readlinks": dict(sorted(self.links.items())),
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
        self.doc = load_snapshot(path)
        self.problems.extend(ReadProblem(p[0], p[1]) for p in self.doc["problems"])
        self._commands = self.doc["commands"]

    # The document's shapes were checked on load: no defaults are needed below.
    def read_bytes(self, path):
        item = self.doc["files"].get(path)
        if item is None or "missing" in item:
            return None
        if "base64" in item:
            return base64.b64decode(item["base64"])
        return item["text"].encode("utf-8")

    def exists(self, path):
        known = self.doc["exists"]
        if path in known:
            return known[path]
        item = self.doc["files"].get(path)
        return item is not None and "missing" not in item

    def is_dir(self, path):
        return self.doc["is_dir"].get(path, path in self.doc["dirs"])

    def listdir(self, path):
        return list(self.doc["dirs"].get(path, []))

    def glob(self, pattern):
        return list(self.doc["globs"].get(pattern, []))

    def realpath(self, path):
        return self.doc["realpaths"].get(path, path)

    def lstat_kind(self, path):
        return self.doc.get("lstat_kinds", {}).get(path)

    def readlink(self, path):
        return self.doc.get("readlinks", {}).get(path)

    @property
    def env(self):
        return self.doc["env"]

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        argv = [str(a) for a in argv]
        for item in self._commands:
            if item["argv"] == argv:
                return CommandResult(argv, item["returncode"], item["stdout"], item["stderr"], item["error"])
        return CommandResult(argv, None, "", "", "unavailable")


def load_snapshot(path):
    # type: (str) -> dict
    """The snapshot at ``path``, every shape checked; ``InputError`` (exit 2) naming what is
    wrong otherwise. A UTF-8 byte order mark (an editor's re-save) is accepted."""
    try:
        with open(path, "r", encoding="utf-8-sig") as handle:
            doc = json.load(handle)
    except OSError as exc:
        raise InputError("cannot read snapshot {}: {}".format(path, exc.strerror or exc),
                         fix="Check the path; snapshots are written by `trtsetup snapshot -o FILE`.")
    except ValueError as exc:
        raise InputError("snapshot {} is not valid JSON ({})".format(path, exc),
                         fix="The file is damaged or truncated: " + _RECAPTURE + ".")
    version = schema_version(doc)
    if version is not None and version > 1:
        raise InputError("snapshot {} was written by a newer trtsetup ({}; this one reads {})".format(
            path, doc["schema"], SNAPSHOT_SCHEMA),
            fix="Upgrade trtsetup here, or capture it with this version's `trtsetup snapshot -o FILE`.")
    if version != 1:
        raise InputError("{} is not a trtsetup snapshot (expected schema {!r})".format(path, SNAPSHOT_SCHEMA),
                         fix="Capture one with `trtsetup snapshot -o FILE` on the machine to diagnose.")
    problems = snapshot_problems(doc)
    if problems:
        shown = "; ".join(problems[:MAX_SHOWN])
        more = " (and {} more)".format(len(problems) - MAX_SHOWN) if len(problems) > MAX_SHOWN else ""
        raise InputError("snapshot {} is damaged: {}{}".format(path, shown, more),
                         fix="Its fields do not have the shapes of docs/snapshot.md: " + _RECAPTURE + ".")
    return doc

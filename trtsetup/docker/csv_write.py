"""The one place ``docker csv --write`` changes the system: replace a CSV atomically, with a backup.

An explicit, executor-like write: the command computes a ``CsvWrite`` (target, new bytes),
this module applies it. The old file is copied to ``<name>.trtsetup-<UTC stamp>.bak`` first
(a name that does not end in ``.csv``, so the runtime never reads the backup), then the new
text goes to a temp file beside the target and ``os.replace`` swaps it in: a process killed at
any point leaves the old file or the new one, never part of one.
"""

import datetime
import os
from typing import NamedTuple, Optional

from ..atomic import copy_atomic, write_bytes_atomic
from ..errors import RefusedError


class CsvWrite(NamedTuple):
    target: str          # the host path ("/etc/nvidia-container-runtime/.../tensorrt.csv")
    data: bytes


class CsvWriteResult(NamedTuple):
    path: str
    changed: bool
    backup: Optional[str]


def local_path(root, host_path):
    # type: (str, str) -> str
    """Where a host path lives on this machine: under ``--root DIR``, or itself."""
    if not root or root == "/":
        return host_path
    return os.path.join(root, host_path.lstrip("/"))


def _inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def apply_csv_write(write, root="/", now=None):
    # type: (CsvWrite, str, Optional[datetime.datetime]) -> CsvWriteResult
    path = local_path(root, write.target)
    directory = os.path.dirname(path)
    if root and root != "/" and not _inside(os.path.realpath(directory), os.path.realpath(root)):
        raise RefusedError("{} leads outside {} (a link in the tree)".format(os.path.dirname(write.target), root),
                           fix="Writing under --root stays inside DIR; fix the link or write on the machine itself.")
    if os.path.islink(path) or (os.path.lexists(path) and not os.path.isfile(path)):
        raise RefusedError("{} is not a regular file (a link or a special file): not replacing it".format(write.target),
                           fix="Look at it (ls -l {}) and replace it by hand.".format(write.target))
    if not os.path.isdir(directory):
        raise RefusedError("{} does not exist".format(os.path.dirname(write.target)),
                           fix="Is the NVIDIA container runtime installed? (sudo apt install nvidia-container-runtime)")
    if not os.access(directory, os.W_OK):
        raise RefusedError("cannot write to {} (permission denied)".format(os.path.dirname(write.target)),
                           fix="Run it with sudo.")
    old = None
    if os.path.exists(path):
        with open(path, "rb") as handle:
            old = handle.read()
    if old == write.data:
        return CsvWriteResult(write.target, False, None)
    backup = None
    if old is not None:
        stamp = (now or datetime.datetime.utcnow()).strftime("%Y%m%dT%H%M%SZ")
        backup = "{}.trtsetup-{}.bak".format(write.target, stamp)
        number = 1
        while os.path.lexists(local_path(root, backup)):  # a second write in the same second
            number += 1
            backup = "{}.trtsetup-{}-{}.bak".format(write.target, stamp, number)
        copy_atomic(path, local_path(root, backup))
    mode = (os.stat(path).st_mode & 0o777) if old is not None else 0o644
    write_bytes_atomic(path, write.data, mode=mode)
    return CsvWriteResult(write.target, True, backup)

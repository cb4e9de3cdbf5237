"""Which host and which target interpreter the user's --root/--snapshot/--python name.

The checks on these arguments live here, at the host layer, so every command that takes them
says the same thing: a relative --python is relative to the user's directory (it was "does
not exist": the interpreter is asked from a neutral directory), --python cannot select
another interpreter inside a snapshot, and an empty --root is not a system to judge.
"""

import os

from ..errors import InputError, UsageError
from .live import LiveHost

SYSTEM_ROOT_DIRS = ("etc", "usr", "proc", "var", "sys")


def target_python(path):
    # type: (object) -> object
    """``--python venv/bin/python`` as an absolute path; a bare name (``python3``) stays a PATH
    lookup, an absolute path stays as given (a venv's python symlink is not resolved)."""
    if isinstance(path, str) and path and os.sep in path and not os.path.isabs(path):
        return os.path.abspath(path)
    return path


def host_for(root, snapshot_file, python=None):
    """The Host for --root DIR, --snapshot FILE, or this machine."""
    if root and snapshot_file:
        raise UsageError("--root and --snapshot exclude each other", fix="Give one of them.")
    if snapshot_file and python:
        raise UsageError("--python cannot be used with --snapshot: the snapshot holds the answers of "
                         "the interpreter it was taken with",
                         fix="Drop --python. For another interpreter of that machine, take a snapshot "
                             "there with `trtsetup snapshot --python PATH -o FILE`.")
    if root:
        from .root import RootHost
        host = RootHost(root)
        if not any(os.path.isdir(os.path.join(root, top)) for top in SYSTEM_ROOT_DIRS):
            # Judging an empty directory printed every host fix and "all inputs read".
            raise InputError(
                "--root {}: the tree looks empty, it is not the / of a system (none of {})".format(
                    root, ", ".join(d + "/" for d in SYSTEM_ROOT_DIRS)),
                fix="Point --root at a copy of the system's / (etc/, usr/, var/lib/dpkg/, proc/device-tree/ "
                    "or proc/driver/nvidia/), or run `trtsetup snapshot -o FILE` there and use --snapshot FILE.")
        return host
    if snapshot_file:
        from .snapshot import SnapshotHost
        return SnapshotHost(snapshot_file)
    return LiveHost()

"""Writes that are never seen half-done: a temporary file beside the target, then os.replace.

A process killed with SIGKILL mid-write leaves either the old file or the new one, plus at
worst a stray ``.<name>.*.tmp`` beside it, which nothing reads.
"""

import json
import os
import shutil
import tempfile
from typing import Any


def _temp_beside(path, make_dirs=True):
    directory = os.path.dirname(path) or "."
    if make_dirs:
        os.makedirs(directory, exist_ok=True)
    return tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)


def write_bytes_atomic(path, data, mode=None, make_dirs=False):
    # type: (str, bytes, Any, bool) -> None
    """Write ``data`` to ``path`` atomically (fsync, then replace), with ``mode`` if given.

    The directory must exist unless ``make_dirs``.
    """
    fd, tmp = _temp_beside(path, make_dirs)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json_atomic(path, doc):
    # type: (str, Any) -> None
    """Write ``doc`` as sorted, indented JSON to ``path`` atomically (fsync, then replace)."""
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"), make_dirs=True)


def copy_atomic(source, path):
    # type: (str, str) -> None
    """Copy a file to ``path`` so that ``path`` is either absent or complete."""
    fd, tmp = _temp_beside(path)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

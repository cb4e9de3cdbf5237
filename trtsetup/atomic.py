"""Writes that are never seen half-done: a temporary file beside the target, then os.replace.

A process killed with SIGKILL mid-write leaves either the old file or the new one, plus at
worst a stray ``.<name>.*.tmp`` beside it, which nothing reads.
"""

import json
import os
import shutil
import tempfile
from typing import Any


def _temp_beside(path):
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    return tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)


def write_json_atomic(path, doc):
    # type: (str, Any) -> None
    """Write ``doc`` as sorted, indented JSON to ``path`` atomically (fsync, then replace)."""
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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

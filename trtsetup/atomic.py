"""Writes that are never seen half-done: a temporary file beside the target, then os.replace.

A process killed with SIGKILL mid-write leaves either the old file or the new one, plus at
worst a stray ``.<name>.*.tmp`` beside it, which nothing reads.
"""

import contextlib
import errno
import json
import os
import stat
from typing import Any


def _temp_beside(path, make_dirs=True):
    directory = os.path.dirname(path) or "."
    if make_dirs:
        os.makedirs(directory, exist_ok=True)
    import tempfile  # here: the doctor imports this module to read its cache, and writes rarely
    return tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)


@contextlib.contextmanager
def _removed_on_failure(tmp):
    """Remove the temp file when the block fails (Ctrl-C included), then re-raise."""
    try:
        yield
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path, data, mode=None, make_dirs=False):
    # type: (str, bytes, Any, bool) -> None
    """Write ``data`` to ``path`` atomically (fsync, then replace), with ``mode`` if given.

    The directory must exist unless ``make_dirs``.
    """
    fd, tmp = _temp_beside(path, make_dirs)
    with _removed_on_failure(tmp):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)


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
    import shutil
    with _removed_on_failure(tmp):
        shutil.copyfile(source, tmp)
        os.replace(tmp, path)


def write_output(path, data, mode=0o600):
    # type: (str, bytes, int) -> str
    """Write ``data`` to a path the user named (``-o FILE``, ``--html FILE``); return where.

    Atomic replacement is only for what it cannot destroy:
    * a new path or a regular file: temp file beside it, then ``os.replace`` (``mode``);
    * a symlink: followed to its final target, which is then written by these same rules,
      so the link stays a link (as a shell's ``>`` would);
    * a FIFO or a character device (``/dev/stdout``, ``/dev/null``, a pipe a reader waits on):
      opened and written in place; renaming over it would turn it into a plain file;
    * a directory, a block device or a socket: refused with ``IsADirectoryError`` /
      ``OSError`` before anything is written.
    """
    try:
        info = os.stat(path)  # follows links, /proc/self/fd/N's included
    except FileNotFoundError:
        info = None
    target = os.path.realpath(path) if os.path.islink(path) else path
    if info is None or stat.S_ISREG(info.st_mode):
        # A link whose target cannot be named (/dev/stdout of a deleted file) is written in place.
        if info is None or target == path or (os.path.exists(target) and os.path.samefile(target, path)):
            write_bytes_atomic(target, data, mode=mode)
            return target
    elif stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    elif not (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        raise OSError(errno.EINVAL, "not a regular file, FIFO or character device; refusing to replace it", path)
    with open(path, "wb") as handle:
        handle.write(data)
    return path

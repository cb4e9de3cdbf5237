"""``RootHost``: a system tree captured under a directory (``--root DIR``); runs nothing."""

import fnmatch
import glob as _glob
import os
import posixpath
from typing import Dict, List

from ..errors import InputError
from .base import Host, file_head_of, file_stamp_of, lstat_kind_of, read_file


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
        self.tree_root = self.root
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
        return read_file(self._under(path), path, self.problems)

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

    def file_size(self, path):
        try:
            return os.stat(self._under(path)).st_size
        except (OSError, ValueError):
            return None

    def file_stamp(self, path):
        return file_stamp_of(self._under(path))

    def file_head(self, path, size):
        return file_head_of(self._under(path), size)

    def realpath(self, path):
        real = self._under(path)
        rel = os.path.relpath(real, self.root)
        return "/" if rel == "." else "/" + rel

    def _under_parent(self, path):
        # The last component itself is not followed: lstat/readlink look at the link.
        parent, name = posixpath.split(posixpath.normpath("/" + path.lstrip("/")))
        if not name:
            return self.root
        return os.path.join(self._under(parent), name)

    def lstat_kind(self, path):
        return lstat_kind_of(self._under_parent(path))

    def readlink(self, path):
        try:
            return os.readlink(self._under_parent(path))
        except OSError:
            return None

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

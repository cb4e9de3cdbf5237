"""``LiveHost``: this machine, read with ``open``/``os`` and changed through ``run``."""

import glob as _glob
import os

from .base import DEFAULT_TIMEOUT, Host, file_head_of, file_stamp_of, lstat_kind_of, read_file


class LiveHost(Host):
    can_run = True
    is_live = True
    tree_root = "/"
    description = "this machine"

    def read_bytes(self, path):
        return read_file(path, path, self.problems)

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

    def lstat_kind(self, path):
        return lstat_kind_of(path)

    def readlink(self, path):
        try:
            return os.readlink(path)
        except OSError:
            return None

    def file_size(self, path):
        try:
            return os.stat(path).st_size
        except (OSError, ValueError):
            return None

    def file_stamp(self, path):
        return file_stamp_of(path)

    def file_head(self, path, size):
        return file_head_of(path, size)

    @property
    def env(self):
        return os.environ

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        # Here, not at the top: a `doctor --fast` whose answers are all remembered runs
        # nothing, and subprocess with its selectors costs it 1-2 ms to import.
        from .process import run_process
        return run_process(argv, timeout=timeout, env=env, cwd=cwd, log_path=log_path)

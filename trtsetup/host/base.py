"""The Host interface: what every host answers, and the capabilities callers ask about.

Code never tests a host's class. It asks:

* ``host.can_run_commands`` (also ``host.can_run``): ``run`` executes commands, or answers
  them from a capture. A captured tree (``--root``) answers every run "unavailable".
* ``host.is_live``: the host is this machine, now. Its state may also be read directly
  (``platform``, ``psutil``), remembered between runs (the torch probe cache) and changed
  (``install``). A recording of this machine is not live: every read must go through it.
* ``host.tree_root``: the real directory that stands for ``/`` ("/" live, DIR for ``--root``),
  for libraries that read files themselves (``distro``); None when there is none.
"""

import os
import posixpath
import shlex
import stat
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence

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


def shell_command(argv):
    # type: (Sequence[str]) -> str
    """An argv as a line to paste into a shell (display only: we never run shell strings)."""
    return " ".join(shlex.quote(str(a)) for a in argv)


_KINDS = ((stat.S_ISLNK, "link"), (stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"),
          (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISFIFO, "fifo"),
          (stat.S_ISSOCK, "socket"))


def lstat_kind_of(local_path):
    # type: (str) -> Optional[str]
    """``Host.lstat_kind`` for a path on this machine (LiveHost and RootHost use it)."""
    try:
        mode = os.lstat(local_path).st_mode
    except OSError:
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return None


def file_stamp_of(local_path):
    # type: (str) -> Optional[List[int]]
    """``Host.file_stamp`` for a path on this machine (LiveHost and RootHost use it)."""
    try:
        found = os.stat(local_path)
    except (OSError, ValueError):
        return None
    return [found.st_size, found.st_mtime_ns, found.st_ino]


def file_head_of(local_path, size):
    # type: (str, int) -> Optional[bytes]
    try:
        with open(local_path, "rb") as handle:
            return handle.read(size)
    except (OSError, ValueError):
        return None


def read_file(real_path, path, problems):
    # type: (str, str, List[ReadProblem]) -> Optional[bytes]
    """The bytes at ``real_path`` (``path`` as the host names it), None when it is missing;
    a file that exists but cannot be read is noted in ``problems`` and reads as None."""
    try:
        with open(real_path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        problems.append(ReadProblem(path, exc.strerror or str(exc)))
        return None


class Host(object):
    """Read files, list directories, find programs and run argv lists with timeouts."""

    can_run = False
    is_live = False
    tree_root = None  # type: Optional[str]
    description = "host"

    def __init__(self):
        self.problems = []  # type: List[ReadProblem]

    @property
    def can_run_commands(self):
        # type: () -> bool
        return bool(self.can_run)

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

    def lstat_kind(self, path):
        # type: (str) -> Optional[str]
        """What ``path`` itself is, links not followed: "file", "link", "dir", "char",
        "block", "fifo", "socket", or None when it does not exist."""
        return None

    def readlink(self, path):
        # type: (str) -> Optional[str]
        """The text of the symlink at ``path``, or None when it is not a link."""
        return None

    def file_size(self, path):
        # type: (str) -> Optional[int]
        """The size in bytes of what is at ``path`` (links followed), or None when nothing is
        there or this host cannot tell."""
        return None

    def file_stamp(self, path):
        # type: (str) -> Optional[List[int]]
        """``[size, mtime_ns, inode]`` of what is at ``path`` (links followed): what changes
        when a file is rewritten, replaced or (for a directory) gains or loses an entry. None
        when nothing is there or this host cannot tell: then nothing can be proven unchanged."""
        return None

    def file_head(self, path, size):
        # type: (str, int) -> Optional[bytes]
        """The first ``size`` bytes of the file at ``path`` (links followed), or None when it
        cannot be read or this host cannot tell (what kind of program a file is, without
        reading all of it)."""
        return None

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

    def run(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, log_path=None):
        # type: (Sequence[str], Optional[float], Optional[Dict[str, str]], Optional[str], Optional[str]) -> CommandResult
        """Run ``argv`` (a list, never a shell string) and wait at most ``timeout`` seconds.

        ``env`` adds variables to the cleaned child environment (``process.child_env``).
        With ``log_path`` the combined output is appended to that file as it comes (so a long
        build can be followed with ``tail -f``) and ``stdout`` holds its tail.
        """
        return CommandResult([str(a) for a in argv], None, "", "", "unavailable")

"""The one seam through which trtsetup reads a machine and runs commands on it.

Probes never touch ``os``/``subprocess``/``open`` to read the system: they ask a ``Host``
(``base.Host``; its capabilities, not its class, say what it can do). The hosts:

* ``LiveHost`` (``live``) — this machine.
* ``RootHost`` (``root``) — a captured system tree (``--root DIR``): every path is read under
  DIR and no command runs; ``run`` answers "unavailable" so probes fall back to files.
* ``SnapshotHost`` (``snapshot``) — a snapshot file written by ``trtsetup snapshot`` (see
  docs/snapshot.md); ``RecordingHost`` wraps a live host and records every answer, which is
  how a snapshot is made; ``redact`` is what it leaves out.

Children run through ``process.run_process``: a cleaned environment (``child_env``), their
own process group, the whole group killed on timeout or interrupt.
"""

from .base import DEFAULT_TIMEOUT, CommandResult, Host, ReadProblem, shell_command  # noqa: F401
from .live import LiveHost  # noqa: F401
from .process import LOG_TAIL_BYTES, child_env, kill_running_children, run_process  # noqa: F401
from .redact import REDACTED, is_secret_name, redact_credentials, redact_env, redact_text  # noqa: F401
from .root import RootHost, parse_environ  # noqa: F401
from .snapshot import SNAPSHOT_SCHEMA, RecordingHost, SnapshotHost, load_snapshot  # noqa: F401


def _subprocess_env(extra):
    """Kept for callers not yet moved to ``child_env`` (the executor)."""
    return child_env(extra)

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

Import each from its own module (``from trtsetup.host.live import LiveHost``): this package
imports nothing itself, so a ``doctor --fast`` on this machine does not load the snapshot,
redaction and tree-reading code it never uses.
"""

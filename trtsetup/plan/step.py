"""The Step contract shared by every install step and the executor.

A step is pyinfra's operation: it knows whether the machine already is as it wants it
(``is_satisfied``) and how to get there (``run``). The executor re-checks ``is_satisfied``
right before running a step, because an earlier step may have changed the machine.
"""

from typing import Any, Callable, Dict, List, NamedTuple, Optional


class ExecContext(NamedTuple):
    """What a step may use while running. Built by the executor, never by a step.

    ``run_logged(argv, env=None, cwd=None, timeout=None)`` runs a command, appends its output
    to this step's log file and returns a ``host.CommandResult``. ``log_path`` is that file.
    ``emit(message)`` reports progress (stderr in text mode; nothing on stdout).
    """

    host: Any                       # trtsetup.host.Host (a LiveHost when installing)
    python: str                     # the target interpreter
    user: bool                      # pip/setup.py --user wanted (only honoured for a system Python)
    dry_run: bool
    state_dir: str                  # manifest, lock, lock file of hashes
    cache_dir: str                  # downloads, source checkouts, built wheels
    log_path: str
    run_logged: Callable[..., Any]
    emit: Callable[[str], None]
    options: Dict[str, Any]         # command-line options that steps read (index URLs, ...)


class Step(object):
    """Base class: subclasses set ``id``/``summary``/``reason`` and implement the two methods."""

    id = "step"              # stable kebab-case, e.g. "torch-wheel-install"
    summary = ""             # one line: what the step does
    reason = ""              # why the resolver chose it (and with which value)

    def is_satisfied(self, ctx):
        # type: (ExecContext) -> Optional[str]
        """Why nothing needs doing (a sentence), or None when the step has work to do."""
        raise NotImplementedError

    def run(self, ctx):
        # type: (ExecContext) -> Optional[Dict[str, Any]]
        """Do the work; raise ActionFailed on failure. May return facts for the manifest."""
        raise NotImplementedError

    def describe(self):
        # type: () -> Dict[str, Any]
        """Extra JSON for ``trtsetup plan`` (URLs, versions, paths)."""
        return {}

    def to_json(self):
        doc = {"id": self.id, "summary": self.summary, "reason": self.reason}
        doc.update(self.describe())
        return doc

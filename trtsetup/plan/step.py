"""The Step contract shared by every install step and the executor.

A step is pyinfra's operation: it knows whether the machine already is as it wants it
(``is_satisfied``) and how to get there (``run``). The executor re-checks ``is_satisfied``
right before running a step, because an earlier step may have changed the machine.

Every step is built one way, ``cls.from_spec(spec)``, from its planned ``StepSpec``
(``plan/model.py``): the params are everything it acts on, decided by the resolver and shown
by ``trtsetup plan --json``. A step reads its params, the machine (through ``ctx``) and what
earlier steps of this run returned (``ctx.earlier``); never the facts or the recipes.
"""

from typing import Any, Callable, Dict, NamedTuple, Optional


class ExecContext(NamedTuple):
    """What a step may use while running. Built by the executor, never by a step.

    ``run_logged(argv, env=None, cwd=None, timeout=None)`` runs a command, appends its output
    to this step's log file and returns a ``host.CommandResult``. ``log_path`` is that file.
    ``emit(message)`` reports progress (stderr in text mode; nothing on stdout).
    ``earlier`` maps the id of each step that ran before in this run to what its ``run``
    returned (``t2t-source`` -> the source tree the later torch2trt steps work in).
    ``options`` holds how to run, never what to install: ``progress_factory``, ``tmp_dir``.
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
    options: Dict[str, Any]
    earlier: Dict[str, Any] = {}


class Step(object):
    """Base class: subclasses set ``id`` and implement ``is_satisfied`` and ``run``.

    ``from_spec`` copies the spec's summary, reason, params, ``blocked`` (the executor stops
    at a blocked step with that sentence) and ``skip`` (the option that turns it off); a
    subclass that needs more than ``self.params`` reads it in ``__init__``.
    """

    id = "step"              # stable kebab-case, e.g. "torch-install"
    summary = ""             # one line: what the step does
    reason = ""              # why the resolver chose it (and with which value)
    params = {}              # type: Dict[str, Any]
    blocked = None           # type: Optional[str]
    skip = None              # type: Optional[str]

    def __init__(self, spec=None):
        self.spec = spec
        if spec is not None:
            self.summary = spec.summary or self.summary
            self.reason = spec.reason or self.reason
            self.params = dict(spec.params or {})
            self.blocked = getattr(spec, "blocked", None)
            self.skip = getattr(spec, "skip", None)

    @classmethod
    def from_spec(cls, spec):
        return cls(spec)

    def is_satisfied(self, ctx):
        # type: (ExecContext) -> Optional[str]
        """Why nothing needs doing (a sentence), or None when the step has work to do."""
        raise NotImplementedError

    def skip_reason(self, ctx):
        # type: (ExecContext) -> str
        """What to say for a step turned off by ``self.skip`` (nothing is checked or run)."""
        return "skipped ({})".format(self.skip)

    def run(self, ctx):
        # type: (ExecContext) -> Optional[Dict[str, Any]]
        """Do the work; raise ActionFailed on failure. May return facts for the manifest."""
        raise NotImplementedError

    def describe(self):
        # type: () -> Dict[str, Any]
        """Extra JSON for the install report: the params."""
        return {"params": dict(self.params)}

    def to_json(self):
        doc = {"id": self.id, "summary": self.summary, "reason": self.reason}
        doc.update(self.describe())
        return doc

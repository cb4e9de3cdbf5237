"""Run a plan's steps: the only place where trtsetup changes the machine.

For each step, in order: re-check ``is_satisfied`` right before it (an earlier step may have
changed the machine), then run it with its own log file, then record what it did in the
manifest. The whole run holds an ``flock`` on ``<state>/install.lock``, so a second install
fails fast naming the first one's pid, and a killed install leaves no stale lock (the kernel
drops an flock with its process).

Everything is written so that a run killed with SIGKILL at any point completes on the next
run with no clean-up by hand: downloads land in ``.part`` files renamed when verified,
builds happen in ``<cache>/tmp`` (emptied by the next run, under the lock), wheels are copied
into the cache atomically, and the manifest is replaced atomically.
"""

import datetime
import errno
import fcntl
import json
import os
import shutil
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

from .atomic import write_json_atomic
from .errors import ActionFailed, Interrupted, RefusedError, TrtsetupError
from .host.base import CommandResult
from .plan.step import ExecContext, Step
from .report import schemas

INSTALL_SCHEMA = schemas.INSTALL
MANIFEST_SCHEMA = "trtsetup.manifest/1"

# Statuses of a step in an InstallResult
DONE = "done"                   # it ran and changed the machine
SKIPPED = "skipped"             # already satisfied (reason says why) or skipped by an option
FAILED = "failed"
WOULD_RUN = "would-run"         # --dry-run: it has work to do
NOT_RUN = "not-run"             # an earlier step failed or was blocked
BLOCKED = "blocked"             # the plan says it cannot run on this machine (StepSpec.blocked)


class StepOutcome(NamedTuple):
    id: str
    summary: str
    status: str
    reason: Optional[str] = None        # why skipped, or what went wrong
    fix: Optional[str] = None
    log_path: Optional[str] = None
    seconds: float = 0.0
    details: Optional[Dict[str, Any]] = None   # what run() returned (also in the manifest)
    skipped_by: Optional[str] = None           # the option that turned it off ("--skip-apt")

    def to_json(self):
        return {"id": self.id, "summary": self.summary, "status": self.status,
                "reason": self.reason, "fix": self.fix, "log_path": self.log_path,
                "seconds": round(self.seconds, 3), "details": self.details,
                "skipped_by": self.skipped_by}


class InstallResult(NamedTuple):
    steps: Sequence[StepOutcome]
    changed: bool
    dry_run: bool
    python: Optional[str]
    log_dir: Optional[str]
    manifest_path: Optional[str]
    warnings: Sequence[str] = ()
    error: Optional[TrtsetupError] = None
    seconds: float = 0.0

    @property
    def exit_code(self):
        # type: () -> int
        return 0 if self.error is None else self.error.exit_code

    def to_json(self):
        error = None
        if self.error is not None:
            error = {"message": self.error.message, "fix": self.error.fix,
                     "log_path": getattr(self.error, "log_path", None),
                     "type": type(self.error).__name__}
        return {"schema": INSTALL_SCHEMA, "changed": self.changed, "dry_run": self.dry_run,
                "python": self.python, "steps": [s.to_json() for s in self.steps],
                "log_dir": self.log_dir, "manifest": self.manifest_path,
                "warnings": list(self.warnings), "error": error, "exit_code": self.exit_code,
                "seconds": round(self.seconds, 3)}


# -- the lock ---------------------------------------------------------------------------------

class InstallLock(object):
    """An exclusive ``flock`` on ``path`` holding the owner's pid; released when the process
    ends however it ends, so there is never a stale lock to remove."""

    def __init__(self, path):
        self.path = path
        self.fd = None  # type: Optional[int]

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = _read_pid(self.path)
            raise RefusedError(
                "another trtsetup install is running ({}; lock {})".format(
                    "pid {}".format(holder) if holder else "pid unknown", self.path),
                fix="Wait for it to finish; the lock is released as soon as that process ends.")
        os.ftruncate(fd, 0)
        os.write(fd, "{}\n".format(os.getpid()).encode("ascii"))
        self.fd = fd
        return self

    def __exit__(self, *exc_info):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        return False


def _read_pid(path):
    # type: (str) -> Optional[int]
    try:
        with open(path, "r") as handle:
            text = handle.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


# -- running commands into a log ----------------------------------------------------------------

def log_runner(host, log_path):
    # type: (Any, str) -> Callable[..., CommandResult]
    """``run_logged(argv, env=None, cwd=None, timeout=None)`` for a step: ``host.run`` with the
    output streamed into ``log_path`` (a long build can be followed with ``tail -f``); the
    result's ``stdout`` is the (tail of the) combined output. The host cleans the child's
    environment and kills its whole process group on a timeout (``host/process.py``)."""

    def run_logged(argv, env=None, cwd=None, timeout=None):
        return host.run(argv, timeout=timeout, env=env, cwd=cwd, log_path=log_path)

    return run_logged


def _no_commands(argv, env=None, cwd=None, timeout=None):
    """run_logged in a dry run: nothing runs."""
    return CommandResult([str(a) for a in argv], None, "", "", "dry-run")


# -- the manifest ---------------------------------------------------------------------------------

def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def read_manifest(path):
    # type: (str) -> Dict[str, Any]
    """The manifest of earlier installs, or an empty one (missing or damaged file)."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        doc = None
    if not isinstance(doc, dict) or doc.get("schema") != MANIFEST_SCHEMA:
        doc = {"schema": MANIFEST_SCHEMA}
    if not isinstance(doc.get("steps"), dict):
        doc["steps"] = {}
    return doc


# -- the run ----------------------------------------------------------------------------------------

def execute(steps, host, python, state_dir, cache_dir, user=False, options=None, emit=None,
            dry_run=False, target=None):
    # type: (Sequence[Step], Any, str, str, str, bool, Optional[Dict[str, Any]], Optional[Callable[[str], None]], bool, Optional[Dict[str, Any]]) -> InstallResult
    """Run ``steps`` against ``host`` for the interpreter ``python``.

    ``options`` say how to run, never what to install (``progress_factory``, ``tmp_dir``);
    ``target`` (versions of the platform: TensorRT, CUDA, JetPack ...) goes into the
    manifest so the doctor can later spot drift. Raises RefusedError when another install
    holds the lock; every other failure is reported in the result (``error``, exit code).
    """
    emit = emit or (lambda message: None)
    options = dict(options or {})
    started = time.monotonic()
    if dry_run:
        outcomes, warnings, error = _run_steps(steps, host, python, state_dir, cache_dir, user,
                                               options, emit, None, None)
        return InstallResult(tuple(outcomes), False, True, python, None, None, tuple(warnings),
                             error, time.monotonic() - started)
    try:
        os.makedirs(state_dir, exist_ok=True)
        os.makedirs(cache_dir, exist_ok=True)
    except OSError as exc:
        raise RefusedError("cannot create {}: {}".format(exc.filename, exc.strerror or exc),
                           fix="Make the state and cache directories writable "
                               "(XDG_STATE_HOME / XDG_CACHE_HOME) and re-run.")
    with InstallLock(os.path.join(state_dir, "install.lock")):
        scratch = os.path.join(cache_dir, "tmp")
        shutil.rmtree(scratch, ignore_errors=True)  # left by a killed run; we hold the lock
        options.setdefault("tmp_dir", scratch)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        log_dir = os.path.join(state_dir, "logs", "{}-{}".format(stamp, os.getpid()))
        manifest_path = os.path.join(state_dir, "manifest.json")
        recorder = _ManifestRecorder(manifest_path, python, target)
        outcomes, warnings, error = _run_steps(steps, host, python, state_dir, cache_dir, user,
                                               options, emit, log_dir, recorder)
        changed = any(o.status == DONE for o in outcomes)
        return InstallResult(tuple(outcomes), changed, False, python,
                             log_dir if os.path.isdir(log_dir) else None, manifest_path,
                             tuple(warnings), error, time.monotonic() - started)


class _ManifestRecorder(object):
    def __init__(self, path, python, target):
        self.path = path
        self.python = python
        self.target = target

    def record(self, step, status, details=None, reason=None):
        doc = read_manifest(self.path)
        previous = doc["steps"].get(step.id)
        if status == SKIPPED and previous is not None:
            return  # nothing new to say about it
        entry = {"status": "installed" if status == DONE else "present", "summary": step.summary,
                 "reason": reason, "at": _now(), "details": details}
        doc["steps"][step.id] = entry
        doc["python"] = self.python
        doc["updated"] = _now()
        if self.target is not None and status == DONE:
            doc["platform"] = self.target
        write_json_atomic(self.path, doc)


def _run_steps(steps, host, python, state_dir, cache_dir, user, options, emit, log_dir, recorder):
    """Run (or, without a ``log_dir``, only check: a dry run) each step in turn."""
    dry_run = log_dir is None
    outcomes = []  # type: List[StepOutcome]
    warnings = []  # type: List[str]
    error = None   # type: Optional[TrtsetupError]
    earlier = {}   # type: Dict[str, Any]  step id -> what its run() returned, for the later steps
    total = len(steps)
    for index, step in enumerate(steps, 1):
        label = "[{}/{}] {}".format(index, total, step.id)
        if error is not None:
            outcomes.append(StepOutcome(step.id, step.summary, NOT_RUN,
                                        "not run: an earlier step stopped the install"))
            continue
        log_path = None if dry_run else os.path.join(log_dir, "{:02d}-{}.log".format(index, step.id))
        ctx = ExecContext(host=host, python=python, user=user, dry_run=dry_run,
                          state_dir=state_dir, cache_dir=cache_dir, log_path=log_path,
                          run_logged=log_runner(host, log_path) if log_path else _no_commands,
                          emit=emit, options=options, earlier=earlier)
        began = time.monotonic()
        blocked = getattr(step, "blocked", None)
        if blocked:
            error = RefusedError("{} cannot run: {}".format(step.id, blocked),
                                 fix="Fix what the plan names, then re-run the install" + (
                                     "." if dry_run else "; the steps before it are kept."))
            emit("{}: blocked: {}".format(label, blocked))
            outcomes.append(StepOutcome(step.id, step.summary, BLOCKED, blocked, error.fix))
            continue
        try:
            if getattr(step, "skip", None):
                reason = step.skip_reason(ctx)
                emit("{}: {}".format(label, reason))
                outcomes.append(StepOutcome(step.id, step.summary, SKIPPED, reason,
                                            seconds=time.monotonic() - began, skipped_by=step.skip))
                continue
            reason = step.is_satisfied(ctx)
            if reason is not None:
                emit("{}: nothing to do ({})".format(label, reason))
                if not dry_run:
                    recorder.record(step, SKIPPED, reason=reason)
                outcomes.append(StepOutcome(step.id, step.summary, SKIPPED, reason,
                                            seconds=time.monotonic() - began))
                continue
            if dry_run:
                emit("{}: would run: {}".format(label, step.summary))
                outcomes.append(StepOutcome(step.id, step.summary, WOULD_RUN, step.reason,
                                            seconds=time.monotonic() - began))
                continue
            os.makedirs(os.path.dirname(log_path), exist_ok=True)
            with open(log_path, "a", encoding="utf-8") as log:
                log.write("# {} — {}\n# why: {}\n# started {}\n".format(
                    step.id, step.summary, step.reason, _now()))
            emit("{}: {}".format(label, step.summary))
            details = step.run(ctx)
            earlier[step.id] = details
            after = step.is_satisfied(ctx)
            if after is None:
                warnings.append("{} finished, but a fresh check does not find its result; "
                                "see {}".format(step.id, log_path))
            recorder.record(step, DONE, details=details, reason=step.reason)
            outcomes.append(StepOutcome(step.id, step.summary, DONE, after or step.reason,
                                        log_path=log_path, seconds=time.monotonic() - began,
                                        details=details))
        except KeyboardInterrupt:
            # What the user needs after Ctrl-C: which step, where its log is, how to go on.
            written = log_path if log_path and os.path.exists(log_path) else None
            raise Interrupted("interrupted during {}: {}".format(label, step.summary),
                              fix=("Re-run the same command to resume: finished steps are kept and "
                                   "skipped, this one starts again." if not dry_run else
                                   "Re-run the same command."),
                              log_path=written)
        except TrtsetupError as exc:
            written = log_path if log_path and os.path.exists(log_path) else None
            if isinstance(exc, ActionFailed) and exc.log_path is None:
                exc.log_path = written
            error = exc
            shown = getattr(exc, "log_path", None) or written
            emit("{}: failed: {}{}".format(label, exc.message, " (log: {})".format(shown) if shown else ""))
            outcomes.append(StepOutcome(step.id, step.summary, FAILED, exc.message, exc.fix, shown,
                                        time.monotonic() - began))
    return outcomes, warnings, error

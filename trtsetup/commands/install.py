"""``trtsetup install``: resolve the plan for this machine and run it.

A plain function of resolved arguments (pipx style): the CLI parses the options, probes the
facts, loads the recipes, calls ``install`` and prints ``render_install_text(result)`` or
``result.to_json()``, then exits with ``result.exit_code`` (0 converged, 1 a step failed,
2 refused: no root for apt, a blocked step, another install running).
"""

import sys
from typing import Any, Callable, Dict, List, Optional

from .. import dirs
from ..errors import UsageError
from ..executor import (BLOCKED, DONE, FAILED, NOT_RUN, SKIPPED, WOULD_RUN, InstallResult,
                        execute)
from ..plan.steps.download import terminal_progress
from ..plan.steps.pip import is_isolated
from ..probes.python_env import read_python
from ..step_kinds import build_steps
from .plan import plan as resolve

__all__ = ["install", "render_install_text", "InstallResult"]


def install(host, facts, recipes, overrides=None, user=False, dry_run=False, skip_apt=False,
            state_dir=None, cache_dir=None, emit=None, progress_factory=None):
    # type: (Any, Any, Any, Optional[Dict[str, Any]], bool, bool, bool, Optional[str], Optional[str], Optional[Callable[[str], None]], Optional[Callable[[str], Any]]) -> InstallResult
    """Resolve the plan from ``facts`` + ``recipes`` + ``overrides`` (the CLI's dict, see
    ``plan/resolve.py``) and execute it on ``host`` (this machine). Everything the steps do
    is in the plan (``trtsetup plan --json`` shows the same one); this only decides where
    (``--user``), how to show progress, and runs it.

    ``emit(message)`` receives progress lines (the CLI prints them on stderr).
    ``progress_factory(label)`` returns a download progress callback or None; by default a
    bar is drawn on stderr when it is a terminal and NO_COLOR is unset.
    """
    if not host.is_live:
        raise UsageError("install changes this machine; it cannot run on a captured tree or snapshot",
                         fix="Run `trtsetup plan` with --root/--snapshot to see what it would do there.")
    emit = emit or (lambda message: None)
    overrides = dict(overrides or {})
    if skip_apt:
        overrides["skip_apt"] = True
    plan = resolve(facts, recipes, overrides)
    python = plan.target.get("python_executable") or "python3"
    steps = build_steps(plan)
    warnings = list(plan.warnings)  # type: List[str]
    if user:
        env = read_python(host, python)
        if env.error is None and is_isolated(env):
            user = False
            warnings.append("--user ignored: {} is a {} ({}); installing into it, because a --user "
                            "install would be invisible there".format(
                                python, "conda environment" if env.is_conda else "virtual environment",
                                env.prefix))
            emit(warnings[-1])
    options = {"progress_factory": progress_factory or (lambda label: terminal_progress(sys.stderr, label))}
    result = execute(steps, host, python,
                     state_dir=state_dir or dirs.state_dir(),
                     cache_dir=cache_dir or dirs.cache_dir(),
                     user=user, options=options, emit=emit, dry_run=dry_run, target=plan.target)
    return result._replace(warnings=tuple(warnings) + tuple(result.warnings))


# -- text ---------------------------------------------------------------------------------------

_MARK_STATUS = {DONE: "ok", SKIPPED: "ok", WOULD_RUN: "warn", FAILED: "fail", BLOCKED: "fail",
                NOT_RUN: "skip"}
_PLAIN_MARKS = {"ok": "+", "warn": "*", "fail": "x", "skip": "-"}
_WORDS = {DONE: "done", SKIPPED: "already done", WOULD_RUN: "would run", FAILED: "FAILED",
          BLOCKED: "BLOCKED", NOT_RUN: "not run"}


def _word(step):
    if step.status == SKIPPED and getattr(step, "skipped_by", None):
        return "skipped"   # its reason starts "skipped (--skip-apt)"; no "already done"
    return _WORDS.get(step.status, step.status)


def render_install_text(result, style=None):
    # type: (InstallResult, Any) -> str
    """The install report for a terminal. ``style`` is ``report.Style`` (marks and colour);
    without one, plain ASCII marks."""
    def mark(status):
        kind = _MARK_STATUS.get(status, "skip")
        return style.mark(kind) if style is not None else _PLAIN_MARKS[kind]

    width = max([len(s.id) for s in result.steps] or [0])
    lines = ["trtsetup install{} for {}".format(" --dry-run" if result.dry_run else "",
                                                 result.python or "(no interpreter)")]
    for step in result.steps:
        detail = step.reason if step.status in (SKIPPED, FAILED, BLOCKED) else step.summary
        word = _word(step)
        if word == "skipped":
            lines.append("  {} {}  {}".format(mark(step.status), step.id.ljust(width), detail or word))
        else:
            lines.append("  {} {}  {}: {}".format(mark(step.status), step.id.ljust(width), word, detail or ""))
        if step.status in (FAILED, BLOCKED):
            if step.fix:
                lines.append("      fix: {}".format(step.fix))
            if step.log_path:
                lines.append("      log: {}".format(step.log_path))
    for warning in result.warnings:
        lines.append("warning: {}".format(warning))
    if result.error is not None:
        lines.append("Install stopped: {}".format(result.error.message))
        log_path = getattr(result.error, "log_path", None)
        if log_path:
            lines.append("Log: {}".format(log_path))
    elif result.dry_run:
        count = sum(1 for s in result.steps if s.status == WOULD_RUN)
        lines.append("Dry run: {} step{} would run; nothing was changed.".format(
            count, "" if count == 1 else "s"))
    elif result.changed:
        done = [s.id for s in result.steps if s.status == DONE]
        lines.append("Changed: {}. Manifest: {}".format(", ".join(done), result.manifest_path))
    else:
        lines.append("Nothing to do: everything is already installed (nothing changed).")
    if result.log_dir and (result.changed or result.error is not None):
        lines.append("Logs: {}".format(result.log_dir))
    text = "\n".join(lines) + "\n"
    return style.text(text) if style is not None else text

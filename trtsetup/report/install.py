"""``trtsetup install`` (and ``install --from-bundle``) as text and as ``trtsetup.install/1``."""

from typing import Any, Dict

from ..executor import BLOCKED, DONE, FAILED, NOT_RUN, SKIPPED, WOULD_RUN, InstallResult
from .style import FAIL, OK, PLAIN, SKIP, WARN


def install_json(result):
    # type: (InstallResult) -> Dict[str, Any]
    return result.to_json()


_MARK_STATUS = {DONE: OK, SKIPPED: OK, WOULD_RUN: WARN, FAILED: FAIL, BLOCKED: FAIL, NOT_RUN: SKIP}
_WORDS = {DONE: "done", SKIPPED: "already done", WOULD_RUN: "would run", FAILED: "FAILED",
          BLOCKED: "BLOCKED", NOT_RUN: "not run"}


def _word(step):
    if step.status == SKIPPED and getattr(step, "skipped_by", None):
        return "skipped"   # its reason starts "skipped (--skip-apt)"; no "already done"
    return _WORDS.get(step.status, step.status)


def render_install_text(result, style=None):
    # type: (InstallResult, Any) -> str
    """The install report for a terminal. ``style`` is ``report.Style`` (marks and colour);
    without one, plain ASCII marks (``style.PLAIN``: logs, tests)."""
    style = style or PLAIN

    def mark(status):
        return style.mark(_MARK_STATUS.get(status, SKIP))

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
    return style.text("\n".join(lines) + "\n")

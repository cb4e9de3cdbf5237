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
from ..plan.step import Step
from ..plan.steps import build_steps
from ..plan.steps.download import terminal_progress
from ..plan.steps.pip import is_isolated
from ..probes.python_env import read_python

__all__ = ["install", "render_install_text", "InstallResult"]


def _option(overrides, name):
    value = (overrides or {}).get(name)
    return None if value in ("", [], ()) else value


def install(host, facts, recipes, overrides=None, user=False, dry_run=False, skip_apt=False,
            state_dir=None, cache_dir=None, emit=None, progress_factory=None, step_factories=None):
    # type: (Any, Any, Any, Optional[Dict[str, Any]], bool, bool, bool, Optional[str], Optional[str], Optional[Callable[[str], None]], Optional[Callable[[str], Any]], Optional[Dict[str, Any]]) -> InstallResult
    """Resolve the plan from ``facts`` + ``recipes`` + ``overrides`` (the CLI's dict, see
    ``plan/resolve.py``) and execute it on ``host`` (this machine).

    ``emit(message)`` receives progress lines (the CLI prints them on stderr).
    ``progress_factory(label)`` returns a download progress callback or None; by default a
    bar is drawn on stderr when it is a terminal and NO_COLOR is unset.
    ``step_factories`` (step id -> ``f(spec)``) builds steps that need more than their spec
    (see ``plan.steps.build_steps``).
    """
    from ..plan.resolve import resolve_plan

    if not host.is_live:
        raise UsageError("install changes this machine; it cannot run on a captured tree or snapshot",
                         fix="Run `trtsetup plan` with --root/--snapshot to see what it would do there.")
    emit = emit or (lambda message: None)
    plan = resolve_plan(facts, recipes, overrides)
    python = (_option(overrides, "python") or plan.target.get("python_executable")
              or facts.python.executable or "python3")
    if step_factories is None:
        step_factories = torch2trt_factories(facts, plan, overrides)
    steps = build_steps(plan, step_factories)
    steps = with_torch2trt_verify(steps)
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
    options = {
        "skip_apt": bool(skip_apt),
        "progress_factory": progress_factory or (lambda label: terminal_progress(sys.stderr, label)),
        "index_url": _option(overrides, "index_url"),
        "extra_index_urls": _as_list(_option(overrides, "extra_index_url")),
        "find_links": _as_list(_option(overrides, "find_links")),
        "no_index": bool(_option(overrides, "no_index")),
    }
    result = execute(steps, host, python,
                     state_dir=state_dir or dirs.state_dir(),
                     cache_dir=cache_dir or dirs.cache_dir(),
                     user=user, options=options, emit=emit, dry_run=dry_run, target=plan.target)
    return result._replace(warnings=tuple(warnings) + tuple(result.warnings))


class _NothingToDo(Step):
    """A planned step that has nothing to do here (its reason says why)."""

    def __init__(self, spec, why):
        self.id = spec.id
        self.summary = spec.summary
        self.reason = spec.reason
        self.why = why

    def is_satisfied(self, ctx):
        return self.why

    def run(self, ctx):  # never called: always satisfied
        return None


def torch2trt_factories(facts, plan, overrides=None):
    """Step factories for the torch2trt steps (which share one job built from the facts)
    and the self-test; {} when the plan's torch2trt steps are blocked or absent."""
    from ..selftest.step import SelftestStep
    factories = {}
    if _option(overrides, "no_selftest"):
        factories["selftest"] = lambda spec: SelftestStep(spec, skip_reason="skipped (--no-selftest)")
    specs = {spec.id: spec for spec in plan.steps}
    source = specs.get("t2t-source")
    if source is None or getattr(source, "blocked", None):
        return factories
    from ..torch2trt import steps as t2t
    patch = specs.get("t2t-patch")
    build = specs.get("t2t-build")
    plugins = specs.get("t2t-plugins")
    patch_params = patch.params if patch is not None else {}
    arch = patch_params.get("cuda_arch") or []
    job = t2t.T2tJob.from_facts(
        facts, source.params.get("ref"), src=source.params.get("src"),
        require_ancestor=source.params.get("min_commit"),
        trt_include=patch_params.get("trt_include"), trt_lib=patch_params.get("trt_lib"),
        cuda_arch=",".join(arch) or None,
        plugins=bool(build.params.get("plugins")) if build is not None else False)
    factories["t2t-source"] = lambda spec: t2t.T2tSourceStep(job, spec.reason)
    factories["t2t-patch"] = lambda spec: t2t.T2tPatchStep(job, spec.reason)
    factories["t2t-build"] = lambda spec: t2t.T2tBuildStep(job, spec.reason)
    if plugins is not None and not plugins.params.get("enabled", True):
        factories["t2t-plugins"] = lambda spec: _NothingToDo(spec, spec.reason)
    else:
        factories["t2t-plugins"] = lambda spec: t2t.T2tPluginsStep(job, spec.reason)
    # t2t-verify is not a planned step of its own: it follows the build (with_torch2trt_verify).
    return factories


def with_torch2trt_verify(steps):
    """Insert torch2trt's post-install verification right after its last build step."""
    from ..torch2trt import steps as t2t
    jobs = [getattr(step, "job", None) for step in steps if step.id in ("t2t-build", "t2t-plugins")]
    jobs = [job for job in jobs if job is not None]
    if not jobs:
        return steps
    last = max(i for i, step in enumerate(steps) if step.id in ("t2t-build", "t2t-plugins"))
    return steps[:last + 1] + [t2t.T2tVerifyStep(jobs[0], "prove the installed torch2trt is the one Python imports")] + steps[last + 1:]


def _as_list(value):
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


# -- text ---------------------------------------------------------------------------------------

_MARK_STATUS = {DONE: "ok", SKIPPED: "ok", WOULD_RUN: "warn", FAILED: "fail", BLOCKED: "fail",
                NOT_RUN: "skip"}
_PLAIN_MARKS = {"ok": "+", "warn": "*", "fail": "x", "skip": "-"}
_WORDS = {DONE: "done", SKIPPED: "already done", WOULD_RUN: "would run", FAILED: "FAILED",
          BLOCKED: "BLOCKED", NOT_RUN: "not run"}


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
        lines.append("  {} {}  {}: {}".format(mark(step.status), step.id.ljust(width),
                                              _WORDS.get(step.status, step.status), detail or ""))
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

"""``trtsetup install``: resolve the plan for this machine and run it.

A plain function of resolved arguments (pipx style): the CLI parses the options, probes the
facts, loads the recipes, calls ``install`` and prints ``report.install.render_install_text(result)``
or ``install_json(result)``, then exits with ``result.exit_code`` (0 converged, 1 a step failed,
2 refused: no root for apt, a blocked step, another install running).
"""

import sys
from typing import Any, Callable, Dict, List, Optional

from .. import dirs
from ..errors import UsageError
from ..executor import InstallResult, execute
from ..plan.steps.download import terminal_progress
from ..plan.steps.pip import is_isolated
from ..probes.python_env import read_python
from ..report.selftest import log_text as selftest_log_text
from ..step_kinds import build_steps
from .plan import plan as resolve

__all__ = ["install", "InstallResult"]


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
    options = {"progress_factory": progress_factory or (lambda label: terminal_progress(sys.stderr, label)),
               "selftest_log_text": selftest_log_text}
    result = execute(steps, host, python,
                     state_dir=state_dir or dirs.state_dir(),
                     cache_dir=cache_dir or dirs.cache_dir(),
                     user=user, options=options, emit=emit, dry_run=dry_run, target=plan.target)
    return result._replace(warnings=tuple(warnings) + tuple(result.warnings))

"""``trtsetup plan``: what ``install`` would do on this (or a captured) machine, and why.

Returns the ``Plan`` (frozen data); ``report/plan.py`` renders it as text or JSON.

``install`` runs exactly this plan, so ``plan`` and ``install --dry-run`` agree, exit code
included: a plan with a BLOCKED step could not run here (exit 2), otherwise 0.
"""

import os
from typing import Any, Dict, Optional

from ..errors import EXIT_CANNOT_RUN, EXIT_OK, UsageError
from ..patterns import lazy
from ..plan.model import Plan
from ..plan.resolve import resolve_plan

_URL = lazy(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def plan(facts, recipes, overrides=None):
    # type: (Any, Any, Optional[Dict[str, Any]]) -> Plan
    """The install plan for ``facts`` (raises UsageError when the platform is unresolvable,
    or ``--torch`` names a wheel file that is not there)."""
    overrides = overrides or {}
    check_torch_wheel(overrides.get("torch"))
    return resolve_plan(facts, recipes, overrides)


def check_torch_wheel(value):
    # type: (Optional[str]) -> None
    """``--torch ./torch-...whl``: the file must exist here, where install will read it."""
    if not value or _URL.match(value) or not (value.endswith(".whl") or "/" in value):
        return
    if not os.path.isfile(value):
        raise UsageError("--torch {}: no such file".format(value),
                         fix="Give the path of a torch wheel on this machine, a URL, or --torch VERSION.")


def exit_code(result):
    # type: (Plan) -> int
    """2 when a step is blocked (install could not run it here), else 0."""
    return EXIT_CANNOT_RUN if result.blocked else EXIT_OK

"""``trtsetup plan``: what ``install`` would do on this (or a captured) machine, and why.

``install`` runs exactly this plan, so ``plan`` and ``install --dry-run`` agree, exit code
included: a plan with a BLOCKED step could not run here (exit 2), otherwise 0.
"""

import os
import re
from typing import Any, Dict, List, Optional

from ..errors import EXIT_CANNOT_RUN, EXIT_OK, UsageError
from ..plan.model import Plan
from ..plan.resolve import resolve_plan

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


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


def _describe_params(step):
    # type: (Any) -> List[str]
    p = step.params
    if step.id == "apt-prerequisites":
        return ["packages: " + (" ".join(p.get("packages") or []) or "(none)")]
    if step.id in ("torch-install", "torchvision-install"):
        if p.get("source") == "wheel":
            lines = ["wheel: " + (p.get("url") or p.get("path") or "?")]
            lines.append("sha256: " + (p.get("sha256") or "recorded on first download"))
            return lines
        if p.get("source") == "git":
            return ["git: {} tag {}".format(p.get("git_url"), p.get("tag"))]
        lines = ["pip: " + p.get("requirement", "")]
        if p.get("index_url"):
            lines.append("index: " + p["index_url"])
        for url in p.get("extra_index_urls") or []:
            lines.append("extra index: " + url)
        for folder in p.get("find_links") or []:
            lines.append("find links: " + folder)
        if p.get("no_index"):
            lines.append("no index (offline)")
        return lines
    if step.id == "t2t-source":
        line = "ref: {}".format(p.get("ref") or "none")
        if p.get("min_commit"):
            line += " (at or after {})".format(p["min_commit"])
        return [line] + (["source: " + p["src"]] if p.get("src") else [])
    return []


def render_plan_text(plan):
    # type: (Plan) -> str
    """Numbered steps, each with its reason (and key parameters) under it; warnings last."""
    t = plan.target
    if t.get("kind") == "jetson":
        head = "Plan for a Jetson: JetPack {} (L4T {}), Python {} ({}), TensorRT {}".format(
            t.get("jetpack"), t.get("l4t") or "?", t.get("python_version") or "?",
            t.get("python_executable"), t.get("tensorrt") or "not found")
    else:
        head = "Plan for {}: driver {} (CUDA <= {}), Python {} ({}), TensorRT {}".format(
            t.get("arch") or "x86_64", t.get("driver") or "?", t.get("driver_cuda") or "?",
            t.get("python_version") or "?", t.get("python_executable"), t.get("tensorrt") or "not found")
    lines = [head, ""]
    for number, step in enumerate(plan.steps, 1):
        lines.append("{:>2}. {}  [{}]".format(number, step.summary, step.id))
        lines.append("      why: " + step.reason)
        for extra in _describe_params(step):
            lines.append("      " + extra)
        if step.blocked:
            lines.append("      BLOCKED: " + step.blocked)
        elif step.skip:
            lines.append("      skipped ({})".format(step.skip))
    if plan.warnings:
        lines.append("")
        lines.append("Warnings:")
        for warning in plan.warnings:
            lines.append("  - " + warning)
    return "\n".join(lines)

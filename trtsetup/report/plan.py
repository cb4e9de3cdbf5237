"""``trtsetup plan`` as text and as its JSON document (``trtsetup.plan/1``)."""

from typing import Any, Dict, List

from ..plan.model import Plan


def plan_json(plan):
    # type: (Plan) -> Dict[str, Any]
    """The plan document: the same data ``install`` runs (``plan/model.py`` lists the params)."""
    return plan.to_json()


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


def render_plan_text(plan, style=None):
    # type: (Plan, Any) -> str
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
    text = "\n".join(lines)
    return style.text(text) if style is not None else text

"""Rendering for the terminal and for JSON. Only cli.py calls this module.

Colour only when stdout is a terminal and NO_COLOR is unset; the ✓/!/✗ marks fall back to
ASCII when stdout cannot encode them (an ASCII locale in a container).
"""

import codecs
import json
import os
import sys

import click

from . import __version__

DOCTOR_SCHEMA = "trtsetup.doctor/1"

_MARKS = {"ok": u"\u2713", "warn": u"!", "fail": u"\u2717", "skip": u"\u00b7"}
_ASCII_MARKS = {"ok": "+", "warn": "!", "fail": "x", "skip": "-"}
_COLOURS = {"ok": "green", "warn": "yellow", "fail": "red", "skip": None}


def use_colour(stream=None):
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def can_encode(text, stream=None):
    encoding = getattr(stream or sys.stdout, "encoding", None) or "ascii"
    try:
        codecs.lookup(encoding)
        text.encode(encoding)
        return True
    except (LookupError, UnicodeEncodeError):
        return False


class Style(object):
    def __init__(self, colour, unicode_ok):
        self.colour = colour
        self.unicode_ok = unicode_ok

    def mark(self, status):
        mark = (_MARKS if self.unicode_ok else _ASCII_MARKS)[status]
        return self.paint(mark, status)

    def paint(self, text, status=None, bold=False, dim=False):
        if not self.colour:
            return text
        return click.style(text, fg=_COLOURS.get(status) if status else None, bold=bold, dim=dim)

    def text(self, text):
        """Unicode punctuation in our own messages (≥, →) made safe for the stream."""
        if self.unicode_ok:
            return text
        return (text.replace(u"\u2265", ">=").replace(u"\u2264", "<=").replace(u"\u2192", "->")
                .replace(u"\u2713", "+").replace(u"\u2717", "x").replace(u"\u00b7", "-"))


def style_for(stream=None):
    return Style(use_colour(stream), can_encode(u"\u2713\u2717\u2265\u2192", stream))


def dumps(doc):
    """Exactly one JSON document: sorted keys, stable across runs."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False)


# -- doctor ------------------------------------------------------------------------------------

def doctor_json(facts, findings, exit_code):
    counts = {s: 0 for s in ("ok", "warn", "fail", "skip")}
    for f in findings:
        counts[f.status] += 1
    return {
        "schema": DOCTOR_SCHEMA,
        "trtsetup_version": __version__,
        "exit_code": exit_code,
        "ok": exit_code == 0,
        "summary": counts,
        "platform": facts.to_json(),
        "checks": [f.to_json() for f in findings],
    }


def platform_lines(facts):
    """The few lines that say what this machine is."""
    lines = []
    system = facts.system
    host = "" if facts.host in (None, "this machine") else " [{}]".format(facts.host)
    distro = system.distro_name or system.distro_id or ""
    if system.distro_version and system.distro_version not in distro:
        distro = (distro + " " + system.distro_version).strip()
    lines.append("Machine   {}{}{}".format(system.arch or "arch unknown", ", " + distro if distro else "", host))
    j = facts.jetson
    if j is not None:
        jp = j.jetpack or "unknown"
        if j.jetpack and not j.jetpack_exact:
            jp += " (assumed: unknown minor)"
        lines.append("Jetson    {} | L4T {} | JetPack {} | {} | CUDA arch {}".format(
            j.module or j.model or "module unknown", "R" + j.l4t if j.l4t else "unknown", jp,
            j.soc or "SoC unknown", j.cuda_arch or "?"))
    if facts.gpus:
        for gpu in facts.gpus:
            mem = " {:.0f} GiB".format(gpu.memory_mib / 1024.0) if gpu.memory_mib else ""
            lines.append("GPU {}     {} (sm {}){}".format(gpu.index if gpu.index is not None else "?", gpu.name,
                                                          gpu.compute_capability or "?", mem))
    nv = facts.nvidia
    if nv.driver_version or nv.cuda_driver_version:
        lines.append("Driver    {} (supports CUDA {})".format(nv.driver_version or "?", nv.cuda_driver_version or "?"))
    cuda = facts.cuda
    lines.append("CUDA      {}".format("{} at {}".format(cuda.version or cuda.nvcc_version or "?", cuda.home)
                                       if cuda.home else "not found"))
    if facts.cudnn.version:
        lines.append("cuDNN     {}".format(facts.cudnn.version))
    trt = facts.tensorrt
    if trt.version or trt.lib_dir or trt.python.importable:
        lines.append("TensorRT  {} ({})".format(trt.version or trt.python.version or "?", trt.layout or "layout unknown"))
    else:
        lines.append("TensorRT  not found")
    c = facts.container
    if c.runtime:
        lines.append("Container {}{}".format(c.runtime, " ({})".format(c.image) if c.image else ""))
    py = facts.python
    if py.executable:
        kind = interpreter_kind(py)
        pkgs = []
        for name in ("torch", "torchvision", "tensorrt", "torch2trt"):
            pkg = py.packages.get(name) if py.packages else None
            pkgs.append("{} {}".format(name, pkg.version if pkg else "-"))
        lines.append("Python    {} {} ({}) | {}".format(py.executable, py.version or "?", kind, ", ".join(pkgs)))
    return lines


def interpreter_kind(py):
    """venv, conda, system (the distribution's own, under /usr), another installation (pyenv,
    a tarball build: "not a venv"), or "?" when the interpreter could not tell."""
    if py.is_venv:
        return "venv"
    if py.is_conda:
        return "conda"
    if py.is_venv is None:
        return "?"
    if (py.base_prefix or py.prefix) in ("/usr", "/usr/local"):
        return "system"
    return "not a venv"


def _count(n, word):
    return "{} {}{}".format(n, word, "" if n == 1 else "s")


def render_doctor_text(facts, findings, exit_code, verbose=False, style=None):
    style = style or style_for()
    out = []
    for line in platform_lines(facts):
        out.append(style.text(line))
    out.append("")
    for finding in findings:
        if finding.status == "skip" and not verbose:
            continue
        head = u"{} {}  {}".format(style.mark(finding.status), finding.id, finding.summary)
        if verbose:
            head += style.paint("  ({:.0f} ms)".format(finding.seconds * 1000), dim=True)
        out.append(style.text(head))
        if finding.status in ("warn", "fail") and finding.fix:
            out.append(style.text(u"    fix: {}".format(finding.fix)))
        if finding.detail and (verbose or finding.status in ("warn", "fail")):
            out.append(style.text(u"    {}".format(finding.detail)))
    if verbose and facts.probe_seconds:
        timings = ", ".join("{} {:.0f} ms".format(k, v * 1000) for k, v in sorted(facts.probe_seconds.items()))
        out.append(style.paint("probes: " + timings, dim=True))
    counts = {}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    out.append("")
    if counts.get("fail"):
        out.append(style.paint("{} to fix, {}.".format(_count(counts["fail"], "problem"), _count(counts.get("warn", 0), "warning")),
                               "fail", bold=True))
    elif counts.get("warn"):
        out.append(style.paint("Ready, with {}.".format(_count(counts["warn"], "warning")), "warn", bold=True))
    else:
        out.append(style.paint("Everything torch2trt needs is in place.", "ok", bold=True))
    return "\n".join(out)

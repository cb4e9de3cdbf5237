"""The doctor's report: the platform lines, one line per finding, the verdict; and JSON."""

from .. import __version__
from . import schemas
from .style import FAIL, OK, SKIP, WARN, plural, style_for


# -- doctor ------------------------------------------------------------------------------------

def doctor_json(result):
    """``trtsetup.doctor/1`` of a ``DoctorResult``. ``selected_checks`` lists the ids of
    ``--check`` (null for a full run), so a partial verdict is never read as a whole one."""
    counts = {s: 0 for s in (OK, WARN, FAIL, SKIP)}
    for f in result.findings:
        counts[f.status] += 1
    return {
        "schema": schemas.DOCTOR,
        "trtsetup_version": __version__,
        "exit_code": result.exit_code,
        "ok": result.exit_code == 0,
        "summary": counts,
        "selected_checks": list(result.only) if result.only else None,
        "platform": result.facts.to_json(),
        "checks": [f.to_json() for f in result.findings],
    }


def checks_json(rows):
    """``trtsetup.checks/1``: what ``--list-checks`` lists."""
    return {"schema": schemas.CHECKS, "checks": [{"id": i, "summary": s} for i, s in rows]}


def render_checks_text(rows):
    width = max(len(i) for i, _ in rows)
    return "\n".join("{}  {}".format(check_id.ljust(width), summary) for check_id, summary in rows)


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


def render_doctor_text(result, verbose=False, style=None):
    style = style or style_for()
    facts, findings = result.facts, result.findings
    out = []
    for line in platform_lines(facts):
        out.append(style.text(line))
    out.append("")
    for finding in findings:
        if finding.status == SKIP and not verbose:
            continue
        head = u"{} {}  {}".format(style.mark(finding.status), finding.id, finding.summary)
        if verbose:
            head += style.paint("  ({:.0f} ms)".format(finding.seconds * 1000), dim=True)
        out.append(style.text(head))
        if finding.status in (WARN, FAIL) and finding.fix:
            out.append(style.text(u"    fix: {}".format(finding.fix)))
        if finding.detail and (verbose or finding.status in (WARN, FAIL)):
            out.append(style.text(u"    {}".format(finding.detail)))
    if verbose and facts.probe_seconds:
        timings = ", ".join("{} {:.0f} ms".format(k, v * 1000) for k, v in sorted(facts.probe_seconds.items()))
        out.append(style.paint("probes: " + timings, dim=True))
    out.append("")
    out.append(verdict(findings, result.only, style))
    return "\n".join(out)


def verdict(findings, only, style):
    """The last line. After ``--check ID`` it speaks of the checks that ran, never of the
    whole machine."""
    counts = {}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    fails, warns = counts.get(FAIL, 0), counts.get(WARN, 0)
    if only:
        ran = "in the {} run".format(plural(len(findings), "check"))
        rest = " (`trtsetup doctor` without --check runs them all)."
        if fails:
            return style.paint("{} to fix, {} {}{}".format(plural(fails, "problem"), plural(warns, "warning"), ran, rest),
                               FAIL, bold=True)
        if warns:
            return style.paint("No problem {}, {}{}".format(ran, plural(warns, "warning"), rest), WARN, bold=True)
        return style.paint("No problem {}{}".format(ran, rest), OK, bold=True)
    if fails:
        return style.paint("{} to fix, {}.".format(plural(fails, "problem"), plural(warns, "warning")), FAIL, bold=True)
    if warns:
        return style.paint("Ready, with {}.".format(plural(warns, "warning")), WARN, bold=True)
    return style.paint("Everything torch2trt needs is in place.", OK, bold=True)

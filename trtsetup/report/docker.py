"""Text and JSON for ``trtsetup docker csv`` and ``trtsetup docker image``. Only cli.py calls this."""

from typing import List

from .schemas import DOCKER_CSV, DOCKER_CSV_PRINT, DOCKER_IMAGE


def csv_check_json(result):
    report = result.report
    return {"schema": DOCKER_CSV, "exit_code": result.exit_code, "ok": result.exit_code == 0,
            "mount_spec_dir": report.mount_spec_dir, "files": list(report.files),
            "lines": report.lines, "resolved": report.resolved,
            "base_only": report.base_only, "reading": report.reading_why, "l4t_major": report.l4t_major,
            "problems": [p.to_json() for p in report.problems]}


def csv_check_text(result, style):
    report = result.report
    out = []  # type: List[str]
    out.append("CSV mount lists in {}: {}".format(report.mount_spec_dir, ", ".join(report.files)))
    out.append("Runtime: {}".format(report.reading_why))
    current = None
    for problem in report.problems:
        if problem.file != current:
            current = problem.file
            out.append("")
            out.append(current or "(host)")
        out.append(style.text(u"  {} {}".format(style.mark(problem.severity), problem.message)))
        out.append(style.text(u"      fix: {}".format(problem.fix)))
    out.append("")
    fails = sum(1 for p in report.problems if p.severity == "fail")
    warns = sum(1 for p in report.problems if p.severity == "warn")
    summary = "{} of {} lines resolve; {} problem(s), {} warning(s).".format(report.resolved, report.lines, fails, warns)
    out.append(style.paint(summary, "fail" if fails else ("warn" if warns else "ok"), bold=True))
    return "\n".join(out)


def csv_print_json(results, written=None):
    written = {w.path: w for w in written or []}
    files = []
    for r in results:
        item = {"name": r.name, "component": r.component, "path": r.target, "text": r.text, "source": r.source,
                "packages": list(r.packages), "lines": r.lines}
        if r.target in written:
            item["changed"] = written[r.target].changed
            item["backup"] = written[r.target].backup
        files.append(item)
    return {"schema": DOCKER_CSV_PRINT, "written": written != {}, "files": files}


def csv_print_text(results):
    """Exactly the file when one was asked; with several, each after a ``# name`` comment
    (the runtime skips such lines, so the output stays a valid CSV)."""
    if len(results) == 1:
        return results[0].text.rstrip("\n")
    parts = []
    for r in results:
        parts.append("# {} ({} lines from {})\n{}".format(r.target, r.lines, r.source, r.text))
    return "\n".join(parts).rstrip("\n")


def csv_write_lines(written):
    lines = []
    for w in written:
        if w.changed:
            lines.append("wrote {}{}".format(w.path, " (backup: {})".format(w.backup) if w.backup else ""))
        else:
            lines.append("{} is already up to date".format(w.path))
    return lines


def image_json(advice):
    doc = advice.to_json()
    doc["schema"] = DOCKER_IMAGE
    doc["docker_run"] = _run_line(advice)
    return doc


def _run_line(advice, image=None):
    if not advice.run_args:
        return None
    chosen = image or next((i.image for i in advice.images if i.role == "pytorch"),
                           advice.images[0].image if advice.images else "IMAGE")
    return "docker run -it --rm {} {}".format(" ".join(advice.run_args), chosen)


def image_text(advice, style):
    out = []
    if advice.platform == "jetson":
        out.append("Host: Jetson, L4T {}".format(advice.host_l4t))
    elif advice.platform == "ngc":
        out.append("Host: NVIDIA driver {}".format(advice.driver_version))
    else:
        out.append("Host: no Jetson L4T and no NVIDIA driver found")
    if advice.images:
        out.append("")
        width = max(len(i.role) for i in advice.images)
        for choice in advice.images:
            out.append("  {}  {}".format(choice.role.ljust(width), choice.image))
            detail = choice.why + ("; " + choice.note if choice.note else "")
            out.append("  {}  {}".format(" " * width, detail))
    if advice.never:
        out.append("")
        out.append("Never on this host: {}".format(advice.never))
    line = _run_line(advice)
    if line:
        out.append("")
        out.append("Run:")
        out.append("  " + line)
        if advice.cdi_args:
            out.append("  or with CDI: docker run -it --rm {} IMAGE".format(" ".join(advice.cdi_args)))
    for note in advice.notes:
        out.append(style.text(u"{} {}".format(style.mark("warn"), note)))
    return "\n".join(out)

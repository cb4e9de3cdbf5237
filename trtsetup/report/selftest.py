"""Text and JSON renderings of a ``SelftestResult``. They return strings; cli.py prints them."""

from .document import dumps
from .style import FAIL, OK, SKIP, Style

# A model's status -> the mark table's kind; in ASCII the word itself stands in the column.
_KINDS = {"pass": OK, "fail": FAIL, "skip": SKIP}
_WORDS = {"pass": "ok", "fail": "FAIL", "skip": "skip"}


def _ms(value):
    return "-" if value is None else "%.3f ms" % value


def log_text(result):
    """The text the install's ``selftest`` step writes into its log (ASCII: a log file)."""
    return render_text(result, ascii_only=True)


def render_text(result, ascii_only=False):
    """A short human report: one line per model, then the verdict (and the fix if any)."""
    lines = []
    versions = result.versions or {}
    lines.append("torch2trt self-test with %s (%s%s)" % (
        result.python, result.device, ", fp16" if result.fp16 else ""))
    known = ["%s %s" % (k, versions[k]) for k in sorted(versions) if versions[k]]
    if known:
        lines.append("  " + ", ".join(known))
    if result.torch2trt_file:
        note = " (a source checkout)" if result.torch2trt_source_tree else ""
        lines.append("  torch2trt from %s%s" % (result.torch2trt_file, note))
    for m in result.models:
        if ascii_only:
            mark = _WORDS.get(m.status, m.status)
        else:
            mark = _UNICODE.mark(_KINDS.get(m.status, SKIP))
        if m.status == "skip":
            lines.append("  %s %-22s skipped: %s" % (mark, m.name, m.detail))
            continue
        err = "-" if m.max_abs_error is None else "%.2g" % m.max_abs_error
        speed = "-" if m.speedup is None else "%.2fx" % m.speedup
        lines.append("  %s %-22s max err %-8s torch %-11s tensorrt %-11s speed-up %s" % (
            mark, m.name, err, _ms(m.torch_ms), _ms(m.tensorrt_ms), speed))
        if m.status != "pass":
            lines.append("      %s" % (m.error or m.detail))
    if result.status == "pass":
        lines.append("self-test passed")
    elif result.status == "cannot-run":
        lines.append("self-test could not run (%s): %s" % (result.cause, result.error))
    else:
        lines.append("self-test FAILED" + (" (%s): %s" % (result.cause, result.error)
                                           if result.cause or result.error else ""))
    if result.fix:
        lines.append("  fix: %s" % result.fix)
    return "\n".join(lines) + "\n"


_UNICODE = Style(colour=False, unicode_ok=True)


def to_json(result):
    """One JSON document with a top-level "schema" key, keys sorted (the one writer)."""
    return dumps(result.to_json()) + "\n"

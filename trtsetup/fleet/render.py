"""The fleet table as text and as one JSON document (``trtsetup.fleet-report/1``)."""

from typing import Any, Dict, List, Optional

from ..report import schemas
from .collect import STATUSES, DeviceRow

FLEET_REPORT_SCHEMA = schemas.FLEET_REPORT

# (header, function of a row -> text); the order is the table's.
COLUMNS = (
    ("device", lambda r: r.name),
    ("status", lambda r: r.status),
    ("platform", lambda r: r.platform),
    ("python", lambda r: r.python),
    ("torch", lambda r: r.versions.get("torch")),
    ("torchvision", lambda r: r.versions.get("torchvision")),
    ("tensorrt", lambda r: r.versions.get("tensorrt")),
    ("torch2trt", lambda r: r.versions.get("torch2trt")),
    ("install", lambda r: install_text(r)),
    ("selftest", lambda r: selftest_text(r)),
    ("failing", lambda r: " ".join(r.failing)),
    ("drift", lambda r: "; ".join(r.drift)),
)


def summary(rows):
    # type: (List[DeviceRow]) -> Dict[str, int]
    counts = {status: 0 for status in STATUSES}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    counts["devices"] = len(rows)
    return counts


def fleet_json(rows, problems, skipped):
    # type: (List[DeviceRow], List[str], int) -> Dict[str, Any]
    return {"schema": FLEET_REPORT_SCHEMA, "summary": summary(rows), "problems": list(problems),
            "skipped_files": skipped, "devices": [row.to_json() for row in rows]}


def install_text(row):
    # type: (DeviceRow) -> Optional[str]
    if row.install == "failed" and row.install_failed_step:
        return "failed: {}".format(row.install_failed_step)
    return row.install


def selftest_text(row):
    # type: (DeviceRow) -> Optional[str]
    if row.selftest is None:
        return None
    if row.speedup is not None:
        return "{} {:.1f}x".format(row.selftest, row.speedup)
    return row.selftest


def cells(row):
    # type: (DeviceRow) -> List[str]
    out = []
    for _header, get in COLUMNS:
        value = get(row)
        out.append("-" if value in (None, "") else str(value))
    return out


def render_text(rows, problems, skipped):
    # type: (List[DeviceRow], List[str], int) -> str
    table = [[header for header, _ in COLUMNS]] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = []
    for line in table:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    counts = summary(rows)
    lines.append("")
    lines.append("{} device(s): {} ok, {} warn, {} fail, {} without a doctor report.".format(
        counts["devices"], counts["ok"], counts["warn"], counts["fail"], counts["unknown"]))
    for problem in problems:
        lines.append("problem: {}".format(problem))
    if skipped:
        lines.append("{} JSON file(s) were not trtsetup reports and were skipped.".format(skipped))
    return "\n".join(lines)

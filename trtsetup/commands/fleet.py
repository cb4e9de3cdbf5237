"""``trtsetup fleet report DIR|FILE...``: one table of every device's reports.

Exit code: 0 when every device is ok or only warns, 1 when a device fails (a failing check,
a failed install or self-test) or a report file could not be read, 2 when no device report
was found at all.
"""

from typing import List, NamedTuple

from ..errors import EXIT_FAILED, EXIT_OK, InputError
from ..fleet.collect import DeviceRow, collect_device
from ..fleet.load import load_reports


class FleetReport(NamedTuple):
    rows: List[DeviceRow]
    problems: List[str]
    skipped: int

    @property
    def exit_code(self):
        if self.problems or any(row.status == "fail" for row in self.rows):
            return EXIT_FAILED
        return EXIT_OK


def fleet_report(paths):
    # type: (List[str]) -> FleetReport
    loaded = load_reports(list(paths))
    if not loaded.devices:
        raise InputError("no trtsetup reports found in {}".format(", ".join(paths)),
                         fix="Point at the directory the playbook fetched reports into "
                             "(files from `trtsetup doctor --json`, `install --json`, ...).")
    rows = [collect_device(name, docs) for name, docs in sorted(loaded.devices.items())]
    return FleetReport(rows, loaded.problems, loaded.skipped)

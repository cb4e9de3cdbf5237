"""The apt-prerequisites step: install the Debian packages that are missing, and only those.

What is installed is read from ``/var/lib/dpkg/status`` through the host. As root the step
runs ``apt-get install -y --no-install-recommends``; otherwise ``sudo -n`` (never a password
prompt); if sudo cannot run without a password it stops with the exact command to run by hand.
``--skip-apt`` leaves apt alone and says which packages were not checked in.
"""

from typing import Any, List

from ...errors import ActionFailed, RefusedError
from ...host.base import shell_command
from ...probes.dpkg import DPKG_STATUS, parse_dpkg_status
from ..step import Step

APT_TIMEOUT = 3600.0
APT_ARGS = ["apt-get", "install", "-y", "--no-install-recommends"]

_SUDO_REFUSALS = ("a password is required", "a terminal is required", "is not in the sudoers",
                  "may not run sudo", "is not allowed to execute")


def missing_packages(status_text, wanted):
    # type: (str, List[str]) -> List[str]
    """Wanted package names that dpkg does not list as installed (``name:arch`` allowed)."""
    have = parse_dpkg_status(status_text)
    return [name for name in wanted if name.split(":", 1)[0] not in have and name not in have]


def is_root(host):
    # type: (Any) -> bool
    """Whether commands run as root on the host (``id -u`` says 0)."""
    result = host.run(["id", "-u"], timeout=5)
    return result.ok and result.stdout.strip() == "0"


class AptPrerequisites(Step):
    """params: ``{"packages": [...]}``."""

    id = "apt-prerequisites"

    def __init__(self, spec):
        super(AptPrerequisites, self).__init__(spec)
        self.packages = list(self.params.get("packages") or [])

    def _missing(self, ctx):
        return missing_packages(ctx.host.read_text(DPKG_STATUS) or "", self.packages)

    def is_satisfied(self, ctx):
        missing = self._missing(ctx)
        if not missing:
            return "all {} packages are installed ({})".format(len(self.packages), ", ".join(self.packages)) \
                if self.packages else "no Debian packages are needed"
        return None

    def skip_reason(self, ctx):
        missing = self._missing(ctx)
        if not missing:
            return "skipped ({}); all {} packages are installed".format(self.skip, len(self.packages))
        return "skipped ({}): not installing {} (install them yourself: {})".format(
            self.skip, ", ".join(missing), shell_command(["sudo"] + APT_ARGS + missing))

    def run(self, ctx):
        missing = self._missing(ctx)
        argv = APT_ARGS + missing
        by_hand = shell_command(["sudo"] + argv)
        if not is_root(ctx.host):
            if ctx.host.which("sudo") is None:
                raise RefusedError(
                    "installing Debian packages needs root, and sudo is not installed",
                    fix="As root, run: {}  — then re-run this install (or pass --skip-apt).".format(
                        shell_command(argv)))
            argv = ["sudo", "-n"] + argv
        ctx.emit("installing Debian packages: {}".format(" ".join(missing)))
        result = ctx.run_logged(argv, env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=APT_TIMEOUT)
        output = result.stdout + result.stderr
        if not result.ok and argv[0] == "sudo" and any(s in output for s in _SUDO_REFUSALS):
            raise RefusedError(
                "installing Debian packages needs root, and sudo asks for a password",
                fix="Run: {}  — then re-run this install (or pass --skip-apt).".format(by_hand))
        if not result.ok:
            lines = [l for l in output.splitlines() if l.startswith("E:")] or output.splitlines()[-2:]
            fix = "Read the log for apt's output."
            if "Unable to locate package" in output:
                fix = "Refresh the package lists (`sudo apt-get update`) and re-run."
            elif "Could not get lock" in output or "Unable to acquire" in output:
                fix = "Another apt or dpkg is running; wait for it to finish and re-run."
            raise ActionFailed("apt-get install failed: {}".format("; ".join(lines)[:500]),
                               fix=fix, log_path=ctx.log_path)
        return {"installed": missing, "command": argv}

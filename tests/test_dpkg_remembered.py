"""dpkg's status file is parsed once and remembered across runs while its stamp holds.

Every doctor reads /var/lib/dpkg/status (several MB on a JetPack image) for Jetson's,
TensorRT's and the container runtime's packages. The parse is kept in the probe cache with
the file's size, mtime and inode (dpkg replaces the file on every change).
"""

import os

from trtsetup.host.live import LiveHost
from trtsetup.probe_cache import ProbeCache
from trtsetup.probes import dpkg

STANZA = "Package: {name}\nStatus: install ok installed\nArchitecture: arm64\nVersion: {version}\n\n"


class CountingHost(LiveHost):
    """This machine, counting whole-file reads of the status file."""

    def __init__(self, status):
        LiveHost.__init__(self)
        self.status, self.reads = status, 0

    def read_text(self, path, *args, **kwargs):
        if path == self.status:
            self.reads += 1
        return LiveHost.read_text(self, path, *args, **kwargs)


def _write_status(path, packages):
    with open(path, "w") as handle:
        handle.write("".join(STANZA.format(name=n, version=v) for n, v in packages))


def _new_process():
    """What a new `trtsetup doctor` starts with: nothing parsed in memory."""
    dpkg._by_stamp.clear()
    dpkg._memo.clear()


def test_a_second_run_answers_from_the_remembered_parse_until_dpkg_changes_the_file(tmp_path):
    status = str(tmp_path / "status")
    _write_status(status, [("nvidia-l4t-core", "36.4.3-20250107174145"), ("libnvinfer10", "10.3.0.30-1+cuda12.5")])
    cache = ProbeCache(str(tmp_path / "cache"))

    _new_process()
    first = CountingHost(status)
    dpkg.remember_installed(first, cache, status)
    assert dpkg.read_installed(first, status)["nvidia-l4t-core"] == "36.4.3-20250107174145"
    assert dpkg.read_installed(first, status) == dpkg.read_installed(first, status)
    assert first.reads == 1  # parsed once, whichever probe asks

    _new_process()
    second = CountingHost(status)
    dpkg.remember_installed(second, cache, status)
    assert dpkg.read_installed(second, status)["libnvinfer10"] == "10.3.0.30-1+cuda12.5"
    assert second.reads == 0  # the remembered parse, proven by the file's stamp

    # `apt install` rewrites the file (dpkg writes status-new, then renames it over status).
    _write_status(status + "-new", [("nvidia-l4t-core", "36.4.3-20250107174145"),
                                    ("libnvinfer10", "10.7.0.23-1+cuda12.6")])
    os.replace(status + "-new", status)
    _new_process()
    third = CountingHost(status)
    dpkg.remember_installed(third, cache, status)
    assert dpkg.read_installed(third, status)["libnvinfer10"] == "10.7.0.23-1+cuda12.6"
    assert third.reads == 1


def test_a_damaged_cache_entry_or_no_database_is_read_from_the_file(tmp_path):
    status = str(tmp_path / "status")
    _write_status(status, [("cuda-toolkit-12-6", "12.6.1-1")])
    cache = ProbeCache(str(tmp_path / "cache"))
    _new_process()
    dpkg.remember_installed(CountingHost(status), cache, status)
    for name in os.listdir(str(tmp_path / "cache")):
        with open(os.path.join(str(tmp_path / "cache"), name), "r+") as handle:
            text = handle.read().replace('"12.6.1-1"', "12")  # a value that is not a version string
            handle.seek(0)
            handle.write(text)
            handle.truncate()
    _new_process()
    host = CountingHost(status)
    dpkg.remember_installed(host, cache, status)
    assert dpkg.read_installed(host, status) == {"cuda-toolkit-12-6": "12.6.1-1"} and host.reads == 1

    _new_process()
    missing = str(tmp_path / "no-such-status")
    dpkg.remember_installed(LiveHost(), cache, missing)
    assert dpkg.read_installed(LiveHost(), missing) == {}

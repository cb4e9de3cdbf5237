"""The system probe: this machine (psutil/platform), captured trees and snapshots."""

import json
import os
import platform

import pytest

from tests.helpers import SystemTree
from trtsetup.facts import SystemInfo
from trtsetup.host.live import LiveHost
from trtsetup.host.snapshot import RecordingHost, SnapshotHost
from trtsetup.host.root import RootHost
from trtsetup.probes.system import (parse_cpu_list, parse_df, parse_meminfo, parse_os_release,
                                    read_system)

NANO_MEMINFO = """MemTotal:        4059272 kB
MemFree:          212552 kB
MemAvailable:    1935636 kB
Buffers:           75680 kB
Cached:          1702536 kB
SwapCached:          828 kB
SwapTotal:       2029636 kB
SwapFree:        2016548 kB
"""

UBUNTU_1804 = """NAME="Ubuntu"
VERSION="18.04.6 LTS (Bionic Beaver)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 18.04.6 LTS"
VERSION_ID="18.04"
VERSION_CODENAME=bionic
UBUNTU_CODENAME=bionic
"""


def _jetson_tree(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.write("/proc/meminfo", NANO_MEMINFO)
    tree.write("/proc/sys/kernel/osrelease", "4.9.253-tegra\n")
    tree.write("/sys/devices/system/cpu/online", "0-3\n")
    tree.write("/usr/lib/os-release", UBUNTU_1804)
    tree.symlink("/etc/os-release", "../usr/lib/os-release")
    tree.write("/usr/lib/aarch64-linux-gnu/libc.so.6", "")
    return tree


def test_this_machine():
    info = read_system(LiveHost())
    assert info.arch == platform.machine() and info.arch_source == "uname"
    assert info.kernel == platform.release()
    assert info.ram_mib > 100 and info.swap_mib is not None and 0 < info.ram_available_mib <= info.ram_mib
    assert info.cpu_count >= 1
    assert info.is_root == (os.geteuid() == 0)
    assert info.disk_free_mib > 0 and info.disk_path
    with open("/etc/os-release") as handle:
        assert info.distro_id == parse_os_release(handle.read())["ID"]


def test_free_disk_is_measured_where_builds_run(tmp_path):
    info = read_system(LiveHost(), build_dir=str(tmp_path / "not" / "yet" / "there"))
    assert info.disk_path == str(tmp_path / "not" / "yet" / "there")
    stat = os.statvfs(str(tmp_path))
    assert abs(info.disk_free_mib - stat.f_bavail * stat.f_frsize // (1024 * 1024)) < 64


def test_snapshot_of_this_machine_replays_the_same_facts(tmp_path):
    recording = RecordingHost(LiveHost())
    recorded = read_system(recording, build_dir=str(tmp_path))
    live = read_system(LiveHost(), build_dir=str(tmp_path))
    assert recorded.arch == live.arch and recorded.kernel == live.kernel
    assert recorded.ram_mib == live.ram_mib and recorded.swap_mib == live.swap_mib
    assert recorded.distro_id == live.distro_id and recorded.is_root == live.is_root
    assert abs(recorded.disk_free_mib - live.disk_free_mib) < 64
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(recording.to_snapshot("2024-01-01T00:00:00Z", "test")))
    assert read_system(SnapshotHost(str(path)), build_dir=str(tmp_path)) == recorded


def test_jetson_tree_is_read_from_files(tmp_path):
    tree = _jetson_tree(tmp_path)
    tree.write("/var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\nArchitecture: arm64\n"
                                       "Version: 2.27-3ubuntu1.6\n\n")
    info = read_system(RootHost(tree.root))
    assert info == SystemInfo(arch="aarch64", arch_source="dpkg", distro_id="ubuntu", distro_version="18.04",
                              distro_name="Ubuntu 18.04.6 LTS", kernel="4.9.253-tegra", ram_mib=3964,
                              swap_mib=1982, ram_available_mib=1890, disk_free_mib=None, disk_path=None,
                              cpu_count=4, is_root=None)


@pytest.mark.parametrize("files,arch,source", [
    ({"/proc/sys/kernel/arch": "x86_64\n", "/usr/lib/aarch64-linux-gnu/libc.so.6": ""}, "x86_64", "proc"),
    ({"/etc/ld.so.conf.d/x86_64-linux-gnu.conf": "/usr/lib/x86_64-linux-gnu\n",
      "/etc/ld.so.conf.d/libc.conf": "/usr/local/lib\n"}, "x86_64", "ld.so.conf.d"),
    ({"/usr/lib/aarch64-linux-gnu/libc.so.6": "", "/usr/lib/x86_64-linux-gnu/libfoo.so": ""}, "aarch64", "multiarch-dir"),
    ({"/lib/aarch64-linux-gnu/libnvinfer.so.8": ""}, "aarch64", "multiarch-dir"),
    ({"/usr/lib/aarch64-linux-gnu/libfoo.so": "", "/usr/lib/x86_64-linux-gnu/libfoo.so": ""}, None, None),
    ({"/var/lib/dpkg/status": "Package: nvidia-l4t-core\nArchitecture: arm64\n\n"
                              "Package: base-files\nArchitecture: amd64\nVersion: 12ubuntu4\n",
      "/usr/lib/aarch64-linux-gnu/libc.so.6": ""}, "x86_64", "dpkg"),
])
def test_arch_of_a_tree_in_documented_order(tmp_path, files, arch, source):
    tree = SystemTree(tmp_path / "root")
    for path, text in files.items():
        tree.write(path, text)
    info = read_system(RootHost(tree.root))
    assert (info.arch, info.arch_source) == (arch, source)


def test_empty_tree_knows_nothing_and_does_not_crash(tmp_path):
    tree = SystemTree(tmp_path / "root")
    assert read_system(RootHost(tree.root)) == SystemInfo()


def test_junk_files_give_unknowns(tmp_path):
    tree = SystemTree(tmp_path / "root")
    junk = b"\x00\xff\xfe garbage \x89PNG\r\n"
    for path in ("/proc/meminfo", "/etc/os-release", "/proc/sys/kernel/osrelease",
                 "/sys/devices/system/cpu/online", "/var/lib/dpkg/status", "/proc/sys/kernel/arch"):
        tree.write(path, junk)
    info = read_system(RootHost(tree.root))
    assert info.ram_mib is None and info.kernel is None and info.cpu_count is None and info.arch is None


def test_os_release_missing_falls_back_to_the_distro_package(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.write("/etc/centos-release", "CentOS release 6.10 (Final)\n")
    info = read_system(RootHost(tree.root))
    assert info.distro_id == "centos" and info.distro_version == "6.10"


def test_cpuinfo_counts_when_online_list_is_missing(tmp_path):
    tree = SystemTree(tmp_path / "root")
    tree.write("/proc/cpuinfo", "processor\t: 0\nmodel name\t: ARMv8 Processor rev 1 (v8l)\n\n"
                                "processor\t: 1\nmodel name\t: ARMv8 Processor rev 1 (v8l)\n")
    assert read_system(RootHost(tree.root)).cpu_count == 2


def test_parsers_on_garbage():
    for junk in ("", "\x00\xff", "no equals here", None, "MemFree: x kB", "-1-"):
        assert parse_meminfo(junk) is None
        assert parse_cpu_list(junk) is None
        assert parse_df(junk) is None
    assert parse_os_release("\x00\xff") is None
    assert parse_cpu_list("3-1") is None


def test_df_output():
    text = ("Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
            "/dev/mmcblk0p1    30358348 21573624   7464488      75% /\n")
    assert parse_df(text) == {"free_mib": 7289, "mount": "/"}

"""The machine itself: architecture, distro, kernel, memory, free disk where builds run.

``read_system(host, build_dir=None)`` has two paths:

* **this machine** (a plain ``LiveHost``): ``_read_live`` asks the running system —
  ``os.uname``, ``statvfs`` and ``/proc/meminfo`` — in one small function, the only place in trtsetup's
  probes that does;
* **everything else** (``--root`` tree, snapshot, or the recording host that makes a
  snapshot): files and commands through the host, so a snapshot captures exactly what a
  replay needs. Commands (``uname -m``, ``df -Pk``, ``id -u``) run only where the host can
  run them; a captured tree leaves disk and is_root unknown.

The distro comes from ``/etc/os-release`` (then ``/usr/lib/os-release``) through the host on
every path; where that says nothing and the host is a real directory (live or ``--root``),
the ``distro`` package reads the older per-distro release files (it needs ``root_dir``,
distro >= 1.6).

Architecture from files, in this order (first that names exactly one architecture wins):
``/proc/sys/kernel/arch`` (Linux >= 6.1); dpkg's ``Architecture:`` of base packages
(``libc6``, ``dpkg``, ``base-files``, ``coreutils``, ``bash``); ``/etc/ld.so.conf.d/
<triplet>.conf``; triplet directories in ``/usr/lib`` and ``/lib`` that hold ``libc.so.6``;
any triplet directory. A host that can run commands is asked ``uname -m`` first.
"""

import os
import posixpath
import re
from typing import Dict, List, Optional, Tuple

from ..facts import SystemInfo
from ..patterns import lazy
from .dpkg import DPKG_STATUS, iter_dpkg_stanzas

MIB = 1024 * 1024

_MEMINFO = lazy(r"^([A-Za-z_()0-9]+):\s+(\d+)(?:\s*([kKmMgG]?B))?\s*$")
_OS_RELEASE = lazy(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_CPU_RANGE = lazy(r"^(\d+)(?:-(\d+))?$")
_DF_LINE = lazy(r"^\S.*?\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(/.*)$")
_KERNEL = lazy(r"^[0-9][0-9A-Za-z._+~-]*$")
_ARCH_WORD = lazy(r"^[a-z0-9_]+$")

# dpkg architecture / multiarch triplet -> uname -m
_DPKG_ARCH = {"amd64": "x86_64", "arm64": "aarch64", "armhf": "armv7l", "armel": "armv5tel",
              "i386": "i686", "ppc64el": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
_TRIPLETS = {"x86_64-linux-gnu": "x86_64", "aarch64-linux-gnu": "aarch64",
             "arm-linux-gnueabihf": "armv7l", "arm-linux-gnueabi": "armv5tel",
             "i386-linux-gnu": "i686", "powerpc64le-linux-gnu": "ppc64le",
             "s390x-linux-gnu": "s390x", "riscv64-linux-gnu": "riscv64"}
_BASE_PACKAGES = ("libc6", "dpkg", "base-files", "coreutils", "bash")
# The two architectures NVIDIA ships CUDA/cuDNN/TensorRT debs for, in their multiarch dirs.
NVIDIA_TRIPLETS = ("aarch64-linux-gnu", "x86_64-linux-gnu")


def multiarch_triplet(arch):
    # type: (Optional[str]) -> Optional[str]
    """``uname -m`` or dpkg architecture -> the Debian multiarch triplet: ``x86_64`` and
    ``amd64`` -> ``x86_64-linux-gnu``; None for an unknown one."""
    machine = _DPKG_ARCH.get(arch or "", arch)
    for triplet, name in _TRIPLETS.items():
        if name == machine:
            return triplet
    return None


# -- pure parsers ------------------------------------------------------------------------------

def parse_meminfo(text):
    # type: (str) -> Optional[Dict[str, Optional[int]]]
    """``/proc/meminfo`` → {"ram_mib", "swap_mib", "available_mib"} (MiB), or None without
    a MemTotal line."""
    if not isinstance(text, str):
        return None
    values = {}  # type: Dict[str, int]
    for line in text.splitlines():
        match = _MEMINFO.match(line.strip())
        if match is None:
            continue
        number = int(match.group(2))
        unit = (match.group(3) or "kB").lower()
        factor = {"b": 1.0 / 1024, "kb": 1, "mb": 1024, "gb": 1024 * 1024}[unit]
        values.setdefault(match.group(1), int(number * factor))
    if "MemTotal" not in values:
        return None

    def mib(key):
        return values[key] // 1024 if key in values else None

    return {"ram_mib": mib("MemTotal"), "swap_mib": mib("SwapTotal"), "available_mib": mib("MemAvailable")}


def parse_os_release(text):
    # type: (str) -> Optional[Dict[str, str]]
    """``os-release`` (``KEY=value``, optionally quoted, ``#`` comments) → dict, or None
    when no assignment is found."""
    if not isinstance(text, str):
        return None
    result = {}  # type: Dict[str, str]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _OS_RELEASE.match(line)
        if match is None:
            continue
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
            value = re.sub(r"\\([\\$\"'`])", r"\1", value)
        result[match.group(1)] = value
    return result or None


def parse_cpu_list(text):
    # type: (str) -> Optional[int]
    """``/sys/devices/system/cpu/online`` (``0-3,6``) → number of CPUs, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    count = 0
    for part in text.strip().split(","):
        match = _CPU_RANGE.match(part.strip())
        if match is None:
            return None
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if high < low:
            return None
        count += high - low + 1
    return count or None


def parse_df(text):
    # type: (str) -> Optional[Dict[str, object]]
    """``df -Pk PATH`` → {"free_mib", "mount"} from its last line, or None."""
    if not isinstance(text, str):
        return None
    for line in reversed(text.splitlines()):
        match = _DF_LINE.match(line.strip())
        if match is not None:
            return {"free_mib": int(match.group(3)) // 1024, "mount": match.group(4)}
    return None


def parse_dpkg_arch(text):
    # type: (str) -> Optional[str]
    """dpkg ``status`` → the ``uname -m`` name of the base packages' architecture, or None."""
    if not isinstance(text, str):
        return None
    for stanza in iter_dpkg_stanzas(text):
        arch = stanza.get("Architecture")
        if stanza.get("Package") in _BASE_PACKAGES and arch in _DPKG_ARCH:
            return _DPKG_ARCH[arch]
    return None


# -- read --------------------------------------------------------------------------------------

def read_system(host, build_dir=None):
    # type: (object, Optional[str]) -> SystemInfo
    """SystemInfo of the host. ``build_dir``: where builds will run (its free disk is
    measured; default the user's cache dir, ``$XDG_CACHE_HOME`` or ``~/.cache``)."""
    distro_id, distro_version, distro_name = _read_distro(host)
    if _is_plain_live(host):
        live = _read_live(build_dir or _default_build_dir(host))
        return SystemInfo(distro_id=distro_id, distro_version=distro_version, distro_name=distro_name,
                          arch_source="uname", **live)

    arch, arch_source = _read_arch(host)
    meminfo = parse_meminfo(host.read_text("/proc/meminfo") or "") or {}
    kernel = _first_line(host.read_text("/proc/sys/kernel/osrelease"))
    if kernel is None and host.can_run:
        kernel = _first_line(host.run(["uname", "-r"], timeout=5).stdout)
    if kernel is not None and not _KERNEL.match(kernel):
        kernel = None
    cpu_count = parse_cpu_list(host.read_text("/sys/devices/system/cpu/online") or "")
    if cpu_count is None:
        cpuinfo = host.read_text("/proc/cpuinfo") or ""
        cpu_count = len(re.findall(r"^processor\s*:", cpuinfo, re.M)) or None
    disk_free = is_root = disk_path = None
    if host.can_run:
        disk_path = build_dir or _default_build_dir(host)
        disk_free = _df_free(host, disk_path)
        uid = _first_line(host.run(["id", "-u"], timeout=5).stdout)
        is_root = (uid == "0") if uid is not None and uid.isdigit() else None
    return SystemInfo(arch=arch, arch_source=arch_source, distro_id=distro_id,
                      distro_version=distro_version, distro_name=distro_name, kernel=kernel,
                      ram_mib=meminfo.get("ram_mib"), swap_mib=meminfo.get("swap_mib"),
                      ram_available_mib=meminfo.get("available_mib"), disk_free_mib=disk_free,
                      disk_path=disk_path, cpu_count=cpu_count, is_root=is_root)


def _is_plain_live(host):
    # This machine itself may be asked directly; a recording of it must see every read.
    return host.is_live


def _read_live(build_dir):
    # type: (str) -> Dict[str, object]
    """This machine, asked directly. The one place a probe asks ``os`` about the system.

    Memory comes from ``/proc/meminfo`` and free disk from ``statvfs``: that is all psutil
    would read, and importing psutil costs more than the whole ``--fast`` doctor may take.
    """
    uname = os.uname()  # what platform.machine()/release() return, without importing platform
    values = {"arch": uname.machine or None, "kernel": uname.release or None,
              "is_root": os.geteuid() == 0, "disk_path": build_dir}  # type: Dict[str, object]
    try:
        values["cpu_count"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        values["cpu_count"] = os.cpu_count()
    try:
        with open("/proc/meminfo", "r") as handle:
            memory = parse_meminfo(handle.read()) or {}
    except OSError:
        memory = {}
    values["ram_mib"] = memory.get("ram_mib")
    values["ram_available_mib"] = memory.get("available_mib")
    values["swap_mib"] = memory.get("swap_mib")
    path = build_dir
    while path and not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    try:
        stat = os.statvfs(path)
        values["disk_free_mib"] = int(stat.f_bavail * stat.f_frsize // MIB)
    except (OSError, TypeError, ValueError):
        values["disk_free_mib"] = None
    return values


def _default_build_dir(host):
    env = host.env
    cache = env.get("XDG_CACHE_HOME")
    if cache and cache.startswith("/"):
        return cache
    home = env.get("HOME") or "/root"
    return posixpath.join(home, ".cache")


def _df_free(host, path):
    probe = path
    while probe and probe != "/" and not host.exists(probe):
        probe = posixpath.dirname(probe)
    result = host.run(["df", "-Pk", probe or "/"], timeout=5)
    parsed = parse_df(result.stdout) if result.ok else None
    return parsed["free_mib"] if parsed else None


def _first_line(text):
    if not text:
        return None
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def _read_distro(host):
    # type: (object) -> Tuple[Optional[str], Optional[str], Optional[str]]
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        info = parse_os_release(host.read_text(path) or "")
        if info and info.get("ID"):
            version = info.get("VERSION_ID") or None
            name = info.get("PRETTY_NAME") or info.get("NAME") or None
            return info["ID"].lower(), version, name
    root = host.tree_root
    if root is None:
        return None, None, None
    return _distro_package(root)


def _distro_package(root_dir):
    """The ``distro`` package on a real directory, for systems without os-release."""
    try:
        import distro
        info = distro.LinuxDistribution(root_dir=root_dir, include_lsb=False, include_uname=False)
    except (ImportError, TypeError, AttributeError):  # distro < 1.6 has no root_dir
        return None, None, None
    try:
        return info.id() or None, info.version() or None, info.name(pretty=True) or None
    except Exception:  # garbage release files
        return None, None, None


def _read_arch(host):
    # type: (object) -> Tuple[Optional[str], Optional[str]]
    if host.can_run:
        result = host.run(["uname", "-m"], timeout=5)
        word = _first_line(result.stdout) if result.ok else None
        if word and _ARCH_WORD.match(word):
            return word, "uname"
    word = _first_line(host.read_text("/proc/sys/kernel/arch"))
    if word and _ARCH_WORD.match(word):
        return word, "proc"
    arch = parse_dpkg_arch(host.read_text(DPKG_STATUS) or "")
    if arch is not None:
        return arch, "dpkg"
    conf = _single([_TRIPLETS.get(n[:-len(".conf")]) for n in host.listdir("/etc/ld.so.conf.d")
                    if n.endswith(".conf")])
    if conf is not None:
        return conf, "ld.so.conf.d"
    dirs = []  # type: List[Tuple[str, str]]
    for base in ("/usr/lib", "/lib"):
        for name in host.listdir(base):
            if name in _TRIPLETS and host.is_dir(posixpath.join(base, name)):
                dirs.append((posixpath.join(base, name), _TRIPLETS[name]))
    with_libc = _single([a for d, a in dirs if host.exists(posixpath.join(d, "libc.so.6"))])
    if with_libc is not None:
        return with_libc, "multiarch-dir"
    any_dir = _single([a for _, a in dirs])
    if any_dir is not None:
        return any_dir, "multiarch-dir"
    return None, None


def _single(values):
    distinct = sorted(set(v for v in values if v))
    return distinct[0] if len(distinct) == 1 else None

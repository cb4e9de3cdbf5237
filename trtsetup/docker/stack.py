"""Which CSV files the installed NVIDIA container stack reads, and Debian version order.

libnvidia-container ``0.9.0~beta.1`` / ``0.10.0+jetpack`` (JetPack 4's) reads every ``*.csv``;
from ``0.11.0+jetpack`` (toolkit 1.9) and in the toolkit's csv mode (>= 1.10) only the base
files (``l4t.csv``, ``devices.csv``, ``drivers.csv``) are read unless the container sets
``NVIDIA_REQUIRE_JETPACK=csv-mounts=all``. The thresholds are recipes data (docker_runtime).
"""

import re
from typing import Any, NamedTuple, Optional, Tuple

from ..patterns import lazy
from ..probes.container_runtime import stack_entry

_DIGITS = lazy(r"^(\d*)(.*)$", re.S)
_NON_DIGITS = lazy(r"^(\D*)(.*)$", re.S)


def _order(char):
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(a, b):
    while a or b:
        na, a = _NON_DIGITS.match(a).groups()
        nb, b = _NON_DIGITS.match(b).groups()
        for i in range(max(len(na), len(nb))):
            ca = _order(na[i]) if i < len(na) else 0
            cb = _order(nb[i]) if i < len(nb) else 0
            if ca != cb:
                return -1 if ca < cb else 1
        da, a = _DIGITS.match(a).groups()
        db, b = _DIGITS.match(b).groups()
        ia, ib = int(da or 0), int(db or 0)
        if ia != ib:
            return -1 if ia < ib else 1
    return 0


def _split(version):
    epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
    try:
        epoch_n = int(epoch or 0)
    except ValueError:
        epoch_n = 0
    return epoch_n, upstream, revision


def compare_deb_versions(a, b):
    # type: (str, str) -> int
    """dpkg's version order: -1, 0 or 1 (``0.9.0~beta.1 < 0.9.0 < 0.10.0+jetpack < 0.11.0+jetpack``)."""
    ea, ua, ra = _split(a.strip())
    eb, ub, rb = _split(b.strip())
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


class CsvReading(NamedTuple):
    """How the installed stack reads the CSV directory.

    ``base_only`` True: only the base files unless ``NVIDIA_REQUIRE_JETPACK=csv-mounts=all``;
    False: every ``*.csv``; None: no runtime installed (nothing reads them). ``why`` names the
    package version that decides it.
    """

    base_only: Optional[bool]
    why: str
    base_files: Tuple[str, ...]
    env: str


def csv_reading(runtime, recipes):
    # type: (Any, Any) -> CsvReading
    stack = stack_entry(recipes)
    base = tuple(stack.get("base_files", ("l4t.csv", "devices.csv", "drivers.csv")))
    env = stack.get("csv_mounts_env", "NVIDIA_REQUIRE_JETPACK=csv-mounts=all")
    lib = runtime.libnvidia_container_version
    toolkit = runtime.toolkit_version
    lib_edge = stack.get("base_only_libnvidia_container", "0.11.0+jetpack")
    toolkit_edge = stack.get("base_only_toolkit", "1.10.0")
    if toolkit and compare_deb_versions(toolkit, toolkit_edge) >= 0:
        return CsvReading(True, "nvidia-container-toolkit {} (>= {}: csv mode reads the base files only)".format(
            toolkit, toolkit_edge), base, env)
    if lib and "jetpack" in lib and compare_deb_versions(lib, lib_edge) >= 0:
        return CsvReading(True, "libnvidia-container {} (>= {}: base files only)".format(lib, lib_edge), base, env)
    if lib:
        return CsvReading(False, "libnvidia-container {} (< {}: every *.csv is read)".format(lib, lib_edge), base, env)
    if toolkit:
        return CsvReading(False, "nvidia-container-toolkit {} (< {})".format(toolkit, toolkit_edge), base, env)
    return CsvReading(None, "no NVIDIA container runtime package is installed", base, env)


def host_libraries_from_host(l4t_major, recipes):
    # type: (Optional[int], Any) -> Optional[bool]
    """True when containers take CUDA/cuDNN/TensorRT from the host (JetPack 4, R32 and older)."""
    if l4t_major is None:
        return None
    return l4t_major <= int(stack_entry(recipes).get("host_libraries_until_l4t_major", 32))

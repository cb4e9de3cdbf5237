"""Remembering what ``nvidia-smi --query-gpu`` printed, and the proof that it still holds.

On the lent H200 machine that one query took 0.14 s, most of a ``doctor --fast`` that should
take 0.15 s in all (NVML initialises the driver for every call when persistence mode is off).
What it prints (index, name, driver version, compute capability, memory) changes only with
the kernel driver, the GPUs it drives, or nvidia-smi and its NVML library. The driver says all
of that itself, without NVML:

* ``/proc/driver/nvidia/version``: the module's version and build;
* ``/proc/driver/nvidia/gpus/<bus>/information``: each GPU's model, bus location and UUID;
* and the stamp (size, mtime, inode) of the ``nvidia-smi`` binary and ``libnvidia-ml.so.1``,
  which an upgrade of the userspace driver replaces (the "Driver/library version mismatch"
  state after an upgrade without a reboot must be seen, not remembered away).

The printed text is remembered under a key holding those inputs and reused only while it is
the same; failures are never remembered. Without the ``/proc`` GPU listing (an older driver,
a container that hides it) nothing can be proven and nvidia-smi runs every time.
"""

import json
import posixpath
import zlib
from typing import Any, Optional

CACHE_NAME = "nvidia-smi-query"
_GPUS_DIR = "/proc/driver/nvidia/gpus"
_NVML_CANDIDATES = ("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/usr/lib/aarch64-linux-gnu/libnvidia-ml.so.1",
                    "/usr/lib64/libnvidia-ml.so.1", "/usr/lib/libnvidia-ml.so.1")


def proof(host, smi, argv, version):
    # type: (Any, str, list, Optional[str]) -> Optional[str]
    """The key under which ``argv``'s output may be remembered, or None when the driver's own
    files cannot vouch for it. ``version``: the text of ``/proc/driver/nvidia/version``, as
    ``read_nvidia`` already read it."""
    buses = host.listdir(_GPUS_DIR)
    if not version or not buses:
        return None
    gpus = []
    for bus in buses:
        information = host.read_text(posixpath.join(_GPUS_DIR, bus, "information"))
        if not information:
            return None
        gpus.append([bus, zlib.crc32(information.encode("utf-8"))])
    binary = host.file_stamp(host.realpath(smi))
    if binary is None:
        return None
    nvml = [(path, host.file_stamp(host.realpath(path))) for path in _NVML_CANDIDATES if host.exists(path)]
    return json.dumps([argv, version, gpus, binary, nvml])

"""NVIDIA driver and GPUs: ``/proc/driver/nvidia/version`` first, then ``nvidia-smi``.

On Jetson the same ``/proc`` file carries the L4T version, not a driver version
(``NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  35.3.1  Release Build ...``);
that is reported as ``kernel_module="tegra"`` with no driver version. GPU names and compute
capabilities come only from ``nvidia-smi``, so a captured tree (``--root``) has none.
GPU UUIDs and serial numbers are never queried.

Example: ``read_nvidia(host)`` → ``(NvidiaDriver(driver_version="535.183.01",
kernel_module="proprietary", module_version="535.183.01", cuda_driver_version="12.2",
smi_path="/usr/bin/nvidia-smi", source="nvidia-smi"), (Gpu(index=0, name="NVIDIA H100 80GB HBM3",
compute_capability="9.0", memory_mib=81559),))``
"""

import re
from typing import Dict, List, Optional, Tuple

from ..facts import Gpu, NvidiaDriver
from ..patterns import lazy
from . import gpu_remembered
from .remembered_command import run_remembered

SMI_TIMEOUT = 8.0

QUERY_FIELDS = ("index", "name", "driver_version", "compute_cap", "memory.total")
# Drivers before ~R510 reject compute_cap ("Field "compute_cap" is not a valid field to query.").
QUERY_FIELDS_OLD = ("index", "name", "driver_version", "memory.total")

SMI_CANDIDATES = ("/usr/bin/nvidia-smi", "/usr/sbin/nvidia-smi", "/usr/local/nvidia/bin/nvidia-smi",
                  "/usr/local/bin/nvidia-smi")

# NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024
# NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  565.57.01  Release Build  (...)
# NVRM version: NVIDIA UNIX Open Kernel x86_64 Kernel Module  590.48.01  Mon Dec  8 ...  (nixGL#220)
# NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  35.3.1  Release Build  (...)   <- Jetson
_PROC_RE = lazy(
    r"^NVRM version:[ \t]+NVIDIA UNIX[ \t]+(?P<words>(?:[A-Za-z0-9_]+[ \t]+){0,4}?)Kernel Module"
    r"(?:[ \t]+for[ \t]+(?P<arch2>[A-Za-z0-9_]+))?[ \t]+(?P<version>\d+(?:\.\d+)+)\b",
    re.M)

# | NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   CUDA Version: 12.2     |
_SMI_VERSION_RE = lazy(r"NVIDIA-SMI\s+(\d+(?:\.\d+)+)")
_DRIVER_RE = lazy(r"Driver Version:\s*(\S+)")
_CUDA_RE = lazy(r"CUDA Version:\s*(\S+)")
_VERSION_RE = lazy(r"^\d+(?:\.\d+)+$")
_NVML_RE = lazy(r"^NVML library version:\s*(\d+(?:\.\d+)+)", re.M)
_INT_RE = lazy(r"^\d+$")
_CC_RE = lazy(r"^\d+\.\d+$")

# Values nvidia-smi prints for "unknown" in CSV and table output.
_UNKNOWN = ("n/a", "[n/a]", "not supported", "[not supported]", "[insufficient permissions]",
            "[unknown error]", "unknown error", "[gpu is lost]", "")

_ERRORS = (
    ("Driver/library version mismatch", "Driver/library version mismatch"),
    ("couldn't communicate with the NVIDIA driver", "couldn't communicate with the NVIDIA driver"),
    ("No devices were found", "No devices were found"),
    ("Failed to initialize NVML: Unknown Error", "Failed to initialize NVML: Unknown Error"),
    ("Insufficient Permissions", "Insufficient Permissions"),
    ("is not a valid field to query", "unsupported query field"),
)


def _value(text):
    # type: (str) -> Optional[str]
    text = text.strip()
    if text.lower() in _UNKNOWN:
        return None
    return text


def parse_proc_driver_version(text):
    # type: (str) -> Optional[Dict[str, Optional[str]]]
    """``/proc/driver/nvidia/version`` → ``{"kernel_module", "version", "arch", "driver_version"}``.

    ``kernel_module`` is "proprietary", "open" or "tegra" (a Jetson, where the number is the
    L4T version and ``driver_version`` is None). None when the text is not that file.
    """
    if not isinstance(text, str):
        return None
    match = _PROC_RE.search(text)
    if not match:
        return None
    words = [w for w in match.group("words").split() if w not in ("Open", "Kernel")]
    arch = match.group("arch2") or (words[-1] if words else None)
    version = match.group("version")
    major = version.split(".", 1)[0]
    if arch == "aarch64" and len(major) <= 2:
        # L4T versions (R32, R35, R36 ...) are two digits; driver branches are three.
        return {"kernel_module": "tegra", "version": version, "arch": arch, "driver_version": None}
    kind = "open" if "Open" in match.group("words").split() else "proprietary"
    return {"kernel_module": kind, "version": version, "arch": arch, "driver_version": version}


def parse_nvidia_smi_header(text):
    # type: (str) -> Optional[Dict[str, Optional[str]]]
    """The table header of plain ``nvidia-smi``: ``{"smi_version", "driver_version", "cuda_version"}``.

    Handles the old (``NVIDIA-SMI 460.91.03    Driver Version: 460.91.03    CUDA Version: 11.2``)
    and new wide layouts, and JetPack 6's ``Driver Version: N/A`` (→ None). "CUDA Version" is the
    newest CUDA the driver supports, not the installed toolkit.
    """
    if not isinstance(text, str):
        return None
    for line in text.splitlines():
        if "Driver Version:" not in line and "NVIDIA-SMI " not in line:
            continue
        smi = _SMI_VERSION_RE.search(line)
        driver = _DRIVER_RE.search(line)
        cuda = _CUDA_RE.search(line)
        if not (smi or driver):
            continue
        result = {
            "smi_version": smi.group(1) if smi else None,
            "driver_version": _version_or_none(driver.group(1).strip("|")) if driver else None,
            "cuda_version": _version_or_none(cuda.group(1).strip("|")) if cuda else None,
        }
        return result
    return None


def _version_or_none(text):
    text = (text or "").strip()
    return text if _VERSION_RE.match(text) else None


def parse_nvidia_smi_query(text, fields=QUERY_FIELDS):
    # type: (str, Tuple[str, ...]) -> Optional[Dict[str, object]]
    """``nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`` →
    ``{"driver_version": "535.183.01", "gpus": (Gpu, ...)}``.

    Unknown values (``N/A``, ``[N/A]``, ``[Not Supported]`` — JetPack 6 prints several) become
    None. None when no line has the expected number of columns (an error message, say).
    """
    if not isinstance(text, str):
        return None
    fields = tuple(fields)
    gpus = []  # type: List[Gpu]
    drivers = []  # type: List[str]
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < len(fields):
            continue
        if len(cells) > len(fields) and "name" in fields:
            # A comma inside the GPU name: give the extra cells back to the name column.
            extra = len(cells) - len(fields)
            at = fields.index("name")
            cells[at:at + extra + 1] = [", ".join(cells[at:at + extra + 1])]
        row = dict(zip(fields, cells))
        index = _value(row.get("index", ""))
        if index is not None and not _INT_RE.match(index):
            continue  # not a data row
        memory = _value(row.get("memory.total", ""))
        if memory is not None:
            memory = memory.split()[0] if memory.split() else None
        cc = _value(row.get("compute_cap", ""))
        driver = _version_or_none(_value(row.get("driver_version", "")) or "")
        if driver:
            drivers.append(driver)
        gpus.append(Gpu(
            index=int(index) if index is not None else None,
            name=_value(row.get("name", "")),
            compute_capability=cc if cc is not None and _CC_RE.match(cc) else None,
            memory_mib=int(memory) if memory is not None and _INT_RE.match(memory) else None,
        ))
    if not gpus:
        return None
    return {"driver_version": drivers[0] if drivers else None, "gpus": tuple(gpus)}


def parse_nvidia_smi_error(text):
    # type: (str) -> Optional[Dict[str, Optional[str]]]
    """An ``nvidia-smi`` failure → ``{"error": <short stable text>, "nvml_version": ...}``.

    ``Failed to initialize NVML: Driver/library version mismatch`` is followed by
    ``NVML library version: 580.178`` on recent drivers: that is the user-space library,
    while ``/proc/driver/nvidia/version`` has the loaded kernel module.
    """
    if not isinstance(text, str):
        return None
    for needle, short in _ERRORS:
        if needle in text:
            nvml = _NVML_RE.search(text)
            return {"error": short, "nvml_version": nvml.group(1) if nvml else None}
    if "Failed to initialize NVML" in text or "NVIDIA-SMI has failed" in text:
        first = text.strip().splitlines()[0].strip()
        nvml = _NVML_RE.search(text)
        return {"error": first[:200], "nvml_version": nvml.group(1) if nvml else None}
    return None


def _find_smi(host):
    found = host.which("nvidia-smi")
    if found:
        return found
    for path in SMI_CANDIDATES:
        if host.exists(path) and not host.is_dir(path):
            return path
    return None


def _query(host, smi, fields, cache=None, proc_text=None):
    argv = [smi, "--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits"]
    key = gpu_remembered.proof(host, smi, argv, proc_text) if cache is not None else None
    return run_remembered(host, argv, SMI_TIMEOUT, cache, gpu_remembered.CACHE_NAME, key)


def read_nvidia(host, header=True, cache=None):
    # type: (object, bool, object) -> Tuple[NvidiaDriver, Tuple[Gpu, ...]]
    """The driver and the GPUs: the ``/proc`` file first, then ``nvidia-smi`` (live and
    snapshot hosts only: a captured tree runs no command).

    ``header=False`` skips the plain ``nvidia-smi`` call that only adds the driver's CUDA
    version (it costs ~0.1 s against ~0.02 s for the query); ``doctor --fast`` derives that
    version from the driver version and the recipes instead.
    ``cache`` (a ``probe_cache.ProbeCache``, live hosts only): the query's output is reused
    while the driver's own files vouch for it (``probes/gpu_remembered``)."""
    proc_text = host.read_text("/proc/driver/nvidia/version")
    proc = parse_proc_driver_version(proc_text or "")
    kernel_module = proc["kernel_module"] if proc else None
    module_version = proc["version"] if proc else None
    driver_version = proc["driver_version"] if proc else None
    source = "proc" if driver_version else None

    smi = _find_smi(host)
    gpus = ()  # type: Tuple[Gpu, ...]
    smi_error = None
    nvml_version = None
    cuda_driver = None
    if smi and host.can_run:
        result = _query(host, smi, QUERY_FIELDS, cache, proc_text)
        output = result.stdout + "\n" + result.stderr
        error = parse_nvidia_smi_error(output) if not result.ok else None
        if error and error["error"] == "unsupported query field":
            result = _query(host, smi, QUERY_FIELDS_OLD)
            output = result.stdout + "\n" + result.stderr
            error = parse_nvidia_smi_error(output) if not result.ok else None
            parsed = parse_nvidia_smi_query(result.stdout, QUERY_FIELDS_OLD) if result.ok else None
        else:
            parsed = parse_nvidia_smi_query(result.stdout, QUERY_FIELDS) if result.ok else None
        if error:
            smi_error = error["error"]
            nvml_version = error["nvml_version"]
        elif result.error == "timeout":
            smi_error = "nvidia-smi timed out after {:g} s".format(SMI_TIMEOUT)
        elif result.error and result.error != "unavailable":
            smi_error = "nvidia-smi: {}".format(result.error)
        elif not result.ok and result.returncode is not None:
            smi_error = (output.strip().splitlines() or ["nvidia-smi exited {}".format(result.returncode)])[0][:200]
        if parsed:
            gpus = parsed["gpus"]
            if parsed["driver_version"]:
                driver_version = parsed["driver_version"]
                source = "nvidia-smi"
            info = None
            if header:
                answer = host.run([smi], timeout=SMI_TIMEOUT)
                info = parse_nvidia_smi_header(answer.stdout) if answer.ok else None
            if info:
                cuda_driver = info["cuda_version"]
                if not driver_version and info["driver_version"]:
                    driver_version = info["driver_version"]
                    source = "nvidia-smi"
    if kernel_module == "tegra" and driver_version is None:
        source = source or "proc"
    return (NvidiaDriver(driver_version=driver_version, kernel_module=kernel_module,
                         module_version=module_version, cuda_driver_version=cuda_driver,
                         smi_path=smi, smi_error=smi_error, nvml_version=nvml_version,
                         source=source if (driver_version or kernel_module) else None,
                         cuda_driver_source="nvidia-smi" if cuda_driver else None),
            tuple(gpus))

"""CUDA toolkit: where it is, which version, and whether ``nvcc`` can be found for builds.

Order of places: ``CUDA_HOME``, ``CUDA_PATH``, ``/usr/local/cuda`` (a link, resolved),
``/usr/local/cuda-X.Y`` (newest first), then the directory above an ``nvcc`` on ``PATH``.
The version comes from ``version.json`` (CUDA ≥ 11.1) or ``version.txt`` (≤ 11.0);
``nvcc --version`` runs only on a live or snapshot host when neither file exists (pip's and
conda's nvcc packages ship none); its output is remembered while the compiler keeps its stamp.

Example: ``CudaToolkit(version="12.2.140", home="/usr/local/cuda-12.2",
nvcc_path="/usr/local/cuda-12.2/bin/nvcc", nvcc_version="12.2.140", nvcc_on_path=False,
source="version.json", cuda_home_env=None, homes=("/usr/local/cuda-12.2",))``
"""

import json
import posixpath
import re
from typing import Any, Dict, List, Optional, Tuple

from packaging.version import InvalidVersion, Version

from ..facts import CudaToolkit
from ..patterns import lazy
from .remembered_command import run_remembered

NVCC_TIMEOUT = 10.0
NVCC_CACHE_NAME = "nvcc-version"

_TXT_RE = lazy(r"^CUDA Version\s+(\d+\.\d+(?:\.\d+)*)\s*$", re.M)
# Cuda compilation tools, release 12.2, V12.2.140   (CUDA >= 11 adds a "Build cuda_..." line)
_NVCC_RE = lazy(r"^Cuda compilation tools, release (\d+\.\d+), V(\d+\.\d+(?:\.\d+)*)\s*$", re.M)
_NVCC_RELEASE_RE = lazy(r"^Cuda compilation tools, release (\d+\.\d+)\b", re.M)
_VERSION_RE = lazy(r"^\d+\.\d+(?:\.\d+)*$")
_DIR_VERSION_RE = lazy(r"^cuda-(\d+\.\d+)$")


def _component(doc, key):
    item = doc.get(key)
    if isinstance(item, dict):
        value = item.get("version")
        if isinstance(value, str) and _VERSION_RE.match(value.strip()):
            return value.strip()
    return None


def parse_cuda_version_json(text):
    # type: (str) -> Optional[Dict[str, Optional[str]]]
    """``version.json`` → ``{"version": ..., "nvcc_version": ..., "sdk": ...}``.

    ``sdk`` is the ``"cuda"`` entry as written. Some installers write a date as its last part
    (``"12.2.20230823"``, ``"11.8.20220929"``): then ``version`` is the nvcc (or cudart)
    component version, which is what ``nvcc --version`` prints; otherwise it is ``sdk``.
    """
    if not isinstance(text, str):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    sdk = _component(doc, "cuda")
    nvcc = _component(doc, "cuda_nvcc")
    cudart = _component(doc, "cuda_cudart")
    version = sdk
    if sdk is None or (len(sdk.split(".")) > 2 and len(sdk.split(".")[2]) >= 8):
        version = nvcc or cudart or sdk
    if version is None:
        return None
    return {"version": version, "nvcc_version": nvcc, "sdk": sdk}


def parse_cuda_version_txt(text):
    # type: (str) -> Optional[str]
    """``version.txt`` (CUDA ≤ 11.0): ``CUDA Version 10.2.89`` → ``"10.2.89"``."""
    if not isinstance(text, str):
        return None
    match = _TXT_RE.search(text)
    return match.group(1) if match else None


def parse_nvcc_version(text):
    # type: (str) -> Optional[str]
    """``nvcc --version`` → ``"12.2.140"`` (the ``V`` number; the release when that is missing).

    Anchored per line, so the trailing ``Build cuda_12.2.r12.2/compiler.33191640_0`` line of
    CUDA ≥ 11 does not get in the way (k2-fsa/k2#584).
    """
    if not isinstance(text, str):
        return None
    match = _NVCC_RE.search(text)
    if match:
        return match.group(2)
    match = _NVCC_RELEASE_RE.search(text)
    return match.group(1) if match else None


def _version_key(path):
    match = _DIR_VERSION_RE.match(posixpath.basename(path.rstrip("/")))
    try:
        return Version(match.group(1)) if match else Version("0")
    except InvalidVersion:
        return Version("0")


def _looks_like_toolkit(host, home, strict=False):
    if (host.exists(posixpath.join(home, "version.json"))
            or host.exists(posixpath.join(home, "version.txt"))):
        return True
    if not host.exists(posixpath.join(home, "bin", "nvcc")):
        return False
    # The directory above an nvcc on PATH must also hold the headers: /usr/local/bin/nvcc can
    # be a wrapper script, and /usr/local is no toolkit.
    return not strict or host.exists(posixpath.join(home, "include", "cuda.h"))


def _candidates(host):
    # type: (object) -> List[str]
    env = host.env
    found = []  # type: List[Tuple[str, bool]]
    for name in ("CUDA_HOME", "CUDA_PATH"):
        value = (env.get(name) or "").strip()
        if value:
            found.append((value.rstrip("/") or "/", False))
    if host.exists("/usr/local/cuda"):
        found.append((host.realpath("/usr/local/cuda"), False))
    dirs = [p.rstrip("/") for p in host.glob("/usr/local/cuda-*") if host.is_dir(p)]
    found.extend((d, False) for d in sorted(dirs, key=_version_key, reverse=True))
    nvcc = host.which("nvcc")
    if nvcc:
        real = host.realpath(nvcc)
        found.append((posixpath.dirname(posixpath.dirname(real)), True))
    unique = []  # type: List[Tuple[str, bool]]
    for path, strict in found:
        if path not in [p for p, _ in unique]:
            unique.append((path, strict))
    return unique


def nvcc_proof(host, nvcc_path, argv):
    # type: (Any, str, list) -> Optional[str]
    """The key under which ``nvcc --version`` may be remembered: a compiled nvcc prints the
    version built into it, so its stamp (size, mtime, inode) vouches for the output. A script
    (a wrapper that runs some other nvcc) vouches for nothing: None."""
    real = host.realpath(nvcc_path)
    if host.file_head(real, 4) != b"\x7fELF":
        return None
    stamp = host.file_stamp(real)
    return json.dumps([argv, real, stamp]) if stamp else None


def read_cuda(host, cache=None):
    # type: (Any, Any) -> CudaToolkit
    """The CUDA toolkit that a build would use (see the module docstring for the order).
    ``cache`` (a ``probe_cache.ProbeCache``, live hosts only) remembers ``nvcc --version``."""
    env = host.env
    cuda_home_env = (env.get("CUDA_HOME") or env.get("CUDA_PATH") or "").strip() or None
    candidates = _candidates(host)
    homes = tuple(p for p, strict in candidates if _looks_like_toolkit(host, p, strict))
    home = homes[0] if homes else None

    version = None
    nvcc_version = None
    source = None
    if home:
        info = parse_cuda_version_json(host.read_text(posixpath.join(home, "version.json")) or "")
        if info:
            version, nvcc_version, source = info["version"], info["nvcc_version"], "version.json"
        else:
            version = parse_cuda_version_txt(host.read_text(posixpath.join(home, "version.txt")) or "")
            source = "version.txt" if version else None

    nvcc_on_path = host.which("nvcc")
    nvcc_path = None
    if home and host.exists(posixpath.join(home, "bin", "nvcc")):
        nvcc_path = posixpath.join(home, "bin", "nvcc")
    elif nvcc_on_path:
        nvcc_path = nvcc_on_path
    if version is None and nvcc_path and host.can_run:
        argv = [nvcc_path, "--version"]
        key = nvcc_proof(host, nvcc_path, argv) if cache is not None else None
        result = run_remembered(host, argv, NVCC_TIMEOUT, cache, NVCC_CACHE_NAME, key)
        if result.ok:
            nvcc_version = parse_nvcc_version(result.stdout)
            if nvcc_version:
                version, source = nvcc_version, "nvcc"
    return CudaToolkit(version=version, home=home, nvcc_path=nvcc_path, nvcc_version=nvcc_version,
                       nvcc_on_path=nvcc_on_path is not None, source=source,
                       cuda_home_env=cuda_home_env, homes=homes)

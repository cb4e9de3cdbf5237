"""Containers: are we in one, which image, and (Jetson) are the host's libraries mounted in?

Runtime markers: ``/.dockerenv`` (Docker), ``/run/.containerenv`` (Podman), the ``container=``
environment variable (Podman, systemd-nspawn, LXC), and ``/proc/1/cgroup`` paths (cgroup v1).
NGC images are known by their ENV (``NVIDIA_PRODUCT_NAME``, ``NVIDIA_PYTORCH_VERSION``,
``NVIDIA_TENSORRT_VERSION``, ``TRT_VERSION``, ...) and files (``/NGC-DL-CONTAINER-LICENSE``,
``/opt/nvidia/nvidia_entrypoint.sh``).

On Jetson with JetPack 4 (``l4t-base`` images), CUDA, cuDNN and TensorRT are not in the image:
nvidia-container-runtime bind-mounts the files listed in
``/etc/nvidia-container-runtime/host-files-for-container.d/*.csv`` at run time, and only with
``--runtime nvidia``. Listed files missing inside a container mean it was started without it.

Example: ``Container(runtime="docker", image="ngc-tensorrt", release="24.08",
tensorrt_version="10.3.0.26", cuda_version="12.6.0.022", markers=("/.dockerenv", "env"))``
"""

import posixpath
import re
from typing import Dict, List, Optional, Tuple

from ..facts import Container
from ..patterns import lazy
from .container_runtime import parse_mount_csv

CSV_DIR = "/etc/nvidia-container-runtime/host-files-for-container.d"

NGC_ENV = ("NVIDIA_PRODUCT_NAME", "NVIDIA_PYTORCH_VERSION", "NVIDIA_TENSORRT_VERSION",
           "NVIDIA_BUILD_ID", "TRT_VERSION", "TENSORRT_VERSION", "CUDA_VERSION",
           "CUDA_DRIVER_VERSION", "CUDNN_VERSION", "NVIDIA_REQUIRE_CUDA",
           "NVIDIA_REQUIRE_JETPACK_HOST_MOUNTS", "PYTORCH_VERSION", "NV_CUDA_CUDART_VERSION",
           "NVARCH", "NVIDIA_DRIVER_CAPABILITIES", "L4T_VERSION")
# Not NVIDIA_VISIBLE_DEVICES: it may hold GPU UUIDs.

_CGROUP_RULES = (
    (lazy(r"/(?:machine\.slice/)?libpod-|/libpod_parent/"), "podman"),
    (lazy(r"/kubepods"), "kubernetes"),
    (lazy(r"/docker[-/]|/docker\.service|/actions_job/"), "docker"),
    (lazy(r"/containerd[-/]|/system\.slice/containerd"), "containerd"),
    (lazy(r"/lxc[./]|/lxc\.payload"), "lxc"),
)
_VERSION_RE = lazy(r"^\d+(?:\.\d+)*(?:[a-z0-9+.-]*)$")


def parse_cgroup(text):
    # type: (str) -> Optional[str]
    """``/proc/1/cgroup`` → "docker" | "podman" | "kubernetes" | "containerd" | "lxc" | None.

    Only cgroup v1 (and hybrid) paths name the container manager; a pure v2 ``0::/`` says
    nothing, so None.
    """
    if not isinstance(text, str):
        return None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        path = parts[2].strip()
        for pattern, name in _CGROUP_RULES:
            if pattern.search(path):
                return name
    return None


def parse_nvidia_csv(text):
    # type: (str) -> Tuple[Tuple[str, str], ...]
    """An nvidia-container-runtime CSV list → ``(("lib", "/usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3"), ...)``.

    The lines the runtime uses (``container_runtime.parse_mount_csv`` parses them as the
    toolkit does); comments, invalid and relative lines are left out.
    """
    return tuple((line.kind, line.path) for line in parse_mount_csv(text) if line.problem is None)


def _runtime(host):
    # type: (object) -> Tuple[Optional[str], Tuple[str, ...]]
    markers = []  # type: List[str]
    runtime = None
    if host.exists("/.dockerenv"):
        markers.append("/.dockerenv")
        runtime = "docker"
    if host.exists("/run/.containerenv"):
        markers.append("/run/.containerenv")
        runtime = runtime or "podman"
    env_value = (host.env.get("container") or "").strip()
    if env_value:
        markers.append("env:container")
        runtime = runtime or ("docker" if env_value == "docker" else env_value)
    from_cgroup = parse_cgroup(host.read_text("/proc/1/cgroup") or "")
    if from_cgroup:
        markers.append("cgroup")
        runtime = runtime or from_cgroup
    return runtime, tuple(markers)


def _image(host, env, arch, markers):
    # type: (object, Dict[str, str], Optional[str], List[str]) -> Optional[str]
    product = (env.get("NVIDIA_PRODUCT_NAME") or "").strip()
    if host.exists("/NGC-DL-CONTAINER-LICENSE"):
        markers.append("/NGC-DL-CONTAINER-LICENSE")
    if host.exists("/opt/nvidia/nvidia_entrypoint.sh"):
        markers.append("/opt/nvidia/nvidia_entrypoint.sh")
    if env.get("NVIDIA_PYTORCH_VERSION") or product.lower() == "pytorch":
        return "ngc-pytorch"
    if env.get("NVIDIA_TENSORRT_VERSION") or product.lower() == "tensorrt":
        return "ngc-tensorrt"
    if product:
        return "ngc-" + re.sub(r"[^a-z0-9]+", "-", product.lower()).strip("-")
    if env.get("CUDA_VERSION") and (env.get("NVIDIA_REQUIRE_CUDA") or env.get("NV_CUDA_CUDART_VERSION")):
        return "nvidia-cuda"
    if arch == "aarch64" and host.exists("/etc/nv_tegra_release") and any(
            m in markers for m in ("/.dockerenv", "/run/.containerenv", "env:container", "cgroup")):
        return "l4t"
    return None


def _clean_version(value):
    value = (value or "").strip()
    return value if value and _VERSION_RE.match(value) else None


def read_container(host, arch=None):
    # type: (object, Optional[str]) -> Container
    """Container runtime, image kind, NGC versions and (Jetson) the host-mounted files."""
    env = host.env
    runtime, found = _runtime(host)
    markers = list(found)
    image = _image(host, env, arch, markers)
    ngc = {name: env[name] for name in NGC_ENV if env.get(name)}
    if ngc:
        markers.append("env")

    csv_files = tuple(p for p in host.glob(posixpath.join(CSV_DIR, "*.csv")) if not host.is_dir(p))
    mounted = []  # type: List[str]
    for path in csv_files:
        for kind, target in parse_nvidia_csv(host.read_text(path) or ""):
            if kind in ("lib", "sym", "dir") and target not in mounted:
                mounted.append(target)
    missing = ()  # type: Tuple[str, ...]
    if runtime is not None and mounted:
        missing = tuple(p for p in mounted if not host.exists(p))
        if image is None and arch == "aarch64":
            image = "l4t"

    release = None
    for name in ("NVIDIA_PYTORCH_VERSION", "NVIDIA_TENSORRT_VERSION"):
        if env.get(name):
            release = env[name].strip()
            break
    return Container(
        runtime=runtime,
        image=image,
        ngc=ngc,
        host_mounted=tuple(mounted),
        host_mounts_missing=missing,
        markers=tuple(markers),
        release=release,
        cuda_version=_clean_version(env.get("CUDA_VERSION")),
        tensorrt_version=_clean_version(env.get("TENSORRT_VERSION") or env.get("TRT_VERSION")),
        cudnn_version=_clean_version(env.get("CUDNN_VERSION")),
        pytorch_version=_clean_version(env.get("PYTORCH_VERSION")),
        csv_files=csv_files,
    )

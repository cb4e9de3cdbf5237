"""Facts: plain immutable records of what the probes found, one record type per probe.

"Unknown" is ``None``, never ``''`` or ``'N/A'``. Every record turns into JSON with
``to_json`` (keys are the record's field names; they are the documented JSON keys).
The doctor's ``platform`` object is ``Facts.to_json()``; see docs/json.md.
"""

from typing import Any, Dict, List, Optional, Tuple

from .facts_docker import (  # noqa: F401 (re-exported)
    CdiSpec, ContainerRuntime, CsvFile, CsvLine, DaemonConfig, RuntimeConfig)
from .record import factory, fields, is_record, record

FACTS_SCHEMA = 1


def to_json(value):
    # type: (Any) -> Any
    """Records, tuples and dicts to plain JSON values (dicts sorted by the JSON encoder)."""
    if is_record(value):
        return {name: to_json(getattr(value, name)) for name in fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def from_json(cls, data):
    """The inverse of ``to_json`` for a record class (used by ``plan --facts FILE``)."""
    if data is None:
        return None
    kwargs = {}
    for name in fields(cls):
        if name not in data:
            continue
        value = data[name]
        sub = _RECORD_FIELDS.get((cls.__name__, name))
        if sub is not None:
            if isinstance(value, list):
                value = tuple(from_json(sub, v) for v in value)
            else:
                value = from_json(sub, value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


@record
class SystemInfo:
    """Example: ``SystemInfo(arch="aarch64", distro_id="ubuntu", distro_version="18.04",
    kernel="4.9.140-tegra", ram_mib=3964, swap_mib=1982, disk_free_mib=20480,
    disk_path="/home/nano", cpu_count=4)``"""

    arch: Optional[str] = None
    distro_id: Optional[str] = None
    distro_version: Optional[str] = None
    distro_name: Optional[str] = None
    kernel: Optional[str] = None
    ram_mib: Optional[int] = None
    swap_mib: Optional[int] = None
    disk_free_mib: Optional[int] = None
    disk_path: Optional[str] = None
    cpu_count: Optional[int] = None            # CPUs this process may use (affinity)
    is_root: Optional[bool] = None
    ram_available_mib: Optional[int] = None
    arch_source: Optional[str] = None          # "uname" | "proc" | "dpkg" | "ld.so.conf.d" | "multiarch-dir"


@record
class JetsonInfo:
    """Example: ``JetsonInfo(l4t="32.4.3", l4t_source="dpkg", release_l4t="32.4.3",
    dpkg_l4t="32.4.3", jetpack="4.4", jetpack_exact=True, module="Jetson Nano (4GB, developer
    kit)", part_number="p3448-0000", soc="tegra210", cuda_arch="5.3",
    model="NVIDIA Jetson Nano Developer Kit", is_jetson=True, ...)``

    ``jetpack`` is a recipes key: ``"4.6.1"``, or ``"4.4 DP"`` / ``"6.0 EA"`` for previews.
    ``jetpack_exact`` is False when the JetPack was guessed from the L4T major alone (unknown
    minor). ``jetpack_package`` is the JetPack that the installed ``nvidia-jetpack`` package
    names (``"4.6.1"`` from ``4.6.1-b110``). ``is_jetson`` is False for Tegra hardware that is
    not a Jetson module (a Nintendo Switch): then ``jetpack`` is None even when ``l4t`` is set.
    A Jetson on a custom image without L4T files has ``is_jetson=True`` and ``l4t=None``.
    Written by ``probes/jetson.read_jetson``.
    """

    l4t: Optional[str] = None
    l4t_source: Optional[str] = None            # "nv_tegra_release" | "dpkg" | "env" | "nvidia-driver"
    release_l4t: Optional[str] = None           # as /etc/nv_tegra_release says
    dpkg_l4t: Optional[str] = None              # as the nvidia-l4t-core package says
    release_board: Optional[str] = None
    jetpack: Optional[str] = None
    jetpack_exact: Optional[bool] = None
    jetpack_package: Optional[str] = None       # nvidia-jetpack package version, if installed
    module: Optional[str] = None
    part_number: Optional[str] = None
    soc: Optional[str] = None
    cuda_arch: Optional[str] = None
    model: Optional[str] = None
    compatible: Tuple[str, ...] = ()
    notes: Tuple[str, ...] = ()                 # disagreements and fallbacks, one sentence each
    carrier: Optional[str] = None               # carrier board from compatible ("p3737-0000")
    is_jetson: Optional[bool] = None            # False: Tegra but not a Jetson (Nintendo Switch)
    apt_branch: Optional[str] = None            # "32.4" from nvidia-l4t-apt-source.list
    env_l4t: Optional[str] = None               # L4T_VERSION from the environment, if valid


@record
class Gpu:
    """Example: ``Gpu(index=0, name="NVIDIA H100 80GB HBM3", compute_capability="9.0",
    memory_mib=81559)``"""

    index: Optional[int] = None
    name: Optional[str] = None
    compute_capability: Optional[str] = None
    memory_mib: Optional[int] = None


@record
class NvidiaDriver:
    """Example: ``NvidiaDriver(driver_version="535.183.01", kernel_module="proprietary",
    cuda_driver_version="12.2", source="nvidia-smi")``

    ``cuda_driver_version`` is the highest CUDA the driver supports (nvidia-smi's "CUDA
    Version"), not the installed toolkit.
    """

    driver_version: Optional[str] = None
    kernel_module: Optional[str] = None        # "proprietary" | "open" | "tegra"
    module_version: Optional[str] = None       # from /proc/driver/nvidia/version
    cuda_driver_version: Optional[str] = None
    smi_path: Optional[str] = None
    smi_error: Optional[str] = None            # e.g. "Driver/library version mismatch"
    nvml_version: Optional[str] = None
    source: Optional[str] = None
    cuda_driver_source: Optional[str] = None   # "nvidia-smi", or "driver-table" (derived from the recipes)


@record
class CudaToolkit:
    """Example: ``CudaToolkit(version="12.2.140", home="/usr/local/cuda-12.2",
    nvcc_path="/usr/local/cuda-12.2/bin/nvcc", nvcc_version="12.2.140", source="version.json")``"""

    version: Optional[str] = None
    home: Optional[str] = None
    nvcc_path: Optional[str] = None
    nvcc_version: Optional[str] = None
    nvcc_on_path: Optional[bool] = None
    source: Optional[str] = None               # "version.json" | "version.txt" | "nvcc"
    cuda_home_env: Optional[str] = None
    homes: Tuple[str, ...] = ()                # every toolkit directory found, the chosen one first


@record
class Cudnn:
    """Example: ``Cudnn(version="8.9.4", header="/usr/include/cudnn_version.h")``"""

    version: Optional[str] = None
    header: Optional[str] = None               # the header the version came from, as found


@record
class TensorrtPython:
    """Whether the target Python imports ``tensorrt``, and from which file."""

    importable: Optional[bool] = None
    version: Optional[str] = None              # tensorrt.__version__, else the dist metadata
    file: Optional[str] = None
    error: Optional[str] = None
    checked: bool = False                      # False when no interpreter could be asked
    namespace_package: Optional[bool] = None   # imported a directory without __init__.py
    has_api: Optional[bool] = None             # tensorrt.Builder exists (the bindings loaded)
    dist_version: Optional[str] = None         # version from package metadata
    rtx: Optional[str] = None                  # TensorRT-RTX bindings installed: "tensorrt_rtx_bindings 1.7.1.116"


@record
class Tensorrt:
    """Example: ``Tensorrt(version="8.6.1.6", include_dir="/usr/include/x86_64-linux-gnu",
    lib_dir="/usr/lib/x86_64-linux-gnu", layout="deb", ...)``"""

    version: Optional[str] = None
    header: Optional[str] = None
    include_dir: Optional[str] = None
    lib_dir: Optional[str] = None
    lib_files: Tuple[str, ...] = ()
    has_dev_symlink: Optional[bool] = None     # libnvinfer.so (unversioned) present
    layout: Optional[str] = None               # "deb" | "rpm" | "tarball" | "pip"
    packages: Dict[str, str] = factory(dict)  # dpkg name -> version
    version_source: Optional[str] = None       # "header" | "library" | "dpkg"
    header_version: Optional[str] = None       # from NvInferVersion.h / NvInfer.h
    lib_version: Optional[str] = None          # from libnvinfer.so.X.Y.Z file names
    root: Optional[str] = None                 # tarball root (TRT_ROOT, /opt/TensorRT-*)
    others: Tuple[str, ...] = ()               # other installs seen: "<layout> <dir> <version>"
    incomplete_include_dir: Optional[str] = None  # holds NvInferVersion.h but no NvInfer.h (a half-removed -dev)
    rtx_libs: Tuple[str, ...] = ()             # TensorRT-RTX libraries seen (libtensorrt_rtx.so*): not TensorRT
    python: TensorrtPython = factory(TensorrtPython)


@record
class Container:
    """Example: ``Container(runtime="docker", image="ngc-tensorrt", ngc={"TRT_VERSION": "10.3.0.26"})``"""

    runtime: Optional[str] = None              # "docker" | "podman" | "containerd" | None
    image: Optional[str] = None                # "ngc-pytorch" | "ngc-tensorrt" | "nvidia-cuda" | "l4t-base" | ...
    ngc: Dict[str, str] = factory(dict)
    host_mounted: Tuple[str, ...] = ()         # libraries the nvidia runtime should mount from the host
    host_mounts_missing: Tuple[str, ...] = ()  # of those, the ones not present
    markers: Tuple[str, ...] = ()              # evidence: "/.dockerenv", "env:container", "cgroup", ...
    release: Optional[str] = None              # NGC release YY.MM (NVIDIA_PYTORCH_VERSION, ...)
    cuda_version: Optional[str] = None         # image ENV CUDA_VERSION (may have 4 parts)
    tensorrt_version: Optional[str] = None     # image ENV TRT_VERSION / TENSORRT_VERSION
    cudnn_version: Optional[str] = None        # image ENV CUDNN_VERSION
    pytorch_version: Optional[str] = None      # image ENV PYTORCH_VERSION
    csv_files: Tuple[str, ...] = ()            # nvidia-container-runtime CSV lists read


@record
class Package:
    """Example: ``Package(name="torch", version="2.1.0a0+41361538.nv23.06",
    location="/usr/local/lib/python3.8/dist-packages", kind="dist-info",
    path="/usr/local/lib/python3.8/dist-packages/torch-2.1.0a0+41361538.nv23.06.dist-info")``

    Read from package metadata without importing. ``location`` is the sys.path entry (or
    the egg / source dir) it was found in; ``version`` is the metadata text, not normalised.
    ``duplicates`` are the metadata paths of copies that lose (later on sys.path, or a
    second metadata dir in the same place).
    """

    name: str = ""
    version: Optional[str] = None
    location: Optional[str] = None
    kind: Optional[str] = None                 # "dist-info" | "egg-info" | "egg" | "egg-link"
    path: Optional[str] = None                 # the METADATA / PKG-INFO holder
    duplicates: Tuple[str, ...] = ()


@record
class TorchRuntime:
    """What importing torch in the target interpreter said (a subprocess, with a timeout).

    Example: ``TorchRuntime(checked=True, imported=True, version="2.9.0+cu130",
    file="/venv/lib/python3.12/site-packages/torch/__init__.py", cuda_built=True,
    cuda_version="13.0", cuda_available=True, device_count=1,
    device_name="NVIDIA H100 80GB HBM3", device_capability="9.0",
    arch_list=("sm_75", "sm_80", "sm_90"), torchvision_imported=True,
    torchvision_version="0.24.0+cu130", torchvision_ops=True, seconds=2.1)``

    ``checked`` is False when nothing could be asked (a captured tree, no interpreter).
    ``torchvision_ops`` is False when torchvision imports but its compiled operators do not
    run with this torch (``operator torchvision::nms does not exist``: mismatched builds).
    """

    checked: bool = False
    imported: Optional[bool] = None
    version: Optional[str] = None
    file: Optional[str] = None
    arch_list: Tuple[str, ...] = ()
    cuda_built: Optional[bool] = None
    cuda_version: Optional[str] = None
    cuda_available: Optional[bool] = None
    device_count: Optional[int] = None
    device_name: Optional[str] = None
    device_capability: Optional[str] = None
    error: Optional[str] = None
    torchvision_imported: Optional[bool] = None
    torchvision_version: Optional[str] = None
    torchvision_error: Optional[str] = None
    torchvision_file: Optional[str] = None
    torchvision_ops: Optional[bool] = None
    seconds: Optional[float] = None
    cached_at: Optional[str] = None            # set when this came from the probe cache


@record
class PythonEnv:
    """Example: ``PythonEnv(executable="/usr/bin/python3", version="3.6.9",
    implementation="CPython", prefix="/usr", base_prefix="/usr", is_venv=False,
    is_conda=False, system_site_packages=None, user_site_enabled=True,
    user_site="/home/nano/.local/lib/python3.6/site-packages",
    purelib="/usr/lib/python3.6/site-packages",
    site_dirs=("/usr/lib/python3.6", "/usr/lib/python3/dist-packages", ...),
    packages={"torch": Package(...)}, source="interpreter")``

    ``executable`` is the interpreter's own ``sys.executable`` (symlinks not resolved, so a
    venv's python stays the venv's), or the path that was asked when it could not answer.
    ``system_site_packages`` is None when this is not a venv (the question does not apply);
    inside a venv it is pyvenv.cfg's ``include-system-site-packages``. ``site_dirs`` are the
    existing ``sys.path`` entries in order, without the current directory. ``source`` is
    "interpreter" when the interpreter answered, "files" when inferred from a captured tree
    (then ``version`` may be only "3.6"). ``error`` says why the interpreter could not be
    asked (missing, not runnable, no answer); the other fields are then unknown.
    """

    executable: Optional[str] = None
    version: Optional[str] = None
    implementation: Optional[str] = None
    prefix: Optional[str] = None
    base_prefix: Optional[str] = None
    is_venv: Optional[bool] = None
    is_conda: Optional[bool] = None
    system_site_packages: Optional[bool] = None
    user_site_enabled: Optional[bool] = None
    user_site: Optional[str] = None
    purelib: Optional[str] = None              # where pip installs for this interpreter
    site_dirs: Tuple[str, ...] = ()
    packages: Dict[str, Package] = factory(dict)
    torch: TorchRuntime = factory(TorchRuntime)
    source: Optional[str] = None               # "interpreter" | "files"
    error: Optional[str] = None
    pip_user_env: Optional[str] = None         # PIP_USER in the environment: pip then installs with --user


@record
class Facts:
    """Everything the doctor knows about one machine. ``to_json()`` is the doctor's
    ``platform`` object."""

    system: SystemInfo = factory(SystemInfo)
    jetson: Optional[JetsonInfo] = None
    nvidia: NvidiaDriver = factory(NvidiaDriver)
    gpus: Tuple[Gpu, ...] = ()
    cuda: CudaToolkit = factory(CudaToolkit)
    cudnn: Cudnn = factory(Cudnn)
    tensorrt: Tensorrt = factory(Tensorrt)
    container: Container = factory(Container)
    python: PythonEnv = factory(PythonEnv)
    container_runtime: ContainerRuntime = factory(ContainerRuntime)
    host: Optional[str] = None                 # "this machine" | "captured tree" | "snapshot"
    probe_errors: Dict[str, str] = factory(dict)  # probe name -> what broke
    probe_seconds: Dict[str, float] = factory(dict)
    read_problems: Tuple[Tuple[str, str], ...] = ()  # (path, why) of inputs that exist but could not be read

    @property
    def arch(self):
        return self.system.arch

    def to_json(self):
        doc = to_json(self)
        doc["arch"] = self.system.arch
        doc["schema"] = FACTS_SCHEMA
        return doc


# Nested record fields, for from_json.
_RECORD_FIELDS = {
    ("Facts", "system"): SystemInfo,
    ("Facts", "jetson"): JetsonInfo,
    ("Facts", "nvidia"): NvidiaDriver,
    ("Facts", "gpus"): Gpu,
    ("Facts", "cuda"): CudaToolkit,
    ("Facts", "cudnn"): Cudnn,
    ("Facts", "tensorrt"): Tensorrt,
    ("Facts", "container"): Container,
    ("Facts", "python"): PythonEnv,
    ("Facts", "container_runtime"): ContainerRuntime,
    ("ContainerRuntime", "config"): RuntimeConfig,
    ("ContainerRuntime", "csv_files"): CsvFile,
    ("ContainerRuntime", "cdi_specs"): CdiSpec,
    ("ContainerRuntime", "daemon"): DaemonConfig,
    ("CsvFile", "lines"): CsvLine,
    ("Tensorrt", "python"): TensorrtPython,
    ("PythonEnv", "torch"): TorchRuntime,
}


def facts_from_json(doc):
    """Facts from a doctor ``platform`` object (unknown keys are ignored)."""
    doc = dict(doc)
    doc.pop("arch", None)
    doc.pop("schema", None)
    python = doc.get("python")
    if isinstance(python, dict) and isinstance(python.get("packages"), dict):
        python = dict(python)
        python["packages"] = {k: from_json(Package, v) for k, v in python["packages"].items()}
        doc["python"] = python
    return from_json(Facts, doc)

"""Facts of the container runtime probe (``probes/container_runtime``): the NVIDIA container
stack, its CSV mount lists, runtime and daemon configuration, CDI specs. Frozen records like
every fact; ``facts.py`` re-exports them and nests ``ContainerRuntime`` in ``Facts``.
"""

from typing import Dict, Optional, Tuple

from .record import factory, record


@record
class CsvLine:
    """One line of an nvidia-container-runtime CSV, as the toolkit reads it, and what it names.

    Example: ``CsvLine(number=3, text="lib, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3",
    kind="lib", path="/usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3", found=None,
    siblings=("libnvinfer.so.8.2.1",))``

    ``problem``: None (used), "blank", "comment", "invalid", "relative". ``found``: what the path
    is by lstat ("file", "link", "dir", "char", ...; None = missing). For a link,
    ``resolves_to``/``resolves_kind`` is where it ends (None when dangling). ``siblings`` are the
    other ``<stem>.so.<version>`` names in the same directory, for a missing versioned library (how
    the version that replaced it is found).
    """

    number: int = 0
    text: str = ""
    kind: Optional[str] = None
    path: Optional[str] = None
    problem: Optional[str] = None
    crlf: bool = False
    found: Optional[str] = None
    link_text: Optional[str] = None
    resolves_to: Optional[str] = None
    resolves_kind: Optional[str] = None
    glob_matches: Tuple[str, ...] = ()
    siblings: Tuple[str, ...] = ()


@record
class CsvFile:
    """Example: ``CsvFile(path="/etc/nvidia-container-runtime/host-files-for-container.d/tensorrt.csv",
    name="tensorrt.csv", owner="nvidia-container-csv-tensorrt", size=1590, lines=(...))``"""

    path: str = ""
    name: str = ""
    lines: Tuple[CsvLine, ...] = ()
    size: Optional[int] = None
    owner: Optional[str] = None                # the dpkg package that ships it, if any
    read_error: Optional[str] = None


@record
class RuntimeConfig:
    """``/etc/nvidia-container-runtime/config.toml``; None values are unset (defaults apply)."""

    path: str = ""
    present: bool = False
    mode: Optional[str] = None                 # "auto" | "csv" | "cdi" | "legacy" | "jit-cdi"
    mount_spec_path: Optional[str] = None
    cdi_spec_dirs: Optional[str] = None


@record
class CdiSpec:
    """Example: ``CdiSpec(path="/etc/cdi/nvidia.yaml", kind="nvidia.com/gpu", cdi_version="0.5.0",
    devices=("0", "all"), host_paths=214, host_paths_missing=(), mounts_tegra_release=True)``"""

    path: str = ""
    kind: Optional[str] = None
    cdi_version: Optional[str] = None
    devices: Tuple[str, ...] = ()
    host_paths: int = 0
    host_paths_missing: Tuple[str, ...] = ()
    mounts_tegra_release: bool = False         # written by `nvidia-ctk cdi generate --mode=csv` on Tegra
    error: Optional[str] = None


@record
class DaemonConfig:
    """``/etc/docker/daemon.json``: ``DaemonConfig(present=True, default_runtime="nvidia",
    runtimes=("nvidia",), runtime_paths={"nvidia": "nvidia-container-runtime"})``"""

    path: str = ""
    present: bool = False
    default_runtime: Optional[str] = None
    runtimes: Tuple[str, ...] = ()
    runtime_paths: Dict[str, str] = factory(dict)
    error: Optional[str] = None


@record
class ContainerRuntime:
    """The NVIDIA container stack of a host (``probes/container_runtime.py``).

    Example: ``ContainerRuntime(installed=True, toolkit_version="1.7.0-1",
    libnvidia_container_version="0.10.0+jetpack", packages={...}, csv_packages={
    "nvidia-container-csv-tensorrt": "7.1.3.0-1+cuda10.2"}, config=RuntimeConfig(...),
    mount_spec_dir="/etc/nvidia-container-runtime/host-files-for-container.d",
    csv_files=(CsvFile(...), ...), cdi_specs=(), daemon=DaemonConfig(...),
    package_libraries={"libnvinfer8": ("/usr/lib/aarch64-linux-gnu/libnvinfer.so.8.2.1", ...)})``
    """

    installed: bool = False
    packages: Dict[str, str] = factory(dict)
    csv_packages: Dict[str, str] = factory(dict)
    toolkit_version: Optional[str] = None
    libnvidia_container_version: Optional[str] = None
    config: RuntimeConfig = factory(RuntimeConfig)
    mount_spec_dir: Optional[str] = None
    mount_spec_dir_exists: bool = False
    csv_files: Tuple[CsvFile, ...] = ()
    cdi_specs: Tuple[CdiSpec, ...] = ()
    daemon: DaemonConfig = factory(DaemonConfig)
    binaries: Tuple[str, ...] = ()
    package_libraries: Dict[str, Tuple[str, ...]] = factory(dict)

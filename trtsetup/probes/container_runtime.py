"""The NVIDIA container stack on this host: CSV mount lists, runtime config, CDI specs, Docker.

Sources (shared/facts/docker-and-fleet.md §1–3):

* ``/etc/nvidia-container-runtime/host-files-for-container.d/*.csv`` (``mount-spec-path``):
  lines ``<type>, <path>``, type ``dev``/``lib``/``sym``/``dir``. The toolkit's parser
  (``internal/platform-support/tegra/csv``) trims the line, splits it on the *first* comma and
  trims both parts; any other type or an empty path is skipped silently (debug log only).
* ``/etc/nvidia-container-runtime/config.toml``: ``mode`` (auto/csv/cdi/legacy/jit-cdi) and
  ``[nvidia-container-runtime.modes.csv] mount-spec-path``.
* CDI specs ``/etc/cdi/*.{yaml,json}``, ``/var/run/cdi/*.{yaml,json}`` (``nvidia-ctk cdi
  generate``); on Tegra a csv-mode spec mounts ``/etc/nv_tegra_release``.
* ``/etc/docker/daemon.json``: ``runtimes`` and ``default-runtime``.
* dpkg: ``nvidia-container-toolkit``, ``libnvidia-container0``/``1``, the JetPack 4
  ``nvidia-container-csv-*`` packages, and ``var/lib/dpkg/info/<pkg>.list`` (what
  ``dpkg -L`` prints) for the libraries of the installed TensorRT and cuDNN.

``read_container_runtime(host, recipes)`` reads them; the ``parse_*`` functions are pure (those
of config.toml, CDI specs and daemon.json are in ``container_config.py``).
Judging (stale lines, drift, coverage) is ``trtsetup/docker/csv_check.py``.
"""

import fnmatch
import posixpath
import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..facts import CdiSpec, ContainerRuntime, CsvFile, CsvLine, DaemonConfig, RuntimeConfig
from ..patterns import lazy
from ..record import replace
from .container_config import parse_cdi_spec, parse_config_toml, parse_daemon_json
from .dpkg import read_installed

MOUNT_TYPES = ("dev", "lib", "sym", "dir")
DPKG_INFO = "/var/lib/dpkg/info"
STACK_PACKAGES = ("nvidia-container-toolkit", "nvidia-container-toolkit-base", "libnvidia-container0",
                  "libnvidia-container1", "libnvidia-container-tools", "nvidia-container-runtime",
                  "nvidia-docker2", "nvidia-container")
_GLOB_CHARS = lazy(r"[*?\[]")
# libnvinfer.so.7.1.3 -> ("libnvinfer.so", "7.1.3"); libcudnn_ops_infer.so.8.2.1 likewise
_VERSIONED_SO = lazy(r"^(?P<stem>.+\.so)\.(?P<version>\d+(?:\.\d+)*)$")


# -- pure parsers ----------------------------------------------------------------------------------

def parse_mount_csv(text):
    # type: (object) -> Tuple[CsvLine, ...]
    """One CSV file -> its lines as the toolkit reads them, with what it silently drops.

    ``problem`` is None for a line the runtime uses, else ``blank``, ``comment`` (``#`` lines:
    the toolkit has no comments, it skips them as invalid), ``invalid`` (unknown type or empty
    path) or ``relative`` (a path not starting with ``/``). ``crlf`` marks a line that ended in
    ``\\r\\n``; the JetPack 4.4 DP cudnn.csv had those and only mounted after ``dos2unix``.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return ()
    lines = []  # type: List[CsvLine]
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    for number, raw in enumerate(raw_lines, 1):
        crlf = raw.endswith("\r")
        body = raw[:-1] if crlf else raw
        stripped = body.strip()
        kind = path = None
        problem = None
        if not stripped:
            problem = "blank"
        elif stripped.startswith("#"):
            problem = "comment"
        else:
            head, sep, tail = stripped.partition(",")
            kind, path = (head.strip(), tail.strip()) if sep else (None, None)
            if not sep or kind not in MOUNT_TYPES or not path:
                problem = "invalid"
            elif not path.startswith("/"):
                problem = "relative"
        lines.append(CsvLine(number=number, text=body, kind=kind or None, path=path or None,
                             problem=problem, crlf=crlf))
    return tuple(lines)


def parse_dpkg_list(text):
    # type: (object) -> Tuple[str, ...]
    """``/var/lib/dpkg/info/<package>.list`` (what ``dpkg -L`` prints) -> absolute paths."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return ()
    return tuple(line.rstrip("\r") for line in text.splitlines()
                 if line.startswith("/") and line.rstrip("\r") not in ("/", "/."))


_READ_PACKAGES = lazy(r"^(nvidia-container-csv-.+|nvidia-l4t-init|libcudnn\d+|libnvinfer(-plugin)?\d+|"
                            r"libnvparsers\d+|libnvonnxparsers\d+)$")


def package_is_read(name):
    # type: (str) -> bool
    """Whether ``read_container_runtime`` looks at this dpkg package (for trimmed snapshots)."""
    return name in STACK_PACKAGES or bool(_READ_PACKAGES.match(name))


def split_versioned_so(name):
    # type: (str) -> Optional[Tuple[str, str]]
    """``libnvinfer.so.7.1.3`` -> ``("libnvinfer.so", "7.1.3")``; None for other names."""
    match = _VERSIONED_SO.match(name or "")
    return (match.group("stem"), match.group("version")) if match else None


def _pattern_regex(pattern):
    out = []
    for char in pattern:
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
    return re.compile("^" + "".join(out) + "$")


def path_matches(path, patterns):
    # type: (str, Sequence[str]) -> bool
    """Shell-style match where ``*`` stays within one path component."""
    return any(_pattern_regex(p).match(path) for p in patterns)


def select_paths(paths, keep):
    # type: (Iterable[str], Sequence[str]) -> List[str]
    """The paths a CSV should list: those matching ``keep``, minus those inside a kept dir."""
    return sorted(set(p.rstrip("/") for p in paths if p and path_matches(p.rstrip("/"), keep)))


# -- reading the host ------------------------------------------------------------------------------

def runtime_table(recipes):
    # type: (Any) -> Dict[str, Any]
    """The ``docker_runtime`` recipes (stack, components, image-fit rules, kernel map)."""
    return recipes.get("docker_runtime") or {}


def stack_entry(recipes):
    # type: (Any) -> Dict[str, Any]
    """The ``stack`` row: paths, base files and the version landmarks."""
    return runtime_table(recipes).get("stack") or {}


def component_csv_names(recipes):
    # type: (Any) -> Dict[str, str]
    """``{"tensorrt.csv": "tensorrt", ...}``: the CSV files trtsetup can regenerate."""
    return {v["csv"]: k for k, v in runtime_table(recipes).items() if v.get("type") == "component"}


def read_dpkg_list(host, package):
    # type: (Any, str) -> Tuple[str, ...]
    """``dpkg -L package`` from the info directory (``<pkg>.list`` or ``<pkg>:<arch>.list``)."""
    text = host.read_text(posixpath.join(DPKG_INFO, package + ".list"))
    if text is None:
        for path in host.glob(posixpath.join(DPKG_INFO, package + ":*.list")):
            text = host.read_text(path)
            if text is not None:
                break
    return parse_dpkg_list(text or "")


def _resolve_line(host, line):
    # type: (Any, CsvLine) -> CsvLine
    if line.problem is not None:
        return line
    path = line.path
    changes = {}  # type: Dict[str, Any]
    if line.kind == "dev" and _GLOB_CHARS.search(path):
        matches = tuple(host.glob(path))
        changes["glob_matches"] = matches
        changes["found"] = host.lstat_kind(matches[0]) if matches else None
        return replace(line, **changes)
    kind = host.lstat_kind(path)
    changes["found"] = kind
    if kind == "link":
        changes["link_text"] = host.readlink(path)
        real = host.realpath(path)
        changes["resolves_to"] = real if host.exists(real) and real != path else None
        changes["resolves_kind"] = host.lstat_kind(real) if changes["resolves_to"] else None
    split = split_versioned_so(posixpath.basename(path))
    if kind is None and split and line.kind in ("lib", "sym"):
        # Gone: which other versions of the same library are there now (version drift)?
        directory = posixpath.dirname(path)
        stem = split[0]
        changes["siblings"] = tuple(sorted(
            name for name in host.listdir(directory)
            if name != posixpath.basename(path) and split_versioned_so(name)
            and split_versioned_so(name)[0] == stem))
    return replace(line, **changes)


def read_csv_file(host, path):
    # type: (Any, str) -> CsvFile
    data = host.read_bytes(path)
    if data is None:
        return CsvFile(path=path, name=posixpath.basename(path), read_error="cannot read")
    lines = tuple(_resolve_line(host, line) for line in parse_mount_csv(data))
    return CsvFile(path=path, name=posixpath.basename(path), lines=lines, size=len(data))


def list_csv_files(host, directory):
    # type: (Any, str) -> List[str]
    """CSV files the toolkit would consider: ``*.csv`` case-insensitively, not ``.csv`` alone."""
    found = []
    for name in host.listdir(directory):
        full = posixpath.join(directory, name)
        if name.lower().endswith(".csv") and name.lower() != ".csv" and not host.is_dir(full):
            found.append(full)
    return found


def _read_config(host, path):
    # type: (Any, str) -> RuntimeConfig
    text = host.read_text(path)
    if text is None:
        return RuntimeConfig(path=path, present=False)
    values = parse_config_toml(text) or {}
    return RuntimeConfig(path=path, present=True,
                         mode=values.get("nvidia-container-runtime.mode"),
                         mount_spec_path=values.get("nvidia-container-runtime.modes.csv.mount-spec-path"),
                         cdi_spec_dirs=values.get("nvidia-container-runtime.modes.cdi.spec-dirs"))


def _read_cdi_specs(host, directories):
    specs = []  # type: List[CdiSpec]
    for directory in directories:
        for name in host.listdir(directory):
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            path = posixpath.join(directory, name)
            parsed = parse_cdi_spec(host.read_text(path) or "")
            if parsed is None:
                specs.append(CdiSpec(path=path, error="not a CDI spec (no kind or cdiVersion)"))
                continue
            host_paths = tuple(parsed["host_paths"])
            missing = tuple(p for p in host_paths if not host.exists(p))
            specs.append(CdiSpec(path=path, kind=parsed["kind"], cdi_version=parsed["cdi_version"],
                                 devices=tuple(parsed["devices"]), host_paths=len(host_paths),
                                 host_paths_missing=missing,
                                 mounts_tegra_release="/etc/nv_tegra_release" in host_paths))
    return tuple(specs)


def _read_daemon(host, path):
    text = host.read_text(path)
    if text is None:
        return DaemonConfig(path=path, present=False)
    parsed = parse_daemon_json(text)
    if parsed is None:
        return DaemonConfig(path=path, present=True, error="not valid JSON")
    return DaemonConfig(path=path, present=True, default_runtime=parsed["default_runtime"],
                        runtimes=tuple(parsed["runtimes"]),
                        runtime_paths=dict(parsed["runtime_paths"]))


def component_packages(packages, patterns):
    # type: (Dict[str, str], List[str]) -> List[str]
    """Installed package names matching any of the recipes' shell patterns, sorted."""
    if not patterns:
        return []
    # One expression for all the patterns: a Jetson's 2000 packages times each pattern through
    # fnmatchcase was a third of this probe's time.
    matches = re.compile("|".join(fnmatch.translate(p) for p in patterns)).match
    return sorted(name for name in packages if matches(name))


def read_container_runtime(host, recipes):
    # type: (Any, Any) -> ContainerRuntime
    """Everything ``docker csv --check`` and the docker doctor checks judge."""
    stack = stack_entry(recipes)
    packages = read_installed(host)
    stack_pkgs = {name: packages[name] for name in STACK_PACKAGES if name in packages}
    csv_pkgs = {name: v for name, v in packages.items() if name.startswith("nvidia-container-csv-")}
    config = _read_config(host, stack.get("config_path", "/etc/nvidia-container-runtime/config.toml"))
    default_dir = stack.get("default_mount_spec_path", "/etc/nvidia-container-runtime/host-files-for-container.d")
    mount_dir = config.mount_spec_path or default_dir
    csv_files = tuple(read_csv_file(host, p) for p in list_csv_files(host, mount_dir))
    owners = {}  # type: Dict[str, str]
    # Only installed packages have a file list; looking for a missing one lists all of
    # /var/lib/dpkg/info (thousands of entries) for its multi-arch name.
    for name in [n for n in sorted(csv_pkgs) + ["nvidia-l4t-init"] if n in packages]:
        for path in read_dpkg_list(host, name):
            if path.lower().endswith(".csv"):
                owners[path] = name
    csv_files = tuple(replace(f, owner=owners.get(f.path)) for f in csv_files)

    covered = {}  # type: Dict[str, Tuple[str, ...]]
    table = runtime_table(recipes)
    for component in sorted(k for k, v in table.items() if v.get("type") == "component"):
        entry = table[component]
        for name in component_packages(packages, entry.get("coverage_packages", [])):
            libs = tuple(p for p in read_dpkg_list(host, name) if ".so" in posixpath.basename(p)
                         and not p.endswith(".a"))
            if libs:
                covered[name] = libs

    binaries = tuple(p for p in ("/usr/bin/nvidia-container-runtime", "/usr/bin/nvidia-ctk",
                                 "/usr/bin/nvidia-container-cli", "/usr/bin/docker", "/usr/bin/podman")
                     if host.exists(p))
    lib_version = stack_pkgs.get("libnvidia-container1") or stack_pkgs.get("libnvidia-container0")
    toolkit = stack_pkgs.get("nvidia-container-toolkit") or stack_pkgs.get("nvidia-container-toolkit-base")
    return ContainerRuntime(
        installed=bool(stack_pkgs or csv_files or config.present or
                       any(b.rsplit("/", 1)[1].startswith("nvidia") for b in binaries)),
        packages=stack_pkgs, csv_packages=csv_pkgs,
        toolkit_version=toolkit, libnvidia_container_version=lib_version,
        config=config, mount_spec_dir=mount_dir, mount_spec_dir_exists=host.is_dir(mount_dir),
        csv_files=csv_files,
        cdi_specs=_read_cdi_specs(host, stack.get("cdi_dirs", ["/etc/cdi", "/var/run/cdi"])),
        daemon=_read_daemon(host, stack.get("daemon_json", "/etc/docker/daemon.json")),
        binaries=binaries, package_libraries=covered)


def read_component_paths(host, entry):
    # type: (Any, Dict[str, Any]) -> Tuple[str, List[Tuple[str, Optional[str]]], List[str]]
    """What a regenerated CSV for one recipes component lists, classified on the host.

    Returns ``(source, [(path, lstat kind)], packages)``: ``source`` is "dpkg" when installed
    packages' ``.list`` files named the paths, "scan" when none did and the recipe's globs were
    used instead. ``also`` globs (``/etc/alternatives/libcudnn*``) are added either way.
    """
    packages = component_packages(read_installed(host), entry.get("packages", []))
    listed = []  # type: List[str]
    for name in packages:
        listed.extend(read_dpkg_list(host, name))
    source = "dpkg"
    paths = select_paths(listed, entry.get("keep", []))
    if not paths:
        source = "scan"
        found = []  # type: List[str]
        for pattern in entry.get("scan", []):
            found.extend(host.glob(pattern))
        paths = sorted(set(found))
    for pattern in entry.get("also", []):
        paths.extend(host.glob(pattern))
    paths = sorted(set(paths))
    return source, [(p, host.lstat_kind(p)) for p in paths], packages

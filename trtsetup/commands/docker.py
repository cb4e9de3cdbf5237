"""``trtsetup docker csv`` and ``trtsetup docker image``: plain functions of a Host and recipes.

``csv_check`` judges the CSV mount lists, ``csv_print`` regenerates one from what is installed,
``csv_write`` replaces the system file with it (``docker/csv_write.py``, the only write), and
``image`` picks the images and ``docker run`` arguments for this host.
"""

import posixpath
from typing import Any, List, NamedTuple, Optional, Tuple

from ..docker.csv_check import CsvReport, check_csv
from ..docker.csv_generate import entries_for, render_mount_csv
from ..docker.csv_write import CsvWrite, CsvWriteResult, apply_csv_write
from ..docker.images import ImageAdvice, advise_images
from ..docker.stack import host_libraries_from_host
from ..errors import EXIT_FAILED, EXIT_OK, InputError, RefusedError, UsageError
from ..probes.container_runtime import (component_csv_names, read_component_paths, read_container_runtime,
                                         runtime_table, stack_entry)


class CsvCheckResult(NamedTuple):
    report: CsvReport
    exit_code: int


class CsvPrintResult(NamedTuple):
    name: str                 # "tensorrt.csv"
    component: str            # "tensorrt"
    target: str               # where --write puts it
    text: str
    source: str               # "dpkg" | "scan"
    packages: Tuple[str, ...]
    lines: int


def _l4t_major(host, recipes):
    from ..probes.jetson import read_jetson
    jetson = read_jetson(host, recipes)
    if jetson is None or not jetson.l4t:
        return jetson, None
    return jetson, int(jetson.l4t.split(".")[0])


def csv_check(host, recipes):
    # type: (Any, Any) -> CsvCheckResult
    runtime = read_container_runtime(host, recipes)
    if not runtime.csv_files:
        where = runtime.mount_spec_dir
        if runtime.mount_spec_dir_exists:
            raise InputError("no *.csv files in {}".format(where),
                             fix="Nothing to check: this host's runtime has no CSV mount lists.")
        raise InputError("{} does not exist: no NVIDIA container runtime CSV mount lists here".format(where),
                         fix="CSV mounts are a Jetson thing (sudo apt install nvidia-container-runtime); "
                             "on x86 `trtsetup docker image` says how to run containers.")
    _, major = _l4t_major(host, recipes)
    report = check_csv(runtime, major, recipes)
    return CsvCheckResult(report, EXIT_FAILED if report.failed else EXIT_OK)


def resolve_csv_name(name, recipes):
    # type: (str, Any) -> Tuple[str, str]
    """``tensorrt.csv``, ``tensorrt`` or a path ending in one -> ``("tensorrt.csv", "tensorrt")``."""
    components = component_csv_names(recipes)
    base = posixpath.basename(name.rstrip("/"))
    if base in components:
        return base, components[base]
    if base + ".csv" in components:
        return base + ".csv", components[base + ".csv"]
    raise UsageError("cannot regenerate {!r}: known CSV files are {}".format(name, ", ".join(sorted(components))),
                     fix="Name one of them, e.g. `trtsetup docker csv --print tensorrt.csv`.")


def csv_print(host, recipes, names=None):
    # type: (Any, Any, Optional[List[str]]) -> List[CsvPrintResult]
    """Regenerated CSVs: for the named files, or for every component that has something installed."""
    table = runtime_table(recipes)
    stack = stack_entry(recipes)
    runtime_dir = read_container_runtime(host, recipes).mount_spec_dir or stack.get("default_mount_spec_path")
    wanted = [resolve_csv_name(n, recipes) for n in names] if names else sorted(component_csv_names(recipes).items())
    results = []
    for name, component in wanted:
        source, kinds, packages = read_component_paths(host, table[component])
        entries = entries_for([(p, k) for p, k in kinds if k])
        if not entries and not names:
            continue
        if not entries:
            raise InputError("nothing of {} is installed: no {} to generate".format(component, name),
                             fix="Install it first (JetPack: sudo apt install nvidia-jetpack), or check --root.")
        results.append(CsvPrintResult(name, component, posixpath.join(runtime_dir, name),
                                      render_mount_csv(entries), source, tuple(packages), len(entries)))
    if not results:
        raise InputError("none of TensorRT, cuDNN or CUDA is installed here: nothing to generate",
                         fix="Check --root, or install JetPack's libraries first.")
    return results


def csv_write(host, recipes, results):
    # type: (Any, Any, List[CsvPrintResult]) -> List[CsvWriteResult]
    """Write the regenerated files under the host's tree (``/``, or DIR of ``--root``); refused
    on JetPack 5+ hosts, whose images carry their own CUDA/cuDNN/TensorRT (a host tensorrt.csv
    there would only shadow them)."""
    if host.tree_root is None:
        raise UsageError("--write needs the machine itself or a --root tree", fix="Drop --snapshot.")
    _, major = _l4t_major(host, recipes)
    if major is not None and not host_libraries_from_host(major, recipes):
        raise RefusedError("not writing {} on an L4T R{} host: JetPack 5+ images carry their own CUDA, cuDNN "
                           "and TensorRT".format(", ".join(r.name for r in results), major),
                           fix="Use an image built for this L4T (`trtsetup docker image`); --print still shows the file.")
    return [apply_csv_write(CsvWrite(r.target, r.text.encode("utf-8")), host.tree_root) for r in results]


def image(host, recipes):
    # type: (Any, Any) -> ImageAdvice
    from ..probes.gpu import read_nvidia
    from ..probes.system import read_system
    jetson, major = _l4t_major(host, recipes)
    runtime = read_container_runtime(host, recipes)
    driver, gpus = read_nvidia(host, False)
    arch = read_system(host).arch
    return advise_images(jetson if jetson is not None and jetson.is_jetson is not False else None,
                         driver, gpus, arch, runtime, recipes, jtop_socket=host.exists("/run/jtop.sock"))

"""Jetson identity: L4T release, JetPack, module, SoC and CUDA arch.

Sources, all read as files through the Host (no command runs):

* ``/etc/nv_tegra_release`` — first line ``# R32 (release), REVISION: 4.3, GCID: ..., BOARD:
  t210ref, EABI: aarch64, DATE: ...``. Inside a container it describes the image, not the host.
* ``/var/lib/dpkg/status`` — ``nvidia-l4t-core`` (``32.4.3-20200625213809``) and the
  ``nvidia-jetpack`` meta-package (``4.6.1-b110`` on JetPack 4/5, ``6.2+b77`` on JetPack 6+).
  When the package and the release file disagree the package wins (an apt/OTA upgrade updates
  the package; the file can be stale) and a note says so.
* ``/proc/device-tree/model`` and ``/proc/device-tree/compatible`` (NUL-separated, most specific
  first), falling back to ``/sys/firmware/devicetree/base/``; ``tegra_chip_id``.
* ``/proc/device-tree/chosen/plugin-manager/ids/`` — on L4T R32 T210, entries named by the
  module's and the carrier's board ids (``3448-0000-400``): module and SKU.
* ``/proc/driver/nvidia/version`` — on a Jetson it carries the L4T release (``NVIDIA UNIX Open
  Kernel Module for aarch64  35.3.1``); used when neither file nor package says it.
* ``/etc/apt/sources.list.d/nvidia-l4t-apt-source.list`` — L4T branch and SoC of the apt repo.
* ``L4T_VERSION`` in the host's environment (jetson-containers convention: images set it, and it
  overrides the files when it is a valid version; a note says so when it disagrees with them).
  It only counts when something else says this is Tegra hardware.

What is *not* a Jetson: a machine with no Tegra evidence at all gets ``None``. Tegra hardware
that the module table marks ``"jetson": false`` (a Nintendo Switch, even one running an
L4T-based Ubuntu) gets a ``JetsonInfo`` with ``is_jetson=False`` and ``jetpack=None``; a Jetson
running a custom image without L4T files (Yocto/OE4T) gets ``is_jetson=True``, ``l4t=None``.
The ``jetson-l4t-known`` check tells these apart with ``is_jetson`` and ``l4t``.

All version-specific knowledge comes from the recipes (``l4t``, ``jetpack``, ``jetson_modules``).
"""

import re
from typing import Dict, List, Optional, Tuple

from ..facts import JetsonInfo
from ..knowledge import resolve_jetpack
from .dpkg import DPKG_STATUS, read_installed
from .gpu import parse_proc_driver_version
from .jetson_identity import (normalize_l4t, parse_compatible, parse_device_tree_string,
                              parse_jetpack_package_version, parse_l4t_apt_source, parse_l4t_core_version,
                              parse_nv_tegra_release, parse_plugin_manager_ids, parse_tegra_chip_id)
from .jetson_module import identify_module, soc_from_token

RELEASE_FILE = "/etc/nv_tegra_release"
APT_SOURCE = "/etc/apt/sources.list.d/nvidia-l4t-apt-source.list"
DEVICE_TREE_DIRS = ("/proc/device-tree", "/sys/firmware/devicetree/base")
CHIP_ID_FILE = "/sys/module/tegra_fuse/parameters/tegra_chip_id"
PLUGIN_MANAGER_IDS = "chosen/plugin-manager/ids"
DRIVER_VERSION_FILE = "/proc/driver/nvidia/version"
JETPACK_PACKAGES = ("nvidia-jetpack", "nvidia-jetpack-runtime", "nvidia-jetpack-dev")


# The L4T -> JetPack lookups are knowledge (trtsetup/knowledge.py): checks and the resolver
# use them too.


# -- reading the host --------------------------------------------------------------------------

def _problem(host, path):
    for problem in reversed(getattr(host, "problems", []) or []):
        if problem[0] == path:
            return problem[1]
    return None


def _read_device_tree(host, name):
    for base in DEVICE_TREE_DIRS:
        path = base + "/" + name
        data = host.read_bytes(path)
        if data is not None:
            return data, path
    return None, None


def _first_line(data):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:80]


def _read_device_tree_identity(host, notes):
    """(model, compatible entries, plugin-manager board ids) from the device tree."""
    model_bytes, _ = _read_device_tree(host, "model")
    model = parse_device_tree_string(model_bytes) if model_bytes is not None else None
    if model_bytes is not None and model is None and model_bytes.strip(b"\0 \n"):
        notes.append("/proc/device-tree/model is not text; ignored")
    compat_bytes, _ = _read_device_tree(host, "compatible")
    compatible = parse_compatible(compat_bytes) if compat_bytes is not None else ()
    if compat_bytes is not None and compat_bytes.strip(b"\0 \n") and not compatible:
        notes.append("/proc/device-tree/compatible holds no vendor,name entries; ignored")
    elif compat_bytes is not None and compatible and b"\0" not in compat_bytes.rstrip(b"\0") and len(compatible) > 1:
        notes.append("/proc/device-tree/compatible had no NUL separators; split before each vendor prefix")
    board_ids = ()
    for base in DEVICE_TREE_DIRS:
        names = host.listdir(base + "/" + PLUGIN_MANAGER_IDS)
        if names:
            board_ids = parse_plugin_manager_ids("\n".join(names))
            break
    return model, compatible, board_ids


def _driver_l4t(host):
    """The L4T release a Jetson's ``/proc/driver/nvidia/version`` carries, or None."""
    parsed = parse_proc_driver_version(host.read_text(DRIVER_VERSION_FILE) or "")
    if parsed is None or parsed.get("kernel_module") != "tegra":
        return None
    return normalize_l4t(parsed.get("version"))


def read_jetson(host, recipes):
    # type: (object, object) -> Optional[JetsonInfo]
    """The Jetson identity of ``host``, or None when nothing says this is Tegra hardware.

    Never raises on bad files: a garbled, empty, binary or unreadable input becomes a note.
    """
    notes = []  # type: List[str]
    evidence = []  # type: List[str]

    # /etc/nv_tegra_release
    release = None
    data = host.read_bytes(RELEASE_FILE)
    if data is not None:
        evidence.append("release file")
        release = parse_nv_tegra_release(data)
        if release is None:
            if not data.strip():
                notes.append("{} is empty".format(RELEASE_FILE))
            else:
                notes.append("{} is not in the expected format (first line {!r}); ignored".format(
                    RELEASE_FILE, _first_line(data)))
    elif host.exists(RELEASE_FILE):
        evidence.append("release file")
        notes.append("cannot read {}: {}".format(RELEASE_FILE, _problem(host, RELEASE_FILE) or "unreadable"))

    # dpkg status
    packages = read_installed(host)
    if not packages and _problem(host, DPKG_STATUS):
        notes.append("cannot read {}: {}".format(DPKG_STATUS, _problem(host, DPKG_STATUS)))
    core = packages.get("nvidia-l4t-core")
    dpkg_l4t = parse_l4t_core_version(core) if core else None
    if core:
        evidence.append("nvidia-l4t-core")
        if dpkg_l4t is None:
            notes.append("nvidia-l4t-core version {!r} is not an L4T version; ignored".format(core))
    jetpack_package = None
    for name in JETPACK_PACKAGES:
        if packages.get(name):
            jetpack_package = parse_jetpack_package_version(packages[name])
            evidence.append(name)
            if jetpack_package is None:
                notes.append("{} version {!r} is not a JetPack version; ignored".format(name, packages[name]))
            break

    model, compatible, board_ids = _read_device_tree_identity(host, notes)
    if any(t.startswith("nvidia,tegra") for t in compatible):
        evidence.append("compatible")
    if model and "jetson" in model.lower():
        evidence.append("model")
    if board_ids:
        evidence.append("plugin-manager ids")
    driver_l4t = _driver_l4t(host)
    if driver_l4t:
        evidence.append("nvidia driver")

    apt = parse_l4t_apt_source(host.read_bytes(APT_SOURCE))
    if apt is not None:
        evidence.append("apt source")
    chip_id = parse_tegra_chip_id(host.read_bytes(CHIP_ID_FILE))
    if chip_id is not None:
        evidence.append("tegra_chip_id")

    modules = (recipes.get("jetson_modules") if recipes is not None else None) or {}
    identity = identify_module(compatible, model, modules, board_ids)
    if identity.is_jetson is False or identity.module:  # the recipes know this device tree
        evidence.append("module table")
    if not evidence:
        return None
    notes.extend(identity.notes)

    # SoC: the device tree, else the module's, else the apt repo, the chip id, a t210ref board.
    soc, cuda_arch = identity.soc, identity.cuda_arch
    if soc is None and apt is not None and apt.socs:
        soc, cuda_arch = soc_from_token("tegra" + apt.socs[0][1:], modules)
    if soc is None and chip_id is not None:
        for key, entry in sorted(modules.items()):
            if isinstance(entry, dict) and entry.get("type") == "soc" and entry.get("chip_id") == chip_id:
                soc, cuda_arch = key, entry.get("cuda_arch")
                break
    if soc is None and release is not None and release.board == "t210ref":
        soc, cuda_arch = soc_from_token("tegra210", modules)

    # L4T: environment override, else the package, else the release file.
    release_l4t = release.l4t if release is not None else None
    l4t, source = None, None
    if dpkg_l4t and release_l4t and dpkg_l4t != release_l4t:
        notes.append("{} says L4T {} but the installed nvidia-l4t-core is {}; using the package "
                     "(an interrupted upgrade, or a file copied from another image)".format(
                         RELEASE_FILE, release_l4t, core))
    if dpkg_l4t:
        l4t, source = dpkg_l4t, "dpkg"
    elif release_l4t:
        l4t, source = release_l4t, "nv_tegra_release"
    elif driver_l4t:
        l4t, source = driver_l4t, "nvidia-driver"
        notes.append("L4T {} from {} (no release file, no nvidia-l4t-core package)".format(
            driver_l4t, DRIVER_VERSION_FILE))
    raw_env = host.env.get("L4T_VERSION")
    env_l4t = normalize_l4t(raw_env) if raw_env else None
    if raw_env and env_l4t is None:
        notes.append("L4T_VERSION={!r} in the environment is not an L4T version; ignored".format(raw_env))
    elif env_l4t:
        if l4t and env_l4t != l4t:
            notes.append("L4T_VERSION={} in the environment overrides L4T {} from the {} "
                         "(jetson-containers convention)".format(env_l4t, l4t, "package" if source == "dpkg" else "release file"))
        l4t, source = env_l4t, "env"
    if l4t is None and identity.is_jetson is not False:
        notes.append("no L4T release found (no {}, no nvidia-l4t-core package): a custom image "
                     "(Yocto/OE4T?) or not a JetPack system".format(RELEASE_FILE))
    if apt is not None and l4t and not l4t.startswith(apt.branch + "."):
        notes.append("the NVIDIA apt source points at r{} but L4T is {}".format(apt.branch, l4t))

    # JetPack
    jetpack, exact = None, None
    if identity.is_jetson is False:
        notes.append("{} is not a Jetson module: JetPack does not apply{}".format(
            identity.module or "this device", " (its L4T is R{})".format(l4t) if l4t else ""))
    elif l4t:
        jetpack, exact, note = resolve_jetpack(l4t, recipes)
        if note:
            notes.append(note)
        if jetpack_package:
            if not exact:
                notes.append("JetPack {} from the installed nvidia-jetpack package".format(jetpack_package))
                jetpack, exact = jetpack_package, True
            elif jetpack.partition(" ")[0] != jetpack_package:
                notes.append("L4T {} is JetPack {}, but the installed nvidia-jetpack package is {}".format(
                    l4t, jetpack, jetpack_package))
    elif jetpack_package:
        jetpack, exact = jetpack_package, True
        notes.append("JetPack {} from the installed nvidia-jetpack package (no L4T release found)".format(jetpack_package))

    return JetsonInfo(
        l4t=l4t, l4t_source=source, release_l4t=release_l4t, dpkg_l4t=dpkg_l4t,
        release_board=release.board if release is not None else None,
        jetpack=jetpack, jetpack_exact=exact, jetpack_package=jetpack_package,
        module=identity.module, part_number=identity.part_number, carrier=identity.carrier,
        soc=soc, cuda_arch=cuda_arch, model=model, compatible=compatible,
        is_jetson=identity.is_jetson if identity.is_jetson is not None else True,
        apt_branch=apt.branch if apt is not None else None, env_l4t=env_l4t,
        notes=tuple(notes))

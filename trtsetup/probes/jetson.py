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

from dataclasses import dataclass
from packaging.version import InvalidVersion, Version

from ..facts import JetsonInfo

RELEASE_FILE = "/etc/nv_tegra_release"
DPKG_STATUS = "/var/lib/dpkg/status"
APT_SOURCE = "/etc/apt/sources.list.d/nvidia-l4t-apt-source.list"
DEVICE_TREE_DIRS = ("/proc/device-tree", "/sys/firmware/devicetree/base")
CHIP_ID_FILE = "/sys/module/tegra_fuse/parameters/tegra_chip_id"
JETPACK_PACKAGES = ("nvidia-jetpack", "nvidia-jetpack-runtime", "nvidia-jetpack-dev")


# -- pure parsers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TegraRelease:
    """First line of ``/etc/nv_tegra_release``. Example: ``TegraRelease(major=32,
    revision="4.3", l4t="32.4.3", gcid="21589087", board="t210ref", eabi="aarch64",
    date="Fri Jun 26 04:38:25 UTC 2020")``. ``l4t`` is always ``major.minor.patch``."""

    major: int
    revision: str
    l4t: str
    gcid: Optional[str] = None
    board: Optional[str] = None
    eabi: Optional[str] = None
    date: Optional[str] = None


@dataclass(frozen=True)
class L4tAptSource:
    """``nvidia-l4t-apt-source.list``. Example: ``L4tAptSource(branch="32.4", socs=("t194",))``."""

    branch: str
    socs: Tuple[str, ...] = ()


def _text(value):
    """str from str or bytes; None for anything else."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return None


_RELEASE = re.compile(
    r"^#\s*R(\d{1,4})\s*\(release\)\s*,\s*REVISION:\s*(\d{1,4})(?:\.(\d{1,4}))?(?![\d.])(.*)$")
_RELEASE_FIELD = re.compile(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")


def parse_nv_tegra_release(text):
    # type: (object) -> Optional[TegraRelease]
    """``# R32 (release), REVISION: 4.3, GCID: ..., BOARD: t210ref, EABI: aarch64, DATE: ...``.

    Only the first non-blank line counts (R32 files go on with checksums, R36+ with
    ``# KERNEL_VARIANT: oot``). Tolerates odd spacing, ``REVISION: 5`` / ``5.0`` without a patch,
    ``BOARD: generic``, 12-hour DATEs. None for anything else.
    """
    text = _text(text)
    if not text:
        return None
    first = None
    for line in text.splitlines():
        line = line.strip().replace("\ufeff", "")
        if line:
            first = line
            break
    if first is None:
        return None
    match = _RELEASE.match(first)
    if not match:
        return None
    major, minor, patch, rest = match.groups()
    fields = {}  # type: Dict[str, str]
    for item in rest.split(","):
        field_match = _RELEASE_FIELD.match(item)
        if field_match and field_match.group(1) not in fields:
            fields[field_match.group(1)] = field_match.group(2) or None
    revision = minor if patch is None else "{}.{}".format(minor, patch)
    return TegraRelease(
        major=int(major), revision=revision,
        l4t="{}.{}.{}".format(int(major), int(minor), int(patch or 0)),
        gcid=fields.get("GCID"), board=fields.get("BOARD"), eabi=fields.get("EABI"),
        date=fields.get("DATE"))


def parse_dpkg_status(text):
    # type: (object) -> Dict[str, str]
    """``/var/lib/dpkg/status`` -> {package: version} of *installed* packages.

    A package counts when its ``Status`` is ``<want> ok installed`` (``install`` or ``hold``);
    ``deinstall ok config-files`` (``rc`` in ``dpkg -l``), ``unpacked`` and half-installed
    stanzas do not. Continuation lines are skipped. When a name appears twice (multi-arch),
    the first installed stanza wins.
    """
    text = _text(text)
    packages = {}  # type: Dict[str, str]
    if not text:
        return packages
    stanza = {}  # type: Dict[str, str]

    def finish():
        name, version, status = stanza.get("Package"), stanza.get("Version"), stanza.get("Status")
        if name and version and status:
            words = status.split()
            if len(words) == 3 and words[1] == "ok" and words[2] == "installed" and name not in packages:
                packages[name] = version

    for line in text.splitlines():
        if not line.strip():
            finish()
            stanza = {}
            continue
        if line[0] in " \t":
            continue
        name, sep, value = line.partition(":")
        if sep and name and " " not in name:
            stanza[name] = value.strip()
    finish()
    return packages


_L4T_CORE = re.compile(r"^(\d{2,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:-(\d{8,}))?$")


def parse_l4t_core_version(text):
    # type: (object) -> Optional[str]
    """``nvidia-l4t-core`` version ``36.4.0-20240912212859`` -> ``"36.4.0"`` (``32.5`` ->
    ``32.5.0``). None for other shapes, e.g. ``5.15.148-tegra-36.4.0-...`` (the kernel package
    format) or a major below 21."""
    text = _text(text)
    if not text:
        return None
    match = _L4T_CORE.match(text.strip())
    if not match or int(match.group(1)) < 21:
        return None
    return "{}.{}.{}".format(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


_JETPACK_PKG = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){1,3})(?:[-+~]b\d+)?$")


def parse_jetpack_package_version(text):
    # type: (object) -> Optional[str]
    """``nvidia-jetpack`` version -> JetPack: ``4.6.1-b110`` -> ``"4.6.1"``, ``6.2+b77`` ->
    ``"6.2"`` (JetPack 6+ uses ``+b``). None for other shapes."""
    text = _text(text)
    if not text:
        return None
    match = _JETPACK_PKG.match(text.strip())
    return match.group(1) if match else None


_PRINTABLE = re.compile(r"^[\x20-\x7e\u00a0-\uffff]+$")


def parse_device_tree_string(data):
    # type: (object) -> Optional[str]
    """A device-tree string property (``model``): text up to the first NUL, stripped. None
    when empty, or when it holds control characters or undecodable bytes (binary junk)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if not isinstance(data, bytes):
        return None
    head = data.split(b"\0", 1)[0]
    try:
        value = head.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    if not value or not _PRINTABLE.match(value) or "\ufffd" in value:
        return None
    return value


_COMPATIBLE_TOKEN = re.compile(r"^[A-Za-z0-9-]+,[A-Za-z0-9+._,-]+$")
# Before a "vendor," that follows a character which cannot end a vendor name of its own: the
# NUL-less paste "nvidia,p3737-0000+p3701-0005nvidia,p3701-0005nvidia,tegra234".
_GLUED_VENDOR = re.compile(r"(?<=[^,])(?=(?:nvidia|nintendo),)")


def parse_compatible(data):
    # type: (object) -> Tuple[str, ...]
    """``/proc/device-tree/compatible`` -> its entries, most specific first.

    NUL-separated as the kernel writes it; text pasted without the NULs (entries run together)
    is split before each ``nvidia,``/``nintendo,``. Entries that are not ``vendor,name`` shaped
    (binary junk) are dropped; () when nothing is left.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    if not isinstance(data, bytes):
        return ()
    text = data.decode("utf-8", "replace")
    pieces = [p.strip() for p in text.split("\0")]
    tokens = []  # type: List[str]
    for piece in pieces:
        if not piece:
            continue
        if "\n" in piece or " " in piece:
            parts = piece.split()
        else:
            parts = [piece]
        for part in parts:
            for token in _GLUED_VENDOR.sub("\0", part).split("\0"):  # re.split: no empty matches on 3.6
                if token and _COMPATIBLE_TOKEN.match(token) and token not in tokens:
                    tokens.append(token)
    return tuple(tokens)


_APT_LINE = re.compile(
    r"^\s*deb\s+(?:\[[^\]]*\]\s+)?<?https?://repo\.download\.nvidia\.com/jetson/([A-Za-z0-9_.-]+)>?\s+r(\d+\.\d+)\b")


def parse_l4t_apt_source(text):
    # type: (object) -> Optional[L4tAptSource]
    """``deb https://repo.download.nvidia.com/jetson/t194 r32.4 main`` lines -> the L4T branch
    (``"32.4"``) and the SoC repos (``("t194",)``; ``common`` is not a SoC). Commented lines are
    skipped. None when no such line."""
    text = _text(text)
    if not text:
        return None
    branch = None
    socs = []  # type: List[str]
    for line in text.splitlines():
        match = _APT_LINE.match(line)
        if not match:
            continue
        repo, found = match.groups()
        if branch is None:
            branch = found
        if re.match(r"^t\d{3}$", repo) and repo not in socs:
            socs.append(repo)
    if branch is None:
        return None
    return L4tAptSource(branch=branch, socs=tuple(socs))


def parse_tegra_chip_id(text):
    # type: (object) -> Optional[int]
    """``/sys/module/tegra_fuse/parameters/tegra_chip_id``: ``33`` -> 33."""
    text = _text(text)
    if not text:
        return None
    value = text.strip()
    return int(value) if re.match(r"^\d{1,4}$", value) else None


# -- derivations from recipes (pure) -----------------------------------------------------------

_L4T_VERSION = re.compile(r"^[Rr]?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$")


def normalize_l4t(value):
    # type: (object) -> Optional[str]
    """``"32.5"`` -> ``"32.5.0"``, ``"R36.4.3"`` -> ``"36.4.3"``; None if not an L4T version."""
    text = _text(value)
    if not text:
        return None
    match = _L4T_VERSION.match(text.strip())
    if not match:
        return None
    return "{}.{}.{}".format(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def _version(text):
    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return None


def jetpack_major(jetpack):
    # type: (Optional[str]) -> Optional[str]
    """``"6.0 DP"`` -> ``"6"``."""
    if not jetpack:
        return None
    match = re.match(r"^(\d+)", jetpack)
    return match.group(1) if match else None


def _jetpack_sort_key(key):
    number, _, tag = key.partition(" ")
    version = _version(number) or Version("0")
    return (version, 0 if tag else 1)   # a preview sorts before its release


def resolve_jetpack(l4t, recipes):
    # type: (Optional[str], object) -> Tuple[Optional[str], bool, Optional[str]]
    """(jetpack, exact, note) for an L4T release, from the ``l4t`` recipes.

    A listed release gives its JetPack exactly, with the row's ``warning`` if it has one (an
    ambiguous TX1 release, a weakly sourced row). An unlisted one falls back by major (R32 -> 4, R34/R35 -> 5, R36 -> 6,
    R38/R39 -> 7, from the ``"<major>"`` rows): the JetPack of the nearest listed release of
    that line at or below it (else the lowest), ``exact=False`` and an "unknown minor" note.
    An unknown major gives ``(None, False, note)``.
    """
    key = normalize_l4t(l4t)
    if key is None:
        return None, False, "L4T version {!r} is not a version".format(l4t)
    table = (recipes.get("l4t") if recipes is not None else None) or {}
    row = table.get(key)
    if isinstance(row, dict) and row.get("jetpack"):
        return row["jetpack"], True, row.get("warning")
    major = key.split(".")[0]
    releases = [(k, v) for k, v in table.items() if isinstance(v, dict) and v.get("jetpack") and "." in k]
    fallback = table.get(major)
    if isinstance(fallback, dict) and fallback.get("jetpack_major"):
        line = fallback["jetpack_major"]
    else:
        same_major = [v["jetpack"] for k, v in releases if k.split(".")[0] == major]
        line = jetpack_major(same_major[0]) if same_major else None
    if line is None:
        return None, False, ("L4T {} has a major (R{}) that no JetPack in the recipes uses; add it "
                             "with a recipes overlay (l4t.json)".format(key, major))
    wanted = Version(key)
    pool = [(Version(k), k, v["jetpack"]) for k, v in releases
            if jetpack_major(v["jetpack"]) == line and _version(k) is not None]
    same = [item for item in pool if item[1].split(".")[0] == major] or pool
    if not same:
        return line, False, ("L4T {} is not in the recipes (unknown minor): assuming the JetPack {} line, "
                             "no release of it is listed".format(key, line))
    older = [item for item in same if item[0] <= wanted]
    nearest = max(older) if older else min(same)
    return nearest[2], False, ("L4T {} is not in the recipes (unknown minor): assuming JetPack {}.x, "
                               "nearest known release L4T {} = JetPack {}".format(key, line, nearest[1], nearest[2]))


def jetpack_components(jetpack, recipes):
    # type: (Optional[str], object) -> Optional[Dict[str, object]]
    """What a JetPack ships, from the ``jetpack`` recipes: a dict with ``cuda``, ``cudnn``,
    ``tensorrt``, ``ubuntu``, ``python``, ``l4t_major``, ``socs``, ``source``, plus ``jetpack``
    (as asked), ``based_on`` (the row used) and ``exact``.

    An unlisted JetPack falls back to the nearest listed one of the same major at or below it
    (else the lowest of that major), ``exact=False``; None when the major is unknown. Compare
    CUDA by major.minor (JetPack 5's toolkit is 11.4.19, its nvcc says 11.4.315).
    """
    if not jetpack or not isinstance(jetpack, str):
        return None
    table = (recipes.get("jetpack") if recipes is not None else None) or {}
    key = jetpack.strip()
    based_on = key if isinstance(table.get(key), dict) else None
    if based_on is None:
        number = key.partition(" ")[0]
        wanted = _version(number)
        major = jetpack_major(number)
        if wanted is None or major is None:
            return None
        pool = sorted((k for k, v in table.items() if isinstance(v, dict) and jetpack_major(k) == major),
                      key=_jetpack_sort_key)
        if not pool:
            return None
        older = [k for k in pool if _jetpack_sort_key(k) <= (wanted, 1)]
        based_on = older[-1] if older else pool[0]
    result = dict(table[based_on])
    result["jetpack"] = key
    result["based_on"] = based_on
    result["exact"] = based_on == key
    return result


# -- identity from the device tree (pure) ------------------------------------------------------

_PART = re.compile(r"^(p\d{4})-(\d{4})")


@dataclass(frozen=True)
class ModuleIdentity:
    """What the device tree says about the module (see ``identify_module``)."""

    part_number: Optional[str] = None
    carrier: Optional[str] = None
    module: Optional[str] = None
    soc: Optional[str] = None
    cuda_arch: Optional[str] = None
    is_jetson: Optional[bool] = None
    notes: Tuple[str, ...] = ()


def _soc_entry(modules, token):
    entry = modules.get(token)
    hops = 0
    while isinstance(entry, dict) and entry.get("type") == "soc" and entry.get("alias_of") and hops < 5:
        token = entry["alias_of"]
        entry = modules.get(token)
        hops += 1
    if isinstance(entry, dict) and entry.get("type") == "soc":
        return token, entry
    return token, None


def soc_from_token(token, modules):
    # type: (str, Dict[str, dict]) -> Tuple[Optional[str], Optional[str]]
    """``"tegra23x"`` -> ``("tegra234", "8.7")``; an unknown tegra token -> (token, None)."""
    if not token:
        return None, None
    name, entry = _soc_entry(modules, token)
    return name, (entry or {}).get("cuda_arch")


def identify_module(compatible, model, modules):
    # type: (Tuple[str, ...], Optional[str], Dict[str, dict]) -> ModuleIdentity
    """Part number, carrier, module name, SoC and CUDA arch from the ``compatible`` entries
    (most specific first) and the ``model`` string, using the ``jetson_modules`` recipes."""
    modules = modules or {}
    notes = []  # type: List[str]
    part = carrier = None
    target = None  # key into modules: a module or a family
    for token in compatible:
        name = token.partition(",")[2]
        mapped = modules.get(token)
        if isinstance(mapped, dict) and mapped.get("type") == "compatible":
            target = mapped.get("part_number")
            if target and _PART.match(target):
                part = target
            break
        if "+" in name:
            board, _, module_part = name.partition("+")
            match = _PART.match(module_part)
            if match:
                carrier = board
                part = match.group(0)
                if module_part[len(part):].startswith("-super"):
                    notes.append("the device tree selects the Super (MAXN SUPER) configuration")
                target = part
                break
        match = _PART.match(name)
        if match and name == match.group(0):
            part = target = name
            break
    if target is None and model:
        for key, entry in modules.items():
            if isinstance(entry, dict) and entry.get("type") == "model_prefix" and model.startswith(key):
                target = entry.get("part_number")
                break
    entry = modules.get(target) if target else None
    if target and not isinstance(entry, dict):
        family_key = target[:5]
        entry = modules.get(family_key)
        if isinstance(entry, dict):
            notes.append("module {} is not in the recipes; family {} ({})".format(target, family_key, entry.get("name")))
            entry = dict(entry, name="{} (unknown SKU {})".format(entry.get("name"), target))
        else:
            notes.append("module {} is not in the recipes (jetson_modules)".format(target))
    module_name = entry.get("name") if isinstance(entry, dict) else None
    is_jetson = None
    if isinstance(entry, dict):
        is_jetson = entry.get("jetson", True) is not False
    soc = cuda_arch = None
    for token in compatible:
        vendor, _, name = token.partition(",")
        if vendor == "nvidia" and name.startswith("tegra"):
            soc, cuda_arch = soc_from_token(name, modules)
            break
    if soc is None and isinstance(entry, dict) and entry.get("soc"):
        soc, cuda_arch = soc_from_token(entry["soc"], modules)
    return ModuleIdentity(part_number=part, carrier=carrier, module=module_name, soc=soc,
                          cuda_arch=cuda_arch, is_jetson=is_jetson, notes=tuple(notes))


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
    packages = {}  # type: Dict[str, str]
    status = host.read_bytes(DPKG_STATUS)
    if status is None and host.exists(DPKG_STATUS):
        notes.append("cannot read {}: {}".format(DPKG_STATUS, _problem(host, DPKG_STATUS) or "unreadable"))
    elif status is not None:
        packages = parse_dpkg_status(status)
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

    # device tree
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
    if any(t.startswith("nvidia,tegra") for t in compatible):
        evidence.append("compatible")
    if model and "jetson" in model.lower():
        evidence.append("model")

    apt = parse_l4t_apt_source(host.read_bytes(APT_SOURCE))
    if apt is not None:
        evidence.append("apt source")
    chip_id = parse_tegra_chip_id(host.read_bytes(CHIP_ID_FILE))
    if chip_id is not None:
        evidence.append("tegra_chip_id")

    modules = (recipes.get("jetson_modules") if recipes is not None else None) or {}
    identity = identify_module(compatible, model, modules)
    if identity.is_jetson is False:
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

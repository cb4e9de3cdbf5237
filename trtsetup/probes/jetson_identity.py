"""The files that say a machine is a Jetson, parsed: pure functions from text (or device-tree
bytes) to values, never raising on garbage.

``/etc/nv_tegra_release``, the ``nvidia-l4t-core`` and ``nvidia-jetpack`` package versions,
device-tree ``model`` and ``compatible``, the L4T apt source and ``tegra_chip_id``.
``probes/jetson.read_jetson`` reads them through the Host; ``probes/jetson_module`` turns
device-tree identity into a module with the recipes.
"""

import re
from typing import Dict, List, Optional, Tuple

from ..knowledge import normalize_l4t  # noqa: F401 (re-exported: parsers of L4T text use it)
from ..patterns import lazy
from ..record import record


@record
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


@record
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


_RELEASE = lazy(
    r"^#\s*R(\d{1,4})\s*\(release\)\s*,\s*REVISION:\s*(\d{1,4})(?:\.(\d{1,4}))?(?![\d.])(.*)$")
_RELEASE_FIELD = lazy(r"^\s*([A-Z_]+)\s*:\s*(.*?)\s*$")


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


_L4T_CORE = lazy(r"^(\d{2,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:-(\d{8,}))?$")


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


_JETPACK_PKG = lazy(r"^(\d{1,2}(?:\.\d{1,3}){1,3})(?:[-+~]b\d+)?$")


def parse_jetpack_package_version(text):
    # type: (object) -> Optional[str]
    """``nvidia-jetpack`` version -> JetPack: ``4.6.1-b110`` -> ``"4.6.1"``, ``6.2+b77`` ->
    ``"6.2"`` (JetPack 6+ uses ``+b``). None for other shapes."""
    text = _text(text)
    if not text:
        return None
    match = _JETPACK_PKG.match(text.strip())
    return match.group(1) if match else None


# Outside printable ASCII and the rest of the BMP: control characters, C1 codes, astral
# code points. (The positive class, [\x20-\x7e\u00a0-\uffff], costs 1.4 ms to compile.)
_UNPRINTABLE = lazy(r"[\x00-\x1f\x7f-\x9f\U00010000-\U0010ffff]")


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
    if not value or _UNPRINTABLE.search(value) or "\ufffd" in value:
        return None
    return value


_COMPATIBLE_TOKEN = lazy(r"^[A-Za-z0-9-]+,[A-Za-z0-9+._,-]+$")
# Before a "vendor," that follows a character which cannot end a vendor name of its own: the
# NUL-less paste "nvidia,p3737-0000+p3701-0005nvidia,p3701-0005nvidia,tegra234".
_GLUED_VENDOR = lazy(r"(?<=[^,])(?=(?:nvidia|nintendo),)")


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


_APT_LINE = lazy(
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


# normalize_l4t ("32.5" -> "32.5.0") lives in knowledge.py, beside the L4T -> JetPack lookup
# that needs it; imported at the top for this module's users.


_BOARD_ID = lazy(r"^(\d{4})-(\d{4})-([0-9A-Za-z]{1,4})$")


@record
class BoardId:
    """One plugin-manager board id. Example: ``BoardId(board="3448", sku="0000", rev="400")``;
    ``part_number`` is ``"p3448-0000"``."""

    board: str
    sku: str
    rev: str

    @property
    def part_number(self):
        return "p{}-{}".format(self.board, self.sku)


def parse_plugin_manager_ids(text):
    # type: (object) -> Tuple[BoardId, ...]
    """The entries of ``/proc/device-tree/chosen/plugin-manager/ids/`` (one name a line, as
    ``ls`` prints them) -> their board ids: ``3448-0000-400`` -> ``BoardId("3448", "0000",
    "400")``. The bootloader of L4T R32 on T210 (Nano, TX1) names the module and the carrier
    board there (``3448-0000-400`` and ``3449-0000-400`` on a Nano developer kit). The node's
    own ``name`` property and anything else not ``<board>-<sku>-<rev>`` shaped are skipped."""
    text = _text(text)
    if not text:
        return ()
    found = []  # type: List[BoardId]
    for name in text.split():
        match = _BOARD_ID.match(name.strip("\0"))
        if match:
            board = BoardId(*match.groups())
            if board not in found:
                found.append(board)
    return tuple(found)

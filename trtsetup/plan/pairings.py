"""Lookups in the recipes that both the doctor's checks and the resolver need.

Pure functions of (version text, recipes): which torchvision pairs with a torch, which
torch2trt revision fits a TensorRT, which driver a CUDA toolkit needs.
"""

import re
from typing import Any, Dict, Optional

from packaging.version import InvalidVersion, Version

def _kind(recipes, name):
    return (recipes.get(name) if recipes is not None else None) or {}


_LEADING = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def release_tuple(version):
    # type: (Optional[str]) -> Optional[tuple]
    """'2.1.0a0+41361538.nv23.06' -> (2, 1, 0); '2.0.0.nv23.05' -> (2, 0, 0); junk -> None."""
    match = _LEADING.match(version or "")
    if not match:
        return None
    return tuple(int(p) for p in match.groups() if p is not None)


def minor_key(version):
    # type: (Optional[str]) -> Optional[str]
    parts = release_tuple(version)
    return "{}.{}".format(parts[0], parts[1]) if parts and len(parts) >= 2 else None


def torchvision_for_torch(torch_version, recipes):
    # type: (str, Any) -> Optional[str]
    """The torchvision version that pairs with this torch (by torch minor), or None."""
    entry = _kind(recipes, "torchvision").get(minor_key(torch_version) or "")
    return entry.get("version") if entry else None


def torch2trt_for_tensorrt(trt_version, recipes):
    # type: (str, Any) -> Dict[str, Any]
    """{supported, ref, min_commit, note, entry} for a TensorRT version, by its major.

    ``entry`` is the recipe entry ({} when none); ``note`` says why when unsupported.
    """
    parts = release_tuple(trt_version)
    table = _kind(recipes, "torch2trt")
    if not parts:
        return {"supported": False, "ref": None, "min_commit": None, "entry": {},
                "note": "TensorRT version {!r} is not a version".format(trt_version)}
    major = parts[0]
    entry = table.get(str(major))
    if entry is None:
        known = sorted(int(k) for k in table if k.isdigit())
        note = "TensorRT {} is {} than any torch2trt revision trtsetup knows (TensorRT {}-{}).".format(
            trt_version, "newer" if known and major > known[-1] else "older",
            known[0] if known else "?", known[-1] if known else "?")
        return {"supported": False, "ref": None, "min_commit": None, "entry": {}, "note": note}
    if entry.get("unsupported") or not entry.get("ref"):
        return {"supported": False, "ref": None, "min_commit": None, "entry": entry,
                "note": entry.get("unsupported") or entry.get("note")}
    return {"supported": True, "ref": entry["ref"], "min_commit": entry.get("min_commit"),
            "entry": entry, "note": entry.get("note")}


def min_driver_for_cuda(cuda_version, recipes):
    # type: (str, Any) -> Optional[str]
    """The lowest Linux driver for a CUDA toolkit (exact X.Y entry, else the next lower one)."""
    wanted = release_tuple(cuda_version)
    if not wanted or len(wanted) < 2:
        return None
    best = None
    for key, entry in _kind(recipes, "x86_index").items():
        have = release_tuple(key)
        if not have or not entry.get("min_driver"):
            continue
        if have[:2] <= wanted[:2] and (best is None or have > best[0]):
            best = (have, entry["min_driver"])
    return best[1] if best else None


def max_cuda_for_driver(driver_version, recipes):
    # type: (str, Any) -> Optional[str]
    """The highest CUDA toolkit whose minimum driver is ≤ this driver (from the recipes)."""
    try:
        driver = Version(driver_version)
    except (InvalidVersion, TypeError):
        return None
    best = None
    for key, entry in _kind(recipes, "x86_index").items():
        try:
            if entry.get("min_driver") and Version(entry["min_driver"]) <= driver:
                if best is None or release_tuple(key) > release_tuple(best):
                    best = key
        except InvalidVersion:
            continue
    return best

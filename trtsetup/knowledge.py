"""What the recipes say about the facts: one pure module that checks, resolver and probes share.

Every function takes version text (or facts) and the loaded ``Recipes`` and answers from the
data alone: which JetPack an L4T release is, what a JetPack ships, which CUDA a driver runs,
which torch2trt revision suits a TensorRT and how to build it, which torchvision pairs with a
torch, which pip package carries TensorRT's Python bindings. Nothing here reads the host,
logs, or raises: an unknown input gives None (or an answer that says "unsupported" and why).

It sits below ``probes/`` (``read_jetson`` derives the JetPack here), beside ``recipes.py``,
and imports only ``versions``.
"""

from typing import Any, Dict, List, Optional, Tuple

from . import versions
from .patterns import lazy

_L4T_VERSION = lazy(r"^[Rr]?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$")
_LEADING_NUMBER = lazy(r"^(\d+)")


def _table(recipes, kind):
    value = recipes.get(kind) if recipes is not None else None
    return value if value is not None else {}


# -- L4T and JetPack ----------------------------------------------------------------------------

def normalize_l4t(value):
    # type: (object) -> Optional[str]
    """``"32.5"`` -> ``"32.5.0"``, ``"R36.4.3"`` -> ``"36.4.3"``; None if not an L4T version."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value:
        return None
    match = _L4T_VERSION.match(value.strip())
    if not match:
        return None
    return "{}.{}.{}".format(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def jetpack_major(jetpack):
    # type: (Optional[str]) -> Optional[str]
    """``"6.0 DP"`` -> ``"6"``."""
    if not isinstance(jetpack, str):
        return None
    match = _LEADING_NUMBER.match(jetpack)
    return match.group(1) if match else None


def _jetpack_sort_key(key):
    number, _, tag = key.partition(" ")
    return (versions.key(number), 0 if tag else 1)   # a preview sorts before its release


def resolve_jetpack(l4t, recipes):
    # type: (Optional[str], object) -> Tuple[Optional[str], bool, Optional[str]]
    """(jetpack, exact, note) for an L4T release, from the ``l4t`` recipes.

    A listed release gives its JetPack exactly, with the row's ``warning`` if it has one (an
    ambiguous TX1 release, a weakly sourced row). An unlisted one falls back by major (R32 -> 4,
    R34/R35 -> 5, R36 -> 6, R38/R39 -> 7, from the ``"<major>"`` rows): the JetPack of the
    nearest listed release of that line at or below it (else the lowest), ``exact=False`` and
    an "unknown minor" note. An unknown major gives ``(None, False, note)``.
    """
    key = normalize_l4t(l4t)
    if key is None:
        return None, False, "L4T version {!r} is not a version".format(l4t)
    table = _table(recipes, "l4t")
    row = table.get(key)
    if isinstance(row, dict) and row.get("jetpack"):
        return row["jetpack"], True, row.get("warning")
    major = key.partition(".")[0]
    releases = [(k, v) for k, v in table.items() if isinstance(v, dict) and v.get("jetpack") and "." in k]
    fallback = table.get(major)
    if isinstance(fallback, dict) and fallback.get("jetpack_major"):
        line = fallback["jetpack_major"]
    else:
        same_major = [v["jetpack"] for k, v in releases if k.partition(".")[0] == major]
        line = jetpack_major(same_major[0]) if same_major else None
    if line is None:
        return None, False, ("L4T {} has a major (R{}) that no JetPack in the recipes uses; add it "
                             "with a recipes overlay (l4t.json)".format(key, major))
    wanted = versions.key(key)
    pool = [(versions.key(k), k, v["jetpack"]) for k, v in releases
            if jetpack_major(v["jetpack"]) == line and versions.parse(k) is not None]
    same = [item for item in pool if item[1].partition(".")[0] == major] or pool
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
    table = _table(recipes, "jetpack")
    key = jetpack.strip()
    based_on = key if isinstance(table.get(key), dict) else None
    if based_on is None:
        number = key.partition(" ")[0]
        wanted = versions.parse(number)
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


# -- driver and CUDA ----------------------------------------------------------------------------

def min_driver_for_cuda(cuda_version, recipes):
    # type: (Optional[str], Any) -> Optional[str]
    """The lowest Linux driver for a CUDA toolkit (exact X.Y entry, else the next lower one)."""
    wanted = versions.parse(versions.minor(cuda_version))
    if wanted is None or len(versions.release(cuda_version) or ()) < 2:
        return None
    best = None
    for key, entry in _table(recipes, "x86_index").items():
        have = versions.parse(key)
        if have is None or not entry.get("min_driver"):
            continue
        if have <= wanted and (best is None or have > best[0]):
            best = (have, entry["min_driver"])
    return best[1] if best else None


def max_cuda_for_driver(driver_version, recipes):
    # type: (Optional[str], Any) -> Optional[str]
    """The highest CUDA toolkit whose minimum driver is <= this driver (from the recipes)."""
    driver = versions.parse(driver_version) if versions.is_pep440(driver_version) else None
    if driver is None:
        return None
    best = None
    for key, entry in _table(recipes, "x86_index").items():
        floor = versions.parse(entry.get("min_driver"))
        if floor is not None and floor <= driver and (best is None or versions.key(key) > versions.key(best)):
            best = key
    return best


# -- torch, torchvision, TensorRT, torch2trt ------------------------------------------------------

def torchvision_for_torch(torch_version, recipes):
    # type: (Optional[str], Any) -> Optional[str]
    """The torchvision version that pairs with this torch (by torch minor), or None."""
    entry = _table(recipes, "torchvision").get(versions.minor(torch_version) or "")
    return entry.get("version") if entry else None


def torch2trt_for_tensorrt(trt_version, recipes):
    # type: (Optional[str], Any) -> Dict[str, Any]
    """{supported, ref, min_commit, note, entry} for a TensorRT version, by its major.

    ``entry`` is the recipe entry ({} when none); ``note`` says why when unsupported.
    """
    major = versions.major(trt_version)
    table = _table(recipes, "torch2trt")
    if major is None:
        return {"supported": False, "ref": None, "min_commit": None, "entry": {},
                "note": "TensorRT version {!r} is not a version".format(trt_version)}
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


def torch2trt_revision(ref, recipes):
    # type: (Optional[str], Any) -> Dict[str, Any]
    """How a torch2trt revision builds (``torch2trt_revisions`` recipes): ``legacy_plugins``
    (the torch specifiers under which its ``--plugins`` extension is loaded and builds, or
    None), ``cmake_plugins`` and ``cmake_plugins_min_tensorrt``. A ref not listed (a branch,
    a commit, ``master``) takes the ``"default"`` row: master's shape."""
    table = _table(recipes, "torch2trt_revisions")
    row = table.get(ref or "") or table.get("default") or {}
    return {"legacy_plugins": row.get("legacy_plugins"), "cmake_plugins": bool(row.get("cmake_plugins")),
            "cmake_plugins_min_tensorrt": row.get("cmake_plugins_min_tensorrt"),
            "note": row.get("note"), "listed": (ref or "") in table}


def legacy_plugin_shapes(recipes):
    # type: (Any) -> List[str]
    """The torch2trt revisions that load the legacy ``--plugins`` extension (sorted)."""
    return sorted(k for k, v in _table(recipes, "torch2trt_revisions").items()
                  if k != "default" and isinstance(v, dict) and v.get("legacy_plugins"))


def torch_within(torch_version, specifiers):
    # type: (Optional[str], Optional[List[str]]) -> bool
    """True when the torch release (``1.9.0``; local and pre-release parts ignored) meets every
    bound (``[">=1.5", "<1.10"]``, ``versions.parse_bound``)."""
    numbers = versions.release(torch_version)
    bounds = [versions.parse_bound(text) for text in specifiers or ()]
    if not numbers or not bounds or None in bounds:
        return False
    return versions.within(numbers, bounds)


def tensorrt_pip_package(facts):
    # type: (Any) -> str
    """The pip package with TensorRT's Python bindings for this machine's CUDA major
    (``tensorrt-cu12``, ``tensorrt-cu13``): the toolkit's CUDA, else the driver's; plain
    ``tensorrt`` when neither is known. The doctor's fix and the plan's both say this."""
    cuda = getattr(facts, "cuda", None)
    nvidia = getattr(facts, "nvidia", None)
    major = (versions.major(getattr(cuda, "version", None))
             or versions.major(getattr(nvidia, "cuda_driver_version", None)))
    return "tensorrt-cu{}".format(major) if major else "tensorrt"


# -- CUDA architectures ---------------------------------------------------------------------------

def cuda_architectures(facts):
    # type: (Any) -> List[str]
    """The compute capabilities to build for, dotted (``["8.7"]``), decided once for plan,
    install and ``patch``: the GPUs the driver reports (measured, and on an IGX/Orin with a
    discrete GPU the only right answer), else the Jetson module's from the recipes (JetPack
    4-6 has no nvidia-smi to report its integrated GPU). [] when neither is known."""
    found = []  # type: List[str]
    for gpu in getattr(facts, "gpus", ()) or ():
        capability = getattr(gpu, "compute_capability", None)
        if versions.parse(capability) is not None and capability not in found:
            found.append(capability)
    if found:
        return sorted(found, key=versions.key)
    jetson = getattr(facts, "jetson", None)
    arch = getattr(jetson, "cuda_arch", None) if jetson is not None else None
    return [arch] if versions.parse(arch) is not None else []

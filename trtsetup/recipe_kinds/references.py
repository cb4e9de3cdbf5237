"""Checks across recipes files, run once every shipped and overlay file is merged.

A file is validated alone first (``platform.py``, ``install.py``); what one file says about
another's keys can only be judged on the merged tables, because an overlay may refer to a
shipped entry or add both ends of a reference. An error names the file that holds the
referring entry (``entry_files[kind][key]``) and its key.
"""

from typing import Any, Callable, Dict

from .fields import fail


def check_references(get, entry_files):
    # type: (Callable[[str], Any], Dict[str, Dict[str, str]]) -> None
    """``get(kind)`` returns the merged entries of a kind; raises RecipeError on a dangling one."""
    jetpacks = get("jetpack") or {}
    modules = get("jetson_modules") or {}
    socs = {key for key, row in modules.items() if row.get("type") == "soc"}

    def where(kind, key):
        return entry_files.get(kind, {}).get(key, kind + ".json")

    for key, row in sorted((get("l4t") or {}).items()):
        jetpack = row.get("jetpack")
        if jetpack is not None and jetpack not in jetpacks:
            fail(where("l4t", key), "{}.jetpack".format(key),
                 "JetPack {!r} is in no jetpack table (shipped or overlay); add a jetpack.json "
                 "entry for it saying what it ships (CUDA, TensorRT, Python ...)".format(jetpack))
    for key, row in sorted(jetpacks.items()):
        unknown = [soc for soc in row.get("socs", []) if soc not in socs]
        if unknown:
            fail(where("jetpack", key), "{}.socs".format(key),
                 "SoC {} is in no jetson_modules table".format(", ".join(unknown)))
    for key, row in sorted(modules.items()):
        kind = row.get("type")
        if kind in ("module", "family") and row.get("soc") not in socs:
            fail(where("jetson_modules", key), "{}.soc".format(key),
                 "SoC {!r} is in no jetson_modules table".format(row.get("soc")))
        if kind == "soc" and row.get("alias_of") is not None and row["alias_of"] not in socs:
            fail(where("jetson_modules", key), "{}.alias_of".format(key),
                 "SoC {!r} is in no jetson_modules table".format(row["alias_of"]))
        if kind in ("compatible", "model_prefix") and row.get("part_number") not in modules:
            fail(where("jetson_modules", key), "{}.part_number".format(key),
                 "{!r} is in no jetson_modules table".format(row.get("part_number")))

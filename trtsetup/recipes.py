"""Platform knowledge as data: load ``trtsetup/recipes/*.json``, validate, overlay.

Each recipes file is one JSON object::

    {"schema": "trtsetup.recipes/1", "kind": "<kind>", "source": "<url or note>",
     "entries": ...}

``kind`` picks the validator below. A user overlay directory (``--recipes DIR``, or
``$TRTSETUP_RECIPES``, or ``~/.config/trtsetup/recipes``) holds files of the same shape; an
overlay file's entries are merged over the shipped ones key by key (for mapping kinds) or
prepended (for list kinds), so a JetPack released after this version can be added without
upgrading trtsetup. Errors name the file and the key.
"""

import json
import os
import pkgutil
import re
from typing import Any, Callable, Dict, List, Optional

from .errors import RecipeError

RECIPES_SCHEMA = "trtsetup.recipes/1"
PACKAGE_FILES = ("l4t.json", "jetpack.json", "jetson_modules.json", "torch_wheels.json", "torchvision.json",
                 "apt.json", "x86_index.json", "torch2trt.json")

_VERSION = re.compile(r"^\d+(\.\d+)*$")


class Recipes(object):
    """All loaded recipes by kind. ``get(kind)`` returns the merged entries."""

    def __init__(self, by_kind, origins):
        self._by_kind = by_kind      # type: Dict[str, Any]
        self.origins = origins       # type: Dict[str, List[str]]  kind -> files it came from

    def get(self, kind, default=None):
        return self._by_kind.get(kind, default)

    def kinds(self):
        return sorted(self._by_kind)


# -- validation helpers (raise RecipeError naming file and key) --------------------------------

def fail(filename, key, message):
    raise RecipeError("recipes {}: {}: {}".format(filename, key, message),
                      fix="Fix or remove that entry; shipped recipes are validated by the test suite.")


def require(filename, key, obj, name, kind=str, optional=False):
    if name not in obj or obj[name] is None:
        if optional:
            return None
        fail(filename, "{}.{}".format(key, name), "missing")
    value = obj[name]
    if not isinstance(value, kind):
        fail(filename, "{}.{}".format(key, name), "expected {}, got {!r}".format(
            getattr(kind, "__name__", kind), value))
    return value


def require_version(filename, key, obj, name, optional=False):
    value = require(filename, key, obj, name, str, optional)
    if value is not None and not _VERSION.match(value):
        fail(filename, "{}.{}".format(key, name), "not a dotted version: {!r}".format(value))
    return value


def require_https(filename, key, obj, name, optional=False):
    value = require(filename, key, obj, name, str, optional)
    if value is not None and not value.startswith("https://"):
        fail(filename, "{}.{}".format(key, name), "URL must be https: {!r}".format(value))
    return value


# Validators are registered by kind; each receives (filename, entries) and returns the
# entries (possibly normalised). Modules that own a kind register it with @validator.
VALIDATORS = {}  # type: Dict[str, Callable[[str, Any], Any]]
MERGE_AS_LIST = set()  # kinds whose entries are lists (overlay entries go first)


def validator(kind, as_list=False):
    def register(func):
        VALIDATORS[kind] = func
        if as_list:
            MERGE_AS_LIST.add(kind)
        return func
    return register


def _load_document(filename, text):
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RecipeError("recipes {}: not valid JSON ({})".format(filename, exc),
                          fix="Fix the JSON syntax in that file.")
    if not isinstance(doc, dict):
        fail(filename, "<top>", "expected an object")
    if doc.get("schema") != RECIPES_SCHEMA:
        fail(filename, "schema", "expected {!r}, got {!r}".format(RECIPES_SCHEMA, doc.get("schema")))
    kind = doc.get("kind")
    if kind not in VALIDATORS:
        fail(filename, "kind", "unknown kind {!r} (known: {})".format(kind, ", ".join(sorted(VALIDATORS))))
    if "entries" not in doc:
        fail(filename, "entries", "missing")
    return kind, VALIDATORS[kind](filename, doc["entries"])


def _merge(kind, base, overlay):
    if base is None:
        return overlay
    if kind in MERGE_AS_LIST:
        return list(overlay) + list(base)
    merged = dict(base)
    merged.update(overlay)
    return merged


def overlay_dirs(explicit=None, env=None):
    """Overlay directories in priority order (later wins): config dir, $TRTSETUP_RECIPES, --recipes."""
    env = os.environ if env is None else env
    dirs = []
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    dirs.append(os.path.join(config_home, "trtsetup", "recipes"))
    if env.get("TRTSETUP_RECIPES"):
        dirs.append(env["TRTSETUP_RECIPES"])
    if explicit:
        dirs.append(explicit)
    return dirs


def load_recipes(overlays=None, explicit=None):
    # type: (Optional[List[str]], Optional[str]) -> Recipes
    """Shipped recipes, then each overlay directory's ``*.json`` merged over them."""
    # Importing the modules that own kinds registers their validators.
    from . import recipe_kinds  # noqa: F401
    by_kind = {}  # type: Dict[str, Any]
    origins = {}  # type: Dict[str, List[str]]
    for name in PACKAGE_FILES:
        data = pkgutil.get_data("trtsetup", "recipes/" + name)
        if data is None:
            raise RecipeError("recipes {}: missing from the installed package".format(name),
                              fix="Reinstall trtsetup: its wheel is incomplete.")
        kind, entries = _load_document(name, data.decode("utf-8"))
        by_kind[kind] = _merge(kind, by_kind.get(kind), entries)
        origins.setdefault(kind, []).append("trtsetup/recipes/" + name)
    if explicit and not os.path.isdir(explicit):
        raise RecipeError("--recipes {}: no such directory".format(explicit),
                          fix="Pass a directory of recipes JSON files.")
    for directory in overlays if overlays is not None else overlay_dirs(explicit):
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json"):
                continue
            path = os.path.join(directory, name)
            try:
                with open(path, "r", encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as exc:
                raise RecipeError("recipes {}: cannot read ({})".format(path, exc.strerror or exc))
            kind, entries = _load_document(path, text)
            by_kind[kind] = _merge(kind, by_kind.get(kind), entries)
            origins.setdefault(kind, []).append(path)
    return Recipes(by_kind, origins)

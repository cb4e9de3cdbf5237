"""Platform knowledge as data: load the shipped ``recipes/*.json``, validate, overlay.

Each recipes file is one JSON object::

    {"schema": "trtsetup.recipes/1", "kind": "<kind>", "source": "<url or note>",
     "entries": ...}

``kind`` picks the validator (``recipe_kinds.VALIDATORS``). A user overlay directory
(``--recipes DIR``, or ``$TRTSETUP_RECIPES``, or ``~/.config/trtsetup/recipes``) holds files
of the same shape; an overlay file's entries are merged over the shipped ones key by key (for
mapping kinds) or prepended (for list kinds), so a JetPack released after this version can be
added without upgrading trtsetup. After merging, references across files are checked (an L4T
row's JetPack must be in a jetpack table). Errors name the file and the key.

Where the shipped files are: ``recipes/`` at the top of the checkout, installed as the data
directory ``trtsetup/recipes_data/`` (``setup.py`` maps one onto the other), read with
``package_data`` so a zip (zipapp) works too.
"""

import json
import os
from typing import Any, Dict, List, Optional

from . import dirs
from .errors import RecipeError
from .package_data import read_package_data
from .recipe_kinds import LIST_KINDS, VALIDATORS, check_references
from .recipe_kinds.fields import fail

RECIPES_SCHEMA = "trtsetup.recipes/1"
PACKAGE_FILES = ("l4t.json", "jetpack.json", "jetson_modules.json", "torch_wheels.json", "torchvision.json",
                 "apt.json", "x86_index.json", "torch2trt.json", "docker_runtime.json", "docker_images.json",
                 "torch2trt_revisions.json")
INSTALLED_DIR = "recipes_data"   # inside the installed trtsetup package
_TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Running from a checkout (PYTHONPATH=.): the data sits beside the package. Only there (a
# setup.cfg beside it): an installed copy must never read a stray site-packages/recipes/.
CHECKOUT_DIR = os.path.join(_TOP, "recipes") if os.path.exists(os.path.join(_TOP, "setup.cfg")) else None

_SHIPPED_FIX = "Reinstall trtsetup: its shipped recipes are damaged (they pass its test suite as released)."


class Recipes(object):
    """All loaded recipes by kind. ``get(kind)`` returns the merged entries."""

    def __init__(self, by_kind, origins):
        self._by_kind = by_kind      # type: Dict[str, Any]
        self.origins = origins       # type: Dict[str, List[str]]  kind -> files it came from

    def get(self, kind, default=None):
        return self._by_kind.get(kind, default)

    def kinds(self):
        return sorted(self._by_kind)


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
    if kind in LIST_KINDS:
        return list(overlay) + list(base)
    merged = dict(base)
    merged.update(overlay)
    return merged


def overlay_dirs(explicit=None, env=None):
    """Overlay directories in priority order (later wins): config dir, $TRTSETUP_RECIPES, --recipes."""
    env = os.environ if env is None else env
    found = [os.path.join(dirs.config_dir(env), "recipes")]
    if env.get("TRTSETUP_RECIPES"):
        found.append(env["TRTSETUP_RECIPES"])
    if explicit:
        found.append(explicit)
    return found


def read_shipped(name):
    # type: (str) -> bytes
    """The bytes of one shipped recipes file: the installed data dir, else the checkout's."""
    try:
        data = read_package_data(INSTALLED_DIR + "/" + name)
    except OSError:
        data = None
    if data is None and CHECKOUT_DIR is not None:
        try:
            with open(os.path.join(CHECKOUT_DIR, name), "rb") as handle:
                data = handle.read()
        except OSError:
            pass
    if data is None:
        raise RecipeError("recipes {}: missing from the installed package".format(name),
                          fix="Reinstall trtsetup: its wheel is incomplete.")
    return data


class _Loader(object):
    def __init__(self):
        self.by_kind = {}       # type: Dict[str, Any]
        self.origins = {}       # type: Dict[str, List[str]]
        self.entry_files = {}   # type: Dict[str, Dict[str, str]]  kind -> key -> file

    def add(self, filename, text):
        kind, entries = _load_document(filename, text)
        self.by_kind[kind] = _merge(kind, self.by_kind.get(kind), entries)
        self.origins.setdefault(kind, []).append(filename)
        if isinstance(entries, dict):
            self.entry_files.setdefault(kind, {}).update((key, filename) for key in entries)


def load_recipes(overlays=None, explicit=None):
    # type: (Optional[List[str]], Optional[str]) -> Recipes
    """Shipped recipes, then each overlay directory's ``*.json`` merged over them."""
    loader = _Loader()
    try:
        for name in PACKAGE_FILES:
            loader.add("recipes/" + name, read_shipped(name).decode("utf-8"))
    except RecipeError as exc:
        raise RecipeError(exc.message, fix=exc.fix or _SHIPPED_FIX)
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
                raise RecipeError("recipes {}: cannot read ({})".format(path, exc.strerror or exc),
                                  fix="Make it readable, or move it out of {}.".format(directory))
            try:
                loader.add(path, text)
            except RecipeError as exc:
                raise RecipeError(exc.message, fix=exc.fix or _overlay_fix(path))
    try:
        check_references(loader.by_kind.get, loader.entry_files)
    except RecipeError as exc:
        shipped = exc.message.startswith("recipes recipes/")
        raise RecipeError(exc.message, fix=_SHIPPED_FIX if shipped else _overlay_fix(None))
    return Recipes(loader.by_kind, loader.origins)


def _overlay_fix(path):
    where = "in {}".format(path) if path else "in the overlay file it names"
    return ("Fix or remove that entry {} (a recipes overlay: --recipes, $TRTSETUP_RECIPES or "
            "~/.config/trtsetup/recipes); the shipped files show the expected shape.".format(where))

"""Validators for the platform recipes: ``l4t``, ``jetpack`` and ``jetson_modules``.

Each validator gets one file's ``entries`` and either returns them (normalised) or raises
``RecipeError`` through ``recipes.fail(filename, key, message)``, naming the file and key.
Cross-file references (an L4T row's JetPack, a module's SoC) are checked by
``recipe_kinds/references.py`` once every file is merged, since an overlay may refer to
shipped entries.
"""


from ..patterns import lazy
from .fields import fail, require, require_version

# "32.4.3" (a release), "32.4" (normalised to "32.4.0"), "32" (the fallback of an unknown minor)
L4T_RELEASE_KEY = lazy(r"^\d+\.\d+(\.\d+)?$")
L4T_MAJOR_KEY = lazy(r"^\d+$")
# "4.6.1", "5.0 DP", "6.0 EA", "5.1.1 PRE", "5.0 PRE-DP"
JETPACK_KEY = lazy(r"^\d+\.\d+(\.\d+)?( (DP|EA|PRE|PRE-DP))?$")
UBUNTU = lazy(r"^\d\d\.\d\d$")
PYTHON = lazy(r"^[23]\.\d+$")
PART_NUMBER = lazy(r"^p\d{4}-\d{4}$")
FAMILY = lazy(r"^p\d{4}$")
SOC = lazy(r"^tegra\w+$")
COMPATIBLE = lazy(r"^[a-z0-9-]+,[A-Za-z0-9+._-]+$")
CONFIDENCE = ("V", "V2", "K", "?")


def _mapping(filename, entries):
    if not isinstance(entries, dict):
        fail(filename, "entries", "expected an object keyed by version")
    for key, value in entries.items():
        if not isinstance(value, dict):
            fail(filename, key, "expected an object, got {!r}".format(value))
    return entries


def _common(filename, key, entry):
    require(filename, key, entry, "source", str)
    require(filename, key, entry, "note", str, optional=True)
    require(filename, key, entry, "warning", str, optional=True)
    confidence = require(filename, key, entry, "confidence", str, optional=True)
    if confidence is not None and confidence not in CONFIDENCE:
        fail(filename, "{}.confidence".format(key), "expected one of {}, got {!r}".format(
            ", ".join(CONFIDENCE), confidence))


def _jetpack_value(filename, key, entry, name):
    value = require(filename, key, entry, name, str)
    if not JETPACK_KEY.match(value):
        fail(filename, "{}.{}".format(key, name),
             "not a JetPack version (like '4.6.1' or '6.0 DP'): {!r}".format(value))
    return value


def validate_l4t(filename, entries):
    """L4T release -> JetPack. ``{"32.4.3": {"jetpack": "4.4", "source": URL}}``; a bare
    major (``{"36": {"jetpack_major": "6", ...}}``) is the fallback for an unknown minor."""
    _mapping(filename, entries)
    normalised = {}
    for key, entry in entries.items():
        _common(filename, key, entry)
        if L4T_MAJOR_KEY.match(key):
            value = require(filename, key, entry, "jetpack_major", str)
            if not L4T_MAJOR_KEY.match(value):
                fail(filename, "{}.jetpack_major".format(key), "expected a number like '6', got {!r}".format(value))
            name = key
        elif L4T_RELEASE_KEY.match(key):
            _jetpack_value(filename, key, entry, "jetpack")
            name = key if key.count(".") == 2 else key + ".0"
        else:
            fail(filename, key, "not an L4T version (like '32.4.3', or '36' for a fallback)")
        if name in normalised:
            fail(filename, key, "duplicates {!r} (an 'X.Y' key means 'X.Y.0')".format(name))
        normalised[name] = entry
    return normalised


def validate_jetpack(filename, entries):
    """JetPack -> what it ships: ``{"4.6.1": {"cuda": "10.2.300", "cudnn": "8.2.1.32",
    "tensorrt": "8.2.1.8", "ubuntu": "18.04", "python": "3.6", "l4t_major": 32,
    "socs": ["tegra210", ...], "source": URL}}``."""
    _mapping(filename, entries)
    for key, entry in entries.items():
        if not JETPACK_KEY.match(key):
            fail(filename, key, "not a JetPack version (like '4.6.1' or '6.0 DP')")
        _common(filename, key, entry)
        for name in ("cuda", "cudnn", "tensorrt"):
            require_version(filename, key, entry, name)
        ubuntu = require(filename, key, entry, "ubuntu", str)
        if not UBUNTU.match(ubuntu):
            fail(filename, "{}.ubuntu".format(key), "expected like '22.04', got {!r}".format(ubuntu))
        python = require(filename, key, entry, "python", str)
        if not PYTHON.match(python):
            fail(filename, "{}.python".format(key), "expected like '3.10', got {!r}".format(python))
        major = require(filename, key, entry, "l4t_major", int)
        if isinstance(major, bool) or major <= 0:
            fail(filename, "{}.l4t_major".format(key), "expected a positive number, got {!r}".format(major))
        socs = require(filename, key, entry, "socs", list)
        for soc in socs:
            if not isinstance(soc, str) or not SOC.match(soc):
                fail(filename, "{}.socs".format(key), "not a SoC token like 'tegra234': {!r}".format(soc))
    return entries


_MODULE_TYPES = ("module", "family", "soc", "compatible", "model_prefix")


def validate_jetson_modules(filename, entries):
    """Device-tree identity. Entries by ``type``: ``module`` (``p3448-0000`` -> name, soc),
    ``family`` (``p3448``), ``soc`` (``tegra210`` -> name, cuda_arch, chip_id, or alias_of),
    ``compatible`` (``nvidia,jetson-nano`` -> part_number), ``model_prefix``
    (``Nintendo Switch`` -> part_number). ``"jetson": false`` marks a Tegra device that is not
    a Jetson module."""
    _mapping(filename, entries)
    for key, entry in entries.items():
        _common(filename, key, entry)
        kind = require(filename, key, entry, "type", str)
        if kind not in _MODULE_TYPES:
            fail(filename, "{}.type".format(key), "expected one of {}, got {!r}".format(
                ", ".join(_MODULE_TYPES), kind))
        if kind in ("module", "family"):
            if not (PART_NUMBER if kind == "module" else FAMILY).match(key):
                fail(filename, key, "not a {} key (like {!r})".format(
                    kind, "p3448-0000" if kind == "module" else "p3448"))
            require(filename, key, entry, "name", str)
            soc = require(filename, key, entry, "soc", str)
            if not SOC.match(soc):
                fail(filename, "{}.soc".format(key), "not a SoC token like 'tegra234': {!r}".format(soc))
            require(filename, key, entry, "jetson", bool, optional=True)
        elif kind == "soc":
            if not SOC.match(key):
                fail(filename, key, "not a SoC token like 'tegra234'")
            alias = require(filename, key, entry, "alias_of", str, optional=True)
            if alias is None:
                require(filename, key, entry, "name", str)
                require_version(filename, key, entry, "cuda_arch")
                chip_id = require(filename, key, entry, "chip_id", int, optional=True)
                if chip_id is not None and (isinstance(chip_id, bool) or chip_id < 0):
                    fail(filename, "{}.chip_id".format(key), "expected a number, got {!r}".format(chip_id))
            elif not SOC.match(alias):
                fail(filename, "{}.alias_of".format(key), "not a SoC token: {!r}".format(alias))
        else:
            if kind == "compatible" and not COMPATIBLE.match(key):
                fail(filename, key, "not a device-tree compatible string like 'nvidia,jetson-nano'")
            if kind == "model_prefix" and not key.strip():
                fail(filename, key, "empty model prefix")
            if kind == "model_prefix":
                require(filename, key, entry, "name", str, optional=True)  # when the model says more than the family
            part = require(filename, key, entry, "part_number", str)
            if not (PART_NUMBER.match(part) or FAMILY.match(part)):
                fail(filename, "{}.part_number".format(key),
                     "expected a part number 'p3448-0000' or family 'p3448', got {!r}".format(part))
    return entries

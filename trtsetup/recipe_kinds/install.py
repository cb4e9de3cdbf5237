"""Validators for the install recipes: wheels, torchvision pairings, apt prerequisites,
x86 wheel indexes and torch2trt revisions.

Each validator gets ``(filename, entries)`` and returns the entries unchanged, or raises
``RecipeError`` naming the file and the key (``torch_wheels.json: entries[3].url: ...``).
Shapes (see the files under ``recipes/`` for real values):

- ``torch_wheels`` (a list; overlay entries go first)::

    {"id": "jp44-torch-1.6.0-cp36", "jetpacks": ["4.4", ...], "default_for": ["4.4"],
     "python": "3.6", "torch": "1.6.0", "kind": "wheel" | "index",
     "filename": "...whl", "url": "https://...", "sha256": null | "<64 hex>",   (kind wheel)
     "index_url": "https://...",                                               (kind index)
     "torchvision": {"version": "0.7.0", "source": "git" | "index"},
     "source": "https://...", "note": "...", "warnings": ["..."]}

- ``torchvision`` (torch minor -> pairing)::

    {"1.6": {"version": "0.7.0", "tag": "v0.7.0", "python": ["3.6", "3.8"], "source": "https://..."}}

- ``apt`` (JetPack major or "x86" -> package groups)::

    {"4": {"torch": [...], "torchvision_build": [...], "torch2trt_build": [...],
           "torch2trt_plugins": [...], "source": "https://..."}}

- ``x86_index`` (CUDA version -> minimum driver and the PyTorch index, if any)::

    {"12.1": {"min_driver": "530.30.02", "index": "cu121", "index_url": "https://...",
              "torch": ["2.1", ..., "2.5"], "source": "https://..."}}

- ``torch2trt`` (TensorRT major -> revision)::

    {"10": {"ref": "master", "min_commit": "4e820ae", "pre_py37_patch": false,
            "source": "https://...", "note": "..."},
     "11": {"ref": null, "unsupported": "<message>", "source": "https://..."}}

- ``torch2trt_revisions`` (torch2trt ref, or ``"default"`` -> how it builds its plugins)::

    {"v0.3.0": {"legacy_plugins": [">=1.5", "<1.10"] | null, "cmake_plugins": false,
                "cmake_plugins_min_tensorrt": "8" (with cmake_plugins), "source": "https://..."}}
"""


from packaging.version import InvalidVersion, Version

from ..patterns import lazy
from ..versions import parse_bound
from .fields import fail, require, require_https, require_version

_SHA256 = lazy(r"^[0-9a-f]{64}$")
_MINOR = lazy(r"^\d+\.\d+$")
_MAJOR = lazy(r"^\d+$")
_CU_TAG = lazy(r"^cu\d{3}$")
_PACKAGE = lazy(r"^[a-z0-9][a-z0-9.+-]*$")
_REF = lazy(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_COMMIT = lazy(r"^[0-9a-f]{7,40}$")
APT_GROUPS = ("torch", "torchvision_build", "torch2trt_build", "torch2trt_plugins")


def _require_mapping(filename, entries):
    if not isinstance(entries, dict):
        fail(filename, "entries", "expected an object")


def _require_pep440(filename, key, obj, name):
    value = require(filename, key, obj, name, str)
    try:
        Version(value)
    except InvalidVersion:
        fail(filename, "{}.{}".format(key, name), "not a PEP 440 version: {!r}".format(value))
    return value


def _require_str_list(filename, key, obj, name, pattern=None, optional=False):
    value = require(filename, key, obj, name, list, optional)
    if value is None:
        return []
    for index, item in enumerate(value):
        if not isinstance(item, str) or (pattern is not None and not pattern.match(item)):
            fail(filename, "{}.{}[{}]".format(key, name, index), "unexpected value {!r}".format(item))
    return value


def validate_torch_wheels(filename, entries):
    if not isinstance(entries, list):
        fail(filename, "entries", "expected a list")
    seen = set()
    for index, entry in enumerate(entries):
        key = "entries[{}]".format(index)
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        ident = require(filename, key, entry, "id")
        key = "entries[{}] ({})".format(index, ident)
        if ident in seen:
            fail(filename, key, "duplicate id")
        seen.add(ident)
        jetpacks = _require_str_list(filename, key, entry, "jetpacks")
        if not jetpacks:
            fail(filename, key + ".jetpacks", "empty")
        for jp in _require_str_list(filename, key, entry, "default_for", optional=True):
            if jp not in jetpacks:
                fail(filename, key + ".default_for", "{!r} is not in jetpacks".format(jp))
        python = require(filename, key, entry, "python")
        if not _MINOR.match(python):
            fail(filename, key + ".python", "expected major.minor, got {!r}".format(python))
        _require_pep440(filename, key, entry, "torch")
        kind = require(filename, key, entry, "kind")
        if kind == "wheel":
            name = require(filename, key, entry, "filename")
            if not name.endswith(".whl") or not name.startswith("torch-"):
                fail(filename, key + ".filename", "expected torch-<version>-...whl, got {!r}".format(name))
            require_https(filename, key, entry, "url")
            sha = require(filename, key, entry, "sha256", optional=True)
            if sha is not None and not _SHA256.match(sha):
                fail(filename, key + ".sha256", "expected 64 lower-case hex digits or null")
        elif kind == "index":
            require_https(filename, key, entry, "index_url")
        else:
            fail(filename, key + ".kind", "expected 'wheel' or 'index', got {!r}".format(kind))
        vision = require(filename, key, entry, "torchvision", dict)
        require_version(filename, key + ".torchvision", vision, "version")
        if vision.get("source") not in ("git", "index"):
            fail(filename, key + ".torchvision.source", "expected 'git' or 'index', got {!r}".format(vision.get("source")))
        if vision["source"] == "index" and kind != "index":
            fail(filename, key + ".torchvision.source", "'index' needs kind 'index'")
        require_https(filename, key, entry, "source")
        require(filename, key, entry, "note", optional=True)
        _require_str_list(filename, key, entry, "warnings", optional=True)
    return entries


def validate_torchvision(filename, entries):
    _require_mapping(filename, entries)
    for minor, entry in entries.items():
        key = "entries[{!r}]".format(minor)
        if not _MINOR.match(minor):
            fail(filename, key, "keys are torch major.minor versions")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        version = require_version(filename, key, entry, "version")
        tag = require(filename, key, entry, "tag")
        if tag != "v" + version:
            fail(filename, key + ".tag", "expected 'v{}', got {!r}".format(version, tag))
        python = require(filename, key, entry, "python", list)
        if len(python) != 2 or not all(isinstance(p, str) and _MINOR.match(p) for p in python):
            fail(filename, key + ".python", "expected [lowest, highest] major.minor")
        require_https(filename, key, entry, "source")
    return entries


def validate_apt(filename, entries):
    _require_mapping(filename, entries)
    for generation, entry in entries.items():
        key = "entries[{!r}]".format(generation)
        if not (_MAJOR.match(generation) or generation == "x86"):
            fail(filename, key, "keys are JetPack major versions or 'x86'")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        for group in APT_GROUPS:
            _require_str_list(filename, key, entry, group, _PACKAGE)
        require_https(filename, key, entry, "source")
    return entries


def validate_x86_index(filename, entries):
    _require_mapping(filename, entries)
    for cuda, entry in entries.items():
        key = "entries[{!r}]".format(cuda)
        if not _MINOR.match(cuda):
            fail(filename, key, "keys are CUDA major.minor versions")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        require_version(filename, key, entry, "min_driver")
        tag = require(filename, key, entry, "index", optional=True)
        if tag is not None:
            if not _CU_TAG.match(tag):
                fail(filename, key + ".index", "expected cuXYZ, got {!r}".format(tag))
            require_https(filename, key, entry, "index_url")
            if not _require_str_list(filename, key, entry, "torch", _MINOR):
                fail(filename, key + ".torch", "an index needs the torch minors it holds")
        require_https(filename, key, entry, "source")
    return entries


def validate_torch2trt(filename, entries):
    _require_mapping(filename, entries)
    for major, entry in entries.items():
        key = "entries[{!r}]".format(major)
        if not _MAJOR.match(major):
            fail(filename, key, "keys are TensorRT major versions")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        ref = require(filename, key, entry, "ref", optional=True)
        if ref is None:
            require(filename, key, entry, "unsupported")
        elif not _REF.match(ref):
            fail(filename, key + ".ref", "not a git ref: {!r}".format(ref))
        commit = require(filename, key, entry, "min_commit", optional=True)
        if commit is not None and not _COMMIT.match(commit):
            fail(filename, key + ".min_commit", "expected a hex commit id, got {!r}".format(commit))
        require(filename, key, entry, "pre_py37_patch", bool, optional=True)
        require_https(filename, key, entry, "source")
    return entries


def validate_torch2trt_revisions(filename, entries):
    _require_mapping(filename, entries)
    for ref, entry in entries.items():
        key = "entries[{!r}]".format(ref)
        if not (_REF.match(ref)):
            fail(filename, key, "keys are torch2trt refs (tags like 'v0.5.0') or 'default'")
        if not isinstance(entry, dict):
            fail(filename, key, "expected an object")
        legacy = _require_str_list(filename, key, entry, "legacy_plugins", optional=True)
        if not all(parse_bound(text) for text in legacy):
            fail(filename, key + ".legacy_plugins",
                 "expected bounds on the torch release like '>=1.5' or '<1.10' (==, !=, <, <=, >, >= "
                 "and a release number), got {!r}".format(legacy))
        cmake = require(filename, key, entry, "cmake_plugins", bool)
        if cmake:
            require_version(filename, key, entry, "cmake_plugins_min_tensorrt")
        require_https(filename, key, entry, "source")
    return entries

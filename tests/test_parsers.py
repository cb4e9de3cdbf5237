"""Parser tests as data, and the never-raise property of every ``parse_*`` in trtsetup/probes.

Cases live in ``tests/fixtures/parsers/<module>.<function>/<case>.json``::

    {"source": "where the text came from", "input": "...", "expect": <JSON value>}

``input_base64`` replaces ``input`` for bytes (device-tree files, binary junk). The walker
imports ``trtsetup.probes.<module>`` (``<module>`` may be dotted, e.g. ``scripts.x``), calls
``<function>(input)`` and compares ``to_json(result)`` with ``expect``. A new sample is a new
file; no code change.
"""

import base64
import importlib
import inspect
import json
import os
import pkgutil
import random

import pytest

import trtsetup.probes
from trtsetup.facts import to_json

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "parsers")


def _cases():
    found = []
    if not os.path.isdir(FIXTURES):
        return found
    for folder in sorted(os.listdir(FIXTURES)):
        path = os.path.join(FIXTURES, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith(".json"):
                found.append((folder, name[:-len(".json")], os.path.join(path, name)))
    return found


CASES = _cases()


def _load_case(path):
    with open(path, "r", encoding="utf-8") as handle:
        doc = json.load(handle)
    assert isinstance(doc, dict), "{}: expected a JSON object".format(path)
    assert isinstance(doc.get("source"), str) and doc["source"].strip(), \
        "{}: every case says where its text came from ('source')".format(path)
    assert ("input" in doc) != ("input_base64" in doc), \
        "{}: exactly one of 'input' / 'input_base64'".format(path)
    assert "expect" in doc, "{}: missing 'expect'".format(path)
    value = base64.b64decode(doc["input_base64"]) if "input_base64" in doc else doc["input"]
    return value, doc["expect"]


def _function(folder):
    module_name, _, function_name = folder.rpartition(".")
    assert module_name and function_name, \
        "fixture folder {!r} must be named <module>.<function>".format(folder)
    module = importlib.import_module("trtsetup.probes." + module_name)
    function = getattr(module, function_name, None)
    assert callable(function), "trtsetup.probes.{} has no function {}".format(module_name, function_name)
    return function


@pytest.mark.parametrize("folder,case,path", CASES, ids=["{}/{}".format(c[0], c[1]) for c in CASES])
def test_parser_case(folder, case, path):
    value, expect = _load_case(path)
    result = _function(folder)(value)
    assert to_json(result) == expect


def test_fixture_folders_exist():
    assert CASES, "no parser fixtures found under {}".format(FIXTURES)


# -- never raise on garbage --------------------------------------------------------------------

def _probe_modules():
    modules = []
    for info in pkgutil.iter_modules(trtsetup.probes.__path__):
        if info.ispkg:
            continue
        modules.append(importlib.import_module("trtsetup.probes." + info.name))
    return modules


def _parsers():
    found = []
    for module in _probe_modules():
        for name, function in sorted(vars(module).items()):
            if not name.startswith("parse_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue  # imported from elsewhere; tested where it is defined
            found.append(("{}.{}".format(module.__name__.rpartition(".")[2], name), function))
    return found


PARSERS = _parsers()


def _required_positional(function):
    params = inspect.signature(function).parameters.values()
    return [p for p in params if p.default is p.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _bytes_parsers():
    """Parsers that have a bytes fixture take bytes; the rest take str."""
    names = set()
    for folder, _, path in CASES:
        with open(path, "r", encoding="utf-8") as handle:
            if "input_base64" in json.load(handle):
                names.add(folder)
    return names


_ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
             " \t\n\r\0#:,.-+=()[]{}\"'/\\|_*R%~\u00e9\u2713\ufeff\ufffd")


def _garbage_texts(rng, seeds):
    texts = ["", " ", "\n", "\0", "\0\0\0", "#", "# R", "# R99999999999999999999 (release), REVISION: 1.",
             "\ufeff", "\ufffd", "x" * 5000, ":" * 3000, "." * 3000, "1." * 2000,
             "Package:\nStatus:\nVersion:\n\n", "#define\n" * 50]
    for _ in range(60):
        texts.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 300))))
    for seed in seeds:
        if not seed:
            continue
        for _ in range(8):
            chars = list(seed)
            for _ in range(rng.randint(1, 10)):
                op = rng.randint(0, 3)
                pos = rng.randint(0, len(chars))
                if op == 0 and chars:
                    del chars[min(pos, len(chars) - 1)]
                elif op == 1:
                    chars.insert(pos, rng.choice(_ALPHABET))
                elif op == 2:
                    chars = chars[:pos]
                else:
                    chars = chars[pos:] + chars[:pos]
            texts.append("".join(chars))
    return texts


def _seed_texts(folder):
    seeds = []
    for case_folder, _, path in CASES:
        if case_folder != folder:
            continue
        value, _ = _load_case(path)
        seeds.append(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
    return seeds


@pytest.mark.parametrize("name,function", PARSERS, ids=[p[0] for p in PARSERS])
def test_parser_never_raises_on_garbage(name, function):
    required = _required_positional(function)
    if len(required) != 1:
        pytest.skip("{} takes {} required arguments; only one-argument parsers are fuzzed".format(
            name, len(required)))
    rng = random.Random(20240912)
    texts = _garbage_texts(rng, _seed_texts(name))
    as_bytes = name in _bytes_parsers()
    inputs = list(texts)
    if as_bytes:
        inputs += [t.encode("utf-8", "replace") for t in texts]
        inputs += [bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 400))) for _ in range(60)]
    for value in inputs:
        try:
            function(value)
        except Exception as exc:  # the property under test: nothing escapes
            pytest.fail("{}({!r}) raised {}: {}".format(name, value[:120], type(exc).__name__, exc))


def test_every_probe_parser_is_found():
    names = [p[0] for p in PARSERS]
    assert "jetson_identity.parse_nv_tegra_release" in names
    assert "jetson_identity.parse_compatible" in names

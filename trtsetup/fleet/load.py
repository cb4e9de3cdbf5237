"""Find the reports of many devices on the controller and group them by device.

A device's name is, in this order: the ``device`` key of a document, the directory right
under a DIR argument that holds the file (``reports/jetson-7/doctor.json``: the Ansible
role's layout), the directory itself for a file with a plain report name directly in it
(``trtsetup fleet report reports/jetson-7``), or else the file name up to its first dot
(``jetson-7.doctor.json``). Only JSON objects whose ``schema`` starts with
``trtsetup.`` are used; anything else in the directory is skipped and counted, and an
unreadable or malformed file is a problem named in the output, never a crash.
"""

import json
import os
from typing import Dict, List, NamedTuple, Tuple

from ..errors import UsageError

SUFFIXES = (".json", ".fact")
# Files named after what they hold; their directory says which device they belong to.
PLAIN_NAMES = ("doctor", "plan", "install", "selftest", "bundle", "trtsetup")


class Loaded(NamedTuple):
    """``devices``: name -> [(path, document)] in path order; ``problems``: one line per file
    that could not be used; ``skipped``: how many JSON files were not trtsetup reports."""

    devices: Dict[str, List[Tuple[str, dict]]]
    problems: List[str]
    skipped: int


def load_reports(paths):
    # type: (List[str]) -> Loaded
    if not paths:
        raise UsageError("no reports given", fix="Pass the directory the playbook fetched reports into.")
    found = []  # type: List[Tuple[str, str]]   (path, device name guess)
    for path in paths:
        if os.path.isdir(path):
            found.extend(_walk(path))
        elif os.path.isfile(path):
            found.append((path, _name_from_file(path)))
        else:
            raise UsageError("no such file or directory: {}".format(path),
                             fix="Pass report files or the directory that holds them.")
    devices = {}  # type: Dict[str, List[Tuple[str, dict]]]
    problems = []  # type: List[str]
    skipped = 0
    for path, guess in sorted(found):
        doc, problem = _read(path)
        if problem:
            problems.append("{}: {}".format(path, problem))
            continue
        if doc is None:
            skipped += 1
            continue
        name = doc.get("device") if isinstance(doc.get("device"), str) and doc.get("device") else guess
        devices.setdefault(name, []).append((path, doc))
    return Loaded(devices, problems, skipped)


def _walk(top):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        rel = os.path.relpath(dirpath, top)
        for filename in sorted(filenames):
            if not filename.endswith(SUFFIXES):
                continue
            path = os.path.join(dirpath, filename)
            if rel == os.curdir:
                yield path, _name_from_file(path)
            else:
                yield path, rel.split(os.sep)[0]


def _name_from_file(path):
    stem = os.path.basename(path).split(".", 1)[0]
    if stem in PLAIN_NAMES:
        parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
        return parent or stem
    return stem or path


def _read(path):
    """(document or None when not a trtsetup report, problem or None)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return None, "unreadable ({})".format(exc.strerror or exc)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        if path.endswith(".fact"):
            return None, None  # an INI fact of someone else's
        return None, "not JSON ({})".format(str(exc).split(":")[0])
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("trtsetup."):
        return None, None
    return doc, None

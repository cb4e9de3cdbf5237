"""The shape of a ``trtsetup.snapshot/1`` document, checked before anything replays it.

``snapshot_problems(doc)`` lists what is wrong, as paths into the document
(``files['/etc/os-release'].text: an int, expected a string``). An empty list means every
field has the shape ``docs/snapshot.md`` describes, so the probes never meet a ``None`` where
a mapping belongs and a damaged capture can never pass for a real machine.
"""

import base64
import binascii
from typing import Any, List

from ..patterns import lazy
from ..report.schemas import SNAPSHOT as SNAPSHOT_SCHEMA
_SCHEMA_RE = lazy(r"^trtsetup\.snapshot/(\d+)$")
MAX_SHOWN = 6  # problems named in the error; the count says how many more

_NAMES = {bool: "a boolean", int: "an int", float: "a number", str: "a string", list: "a list",
          dict: "an object", type(None): "null"}


def _kind(value):
    return _NAMES.get(type(value), type(value).__name__)


def _is_str_list(value):
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def schema_version(doc):
    # type: (Any) -> Any
    """The N of ``trtsetup.snapshot/N``, or None when the document is not a snapshot."""
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str):
        return None
    match = _SCHEMA_RE.match(doc["schema"])
    return int(match.group(1)) if match else None


def snapshot_problems(doc):
    # type: (dict) -> List[str]
    """What is wrong with the inner shapes of a snapshot whose schema is right."""
    problems = []  # type: List[str]

    def mapping(key, check_value, expected):
        value = _field(doc, key, dict, "an object", problems)
        for name in sorted(value or ()):
            if not check_value(value[name]):
                problems.append("{}[{!r}]: {}, expected {}".format(key, name, _kind(value[name]), expected))

    for key in ("created", "trtsetup_version"):
        if key in doc and not isinstance(doc[key], str):
            problems.append("{}: {}, expected a string".format(key, _kind(doc[key])))
    _check_files(doc, problems)
    mapping("exists", lambda v: isinstance(v, bool), "true or false")
    mapping("is_dir", lambda v: isinstance(v, bool), "true or false")
    mapping("dirs", _is_str_list, "a list of names")
    mapping("globs", _is_str_list, "a list of paths")
    mapping("realpaths", lambda v: isinstance(v, str), "a string")
    for key in ("lstat_kinds", "readlinks"):  # added with `docker csv`; older snapshots lack them
        if key in doc:
            mapping(key, lambda v: v is None or isinstance(v, str), "a string or null")
    mapping("env", lambda v: isinstance(v, str), "a string")
    _check_commands(doc, problems)
    for index, item in enumerate(_field(doc, "problems", list, "a list", problems) or ()):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            problems.append("problems[{}]: expected [path, error]".format(index))
    return problems


def _field(doc, key, kind, expected, problems):
    """``doc[key]`` when it is a ``kind``; else None, with the problem noted."""
    if key not in doc:
        problems.append("{}: missing".format(key))
        return None
    if not isinstance(doc[key], kind):
        problems.append("{}: {}, expected {}".format(key, _kind(doc[key]), expected))
        return None
    return doc[key]


def _check_files(doc, problems):
    files = _field(doc, "files", dict, "an object of path -> entry", problems) or {}
    for path in sorted(files):
        item = files[path]
        where = "files[{!r}]".format(path)
        if not isinstance(item, dict):
            problems.append("{}: {}, expected an object".format(where, _kind(item)))
        elif set(item) == {"missing"}:
            if item["missing"] is not True:
                problems.append("{}.missing: {}, expected true".format(where, _kind(item["missing"])))
        elif set(item) == {"text"}:
            if not isinstance(item["text"], str):
                problems.append("{}.text: {}, expected a string".format(where, _kind(item["text"])))
        elif set(item) == {"base64"}:
            if not _is_base64(item["base64"]):
                problems.append("{}.base64: not base64 text".format(where))
        else:
            problems.append("{}: keys {}, expected one of text, base64, missing".format(
                where, ", ".join(sorted(str(k) for k in item)) or "none"))


def _is_base64(value):
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return True


def _check_commands(doc, problems):
    for index, item in enumerate(_field(doc, "commands", list, "a list", problems) or ()):
        where = "commands[{}]".format(index)
        if not isinstance(item, dict):
            problems.append("{}: {}, expected an object".format(where, _kind(item)))
            continue
        missing = [k for k in ("argv", "returncode", "stdout", "stderr", "error") if k not in item]
        if missing:
            problems.append("{}: {} missing".format(where, ", ".join(missing)))
            continue
        argv, code = item["argv"], item["returncode"]
        if not (_is_str_list(argv) and argv):
            problems.append("{}.argv: {}, expected a non-empty list of strings".format(where, _kind(argv)))
        if not (code is None or (isinstance(code, int) and not isinstance(code, bool))):
            problems.append("{}.returncode: {}, expected an int or null".format(where, _kind(code)))
        for key in ("stdout", "stderr"):
            if not isinstance(item[key], str):
                problems.append("{}.{}: {}, expected a string".format(where, key, _kind(item[key])))
        if not (item["error"] is None or isinstance(item["error"], str)):
            problems.append("{}.error: {}, expected a string or null".format(where, _kind(item["error"])))

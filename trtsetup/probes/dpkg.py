"""Debian's package database, ``/var/lib/dpkg/status``: which packages are installed.

Several probes ask it (Jetson's ``nvidia-l4t-core``, TensorRT's ``libnvinfer*``, the
captured tree's ``pythonX.Y-minimal``, the base packages' architecture), and so does the apt
step. The file is large (600+ KB on a desktop Ubuntu, several MB on a JetPack image), so
``read_installed`` parses one content once per process, whichever probe asks first, and
``remember_installed`` keeps the parse in the probe cache across runs, reused while the
file's stamp (size, mtime, inode: dpkg replaces the file on every change) is the same.
"""

import json
import threading
from typing import Dict, Iterator

from ..patterns import lazy

DPKG_STATUS = "/var/lib/dpkg/status"


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def iter_dpkg_stanzas(text):
    # type: (object) -> Iterator[Dict[str, str]]
    """The stanzas of a dpkg status file, each as {field: value} of its first-line values.

    Stanzas end at a blank (or whitespace-only) line; continuation lines (a leading space or
    tab: ``Description`` bodies, ``Conffiles``) are skipped; a field repeated in one stanza
    keeps its last value.
    """
    text = _text(text)
    if not text:
        return
    stanza = {}  # type: Dict[str, str]
    for line in text.splitlines():
        if not line.strip():
            if stanza:
                yield stanza
            stanza = {}
            continue
        if line[0] in " \t":
            continue
        name, sep, value = line.partition(":")
        if sep and name and " " not in name:
            stanza[name] = value.strip()
    if stanza:
        yield stanza


# Stanzas end at a blank (or whitespace-only) line. Splitting on that and finding the three
# fields with str.find keeps a 600 KB status file well under a Python loop over its lines.
_STANZA_END = lazy(r"\n[ \t]*\n")
_FIELDS = ("Package", "Status", "Version")


def _field(stanza, name):
    start = 0 if stanza.startswith(name + ":") else stanza.find("\n" + name + ":") + 1
    if start == 0 and not stanza.startswith(name + ":"):
        return None
    end = stanza.find("\n", start)
    return stanza[start + len(name) + 1:end if end >= 0 else len(stanza)].strip()


def parse_dpkg_status(text):
    # type: (object) -> Dict[str, str]
    """``/var/lib/dpkg/status`` -> {package: version} of *installed* packages.

    A package counts when its ``Status`` is ``<want> ok installed`` (``install`` or ``hold``);
    ``deinstall ok config-files`` (``rc`` in ``dpkg -l``), ``unpacked`` and half-installed
    stanzas do not. Continuation lines are skipped. When a name appears twice (multi-arch),
    the first installed stanza wins.
    """
    text = _text(text)
    packages = {}  # type: Dict[str, str]
    if not text:
        return packages
    if "\r" in text:
        text = "\n".join(text.splitlines())
    for stanza in _STANZA_END.split(text.lstrip("\n")):
        name, status, version = (_field(stanza, f) for f in _FIELDS)
        if name and version and status:
            words = status.split()
            if len(words) == 3 and words[1] == "ok" and words[2] == "installed" and name not in packages:
                packages[name] = version
    return packages


CACHE_NAME = "dpkg-status"

_memo_lock = threading.Lock()
_memo = {}  # type: Dict[str, Dict[str, str]]
_by_stamp = {}  # type: Dict[tuple, Dict[str, str]]  # (path, stamp) -> packages, set by remember_installed


def read_installed(host, path=DPKG_STATUS):
    # type: (object, str) -> Dict[str, str]
    """The installed packages of ``host`` ({} without a dpkg database). An unreadable file is
    recorded by the host in its problems, like every other read."""
    if _by_stamp:
        stamp = host.file_stamp(path)
        found = _by_stamp.get((path, tuple(stamp))) if stamp else None
        if found is not None:
            return dict(found)
    text = host.read_text(path)
    if not text:
        return {}
    with _memo_lock:
        found = _memo.get(text)
        if found is None:
            found = parse_dpkg_status(text)
            _memo.clear()   # one content at a time: a process looks at one machine
            _memo[text] = found
    return dict(found)


def remember_installed(host, cache, path=DPKG_STATUS):
    # type: (object, object, str) -> None
    """Let this process's ``read_installed`` answer from the parse the probe cache holds for
    the status file with its current stamp, without reading the file; parse and store it when
    there is none. (Live hosts only: the cache is never given for a captured tree.)"""
    stamp = host.file_stamp(path)
    if not stamp:
        return
    key = json.dumps([path, stamp])
    remembered = cache.get(CACHE_NAME, key)
    packages = remembered["value"] if remembered is not None else None
    if not (isinstance(packages, dict) and all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in packages.items())):
        packages = read_installed(host, path)
        if not packages:
            return  # no database, or unreadable (the read said so): nothing to remember
        cache.put(CACHE_NAME, key, packages)
    with _memo_lock:
        _by_stamp.clear()
        _by_stamp[(path, tuple(stamp))] = packages

"""``trtsetup snapshot -o FILE``: everything the probes read, redacted, in one file."""

import datetime
import json
import re
from typing import Any, NamedTuple

from .. import __version__
from ..host import RecordingHost
from ..probes import container_runtime, jetson, system, tensorrt
from ..probes.gather import gather_facts

DPKG_STATUS = "/var/lib/dpkg/status"
_PYTHON_DEB = re.compile(r"^python\d\.\d+(-minimal)?$")


class SnapshotResult(NamedTuple):
    facts: Any
    doc: dict
    data: bytes     # the document as written: sorted keys, UTF-8

    @property
    def files(self):
        return len(self.doc["files"])

    @property
    def commands(self):
        return len(self.doc["commands"])


def dpkg_package_is_read(name):
    # type: (str) -> bool
    """Whether a probe looks this dpkg package up: Jetson's ``nvidia-l4t-core`` and JetPack
    meta-packages, TensorRT's packages, ``pythonX.Y(-minimal)`` for a captured tree's Python,
    the base packages whose Architecture gives the CPU, and the NVIDIA container stack's. A test replays a trimmed capture
    against the whole one, so a probe that starts reading another package is noticed."""
    return (name == "nvidia-l4t-core" or name in jetson.JETPACK_PACKAGES
            or name in system._BASE_PACKAGES or bool(tensorrt._TRT_PACKAGE_RE.match(name))
            or bool(_PYTHON_DEB.match(name)) or container_runtime.package_is_read(name))


def trim_dpkg_status(data):
    # type: (bytes) -> bytes
    """Only the stanzas of the packages the probes read, verbatim (a desktop's status file
    is most of a snapshot otherwise, and lists every package of the machine)."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    kept = []
    for stanza in re.split(r"\n[ \t]*\n", text):
        match = re.search(r"^Package:[ \t]*(\S+)", stanza, re.M)
        if match and dpkg_package_is_read(match.group(1)):
            kept.append(stanza.strip("\n"))
    return ("\n\n".join(kept) + "\n\n").encode("utf-8") if kept else b""


def snapshot(host, recipes, python=None, fast=False):
    # type: (Any, Any, Any, bool) -> SnapshotResult
    """Probe through a recording host; the redacted, trimmed document. cli.py writes it."""
    recording = RecordingHost(host)
    facts = gather_facts(recording, recipes, python=python, fast=fast)
    created = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
    doc = recording.to_snapshot(created, __version__, trim={DPKG_STATUS: trim_dpkg_status})
    return SnapshotResult(facts, doc, json.dumps(doc, sort_keys=True, indent=1).encode("utf-8"))

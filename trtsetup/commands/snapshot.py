"""``trtsetup snapshot -o FILE``: everything the probes read, redacted, in one file."""

import datetime
import json
import re
from typing import Any, NamedTuple

from .. import __version__
from ..host.snapshot import RecordingHost
from ..patterns import lazy
from ..probes import container_runtime
from ..probes.dpkg import DPKG_STATUS
from ..probes.gather import gather_facts

# The dpkg packages a diagnosis can use: NVIDIA's stack (L4T, JetPack, driver, CUDA, cuDNN,
# TensorRT, the container toolkit and its CSV packages: probes and `docker image` look them
# up, some by recipe patterns), an interpreter's pythonX.Y[-minimal], and the base packages
# whose Architecture names the CPU. Wide on purpose, so a probe that starts reading another
# NVIDIA package still finds it; a test replays a trimmed capture against the whole one.
_DPKG_KEPT = lazy(
    r"^(.*(nvidia|cuda|cudnn|nvinfer|tensorrt|nvonnx|nvparsers|cublas|cufft|curand|cusolver"
    r"|cusparse|nccl|nvjitlink|nvrtc|nvtx).*|libnv.*|libnpp.*|graphsurgeon.*|uff-converter.*"
    r"|python\d\.\d+(-minimal)?|libc6|dpkg|base-files|coreutils|bash)$")


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


def dpkg_package_is_kept(name):
    # type: (str) -> bool
    return bool(_DPKG_KEPT.match(name)) or container_runtime.package_is_read(name)


def trim_dpkg_status(data):
    # type: (bytes) -> bytes
    """Only the stanzas of the packages a diagnosis uses, verbatim (a desktop's status file
    is most of a snapshot otherwise, and lists every package of the machine)."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    kept = []
    for stanza in re.split(r"\n[ \t]*\n", text):
        match = re.search(r"^Package:[ \t]*(\S+)", stanza, re.M)
        if match and dpkg_package_is_kept(match.group(1)):
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

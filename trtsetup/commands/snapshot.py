"""``trtsetup snapshot -o FILE``: everything the probes read, redacted, in one file."""

import datetime
import json

from .. import __version__
from ..atomic import write_bytes_atomic
from ..errors import InputError
from ..host import RecordingHost
from ..probes.gather import gather_facts


def snapshot(host, recipes, output, python=None, fast=False):
    """Probe through a recording host and write what it saw to ``output`` atomically."""
    recording = RecordingHost(host)
    facts = gather_facts(recording, recipes, python=python, fast=fast)
    created = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
    doc = recording.to_snapshot(created, __version__)
    try:
        write_bytes_atomic(output, json.dumps(doc, sort_keys=True, indent=1).encode("utf-8"))
    except OSError as exc:
        raise InputError("cannot write snapshot {}: {}".format(output, exc.strerror or exc),
                         fix="Choose a writable path for -o.")
    return facts, doc

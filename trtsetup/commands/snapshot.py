"""``trtsetup snapshot -o FILE``: everything the probes read, redacted, in one file."""

import datetime
import json
import os
import tempfile

from .. import __version__
from ..errors import InputError
from ..host import RecordingHost
from ..probes.gather import gather_facts


def snapshot(host, recipes, output, python=None, fast=False):
    """Probe through a recording host and write what it saw to ``output`` atomically."""
    recording = RecordingHost(host)
    facts = gather_facts(recording, recipes, python=python, fast=fast)
    created = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
    doc = recording.to_snapshot(created, __version__)
    directory = os.path.dirname(os.path.abspath(output))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, sort_keys=True, indent=1)
        os.replace(tmp, output)
    except OSError as exc:
        raise InputError("cannot write snapshot {}: {}".format(output, exc.strerror or exc),
                         fix="Choose a writable path for -o.")
    return facts, doc

"""A cache of slow probe results on this machine, keyed by a fingerprint of their inputs.

Importing torch in the target interpreter takes seconds (3 s on an H100 host, 10-20 s on a
Jetson Nano); its answer only changes when torch/torchvision, the interpreter, the driver or
the GPU environment change. ``doctor`` keeps the last answer under
``$XDG_CACHE_HOME/trtsetup/probes/`` with the fingerprint of those inputs and reuses it while
the fingerprint matches; ``doctor --refresh`` asks again. Only live probes are cached: a
captured tree or a snapshot is never written here.

Three fast answers are remembered the same way, because starting a process is most of what
``doctor --fast`` costs: the target interpreter's answer about itself
(``probes/python_remembered``), nvidia-smi's GPU query (``probes/gpu_remembered``) and
``nvcc --version`` where no version file says it (``probes/cuda``), each with the stamps or
the driver's own files that prove it still holds.
"""

import json
import os
import time
from typing import Any, Dict, Optional

from . import dirs
from .atomic import write_json_atomic

SCHEMA = "trtsetup.probe-cache/1"


def default_cache_dir(env=None):
    return os.path.join(dirs.cache_dir(env), "probes")


class ProbeCache(object):
    def __init__(self, directory, read=True):
        self.directory = directory
        self.read = read  # False: --refresh (ask again, then remember the new answer)

    def _path(self, name):
        return os.path.join(self.directory, name + ".json")

    def holds(self, name):
        # type: (str) -> bool
        """Whether an answer for ``name`` may be reused at all: one is stored and may be read."""
        return self.read and os.path.isfile(self._path(name))

    def get(self, name, key):
        # type: (str, str) -> Optional[Dict[str, Any]]
        """The remembered value and when it was stored, or None (absent, stale, damaged)."""
        if not self.read:
            return None
        try:
            with open(self._path(name), "r", encoding="utf-8") as handle:
                doc = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or doc.get("key") != key:
            return None
        return {"value": doc.get("value"), "stored_at": doc.get("stored_at")}

    def put(self, name, key, value):
        # type: (str, str, Dict[str, Any]) -> None
        stored_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # UTC, to the second
        try:
            write_json_atomic(self._path(name), {"schema": SCHEMA, "key": key, "stored_at": stored_at,
                                                 "value": value})
        except OSError:
            pass  # a read-only home must not break the doctor; the next run asks again

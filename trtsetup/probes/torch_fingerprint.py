"""What the torch probe's answer depends on, so a remembered answer is reused only when
nothing it depends on changed.
"""

import json
import posixpath
from typing import Dict, Optional

from ..facts import PythonEnv


_FINGERPRINT_ENV = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "LD_PRELOAD",
                    "CUDA_HOME", "OPENBLAS_CORETYPE")


def torch_probe_fingerprint(host, env, context):
    # type: (object, PythonEnv, Dict[str, object]) -> Optional[str]
    """A digest of everything ``read_torch_runtime``'s answer depends on, or None when torch
    is not installed (nothing slow to remember).

    Inputs: the interpreter (path, version), torch's and torchvision's metadata including
    their ``RECORD`` (a different build of the same version has other file hashes), the
    environment variables that change what CUDA sees, and ``context`` (driver version, GPUs,
    L4T: given by the caller from the other probes).
    """
    import hashlib
    torch = env.packages.get("torch") if env.packages else None
    if torch is None or not env.executable:
        return None
    digest = hashlib.sha256()
    parts = [env.executable, env.version, sorted(context.items())]
    for name in ("torch", "torchvision"):
        pkg = env.packages.get(name)
        if pkg is None:
            parts.append([name, None])
            continue
        parts.append([name, pkg.version, pkg.path])
        for leaf in ("RECORD", "METADATA", "PKG-INFO", "SOURCES.txt"):
            data = host.read_bytes(posixpath.join(pkg.path, leaf)) if pkg.path else None
            if data is not None:
                digest.update(hashlib.sha256(data).digest())
                break
    parts.append([(k, host.env.get(k)) for k in _FINGERPRINT_ENV])
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()

"""What the torch probe's answer depends on, so a remembered answer is reused only with proof
that nothing it depends on changed: the fingerprint of its inputs (``torch_probe_fingerprint``)
and torch's and torchvision's files as pip recorded them (``files_changed_since_install``).
"""

import json
import posixpath
from typing import Dict, Optional

from ..facts import Package, PythonEnv
from .site_packages import parse_dist_record


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


def files_changed_since_install(host, package):
    # type: (object, Optional[Package]) -> Optional[str]
    """Why ``package``'s files may differ from what pip installed, or None when every file its
    ``RECORD`` lists is still there with its recorded size.

    This is what a killed pip or a hand-removed library leaves behind: a missing ``.so``, a
    truncated file. Without a RECORD (an egg, a conda or distro install) nothing can be
    proven, and that is a reason too: the caller then asks torch again.
    """
    if package is None:
        return None
    if package.kind != "dist-info" or not package.path or not package.location:
        return "{} has no RECORD to check its files against".format(package.name)
    rows = parse_dist_record(host.read_text(posixpath.join(package.path, "RECORD")) or "")
    if not rows:
        return "{} has no RECORD to check its files against".format(package.name)
    base = package.location.rstrip("/") + "/"
    for relative, size in rows:
        if size is None:
            continue  # the RECORD itself, .pyc files: no size recorded
        path = base + relative if ".." not in relative else posixpath.normpath(base + relative)
        found = host.file_size(path)
        if found is None:
            return "{} is missing".format(path)
        if found != size:
            return "{} has {} bytes, {} when installed".format(path, found, size)
    return None

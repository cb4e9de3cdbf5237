"""cuDNN: the version from its header (``cudnn_version.h`` for cuDNN ≥ 8, ``cudnn.h`` for ≤ 7).

Debian packages install ``/usr/include/cudnn_version.h`` as a link through
``/etc/alternatives`` to ``/usr/include/<triplet>/cudnn_version_v8.h``; the host resolves the
chain. Example: ``Cudnn(version="8.9.4", header="/usr/include/cudnn_version.h")``
"""

import posixpath
import re
from typing import List, Optional

from ..facts import CudaToolkit, Cudnn
from ..patterns import lazy
from .system import NVIDIA_TRIPLETS

_DEFINE_RE = lazy(r"^\s*#\s*define\s+CUDNN_(MAJOR|MINOR|PATCHLEVEL)\s+\(?(\d+)\)?", re.M)



def parse_cudnn_header(text):
    # type: (str) -> Optional[str]
    """``#define CUDNN_MAJOR 8`` / ``CUDNN_MINOR`` / ``CUDNN_PATCHLEVEL`` → ``"8.9.4"``.

    None when the major or minor is missing (cuDNN 8's ``cudnn.h`` only includes
    ``cudnn_version.h``).
    """
    if not isinstance(text, str):
        return None
    values = {}
    for name, number in _DEFINE_RE.findall(text):
        values.setdefault(name, number)
    if "MAJOR" not in values or "MINOR" not in values:
        return None
    parts = [values["MAJOR"], values["MINOR"]]
    if "PATCHLEVEL" in values:
        parts.append(values["PATCHLEVEL"])
    return ".".join(str(int(p)) for p in parts)


def _include_dirs(cuda):
    # type: (Optional[CudaToolkit]) -> List[str]
    dirs = ["/usr/include"] + ["/usr/include/" + t for t in sorted(NVIDIA_TRIPLETS, reverse=True)]  # x86 first, as before
    if cuda is not None:
        for home in ((cuda.home,) + tuple(cuda.homes or ())):
            if home:
                include = posixpath.join(home, "include")
                if include not in dirs:
                    dirs.append(include)
    return dirs


def read_cudnn(host, cuda=None):
    # type: (object, Optional[CudaToolkit]) -> Cudnn
    """The first cuDNN header with a version, in /usr/include, /usr/include/<triplet> and the
    CUDA toolkit's include directory."""
    dirs = _include_dirs(cuda)
    for name in ("cudnn_version.h", "cudnn.h"):
        for directory in dirs:
            path = posixpath.join(directory, name)
            text = host.read_text(path)
            if text is None:
                continue
            version = parse_cudnn_header(text)
            if version:
                return Cudnn(version=version, header=path)
    return Cudnn()

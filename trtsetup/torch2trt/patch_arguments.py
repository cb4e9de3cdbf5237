"""The patcher's arguments (``--cuda-arch``, ``--trt-include``/``--trt-lib``,
``--tensorrt-version``), validated before any rule writes them into setup.py or CMakeLists.txt.
They raise UsageError: these are what a user typed, not host text. ``patch_rules`` re-exports them.
"""

from typing import List, Optional, Tuple

from .. import versions
from ..errors import UsageError
from ..patterns import lazy


_ARCH_DOTTED = lazy(r"^(?:sm_|compute_)?([0-9]{1,2})\.([0-9])([af]?)$")
_ARCH_PLAIN = lazy(r"^(?:sm_|compute_)?([0-9]{1,2})([0-9])([af]?)$")
_ARCH_SPLIT = lazy(r"[,;\s]+")
# Compute capability majors that exist: 3 (Kepler) to 12 (Blackwell consumer); a wider window
# lets a future major through while refusing typos such as 999 (= major 99).
_ARCH_MAJORS = range(3, 16)
_ARCH_FIX = ("Give compute capabilities like 8.7 or 87 (major 3 to 15, one minor digit), "
             "comma-separated for several (e.g. 7.2,8.7).")


def cuda_arch_list(text):
    # type: (str) -> Tuple[str, ...]
    """``"8.7"``, ``"87"``, ``"7.2,8.7"``, ``"sm_90a"`` -> CMake's form ``("72", "87")``.

    Raises UsageError on anything else (this is an argument, not a parser of host text).
    """
    result = []  # type: List[str]
    for item in _ARCH_SPLIT.split(text or ""):
        if not item:
            continue
        match = _ARCH_DOTTED.match(item) or _ARCH_PLAIN.match(item)
        if not match or int(match.group(1)) not in _ARCH_MAJORS:
            raise UsageError("--cuda-arch: {!r} is not a CUDA architecture".format(item), fix=_ARCH_FIX)
        value = match.group(1) + match.group(2) + match.group(3)
        if value not in result:
            result.append(value)
    if not result:
        raise UsageError("--cuda-arch: no architecture given", fix=_ARCH_FIX)
    return tuple(result)


_BAD_PATH_CHARS = lazy(r"[\"'\\\n\r$;]")


def check_dir_argument(name, value):
    # type: (str, Optional[str]) -> Optional[str]
    """A directory we will write into Python and CMake string literals; refuse what cannot be."""
    if value is None:
        return None
    if not value or _BAD_PATH_CHARS.search(value):
        raise UsageError("{}: {!r} cannot be written into setup.py/CMakeLists.txt".format(name, value),
                         fix="Use a directory path without quotes, backslashes, '$' or ';'.")
    return value


_TRT_VERSION_ARG = lazy(r"^[0-9]+\.[0-9]+(?:\.[0-9]+){0,2}$")


def tensorrt_version_argument(text):
    # type: (Optional[str]) -> Optional[str]
    """``--tensorrt-version X.Y[.Z]``: returned as given; UsageError on anything else."""
    if text is None:
        return None
    if not _TRT_VERSION_ARG.match(text.strip()):
        raise UsageError("--tensorrt-version: {!r} is not a TensorRT version".format(text),
                         fix="Give the TensorRT version the tree will be built against, e.g. "
                             "--tensorrt-version 10.3 or 8.6.1.")
    return text.strip()


def tensorrt_major(version):
    # type: (Optional[str]) -> Optional[int]
    """The major number of a TensorRT version string; None when unknown or unparsable."""
    return versions.major(version)

"""Regenerate a CSV mount list (tensorrt.csv, cudnn.csv, cuda.csv) from what is installed.

The method OE4T's ``container-runtime-csv.bbclass`` used: take the files the packages
installed (``dpkg -L``), keep the libraries, headers and Python dirs, classify each path by
lstat (directory -> ``dir``, symlink -> ``sym``, file -> ``lib``), sort, LF endings. Paths
under a listed directory are left out (the ``dir`` line mounts them).
"""

from typing import List, Sequence, Tuple

_KIND = {"dir": "dir", "link": "sym", "file": "lib"}


def entries_for(kinds):
    # type: (Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]
    """``[(path, lstat kind)]`` -> sorted ``[(csv type, path)]``; unknown kinds and paths
    inside a listed directory are dropped."""
    dirs = sorted(p for p, k in kinds if k == "dir")
    out = []
    for path, kind in sorted(set(kinds)):
        csv_type = _KIND.get(kind)
        if csv_type is None:
            continue
        if any(path != d and path.startswith(d + "/") for d in dirs):
            continue
        out.append((csv_type, path))
    return out


def render_mount_csv(entries):
    # type: (Sequence[Tuple[str, str]]) -> str
    """``[("lib", "/usr/lib/...")]`` -> the file text: ``lib, /path`` lines, LF, sorted by path."""
    return "".join("{}, {}\n".format(kind, path) for kind, path in sorted(entries, key=lambda e: e[1]))

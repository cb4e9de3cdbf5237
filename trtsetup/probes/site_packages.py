"""Installed packages of a Python, read from their metadata on disk without importing them
(pipx's ``venv_inspect`` idea): ``*.dist-info/METADATA``, ``*.egg-info`` (folder or file),
``*.egg`` (folder or zip) and ``*.egg-link``, through the Host, along the interpreter's
``sys.path``.
"""

import posixpath
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from ..facts import Package
from ..patterns import lazy

# Packages whose metadata is read (normalised names); plus every name starting with these.
WANTED_PACKAGES = ("torch", "torchvision", "torchaudio", "torch2trt", "torch-tensorrt",
                   "tensorrt", "numpy", "packaging", "setuptools", "wheel", "pip", "cmake",
                   "ninja", "pycuda", "onnx")
WANTED_PREFIXES = ("tensorrt-", "torch2trt", "nvidia-")

_NAME_RUN = lazy(r"[-_.]+")
_HEADER = lazy(r"^([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")


def normalize_name(name):
    # type: (str) -> str
    """PEP 503: ``Tensorrt_CU12`` → ``tensorrt-cu12``."""
    return _NAME_RUN.sub("-", name).lower()


def parse_dist_metadata(text):
    # type: (str) -> Optional[Package]
    """``METADATA`` / ``PKG-INFO`` (RFC 822 headers) → Package(name, version), or None.

    Only the header block is read (it ends at the first blank line), so a ``Name:`` line
    inside the description cannot win. Versions are kept as written (``2.0.0.nv23.05``).
    """
    if not isinstance(text, str):
        return None
    fields = {}  # type: Dict[str, str]
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t":
            continue  # continuation of a folded header
        match = _HEADER.match(line)
        if match is None:
            continue
        key = match.group(1).lower()
        if key not in fields:
            fields[key] = match.group(2)
    name = fields.get("name") or None
    if name is None:
        return None
    version = fields.get("version") or None
    return Package(name=name, version=version)


def parse_requires_dist(text):
    # type: (object) -> Tuple[str, ...]
    """The ``Requires-Dist`` values of a ``METADATA`` header block, as written
    (``torch==2.11.0``, ``numpy``, ``scipy ; extra == "scipy"``)."""
    if not isinstance(text, str):
        return ()
    found = []  # type: List[str]
    for line in text.splitlines():
        if not line.strip():
            break
        match = _HEADER.match(line)
        if match is not None and match.group(1).lower() == "requires-dist" and match.group(2):
            found.append(match.group(2))
    return tuple(found)


def parse_dist_record(text):
    # type: (object) -> Tuple[Tuple[str, Optional[int]], ...]
    """A wheel's ``RECORD`` (``path,sha256=...,size`` rows, paths relative to the site dir) ->
    ((path, size or None), ...). The RECORD row itself and ``.pyc`` rows have no size. Paths
    holding commas are CSV-quoted (PEP 376); rows that are not ``path,hash,size`` are dropped.
    Plain string operations: torch's RECORD has 14,000 rows and this runs on every doctor.
    """
    if not isinstance(text, str):
        return ()
    rows = []  # type: List[Tuple[str, Optional[int]]]
    for line in text.splitlines():
        if line.startswith('"'):
            import csv
            try:
                fields = next(csv.reader([line]))
            except (csv.Error, StopIteration):
                continue
        else:
            fields = line.rsplit(",", 2)
        if len(fields) != 3:
            continue
        path, size = fields[0].strip(), fields[2].strip()
        if not path or "\0" in path:
            continue
        try:
            number = int(size) if size.isdigit() and len(size) < 16 else None
        except ValueError:  # a digit int() does not take ("²")
            number = None
        rows.append((path, number))
    return tuple(rows)


# -- packages ------------------------------------------------------------------------------

def is_wanted(name):
    # type: (str) -> bool
    """The default selection of ``read_packages``: the packages the doctor reasons about."""
    name = normalize_name(name)
    return name in WANTED_PACKAGES or name.startswith(WANTED_PREFIXES)


def _name_from_entry(entry, suffix):
    """``torch-1.10.0.dist-info`` → ``torch``; ``torch2trt-0.5.0-py3.6.egg`` → ``torch2trt``."""
    stem = entry[:-len(suffix)]
    return stem.split("-", 1)[0]


def _version_from_entry(entry, suffix):
    parts = entry[:-len(suffix)].split("-")
    return parts[1] if len(parts) > 1 and parts[1] else None


def read_packages(host, site_dirs, select=None):
    # type: (object, Iterable[str], Optional[Callable[[str], bool]]) -> Dict[str, Package]
    """Installed packages visible on ``site_dirs`` (in ``sys.path`` order), read from their
    metadata through the host without importing them. Keys are normalised names; the first
    occurrence wins and later copies are listed in ``duplicates``.

    ``select(name)`` chooses which packages to read (default ``is_wanted``): only their
    metadata files are opened, so a big site-packages costs a directory listing.
    """
    select = select or is_wanted
    found = {}  # type: Dict[str, Package]
    extra = {}  # type: Dict[str, List[str]]
    for site in site_dirs:
        if site.endswith(".egg"):
            _add(found, extra, _read_egg(host, site, posixpath.basename(site), posixpath.dirname(site)))
            continue
        for entry in host.listdir(site):
            package = None
            if entry.endswith(".dist-info"):
                if select(_name_from_entry(entry, ".dist-info")):
                    package = _read_metadata_file(host, posixpath.join(site, entry, "METADATA"), entry,
                                                  ".dist-info", site, "dist-info", posixpath.join(site, entry))
            elif entry.endswith(".egg-info"):
                if select(_name_from_entry(entry, ".egg-info")):
                    path = posixpath.join(site, entry)
                    holder = posixpath.join(path, "PKG-INFO") if host.is_dir(path) else path
                    package = _read_metadata_file(host, holder, entry, ".egg-info", site, "egg-info", path)
            elif entry.endswith(".egg"):
                if select(_name_from_entry(entry, ".egg")):
                    package = _read_egg(host, posixpath.join(site, entry), entry, site)
            elif entry.endswith(".egg-link"):
                if select(entry[:-len(".egg-link")]):
                    package = _read_egg_link(host, posixpath.join(site, entry), entry[:-len(".egg-link")])
            if package is not None:
                _add(found, extra, package)
    for key, paths in extra.items():
        found[key] = _with_duplicates(found[key], paths)
    return found


def _add(found, extra, package):
    if package is None:
        return
    key = normalize_name(package.name)
    if key in found:
        if package.path not in extra.setdefault(key, []) and package.path != found[key].path:
            extra[key].append(package.path)
    else:
        found[key] = package


def _with_duplicates(package, paths):
    from ..record import replace
    return replace(package, duplicates=tuple(paths))


def _read_metadata_file(host, holder, entry, suffix, location, kind, path):
    text = host.read_text(holder)
    parsed = parse_dist_metadata(text) if text is not None else None
    name = parsed.name if parsed else _name_from_entry(entry, suffix)
    version = parsed.version if parsed and parsed.version else _version_from_entry(entry, suffix)
    return Package(name=name, version=version, location=location, kind=kind, path=path)


def _read_egg(host, egg, entry, location):
    """An ``.egg`` folder (``EGG-INFO/PKG-INFO``) or zip file; location is the egg itself
    (that is the sys.path entry an egg install adds)."""
    if host.is_dir(egg):
        text = host.read_text(posixpath.join(egg, "EGG-INFO", "PKG-INFO"))
    else:
        text = _pkg_info_from_zip(host.read_bytes(egg))
    parsed = parse_dist_metadata(text) if text is not None else None
    name = parsed.name if parsed else _name_from_entry(entry, ".egg")
    version = parsed.version if parsed and parsed.version else _version_from_entry(entry, ".egg")
    return Package(name=name, version=version, location=egg, kind="egg", path=egg)


def _pkg_info_from_zip(data):
    if not data:
        return None
    import io
    import zipfile  # only for zipped eggs; zipfile pulls in pathlib and urllib at import
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("EGG-INFO/PKG-INFO").decode("utf-8", "replace")
    except (zipfile.BadZipfile, KeyError, OSError, RuntimeError, ValueError):
        return None


def _read_egg_link(host, link, name):
    """``setup.py develop`` / legacy ``pip install -e``: the file names the source folder."""
    text = host.read_text(link) or ""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    if not lines:
        return Package(name=name, location=None, kind="egg-link", path=link)
    source = lines[0]
    candidates = [posixpath.join(source, e) for e in host.listdir(source) if e.endswith(".egg-info")]
    wanted = normalize_name(name)
    for info in candidates:
        if normalize_name(_name_from_entry(posixpath.basename(info), ".egg-info")) == wanted:
            parsed = parse_dist_metadata(host.read_text(posixpath.join(info, "PKG-INFO")) or "")
            if parsed is not None:
                return Package(name=parsed.name, version=parsed.version, location=source,
                               kind="egg-link", path=link)
    return Package(name=name, location=source, kind="egg-link", path=link)

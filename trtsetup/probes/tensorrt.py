"""TensorRT, files side: the include dir (holding ``NvInfer.h``), the lib dir (holding
``libnvinfer.so*``), the version, the dpkg packages; and, in the target interpreter, whether
``import tensorrt`` works and from which file.

These are the two directories torch2trt's ``setup.py`` needs (``trt_inc_dir``/``trt_lib_dir``),
whose hard-coded aarch64 defaults are wrong on x86. Places, in order:

1. ``TRT_ROOT`` / ``TENSORRT_ROOT`` / ``TensorRT_ROOT`` (a tarball the user pointed at);
2. Debian/JetPack packages: ``/usr/include/<triplet>`` + ``/usr/lib/<triplet>``;
3. RPM layout: ``/usr/include`` + ``/usr/lib64``;
4. ``LD_LIBRARY_PATH`` entries holding ``libnvinfer.so*`` (tarball, ``../include`` beside);
5. tarballs ``TensorRT-*`` under ``/opt``, ``/usr/local`` and ``$HOME``;
6. pip wheels (``tensorrt_libs``, ``tensorrt_cu12_libs``, ``tensorrt_cu13_libs`` in the target
   Python's site dirs): libraries but **no headers** (layout ``"pip"``).

The first place with both headers and libraries wins; else the first with libraries; else the
first with headers. Others found are listed in ``Tensorrt.others``.
"""

import posixpath
import re
from typing import Dict, List, Optional, Sequence, Tuple

from packaging.version import InvalidVersion, Version

from ..facts import Tensorrt, TensorrtPython
from ..host import interpreter
from ..host.interpreter import bool_field, text_field
from ..patterns import lazy
from .dpkg import parse_dpkg_status, read_installed
from .scripts import script_source
from .system import NVIDIA_TRIPLETS, multiarch_triplet

ROOT_ENV = ("TRT_ROOT", "TENSORRT_ROOT", "TensorRT_ROOT", "TENSORRT_DIR")
PIP_LIB_DIRS = ("tensorrt_libs", "tensorrt_cu12_libs", "tensorrt_cu13_libs", "tensorrt_cu11_libs")
# TensorRT-RTX (NVIDIA's RTX-GPU edition, real wheels on PyPI: tensorrt-rtx-cu12-libs) has its
# own library and module; torch2trt cannot use it. Seen so the doctor can say so.
RTX_PIP_LIB_DIR = "tensorrt_rtx_libs"
_RTX_LIB_RE = lazy(r"^libtensorrt_rtx\.so(?:\.\d+)*$")

_DEFINE_RE = lazy(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+([^\s/]+)", re.M)
_INT_RE = lazy(r"^\(?(\d+)\)?$")
_IDENT_RE = lazy(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LIB_RE = lazy(r"^libnvinfer\.so((?:\.\d+)*)$")
# dpkg versions: 8.6.1.6-1+cuda12.0, 10.13.3.9-1+cuda13.0, 7.1.3-1+cuda10.2
_DPKG_VERSION_RE = lazy(r"^(?:\d+:)?(\d+(?:\.\d+)+)(?:-.*)?$")
_TRT_PACKAGE_RE = lazy(
    r"^(libnvinfer[a-z0-9-]*|tensorrt(?:-[a-z0-9-]+)?|python3?-libnvinfer[a-z0-9-]*|nvidia-tensorrt[a-z0-9-]*"
    r"|libnvonnxparsers?[0-9]*(?:-dev)?|libnvparsers[0-9]*(?:-dev)?|libnvinfer-plugin[0-9]*)$")
# Packages whose version is the TensorRT version, best first. Not nvidia-tensorrt: on Jetson
# that is a JetPack-versioned meta package (e.g. 5.1-b147).
_VERSION_PACKAGES = ("tensorrt", "libnvinfer-dev", "libnvinfer-headers-dev", "libnvinfer10",
                     "libnvinfer8", "libnvinfer7", "libnvinfer6", "libnvinfer5", "python3-libnvinfer")


def parse_nvinfer_version_h(text):
    # type: (str) -> Optional[str]
    """``NvInferVersion.h`` (TRT ≥ 5) or ``NvInfer.h`` (≤ 4) → ``"10.13.3.9"``.

    Resolves macro indirection, so TRT ≥ 10.11's ``#define NV_TENSORRT_MAJOR
    TRT_MAJOR_ENTERPRISE`` works, and falls back to TRT ≤ 2's ``NV_GIE_MAJOR``. The SONAME
    macros are ignored (TRT 3.0.4 has ``NV_TENSORRT_SONAME_MAJOR 4``).
    """
    if not isinstance(text, str):
        return None
    defines = {}  # type: Dict[str, str]
    for name, value in _DEFINE_RE.findall(text):
        defines.setdefault(name, value)

    def resolve(name):
        for _ in range(8):
            value = defines.get(name)
            if value is None:
                return None
            match = _INT_RE.match(value)
            if match:
                return int(match.group(1))
            inner = value.strip("()")
            if not _IDENT_RE.match(inner):
                return None
            name = inner
        return None

    for prefix in ("NV_TENSORRT_", "NV_GIE_"):
        major = resolve(prefix + "MAJOR")
        minor = resolve(prefix + "MINOR")
        if major is None or minor is None:
            continue
        parts = [major, minor]
        patch = resolve(prefix + "PATCH")
        if patch is not None:
            parts.append(patch)
            build = resolve(prefix + "BUILD")
            if build is not None:
                parts.append(build)
        return ".".join(str(p) for p in parts)
    return None


def parse_libnvinfer_name(name):
    # type: (str) -> Optional[str]
    """``libnvinfer.so.8.6.1`` → ``"8.6.1"``; ``libnvinfer.so.10`` → ``"10"``; else None."""
    if not isinstance(name, str):
        return None
    match = _LIB_RE.match(name)
    if not match or not match.group(1):
        return None
    return match.group(1)[1:]


def parse_tensorrt_dpkg_status(text):
    # type: (str) -> Dict[str, str]
    """TensorRT packages installed (``Status: install ok installed``) in ``/var/lib/dpkg/status``
    → ``{name: version}``. Packages removed but still configured (``rc``) are left out."""
    return tensorrt_packages(parse_dpkg_status(text))


def tensorrt_packages(installed):
    # type: (Dict[str, str]) -> Dict[str, str]
    """The TensorRT packages among dpkg's installed ``{name: version}``."""
    return {name: version for name, version in installed.items() if _TRT_PACKAGE_RE.match(name)}


def tensorrt_version_from_packages(packages):
    # type: (Dict[str, str]) -> Optional[str]
    """The TensorRT version the packages say (``8.6.1.6-1+cuda12.0`` → ``"8.6.1.6"``)."""
    for name in _VERSION_PACKAGES:
        if name in packages:
            match = _DPKG_VERSION_RE.match(packages[name])
            if match:
                return match.group(1)
    return None


class _Install(object):
    def __init__(self, layout, include_dir, lib_dir, root=None):
        self.layout = layout
        self.include_dir = include_dir
        self.lib_dir = lib_dir
        self.root = root
        self.header = None       # type: Optional[str]
        self.partial_include = None  # type: Optional[str]
        self.header_version = None  # type: Optional[str]
        self.lib_files = ()      # type: Tuple[str, ...]

    @property
    def key(self):
        return (self.include_dir, self.lib_dir)

    @property
    def lib_version(self):
        best = None
        for name in self.lib_files:
            version = parse_libnvinfer_name(name)
            if version and (best is None or len(version.split(".")) > len(best.split("."))):
                best = version
        return best

    def describe(self):
        place = self.root or self.lib_dir or self.include_dir
        return "{} {} {}".format(self.layout, place, self.header_version or self.lib_version or "?")


def _lib_files(host, directory):
    # type: (object, str) -> Tuple[str, ...]
    return tuple(n for n in host.listdir(directory) if _LIB_RE.match(n))


def _probe(host, install):
    # type: (object, _Install) -> Optional[_Install]
    """Fill in what is really there; None when neither headers nor libraries are.

    An include dir with ``NvInferVersion.h`` but no ``NvInfer.h`` (a half-removed ``-dev``
    package) gives the version and is kept as ``partial_include``, not as headers."""
    has_main = bool(install.include_dir) and host.exists(posixpath.join(install.include_dir, "NvInfer.h"))
    if install.include_dir:
        for name in ("NvInferVersion.h", "NvInfer.h"):
            path = posixpath.join(install.include_dir, name)
            version = parse_nvinfer_version_h(host.read_text(path) or "")
            if version:
                install.header, install.header_version = path, version
                break
        if not has_main:
            install.partial_include = install.include_dir if install.header else None
            install.include_dir = None
    if install.lib_dir:
        install.lib_files = _lib_files(host, install.lib_dir)
        if not install.lib_files:
            install.lib_dir = None
    if not install.include_dir and not install.lib_dir and not install.partial_include:
        return None
    return install


def _tarball(host, root, layout="tarball"):
    root = root.rstrip("/") or "/"
    lib = posixpath.join(root, "lib")
    if not host.exists(lib) and host.exists(posixpath.join(root, "lib64")):
        lib = posixpath.join(root, "lib64")
    return _Install(layout, posixpath.join(root, "include"), lib, root=root)


def _candidates(host, arch, site_dirs):
    # type: (object, Optional[str], Sequence[str]) -> List[_Install]
    env = host.env
    found = []  # type: List[_Install]
    for name in ROOT_ENV:
        value = (env.get(name) or "").strip()
        if value:
            found.append(_tarball(host, value))
    triplet = multiarch_triplet(arch)
    triplets = [triplet] if triplet in NVIDIA_TRIPLETS else list(NVIDIA_TRIPLETS)
    for triplet in triplets:
        found.append(_Install("deb", "/usr/include/" + triplet, "/usr/lib/" + triplet))
    found.append(_Install("rpm", "/usr/include", "/usr/lib64"))
    for entry in (env.get("LD_LIBRARY_PATH") or "").split(":"):
        entry = entry.strip().rstrip("/")
        if entry and _lib_files(host, entry):
            parent = posixpath.dirname(entry)
            install = _Install("tarball", posixpath.join(parent, "include"), entry, root=parent)
            found.append(install)
    home = (env.get("HOME") or "").rstrip("/")
    for base in ("/opt", "/usr/local") + ((home,) if home else ()):
        for root in host.glob(posixpath.join(base, "TensorRT-*")):
            if host.is_dir(root):
                found.append(_tarball(host, root))
        for name in ("tensorrt", "TensorRT"):
            root = posixpath.join(base, name)
            if host.is_dir(posixpath.join(root, "lib")):
                found.append(_tarball(host, root))
    for site in site_dirs or ():
        for name in PIP_LIB_DIRS:
            directory = posixpath.join(site, name)
            found.append(_Install("pip", None, directory, root=directory))
    return found


def _rtx_libs(host, candidates, site_dirs):
    # type: (object, Sequence[_Install], Sequence[str]) -> Tuple[str, ...]
    """libtensorrt_rtx.so* in the places TensorRT was looked for, and in pip's tensorrt_rtx_libs."""
    dirs = []  # type: List[str]
    for install in candidates:
        for directory in (install.lib_dir, install.root and posixpath.join(install.root, "lib")):
            if directory and directory not in dirs:
                dirs.append(directory)
    for site in site_dirs or ():
        dirs.append(posixpath.join(site, RTX_PIP_LIB_DIR))
    found = []  # type: List[str]
    for directory in dirs:
        for name in sorted(host.listdir(directory)):
            if _RTX_LIB_RE.match(name):
                found.append(posixpath.join(directory, name))
    return tuple(found)


def read_tensorrt(host, arch, python_site_dirs=()):
    # type: (object, Optional[str], Sequence[str]) -> Tensorrt
    """Where TensorRT's headers and libraries are, and which version (see module docstring)."""
    installs = []  # type: List[_Install]
    seen = set()
    candidates = _candidates(host, arch, python_site_dirs)
    rtx_libs = _rtx_libs(host, candidates, python_site_dirs)
    for candidate in candidates:
        if candidate.key in seen:
            continue
        seen.add(candidate.key)
        probed = _probe(host, candidate)
        if probed is not None and not probed.lib_dir and probed.root and any(
                path.startswith(probed.root + "/") for path in rtx_libs):
            continue  # a TensorRT-RTX tarball: its NvInfer.h is not TensorRT's
        if probed is not None:
            installs.append(probed)

    packages = tensorrt_packages(read_installed(host))
    chosen = (next((i for i in installs if i.include_dir and i.lib_dir), None)
              or next((i for i in installs if i.lib_dir), None)
              or next((i for i in installs if i.include_dir), None)
              or next((i for i in installs if i.partial_include), None))
    others = tuple(i.describe() for i in installs if i is not chosen)
    if chosen is None:
        version = tensorrt_version_from_packages(packages)
        return Tensorrt(version=version, packages=packages, version_source="dpkg" if version else None,
                        others=others, rtx_libs=rtx_libs)

    lib_version = chosen.lib_version
    version, source = chosen.header_version, "header" if chosen.header_version else None
    if version is None and lib_version and "." in lib_version:
        version, source = lib_version, "library"
    if version is None:
        from_dpkg = tensorrt_version_from_packages(packages) if chosen.layout == "deb" else None
        if from_dpkg:
            version, source = from_dpkg, "dpkg"
        elif lib_version:
            version, source = lib_version, "library"
    return Tensorrt(
        version=version,
        header=chosen.header,
        include_dir=chosen.include_dir,
        lib_dir=chosen.lib_dir,
        lib_files=tuple(sorted(chosen.lib_files, key=_lib_sort_key)),
        has_dev_symlink=("libnvinfer.so" in chosen.lib_files) if chosen.lib_dir else None,
        layout=chosen.layout,
        packages=packages,
        version_source=source,
        header_version=chosen.header_version,
        lib_version=lib_version,
        root=chosen.root if chosen.layout != "deb" else None,
        others=others,
        incomplete_include_dir=chosen.partial_include,
        rtx_libs=rtx_libs,
    )


def _lib_sort_key(name):
    version = parse_libnvinfer_name(name) or "0"
    try:
        return (Version(version), name)
    except InvalidVersion:
        return (Version("0"), name)


# -- the target interpreter ------------------------------------------------------------------

def parse_tensorrt_info(text):
    # type: (str) -> Optional[TensorrtPython]
    """The JSON line printed by ``scripts/tensorrt_info.py`` (the last line that parses; an
    import may print warnings first) → ``TensorrtPython``."""
    doc = interpreter.last_json_object(text, accept=lambda d: "importable" in d)
    if doc is None:
        return None
    return TensorrtPython(importable=bool(doc.get("importable")), version=text_field(doc, "version"),
                          file=text_field(doc, "file"), error=text_field(doc, "error"), checked=True,
                          namespace_package=bool_field(doc, "namespace_package"),
                          has_api=bool_field(doc, "has_api"), dist_version=text_field(doc, "dist_version"),
                          rtx=text_field(doc, "rtx"))


def read_tensorrt_python(host, python, timeout=30.0):
    # type: (object, Optional[str], float) -> TensorrtPython
    """Ask the target interpreter to ``import tensorrt`` (a subprocess with a timeout)."""
    if not python or not host.can_run:
        return TensorrtPython(checked=False)
    reply = interpreter.ask(host, python, script_source("tensorrt_info.py"), timeout=timeout)
    info = parse_tensorrt_info(reply.result.stdout)
    if info is not None:
        return info
    if reply.error == "timeout":
        error = "import tensorrt did not finish in {:g} s".format(timeout)
    elif reply.error:
        error = "could not run {}: {}".format(python, reply.error)
    else:
        error = (interpreter.tail(reply.result.stderr, 1) or interpreter.tail(reply.result.stdout, 1)
                 or "{} exited {}".format(python, reply.result.returncode))[:300]
    return TensorrtPython(checked=reply.error not in ("unavailable",), importable=None, error=error)

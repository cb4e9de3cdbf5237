"""Patch a torch2trt source tree so that it builds here: pure text transforms plus the file
machinery (idempotent, atomic writes, a backup of the original bytes, revert, unified diff).

What is patched, and why (facts: shared/facts/torch2trt-install.md; F-numbers are its catalog):

Always (the "core" rules; each refuses a file whose shape it does not recognise):

* ``t2t-setup-trt-include-dir`` / ``t2t-setup-trt-lib-dir`` — ``setup.py`` hard-codes
  ``def trt_inc_dir(): return "/usr/include/aarch64-linux-gnu"`` and the ``lib`` twin (v0.2.0 ..
  master). They feed the legacy ``--plugins`` extension only; wrong outside Jetson/deb layouts
  (F1, F2).
* ``t2t-build-py-trt-dirs`` — ``build.py``'s ``build(... trt_inc_dir=..., trt_lib_dir=...)``
  defaults, the same values. build.py is dead code since v0.2.0: patched only so the tree tells
  one story; it is never imported (``import imp`` fails on Python >= 3.12).
* ``t2t-cmake-minimum-version`` — ``cmake_minimum_required(VERSION 3.0.0)`` is refused by
  CMake >= 4 (F18); raised to 3.5 (no maximum: a maximum >= 3.27 would turn on CMP0146 and
  remove the FindCUDA module the file uses).
* ``t2t-cmake-cuda-architectures`` — ``set(CUDA_ARCHITECTURES 53 62 72 87)`` (Jetson only)
  cannot be overridden from the command line and CUDA 13 rejects 53/62/72 (F17); the list is
  replaced by the detected or given one.
* ``t2t-cmake-trt-dirs`` — CMakeLists.txt sets no TensorRT include/link directory (F1, F2 for
  the plugin library); a marked ``include_directories``/``link_directories`` block is added.

Compatibility rules, applied only where the tree still contains the construct they fix (so
only on the versions that need them); ``compat=False`` turns them off:

* ``t2t-compat-lazy-plugins-ext`` (F8, v0.2.0 .. master) — ``setup.py`` builds
  ``CUDAExtension(...)`` at import, which needs a CUDA torch and CUDA_HOME even without
  ``--plugins``. It becomes a ``lambda`` called only when ``--plugins`` is given.
* ``t2t-compat-torch-version-parse`` (F24, v0.4.0 .. master) — ``version.parse(torch.__version__)``
  raises InvalidVersion on Jetson builds like ``2.0.0.nv23.05``; only the leading release
  number is parsed.
* ``t2t-compat-intlist-compare`` (F9, v0.2.0/v0.3.0) — ``torch.__version__ < "1.5"`` is a
  string compare, true for torch 1.10-1.19, which turns on a define that breaks the build.
* ``t2t-compat-collections-abc`` (F15, v0.2.0 .. v0.4.0) — ``collections.Sequence`` is gone
  in Python 3.10 (interpolate converter).
* ``t2t-compat-add-padding-nd`` (F6, master) — TensorRT 10 removed ``add_padding``;
  ``add_padding_nd`` takes the same (pre, post) pairs and exists since TensorRT 6 [inferred
  from the API docs; not run against a real TensorRT here].
"""

import difflib
import hashlib
import json
import os
import re
import shutil
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from ..errors import InputError, RefusedError, UsageError
from ..atomic import write_bytes_atomic

BACKUP_DIR = ".trtsetup-patch"
BACKUP_SCHEMA = "trtsetup.t2t-patch-backup/1"
PATCHER_VERSION = 1  # bump when any rule's output changes: it is part of the recorded state

SETUP_PY = "setup.py"
BUILD_PY = "build.py"
CMAKELISTS = "CMakeLists.txt"
INTERPOLATE_PY = "torch2trt/converters/interpolate.py"
NATIVE_CONVERTERS_PY = "torch2trt/converters/native_converters.py"
VERSION_UTILS_PY = "torch2trt/version_utils.py"

CMAKE_MINIMUM = "3.5"


class ShapeError(InputError):
    """A file is not in a shape the patcher knows: never patched, never silently skipped."""

    def __init__(self, path, expected):
        super(ShapeError, self).__init__(
            "{}: not a torch2trt file shape trtsetup knows; expected {}".format(path, expected),
            fix="Check that this is a torch2trt source tree (v0.2.0 to master); a fork that "
                "changed these lines must be patched by hand.")
        self.path = path
        self.expected = expected


class PatchOptions(NamedTuple):
    """What the tree should say. ``None``/empty means unknown: that rule keeps the file's value."""

    trt_include: Optional[str] = None
    trt_lib: Optional[str] = None
    cuda_arch: Tuple[str, ...] = ()   # CMake form: ("87", "90a")
    compat: bool = True

    def key(self):
        # type: () -> str
        """A stable string naming the wanted patch state (recorded with a build)."""
        return json.dumps({"patcher": PATCHER_VERSION, "trt_include": self.trt_include,
                           "trt_lib": self.trt_lib, "cuda_arch": list(self.cuda_arch),
                           "compat": self.compat}, sort_keys=True)


class Rule(NamedTuple):
    id: str
    path: str
    reason: str
    compat: bool
    apply: Callable[..., object]  # (text, options, path) -> new text | Skip | None


class Skip(NamedTuple):
    """A rule that cannot apply now; ``note`` says why (rendered to the user)."""

    note: str


class FilePlan(NamedTuple):
    path: str                   # relative to the tree, "/"-separated
    before: bytes
    after: bytes
    changes: Tuple[str, ...]    # rule ids that change this file now

    @property
    def changed(self):
        return self.before != self.after


class TreePlan(NamedTuple):
    src_dir: str
    shape: Optional[str]
    options: PatchOptions
    files: Tuple[FilePlan, ...]
    in_effect: Tuple[str, ...]  # rule ids true of the tree after patching
    notes: Tuple[str, ...]

    @property
    def needs_patching(self):
        return any(f.changed for f in self.files)


# -- arguments --------------------------------------------------------------------------------

_ARCH_DOTTED = re.compile(r"^(?:sm_|compute_)?([0-9]{1,2})\.([0-9])([af]?)$")
_ARCH_PLAIN = re.compile(r"^(?:sm_|compute_)?([0-9]{2,3})([af]?)$")
_ARCH_SPLIT = re.compile(r"[,;\s]+")


def cuda_arch_list(text):
    # type: (str) -> Tuple[str, ...]
    """``"8.7"``, ``"87"``, ``"7.2,8.7"``, ``"sm_90a"`` -> CMake's form ``("72", "87")``.

    Raises UsageError on anything else (this is an argument, not a parser of host text).
    """
    result = []  # type: List[str]
    for item in _ARCH_SPLIT.split(text or ""):
        if not item:
            continue
        match = _ARCH_DOTTED.match(item)
        if match:
            value = match.group(1) + match.group(2) + match.group(3)
        else:
            match = _ARCH_PLAIN.match(item)
            if not match:
                raise UsageError("--cuda-arch: {!r} is not a CUDA architecture".format(item),
                                 fix="Give compute capabilities like 8.7 or 87, comma-separated "
                                     "for several (e.g. 7.2,8.7).")
            value = match.group(1) + match.group(2)
        if value not in result:
            result.append(value)
    if not result:
        raise UsageError("--cuda-arch: no architecture given",
                         fix="Give compute capabilities like 8.7 or 87, comma-separated.")
    return tuple(result)


def cuda_arch_from_facts(facts):
    # type: (object) -> Tuple[str, ...]
    """The GPUs' compute capabilities (or the Jetson module's), CMake form; () when unknown."""
    if facts is None:
        return ()
    found = []  # type: List[str]
    for gpu in getattr(facts, "gpus", ()) or ():
        if getattr(gpu, "compute_capability", None):
            found.append(gpu.compute_capability)
    jetson = getattr(facts, "jetson", None)
    if not found and jetson is not None and getattr(jetson, "cuda_arch", None):
        found.append(jetson.cuda_arch)
    if not found:
        return ()
    try:
        return cuda_arch_list(",".join(found))
    except UsageError:
        return ()


_BAD_PATH_CHARS = re.compile(r"[\"'\\\n\r$;]")


def check_dir_argument(name, value):
    # type: (str, Optional[str]) -> Optional[str]
    """A directory we will write into Python and CMake string literals; refuse what cannot be."""
    if value is None:
        return None
    if not value or _BAD_PATH_CHARS.search(value):
        raise UsageError("{}: {!r} cannot be written into setup.py/CMakeLists.txt".format(name, value),
                         fix="Use a directory path without quotes, backslashes, '$' or ';'.")
    return value


# -- rules ------------------------------------------------------------------------------------

_SETUP_DIR_FUNC = re.compile(
    r"^(?P<head>def trt_(?P<which>inc|lib)_dir\(\):[ \t]*\n[ \t]+return[ \t]+)"
    r"(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)(?P<tail>[ \t]*)$", re.M)
_SETUP_DIR_EXPECTED = ("a function `def trt_{0}_dir():` whose next line is "
                       "`return \"<dir>\"` (as in torch2trt v0.2.0 to master)")

_BUILD_DEF = re.compile(r"^def build\(", re.M)
_BUILD_DEFAULT = re.compile(
    r"^(?P<head>[ \t]*trt_(?P<which>inc|lib)_dir[ \t]*=[ \t]*)"
    r"(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)", re.M)
_BUILD_EXPECTED = ("`def build(` with the defaults `trt_inc_dir=\"<dir>\"` and "
                   "`trt_lib_dir=\"<dir>\"` (as in torch2trt v0.2.0 to master)")


def _replace_string_values(text, path, pattern, expected, values):
    # type: (str, str, object, str, Dict[str, Optional[str]]) -> object
    """Set the quoted value of each ``which`` (inc/lib) match; exactly one of each must exist."""
    found = {}  # type: Dict[str, List[object]]
    for match in pattern.finditer(text):
        found.setdefault(match.group("which"), []).append(match)
    for which in ("inc", "lib"):
        if len(found.get(which, [])) != 1:
            raise ShapeError(path, expected.format(which))
    wanted = {k: v for k, v in values.items() if v is not None}
    if not wanted:
        current = found["inc"][0].group("value")
        return Skip("{}: TensorRT dirs unknown; kept {!r} (pass --trt-include/--trt-lib)".format(
            path, current))

    def substitute(match):
        new = wanted.get(match.group("which"))
        if new is None:
            return match.group(0)
        return match.group("head") + match.group("q") + new + match.group("q") + (
            match.groupdict().get("tail") or "")

    return pattern.sub(substitute, text)


def _rule_setup_dir(which):
    def apply(text, opts, path):
        values = {"inc": opts.trt_include if which == "inc" else None,
                  "lib": opts.trt_lib if which == "lib" else None}
        result = _replace_string_values(text, path, _SETUP_DIR_FUNC, _SETUP_DIR_EXPECTED, values)
        if isinstance(result, Skip):
            return Skip("{}: TensorRT {} dir unknown; `trt_{}_dir()` kept (pass --trt-{})".format(
                path, "include" if which == "inc" else "library", which,
                "include" if which == "inc" else "lib"))
        return result
    return apply


def _apply_build_py(text, opts, path):
    if not _BUILD_DEF.search(text):
        raise ShapeError(path, _BUILD_EXPECTED)
    return _replace_string_values(text, path, _BUILD_DEFAULT, _BUILD_EXPECTED,
                                  {"inc": opts.trt_include, "lib": opts.trt_lib})


_CMAKE_MIN = re.compile(
    r"^(?P<indent>[ \t]*)cmake_minimum_required[ \t]*\([ \t]*VERSION[ \t]+"
    r"(?P<min>[0-9]+(?:\.[0-9]+)*)(?P<max>\.\.\.[0-9.]+)?(?P<rest>[^)\n]*)\)", re.M | re.I)


def _version_tuple(text):
    return tuple(int(p) for p in text.split("."))


def _apply_cmake_minimum(text, opts, path):
    matches = list(_CMAKE_MIN.finditer(text))
    if len(matches) != 1:
        raise ShapeError(path, "one `cmake_minimum_required(VERSION <x.y.z>)` line")
    match = matches[0]
    if _version_tuple(match.group("min")) >= _version_tuple(CMAKE_MINIMUM):
        return text
    line = "{}cmake_minimum_required(VERSION {}{})".format(
        match.group("indent"), CMAKE_MINIMUM, match.group("rest").rstrip())
    return text[:match.start()] + line + text[match.end():]


_CMAKE_ARCH = re.compile(
    r"^(?P<indent>[ \t]*)set\([ \t]*CUDA_ARCHITECTURES(?P<list>(?:[ \t]+[^)\s]+)*)[ \t]*\)", re.M)


def _apply_cmake_arch(text, opts, path):
    matches = list(_CMAKE_ARCH.finditer(text))
    if len(matches) != 1:
        raise ShapeError(path, "one `set(CUDA_ARCHITECTURES <list>)` line (torch2trt v0.4.0 to "
                               "master have `set(CUDA_ARCHITECTURES 53 62 72 87)`)")
    match = matches[0]
    if not opts.cuda_arch:
        return Skip("{}: GPU architecture unknown; kept `set(CUDA_ARCHITECTURES{})` "
                    "(pass --cuda-arch, e.g. 8.7)".format(path, match.group("list")))
    line = "{}set(CUDA_ARCHITECTURES {})".format(match.group("indent"), " ".join(opts.cuda_arch))
    return text[:match.start()] + line + text[match.end():]


_TRT_BLOCK_MARK = "# trtsetup: TensorRT headers and libraries"
_CMAKE_TRT_BLOCK = re.compile(
    r"^" + re.escape(_TRT_BLOCK_MARK) + r"\n(?:(?:include|link)_directories\(\"[^\"\n]*\"\)\n)*",
    re.M)
_CMAKE_CUDA_INCLUDE = re.compile(r"^include_directories\(\"\$\{CUDA_INCLUDE_DIRS\}\"\)[ \t]*\n",
                                 re.M)


def _apply_cmake_trt_dirs(text, opts, path):
    block = _CMAKE_TRT_BLOCK.search(text)
    anchor = _CMAKE_CUDA_INCLUDE.search(text)
    if block is None and anchor is None:
        raise ShapeError(path, "the line `include_directories(\"${CUDA_INCLUDE_DIRS}\")` "
                               "(before add_library), after which the TensorRT dirs go")
    if opts.trt_include is None and opts.trt_lib is None:
        if block is not None:
            return text
        return Skip("{}: TensorRT dirs unknown; no include/link directories added "
                    "(pass --trt-include/--trt-lib)".format(path))
    lines = [_TRT_BLOCK_MARK + "\n"]
    if opts.trt_include is not None:
        lines.append('include_directories("{}")\n'.format(opts.trt_include))
    if opts.trt_lib is not None:
        lines.append('link_directories("{}")\n'.format(opts.trt_lib))
    new_block = "".join(lines)
    if block is not None:
        return text[:block.start()] + new_block + text[block.end():]
    return text[:anchor.end()] + new_block + text[anchor.end():]


_EXT_ASSIGN = re.compile(r"^plugins_ext_module = CUDAExtension\(", re.M)
_EXT_ASSIGN_DONE = re.compile(r"^plugins_ext_module = lambda: CUDAExtension\(", re.M)
_EXT_APPEND = re.compile(r"^(?P<indent>[ \t]+)ext_modules\.append\(plugins_ext_module\)", re.M)
_EXT_APPEND_DONE = re.compile(r"^[ \t]+ext_modules\.append\(plugins_ext_module\(\)\)", re.M)


def _apply_lazy_plugins_ext(text, opts, path):
    todo = (bool(_EXT_ASSIGN.search(text)), bool(_EXT_APPEND.search(text)))
    done = (bool(_EXT_ASSIGN_DONE.search(text)), bool(_EXT_APPEND_DONE.search(text)))
    if todo == (True, True):
        text = _EXT_ASSIGN.sub("plugins_ext_module = lambda: CUDAExtension(", text)
        return _EXT_APPEND.sub(r"\g<indent>ext_modules.append(plugins_ext_module())", text)
    if todo == (False, False) and done == (True, True):
        return text
    if todo == (False, False) and done == (False, False) and "CUDAExtension(" not in text:
        return None
    raise ShapeError(path, "`plugins_ext_module = CUDAExtension(` and, under "
                           "`if '--plugins' in sys.argv:`, `ext_modules.append(plugins_ext_module)`")


_VERSION_PARSE = re.compile(r"version\.parse\((?P<mod>torch|tensorrt)\.__version__\)")
_PACKAGING_IMPORT = re.compile(r"^from packaging import version[ \t]*\n", re.M)
_RELEASE_HELPER_DEF = "def _trtsetup_release(text):"
_RELEASE_HELPER = (
    "import re as _trtsetup_re\n"
    + _RELEASE_HELPER_DEF + "  # trtsetup: '2.0.0.nv23.05' is not PEP 440 (F24)\n"
    "    return _trtsetup_re.match(r'[0-9]+(\\.[0-9]+)*', text).group(0)\n")


def _apply_version_parse(text, opts, path):
    has_helper = _RELEASE_HELPER_DEF in text
    if not _VERSION_PARSE.search(text):
        return text if has_helper else None
    if not has_helper:
        anchor = _PACKAGING_IMPORT.search(text)
        if anchor is None:
            raise ShapeError(path, "`from packaging import version` before "
                                   "`version.parse(torch.__version__)`")
        text = text[:anchor.end()] + _RELEASE_HELPER + text[anchor.end():]
    return _VERSION_PARSE.sub(r"version.parse(_trtsetup_release(\g<mod>.__version__))", text)


_INTLIST_COMPARE = re.compile(r"torch\.__version__ < ([\"'])1\.5\1")
_INTLIST_FIXED = "tuple(int(p) for p in __import__('re').findall(r'[0-9]+', torch.__version__)[:2]) < (1, 5)"


def _apply_intlist_compare(text, opts, path):
    if _INTLIST_COMPARE.search(text):
        return _INTLIST_COMPARE.sub(lambda m: _INTLIST_FIXED, text)
    return text if _INTLIST_FIXED in text else None


_IMPORT_COLLECTIONS = re.compile(r"^import collections[ \t]*\n", re.M)
_COLLECTIONS_SEQUENCE = re.compile(r"\bcollections\.Sequence\b")
_COLLECTIONS_ABC_LINE = "import collections.abc  # trtsetup: Python 3.10 removed the ABC aliases from collections (F15)\n"


def _apply_collections_abc(text, opts, path):
    if not _COLLECTIONS_SEQUENCE.search(text):
        return text if _COLLECTIONS_ABC_LINE in text else None
    if "collections.abc" in text:
        return None  # v0.5.0: `import collections.abc as collections` already
    anchor = _IMPORT_COLLECTIONS.search(text)
    if anchor is None:
        raise ShapeError(path, "a top-level `import collections` line before `collections.Sequence`")
    text = _COLLECTIONS_SEQUENCE.sub("collections.abc.Sequence", text)
    return text[:anchor.end()] + _COLLECTIONS_ABC_LINE + text[anchor.end():]


_ADD_PADDING = re.compile(r"\bctx\.network\.add_padding\(")


def _apply_add_padding_nd(text, opts, path):
    if _ADD_PADDING.search(text):
        return _ADD_PADDING.sub("ctx.network.add_padding_nd(", text)
    return text if "ctx.network.add_padding_nd(" in text else None


RULES = (
    Rule("t2t-setup-trt-include-dir", SETUP_PY, "point the --plugins extension at the detected "
         "TensorRT headers (F1)", False, _rule_setup_dir("inc")),
    Rule("t2t-setup-trt-lib-dir", SETUP_PY, "link the --plugins extension against the detected "
         "libnvinfer (F2)", False, _rule_setup_dir("lib")),
    Rule("t2t-build-py-trt-dirs", BUILD_PY, "same dirs in build.py's defaults (dead code; kept "
         "consistent)", False, _apply_build_py),
    Rule("t2t-cmake-minimum-version", CMAKELISTS, "CMake >= 4 refuses cmake_minimum_required < 3.5 "
         "(F18)", False, _apply_cmake_minimum),
    Rule("t2t-cmake-cuda-architectures", CMAKELISTS, "build the plugin library for this GPU; "
         "CUDA 13 rejects 53/62/72 (F17)", False, _apply_cmake_arch),
    Rule("t2t-cmake-trt-dirs", CMAKELISTS, "CMakeLists.txt names no TensorRT include/lib dir "
         "(F1, F2)", False, _apply_cmake_trt_dirs),
    Rule("t2t-compat-lazy-plugins-ext", SETUP_PY, "CUDAExtension built at import needs CUDA "
         "even without --plugins (F8)", True, _apply_lazy_plugins_ext),
    Rule("t2t-compat-torch-version-parse", SETUP_PY, "InvalidVersion on torch versions like "
         "2.0.0.nv23.05 (F24)", True, _apply_version_parse),
    Rule("t2t-compat-intlist-compare", SETUP_PY, "string compare torch.__version__ < \"1.5\" is "
         "true for torch 1.10-1.19 (F9)", True, _apply_intlist_compare),
    Rule("t2t-compat-collections-abc", INTERPOLATE_PY, "collections.Sequence removed in Python "
         "3.10 (F15)", True, _apply_collections_abc),
    Rule("t2t-compat-add-padding-nd", NATIVE_CONVERTERS_PY, "TensorRT 10 removed add_padding "
         "(F6)", True, _apply_add_padding_nd),
)

# Files that must exist for the tree to be torch2trt at all; the others are optional.
_REQUIRED = (SETUP_PY,)
_ABSENT_NOTES = {
    BUILD_PY: "build.py absent (dead code upstream; nothing to patch)",
    CMAKELISTS: "no CMakeLists.txt: this torch2trt has no CMake plugin library (v0.4.0 added it)",
}


# -- the tree ---------------------------------------------------------------------------------

_SETUP_VERSION = re.compile(r"^[ \t]*version[ \t]*=[ \t]*[\"']([0-9][^\"']*)[\"']", re.M)


def detect_shape(src_dir):
    # type: (str) -> Optional[str]
    """``v0.2.0`` ... ``v0.5.0`` or ``master`` (after v0.5.0) from the files; None if unknown."""
    text = _read_text(os.path.join(src_dir, SETUP_PY))
    if text is None:
        return None
    match = _SETUP_VERSION.search(text)
    if not match:
        return None
    if os.path.exists(os.path.join(src_dir, VERSION_UTILS_PY)):
        return "master"
    return "v" + match.group(1)


def _read_bytes(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError("cannot read {}: {}".format(path, exc.strerror or exc),
                         fix="Check the file's permissions.")


def _read_text(path):
    data = _read_bytes(path)
    return None if data is None else data.decode("utf-8", "replace")


def _decode(data, path):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ShapeError(path, "a UTF-8 text file")
    crlf = "\r\n" in text
    return (text.replace("\r\n", "\n") if crlf else text), crlf


def plan_tree(src_dir, options):
    # type: (str, PatchOptions) -> TreePlan
    """What patching would change: read only. Raises ShapeError/InputError."""
    if not os.path.isdir(src_dir):
        raise InputError("{}: no such directory".format(src_dir),
                         fix="Pass the torch2trt source directory (a clone or an unpacked archive).")
    check_dir_argument("--trt-include", options.trt_include)
    check_dir_argument("--trt-lib", options.trt_lib)
    for required in _REQUIRED:
        if not os.path.isfile(os.path.join(src_dir, required)):
            raise ShapeError(os.path.join(src_dir, required),
                             "a torch2trt source tree with setup.py at its top")
    files = []  # type: List[FilePlan]
    in_effect = []  # type: List[str]
    notes = []  # type: List[str]
    paths = []  # type: List[str]
    for rule in RULES:
        if rule.path not in paths:
            paths.append(rule.path)
    for rel in paths:
        full = os.path.join(src_dir, *rel.split("/"))
        data = _read_bytes(full)
        if data is None:
            if rel in _ABSENT_NOTES:
                notes.append(_ABSENT_NOTES[rel])
            continue
        text, crlf = _decode(data, full)
        changes = []
        for rule in RULES:
            if rule.path != rel or (rule.compat and not options.compat):
                continue
            result = rule.apply(text, options, full)
            if result is None:
                continue
            if isinstance(result, Skip):
                notes.append(result.note)
                continue
            if result != text:
                changes.append(rule.id)
                text = result
            in_effect.append(rule.id)
        after = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
        files.append(FilePlan(rel, data, after, tuple(changes)))
    return TreePlan(src_dir, detect_shape(src_dir), options, tuple(files), tuple(in_effect),
                    tuple(notes))


def unified_diff(plan):
    # type: (TreePlan) -> str
    chunks = []
    for item in plan.files:
        if not item.changed:
            continue
        before = item.before.decode("utf-8").splitlines(True)
        after = item.after.decode("utf-8").splitlines(True)
        chunks.append("".join(difflib.unified_diff(before, after, "a/" + item.path, "b/" + item.path)))
    return "".join(chunks)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def _refuse_read_only(path, consequence):
    """A file we may not write, or one with no write bit at all (read-only on purpose: root
    could write it, and os.replace would drop the mode), is refused."""
    if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
        raise RefusedError("{} is read-only; {}".format(path, consequence),
                           fix="Make it writable (chmod u+w) or patch a writable copy of the tree.")


def atomic_write(path, data):
    # type: (str, bytes) -> None
    """Write via a temp file in the same directory and os.replace; keep the file's mode.

    A read-only file is refused (os.replace would silently drop its read-only bit).
    """
    mode = None
    if os.path.exists(path):
        _refuse_read_only(path, "not patched")
        mode = os.stat(path).st_mode & 0o7777
    try:
        write_bytes_atomic(path, data, mode)
    except OSError as exc:
        raise RefusedError("cannot write in {}: {}".format(os.path.dirname(path) or ".", exc.strerror or exc),
                           fix="Make the directory writable or patch a writable copy of the tree.")


def _manifest_path(src_dir):
    return os.path.join(src_dir, BACKUP_DIR, "manifest.json")


def read_backup_manifest(src_dir):
    # type: (str) -> Optional[Dict[str, object]]
    text = _read_text(_manifest_path(src_dir))
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        raise InputError("{} is damaged (not JSON)".format(_manifest_path(src_dir)),
                         fix="Restore the files with git (`git checkout -- .`) and delete {}.".format(
                             os.path.join(src_dir, BACKUP_DIR)))
    if not isinstance(doc, dict) or doc.get("schema") != BACKUP_SCHEMA:
        raise InputError("{} is not a trtsetup patch backup".format(_manifest_path(src_dir)))
    return doc


def apply_plan(plan):
    # type: (TreePlan) -> List[str]
    """Write the changed files: back up the original bytes once, then replace atomically."""
    changed = [f for f in plan.files if f.changed]
    if not changed:
        return []
    for item in changed:  # refuse before writing anything
        _refuse_read_only(os.path.join(plan.src_dir, *item.path.split("/")), "nothing was patched")
    manifest = read_backup_manifest(plan.src_dir) or {"schema": BACKUP_SCHEMA, "files": {}}
    entries = manifest["files"]  # type: ignore
    backup_root = os.path.join(plan.src_dir, BACKUP_DIR, "orig")
    for item in changed:
        entry = entries.get(item.path)
        if entry is None:
            backup = os.path.join(backup_root, *item.path.split("/"))
            try:
                os.makedirs(os.path.dirname(backup), exist_ok=True)
            except OSError as exc:
                raise RefusedError("cannot create the backup dir {}: {}".format(
                    os.path.dirname(backup), exc.strerror or exc),
                    fix="Make the tree writable or patch a writable copy.")
            atomic_write(backup, item.before)
            entry = {"original_sha256": sha256_bytes(item.before)}
            entries[item.path] = entry
        entry["patched_sha256"] = sha256_bytes(item.after)
    manifest["options"] = json.loads(plan.options.key())
    atomic_write(_manifest_path(plan.src_dir),
                 (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    for item in changed:
        atomic_write(os.path.join(plan.src_dir, *item.path.split("/")), item.after)
    return [f.path for f in changed]


class Reverted(NamedTuple):
    path: str
    status: str  # "restored" | "unchanged" (already the original bytes)


def revert_tree(src_dir, check_only=False):
    # type: (str, bool) -> List[Reverted]
    """Restore the original bytes recorded by ``apply_plan`` and drop the backup.

    A file edited since trtsetup patched it is refused (its edits would be lost).
    """
    manifest = read_backup_manifest(src_dir)
    if manifest is None:
        return []
    outcomes = []  # type: List[Reverted]
    restores = []  # type: List[Tuple[str, bytes]]
    for rel, entry in sorted(manifest.get("files", {}).items()):
        full = os.path.join(src_dir, *rel.split("/"))
        backup = _read_bytes(os.path.join(src_dir, BACKUP_DIR, "orig", *rel.split("/")))
        if backup is None or sha256_bytes(backup) != entry.get("original_sha256"):
            raise InputError("the backup of {} is missing or damaged".format(full),
                             fix="Restore the file with git (`git checkout -- {}`).".format(rel))
        current = _read_bytes(full)
        current_sha = sha256_bytes(current) if current is not None else None
        if current_sha == entry.get("original_sha256"):
            outcomes.append(Reverted(rel, "unchanged"))
            continue
        if current_sha != entry.get("patched_sha256"):
            raise RefusedError("{} changed since trtsetup patched it; not reverted".format(full),
                               fix="Keep your edits and delete {}, or copy the original back from {} "
                                   "by hand.".format(os.path.join(src_dir, BACKUP_DIR),
                                                     os.path.join(src_dir, BACKUP_DIR, "orig", rel)))
        restores.append((full, backup))
        outcomes.append(Reverted(rel, "restored"))
    if check_only:
        return outcomes
    for full, data in restores:
        atomic_write(full, data)
    shutil.rmtree(os.path.join(src_dir, BACKUP_DIR))
    return outcomes

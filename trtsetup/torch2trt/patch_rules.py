"""The torch2trt patcher's rules: pure text transforms, one per thing a torch2trt tree gets wrong.

A rule is ``apply(text, options, path)`` -> the new text, ``None`` (the construct it fixes is
absent: nothing to do, the rule is not in effect), or ``Skip`` (it cannot apply now; the note
says why). A rule whose file does not have the shape it knows raises ``ShapeError``: never
patched, never silently skipped. Applying a rule to its own output changes nothing. The tree,
backup and revert machinery is ``patch_tree``; the converter rules for TensorRT >= 10 are
``patch_converters``. Sources: shared/facts/torch2trt-install.md.

Always (the "core" rules):

* ``t2t-setup-trt-include-dir`` / ``t2t-setup-trt-lib-dir``: ``setup.py`` hard-codes
  ``def trt_inc_dir(): return "/usr/include/aarch64-linux-gnu"`` and the ``lib`` twin (v0.2.0 ..
  master). They feed the legacy ``--plugins`` extension only; wrong outside Jetson/deb layouts.
* ``t2t-build-py-trt-dirs``: ``build.py``'s defaults, the same values. build.py is dead code
  since v0.2.0: patched only so the tree tells one story; never imported (``import imp``).
* ``t2t-cmake-minimum-version``: CMake >= 4 refuses ``cmake_minimum_required(VERSION 3.0.0)``;
  raised to 3.5 (no maximum: >= 3.27 would remove the FindCUDA module the file uses).
* ``t2t-cmake-cuda-architectures``: ``set(CUDA_ARCHITECTURES 53 62 72 87)`` (Jetson only)
  cannot be overridden from the command line and CUDA 13 rejects 53/62/72.
* ``t2t-cmake-trt-dirs``: CMakeLists.txt names no TensorRT include/link directory.

Compatibility rules (``compat=False`` turns them off), only where the tree has the construct:

* ``t2t-compat-lazy-plugins-ext`` (v0.2.0 .. master): ``CUDAExtension(...)`` is built at import,
  which needs a CUDA torch and CUDA_HOME even without ``--plugins``.
* ``t2t-compat-torch-version-parse`` (v0.4.0 .. master): ``version.parse(torch.__version__)``
  raises InvalidVersion on Jetson builds like ``2.0.0.nv23.05``.
* ``t2t-compat-intlist-compare`` (v0.2.0/v0.3.0): ``torch.__version__ < "1.5"`` is a string
  compare, true for torch 1.10-1.19.
* ``t2t-compat-collections-abc`` (v0.2.0 .. v0.4.0): ``collections.Sequence`` is gone in 3.10.
* ``t2t-compat-add-padding-nd`` (master): TensorRT 10 removed ``add_padding``; ``add_padding_nd``
  takes the same (pre, post) pairs (torch2trt#936).
"""

import json
import re
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from .. import versions
from ..errors import InputError
from ..patterns import lazy
from .patch_arguments import (check_dir_argument, cuda_arch_list, tensorrt_major,  # noqa: F401
                              tensorrt_version_argument)

PATCHER_VERSION = 2  # bump when any rule's output changes: it is part of the recorded state

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
    """What the tree should say. ``None``/empty means unknown: that rule keeps the file's value.

    ``tensorrt_version`` ("10.3.0") is the TensorRT the tree will be built against; the
    converter rules for TensorRT >= 10 apply only when it is known and >= 10.
    """

    trt_include: Optional[str] = None
    trt_lib: Optional[str] = None
    cuda_arch: Tuple[str, ...] = ()   # CMake form: ("87", "90a")
    compat: bool = True
    tensorrt_version: Optional[str] = None

    def key(self):
        # type: () -> str
        """A stable string naming the wanted patch state (recorded with a build)."""
        return json.dumps({"patcher": PATCHER_VERSION, "trt_include": self.trt_include,
                           "trt_lib": self.trt_lib, "cuda_arch": list(self.cuda_arch),
                           "compat": self.compat, "tensorrt_version": self.tensorrt_version},
                          sort_keys=True)


class Rule(NamedTuple):
    id: str
    path: str
    reason: str
    compat: bool
    apply: Callable[..., object]  # (text, options, path) -> new text | Skip | None
    reference: str = ""           # upstream issue or API reference, for converter rules
    min_tensorrt: Optional[int] = None  # applies only when options.tensorrt_version >= this major


class Skip(NamedTuple):
    """A rule that cannot apply now; ``note`` says why (rendered to the user)."""

    note: str
    incomplete: bool = False  # the tree is left not fully patched for this machine


# -- setup.py / build.py ----------------------------------------------------------------------

_SETUP_DIR_FUNC = lazy(
    r"^(?P<head>def trt_(?P<which>inc|lib)_dir\(\):[ \t]*\n[ \t]+return[ \t]+)"
    r"(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)(?P<tail>[ \t]*)$", re.M)
_SETUP_DIR_EXPECTED = ("a function `def trt_{0}_dir():` whose next line is "
                       "`return \"<dir>\"` (as in torch2trt v0.2.0 to master)")

_BUILD_DEF = lazy(r"^def build\(", re.M)
_BUILD_DEFAULT = lazy(
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
                "include" if which == "inc" else "lib"), incomplete=True)
        return result
    return apply


def _apply_build_py(text, opts, path):
    if not _BUILD_DEF.search(text):
        raise ShapeError(path, _BUILD_EXPECTED)
    return _replace_string_values(text, path, _BUILD_DEFAULT, _BUILD_EXPECTED,
                                  {"inc": opts.trt_include, "lib": opts.trt_lib})


# -- CMakeLists.txt ---------------------------------------------------------------------------

_CMAKE_MIN = lazy(
    r"^(?P<indent>[ \t]*)cmake_minimum_required[ \t]*\([ \t]*VERSION[ \t]+"
    r"(?P<min>[0-9]+(?:\.[0-9]+)*)(?P<max>\.\.\.[0-9.]+)?(?P<rest>[^)\n]*)\)", re.M | re.I)


def _apply_cmake_minimum(text, opts, path):
    matches = list(_CMAKE_MIN.finditer(text))
    if len(matches) != 1:
        raise ShapeError(path, "one `cmake_minimum_required(VERSION <x.y.z>)` line")
    match = matches[0]
    if versions.key(match.group("min")) >= versions.key(CMAKE_MINIMUM):
        return text
    line = "{}cmake_minimum_required(VERSION {}{})".format(
        match.group("indent"), CMAKE_MINIMUM, match.group("rest").rstrip())
    return text[:match.start()] + line + text[match.end():]


_CMAKE_ARCH = lazy(
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
_CMAKE_TRT_BLOCK = lazy(
    r"^" + re.escape(_TRT_BLOCK_MARK) + r"\n(?:(?:include|link)_directories\(\"[^\"\n]*\"\)\n)*",
    re.M)
_CMAKE_CUDA_INCLUDE = lazy(r"^include_directories\(\"\$\{CUDA_INCLUDE_DIRS\}\"\)[ \t]*\n",
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
                    "(pass --trt-include/--trt-lib)".format(path), incomplete=True)
    lines = [_TRT_BLOCK_MARK + "\n"]
    if opts.trt_include is not None:
        lines.append('include_directories("{}")\n'.format(opts.trt_include))
    if opts.trt_lib is not None:
        lines.append('link_directories("{}")\n'.format(opts.trt_lib))
    new_block = "".join(lines)
    if block is not None:
        return text[:block.start()] + new_block + text[block.end():]
    return text[:anchor.end()] + new_block + text[anchor.end():]


# -- compatibility ----------------------------------------------------------------------------

_EXT_ASSIGN = lazy(r"^plugins_ext_module = CUDAExtension\(", re.M)
_EXT_ASSIGN_DONE = lazy(r"^plugins_ext_module = lambda: CUDAExtension\(", re.M)
_EXT_APPEND = lazy(r"^(?P<indent>[ \t]+)ext_modules\.append\(plugins_ext_module\)", re.M)
_EXT_APPEND_DONE = lazy(r"^[ \t]+ext_modules\.append\(plugins_ext_module\(\)\)", re.M)


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


_VERSION_PARSE = lazy(r"version\.parse\((?P<mod>torch|tensorrt)\.__version__\)")
_PACKAGING_IMPORT = lazy(r"^from packaging import version[ \t]*\n", re.M)
_RELEASE_HELPER_DEF = "def _trtsetup_release(text):"
_RELEASE_HELPER = (
    "import re as _trtsetup_re\n"
    + _RELEASE_HELPER_DEF + "  # trtsetup: Jetson torch versions such as 2.0.0.nv23.05 "
    "are not PEP 440; compare the release number only\n"
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


_INTLIST_COMPARE = lazy(r"torch\.__version__ < ([\"'])1\.5\1")
_INTLIST_FIXED = "tuple(int(p) for p in __import__('re').findall(r'[0-9]+', torch.__version__)[:2]) < (1, 5)"


def _apply_intlist_compare(text, opts, path):
    if _INTLIST_COMPARE.search(text):
        return _INTLIST_COMPARE.sub(lambda m: _INTLIST_FIXED, text)
    return text if _INTLIST_FIXED in text else None


_IMPORT_COLLECTIONS = lazy(r"^import collections[ \t]*\n", re.M)
_COLLECTIONS_SEQUENCE = lazy(r"\bcollections\.Sequence\b")
_COLLECTIONS_ABC_LINE = ("import collections.abc  # trtsetup: Python 3.10 removed the ABC "
                         "aliases from collections\n")
_COLLECTIONS_ABC_DONE = lazy(r"^import collections\.abc  # trtsetup:", re.M)


def _apply_collections_abc(text, opts, path):
    if not _COLLECTIONS_SEQUENCE.search(text):
        return text if _COLLECTIONS_ABC_DONE.search(text) else None
    if "collections.abc" in text:
        return None  # v0.5.0: `import collections.abc as collections` already
    anchor = _IMPORT_COLLECTIONS.search(text)
    if anchor is None:
        raise ShapeError(path, "a top-level `import collections` line before `collections.Sequence`")
    text = _COLLECTIONS_SEQUENCE.sub("collections.abc.Sequence", text)
    return text[:anchor.end()] + _COLLECTIONS_ABC_LINE + text[anchor.end():]


_ADD_PADDING = lazy(r"\bctx\.network\.add_padding\(")


def _apply_add_padding_nd(text, opts, path):
    if _ADD_PADDING.search(text):
        return _ADD_PADDING.sub("ctx.network.add_padding_nd(", text)
    return text if "ctx.network.add_padding_nd(" in text else None


CORE_RULES = (
    Rule("t2t-setup-trt-include-dir", SETUP_PY, "point the --plugins extension at the detected "
         "TensorRT headers", False, _rule_setup_dir("inc")),
    Rule("t2t-setup-trt-lib-dir", SETUP_PY, "link the --plugins extension against the detected "
         "libnvinfer", False, _rule_setup_dir("lib")),
    Rule("t2t-build-py-trt-dirs", BUILD_PY, "same dirs in build.py's defaults (dead code; kept "
         "consistent)", False, _apply_build_py),
    Rule("t2t-cmake-minimum-version", CMAKELISTS, "CMake >= 4 refuses cmake_minimum_required < 3.5",
         False, _apply_cmake_minimum),
    Rule("t2t-cmake-cuda-architectures", CMAKELISTS, "build the plugin library for this GPU; "
         "CUDA 13 rejects 53/62/72", False, _apply_cmake_arch),
    Rule("t2t-cmake-trt-dirs", CMAKELISTS, "CMakeLists.txt names no TensorRT include/lib dir",
         False, _apply_cmake_trt_dirs),
    Rule("t2t-compat-lazy-plugins-ext", SETUP_PY, "CUDAExtension built at import needs CUDA "
         "even without --plugins", True, _apply_lazy_plugins_ext),
    Rule("t2t-compat-torch-version-parse", SETUP_PY, "InvalidVersion on torch versions like "
         "2.0.0.nv23.05", True, _apply_version_parse),
    Rule("t2t-compat-intlist-compare", SETUP_PY, "string compare torch.__version__ < \"1.5\" is "
         "true for torch 1.10-1.19", True, _apply_intlist_compare),
    Rule("t2t-compat-collections-abc", INTERPOLATE_PY, "collections.Sequence removed in Python "
         "3.10", True, _apply_collections_abc),
    Rule("t2t-compat-add-padding-nd", NATIVE_CONVERTERS_PY, "TensorRT 10 removed add_padding",
         True, _apply_add_padding_nd, "https://github.com/NVIDIA-AI-IOT/torch2trt/issues/936"),
)

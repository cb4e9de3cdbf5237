"""TensorRT: the headers and library torch2trt builds against, and the Python bindings."""

from packaging.version import InvalidVersion, Version

from ..fix_commands import pip_command, quote
from ..knowledge import jetpack_components, tensorrt_pip_package, torch2trt_for_tensorrt
from .base import Check, make
from .python import unsupported_python

_headers = make("trt-headers-found", "TensorRT headers (NvInfer.h) found: the include dir torch2trt's setup.py needs")
_complete = make("trt-headers-complete", "TensorRT's include dir holds NvInfer.h, not only NvInferVersion.h")
_library = make("trt-library-found", "TensorRT library (libnvinfer.so) found: the lib dir torch2trt links against")
_python = make("trt-python-visible", "The target Python imports tensorrt")
_supported = make("trt-version-supported", "A torch2trt release supports this TensorRT major")
_not_rtx = make("trt-not-rtx", "TensorRT-RTX is not mistaken for TensorRT (torch2trt needs TensorRT itself)")

_SETUP_PY_DEFAULT_INC = "/usr/include/aarch64-linux-gnu"


def _install_hint(facts):
    if facts.jetson is not None:
        return "sudo apt install nvidia-tensorrt-dev   # JetPack's TensorRT (or: sudo apt install nvidia-jetpack)"
    if facts.container.image and facts.container.image.startswith("ngc"):
        return ("sudo apt install libnvinfer-dev libnvinfer-headers-dev   # NVIDIA's CUDA apt repository; or start "
                "from an image that ships TensorRT (nvcr.io/nvidia/tensorrt, nvcr.io/nvidia/pytorch)")
    return ("sudo apt install libnvinfer-dev libnvinfer-headers-dev   # from NVIDIA's CUDA apt repository, "
            "or unpack the TensorRT tarball and set TRT_ROOT")


def check_headers(ctx):
    facts = ctx.facts
    trt = facts.tensorrt
    if not trt.include_dir:
        if trt.layout == "pip":
            return _headers.fail(
                "TensorRT {} is installed from pip only: pip wheels ship no headers".format(trt.version or ""),
                fix="For building torch2trt's plugins install the headers too: " + _install_hint(facts))
        return _headers.fail("NvInfer.h not found", fix=_install_hint(facts))
    detail = None
    if trt.include_dir != _SETUP_PY_DEFAULT_INC:
        detail = ("torch2trt's setup.py hard-codes {}; `trtsetup install` (or `trtsetup patch DIR`) points it "
                  "at {}".format(_SETUP_PY_DEFAULT_INC, trt.include_dir))
    return _headers.ok("TensorRT {} headers in {}".format(trt.version or "(version unknown)", trt.include_dir), detail)


def check_headers_complete(ctx):
    trt = ctx.facts.tensorrt
    partial = trt.incomplete_include_dir
    if partial is None:
        if trt.include_dir:
            return _complete.ok("NvInfer.h is in {}".format(trt.include_dir))
        return _complete.skip("no TensorRT include dir found")
    version = trt.header_version or trt.version
    if partial.startswith("/usr/include"):
        names = [n for n in ("libnvinfer-dev", "libnvinfer-headers-dev") if n in trt.packages] or ["libnvinfer-dev"]
        fix = "sudo apt install --reinstall {}   # puts NvInfer.h and the other headers back".format(" ".join(names))
    else:
        fix = "Unpack the TensorRT {} tarball again: its include/ lost NvInfer.h".format(version or "")
    return _complete.fail(
        "{} holds NvInferVersion.h (TensorRT {}) but no NvInfer.h: the headers are half removed, "
        "torch2trt cannot build against them".format(partial, version or "?"), fix=fix)


def check_library(ctx):
    facts = ctx.facts
    trt = facts.tensorrt
    if not trt.lib_dir:
        return _library.fail("libnvinfer.so not found", fix=_install_hint(facts))
    if trt.has_dev_symlink is False:
        return _library.warn(
            "only versioned libnvinfer.so.N in {}: the linker needs libnvinfer.so".format(trt.lib_dir),
            fix=("Install the development package (`sudo apt install libnvinfer-dev`), or, for a tarball/pip "
                 "TensorRT, link it: ln -s {0}/libnvinfer.so.<N> {0}/libnvinfer.so".format(trt.lib_dir)),
            detail=", ".join(trt.lib_files) or None)
    return _library.ok("libnvinfer in {}".format(trt.lib_dir), detail=", ".join(trt.lib_files) or None)


def _dist_packages_of(facts):
    """The system dist-packages that holds JetPack's/Debian's tensorrt bindings."""
    version = facts.python.version or ""
    parts = version.split(".")
    minor = ".".join(parts[:2]) if len(parts) >= 2 else "3"
    return "/usr/lib/python{}/dist-packages".format(minor) if minor != "3" else "/usr/lib/python3/dist-packages"


def check_python_visible(ctx):
    facts = ctx.facts
    trt_py = facts.tensorrt.python
    py = facts.python
    if unsupported_python(py) and not trt_py.importable:
        return _python.skip("Python {} (see py-torch-imports)".format(py.version))
    if not trt_py.checked:
        # Judge from package metadata in the interpreter's own site dirs (no import).
        pkg = py.packages.get("tensorrt") if py.packages else None
        if pkg is not None:
            return _python.ok("tensorrt {} installed (import not tried: {})".format(
                pkg.version, "--fast" if ctx.options.get("fast") else "no interpreter to ask"))
        if py.executable and py.site_dirs and _system_bindings_exist(facts):
            return _venv_or_missing(ctx, py, "no tensorrt in its site-packages")
        if ctx.options.get("fast"):
            return _python.skip("import not tried (--fast)")
        return _python.skip("no interpreter could be asked")
    if trt_py.importable:
        if trt_py.version and facts.tensorrt.version and _mm(trt_py.version) != _mm(facts.tensorrt.version):
            return _python.warn(
                "tensorrt {} imports, but the headers/library are TensorRT {}".format(trt_py.version, facts.tensorrt.version),
                fix="Make them one TensorRT: plugins built against one version fail to load in the other.",
                detail=trt_py.file)
        return _python.ok("tensorrt {} from {}".format(trt_py.version or "(no __version__)", trt_py.file))
    return _venv_or_missing(ctx, py, trt_py.error or "import failed")


def _system_bindings_exist(facts):
    """JetPack's / Debian's python3-libnvinfer is installed for the system Python."""
    if facts.jetson is not None and facts.tensorrt.version:
        return True
    return any(name.startswith("python3-libnvinfer") for name in facts.tensorrt.packages)


def _venv_or_missing(ctx, py, error):
    facts = ctx.facts
    where = py.executable or "the target Python"
    if py.is_venv and not py.system_site_packages and (facts.jetson is not None or facts.tensorrt.packages):
        site = _dist_packages_of(facts)
        return _python.fail(
            "{} is a venv that cannot see the system's TensorRT bindings ({})".format(where, error),
            fix=("No sudo needed: either recreate the venv with `{venv}` (keeps its packages), or "
                 "expose only TensorRT: `echo {site} > {pth}`".format(site=site, venv=_venv_recreate(py),
                                                                  pth=_pth_file(py))))
    if facts.jetson is not None:
        return _python.fail(
            "{} cannot import tensorrt ({})".format(where, error),
            fix="JetPack's bindings exist for the system Python {} only: use /usr/bin/python3, or "
                "`sudo apt install python3-libnvinfer`.".format(_jetpack_python(ctx) or "3.x"))
    major = _trt_major(facts)
    package = tensorrt_pip_package(facts)
    fix = pip_command(py.executable, "install", package + ("=={}.*".format(major) if major else ""))
    if facts.tensorrt.packages:
        fix = "sudo apt install python3-libnvinfer   # bindings matching the installed TensorRT debs; or: " + fix
    return _python.fail("{} cannot import tensorrt ({})".format(where, error), fix=fix)


def _venv_recreate(py):
    """``BASE/bin/python3 -m venv --system-site-packages PREFIX``: run on an existing venv, it
    rewrites pyvenv.cfg and keeps what is installed."""
    base = "{}/bin/python3".format(py.base_prefix) if py.base_prefix else "python3"
    return quote([base, "-m", "venv", "--system-site-packages", py.prefix or "VENV"])


def _pth_file(py):
    if py.purelib:
        return quote([py.purelib + "/system-tensorrt.pth"])
    return "\"$({} -c 'import site; print(site.getsitepackages()[0])')\"/system-tensorrt.pth".format(
        quote([py.executable or "python3"]))


def _mm(text):
    parts = (text or "").split(".")
    return ".".join(parts[:2])


def _trt_major(facts):
    version = facts.tensorrt.version or facts.tensorrt.python.version
    try:
        return Version(version).major if version else None
    except InvalidVersion:
        return None


def _jetpack_python(ctx):
    jetson = ctx.facts.jetson
    if jetson is None or not jetson.jetpack:
        return None
    return (jetpack_components(jetson.jetpack, ctx.recipes) or {}).get("python")


def check_version_supported(ctx):
    facts = ctx.facts
    version = facts.tensorrt.version or facts.tensorrt.python.version
    if not version:
        return _supported.skip("TensorRT version unknown")
    choice = torch2trt_for_tensorrt(version, ctx.recipes)
    if choice.get("supported"):
        return _supported.ok("TensorRT {} → torch2trt {}".format(version, choice["ref"]), detail=choice.get("note"))
    return _supported.fail("TensorRT {} is not supported by any torch2trt release".format(version),
                           fix=choice.get("note") or "Install TensorRT 10.x (or 8.6) for torch2trt.")


def check_not_rtx(ctx):
    """TensorRT-RTX (libtensorrt_rtx, the tensorrt_rtx module) is a separate product for RTX
    GPUs: torch2trt imports ``tensorrt`` and links libnvinfer, so it cannot use it."""
    facts = ctx.facts
    trt = facts.tensorrt
    seen = ([trt.python.rtx] if trt.python.rtx else []) + list(trt.rtx_libs)
    if not seen:
        return _not_rtx.skip("no TensorRT-RTX found")
    has_trt = bool(trt.lib_dir or trt.python.importable)
    summary = ("TensorRT-RTX is installed ({}){}".format(
        ", ".join(seen[:2]), "" if has_trt else ", but not TensorRT: torch2trt needs TensorRT itself "
        "(libnvinfer and the tensorrt module); TensorRT-RTX's library and module have other names"))
    if has_trt:
        return _not_rtx.ok(summary + "; TensorRT is installed too, and torch2trt uses that",
                           detail=", ".join(seen))
    if facts.jetson is not None:
        fix = _install_hint(facts)
    else:
        fix = ("{}   # TensorRT's Python bindings; for the headers and libnvinfer.so that "
               "torch2trt's build needs: {}".format(
                   pip_command(facts.python.executable, "install", tensorrt_pip_package(facts)),
                   _install_hint(facts)))
    return _not_rtx.fail(summary, fix=fix, detail=", ".join(seen))


# -- registration (listed in order by checks/__init__.py) --

HEADERS = Check.of(_headers, check_headers)
HEADERS_COMPLETE = Check.of(_complete, check_headers_complete)
LIBRARY = Check.of(_library, check_library)
PYTHON_VISIBLE = Check.of(_python, check_python_visible)
VERSION_SUPPORTED = Check.of(_supported, check_version_supported)
NOT_RTX = Check.of(_not_rtx, check_not_rtx)

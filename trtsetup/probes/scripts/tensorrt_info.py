"""Run inside the target interpreter: can it import tensorrt, which version, from which file?

Standard library only, Python 3.6 compatible. Prints one JSON line:
{"importable", "version", "file", "error", "namespace_package", "has_api", "dist_version", "rtx"}.
``rtx`` names the TensorRT-RTX bindings when they are installed (found, not imported).
``version`` is ``tensorrt.__version__`` or, when that is missing (a broken TRT 10 pip install,
torch2trt#953), the installed distribution's metadata version.
"""
import json
import sys

DISTS = ("tensorrt", "tensorrt-cu13", "tensorrt-cu12", "tensorrt-cu11", "tensorrt_cu13",
         "tensorrt_cu12", "nvidia-tensorrt", "tensorrt-bindings", "tensorrt-cu12-bindings",
         "tensorrt-cu13-bindings")


def dist_version():
    try:
        from importlib import metadata  # Python >= 3.8
        for name in DISTS:
            try:
                return metadata.version(name)
            except Exception:
                continue
        return None
    except ImportError:
        pass
    try:
        import pkg_resources
    except Exception:
        return None
    for name in DISTS:
        try:
            return pkg_resources.get_distribution(name).version
        except Exception:
            continue
    return None


RTX_DISTS = ("tensorrt-rtx-cu12-bindings", "tensorrt-rtx-cu13-bindings", "tensorrt-rtx-cu12",
             "tensorrt-rtx-cu13", "tensorrt-rtx", "tensorrt_rtx")


def rtx_bindings():
    """"tensorrt_rtx_bindings 1.7.1.116" when TensorRT-RTX's module is installed, else None."""
    try:
        import importlib.util
        found = [n for n in ("tensorrt_rtx_bindings", "tensorrt_rtx")
                 if importlib.util.find_spec(n) is not None]
    except Exception:
        return None
    if not found:
        return None
    version = None
    try:
        from importlib import metadata  # Python >= 3.8
        for name in RTX_DISTS:
            try:
                version = metadata.version(name)
                break
            except Exception:
                continue
    except ImportError:
        pass
    return found[0] + (" " + version if version else "")


def main():
    out = {"importable": False, "version": None, "file": None, "error": None,
           "namespace_package": None, "has_api": None, "dist_version": None, "rtx": None}
    try:
        import tensorrt
    except BaseException as exc:  # ImportError, OSError from a missing libnvinfer, SystemExit ...
        out["error"] = "{}: {}".format(type(exc).__name__, exc)[:500]
    else:
        out["importable"] = True
        out["file"] = getattr(tensorrt, "__file__", None)
        out["namespace_package"] = out["file"] is None and hasattr(tensorrt, "__path__")
        out["has_api"] = hasattr(tensorrt, "Builder")
        version = getattr(tensorrt, "__version__", None)
        out["version"] = version if isinstance(version, str) else None
    try:
        out["dist_version"] = dist_version()
    except Exception:
        out["dist_version"] = None
    try:
        out["rtx"] = rtx_bindings()
    except Exception:
        out["rtx"] = None
    if out["importable"] and not out["version"]:
        out["version"] = out["dist_version"]
    sys.stdout.write("\n" + json.dumps(out) + "\n")


main()

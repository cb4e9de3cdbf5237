"""After install: in a fresh interpreter, from an empty directory, ``import torch2trt`` must
resolve to the installed package (not a clone directory: F12), and the plugin library must
load — by the bare name torch2trt itself uses (F20), and by absolute path (which tells a
loader-path problem from a library that does not load at all).

The script runs in the *target* interpreter (3.6-compatible, stdlib only) and prints one JSON
line; trtsetup's own process imports nothing of torch/tensorrt/torch2trt.
"""

import json
import os
import shutil
import tempfile
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from ..errors import ActionFailed

VERIFY_TIMEOUT = 300.0

VERIFY_SCRIPT = r'''
import json, os, sys
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]  # no cwd on the path (python -P on >= 3.11 does the same)
out = {"python": sys.executable, "cwd": os.getcwd()}
lib, name = sys.argv[1], sys.argv[2]
try:
    import torch2trt
    out["file"] = getattr(torch2trt, "__file__", None)
    out["path"] = list(getattr(torch2trt, "__path__", []) or [])
    out["import_error"] = None
    converters = getattr(getattr(torch2trt, "torch2trt", None), "CONVERTERS", None)
    if converters is not None:
        try:
            import torch
            out["reflection_pad_converter"] = torch.nn.ReflectionPad2d.forward in converters
        except Exception as exc:
            out["reflection_pad_converter"] = None
except Exception as exc:
    out["file"] = None
    out["import_error"] = "%s: %s" % (type(exc).__name__, exc)
if lib or name:
    import ctypes
    # by name first: that is what torch2trt does (after a preload hook, if any, ran on import);
    # by path second, to tell "not on the loader path" (F20) from "does not load at all"
    for key, target in (("lib_by_name", name), ("lib_by_path", lib)):
        if not target:
            continue
        try:
            ctypes.CDLL(target)
            out[key] = None
        except OSError as exc:
            out[key] = str(exc)
print("TRTSETUP-VERIFY " + json.dumps(out, sort_keys=True))
'''


class VerifyResult(NamedTuple):
    file: Optional[str]
    lib_path: Optional[str]
    lib_by_path_error: Optional[str]
    lib_by_name_error: Optional[str]
    reflection_pad_converter: Optional[bool]
    raw: Dict[str, Any]


def parse_verify_output(text):
    # type: (str) -> Optional[Dict[str, Any]]
    for line in reversed((text or "").splitlines()):
        if line.startswith("TRTSETUP-VERIFY "):
            try:
                doc = json.loads(line[len("TRTSETUP-VERIFY "):])
            except ValueError:
                return None
            return doc if isinstance(doc, dict) else None
    return None


def _inside(path, directory):
    if not path or not directory:
        return False
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def verify_install(run, python, src_dir=None, plugins_lib=None, env=None, log_path=None,
                   timeout=VERIFY_TIMEOUT, lib_name="libtorch2trt_plugins.so"):
    # type: (Callable[..., Any], str, Optional[str], Optional[str], Optional[Dict[str, str]], Optional[str], float, str) -> VerifyResult
    """Raise ActionFailed unless torch2trt imports from its install and the library loads."""
    neutral = tempfile.mkdtemp(prefix="trtsetup-verify-")
    try:
        argv = [python, "-c", VERIFY_SCRIPT, plugins_lib or "", lib_name if plugins_lib else ""]
        result = run(argv, env=env, cwd=neutral, timeout=timeout)
    finally:
        shutil.rmtree(neutral, ignore_errors=True)
    doc = parse_verify_output(result.stdout)
    where = " at " + log_path if log_path else ""
    if doc is None:
        raise ActionFailed("the torch2trt self-test did not run ({})".format(
            ((result.stderr or result.error or "").strip().splitlines() or ["no output"])[-1]),
            fix="Run `{} -c 'import torch2trt'` from an empty directory and read the error; log{}.".format(
                python, where), log_path=log_path)
    if doc.get("import_error"):
        raise ActionFailed("import torch2trt failed in {}: {}".format(python, doc["import_error"]),
                           fix="Read the error; missing torch/tensorrt/torchvision/packaging in this "
                               "interpreter is the usual cause (log{}).".format(where), log_path=log_path)
    file = doc.get("file")
    if not file:
        raise ActionFailed("import torch2trt found a directory without __init__.py ({}): a source "
                           "clone on sys.path, not the installed package [F12]".format(doc.get("path")),
                           fix="Remove the clone from the path (PYTHONPATH, cwd) or reinstall.",
                           log_path=log_path)
    if src_dir and _inside(file, src_dir):
        raise ActionFailed("import torch2trt resolved to the source tree {} [F12]".format(file),
                           fix="Reinstall the wheel and run from outside the clone.", log_path=log_path)
    by_path = doc.get("lib_by_path") if plugins_lib else None
    by_name = doc.get("lib_by_name") if plugins_lib else None
    if plugins_lib and by_path:
        raise ActionFailed("the plugin library {} does not load: {}".format(plugins_lib, by_path),
                           fix="Its dependencies (libnvinfer, libcudart) must be on the loader path; "
                               "run `ldd {}`.".format(plugins_lib), log_path=log_path)
    if plugins_lib and by_name:
        raise ActionFailed("the plugin library loads by path but not by the name torch2trt uses "
                           "({}): its directory is not on the loader path [F20]".format(by_name),
                           fix="As root: install to /usr/local/lib and run ldconfig; otherwise keep "
                               "trtsetup's preload hook ({}.pth) in this interpreter's site dir.".format(
                                   "trtsetup_t2t_plugins"), log_path=log_path)
    return VerifyResult(file, plugins_lib, by_path, by_name, doc.get("reflection_pad_converter"), doc)

# Run inside the *target* interpreter as ``python -c <this file's text>`` by
# trtsetup.probes.python_env.read_torch_runtime. Standard library plus the torch and
# torchvision it is asked about; Python 2.7 / 3.6+ syntax. Prints exactly one JSON document
# (one line) on stdout; every failure is caught and reported as text in the document.
# Progress goes to stderr as "trtsetup-stage: NAME" lines, so that a crash (SIGILL, SIGSEGV)
# can be attributed to the step that was running.
import json
import os
import sys
import time

STARTED = time.time()


def _neutral_path():
    # ``python -c`` puts the current directory first on sys.path: a ``torch/`` or
    # ``torchvision/`` folder there (a git clone) would shadow the installed package.
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and p != cwd]


def _stage(name):
    sys.stderr.write("trtsetup-stage: %s\n" % name)
    sys.stderr.flush()


def _err(exc):
    text = "%s: %s" % (type(exc).__name__, exc)
    return text.strip()[:2000]


class _StdoutToStderr(object):
    """Send everything written to fd 1 (Python and C level) to stderr until restored."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = None
        try:
            self.saved = os.dup(1)
            os.dup2(2, 1)
        except (OSError, AttributeError):
            self.saved = None
        return self

    def __exit__(self, *exc):
        try:
            sys.stdout.flush()
        except Exception:
            pass
        if self.saved is not None:
            os.dup2(self.saved, 1)
            os.close(self.saved)
        return False


def _torch(doc):
    _stage("import torch")
    try:
        import torch
    except BaseException as exc:  # SystemExit / KeyboardInterrupt from a broken install too
        doc["imported"] = False
        doc["error"] = _err(exc)
        return None
    doc["imported"] = True
    doc["version"] = str(getattr(torch, "__version__", None) or "") or None
    doc["file"] = getattr(torch, "__file__", None)
    version_mod = getattr(torch, "version", None)
    cuda = getattr(torch, "cuda", None)
    problems = []
    try:
        doc["cuda_version"] = getattr(version_mod, "cuda", None)
        compiled = getattr(cuda, "_is_compiled", None)
        if compiled is not None:
            doc["cuda_built"] = bool(compiled())
        else:
            doc["cuda_built"] = doc["cuda_version"] is not None
    except Exception as exc:
        problems.append("torch.cuda._is_compiled(): " + _err(exc))
    _stage("torch.cuda.is_available")
    try:
        doc["cuda_available"] = bool(cuda.is_available())
    except Exception as exc:
        problems.append("torch.cuda.is_available(): " + _err(exc))
    if doc.get("cuda_available"):
        _stage("torch.cuda devices")
        try:
            doc["device_count"] = int(cuda.device_count())
            doc["device_name"] = str(cuda.get_device_name(0))
            major, minor = cuda.get_device_capability(0)
            doc["device_capability"] = "%d.%d" % (major, minor)
        except Exception as exc:
            problems.append("torch.cuda device 0: " + _err(exc))
    elif doc.get("cuda_available") is False:
        doc["device_count"] = 0
    try:
        get_arch_list = getattr(cuda, "get_arch_list", None)
        if get_arch_list is not None and doc.get("cuda_built"):
            doc["arch_list"] = [str(a) for a in get_arch_list()]
    except Exception as exc:
        problems.append("torch.cuda.get_arch_list(): " + _err(exc))
    if problems:
        doc["error"] = "; ".join(problems)
    return torch


def _torchvision(doc, torch):
    _stage("import torchvision")
    try:
        import torchvision
    except BaseException as exc:
        doc["torchvision_imported"] = False
        doc["torchvision_error"] = _err(exc)
        if "torchvision::" in doc["torchvision_error"]:
            # torchvision >= 0.15 registers its operators at import: a build for another
            # torch fails right here with "operator torchvision::nms does not exist".
            doc["torchvision_ops"] = False
        return
    doc["torchvision_imported"] = True
    doc["torchvision_version"] = str(getattr(torchvision, "__version__", None) or "") or None
    doc["torchvision_file"] = getattr(torchvision, "__file__", None)
    if torch is None:
        return
    _stage("torchvision.ops.nms")
    try:
        boxes = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
        scores = torch.tensor([1.0, 0.5])
        keep = torchvision.ops.nms(boxes, scores, 0.5)
        doc["torchvision_ops"] = [int(i) for i in keep.tolist()] == [0]
        if not doc["torchvision_ops"]:
            doc["torchvision_error"] = "torchvision.ops.nms returned %r" % (keep.tolist(),)
    except BaseException as exc:
        doc["torchvision_ops"] = False
        doc["torchvision_error"] = _err(exc)


def main():
    doc = {"schema": 1, "imported": None, "error": None}
    out = sys.stdout
    try:
        _neutral_path()
        with _StdoutToStderr():
            torch = _torch(doc)
            # --no-torchvision: the caller proved from metadata that torchvision pairs with
            # this torch; importing it would add seconds (3.7 s on an H100 host).
            if "--no-torchvision" not in sys.argv[1:]:
                _torchvision(doc, torch)
    except BaseException as exc:  # never a traceback
        doc["error"] = _err(exc)
    doc["seconds"] = round(time.time() - STARTED, 3)
    _stage("done")
    out.write(json.dumps(doc, sort_keys=True) + "\n")
    out.flush()


main()

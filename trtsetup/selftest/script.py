"""trtsetup conversion self-test. Runs INSIDE the target interpreter, from a neutral directory.

Uses only the standard library, torch, tensorrt and torch2trt (plus trtsetup.wavelets, found
through --trtsetup-path). Python 3.6 syntax. Prints exactly one JSON document on stdout:

    {"schema": "trtsetup.selftest/1", "status": "pass"|"fail"|"cannot-run",
     "cause": null|"no-torch"|"no-cuda"|"no-tensorrt"|"no-torch2trt", "error": null|"...",
     "torch2trt_file": "...", "torch2trt_source_tree": false, "versions": {...},
     "device": "cuda", "fp16": false, "tolerance": 0.01,
     "models": [{"name": "cnn", "status": "pass"|"fail"|"skip", "max_abs_error": 1e-4,
                 "save_load": "pass", "torch_ms": 0.4, "tensorrt_ms": 0.1, "speedup": 4.0,
                 "error": null, "detail": null}, ...]}

Each model: convert with torch2trt, compare on fresh random inputs (allclose, atol = rtol =
1e-2 in fp32, 1e-1 with --fp16), reload the engine through state_dict into a new TRTModule and
compare again, then time PyTorch and TensorRT (warm-up, then --iters iterations, synchronised,
median). --device cpu exists only so tests can run this whole path with test doubles.
"""

import argparse
import json
import os
import sys
import time
import traceback

SCHEMA = "trtsetup.selftest/1"
DEFAULT_MODELS = ("cnn", "mwcnn-dwt", "mwcnn-iwt", "reflection-pad")
# Not run by default: trtsetup's own blocks converted by torch2trt's BUILT-IN converters
# (our converter taken out of the registry for the duration), for investigating torch2trt.
EXTRA_MODELS = ("wavelets-dwt-builtin", "wavelets-iwt-builtin")
ALL_MODELS = DEFAULT_MODELS + EXTRA_MODELS


def _error_text(exc):
    return "%s: %s" % (type(exc).__name__, exc)


def _cannot_run(doc, cause, error):
    doc["status"] = "cannot-run"
    doc["cause"] = cause
    doc["error"] = error
    return doc


def _median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return 0.5 * (ordered[mid - 1] + ordered[mid])


def build_models(torch, names, device):
    """{name: (module, input shape, why-skipped or None)} for the requested names."""
    nn = torch.nn
    from trtsetup.wavelets import DWT, IWT
    from trtsetup.wavelets import reference

    class SmallCNN(nn.Module):
        def __init__(self):
            super(SmallCNN, self).__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                nn.AdaptiveAvgPool2d(1))
            self.classifier = nn.Linear(32, 10)

        def forward(self, x):
            return self.classifier(self.features(x).view(x.shape[0], -1))

    # A module-level name, so the class can be found again by reference (pickle, torch2trt).
    SmallCNN.__qualname__ = SmallCNN.__name__
    globals()["SmallCNN"] = SmallCNN
    plugin = _plugin_loaded(torch)
    table = {
        "cnn": (SmallCNN, (1, 3, 64, 64), None),
        "mwcnn-dwt": (reference.OriginalDWT, (1, 64, 64, 64), None),
        "mwcnn-iwt": (reference.OriginalIWT, (1, 256, 32, 32), None),
        "reflection-pad": (lambda: nn.ReflectionPad2d(2), (1, 3, 32, 32),
                           None if plugin else "torch2trt plugin library not loaded "
                           "(torch.nn.ReflectionPad2d.forward not in CONVERTERS) and F.pad not "
                           "patched for every mode (trtsetup patch --tensorrt-version 10)"),
        "wavelets-dwt-builtin": (DWT, (1, 64, 64, 64), None),
        "wavelets-iwt-builtin": (IWT, (1, 256, 32, 32), None),
    }
    models = {}
    for name in names:
        factory, shape, skip = table[name]
        module = None if skip else factory().to(device).eval()
        models[name] = (module, shape, skip)
    return models


def _registry():
    return sys.modules["torch2trt.torch2trt"].CONVERTERS


def _plugin_loaded(torch):
    """nn.ReflectionPad2d converts: the plugin library registered its converter, or `trtsetup
    patch` (TensorRT >= 10) replaced F.pad's converter by one that handles every mode."""
    try:
        registry = _registry()
        if torch.nn.ReflectionPad2d.forward in registry:
            return True
        entry = registry.get("torch.nn.functional.pad") or registry.get(torch.nn.functional.pad) or {}
        return getattr(entry.get("converter"), "__name__", "") == "convert_pad_every_mode"
    except Exception:
        return False


class _WithoutOurConverters(object):
    """Take trtsetup's converters for its own blocks out of torch2trt's registry for a while."""

    def __init__(self, active):
        self.active = active
        self.saved = {}

    def __enter__(self):
        if self.active:
            from trtsetup.wavelets import DWT, IWT
            registry = _registry()
            for method in (DWT.forward, IWT.forward):
                if method in registry:
                    self.saved[method] = registry.pop(method)
        return self

    def __exit__(self, *exc):
        _registry().update(self.saved)
        return False


def time_ms(torch, fn, x, warmup, iters, cuda):
    with torch.no_grad():
        for _ in range(warmup):
            fn(x)
        times = []
        for _ in range(iters):
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn(x)
            if cuda:
                torch.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1000.0)
    return _median(times)


def run_model(torch, torch2trt, TRTModule, name, module, shape, args, tolerance):
    result = {"name": name, "status": "fail", "max_abs_error": None, "save_load": None,
              "torch_ms": None, "tensorrt_ms": None, "speedup": None, "error": None,
              "detail": None}
    device = torch.device(args.device)
    cuda = args.device == "cuda"
    stage = "convert"
    try:
        x = torch.randn(*shape, device=device)
        with torch.no_grad(), _WithoutOurConverters(name.endswith("-builtin")):
            model_trt = torch2trt(module, [x], fp16_mode=args.fp16,
                                  max_workspace_size=1 << 28)
        stage = "compare"
        fresh = torch.randn(*shape, device=device)
        with torch.no_grad():
            expected = module(fresh)
            got = model_trt(fresh)
        error = float((got.float() - expected.float()).abs().max())
        result["max_abs_error"] = error
        ok = bool(torch.allclose(got.float(), expected.float(), atol=tolerance, rtol=tolerance))
        stage = "save-load"
        reloaded = TRTModule()
        reloaded.load_state_dict(model_trt.state_dict())
        with torch.no_grad():
            again = reloaded(fresh)
        same = bool(torch.allclose(again.float(), expected.float(), atol=tolerance,
                                   rtol=tolerance))
        result["save_load"] = "pass" if same else "fail"
        stage = "timing"
        result["torch_ms"] = time_ms(torch, module, fresh, args.warmup, args.iters, cuda)
        result["tensorrt_ms"] = time_ms(torch, model_trt, fresh, args.warmup, args.iters, cuda)
        if result["tensorrt_ms"] > 0:
            result["speedup"] = result["torch_ms"] / result["tensorrt_ms"]
        if ok and same:
            result["status"] = "pass"
        elif not ok:
            result["detail"] = ("max |tensorrt - torch| = %.3g exceeds atol=rtol=%g"
                                % (error, tolerance))
        else:
            result["detail"] = "engine reloaded through state_dict gives different outputs"
    except Exception as exc:
        result["error"] = _error_text(exc)
        result["detail"] = "failed during %s: %s" % (stage, traceback.format_exc(limit=3))
    return result


def _source_tree(path):
    """True when torch2trt was imported from a git checkout (a clone, or an editable install)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    return os.path.exists(os.path.join(root, "setup.py")) and os.path.isdir(
        os.path.join(root, ".git"))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="trtsetup-selftest")
    parser.add_argument("--trtsetup-path", required=True)
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--model", action="append", choices=ALL_MODELS, default=None)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--iters", type=int, default=50)
    args = parser.parse_args(argv)

    # Nothing from the current directory or our own folder may shadow torch2trt (F12).
    here = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else None
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here)]
    sys.path.insert(0, args.trtsetup_path)

    tolerance = 1e-1 if args.fp16 else 1e-2
    doc = {"schema": SCHEMA, "status": None, "cause": None, "error": None,
           "python": sys.executable, "device": args.device, "fp16": bool(args.fp16),
           "tolerance": tolerance, "versions": {}, "torch2trt_file": None,
           "torch2trt_source_tree": None, "models": []}
    try:
        import torch
    except Exception as exc:
        return _cannot_run(doc, "no-torch", _error_text(exc))
    doc["versions"]["torch"] = getattr(torch, "__version__", None)
    doc["versions"]["torch_cuda"] = getattr(torch.version, "cuda", None)
    if args.device == "cuda" and not torch.cuda.is_available():
        built = ("built for CUDA %s" % torch.version.cuda if getattr(torch.version, "cuda", None)
                 else "a CPU-only build: no CUDA")
        return _cannot_run(doc, "no-cuda", "torch.cuda.is_available() is False (torch %s, %s)"
                           % (torch.__version__, built))
    if args.device == "cuda":
        doc["versions"]["gpu"] = torch.cuda.get_device_name(0)
    try:
        import tensorrt
    except Exception as exc:
        return _cannot_run(doc, "no-tensorrt", _error_text(exc))
    doc["versions"]["tensorrt"] = getattr(tensorrt, "__version__", None)
    try:
        import torch2trt as t2t_package
        location = getattr(t2t_package, "__file__", None)
        if location is None:
            raise ImportError("torch2trt resolves to a namespace package at %s: a clone "
                              "directory shadows the installed package"
                              % list(getattr(t2t_package, "__path__", [])))
        from torch2trt import TRTModule, torch2trt
        _registry()
    except Exception as exc:
        return _cannot_run(doc, "no-torch2trt", _error_text(exc))
    doc["torch2trt_file"] = location
    doc["torch2trt_source_tree"] = _source_tree(location)
    doc["versions"]["torch2trt"] = getattr(t2t_package, "__version__", None)

    names = args.model or list(DEFAULT_MODELS)
    try:
        import trtsetup.wavelets.converters  # noqa: F401  (hooks MWCNN's DWT/IWT)
        models = build_models(torch, names, args.device)
    except Exception as exc:
        doc["status"] = "fail"
        doc["error"] = _error_text(exc)
        doc["models"] = [{"name": n, "status": "fail", "error": doc["error"]} for n in names]
        return doc
    for name in names:
        module, shape, skip = models[name]
        if skip:
            doc["models"].append({"name": name, "status": "skip", "detail": skip})
            continue
        doc["models"].append(run_model(torch, torch2trt, TRTModule, name, module, shape, args,
                                       tolerance))
    failed = [m for m in doc["models"] if m["status"] == "fail"]
    doc["status"] = "fail" if failed else "pass"
    return doc


def _entry():
    # torch2trt and TensorRT print warnings with print(): keep stdout for our one document.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        doc = main()
    except SystemExit:
        raise
    except BaseException as exc:  # a bug here, or Ctrl-C: still answer with one document
        doc = {"schema": SCHEMA, "status": "fail", "cause": "internal",
               "error": _error_text(exc), "detail": traceback.format_exc(), "models": []}
    finally:
        sys.stdout = real_stdout
    real_stdout.write(json.dumps(doc, sort_keys=True) + "\n")
    real_stdout.flush()


if __name__ == "__main__":
    _entry()

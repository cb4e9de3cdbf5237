"""Convert models with torch2trt through the real TensorRT builder; one JSON line per model.

Test and benchmark code, run in its own process (torch2trt is imported once per process, from
--t2t DIR). ``tests/realtrt`` must come first on sys.path so ``import tensorrt`` is the
TensorRT-RTX adapter there; this script puts it there itself.

    python tests/realtrt/convert_child.py --t2t DIR --matrix [NAME ...]
    python tests/realtrt/convert_child.py --t2t DIR --selftest [NAME ...]

Each line: {"model", "status": "engine"|"no-engine"|"baked-constant"|"error", "engine_bytes", "network_shapes",
"torch_shapes", "error", "trt_errors"}. "engine" means build_serialized_network returned a
serialized engine AND the network's output shapes equal PyTorch's. No engine is run: the
TensorRT-RTX runtime refuses (no GPU here; compute capability 9.0 on the H200).
"""

import argparse
import json
import os
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(1, REPO)
warnings.filterwarnings("ignore")

import tensorrt as trt  # noqa: E402  (the adapter)


class RecordingLogger(trt.ILogger):
    """trt.Logger stand-in that keeps the builder's error messages for the report."""

    INTERNAL_ERROR = trt.ILogger.Severity.INTERNAL_ERROR
    ERROR = trt.ILogger.Severity.ERROR
    WARNING = trt.ILogger.Severity.WARNING
    INFO = trt.ILogger.Severity.INFO
    VERBOSE = trt.ILogger.Severity.VERBOSE
    Severity = trt.ILogger.Severity
    messages = []

    def __init__(self, min_severity=None):
        trt.ILogger.__init__(self)

    def log(self, severity, msg):
        if severity in (trt.ILogger.Severity.ERROR, trt.ILogger.Severity.INTERNAL_ERROR):
            RecordingLogger.messages.append(msg)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


trt.Logger = RecordingLogger
_SERIALIZED = []
_build = trt.Builder.build_serialized_network


_BUILD_MESSAGES = []  # how many logger errors there were when the build returned


def _recording_build(self, network, config):
    engine = _build(self, network, config)
    _SERIALIZED.append(engine)
    _BUILD_MESSAGES.append(len(RecordingLogger.messages))
    return engine


trt.Builder.build_serialized_network = _recording_build
_NETWORKS = []
_create = trt.Builder.create_network


def _recording_create(self, flags=0):
    network = _create(self, flags)
    _NETWORKS.append(network)
    return network


trt.Builder.create_network = _recording_create


DEVICE = "cpu"
BAKED = []  # activations torch2trt turned into constants during the current conversion


def watch_constants(torch):
    """Wrap torch2trt's add_missing_trt_tensors/trt_ wherever they were imported, to record an
    ACTIVATION (a tensor with a grad_fn: computed from the input and the weights) that reaches
    a converter without a TensorRT tensor. torch2trt then bakes its value into the network as
    a constant: an op before it was not converted, and the engine is wrong for any other
    input. Weights and buffers are leaves (no grad_fn) and are constants by right."""
    core = sys.modules["torch2trt.torch2trt"]  # the module: the package rebinds the name to the function

    def watched(original):
        def wrapper(network, *args):
            tensors = args[0] if original.__name__ == "add_missing_trt_tensors" else args
            for t in tensors:
                if isinstance(t, torch.Tensor) and not hasattr(t, "_trt") and t.grad_fn is not None:
                    BAKED.append("%s%s" % (t.grad_fn.name(), tuple(t.shape)))
            return original(network, *args)
        wrapper.__name__ = original.__name__
        return wrapper

    for name in ("add_missing_trt_tensors", "trt_"):
        original = getattr(core, name)
        replacement = watched(original)
        for module in list(sys.modules.values()):
            if module is not None and getattr(module, name, None) is original:
                setattr(module, name, replacement)


def _shapes(value, torch):
    if isinstance(value, torch.Tensor):
        return [list(value.shape)]
    out = []
    for item in value:
        out.extend(_shapes(item, torch))
    return out


def first_bad_layer(network):
    """The first layer whose output shape TensorRT cannot compute, as "index type name"."""
    for index in range(network.num_layers):
        layer = network.get_layer(index)
        for out in range(layer.num_outputs):
            try:
                layer.get_output(out).shape
            except Exception:
                return "layer %d %s %r" % (index, str(layer.type).split(".")[-1], layer.name)
    return None


def _first_line(exc):
    """The exception's first line; for pybind11's "incompatible function arguments" also the
    "Invoked with" line, which names the bad value."""
    lines = ("%s: %s" % (type(exc).__name__, exc)).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    invoked = [l.strip() for l in lines if l.strip().startswith("Invoked with")]
    if invoked:
        value = invoked[0].split(">, ", 1)[-1] if ">, " in invoked[0] else invoked[0]
        text = text.replace(" The following argument types are supported:", "") + " invoked with " + value
    return text[:300]


def convert_one(name, module, shape, torch, torch2trt, **kwargs):
    RecordingLogger.messages[:] = []
    del _SERIALIZED[:]
    del _NETWORKS[:]
    del BAKED[:]
    del _BUILD_MESSAGES[:]
    record = {"model": name, "status": "error", "engine_bytes": None, "network_shapes": None,
              "torch_shapes": None, "error": None, "trt_errors": []}
    try:
        dtype = kwargs.pop("dtype", torch.float32)
        x = torch.randn(*shape).to(dtype).to(DEVICE)
        module = module.to(dtype).to(DEVICE).eval()
        with torch.no_grad():
            expected = module(x)
        record["torch_shapes"] = _shapes(expected, torch)
        module_trt = torch2trt(module, [x], **kwargs)  # with grad: activations have a grad_fn
        network = module_trt.network
        record["network_shapes"] = [list(network.get_output(i).shape)
                                    for i in range(network.num_outputs)]
        engine = _SERIALIZED[-1] if _SERIALIZED else None
        record["engine_bytes"] = None if engine is None else int(engine.nbytes)
        if engine is None:
            record["status"] = "no-engine"
            record["error"] = ("the builder returned no engine: " + RecordingLogger.messages[0][:250]
                               if RecordingLogger.messages else "the builder returned no engine")
        elif BAKED:
            record["status"] = "baked-constant"
            record["error"] = ("an op was not converted: its output (%s) became a constant in "
                               "the network" % BAKED[0])
        elif record["network_shapes"] != record["torch_shapes"]:
            record["error"] = "network output shapes %s != PyTorch's %s" % (
                record["network_shapes"], record["torch_shapes"])
        else:
            record["status"] = "engine"
    except Exception as exc:  # one model failing is one row of the report
        record["error"] = _first_line(exc)
        network = _NETWORKS[-1] if _NETWORKS else None
        bad = first_bad_layer(network) if network is not None else None
        if bad and "shape" in record["error"]:
            record["error"] += " (first layer without a shape: %s)" % bad
        if BAKED:
            record["error"] += "; before it, an op was not converted: its output (%s) became a constant" % BAKED[0]
        record["traceback"] = traceback.format_exc()[-2000:]
    built_at = _BUILD_MESSAGES[-1] if _BUILD_MESSAGES else len(RecordingLogger.messages)
    record["trt_errors"] = RecordingLogger.messages[:built_at][:5]
    # After the build, torch2trt's TRTModule deserializes the engine: TensorRT-RTX refuses
    # (no GPU here: "CUDA driver version is insufficient"; an H200: compute capability 9.0).
    record["runtime_errors"] = RecordingLogger.messages[built_at:][:3]
    return record


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--t2t", required=True, help="torch2trt source tree to import")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--matrix", action="store_true")
    group.add_argument("--selftest", action="store_true")
    parser.add_argument("--fp16", action="store_true")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.abspath(args.t2t))
    global DEVICE
    DEVICE = args.device
    import torch
    from torch2trt import torch2trt
    import trtsetup.wavelets.converters  # noqa: F401  (hooks MWCNN's DWT/IWT, as install does)
    watch_constants(torch)
    if args.matrix:
        sys.path.insert(0, os.path.join(REPO, "benchmarks"))
        import t2t_models
        table = t2t_models.MODELS
        names = args.names or list(table)
        items = [(n, table[n][0](), table[n][1]) for n in names]
    else:
        from trtsetup.selftest import script
        names = args.names or list(script.DEFAULT_MODELS)
        built = script.build_models(torch, names, DEVICE)
        items = [(n, built[n][0], built[n][1]) for n in names if built[n][0] is not None]
    for name, module, shape in items:
        kwargs = {"fp16_mode": True, "dtype": torch.float16} if args.fp16 else {}
        print(json.dumps(convert_one(name, module, shape, torch, torch2trt, **kwargs),
                         sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fake torch2trt core: the converter registry with the real lookup rules, and a converter runner.

Test-only. ``tensorrt_converter`` resolves a method by module and qualified name exactly as the
real one does (and, like it, silently disables a converter it cannot resolve).
"""

import copy
import importlib
import io
import os

import numpy as np
import torch

import tensorrt as trt

__all__ = ["CONVERTERS", "tensorrt_converter", "add_missing_trt_tensors", "torch2trt",
           "TRTModule", "get_arg"]

CONVERTERS = {}


def _faults(name):
    """Faults from TRTSETUP_FAKE_T2T_FAULT that apply to a model whose class is ``name``."""
    found = set()
    for item in os.environ.get("TRTSETUP_FAKE_T2T_FAULT", "").split(","):
        kind, _, target = item.strip().partition(":")
        if kind and (not target or target in name):
            found.add(kind)
    return found


def _module_and_qualname(method):
    if isinstance(method, str):
        parts = method.split(".")
        for i in range(len(parts) - 1, 0, -1):
            try:
                return importlib.import_module(".".join(parts[:i])), ".".join(parts[i:])
            except ImportError:
                continue
        raise RuntimeError("Could not import module")
    return importlib.import_module(method.__module__), method.__qualname__


def _lookup(module, qual_name):
    value = module
    for part in qual_name.split("."):
        value = getattr(value, part)
    return value


def tensorrt_converter(method, is_real=True, enabled=True, imports=[]):
    module, qual_name = _module_and_qualname(method)
    try:
        method_impl = _lookup(module, qual_name)
    except Exception:
        enabled = False

    def register(converter):
        CONVERTERS[method] = {"converter": converter, "is_real": is_real, "module": module,
                              "qual_name": qual_name, "method_impl": method_impl}
        return converter

    return register if enabled else (lambda converter: converter)


def get_arg(ctx, name, pos, default):
    if name in ctx.method_kwargs:
        return ctx.method_kwargs[name]
    if len(ctx.method_args) > pos:
        return ctx.method_args[pos]
    return default


def add_missing_trt_tensors(network, tensors):
    out = []
    for t in tensors:
        if hasattr(t, "_trt"):
            out.append(t._trt)
        elif isinstance(t, (int, float)):
            out.append(network.add_constant((1,), np.array([t], np.float32)).get_output(0))
        else:
            weight = t.detach().cpu().numpy()
            t._trt = network.add_constant(tuple(t.shape), weight).get_output(0)
            out.append(t._trt)
    return out


class _Context(object):
    def __init__(self, network, fp16_mode):
        self.network = network
        self.lock = False
        self.method_args = None
        self.method_kwargs = None
        self.method_return = None
        self.torch2trt_kwargs = {"fp16_mode": fp16_mode, "int8_mode": False}


def _set(entry, value):
    owner_path, _, attr = entry["qual_name"].rpartition(".")
    owner = _lookup(entry["module"], owner_path) if owner_path else entry["module"]
    setattr(owner, attr, value)


def _hooked(ctx, entry):
    impl = entry["method_impl"]

    def wrapper(*args, **kwargs):
        outputs = impl(*args, **kwargs)
        if ctx.lock:
            return outputs
        ctx.lock = True
        try:
            ctx.method_args, ctx.method_kwargs, ctx.method_return = args, kwargs, outputs
            entry["converter"](ctx)
            return ctx.method_return
        finally:
            ctx.lock = False
    return wrapper


def _own_forward(module):
    for cls in type(module).__mro__:
        if "forward" in cls.__dict__:
            return cls.__dict__["forward"]
    return None


def torch2trt(module, inputs, input_names=None, output_names=None, log_level=None,
              fp16_mode=False, max_workspace_size=1 << 25, strict_type_constraints=False,
              keep_network=True, int8_mode=False, **kwargs):
    faults = _faults(type(module).__name__)
    if "convert-error" in faults:
        raise RuntimeError("fake torch2trt: injected conversion error for %s"
                           % type(module).__name__)
    entry = CONVERTERS.get(_own_forward(module))
    if entry is None or getattr(entry["converter"], "_fake_eager", False):
        payload = {"kind": "eager", "module": copy.deepcopy(module)}
    else:
        network = trt.RecordingNetwork()
        ctx = _Context(network, fp16_mode)
        names = []
        for i, t in enumerate(inputs):
            names.append("input_%d" % i)
            t._trt = network.add_input(names[-1], str(t.dtype), tuple(t.shape))
        _set(entry, _hooked(ctx, entry))
        try:
            output = module(*inputs)
        finally:
            _set(entry, entry["method_impl"])
        if not hasattr(output, "_trt"):
            raise RuntimeError("fake torch2trt: output has no _trt (converter did not run)")
        network.mark_output(output._trt)
        payload = {"kind": "network", "network": network, "input_names": names}
    payload["fp16_mode"] = bool(fp16_mode)
    payload["fault"] = "mismatch" in faults
    return TRTModule(payload)


class TRTModule(torch.nn.Module):
    """Holds a recorded network (or a copy of the eager model); ``engine`` round-trips through
    ``state_dict`` as bytes, like the real TRTModule."""

    def __init__(self, payload=None):
        super(TRTModule, self).__init__()
        self.engine = payload

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        buffer = io.BytesIO()
        torch.save(self.engine, buffer)
        destination[prefix + "engine"] = bytearray(buffer.getvalue())

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        if "load-error" in os.environ.get("TRTSETUP_FAKE_T2T_FAULT", ""):
            raise AttributeError("'NoneType' object has no attribute 'create_execution_context'")
        data = bytes(state_dict[prefix + "engine"])
        self.engine = torch.load(io.BytesIO(data), weights_only=False)

    def forward(self, *inputs):
        payload = self.engine
        if payload["kind"] == "eager":
            with torch.no_grad():
                out = payload["module"](*inputs)
        else:
            feeds = dict(zip(payload["input_names"], inputs))
            out = payload["network"].execute(feeds)[0]
        if payload["fp16_mode"]:
            out = out.half().float()
        if payload["fault"]:
            out = out + 1.0
        return out


if os.environ.get("TRTSETUP_FAKE_T2T_PLUGINS") == "1":
    def _convert_reflection_pad(ctx):
        pass
    _convert_reflection_pad._fake_eager = True
    tensorrt_converter(torch.nn.ReflectionPad2d.forward)(_convert_reflection_pad)

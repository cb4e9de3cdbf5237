"""torch2trt converters for MWCNN's UNMODIFIED ``DWT``/``IWT`` blocks, from native TensorRT layers.

MWCNN's ``iwt_init`` allocates ``torch.zeros(...).float().cuda()`` and fills it by strided slice
assignment, which torch2trt cannot trace. This module converts the whole block instead: the
block's ``forward`` becomes one torch2trt converter that builds the transform from native
layers only (strided slices, element-wise sums, a concatenation, two shuffles; no plugin).

Enable it with one line, after the module that defines your blocks has been imported::

    import trtsetup.wavelets.converters   # hooks every MWCNN-style DWT/IWT class already imported

or name the classes (or their module) explicitly, at any time before ``torch2trt(...)``::

    from trtsetup.wavelets.converters import register
    register(model.common.DWT, model.common.IWT)   # or register(model.common) / register("model.common")

How the hook works: for each class, ``register`` calls torch2trt's
``tensorrt_converter(cls.forward)``. torch2trt resolves the method by its module and qualified
name (``model.common`` + ``DWT.forward``) and, while ``torch2trt(...)`` runs, replaces
``model.common.DWT.forward`` by a wrapper that runs the original forward on the GPU and then
calls our converter with ``ctx.method_args == (block, x)``. Nested torch calls inside the
original forward are not converted (the converter holds torch2trt's lock), so the zeros and the
slice assignment never reach TensorRT. A class is recognised as DWT or IWT when its ``forward``
calls ``dwt_init``/``iwt_init`` (MWCNN's code), or when it is ``trtsetup.wavelets.DWT``/``IWT``
(also hooked here), or when you pass ``kind="dwt"|"iwt"``. Classes defined inside a function
cannot be hooked by torch2trt; ``register`` raises then instead of failing silently.

Shapes must be static (torch2trt's default); both explicit-batch (rank 4) and implicit-batch
(rank 3) networks are handled. The layer construction is tested against a recording double of
the TensorRT network API (tests/doubles); it has not yet been run against a real TensorRT.
"""

import importlib
import sys

import numpy as np
import tensorrt as trt
from torch2trt.torch2trt import CONVERTERS, add_missing_trt_tensors, tensorrt_converter

__all__ = ["register", "register_loaded", "build_dwt", "build_iwt", "REGISTERED"]

# Methods hooked by this module, in registration order: [(method, "dwt"|"iwt"), ...]
REGISTERED = []

# TensorRT's Python API does not always copy constant weights before the engine is built.
_KEEP_ALIVE = []


# ---------------------------------------------------------------------------------------------
# Layer construction (pure: a network and a TensorRT tensor in, a TensorRT tensor out)

def _static_dims(tensor, what):
    dims = tuple(int(d) for d in tensor.shape)
    if len(dims) < 3:
        raise ValueError("%s converter needs a (batch,) channel, height, width tensor, got "
                         "TensorRT shape %s" % (what, dims))
    if any(d < 0 for d in dims):
        raise ValueError("%s converter supports static shapes only, got TensorRT shape %s"
                         % (what, dims))
    return dims


def _add(network, a, b, op):
    return network.add_elementwise(a, b, op).get_output(0)


def _half(network, tensor, np_dtype):
    rank = len(tensor.shape)
    value = np.full((1,) * rank, 0.5, dtype=np_dtype)
    _KEEP_ALIVE.append(value)
    const = network.add_constant((1,) * rank, value).get_output(0)
    return _add(network, tensor, const, trt.ElementWiseOperation.PROD)


def build_dwt(network, x, np_dtype=np.float32):
    """Forward Haar transform of TensorRT tensor ``x`` (..., C, H, W) -> (..., 4C, H/2, W/2)."""
    dims = _static_dims(x, "DWT")
    lead, (channels, height, width) = dims[:-3], dims[-3:]
    if height % 2 or width % 2:
        raise ValueError("DWT needs an even height and width, got %dx%d" % (height, width))
    out_dims = lead + (channels, height // 2, width // 2)
    zeros, ones = (0,) * len(lead), (1,) * len(lead)

    def phase(row, col):
        layer = network.add_slice(x, zeros + (0, row, col), out_dims, ones + (1, 2, 2))
        return layer.get_output(0)

    a, b, c, d = phase(0, 0), phase(1, 0), phase(0, 1), phase(1, 1)
    plus, minus = trt.ElementWiseOperation.SUM, trt.ElementWiseOperation.SUB
    ab, ba = _add(network, a, b, plus), _add(network, b, a, minus)
    cd, dc = _add(network, c, d, plus), _add(network, d, c, minus)
    ll = _add(network, ab, cd, plus)     # a+b+c+d
    hl = _add(network, cd, ab, minus)    # -a-b+c+d
    lh = _add(network, ba, dc, plus)     # -a+b-c+d
    hh = _add(network, dc, ba, minus)    # a-b-c+d
    cat = network.add_concatenation([ll, hl, lh, hh])
    cat.axis = len(dims) - 3
    return _half(network, cat.get_output(0), np_dtype)


def build_iwt(network, x, np_dtype=np.float32):
    """Inverse Haar transform of TensorRT tensor ``x`` (..., 4C, H, W) -> (..., C, 2H, 2W)."""
    dims = _static_dims(x, "IWT")
    lead, (channels4, height, width) = dims[:-3], dims[-3:]
    if channels4 % 4:
        raise ValueError("IWT needs a channel count divisible by 4, got %d" % channels4)
    channels = channels4 // 4
    quarter_dims = lead + (channels, height, width)
    zeros, ones = (0,) * len(lead), (1,) * len(lead)

    def quarter(k):
        layer = network.add_slice(x, zeros + (k * channels, 0, 0), quarter_dims, ones + (1, 1, 1))
        return layer.get_output(0)

    x1, x2, x3, x4 = quarter(0), quarter(1), quarter(2), quarter(3)
    plus, minus = trt.ElementWiseOperation.SUM, trt.ElementWiseOperation.SUB
    u, v = _add(network, x1, x2, minus), _add(network, x3, x4, minus)
    s, t = _add(network, x1, x2, plus), _add(network, x3, x4, plus)
    even_even = _add(network, u, v, minus)   # x1-x2-x3+x4 -> rows 0::2, columns 0::2
    even_odd = _add(network, s, t, minus)    # x1+x2-x3-x4 -> rows 0::2, columns 1::2
    odd_even = _add(network, u, v, plus)     # x1-x2+x3-x4 -> rows 1::2, columns 0::2
    odd_odd = _add(network, s, t, plus)      # x1+x2+x3+x4 -> rows 1::2, columns 1::2
    cat = network.add_concatenation([even_even, even_odd, odd_even, odd_odd])
    cat.axis = len(dims) - 3
    scaled = _half(network, cat.get_output(0), np_dtype)
    # (..., [r, s], C, H, W) -> (..., C, H, r, W, s) -> (..., C, 2H, 2W)
    n = len(lead)
    interleave = network.add_shuffle(scaled)
    interleave.reshape_dims = lead + (2, 2, channels, height, width)
    interleave.second_transpose = tuple(range(n)) + (n + 2, n + 3, n, n + 4, n + 1)
    merge = network.add_shuffle(interleave.get_output(0))
    merge.reshape_dims = lead + (channels, 2 * height, 2 * width)
    return merge.get_output(0)


# ---------------------------------------------------------------------------------------------
# torch2trt glue

def _np_dtype(torch_dtype):
    return np.float16 if str(torch_dtype) == "torch.float16" else np.float32


def _converter(build):
    def convert(ctx):
        if "x" in (ctx.method_kwargs or {}):
            x = ctx.method_kwargs["x"]
        else:
            x = ctx.method_args[1]
        output = ctx.method_return
        x_trt = add_missing_trt_tensors(ctx.network, [x])[0]
        output._trt = build(ctx.network, x_trt, _np_dtype(x.dtype))
    convert.__name__ = "convert_mwcnn_" + build.__name__[len("build_"):]
    return convert


convert_dwt = _converter(build_dwt)
convert_iwt = _converter(build_iwt)


def _kind_of(cls):
    from . import blocks
    if isinstance(cls, type) and issubclass(cls, blocks.DWT):
        return "dwt"
    if isinstance(cls, type) and issubclass(cls, blocks.IWT):
        return "iwt"
    code = getattr(getattr(cls, "forward", None), "__code__", None)
    names = set(code.co_names) if code is not None else set()
    if "dwt_init" in names and "iwt_init" not in names:
        return "dwt"
    if "iwt_init" in names and "dwt_init" not in names:
        return "iwt"
    return None


def _hook(cls, kind):
    method = cls.__dict__.get("forward")
    if method is None:
        raise ValueError("%s.%s defines no forward of its own to hook"
                         % (cls.__module__, cls.__qualname__))
    if "<locals>" in cls.__qualname__:
        raise ValueError("torch2trt cannot hook %s.%s: it is defined inside a function; move the "
                         "class to module level" % (cls.__module__, cls.__qualname__))
    if method in CONVERTERS:
        return method
    tensorrt_converter(method)(convert_dwt if kind == "dwt" else convert_iwt)
    if method not in CONVERTERS:
        raise RuntimeError("torch2trt did not register a converter for %s.%s (it could not "
                           "resolve the method by module and qualified name)"
                           % (cls.__module__, cls.__qualname__))
    REGISTERED.append((method, kind))
    return method


def _classes_in(module):
    found = []
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module.__name__:
            found.append(value)
    return found


def register(*targets, **options):
    """Hook torch2trt onto the ``forward`` of MWCNN-style DWT/IWT classes.

    ``targets``: classes, modules, or dotted names of either ("model.common",
    "model.common.IWT"). A module contributes every class defined in it that is recognised as
    DWT or IWT. ``kind="dwt"|"iwt"`` forces the kind for classes not recognised by their code.
    Returns the list of hooked methods. Raises ValueError for a class it cannot classify.
    """
    kind = options.pop("kind", None)
    if options:
        raise TypeError("unexpected options: %s" % ", ".join(sorted(options)))
    if kind not in (None, "dwt", "iwt"):
        raise ValueError("kind must be 'dwt' or 'iwt', got %r" % (kind,))
    hooked = []
    for target in targets:
        if isinstance(target, str):
            target = _resolve(target)
        if isinstance(target, type):
            found = kind or _kind_of(target)
            if found is None:
                raise ValueError("%s.%s does not look like MWCNN's DWT or IWT (its forward calls "
                                 "neither dwt_init nor iwt_init); pass kind='dwt' or kind='iwt'"
                                 % (target.__module__, target.__qualname__))
            hooked.append(_hook(target, found))
        else:
            for cls in _classes_in(target):
                found = kind or _kind_of(cls)
                if found is not None:
                    hooked.append(_hook(cls, found))
    return hooked


def _resolve(name):
    try:
        # by-name: register("model.common.IWT") takes the dotted name of the user's own module
        return importlib.import_module(name)
    except ImportError:
        module_name, _, attr = name.rpartition(".")
        if not module_name:
            raise
        # by-name: the same user-given name, as module.attribute
        return getattr(importlib.import_module(module_name), attr)


def register_loaded():
    """Hook every MWCNN-style DWT/IWT class in an already imported module. Returns the methods."""
    hooked = []
    for name, module in sorted(list(sys.modules.items()), key=lambda item: item[0]):
        if module is None or name.startswith(("torch", "tensorrt", "numpy")):
            continue
        try:
            classes = _classes_in(module)
        except Exception:  # an odd module object; nothing of ours
            continue
        for cls in classes:
            if "forward" not in cls.__dict__ or "<locals>" in cls.__qualname__:
                continue
            kind = _kind_of(cls)
            if kind is not None:
                hooked.append(_hook(cls, kind))
    return hooked


def _register_defaults():
    from . import blocks, reference  # noqa: F401  (reference: OriginalDWT/IWT are MWCNN's code)
    register(blocks.DWT, blocks.IWT)
    register_loaded()


_register_defaults()

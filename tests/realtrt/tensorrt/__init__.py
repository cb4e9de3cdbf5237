"""TensorRT-RTX presented under TensorRT's module name, for the real-builder test tier. Tests only.

NVIDIA's TensorRT-RTX wheels (tensorrt-rtx-cu12-libs/-bindings, pinned in scripts/run-tests) hold
a real TensorRT builder that builds and serializes engines without a GPU. Its Python API is
TensorRT 10's minus a few names that real TensorRT 10 still has. This module re-exports it and
bridges exactly those names, each with the TensorRT 10 Python API reference that shows real
TensorRT 10 has it. Nothing here is bridged that real TensorRT 10 also lacks (for example
``BuilderFlag.STRICT_TYPES``, ``add_padding``, ``add_pooling``): a torch2trt call to those is a
torch2trt bug, fixed by a trtsetup patch, and must keep failing here.

Every bridge is a no-op for the engine that gets built, which is why the tier can still say
"the real builder accepted this network".
"""

import enum

import tensorrt_rtx_libs  # noqa: F401  (loads libtensorrt_rtx.so.1 for the bindings)
import tensorrt_rtx_bindings as _rtx
from tensorrt_rtx_bindings import *  # noqa: F401,F403

# 0. The version. TensorRT-RTX numbers its releases 1.x; its API is TensorRT 10's (its own
#    reference marks APIs "Deprecated in TensorRT 10.11" and has only the *_nd layer names), and
#    torch2trt picks its TensorRT 10 code paths with trt_version() >= "10.0".
RTX_VERSION = _rtx.__version__
__version__ = "10.0.0"
IS_TENSORRT_RTX = True   # what a test asks to know which builder it has
BRIDGED = []             # names bridged below, for the tier's report


def _bridge(name):
    BRIDGED.append(name)


_bridge("__version__ (10.0.0 for TensorRT-RTX %s)" % RTX_VERSION)


# 1. NetworkDefinitionCreationFlag.EXPLICIT_BATCH. TensorRT 10 keeps the member:
#    "EXPLICIT_BATCH : [DEPRECATED] Ignored because networks are always "explicit batch" in
#    TensorRT 10.0." (https://docs.nvidia.com/deeplearning/tensorrt/api/python_api/infer/Core/Builder.html).
#    torch2trt master calls builder.create_network(1 << int(...EXPLICIT_BATCH)). Bit 0 is
#    STRONGLY_TYPED in TensorRT-RTX, so the bridge gives EXPLICIT_BATCH a value whose bit
#    create_network then drops, as TensorRT 10 ignores it.
_EXPLICIT_BATCH_BIT = 30


class NetworkDefinitionCreationFlag(enum.IntEnum):
    EXPLICIT_BATCH = _EXPLICIT_BATCH_BIT
    STRONGLY_TYPED = int(_rtx.NetworkDefinitionCreationFlag.STRONGLY_TYPED)


_bridge("NetworkDefinitionCreationFlag.EXPLICIT_BATCH")
_create_network = _rtx.Builder.create_network


def _create_network_ignoring_explicit_batch(self, flags=0):
    return _create_network(self, int(flags) & ~(1 << _EXPLICIT_BATCH_BIT))


_rtx.Builder.create_network = _create_network_ignoring_explicit_batch


# 2. The INT8 calibrator API. TensorRT 10 has tensorrt.CalibrationAlgoType (LEGACY_CALIBRATION,
#    ENTROPY_CALIBRATION, ENTROPY_CALIBRATION_2, MINMAX_CALIBRATION) and the IInt8Calibrator
#    classes, deprecated in 10.1 "Superseded by explicit quantization"
#    (https://docs.nvidia.com/deeplearning/tensorrt/latest/_static/python-api/infer/Int8/Calibrator.html).
#    torch2trt's dataset_calibrator.py subclasses trt.IInt8Calibrator at import. No test
#    calibrates: these stand-ins only make the import succeed.
class CalibrationAlgoType(enum.IntEnum):
    LEGACY_CALIBRATION = 0
    ENTROPY_CALIBRATION = 1
    ENTROPY_CALIBRATION_2 = 2
    MINMAX_CALIBRATION = 3


class IInt8Calibrator(object):
    def __init__(self, *args, **kwargs):
        pass


class IInt8LegacyCalibrator(IInt8Calibrator):
    pass


class IInt8EntropyCalibrator(IInt8Calibrator):
    pass


class IInt8EntropyCalibrator2(IInt8Calibrator):
    pass


class IInt8MinMaxCalibrator(IInt8Calibrator):
    pass


_bridge("CalibrationAlgoType, IInt8*Calibrator")


# 3. ITensor.location. TensorRT 10's ITensor has "location: TensorLocation The storage location
#    of a tensor" (https://docs.nvidia.com/deeplearning/tensorrt/latest/_static/python-api/infer/Graph/LayerBase.html;
#    the TensorRT-RTX 1.0 page documents it too, but 1.7's bindings no longer have it).
#    torch2trt sets it on every input and output to DEVICE, the default: remembered, not passed on.
def _get_location(self):
    return getattr(self, "_bridged_location", _rtx.TensorLocation.DEVICE)


def _set_location(self, value):
    try:
        self._bridged_location = value
    except AttributeError:  # pybind11 objects without a __dict__: the value is the default anyway
        pass


_rtx.ITensor.location = property(_get_location, _set_location)
_bridge("ITensor.location")


# 4. The ITensor.dtype setter. TensorRT 10: "dtype: DataType The data type of a tensor. The type
#    is unchanged if the type is invalid for the given tensor." (same LayerBase page), a
#    read-write attribute. TensorRT-RTX 1.7 makes it read-only. torch2trt sets each output's
#    dtype to the dtype it already has (the PyTorch output's); a different value is refused here
#    so the bridge can never hide a real type change.
_dtype = _rtx.ITensor.dtype


def _set_dtype(self, value):
    if _dtype.fget(self) != value:
        raise TypeError("real-builder tier: ITensor.dtype %s -> %s would change the type; "
                        "TensorRT-RTX cannot set it" % (_dtype.fget(self), value))


_rtx.ITensor.dtype = property(_dtype.fget, _set_dtype)
_bridge("ITensor.dtype setter (same-type only)")


# 5. BuilderFlag.FP16. TensorRT 10 has it ("FP16 : Enable FP16 layer selection, with FP32
#    fallback", IBuilderConfig page,
#    https://docs.nvidia.com/deeplearning/tensorrt/latest/_static/python-api/infer/Core/BuilderConfig.html);
#    TensorRT-RTX dropped it ("Unsupported in TensorRT-RTX and deprecated in 1.0. Use strong
#    typing instead.", NvInfer.h BuilderFlag::kFP16). torch2trt sets it for fp16_mode=True.
#    The bridge maps it to a flag TensorRT-RTX keeps and that changes nothing for these builds
#    (GPU_FALLBACK: only matters for DLA), so an fp16_mode build here is an fp32 build: fp16
#    numerics are not what this tier shows (fp16 *networks*, with half inputs, are).
class BuilderFlag(object):
    pass


for _name in dir(_rtx.BuilderFlag):
    if not _name.startswith("_") and _name.isupper():
        setattr(BuilderFlag, _name, getattr(_rtx.BuilderFlag, _name))
BuilderFlag.FP16 = _rtx.BuilderFlag.GPU_FALLBACK
_bridge("BuilderFlag.FP16 (no-op)")

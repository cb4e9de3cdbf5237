"""Converter rules for torch2trt master on TensorRT >= 10: blocks of converter code appended to
``torch2trt/converters/native_converters.py``.

Each rule appends one marked block (its code is package data in ``converter_patches/``); a
later ``@tensorrt_converter`` registration of a method replaces upstream's, so no upstream line
is edited and the diff is the block itself. Idempotent (a block already there, byte for byte,
changes nothing; an older block of the same rule is replaced) and revertible (the tree's
backup). Each rule names what it fixes and where that is reported or documented, and is
verified by the real-builder tier (tests/test_real_builder.py) and the conversion matrix
(benchmarks/t2t_matrix.py). They apply only when the target TensorRT is known to be >= 10:
that is the builder they were verified on.
"""

import re

from ..package_data import read_package_data
from .patch_rules import NATIVE_CONVERTERS_PY, Rule, ShapeError

TRT10_MAJOR = 10


class ConverterBlock(object):
    def __init__(self, rule_id, filename, needs):
        self.rule_id = rule_id
        self.filename = filename
        self.needs = needs  # upstream definitions the block builds on

    def code(self):
        data = read_package_data("torch2trt/converter_patches/" + self.filename)
        return data.decode("utf-8")

    def begin(self):
        return "# >>> trtsetup {}: appended by `trtsetup patch`; `trtsetup patch --revert` removes it\n".format(
            self.rule_id)

    def end(self):
        return "# <<< trtsetup {}\n".format(self.rule_id)

    def block(self):
        return self.begin() + self.code().rstrip("\n") + "\n" + self.end()

    def pattern(self):
        return re.compile(r"^" + re.escape(self.begin().rstrip("\n")) + r"\n[\s\S]*?^"
                          + re.escape(self.end().rstrip("\n")) + r"\n", re.M)

    def apply(self, text, opts, path):
        found = self.pattern().search(text)
        if found is None:
            for name in self.needs:
                if not re.search(r"^def {}\(ctx\):".format(re.escape(name)), text, re.M):
                    raise ShapeError(path, "`def {}(ctx):` (torch2trt master 4e820ae)".format(name))
            return text.rstrip("\n") + "\n\n\n" + self.block()
        return text[:found.start()] + self.block() + text[found.end():]


def _rule(rule_id, filename, reason, reference, needs=()):
    block = ConverterBlock(rule_id, filename, tuple(needs))
    return Rule(rule_id, NATIVE_CONVERTERS_PY, reason, True, block.apply, reference, TRT10_MAJOR)


CONVERTER_RULES = (
    _rule("t2t-trt10-pool-default-stride", "pool_default_stride.py",
          "F.max_pool2d/avg_pool2d with the default stride (None) or list arguments reach "
          "IPoolingLayer.stride_nd as (None, None): TypeError",
          "https://github.com/NVIDIA-AI-IOT/torch2trt/issues/457 (stride None), #553 (list kernel)",
          ("convert_max_pool_nd", "convert_avg_pool_nd")),
    _rule("t2t-trt10-pad-every-mode", "pad_every_mode.py",
          "F.pad (and nn.ReflectionPad2d without the plugin library) calls add_padding, removed "
          "in TensorRT 10, and ignores mode and value",
          "https://github.com/NVIDIA-AI-IOT/torch2trt/issues/936; TensorRT ISliceLayer "
          "SampleMode (FILL, REFLECT, CLAMP, WRAP)"),
    _rule("t2t-trt10-hard-activations", "hard_activations.py",
          "F.hardtanh (nn.ReLU6), F.hardsigmoid and F.hardswish have no converter: MobileNetV2 "
          "blocks end in 'Could not get tensor shape', squeeze-excite bakes a constant",
          "https://github.com/NVIDIA-AI-IOT/torch2trt/issues/426, #484 (MobileNetV3); TensorRT "
          "ActivationType CLIP, HARD_SIGMOID"),
    _rule("t2t-trt10-torch-softmax", "torch_softmax.py",
          "torch.softmax has no converter (F.softmax and Tensor.softmax do)",
          "torch2trt master native_converters.py registers only torch.Tensor.softmax and "
          "torch.nn.functional.softmax", ("convert_softmax",)),
    _rule("t2t-trt10-conv-transpose", "conv_transpose.py",
          "F.conv_transpose2d takes its output channels from weight.shape[0] and drops "
          "output_padding: a network without a shape",
          "PyTorch ConvTranspose2d weight is (in, out/groups, kH, kW); TensorRT "
          "IDeconvolutionLayer num_output_maps, pre_padding/post_padding"),
)


def converter_rule_ids(tensorrt_version):
    # type: (object) -> tuple
    """The converter rules ``trtsetup patch`` applies for this TensorRT version ("10.3")."""
    from .patch_rules import tensorrt_major
    major = tensorrt_major(tensorrt_version)
    if major is None or major < TRT10_MAJOR:
        return ()
    return tuple(rule.id for rule in CONVERTER_RULES)

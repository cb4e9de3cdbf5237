@tensorrt_converter("torch.nn.functional.hardtanh")
@tensorrt_converter("torch.nn.functional.hardtanh_")
def convert_hardtanh(ctx):
    """nn.ReLU6 and nn.Hardtanh call F.hardtanh, which upstream does not convert: a CLIP
    activation (alpha = min_val, beta = max_val)."""
    input = get_arg(ctx, "input", 0, None)
    min_val = get_arg(ctx, "min_val", 1, -1.0)
    max_val = get_arg(ctx, "max_val", 2, 1.0)
    output = ctx.method_return
    input_trt = add_missing_trt_tensors(ctx.network, [input])[0]
    layer = ctx.network.add_activation(input_trt, trt.ActivationType.CLIP)
    layer.alpha = float(min_val)
    layer.beta = float(max_val)
    output._trt = layer.get_output(0)


def _trtsetup_hard_sigmoid(ctx, input_trt):
    # PyTorch: relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1), TensorRT's HARD_SIGMOID with
    # alpha = 1/6, beta = 0.5.
    layer = ctx.network.add_activation(input_trt, trt.ActivationType.HARD_SIGMOID)
    layer.alpha = 1.0 / 6.0
    layer.beta = 0.5
    return layer.get_output(0)


@tensorrt_converter("torch.nn.functional.hardsigmoid")
def convert_hardsigmoid(ctx):
    input = get_arg(ctx, "input", 0, None)
    output = ctx.method_return
    input_trt = add_missing_trt_tensors(ctx.network, [input])[0]
    output._trt = _trtsetup_hard_sigmoid(ctx, input_trt)


@tensorrt_converter("torch.nn.functional.hardswish")
def convert_hardswish(ctx):
    input = get_arg(ctx, "input", 0, None)
    output = ctx.method_return
    input_trt = add_missing_trt_tensors(ctx.network, [input])[0]
    gate = _trtsetup_hard_sigmoid(ctx, input_trt)
    output._trt = ctx.network.add_elementwise(input_trt, gate, trt.ElementWiseOperation.PROD).get_output(0)

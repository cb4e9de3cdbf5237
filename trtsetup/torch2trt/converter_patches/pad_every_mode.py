@tensorrt_converter("torch.nn.functional.pad")
def convert_pad_every_mode(ctx):
    """F.pad as one ISliceLayer: a negative start and a larger size pad, and the slice's sample
    mode is the padding mode (FILL + fill value for "constant", REFLECT, CLAMP for
    "replicate", WRAP for "circular"). Upstream calls add_padding, removed in TensorRT 10,
    and ignores mode and value."""
    input = get_arg(ctx, "input", 0, None)
    pad = list(get_arg(ctx, "pad", 1, None))
    mode = get_arg(ctx, "mode", 2, "constant")
    value = get_arg(ctx, "value", 3, None)
    output = ctx.method_return
    input_trt = add_missing_trt_tensors(ctx.network, [input])[0]
    rank = len(input.shape)
    start = [0] * rank
    for i in range(len(pad) // 2):
        start[rank - 1 - i] = -int(pad[2 * i])
    modes = {"constant": trt.SampleMode.FILL, "reflect": trt.SampleMode.REFLECT,
             "replicate": trt.SampleMode.CLAMP, "circular": trt.SampleMode.WRAP}
    if mode not in modes:
        raise RuntimeError("F.pad mode %r is not supported by torch2trt" % (mode,))
    layer = ctx.network.add_slice(input_trt, start, tuple(output.shape), [1] * rank)
    layer.mode = modes[mode]
    if mode == "constant" and value:
        fill = np.array([value], dtype=torch.empty((), dtype=input.dtype).numpy().dtype)
        fill_trt = ctx.network.add_constant((1,), fill).get_output(0)
        scalar = ctx.network.add_shuffle(fill_trt)
        scalar.reshape_dims = ()
        layer.set_input(4, scalar.get_output(0))
    output._trt = layer.get_output(0)

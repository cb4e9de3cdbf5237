@tensorrt_converter("torch.nn.functional.conv_transpose1d")
@tensorrt_converter("torch.nn.functional.conv_transpose2d")
@tensorrt_converter("torch.nn.functional.conv_transpose3d")
def convert_conv_transpose_nd(ctx):
    """F.conv_transpose{1,2,3}d(input, weight, bias, stride, padding, output_padding, groups,
    dilation). Upstream takes the output channels from weight.shape[0] (the INPUT channels of a
    transposed convolution's weight), reads dilation from output_padding's position and drops
    output_padding: any layer with in != out channels gets a network without a shape."""
    input = get_arg(ctx, "input", 0, None)
    weight = get_arg(ctx, "weight", 1, None)
    bias = get_arg(ctx, "bias", 2, None)
    stride = get_arg(ctx, "stride", 3, 1)
    padding = get_arg(ctx, "padding", 4, 0)
    output_padding = get_arg(ctx, "output_padding", 5, 0)
    groups = get_arg(ctx, "groups", 6, 1) or 1
    dilation = get_arg(ctx, "dilation", 7, 1)
    output = ctx.method_return
    input_trt = add_missing_trt_tensors(ctx.network, [input])[0]
    dims = input.dim() - 2

    def spatial(v):
        return tuple(int(x) for x in v) if isinstance(v, (list, tuple)) else (int(v),) * dims

    kernel_size = tuple(int(k) for k in weight.shape[2:])
    stride, padding, output_padding, dilation = (spatial(stride), spatial(padding),
                                                 spatial(output_padding), spatial(dilation))
    kernel = weight.detach().cpu().numpy()
    bias = (bias.detach().cpu().numpy() if bias is not None
            else trt.Weights(torch_dtype_to_trt(weight.dtype)))
    conv_input = input_trt
    if dims == 1:  # TensorRT has no 1-D deconvolution: add a width of 1 and remove it after
        kernel_size, stride = kernel_size + (1,), stride + (1,)
        padding, output_padding, dilation = padding + (0,), output_padding + (0,), dilation + (1,)
        unsqueeze = ctx.network.add_shuffle(input_trt)
        unsqueeze.reshape_dims = tuple([0] * input.ndim) + (1,)
        conv_input = unsqueeze.get_output(0)
    layer = ctx.network.add_deconvolution_nd(input=conv_input,
                                             num_output_maps=int(weight.shape[1]) * int(groups),
                                             kernel_shape=kernel_size, kernel=kernel, bias=bias)
    layer.stride_nd = stride
    layer.dilation_nd = dilation
    layer.num_groups = int(groups)
    # output_padding adds rows/columns at the end: less post-padding (TensorRT's padding crops).
    layer.pre_padding = padding
    layer.post_padding = tuple(p - o for p, o in zip(padding, output_padding))
    result = layer.get_output(0)
    if dims == 1:
        squeeze = ctx.network.add_shuffle(result)
        squeeze.reshape_dims = tuple([0] * input.ndim)
        result = squeeze.get_output(0)
    output._trt = result

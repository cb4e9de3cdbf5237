def _trtsetup_pool_arguments(convert):
    """Run torch2trt's pooling converter with PyTorch's defaults filled in: stride None or []
    means the kernel size; list arguments become tuples (upstream turns a list into a tuple of
    lists and `stride=None` into `stride_nd = (None, None)`)."""

    def convert_pool(ctx):
        args, kwargs = list(ctx.method_args), dict(ctx.method_kwargs)

        def value(name, pos):
            if name in kwargs:
                return kwargs[name]
            return args[pos] if len(args) > pos else None

        def put(name, pos, new):
            if name in kwargs or len(args) <= pos:
                kwargs[name] = new
            else:
                args[pos] = new

        kernel = value("kernel_size", 1)
        if isinstance(kernel, list):
            kernel = tuple(kernel)
            put("kernel_size", 1, kernel)
        stride = value("stride", 2)
        if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
            put("stride", 2, kernel)
        elif isinstance(stride, list):
            put("stride", 2, tuple(stride))
        padding = value("padding", 3)
        if isinstance(padding, list):
            put("padding", 3, tuple(padding))
        saved = ctx.method_args, ctx.method_kwargs
        ctx.method_args, ctx.method_kwargs = tuple(args), kwargs
        try:
            convert(ctx)
        finally:
            ctx.method_args, ctx.method_kwargs = saved

    convert_pool.__name__ = convert.__name__ + "_with_default_stride"
    return convert_pool


for _trtsetup_dims in ("1d", "2d", "3d"):
    for _trtsetup_name in ("torch.nn.functional.max_pool", "torch.max_pool"):
        tensorrt_converter(_trtsetup_name + _trtsetup_dims)(_trtsetup_pool_arguments(convert_max_pool_nd))
    for _trtsetup_name in ("torch.nn.functional.avg_pool", "torch.avg_pool"):
        tensorrt_converter(_trtsetup_name + _trtsetup_dims)(_trtsetup_pool_arguments(convert_avg_pool_nd))

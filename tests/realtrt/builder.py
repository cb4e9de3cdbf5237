"""Build a network with the real TensorRT builder (TensorRT-RTX through the adapter): tests only.

``import tensorrt`` must already be the adapter (tests/realtrt first on sys.path).
"""

import tensorrt as trt

LOGGER = None


class ErrorLogger(trt.ILogger):
    def __init__(self):
        trt.ILogger.__init__(self)
        self.errors = []

    def log(self, severity, msg):
        if severity in (trt.ILogger.Severity.ERROR, trt.ILogger.Severity.INTERNAL_ERROR):
            self.errors.append(msg)


def logger():
    global LOGGER
    if LOGGER is None:
        LOGGER = ErrorLogger()
    return LOGGER


def new_network():
    builder = trt.Builder(logger())
    return builder, builder.create_network(0)


def torch_to_trt_dtype(dtype):
    return trt.float16 if str(dtype) == "torch.float16" else trt.float32


def serialize(builder, network):
    """(engine bytes or None, the builder's error messages)."""
    del logger().errors[:]
    config = builder.create_builder_config()
    engine = builder.build_serialized_network(network, config)
    return (None if engine is None else bytes(engine)), list(logger().errors)


def output_shapes(network):
    return [tuple(network.get_output(i).shape) for i in range(network.num_outputs)]

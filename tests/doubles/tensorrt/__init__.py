"""Fake ``tensorrt`` for tests: enough for trtsetup.wavelets.converters and the fake torch2trt."""

from trt_network import ElementWiseOperation, NetworkError, RecordingNetwork  # noqa: F401

__version__ = "10.0.1-fake"


class Logger(object):
    ERROR = 1
    WARNING = 2
    INFO = 3

    def __init__(self, severity=WARNING):
        self.severity = severity


float32 = "float32"
float16 = "float16"

"""Fake ``torch2trt`` for tests (see tests/doubles/README.md)."""

from .torch2trt import *  # noqa: F401,F403  (like the real package)
from .torch2trt import TRTModule, torch2trt  # noqa: F401

"""The torch2trt conversion self-test.

``script.py`` runs inside the target interpreter (stdlib + torch + tensorrt + torch2trt);
``run.py`` starts it through the Host and parses its JSON; ``render.py`` formats the result.
Importing this package does not import torch.
"""

from .run import DEFAULT_MODELS, MODELS, ModelResult, SelftestResult, run_selftest  # noqa: F401

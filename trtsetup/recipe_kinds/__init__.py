"""Validators for each recipes kind, registered with ``recipes.validator``.

``platform`` owns the L4T/JetPack/module tables; ``install`` owns wheels, torchvision
pairings, apt prerequisites, x86 indexes and torch2trt revisions.
"""

from . import platform, install  # noqa: F401  (import registers the validators)

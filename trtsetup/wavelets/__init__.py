"""Haar wavelet blocks for MWCNN-style networks that torch2trt can convert.

    from trtsetup.wavelets import DWT, IWT      # exact, fast drop-ins for MWCNN's blocks

``CompiledIWT`` is ``IWT`` fused into one GPU kernel by ``torch.compile`` where available.
``DWT``/``IWT`` (``blocks.py``) replace MWCNN's ``DWT``/``IWT`` without touching checkpoints.
``reference.py`` keeps the original ``dwt_init``/``iwt_init`` and the article's
four-ConvTranspose2d IWT for tests and benchmarks. To convert an UNMODIFIED MWCNN instead, see
``trtsetup.wavelets.converters`` (not imported here: it needs tensorrt and torch2trt).

This package imports torch; nothing else in trtsetup imports it.
"""

from .blocks import DWT, IWT, CompiledIWT

__all__ = ["DWT", "IWT", "CompiledIWT"]

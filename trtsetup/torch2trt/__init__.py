"""torch2trt from source: fetch (source), patch, build (with plugins), diagnose, verify.

``steps.py`` wraps these for the executor; ``trtsetup.commands.patch`` is the CLI's entry to
the patcher. Nothing here imports torch, tensorrt or torch2trt in trtsetup's own process.
"""

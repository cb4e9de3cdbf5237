"""trtsetup: the installer and environment doctor for torch2trt."""

__version__ = "0.1.0"

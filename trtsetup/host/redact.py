"""What a snapshot must not carry: secrets, GPU UUIDs, MAC addresses, serial numbers."""

import posixpath
import re

_SECRET_NAME = re.compile(r"(TOKEN|KEY|SECRET|PASSW|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)", re.I)
_GPU_UUID = re.compile(r"\b(GPU|MIG)-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4,}){3,}[0-9a-fA-F-]*")
_MAC = re.compile(r"\b[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\b")
_SERIAL_PATHS = ("serial-number", "serial_number", "product_serial", "board_serial", "chassis_serial")
REDACTED = "<redacted>"


def redact_text(text):
    text = _GPU_UUID.sub("GPU-" + REDACTED, text)
    return _MAC.sub(REDACTED, text)


def redact_env(env):
    return {k: (REDACTED if _SECRET_NAME.search(k) else redact_text(v)) for k, v in env.items()}


def _is_serial_path(path):
    name = posixpath.basename(path)
    return any(name.endswith(s) for s in _SERIAL_PATHS)

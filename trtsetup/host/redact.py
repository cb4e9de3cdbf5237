"""What a snapshot must not carry: credentials, GPU UUIDs, MAC addresses, serial numbers.

A snapshot is meant to be attached to a public issue, so credentials are found both by the
variable's name (``*TOKEN*``, ``*PASS*``, ``GH_PAT``, ...) and by the value's shape, whatever
the name: the password in a URL's userinfo (``http://user:pw@proxy:3128``), well-known token
formats (GitHub, GitLab, AWS, NVIDIA NGC, Hugging Face, Slack, PyPI, npm, OpenAI), bearer
and basic authorization values, JWTs and PEM private keys. The same rules apply to every
captured text: files, command output and the environment.
"""

import posixpath
import re
from typing import Dict, Mapping

from ..patterns import lazy

REDACTED = "<redacted>"

_SECRET_NAME = lazy(
    r"(TOKEN|KEY|SECRET|PASS|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|(^|_)PAT(_|$)|(^|_)DSN$)", re.I)
_GPU_UUID = lazy(r"\b(GPU|MIG)-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4,}){3,}[0-9a-fA-F-]*")
_MAC = lazy(r"\b[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}\b")
_SERIAL_PATHS = ("serial-number", "serial_number", "product_serial", "board_serial", "chassis_serial")

# scheme://user:password@host -> scheme://user:<redacted>@host
_URL_PASSWORD = lazy(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):(?P<pw>[^\s/@]+)@")
_TOKENS = lazy("|".join([
    r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{4,}",      # GitHub tokens
    r"\bgithub_pat_[A-Za-z0-9_]{4,}",                   # GitHub fine-grained tokens
    r"\bglpat-[A-Za-z0-9_-]{4,}",                       # GitLab personal access tokens
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",                   # AWS access key ids
    r"\bnvapi-[A-Za-z0-9_-]{4,}",                       # NVIDIA NGC API keys
    r"\bhf_[A-Za-z0-9]{20,}",                           # Hugging Face
    r"\bxox[abposr]-[A-Za-z0-9-]{4,}",                  # Slack
    r"\bpypi-[A-Za-z0-9_-]{16,}",                       # PyPI upload tokens
    r"\bnpm_[A-Za-z0-9]{16,}",                          # npm
    r"\bsk-[A-Za-z0-9_-]{16,}",                         # OpenAI-style secret keys
    r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",  # JWTs
]))
_AUTH_HEADER = lazy(r"(?i)(\bbearer\s+|\bauthorization:\s*basic\s+)[A-Za-z0-9._~+/-]{8,}=*")
_PEM_KEY = lazy(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)
# NAME=value inside a text (an environ file, /etc/environment, a script): by the name.
_ASSIGNMENT = lazy(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=([^\0\n\s]+)")


def is_secret_name(name):
    # type: (str) -> bool
    return bool(_SECRET_NAME.search(name))


def _assignment(match):
    return match.group(1) + "=" + REDACTED if is_secret_name(match.group(1)) else match.group(0)


def redact_credentials(text):
    # type: (str) -> str
    """``text`` with every credential found by its shape (or by a ``NAME=`` before it)."""
    text = _PEM_KEY.sub(REDACTED, text)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + ":" + REDACTED + "@", text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _TOKENS.sub(REDACTED, text)
    return _ASSIGNMENT.sub(_assignment, text)


def redact_text(text):
    # type: (str) -> str
    """Captured text as a snapshot keeps it: no credentials, GPU UUIDs or MAC addresses."""
    text = redact_credentials(text)
    text = _GPU_UUID.sub("GPU-" + REDACTED, text)
    return _MAC.sub(REDACTED, text)


def redact_env(env):
    # type: (Mapping[str, str]) -> Dict[str, str]
    """The environment: a secret-looking name hides its whole value; any other value loses
    what looks like a credential (a proxy URL's password, a token)."""
    return {k: (REDACTED if is_secret_name(k) else redact_text(v)) for k, v in env.items()}


def is_serial_path(path):
    # type: (str) -> bool
    name = posixpath.basename(path)
    return any(name.endswith(s) for s in _SERIAL_PATHS)

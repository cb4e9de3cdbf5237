"""Stdlib-only, Python-3.6-compatible scripts run inside the *target* interpreter.

They are read with ``pkgutil.get_data`` and passed to ``python -c``, so the target needs
nothing of trtsetup installed. Each prints exactly one JSON document on stdout.
"""

import pkgutil


def script_source(name):
    # type: (str) -> str
    """The text of ``scripts/<name>`` (shipped in the wheel and the zipapp)."""
    data = pkgutil.get_data("trtsetup", "probes/scripts/" + name)
    return data.decode("utf-8") if data else ""

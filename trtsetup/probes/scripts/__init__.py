"""Stdlib-only, Python-3.6-compatible scripts run inside the *target* interpreter.

They are read with ``package_data`` and passed to ``python -c``, so the target needs
nothing of trtsetup installed. Each prints exactly one JSON document on stdout.
"""

from ...package_data import read_package_data


def script_source(name):
    # type: (str) -> str
    """The text of ``scripts/<name>`` (shipped in the wheel and the zipapp)."""
    data = read_package_data("probes/scripts/" + name)
    return data.decode("utf-8") if data else ""

"""Stdlib-only, Python-3.6-compatible scripts run inside the *target* interpreter.

They are read with ``pkgutil.get_data`` and passed to ``python -c``, so the target needs
nothing of trtsetup installed. Each prints exactly one JSON document on stdout.
"""

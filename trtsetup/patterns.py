"""Regular expressions compiled when first used.

The probes, checks and recipe validators hold ~100 module-level patterns; one doctor run on one
machine uses a fraction of them (a Jetson's device-tree patterns never run on x86, a Docker
CSV pattern never runs outside Docker). Compiling every one at import took ~8 ms of a
0.1 s ``doctor --fast`` (issue 10). ``lazy(r"...", re.M)`` stands where ``re.compile(r"...",
re.M)`` stood: its methods (``match``, ``search``, ``sub``, ``finditer``, ...) compile the
pattern on first use and then are the compiled pattern's own.
"""

import re


class LazyPattern(object):
    def __init__(self, source, flags=0):
        self._source = source
        self._flags = flags

    def __getattr__(self, name):
        # Called only for what the instance lacks. The compiled pattern's attribute is kept on
        # the instance, so the next ``.match`` is a plain attribute lookup: the dpkg and
        # site-packages parsers call theirs thousands of times a run.
        if name.startswith("_"):  # never a pattern method; and _source before __init__ (copy)
            raise AttributeError(name)
        value = getattr(re.compile(self._source, self._flags), name)
        self.__dict__[name] = value
        return value

    def __repr__(self):
        return "lazy({!r})".format(self._source)


def lazy(source, flags=0):
    # type: (str, int) -> LazyPattern
    return LazyPattern(source, flags)

"""One way to read a version number: ``packaging.version``, with a fallback for NVIDIA's builds.

Versions on these machines are often not PEP 440: Jetson torch is ``2.0.0.nv23.05``, apt
packages are ``8.6.2.3-1+cuda12.2``, nvcc says ``11.4.315``. ``parse`` tries PEP 440 first and
then the leading release number (``2.0.0``), so two versions always compare as numbers, never
as strings or as ``split(".")`` tuples. Nothing here raises on garbage: it returns None.

    >>> parse("2.1.0a0+41361538.nv23.06") < parse("2.1")       # a pre-release sorts first
    True
    >>> minor("3.6.9"), major("10.3.0.30"), minor("2.0.0.nv23.05")
    ('3.6', 10, '2.0')
"""

import operator
from typing import Optional

from packaging.version import InvalidVersion, Version

from .patterns import lazy

_LEADING = lazy(r"^\s*[vV]?(\d+(?:\.\d+)*)")
_BOUND = lazy(r"^\s*(==|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)\s*$")
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}


def parse(text):
    # type: (object) -> Optional[Version]
    """A Version for ``text`` (PEP 440, else its leading ``N.N.N``); None when there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return Version(text.strip())
    except InvalidVersion:
        pass
    match = _LEADING.match(text)
    if not match:
        return None
    try:
        return Version(match.group(1))
    except InvalidVersion:
        return None


def is_pep440(text):
    # type: (object) -> bool
    """True when pip would accept ``text`` as a version (``0.16.1``, ``2.5.0a0+872d972``)."""
    if not isinstance(text, str):
        return False
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def release(text):
    # type: (object) -> Optional[tuple]
    """The release numbers: ``'2.0.0.nv23.05'`` -> ``(2, 0, 0)``; None when not a version."""
    version = parse(text)
    return version.release if version is not None else None


def major(text):
    # type: (object) -> Optional[int]
    """``'10.3.0.30'`` -> 10; None when not a version."""
    numbers = release(text)
    return numbers[0] if numbers else None


def minor(text):
    # type: (object) -> Optional[str]
    """``'3.6.9'`` -> ``'3.6'``; ``'12'`` -> ``'12.0'``; None when not a version."""
    numbers = release(text)
    if not numbers:
        return None
    return "{}.{}".format(numbers[0], numbers[1] if len(numbers) > 1 else 0)


def key(text):
    # type: (object) -> Version
    """A sort key that never fails: garbage sorts as ``0`` (first)."""
    return parse(text) or Version("0")


def parse_bound(text):
    # type: (object) -> Optional[tuple]
    """One bound on a release, as the recipes write torch ranges: ``">=1.5"`` -> ``(">=", (1, 5))``.

    Only ``==, !=, <, <=, >, >=`` and a release number: all the recipes need, checked on load
    without packaging.specifiers (whose import and patterns cost every doctor run ~5 ms).
    None when ``text`` is not one.
    """
    match = _BOUND.match(text) if isinstance(text, str) else None
    if not match:
        return None
    return match.group(1), tuple(int(n) for n in match.group(2).split("."))


def within(numbers, bounds):
    # type: (tuple, list) -> bool
    """True when the release ``numbers`` meets every ``(op, numbers)`` bound; releases are
    compared padded with zeros, as PEP 440 does (``1.9`` == ``1.9.0``)."""
    for op, limit in bounds:
        width = max(len(numbers), len(limit))
        if not _COMPARE[op](_padded(numbers, width), _padded(limit, width)):
            return False
    return True


def _padded(numbers, width):
    return tuple(numbers) + (0,) * (width - len(numbers))

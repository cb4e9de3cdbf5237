"""How results look on a terminal: the one mark table, colour, and the ASCII fallback.

Colour only when stdout is a terminal and NO_COLOR is unset; the ✓/!/✗ marks fall back to
ASCII when stdout cannot encode them (an ASCII locale in a container). Every renderer maps
its own statuses (a step's "done", a model's "pass") onto these four kinds.
"""

import codecs
import os
import sys

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"

# kind -> (mark, ASCII mark, colour)
MARKS = {
    OK: (u"\u2713", "+", "green"),
    WARN: (u"!", "!", "yellow"),
    FAIL: (u"\u2717", "x", "red"),
    SKIP: (u"\u00b7", "-", None),
}

# ANSI SGR codes (what click.style wrote; written here so rendering never imports click).
_SGR = {"green": 32, "yellow": 33, "red": 31, "bold": 1, "dim": 2}

_ASCII_TEXT = ((u"\u2265", ">="), (u"\u2264", "<="), (u"\u2192", "->"), (u"\u2713", "+"),
               (u"\u2717", "x"), (u"\u00b7", "-"))


def use_colour(stream=None):
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def can_encode(text, stream=None):
    encoding = getattr(stream or sys.stdout, "encoding", None) or "ascii"
    try:
        codecs.lookup(encoding)
        text.encode(encoding)
        return True
    except (LookupError, UnicodeEncodeError):
        return False


class Style(object):
    def __init__(self, colour, unicode_ok):
        self.colour = colour
        self.unicode_ok = unicode_ok

    def mark(self, kind):
        mark, ascii_mark, _ = MARKS[kind]
        return self.paint(mark if self.unicode_ok else ascii_mark, kind)

    def paint(self, text, kind=None, bold=False, dim=False):
        if not self.colour:
            return text
        colour = MARKS[kind][2] if kind else None
        codes = [_SGR[name] for name, wanted in ((colour, colour), ("bold", bold), ("dim", dim)) if wanted]
        if not codes:
            return text
        return "".join("\x1b[{}m".format(code) for code in codes) + text + "\x1b[0m"

    def text(self, text):
        """Unicode punctuation in our own messages (≥, →) made safe for the stream."""
        if self.unicode_ok:
            return text
        for fancy, plain in _ASCII_TEXT:
            text = text.replace(fancy, plain)
        return text


PLAIN = Style(colour=False, unicode_ok=False)  # logs and files: ASCII, no colour


def style_for(stream=None):
    return Style(use_colour(stream), can_encode(u"\u2713\u2717\u2265\u2192", stream))


def plural(count, word, many=None):
    """``1 problem``, ``2 problems``."""
    return "{} {}".format(count, word if count == 1 else (many or word + "s"))

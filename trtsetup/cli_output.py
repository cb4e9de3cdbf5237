"""What the commands print: text on stdout, messages on stderr, and the one JSON document.

Plain writes to the current ``sys.stdout``/``sys.stderr`` (looked up at each call, so a test's
captured streams and entry's ASCII-safe ones are the ones used), flushed at once as
click.echo did: a line on a pipe must not wait for the process to end. No click, so the
doctor's fast path can print without importing it.
"""

import sys

_emitted = []  # type: list  # the schemas of the documents printed on stdout in this run (at most one)


def out(text, nl=True):
    stream = sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def err(message):
    stream = sys.stderr
    stream.write(message + "\n")
    stream.flush()


def emit_json(doc):
    """The one document of a --json run (entry adds an error document only if none went out)."""
    from .report import dumps
    text = dumps(doc)
    _emitted.append(doc.get("schema"))
    out(text)


def emitted():
    return bool(_emitted)


def forget_emitted():
    _emitted[:] = []

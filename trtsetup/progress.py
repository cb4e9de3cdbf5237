"""A spinner for a slow step on a terminal: which step, and how long it has taken so far.

The doctor's slow probes (asking the interpreter, importing torch, importing tensorrt) report
the step they wait on; after ``delay`` seconds on one step a line like
``⠹ importing torch in /venv/bin/python  3.2 s`` is drawn on stderr and redrawn every
``interval`` seconds, then erased when the step ends. It is never drawn with ``--json``, when
stdout or stderr is not a terminal, with ``TERM=dumb`` or with ``NO_COLOR`` set (design.md:
no progress off a terminal), so piped and captured output never holds it.

Rendering only: the probes pass plain step labels through ``gather_facts(progress=...)``.
"""

import os
import sys
import threading
import time
from typing import Any, Optional

FRAMES = "\u280b\u2819\u2839\u2838\u283c\u2834\u2826\u2827\u2807\u280f"
ASCII_FRAMES = "|/-\\"


def wanted(as_json, stdout=None, stderr=None, env=None):
    # type: (bool, Any, Any, Any) -> bool
    """Whether a spinner may be drawn for this run."""
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    env = os.environ if env is None else env
    if as_json or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    for stream in (stdout, stderr):
        try:
            if not stream.isatty():
                return False
        except (AttributeError, ValueError):
            return False
    return True


def _frames_for(stream):
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        FRAMES.encode(encoding)
        return FRAMES
    except (LookupError, UnicodeError):
        return ASCII_FRAMES


class Spinner(object):
    """Call ``step(label)`` when a slow step starts, ``step(None)`` when it ends; ``close()``
    at the end. Thread-safe; draws from its own daemon thread."""

    def __init__(self, stream=None, delay=1.0, interval=0.1, clock=time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.frames = _frames_for(self.stream)
        self._lock = threading.Lock()
        self._label = None      # type: Optional[str]
        self._since = 0.0
        self._drawn = 0         # width of the line on screen, 0 when none
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trtsetup-spinner")
        self._thread.daemon = True
        self._thread.start()

    def step(self, label):
        # type: (Optional[str]) -> None
        with self._lock:
            if label != self._label:
                self._label = label
                self._since = self.clock()
                self._erase()

    def close(self):
        self._stop.set()
        self._thread.join(2.0)
        with self._lock:
            self._label = None
            self._erase()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _run(self):
        frame = 0
        while not self._stop.wait(self.interval):
            with self._lock:
                if self._label is None:
                    continue
                elapsed = self.clock() - self._since
                if elapsed < self.delay:
                    continue
                line = "{} {}  {:.1f} s".format(self.frames[frame % len(self.frames)], self._label, elapsed)
                frame += 1
                self._write("\r" + line + " " * max(0, self._drawn - len(line)))
                self._drawn = len(line)

    def _erase(self):
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _write(self, text):
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError, UnicodeError):  # a closed or odd terminal: no spinner, no crash
            self._stop.set()

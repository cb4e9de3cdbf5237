"""Asking the target Python a question: the one way trtsetup runs code in another interpreter.

trtsetup never imports torch or tensorrt itself. It runs a small stdlib-only script in the
target interpreter through the Host (``[python, "-c", SOURCE, args...]``, with a timeout; the
Host kills what the child started when it runs out of time), and reads the script's answer
from the last line of stdout that is a JSON object: a ``.pth`` file, a ``sitecustomize`` or
an import warning may print before it. Scripts report their progress as
``trtsetup-stage: <step>`` lines on stderr, so a timeout or a crash can say where it happened.

Used by the probes (``python_info``, ``torch_info``, ``tensorrt_info``), the self-test and the
torch2trt steps.
"""

import json
import re
import signal
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..patterns import lazy

STAGE_PREFIX = "trtsetup-stage: "
_STAGE = lazy(r"^" + STAGE_PREFIX + r"(.+)$", re.M)


def script_argv(python, source, args=()):
    # type: (str, str, Sequence[str]) -> List[str]
    """The argv that runs ``source`` in ``python`` with ``args`` as its ``sys.argv[1:]``."""
    return [python, "-c", source] + [str(a) for a in args]


def last_json_object(text, accept=None):
    # type: (object, Optional[Callable[[Dict[str, Any]], bool]]) -> Optional[Dict[str, Any]]
    """The last line of ``text`` that is a JSON object (and that ``accept`` takes), or None."""
    if not isinstance(text, str):
        return None
    for line in reversed(text.splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and (accept is None or accept(doc)):
            return doc
    return None


def text_field(doc, key):
    # type: (Dict[str, Any], str) -> Optional[str]
    """``doc[key]`` when it is a non-empty string, else None (a script's answer is untrusted)."""
    value = doc.get(key)
    return value if isinstance(value, str) and value else None


def bool_field(doc, key):
    # type: (Dict[str, Any], str) -> Optional[bool]
    value = doc.get(key)
    return value if isinstance(value, bool) else None


def int_field(doc, key):
    # type: (Dict[str, Any], str) -> Optional[int]
    value = doc.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number_field(doc, key):
    # type: (Dict[str, Any], str) -> Optional[float]
    value = doc.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def exit_text(returncode):
    # type: (Optional[int]) -> str
    """``"status 1"``, ``"signal SIGSEGV"``, or ``"no status"``."""
    if returncode is None:
        return "no status"
    if returncode < 0:
        try:
            return "signal {}".format(signal.Signals(-returncode).name)
        except ValueError:
            return "signal {}".format(-returncode)
    return "status {}".format(returncode)


def tail(text, lines=3, joiner=" | ", limit=500):
    # type: (Optional[str], int, str, int) -> str
    """The last ``lines`` non-blank lines of ``text``, joined, at most ``limit`` characters."""
    kept = [l.rstrip() for l in (text or "").splitlines() if l.strip()]
    return joiner.join(kept[-lines:])[:limit]


class Reply(NamedTuple):
    """What the target interpreter answered. ``doc`` is None when it printed no answer."""

    doc: Optional[Dict[str, Any]]
    result: Any                       # the Host's CommandResult
    stages: Tuple[str, ...] = ()

    @property
    def error(self):
        # type: () -> Optional[str]
        """The Host's reason the command did not run to its end: "not-found", "timeout",
        "unavailable" (a captured tree), an OSError text; None when it exited."""
        return self.result.error

    @property
    def last_stage(self):
        # type: () -> Optional[str]
        return self.stages[-1] if self.stages else None

    @property
    def seconds(self):
        # type: () -> float
        return self.result.seconds or 0.0

    def stderr_tail(self, lines=3):
        # type: (int) -> str
        """The end of stderr without the stage lines (what the user needs to see)."""
        text = "\n".join(l for l in (self.result.stderr or "").splitlines() if not l.startswith(STAGE_PREFIX))
        return tail(text, lines)


def ask(host, python, source, args=(), timeout=10.0, cwd="/", env=None, accept=None):
    # type: (Any, str, str, Sequence[str], float, Optional[str], Optional[Dict[str, str]], Optional[Callable[[Dict[str, Any]], bool]]) -> Reply
    """Run ``source`` in ``python`` on ``host`` and read its answer. Never raises for a broken
    interpreter: the Reply says what happened. ``cwd`` defaults to ``/`` so that a package in
    the caller's directory cannot shadow the one the target really has."""
    result = host.run(script_argv(python, source, args), timeout=timeout, env=env, cwd=cwd)
    return Reply(doc=last_json_object(result.stdout, accept), result=result,
                 stages=tuple(_STAGE.findall(result.stderr or "")))

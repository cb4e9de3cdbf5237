"""The check contract: a small function of facts that returns one Finding.

Checks never print and never touch the machine; they judge facts. A check whose inputs
are unknown says ``skip``. The ``fix`` is a command or one concrete sentence.
"""

import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
STATUSES = (OK, WARN, FAIL, SKIP)


class Finding(NamedTuple):
    id: str
    status: str
    summary: str
    detail: Optional[str] = None
    fix: Optional[str] = None
    seconds: float = 0.0

    def to_json(self):
        return {"id": self.id, "status": self.status, "summary": self.summary,
                "detail": self.detail, "fix": self.fix, "seconds": round(self.seconds, 4)}


class CheckContext(NamedTuple):
    """What checks read: the facts, the recipes, and the options the user gave."""

    facts: Any
    recipes: Any
    options: Dict[str, Any]


class Check(NamedTuple):
    """A registered check: its id and summary come from the module's ``make(...)``."""

    id: str
    summary: str                       # what the check is about, for --list-checks
    func: Callable[[CheckContext], "Finding"]

    @classmethod
    def of(cls, maker, func):
        # type: (_FindingMaker, Callable[[CheckContext], Finding]) -> Check
        return cls(maker.id, maker.summary, func)

    def run(self, ctx):
        # type: (CheckContext) -> Finding
        started = time.monotonic()
        try:
            finding = self.func(ctx)
        except Exception as exc:  # one check crashing must not stop the others
            finding = Finding(self.id, FAIL, "the check itself crashed: {}: {}".format(
                type(exc).__name__, exc), fix="Please report this with `trtsetup snapshot -o snap.json` attached.")
        return finding._replace(seconds=time.monotonic() - started)


def make(check_id, summary):
    """Helpers for check modules: ``f = make("id", "...")`` then ``f.ok(...)``, ``f.fail(...)``."""
    return _FindingMaker(check_id, summary)


class _FindingMaker(object):
    def __init__(self, check_id, summary):
        self.id = check_id
        self.summary = summary

    def ok(self, summary, detail=None):
        return Finding(self.id, OK, summary, detail)

    def warn(self, summary, fix=None, detail=None):
        return Finding(self.id, WARN, summary, detail, fix)

    def fail(self, summary, fix=None, detail=None):
        return Finding(self.id, FAIL, summary, detail, fix)

    def skip(self, summary, detail=None):
        return Finding(self.id, SKIP, summary, detail)


def run_checks(checks, ctx, only=None):
    # type: (Sequence[Check], CheckContext, Optional[Sequence[str]]) -> List[Finding]
    selected = [c for c in checks if not only or c.id in only]
    return [check.run(ctx) for check in selected]

"""``trtsetup doctor``: probe the machine, run the checks, return the findings."""

from typing import Any, Dict, NamedTuple, Optional, Sequence, Tuple

from ..checks import CHECK_IDS, CHECKS, CheckContext, run_checks
from ..errors import EXIT_FAILED, EXIT_OK, UsageError
from ..fix_commands import DEFAULT_INVOCATION, invocation
from ..probes.gather import gather_facts


class DoctorResult(NamedTuple):
    """What a doctor run found; ``report.doctor`` renders it. ``only`` holds the ``--check``
    ids when not every check ran (empty for a full run)."""

    facts: Any
    findings: Tuple[Any, ...]
    exit_code: int
    only: Tuple[str, ...] = ()


def validate_check_ids(ids):
    # type: (Sequence[str]) -> None
    unknown = [i for i in ids if i not in CHECK_IDS]
    if unknown:
        raise UsageError("unknown check id(s): {}".format(", ".join(unknown)),
                         fix="`trtsetup doctor --list-checks` lists them.")


def doctor(host, recipes, python=None, fast=False, only=None, options=None, build_dir=None, cache=None,
           progress=None):
    # type: (Any, Any, Optional[str], bool, Optional[Sequence[str]], Optional[Dict[str, Any]], Optional[str], Any) -> DoctorResult
    if only:
        validate_check_ids(only)
    facts = gather_facts(host, recipes, python=python, fast=fast, build_dir=build_dir, cache=cache,
                         progress=progress)
    opts = dict(options or {})
    opts.setdefault("fast", fast)
    # Fixes name trtsetup as it was started here; for a captured machine, by its plain name.
    opts.setdefault("invoked_as", invocation(which=host.which) if host.is_live else list(DEFAULT_INVOCATION))
    findings = tuple(run_checks(CHECKS, CheckContext(facts, recipes, opts), only=only))
    failed = any(f.status == "fail" for f in findings)
    return DoctorResult(facts, findings, EXIT_FAILED if failed else EXIT_OK, tuple(only or ()))


def list_checks():
    return [(c.id, c.summary) for c in CHECKS]

"""The ``selftest`` install step: the conversion self-test, last in every install.

It changes nothing, so a passing result is remembered (``<state_dir>/selftest.json``, keyed
by the torch2trt install record) and a re-run of ``install`` with nothing new is a no-op.
"""

import json
import os

from ..errors import ActionFailed
from ..hashing import sha256_file
from ..plan.step import Step

STAMP = "selftest.json"
T2T_RECORD = "torch2trt.json"  # written by trtsetup.torch2trt.steps


def _record_digest(state_dir):
    try:
        return sha256_file(os.path.join(state_dir, T2T_RECORD))
    except OSError:
        return None


class SelftestStep(Step):
    """params: ``{}``. ``--no-selftest`` plans it with ``skip`` set (the executor then neither
    checks nor runs it)."""

    id = "selftest"
    summary = "convert a small CNN and the MWCNN DWT/IWT blocks with torch2trt and compare with PyTorch"

    def is_satisfied(self, ctx):
        digest = _record_digest(ctx.state_dir)
        try:
            with open(os.path.join(ctx.state_dir, STAMP)) as handle:
                stamp = json.load(handle)
        except (OSError, ValueError):
            return None
        if digest and stamp.get("torch2trt_record_sha256") == digest and stamp.get("python") == ctx.python:
            return "the self-test already passed for this torch2trt install ({})".format(stamp.get("when", "?"))
        return None

    def run(self, ctx):
        from .run import run_selftest
        result = run_selftest(ctx.host, ctx.python)
        # The command that runs the install hands in report/selftest's text (report/ is a layer
        # above this one): the log then reads as `trtsetup selftest` prints.
        log_text = ctx.options.get("selftest_log_text")
        if log_text is not None:
            with open(ctx.log_path, "a") as log:
                log.write(log_text(result) + "\n")
        if result.exit_code != 0:
            raise ActionFailed("the conversion self-test did not pass (exit {})".format(result.exit_code),
                               fix=getattr(result, "fix", None) or "Run `trtsetup selftest -v` and `trtsetup doctor`.",
                               log_path=ctx.log_path)
        import datetime
        from ..atomic import write_json_atomic
        write_json_atomic(os.path.join(ctx.state_dir, STAMP), {
            "torch2trt_record_sha256": _record_digest(ctx.state_dir), "python": ctx.python,
            "when": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"})
        # The speed-ups travel in the install report, which the fleet report reads.
        return {"selftest": "passed",
                "models": [{"name": m.name, "status": m.status, "speedup": m.speedup} for m in result.models]}

"""``trtsetup selftest``: prove that torch2trt converts and runs in the target interpreter."""

from typing import Any, Sequence

from ..selftest.run import DEFAULT_TIMEOUT, SelftestResult, run_selftest


def selftest(host, python, fp16=False, models=(), device="cuda", timeout=DEFAULT_TIMEOUT):
    # type: (Any, str, bool, Sequence[str], str, float) -> SelftestResult
    """Run the self-test with ``python`` (a path) on ``host``.

    Returns a frozen ``SelftestResult``; its ``exit_code`` is 0 when every model passed, 1 on
    a mismatch or failure, 2 when the test could not run (no torch, GPU, tensorrt or
    torch2trt). Render with ``trtsetup.report.selftest.render_text`` / ``to_json``.
    """
    return run_selftest(host, python, fp16=fp16, models=tuple(models or ()), device=device,
                        timeout=timeout)

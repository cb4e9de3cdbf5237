"""Run the conversion self-test in the target interpreter and read back its one JSON document.

This runs in trtsetup's own process and never imports torch: ``script.py`` (next to this file)
is executed by the target Python as a subprocess through the ``Host``, from a fresh empty
directory, so that no ``torch2trt/`` clone in the user's working directory can shadow the
installed package (F12).
"""

import os
import shutil
import tempfile
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from ..errors import EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_OK
from ..host.interpreter import last_json_object, script_argv
from ..package_data import read_package_data
from ..report.schemas import SELFTEST as SCHEMA

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "script.py")
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEFAULT_MODELS = ("cnn", "mwcnn-dwt", "mwcnn-iwt", "reflection-pad")
MODELS = DEFAULT_MODELS + ("wavelets-dwt-builtin", "wavelets-iwt-builtin")
DEVICES = ("cuda", "cpu")
DEVICE_HELP = ("where to run: 'cuda' (default; the real self-test needs a GPU) or 'cpu', "
               "which exists only so trtsetup's tests can run the whole path with test doubles")
DEFAULT_TIMEOUT = 900.0

# One concrete next step per reason the self-test could not run or did not finish; {doctor}
# and {plan} become commands for the interpreter that ran it (see fixes_for).
FIXES = {
    "no-python": "pass --python with the interpreter that should run torch2trt",
    "no-torch": "install PyTorch for this interpreter (`{plan}` shows how)",
    "no-cuda": "torch cannot see a GPU: run `{doctor}` (CUDA build of torch, driver, container runtime)",
    "no-tensorrt": "TensorRT's Python bindings are not importable from this interpreter: run `{doctor}`",
    "no-torch2trt": "torch2trt is missing or shadowed by a clone directory: `{doctor}` says which and "
                    "gives the install command; or start Python outside the clone",
    "timeout": "the self-test did not finish in time; rerun with a longer --timeout",
    "crashed": "the target interpreter died without a result; rerun with --json and read "
               "'stderr' for the TensorRT or CUDA error",
    "internal": "a bug in trtsetup's self-test script; please report it with the --json output",
}


def fix_for(cause, python):
    # type: (Optional[str], str) -> Optional[str]
    """The fix for ``cause``, with the commands spelled out for ``python``."""
    from ..fix_commands import invocation, trtsetup_command
    text = FIXES.get(cause) if cause else None
    if text is None:
        return None
    started = invocation()
    return text.format(doctor=trtsetup_command("doctor", python, invoked_as=started),
                       plan=trtsetup_command("plan", python, invoked_as=started))


CANNOT_RUN_CAUSES = ("no-python", "no-torch", "no-cuda", "no-tensorrt", "no-torch2trt")


class ModelResult(NamedTuple):
    """One model, e.g. ``ModelResult("mwcnn-iwt", "pass", 2.4e-07, "pass", 0.41, 0.09, 4.5,
    None, None)``; ``status`` is pass, fail or skip; times are median milliseconds."""

    name: str
    status: str
    max_abs_error: Optional[float] = None
    save_load: Optional[str] = None
    torch_ms: Optional[float] = None
    tensorrt_ms: Optional[float] = None
    speedup: Optional[float] = None
    error: Optional[str] = None
    detail: Optional[str] = None

    def to_json(self):
        return dict(self._asdict())


class SelftestResult(NamedTuple):
    """The whole self-test. ``status`` is pass, fail or cannot-run; ``cause`` says why it could
    not run or did not finish (see FIXES); ``report`` is the script's document as received."""

    status: str
    cause: Optional[str]
    error: Optional[str]
    fix: Optional[str]
    python: str
    device: str
    fp16: bool
    tolerance: Optional[float]
    torch2trt_file: Optional[str]
    torch2trt_source_tree: Optional[bool]
    versions: Dict[str, Any]
    models: List[ModelResult]
    argv: List[str]
    stderr_tail: Optional[str] = None

    @property
    def exit_code(self):
        if self.status == "pass":
            return EXIT_OK
        if self.status == "cannot-run":
            return EXIT_CANNOT_RUN
        return EXIT_FAILED

    def to_json(self):
        doc = dict(self._asdict())
        doc["models"] = [m.to_json() for m in self.models]
        doc["exit_code"] = self.exit_code
        doc["schema"] = SCHEMA
        return doc


def build_argv(python, fp16=False, models=(), device="cuda", script=SCRIPT,
               package_parent=PACKAGE_PARENT):
    # type: (str, bool, Sequence[str], str, Optional[str], str) -> List[str]
    """The argv that runs the script in ``python``; ``-c SOURCE`` when the file is not on disk."""
    args = ["--trtsetup-path", package_parent, "--device", device]
    if fp16:
        args.append("--fp16")
    for name in models:
        args += ["--model", name]
    if script and os.path.isfile(script):
        return [python, script] + args
    return script_argv(python, read_package_data("selftest/script.py").decode("utf-8"), args)


def parse_selftest_output(text):
    # type: (str) -> Optional[Dict[str, Any]]
    """The script's document: the last stdout line that is a JSON object with our schema."""
    return last_json_object(text or "", accept=lambda doc: doc.get("schema") == SCHEMA)


def _tail(text, lines=20):
    kept = (text or "").strip().splitlines()[-lines:]
    return "\n".join(kept) or None


def result_from_document(doc, python, device, fp16, argv, stderr=None):
    # type: (Dict[str, Any], str, str, bool, List[str], Optional[str]) -> SelftestResult
    fields = ModelResult._fields
    models = [ModelResult(**{k: v for k, v in m.items() if k in fields})
              for m in doc.get("models") or []]
    status = doc.get("status") or "fail"
    cause = doc.get("cause")
    return SelftestResult(
        status=status, cause=cause, error=doc.get("error"), fix=fix_for(cause, python),
        python=doc.get("python") or python, device=doc.get("device") or device,
        fp16=bool(doc.get("fp16", fp16)), tolerance=doc.get("tolerance"),
        torch2trt_file=doc.get("torch2trt_file"),
        torch2trt_source_tree=doc.get("torch2trt_source_tree"),
        versions=dict(doc.get("versions") or {}), models=models, argv=list(argv),
        stderr_tail=_tail(stderr) if status != "pass" else None)


def _no_document(status, cause, error, python, device, fp16, argv, stderr):
    return SelftestResult(status, cause, error, fix_for(cause, python), python, device, fp16, None,
                          None, None, {}, [], list(argv), _tail(stderr))


def run_selftest(host, python, fp16=False, models=(), device="cuda", timeout=DEFAULT_TIMEOUT):
    # type: (Any, str, bool, Sequence[str], str, float) -> SelftestResult
    """Run the self-test with ``python`` on ``host`` and return what it found. Never raises
    for a failure inside the target interpreter: that is part of the result."""
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        from ..errors import UsageError
        raise UsageError("unknown self-test model(s): %s" % ", ".join(unknown),
                         fix="choose from: %s" % ", ".join(MODELS))
    if device not in DEVICES:
        from ..errors import UsageError
        raise UsageError("unknown device %r" % (device,), fix="use 'cuda' or 'cpu'")
    argv = build_argv(python, fp16=fp16, models=models, device=device)
    neutral = tempfile.mkdtemp(prefix="trtsetup-selftest-")
    try:
        done = host.run(argv, timeout=timeout, cwd=neutral)
    finally:
        shutil.rmtree(neutral, ignore_errors=True)
    shown = [argv[0]] + (["-c", "<script>"] + argv[3:] if argv[1:2] == ["-c"] else argv[1:])
    if done.error == "timeout":
        return _no_document("fail", "timeout", "no result after %gs" % timeout, python, device,
                            fp16, shown, done.stderr)
    if done.returncode is None:
        return _no_document("cannot-run", "no-python", "could not start %s: %s"
                            % (python, done.error), python, device, fp16, shown, done.stderr)
    doc = parse_selftest_output(done.stdout)
    if doc is None:
        return _no_document("fail", "crashed", "exit status %s and no result document"
                            % done.returncode, python, device, fp16, shown, done.stderr)
    return result_from_document(doc, python, device, fp16, shown, done.stderr)

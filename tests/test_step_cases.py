"""Step cases as data (pyinfra's tests/operations/*/already_present.json): one file per case
under ``tests/fixtures/steps/<step-id>/<case>.json``, walked by the one test below. A new case
is a new file.

A case::

    {"params": {...}, "skip": null, "earlier": {...},       the planned spec, ctx.earlier
     "files": {"/var/lib/dpkg/status": "..."},              the machine's files (a tree)
     "state": {"torch2trt.json": {...}},                    trtsetup's state dir
     "answers": {"id -u": "1000\\n"},                       what a command prints (by argv prefix)
     "satisfied_reason": "..." | null,                      is_satisfied (a substring), or work to do
     "commands": [[argv...], ...]}                          what run() runs, for a case with work

``{root}`` in any string is the case's tree and ``{state}`` its state dir. Every step kind
has a "needs work" case and, where its state can be written as data, an "already
satisfied" one (``already_present.json``, which runs nothing).
"""

import glob
import json
import os

import pytest

from trtsetup.host.base import CommandResult

from trtsetup.host.live import LiveHost
from trtsetup.plan.model import StepSpec
from trtsetup.plan.step import ExecContext
from trtsetup.step_kinds import STEP_CLASSES

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "steps")
CASES = sorted(glob.glob(os.path.join(HERE, "*", "*.json")))


class CaseHost(LiveHost):
    """Reads the case's tree instead of /, answers commands from the case, records them."""

    def __init__(self, root, answers):
        super(CaseHost, self).__init__()
        self.root, self.answers, self.commands = root, answers, []

    def read_bytes(self, path):
        return super(CaseHost, self).read_bytes(os.path.join(self.root, path.lstrip("/")))

    def run(self, argv, timeout=10.0, env=None, cwd=None, log_path=None):
        argv = [str(a) for a in argv]
        self.commands.append(argv)
        line = " ".join(argv)
        said = [out for prefix, out in sorted(self.answers.items()) if line.startswith(prefix)]
        return CommandResult(argv, 0, said[0] if said else "", "")


def _fill(value, places):
    if isinstance(value, str):
        for name, path in places.items():
            value = value.replace("{" + name + "}", path)
        return value
    if isinstance(value, list):
        return [_fill(v, places) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, places) for k, v in value.items()}
    return value


def _write(base, files):
    for path, content in files.items():
        full = os.path.join(base, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))


# Kinds whose state is a real interpreter or a real torch2trt tree: their "needs work" and
# "already satisfied" behaviour is tested against real pip and real trees instead
# (test_install_executor.py, test_t2t_build.py, test_t2t_patch.py).
NOT_AS_DATA = {"torch-install", "torchvision-install", "t2t-patch"}


def _cases_of(kind):
    return [json.load(open(p)) for p in CASES if os.path.basename(os.path.dirname(p)) == kind]


@pytest.mark.parametrize("kind", sorted({cls.id for cls in STEP_CLASSES} - NOT_AS_DATA))
def test_every_step_kind_has_a_needs_work_case(kind):
    assert any(c.get("satisfied_reason") is None for c in _cases_of(kind))


@pytest.mark.parametrize("kind", ["apt-prerequisites", "t2t-build", "t2t-plugins", "selftest"])
def test_steps_with_state_have_an_already_present_case(kind):
    assert any(c.get("satisfied_reason") and not c.get("skip") for c in _cases_of(kind))


@pytest.mark.parametrize("path", CASES, ids=[os.path.relpath(p, HERE) for p in CASES])
def test_step_case(path, tmp_path):
    root, state = str(tmp_path / "root"), str(tmp_path / "state")
    os.makedirs(root), os.makedirs(state)
    places = {"root": root, "state": state}
    case = _fill(json.load(open(path)), places)
    step_id = os.path.basename(os.path.dirname(path))
    cls = {c.id: c for c in STEP_CLASSES}[step_id]
    _write(root, case.get("files", {}))
    _write(state, case.get("state", {}))
    host = CaseHost(root, case.get("answers", {}))
    log = str(tmp_path / "step.log")
    ctx = ExecContext(host=host, python="/usr/bin/python3", user=False, dry_run=False, state_dir=state,
                      cache_dir=str(tmp_path / "cache"), log_path=log,
                      run_logged=lambda argv, env=None, cwd=None, timeout=None: host.run(argv),
                      emit=lambda message: None, options={}, earlier=case.get("earlier", {}))
    step = cls.from_spec(StepSpec(step_id, "case", case.get("reason", "planned"), case.get("params", {}),
                                  skip=case.get("skip")))
    reason = step.skip_reason(ctx) if step.skip else step.is_satisfied(ctx)
    expected = case.get("satisfied_reason")
    if expected is not None:
        assert reason is not None and expected in reason, reason
        return   # satisfied: the executor runs nothing (pyinfra's "commands": [])
    assert reason is None
    if "commands" in case:
        host.commands = []
        try:
            step.run(ctx)
        except Exception as exc:   # a case may stop after its commands (no real build output)
            if not case.get("run_fails"):
                raise
            assert case["run_fails"] in str(exc)
        assert host.commands == case["commands"]

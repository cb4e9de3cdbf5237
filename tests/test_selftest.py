"""``trtsetup selftest`` end to end on the CPU: the real script runs in a real interpreter
through LiveHost; tensorrt and torch2trt are the doubles under tests/doubles."""

import json
import os
import stat
import sys

import pytest

from trtsetup.commands.selftest import selftest
from trtsetup.host.live import LiveHost
from trtsetup.report.selftest import render_text, to_json
from trtsetup.selftest.run import build_argv, parse_selftest_output

HERE = os.path.dirname(os.path.abspath(__file__))
DOUBLES = os.path.join(HERE, "doubles")


def _torch_python():
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    return sys.executable


needs_torch = pytest.mark.skipif(_torch_python() is None,
                                 reason="torch is not installed here (scripts/run-tests --with-torch installs it)")


def wrapper(tmp_path, pythonpath=(DOUBLES,), env=None, name="python"):
    """A 'python' that is this interpreter with the given PYTHONPATH and environment
    (LiveHost scrubs PYTHONPATH, as it should for a real target interpreter)."""
    lines = ["#!/bin/sh"]
    if pythonpath:
        lines.append("export PYTHONPATH='%s'" % os.pathsep.join(pythonpath))
    for key, value in sorted((env or {}).items()):
        lines.append("export %s='%s'" % (key, value))
    lines.append('exec "%s" "$@"' % sys.executable)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def run(python, **options):
    options.setdefault("device", "cpu")
    options.setdefault("timeout", 240)
    return selftest(LiveHost(), python, **options)


@needs_torch
def test_all_models_pass_and_exit_0(tmp_path):
    result = run(wrapper(tmp_path))
    assert result.exit_code == 0, render_text(result)
    by_name = {m.name: m for m in result.models}
    assert sorted(by_name) == ["cnn", "mwcnn-dwt", "mwcnn-iwt", "reflection-pad"]
    for name in ("cnn", "mwcnn-dwt", "mwcnn-iwt"):
        m = by_name[name]
        assert m.status == "pass" and m.save_load == "pass"
        assert m.max_abs_error <= 1e-5 and m.torch_ms > 0 and m.tensorrt_ms > 0 and m.speedup > 0
    assert by_name["reflection-pad"].status == "skip"
    assert "plugin library not loaded" in by_name["reflection-pad"].detail
    assert result.torch2trt_file == os.path.join(DOUBLES, "torch2trt", "__init__.py")
    assert result.torch2trt_source_tree is False
    doc = json.loads(to_json(result))
    assert doc["schema"] == "trtsetup.selftest/1" and doc["exit_code"] == 0
    assert "self-test passed" in render_text(result)


@needs_torch
def test_a_mismatch_fails_that_model_and_exits_1(tmp_path):
    python = wrapper(tmp_path, env={"TRTSETUP_FAKE_T2T_FAULT": "mismatch:OriginalIWT"})
    result = run(python, models=["mwcnn-dwt", "mwcnn-iwt"])
    assert result.exit_code == 1
    status = {m.name: m.status for m in result.models}
    assert status == {"mwcnn-dwt": "pass", "mwcnn-iwt": "fail"}
    failed = result.models[1]
    assert failed.max_abs_error == pytest.approx(1.0, abs=1e-3)
    assert "exceeds atol=rtol=0.01" in failed.detail
    text = render_text(result, ascii_only=True)
    assert "FAIL mwcnn-iwt" in text and "self-test FAILED" in text


@needs_torch
def test_a_conversion_error_is_reported_with_its_text(tmp_path):
    python = wrapper(tmp_path, env={"TRTSETUP_FAKE_T2T_FAULT": "convert-error:SmallCNN"})
    result = run(python, models=["cnn"])
    assert result.exit_code == 1
    assert result.models[0].error == ("RuntimeError: fake torch2trt: injected conversion error "
                                      "for SmallCNN")
    assert "failed during convert" in result.models[0].detail


@needs_torch
def test_an_engine_that_does_not_reload_fails_save_load(tmp_path):
    python = wrapper(tmp_path, env={"TRTSETUP_FAKE_T2T_FAULT": "load-error"})
    result = run(python, models=["mwcnn-dwt"])
    assert result.exit_code == 1
    assert "create_execution_context" in result.models[0].error
    assert "failed during save-load" in result.models[0].detail


@needs_torch
def test_fp16_uses_the_wider_tolerance(tmp_path):
    result = run(wrapper(tmp_path), fp16=True, models=["mwcnn-iwt"])
    assert result.exit_code == 0, render_text(result)
    assert result.fp16 is True and result.tolerance == 0.1
    assert 0 < result.models[0].max_abs_error < 0.1  # the double rounds outputs to fp16


@needs_torch
def test_plugin_layer_runs_when_the_plugin_library_is_loaded(tmp_path):
    python = wrapper(tmp_path, env={"TRTSETUP_FAKE_T2T_PLUGINS": "1"})
    result = run(python, models=["reflection-pad"])
    assert [(m.name, m.status) for m in result.models] == [("reflection-pad", "pass")]


@needs_torch
def test_no_gpu_cannot_run_exit_2(tmp_path):
    result = run(wrapper(tmp_path), device="cuda")
    assert result.exit_code == 2 and result.cause == "no-cuda"
    assert "torch.cuda.is_available() is False" in result.error
    assert "trtsetup doctor" in result.fix
    assert "could not run (no-cuda)" in render_text(result)


@needs_torch
def test_no_tensorrt_cannot_run_exit_2(tmp_path):
    result = run(wrapper(tmp_path, pythonpath=()))
    assert (result.exit_code, result.cause) == (2, "no-tensorrt")
    assert "No module named 'tensorrt'" in result.error


@needs_torch
def test_a_clone_directory_shadowing_torch2trt_cannot_run(tmp_path):
    # tensorrt importable, torch2trt only as a clone without __init__.py (a namespace package)
    only_trt = tmp_path / "only_trt"
    only_trt.mkdir()
    (only_trt / "tensorrt").symlink_to(os.path.join(DOUBLES, "tensorrt"))
    (only_trt / "trt_network.py").symlink_to(os.path.join(DOUBLES, "trt_network.py"))
    clone_parent = tmp_path / "src"
    (clone_parent / "torch2trt" / "torch2trt").mkdir(parents=True)
    (clone_parent / "torch2trt" / "setup.py").write_text("")
    result = run(wrapper(tmp_path, pythonpath=(str(only_trt), str(clone_parent))))
    assert (result.exit_code, result.cause) == (2, "no-torch2trt")
    assert "namespace package" in result.error and "clone" in result.error


def test_a_missing_interpreter_cannot_run(tmp_path):
    result = run(str(tmp_path / "no-such-python"))
    assert (result.exit_code, result.cause) == (2, "no-python")


def test_a_crash_without_a_document_is_a_failure(tmp_path):
    path = tmp_path / "python"
    path.write_text("#!/bin/sh\necho 'Segmentation fault' >&2\nexit 139\n")
    path.chmod(0o755)
    result = run(str(path))
    assert (result.exit_code, result.cause) == (1, "crashed")
    assert "Segmentation fault" in result.stderr_tail


def test_unknown_model_is_a_usage_error():
    from trtsetup.errors import UsageError
    with pytest.raises(UsageError, match="unknown self-test model"):
        run(sys.executable, models=["resnet"])


def test_argv_runs_the_script_with_our_package_on_its_path():
    argv = build_argv("/opt/py/bin/python3", fp16=True, models=["cnn", "mwcnn-iwt"])
    assert argv[0] == "/opt/py/bin/python3" and argv[1].endswith("selftest/script.py")
    assert argv[2] == "--trtsetup-path"
    assert argv[4:] == ["--device", "cuda", "--fp16", "--model", "cnn", "--model", "mwcnn-iwt"]
    assert os.path.isfile(os.path.join(argv[3], "trtsetup", "__init__.py"))


def test_parse_takes_the_last_document_and_ignores_noise():
    noise = "Warning: Encountered known unsupported method torch.zeros\n{not json}\n"
    first = json.dumps({"schema": "trtsetup.selftest/1", "status": "fail"})
    last = json.dumps({"schema": "trtsetup.selftest/1", "status": "pass"})
    assert parse_selftest_output(noise + first + "\n" + last + "\n")["status"] == "pass"
    assert parse_selftest_output(noise) is None
    assert parse_selftest_output('{"schema": "other"}') is None
    assert parse_selftest_output("") is None


def test_the_install_step_writes_the_selftest_text_into_its_log(tmp_path):
    # The install's last step: this machine has no GPU, so the self-test cannot run; the log
    # then holds what `trtsetup selftest` would print, from the text the command hands in.
    from trtsetup.commands import install as install_command
    from trtsetup.errors import ActionFailed
    from trtsetup.plan.model import StepSpec
    from trtsetup.plan.step import ExecContext
    from trtsetup.selftest.step import SelftestStep

    log = tmp_path / "install.log"
    python = wrapper(tmp_path)
    ctx = ExecContext(host=LiveHost(), python=python, user=False, dry_run=False,
                      state_dir=str(tmp_path / "state"), cache_dir=str(tmp_path / "cache"),
                      log_path=str(log), run_logged=None, emit=lambda message: None,
                      options={"selftest_log_text": install_command.selftest_log_text})
    step = SelftestStep.from_spec(StepSpec("selftest", SelftestStep.summary, "", {}))
    with pytest.raises(ActionFailed) as failed:
        step.run(ctx)
    assert failed.value.log_path == str(log)
    text = log.read_text()
    first = text.splitlines()[0]
    assert first.startswith("torch2trt self-test with ") and first.endswith(" (cuda)")
    assert "self-test could not run" in text

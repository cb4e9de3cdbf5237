"""Fixes are commands that are right as printed (new-user report 2026-12, defects 4, 14, 15, 16).

A user copies the `fix:` line and runs it. After `doctor --python X` it must install into X;
inside a venv it must not say --user (which the doctor itself flags there); package names must
match this machine's CUDA; no placeholder where the value is known.
"""

import json
import os
import shlex
import subprocess
import sys

from helpers import REPO, SystemTree, run_cli, run_module
from trees import jetson as jetson_trees
from trees import x86 as x86_trees


def _venv(tmp_path, name="venv"):
    """A real venv of the running interpreter, without pip (fast) and without torch."""
    where = str(tmp_path / name)
    subprocess.check_call([sys.executable, "-m", "venv", "--without-pip", where])
    return os.path.join(where, "bin", "python")


def _doctor(*args):
    result = run_cli(["doctor", "--json"] + list(args))
    assert result.exit_code in (0, 1), result
    return {c["id"]: c for c in result.json()["checks"]}


def _command(fix):
    """The argv of a fix line, without its trailing `# comment`."""
    return shlex.split(fix, comments=True)


def _trtsetup_args(argv):
    """What follows the trtsetup invocation (`trtsetup`, `PYTHON -m trtsetup` or a path)."""
    for i, word in enumerate(argv):
        if word in ("install", "plan", "doctor"):
            return argv[i:]
    raise AssertionError("no trtsetup command in {}".format(argv))


def test_fix_after_doctor_python_venv_installs_into_that_venv_as_printed(tmp_path):
    python = _venv(tmp_path)
    checks = _doctor("--fast", "--python", python)
    fix = checks["py-torch-imports"]["fix"]
    argv = _command(fix)
    assert "--python" in argv and argv[argv.index("--python") + 1] == python
    assert "--user" not in argv  # a venv installs into itself; --user would be invisible there
    assert "PYTHON" not in fix
    # Run the printed command (as a dry run): it plans for the venv, not for python3 on PATH.
    args = _trtsetup_args(argv) + ["--dry-run", "--json", "--skip-apt",
                                   "--index-url", "https://download.pytorch.org/whl/cpu"]
    doc = run_cli(args).json()
    assert doc["schema"] == "trtsetup.install/1" and doc["python"] == python
    # The same venv checked "as for install --user" is flagged; no fix of ours says --user.
    flagged = _doctor("--fast", "--python", python, "--user")
    assert flagged["py-user-site-visible"]["status"] == "fail"
    assert not any("--user" in _command(c["fix"]) for c in flagged.values()
                   if c["fix"] and "trtsetup" in c["fix"] and c["id"] != "py-user-site-visible")


def test_fix_started_as_python_dash_m_is_runnable_the_same_way(tmp_path):
    python = _venv(tmp_path)
    result = run_module(["doctor", "--json", "--fast", "--python", python])
    fix = {c["id"]: c for c in json.loads(result.stdout)["checks"]}["t2t-installed"]["fix"]
    argv = _command(fix)
    # trtsetup was started as `python -m trtsetup`: ~/.local/bin may not be on PATH.
    assert argv[:3] == [sys.executable, "-m", "trtsetup"]
    assert argv[3:] == ["install", "--python", python]


def test_system_python_of_a_captured_jetson_gets_python_and_user(tmp_path):
    tree = SystemTree(tmp_path / "root")
    jetson_trees.nano_jp44(tree)
    checks = _doctor("--root", tree.root)
    argv = _command(checks["py-torch-imports"]["fix"])
    python = argv[argv.index("--python") + 1]
    assert argv[:2] == ["trtsetup", "install"] and "--user" in argv
    assert python.startswith("/usr/bin/python3")
    assert "plan --python {}".format(python) in checks["py-torch-imports"]["fix"]


def test_venv_fix_for_system_tensorrt_names_the_real_venv_and_its_site_dir(tmp_path):
    tree = SystemTree(tmp_path / "root")
    jetson_trees.nano_jp44(tree)
    tree.write("/home/nano/venv/pyvenv.cfg", "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.6.9\n")
    tree.symlink("/home/nano/venv/bin/python3", "/usr/bin/python3.6")
    tree.mkdir("/home/nano/venv/lib/python3.6/site-packages")
    checks = _doctor("--root", tree.root, "--python", "/home/nano/venv/bin/python3")
    fix = checks["trt-python-visible"]["fix"]
    assert "VENV" not in fix and "--system-site-packages /home/nano/venv" in fix
    assert "--user" not in _command(checks["py-torch-imports"]["fix"])


def _cudnn_fix(tmp_path, preset, **kwargs):
    tree = SystemTree(tmp_path / "root")
    preset(tree, **kwargs)
    return _doctor("--root", tree.root)["cudnn-found"]


def test_cudnn_fix_names_the_package_of_this_machines_cuda(tmp_path):
    # The report's machine: CUDA 13.0, no cuDNN. It was told libcudnn9-dev-cuda-12.
    check = _cudnn_fix(tmp_path / "a", x86_trees.x86, driver="580.95.05", cuda="13.0", cudnn=None)
    assert check["status"] == "warn" and "libcudnn9-dev-cuda-13" in check["fix"]
    check = _cudnn_fix(tmp_path / "b", x86_trees.x86, cuda="12.6", cudnn=None)
    assert "libcudnn9-dev-cuda-12" in check["fix"]


def test_cudnn_and_toolkit_fixes_on_jetson_follow_the_jetpacks_recipe(tmp_path):
    # JetPack 4.4 ships cuDNN 8 and CUDA 10.2 (recipes/jetpack.json).
    tree = SystemTree(tmp_path / "root")
    jetson_trees.jetson(tree, cuda=None, cudnn=None)
    checks = _doctor("--root", tree.root)
    assert "libcudnn8-dev" in checks["cudnn-found"]["fix"]
    assert "cuda-toolkit-10-2" in checks["cuda-toolkit-found"]["fix"]
    assert "<X-Y>" not in checks["cuda-toolkit-found"]["fix"]


def test_selftest_fix_spells_out_the_interpreter_instead_of_PYTHON(tmp_path):
    python = _venv(tmp_path)
    result = run_cli(["selftest", "--json", "--python", python, "--timeout", "60"])
    doc = result.json()
    assert result.exit_code == 2 and doc["cause"] == "no-torch"
    assert "PYTHON" not in doc["fix"] and "plan --python {}".format(python) in doc["fix"]


def test_python_dash_m_without_dependencies_is_one_error_line_with_the_fix(tmp_path):
    python = _venv(tmp_path, "bare")  # no click, packaging, ... in it
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([python, "-m", "trtsetup", "doctor"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=str(tmp_path), timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert lines[0].startswith("error: trtsetup needs the Python package 'click'")
    assert lines[1].startswith("fix: ") and "-m venv" in lines[1] and REPO in lines[1]


def _header_python_line(*args):
    result = run_cli(["doctor", "--fast"] + list(args))
    return [line for line in result.stdout.splitlines() if line.startswith("Python    ")][0]


def test_interpreter_label_is_not_system_for_a_missing_or_pyenv_python(tmp_path):
    assert "(system)" not in _header_python_line("--python", "/nonexistent/python")
    assert "(venv)" in _header_python_line("--python", _venv(tmp_path))
    pyenv = os.path.expanduser("~/.pyenv/versions/3.6.15/bin/python")
    if os.path.isfile(pyenv):
        assert "(not a venv)" in _header_python_line("--python", pyenv)


def test_summary_line_counts_in_words(tmp_path):
    import re
    tree = SystemTree(tmp_path / "root")
    x86_trees.x86(tree, cuda="12.6", cudnn=None)
    last = run_cli(["doctor", "--root", tree.root]).stdout.strip().splitlines()[-1]
    match = re.match(r"^(\d+) problems? to fix, (\d+) warnings?\.$", last)
    assert match and "(s)" not in last, last
    for number, word in zip(match.groups(), ("problem", "warning")):
        assert (word + "s" in last.split(number, 1)[1].split(",")[0]) == (number != "1")


PRESETS = [jetson_trees.nano_jp44, jetson_trees.tx2_jp43, jetson_trees.xavier_nx_jp461_dpkg_only,
           jetson_trees.agx_xavier_jp512, jetson_trees.orin_nano_jp62, jetson_trees.thor_jp70,
           jetson_trees.future_r40_1, jetson_trees.switch_no_l4t, jetson_trees.l4t_base_container_jp4,
           x86_trees.x86_driver535_cuda122_trt86_deb, x86_trees.x86_trt1013_tarball, x86_trees.x86_no_driver,
           x86_trees.ngc_tensorrt, x86_trees.ngc_pytorch,
           lambda tree: x86_trees.x86(tree, cuda=None, trt=None, cudnn=None),
           lambda tree: jetson_trees.jetson(tree, cuda=None, cudnn=None, trt=None, python=None)]


def test_no_python_none_or_placeholder_in_any_text_the_doctor_prints(tmp_path):
    """Unknown values are rendered in words: 'TensorRT headers None', 'built for CUDA None',
    'PYTHON' or 'VENV' in a fix are defects whatever check prints them."""
    import re
    leak = re.compile(r"\bNone\b|\bPYTHON\b|\bVENV\b|<X-Y>|\(none\)")
    for number, preset in enumerate(PRESETS):
        tree = SystemTree(tmp_path / str(number))
        preset(tree)
        for extra in ([], ["--python", "/usr/bin/python3.99"]):
            result = run_cli(["doctor", "--json", "--root", tree.root] + extra)
            for check in result.json()["checks"]:
                for field in ("summary", "detail", "fix"):
                    assert not leak.search(check[field] or ""), (number, extra, check)
        text = run_cli(["doctor", "-v", "--root", tree.root]).stdout
        assert not leak.search(text), (number, text)


def test_trtsetup_is_named_the_way_it_was_started():
    from trtsetup.fix_commands import invocation
    on_path = {"trtsetup": "/usr/local/bin/trtsetup"}.get
    assert invocation("/usr/local/bin/trtsetup", "/usr/bin/python3", on_path) == ["trtsetup"]
    # pip install --user put it in ~/.local/bin, which is not on PATH:
    assert invocation("/home/nano/.local/bin/trtsetup", "/usr/bin/python3", {}.get) == [
        "/home/nano/.local/bin/trtsetup"]
    assert invocation("/src/trtsetup/trtsetup/__main__.py", "/usr/bin/python3", on_path) == [
        "/usr/bin/python3", "-m", "trtsetup"]
    assert invocation("/opt/trtsetup.pyz", "/usr/bin/python3.6", on_path) == ["/usr/bin/python3.6", "/opt/trtsetup.pyz"]

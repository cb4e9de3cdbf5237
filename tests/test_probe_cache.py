"""doctor remembers a successful torch probe and asks again when what it depends on changes."""

import os
import re

from test_probe_python import FAKE_TORCH, _dist_info, _fake_torch_venv

from helpers import run_cli

COUNTER = """
import os as _os
with open({path!r}, "a") as _f:
    _f.write("import\\n")
"""


def _record(site, dist, files):
    """The RECORD pip would write for ``files`` (paths relative to ``site``)."""
    rows = ["{},sha256=x,{}".format(f, os.path.getsize(os.path.join(site, f))) for f in files]
    with open(os.path.join(dist, "RECORD"), "w") as handle:
        handle.write("\n".join(rows + [os.path.basename(dist) + "/RECORD,,"]) + "\n")


def _imports(path):
    return open(path).read().count("import") if os.path.exists(path) else 0


def test_second_doctor_reuses_the_torch_answer_until_torch_changes(tmp_path):
    counter = str(tmp_path / "imports.txt")
    init = FAKE_TORCH.format(version="2.5.0+cu121", cuda="12.1", available=True) + COUNTER.format(path=counter)
    exe = _fake_torch_venv(tmp_path, init)
    site = next(os.path.join(root, d) for root, dirs, _ in os.walk(str(tmp_path / "env")) for d in dirs
                if d == "site-packages")
    _dist_info(site, "torch", "2.5.0+cu121")
    dist = os.path.join(site, "torch-2.5.0+cu121.dist-info")
    _record(site, dist, ["torch/__init__.py", "torch-2.5.0+cu121.dist-info/METADATA"])
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["doctor", "--json", "--python", exe, "--check", "py-torch-imports"]

    first = run_cli(args, env=env).json()
    assert _imports(counter) == 1
    assert first["platform"]["python"]["torch"]["cached_at"] is None
    second = run_cli(args, env=env).json()
    assert _imports(counter) == 1  # not imported again
    torch = second["platform"]["python"]["torch"]
    assert torch["cached_at"] and torch["version"] == "2.5.0+cu121" and torch["cuda_version"] == "12.1"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", torch["cached_at"])  # UTC, to the second
    assert "--refresh" in second["checks"][0]["summary"]

    # --refresh asks again.
    run_cli(args + ["--refresh"], env=env)
    assert _imports(counter) == 2
    # A different build of torch (its RECORD changes) is asked again too.
    with open(os.path.join(dist, "RECORD"), "w") as handle:
        handle.write("torch/__init__.py,sha256=other,1\n")
    third = run_cli(args, env=env).json()
    assert _imports(counter) == 3 and third["platform"]["python"]["torch"]["cached_at"] is None


def test_a_failed_torch_import_is_not_remembered(tmp_path):
    exe = _fake_torch_venv(tmp_path, "raise ImportError('libcudnn.so.8: cannot open shared object file')")
    site = next(os.path.join(root, d) for root, dirs, _ in os.walk(str(tmp_path / "env")) for d in dirs
                if d == "site-packages")
    _dist_info(site, "torch", "1.10.0")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    run_cli(["doctor", "--json", "--python", exe, "--check", "py-torch-imports"], env=env)
    assert not os.path.exists(str(tmp_path / "cache" / "trtsetup" / "probes" / "torch.json"))


# -- a remembered answer needs proof that torch's files are as pip installed them --------------

TORCH_LOADING_ITS_LIBRARY = """
import ctypes as _ctypes, os as _os
_ctypes.CDLL(_os.path.join(_os.path.dirname(__file__), "lib", "libtorch_global_deps.so"))
__version__ = "2.13.0+cpu"
class version:
    cuda = None
class cuda:
    @staticmethod
    def is_available():
        return False
    @staticmethod
    def device_count():
        return 0
"""


def _small_shared_library():
    """A real ELF shared library of this machine, to stand in for torch's own."""
    import ctypes.util
    candidates = []
    for name in ("dl", "util", "rt", "m", "c"):
        found = ctypes.util.find_library(name)
        for base in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                     "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64"):
            if found and os.path.exists(os.path.join(base, found)):
                candidates.append(os.path.realpath(os.path.join(base, found)))
    return min(candidates, key=os.path.getsize)


def _pip_installed_torch(tmp_path):
    """torch 2.13.0+cpu's shape in miniature, installed by real pip (which writes the RECORD)."""
    import subprocess
    import sys
    from install_fixtures import _write_wheel
    from test_probe_python import PY_CURRENT, _venv
    with open(_small_shared_library(), "rb") as handle:
        library = handle.read()
    info = "torch-2.13.0+cpu.dist-info"
    wheel = _write_wheel(str(tmp_path / "wheels"), "torch-2.13.0+cpu-py3-none-any.whl", info, {
        "torch/__init__.py": TORCH_LOADING_ITS_LIBRARY.encode("utf-8"),
        "torch/lib/libtorch_global_deps.so": library,
        info + "/METADATA": b"Metadata-Version: 2.1\nName: torch\nVersion: 2.13.0+cpu\n",
        info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: trtsetup-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    })
    exe, site = _venv(PY_CURRENT, tmp_path / "env")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--no-compile",
                    "--disable-pip-version-check", "--target", site, wheel],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert os.path.exists(os.path.join(site, info, "RECORD"))
    return exe, os.path.join(site, "torch", "lib", "libtorch_global_deps.so")


def _doctor_torch(exe, env):
    doc = run_cli(["doctor", "--json", "--python", exe, "--check", "py-torch-imports"], env=env).json()
    return doc["checks"][0], doc["platform"]["python"]["torch"]


def test_a_removed_torch_library_is_reported_without_refresh(tmp_path):
    # What the new user did (and a killed pip leaves): a library of torch is gone.
    exe, library = _pip_installed_torch(tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    check, torch = _doctor_torch(exe, env)
    assert check["status"] == "ok" and torch["cached_at"] is None
    check, torch = _doctor_torch(exe, env)
    assert check["status"] == "ok" and torch["cached_at"]  # remembered while nothing changed

    os.rename(library, library + ".bak")
    check, torch = _doctor_torch(exe, env)
    assert check["status"] == "fail" and torch["cached_at"] is None
    assert "does not import" in check["summary"] and "libtorch_global_deps.so" in check["summary"]


def test_a_truncated_torch_library_is_reported_without_refresh(tmp_path):
    exe, library = _pip_installed_torch(tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    _doctor_torch(exe, env)
    assert _doctor_torch(exe, env)[1]["cached_at"]
    with open(library, "r+b") as handle:
        handle.truncate(100)   # a copy cut short: the size no longer matches the RECORD
    check, torch = _doctor_torch(exe, env)
    assert check["status"] == "fail" and torch["cached_at"] is None
    assert "libtorch_global_deps.so" in check["summary"]


# -- torchvision paired from its metadata is not imported -------------------------------------

def _pip_install_torchvision(tmp_path, exe, requires, marker):
    """torchvision 0.28.0+cpu as pip installs it; importing it appends to ``marker``."""
    import subprocess
    import sys
    from install_fixtures import _write_wheel
    info = "torchvision-0.28.0+cpu.dist-info"
    init = ("with open({!r}, 'a') as _f:\n    _f.write('import\\n')\n"
            "raise RuntimeError('operator torchvision::nms does not exist')\n").format(marker)
    wheel = _write_wheel(str(tmp_path / "wheels"), "torchvision-0.28.0+cpu-py3-none-any.whl", info, {
        "torchvision/__init__.py": init.encode("utf-8"),
        "torchvision/_C.so": b"\x7fELF" + b"\0" * 60,
        info + "/METADATA": ("Metadata-Version: 2.1\nName: torchvision\nVersion: 0.28.0+cpu\n"
                             "Requires-Dist: numpy\nRequires-Dist: {}\n"
                             "Requires-Dist: pillow (!=8.3.*,>=5.3.0)\n").format(requires).encode("utf-8"),
        info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: trtsetup-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    })
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--no-compile",
                    "--disable-pip-version-check", "--target", _pip_site(exe), wheel],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _pip_site(exe):
    import glob
    return glob.glob(os.path.join(os.path.dirname(os.path.dirname(exe)), "lib", "python3.*", "site-packages"))[0]


def _vision_check(exe, env):
    doc = run_cli(["doctor", "--json", "--refresh", "--python", exe, "--check", "py-torchvision-matches"],
                  env=env).json()
    return doc["checks"][0], doc["platform"]["python"]["torch"]


def test_torchvision_pinned_to_this_torch_is_not_imported(tmp_path):
    exe, _ = _pip_installed_torch(tmp_path)
    marker = str(tmp_path / "vision-imports.txt")
    _pip_install_torchvision(tmp_path, exe, "torch (==2.13.0)", marker)
    check, torch = _vision_check(exe, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert not os.path.exists(marker)          # paired by metadata: no import
    assert torch["imported"] is True and torch["torchvision_imported"] is None
    assert check["id"] == "py-torchvision-matches" and "0.28.0+cpu" in check["summary"]


def test_torchvision_pinned_to_another_torch_is_imported_and_fails(tmp_path):
    exe, _ = _pip_installed_torch(tmp_path)
    marker = str(tmp_path / "vision-imports.txt")
    _pip_install_torchvision(tmp_path, exe, "torch==2.12.0", marker)
    check, torch = _vision_check(exe, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert os.path.exists(marker) and torch["torchvision_imported"] is False
    assert check["status"] == "fail" and "torchvision::nms" in check["summary"]


def test_torchvision_with_a_missing_file_is_imported(tmp_path):
    exe, _ = _pip_installed_torch(tmp_path)
    marker = str(tmp_path / "vision-imports.txt")
    _pip_install_torchvision(tmp_path, exe, "torch==2.13.0", marker)
    os.remove(os.path.join(_pip_site(exe), "torchvision", "_C.so"))
    _vision_check(exe, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert os.path.exists(marker)


# -- the first doctor starts importing torch before the interpreter has answered ----------------

SLOW_TO_ANSWER = """#!/bin/sh
# The target interpreter, a second and a half slow to answer about itself; logs when each probe runs.
case "$2" in
    *read_python*) probe=python-info; sleep 1.5;;
    *read_torch_runtime*) probe=torch-info;;
    *) probe=other;;
esac
echo "$probe start" >> {log}
{real} "$@"
status=$?
echo "$probe end" >> {log}
exit $status
"""


def test_the_first_doctor_imports_torch_while_the_interpreter_is_still_answering(tmp_path):
    """The cold doctor's critical path: torch's import used to wait for the interpreter's
    answer about itself (and for nvidia-smi's) before it started (issue 10)."""
    exe = _fake_torch_venv(tmp_path, FAKE_TORCH.format(version="2.5.0+cu121", cuda="12.1", available=True))
    log = str(tmp_path / "probes.log")
    slow = os.path.join(os.path.dirname(exe), "python-slow")
    with open(slow, "w") as handle:
        handle.write(SLOW_TO_ANSWER.format(log=log, real=exe))
    os.chmod(slow, 0o755)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["doctor", "--json", "--python", slow, "--check", "py-torch-imports"]

    for run in ("first", "--refresh"):
        open(log, "w").close()
        doc = run_cli(args + ([run] if run.startswith("--") else []), env=env).json()
        assert doc["checks"][0]["status"] == "ok" and doc["platform"]["python"]["torch"]["version"] == "2.5.0+cu121"
        events = [line.strip() for line in open(log) if not line.startswith("other")]
        assert events.index("torch-info start") < events.index("python-info end"), (run, events)
        assert events.count("torch-info start") == 1, events  # the early answer was the one used

"""doctor remembers a successful torch probe and asks again when what it depends on changes."""

import os

from test_probe_python import FAKE_TORCH, _dist_info, _fake_torch_venv

from helpers import run_cli

COUNTER = """
import os as _os
with open({path!r}, "a") as _f:
    _f.write("import\\n")
"""


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
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = ["doctor", "--json", "--python", exe, "--check", "py-torch-imports"]

    first = run_cli(args, env=env).json()
    assert _imports(counter) == 1
    assert first["platform"]["python"]["torch"]["cached_at"] is None
    second = run_cli(args, env=env).json()
    assert _imports(counter) == 1  # not imported again
    torch = second["platform"]["python"]["torch"]
    assert torch["cached_at"] and torch["version"] == "2.5.0+cu121" and torch["cuda_version"] == "12.1"
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

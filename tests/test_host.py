"""The Host seam: captured trees, snapshots and their redaction."""

import json
import os
import sys

import pytest

from trtsetup.errors import InputError
from trtsetup.host.live import LiveHost
from trtsetup.host.snapshot import RecordingHost, SnapshotHost
from trtsetup.host.root import RootHost, parse_environ

from helpers import SystemTree


def test_root_host_reads_under_root_and_follows_absolute_links_inside_it(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/local/cuda-12.2/version.json", '{"cuda": {"version": "12.2.140"}}')
    tree.symlink("/usr/local/cuda", "/usr/local/cuda-12.2")  # absolute target, as on a real system
    host = RootHost(str(tmp_path))
    assert host.read_text("/usr/local/cuda/version.json") == '{"cuda": {"version": "12.2.140"}}'
    assert host.realpath("/usr/local/cuda") == "/usr/local/cuda-12.2"
    assert host.is_dir("/usr/local/cuda")
    assert host.listdir("/usr/local") == ["cuda", "cuda-12.2"]
    assert host.glob("/usr/local/cuda-*/version.json") == ["/usr/local/cuda-12.2/version.json"]
    # The real /usr/local/cuda of the machine running the tests is never consulted.
    assert host.read_text("/etc/hostname") is None


def test_root_host_runs_no_command(tmp_path):
    host = RootHost(str(tmp_path))
    result = host.run(["echo", "hello"])
    assert result.returncode is None and result.error == "unavailable" and result.stdout == ""


def test_root_host_environment_comes_from_pid1_environ(tmp_path):
    SystemTree(tmp_path).environ(TRT_VERSION="10.3.0.26", PATH="/usr/local/bin:/usr/bin")
    host = RootHost(str(tmp_path))
    assert host.env["TRT_VERSION"] == "10.3.0.26"
    assert host.which("python3") is None
    SystemTree(tmp_path).write("/usr/bin/python3", "")
    assert host.which("python3") == "/usr/bin/python3"


def test_root_host_rejects_a_missing_directory(tmp_path):
    with pytest.raises(InputError) as info:
        RootHost(str(tmp_path / "nope"))
    assert "--root" in str(info.value)


def test_parse_environ_keeps_values_with_equals_signs():
    assert parse_environ(b"A=1\0B=x=y\0junk\0") == {"A": "1", "B": "x=y"}


def test_an_unreadable_path_is_recorded_not_raised(tmp_path):
    # A directory where a file is expected reads as a problem (root can read anything else).
    (tmp_path / "etc" / "nv_tegra_release").mkdir(parents=True)
    host = RootHost(str(tmp_path))
    assert host.read_text("/etc/nv_tegra_release") is None
    assert [p.path for p in host.problems] == ["/etc/nv_tegra_release"]


def test_live_host_runs_argv_with_timeout_and_reports_missing_programs():
    host = LiveHost()
    ok = host.run([sys.executable, "-c", "print('hi')"])
    assert ok.ok and ok.stdout.strip() == "hi"
    missing = host.run(["trtsetup-no-such-program"])
    assert missing.returncode is None and missing.error == "not-found"
    slow = host.run([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.5)
    assert slow.error == "timeout" and slow.returncode is None


def test_snapshot_redacts_secrets_uuids_macs_and_serials_and_replays(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/proc/device-tree/serial-number", "1422919123456\0")
    tree.write("/sys/class/net/eth0/address", "48:b0:2d:12:34:56\n")
    tree.write("/etc/nv_tegra_release", "# R32 (release), REVISION: 4.3, GCID: 21589087, BOARD: t210ref\n")
    tree.write("/bin/junk", b"\xff\xfe\x00binary")
    tree.environ(HF_TOKEN="hf_abcdef", AWS_SECRET_ACCESS_KEY="xyz", CUDA_VERSION="12.2.2")
    inner = RootHost(str(tmp_path))
    recording = RecordingHost(inner)
    recording.read_text("/proc/device-tree/serial-number")
    recording.read_text("/sys/class/net/eth0/address")
    recording.read_text("/etc/nv_tegra_release")
    recording.read_bytes("/bin/junk")
    recording.read_text("/missing")
    recording.glob("/etc/nv_*")
    doc = recording.to_snapshot("2026-11-27T00:00:00Z", "0.1.0")
    text = json.dumps(doc)
    assert "1422919123456" not in text and "48:b0:2d" not in text
    assert "hf_abcdef" not in text and "xyz" not in text
    assert doc["env"]["CUDA_VERSION"] == "12.2.2"
    # A GPU UUID inside command output is redacted too.
    from trtsetup.host.base import CommandResult
    recording.commands.append(CommandResult(["nvidia-smi", "-L"], 0,
                                            "GPU 0: NVIDIA H100 (UUID: GPU-5f2c1e3a-1b2c-4d5e-8f90-1234567890ab)\n", ""))
    doc = recording.to_snapshot("2026-11-27T00:00:00Z", "0.1.0")
    assert "5f2c1e3a" not in json.dumps(doc)

    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc))
    replay = SnapshotHost(str(path))
    assert replay.read_text("/etc/nv_tegra_release").startswith("# R32")
    assert replay.read_bytes("/bin/junk") == b"\xff\xfe\x00binary"
    assert replay.read_text("/missing") is None and not replay.exists("/missing")
    assert replay.glob("/etc/nv_*") == ["/etc/nv_tegra_release"]
    assert replay.run(["nvidia-smi", "-L"]).stdout.startswith("GPU 0: NVIDIA H100")
    assert replay.run(["nvidia-smi"]).error == "unavailable"


@pytest.mark.parametrize("content,needle", [
    ("{not json", "not valid JSON"),
    ('{"schema": "something/else"}', "not a trtsetup snapshot"),
    ("", "not valid JSON"),
])
def test_a_damaged_snapshot_is_refused_with_a_fix(tmp_path, content, needle):
    path = tmp_path / "snap.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        SnapshotHost(str(path))
    assert needle in str(info.value)
    assert "trtsetup snapshot" in info.value.fix

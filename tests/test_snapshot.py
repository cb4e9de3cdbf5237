"""`trtsetup snapshot` captures this machine; `doctor --snapshot` replays it elsewhere."""

import json

from helpers import run_cli


def test_snapshot_of_this_machine_replays_to_the_same_diagnosis(tmp_path):
    snap = tmp_path / "snap.json"
    result = run_cli(["snapshot", "-o", str(snap), "--fast"])
    assert result.exit_code == 0, result
    assert "wrote" in result.stderr and result.stdout == ""
    doc = json.loads(snap.read_text())
    assert doc["schema"] == "trtsetup.snapshot/1"
    assert "/proc/meminfo" in doc["files"]
    # Every command ran with an argv list, recorded with its outcome.
    assert all(isinstance(c["argv"], list) for c in doc["commands"])

    live = run_cli(["doctor", "--json", "--fast"]).json()
    replay = run_cli(["doctor", "--json", "--fast", "--snapshot", str(snap)]).json()
    assert replay["platform"]["host"] == "snapshot"
    for key in ("system", "jetson", "nvidia", "gpus", "cuda", "cudnn", "tensorrt", "container"):
        left, right = dict(live["platform"][key] or {}) if isinstance(live["platform"][key], dict) else live["platform"][key], \
            dict(replay["platform"][key] or {}) if isinstance(replay["platform"][key], dict) else replay["platform"][key]
        if key == "system":
            for volatile in ("disk_free_mib", "ram_available_mib"):
                left.pop(volatile, None)
                right.pop(volatile, None)
        assert left == right, key
    assert replay["platform"]["python"]["executable"] == live["platform"]["python"]["executable"]
    assert [c["id"] for c in replay["checks"]] == [c["id"] for c in live["checks"]]
    assert [c["status"] for c in replay["checks"]] == [c["status"] for c in live["checks"]]


def test_snapshot_refuses_an_unwritable_output(tmp_path):
    result = run_cli(["snapshot", "-o", str(tmp_path / "no" / "such" / "dir" / "s.json"), "--fast"])
    assert result.exit_code == 2 and "cannot write snapshot" in result.stderr

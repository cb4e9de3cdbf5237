"""`trtsetup docker csv --check/--print/--write` on Jetson host trees, through the real CLI."""

import os

import pytest

from tests.helpers import SystemTree, run_cli
from tests.trees import docker as trees

CSV = trees.CSV_DIR
LIB = trees.LIB


def _check(tree, *extra):
    return run_cli(["docker", "csv", "--check", "--root", tree.root, "--json"] + list(extra))


def _problems(result, code=None):
    doc = result.json()
    assert doc["schema"] == "trtsetup.docker-csv/1"
    return [p for p in doc["problems"] if code is None or p["code"] == code]


def _read(tree, path):
    with open(tree.path(path), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("jetpack,runtime", [("4.3", "old"), ("4.4", "old"), ("4.6", "jp46"), ("5.1", None),
                                              ("6.2", None), ("7", None)])
def test_stock_host_every_line_resolves(tmp_path, jetpack, runtime):
    tree = trees.container_host(SystemTree(tmp_path), jetpack, runtime=runtime or "old")
    result = _check(tree)
    assert result.exit_code == 0, result
    doc = result.json()
    assert doc["lines"] == doc["resolved"] > 0
    assert [p for p in doc["problems"] if p["severity"] == "fail"] == []


def test_stale_version_after_upgrade_names_the_replacement(tmp_path):
    # JetPack 4.3 -> 4.4 by apt: libnvinfer.so.6.0.1 is gone, 7.1.3 is in; a hand-kept tensorrt.csv still says 6.
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.6.0.1".format(LIB),
                                           "sym, {}/libnvinfer.so.6".format(LIB),
                                           "lib, {}/libnvinfer.so.7.1.3".format(LIB)])
    result = _check(tree)
    assert result.exit_code == 1
    drift = _problems(result, "version-drift")
    assert [(p["line"], p["replacement"]) for p in drift] == [(1, LIB + "/libnvinfer.so.7.1.3"),
                                                               (2, LIB + "/libnvinfer.so.7")]
    assert "libnvinfer.so.6: cannot open shared object file" in drift[0]["message"]
    assert "the host now has libnvinfer.so.7.1.3" in drift[0]["message"]


def test_link_now_points_to_a_newer_library_than_the_lib_line(tmp_path):
    # dusty-nv/jetson-containers#187: libnvinfer_plugin.so.8 -> 8.4.3 (TRT-OSS build), CSV still mounts 8.2.1
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="jp46")
    tree.write(LIB + "/libnvinfer_plugin.so.8.4.3", b"\x7fELF")
    tree.symlink(LIB + "/libnvinfer_plugin.so.8", "libnvinfer_plugin.so.8.4.3")
    result = _check(tree)
    assert result.exit_code == 1
    drift = _problems(result, "version-drift")
    assert len(drift) == 1 and drift[0]["path"] == LIB + "/libnvinfer_plugin.so.8.0.1"
    assert drift[0]["replacement"] == LIB + "/libnvinfer_plugin.so.8.4.3"


def test_crlf_spacing_half_edited_and_relative_lines(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    # JP 4.4 DP cudnn.csv had CRLF endings; spacing variants are fine; the rest is dropped silently.
    tree.write(CSV + "/cudnn.csv", "lib,  {0}/libcudnn.so.8.0.0\r\nsym,{0}/libcudnn.so.8 \r\n".format(LIB).encode())
    tree.write(CSV + "/extra.csv", "lib /usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3\n"
                                   "sym, \n"
                                   "libs, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7\n"
                                   "dev, nvhost-ctrl\n"
                                   "# a comment the runtime does not know about\n"
                                   "lib, /usr/lib/aarch64-linux-gnu/tegra/libcuda.so.1.1\n")
    result = _check(tree)
    assert result.exit_code == 1
    crlf = _problems(result, "crlf")
    assert [(p["file"], p["line"]) for p in crlf] == [("cudnn.csv", 1)]
    assert "2 of 2 lines" in crlf[0]["message"]
    assert sorted(p["line"] for p in _problems(result, "invalid")) == [1, 2, 3]
    relative = _problems(result, "relative")
    assert [(p["line"], p["replacement"]) for p in relative] == [(4, "/dev/nvhost-ctrl")]
    dup = _problems(result, "duplicate")
    assert [(p["file"], p["line"]) for p in dup] == [("l4t.csv", 4)]  # files are read in name order
    assert "also listed in extra.csv line 6" in dup[0]["message"]
    # "lib,  /path" and "sym,/path " parse exactly like the runtime (first comma, trimmed)
    assert not [p for p in _problems(result) if p["file"] == "cudnn.csv" and p["code"] not in ("crlf", "not-covered")]


def test_type_mismatch_by_lstat(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    trees.write_csv(tree, "tensorrt.csv", ["dir, {}/libnvinfer.so.7.1.3".format(LIB),
                                           "lib, /usr/lib/python3.6/dist-packages/tensorrt",
                                           "lib, {}/libnvinfer.so.7".format(LIB),
                                           "dev, /usr/local/cuda-10.2"])
    result = _check(tree)
    assert result.exit_code == 1
    found = {p["line"]: (p["severity"], p["fix"]) for p in _problems(result, "type-mismatch")}
    assert found[1][0] == "fail" and found[2][0] == "fail" and found[4][0] == "fail"
    assert found[3] == ("warn", "Write it as 'sym, {}/libnvinfer.so.7'.".format(LIB))


def test_device_globs_and_missing_devices(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "6.2")
    if not trees.DEVICES_OK:
        pytest.skip("cannot mknod here (not root)")
    trees.write_csv(tree, "devices.csv", ["dev, /dev/dri/card*", "dev, /dev/nvhost-nvdla*", "dev, /dev/nvmap",
                                          "dev, /dev/nvhost-vic"])
    result = _check(tree)
    assert result.exit_code == 0  # a device this module lacks is skipped by the toolkit: a warning
    missing = _problems(result, "device-missing")
    assert sorted(p["line"] for p in missing) == [2, 4]
    assert "no device matches /dev/nvhost-nvdla*" in missing[0]["message"]


def test_new_runtime_does_not_read_a_correct_tensorrt_csv(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="new")
    result = _check(tree)
    assert result.exit_code == 0
    not_read = {p["file"]: p for p in _problems(result, "not-read")}
    assert sorted(not_read) == ["cuda.csv", "cudnn.csv", "tensorrt.csv", "visionworks.csv"]
    assert "tensorrt.csv is correct but will not be read" in not_read["tensorrt.csv"]["message"]
    assert "0.11.0+jetpack" in not_read["tensorrt.csv"]["message"]
    assert "NVIDIA_REQUIRE_JETPACK=csv-mounts=all" in not_read["tensorrt.csv"]["fix"]
    text = run_cli(["docker", "csv", "--root", tree.root])
    assert "tensorrt.csv is correct but will not be read" in text.stdout
    assert "fix: docker run -e NVIDIA_REQUIRE_JETPACK=csv-mounts=all" in text.stdout


@pytest.mark.parametrize("runtime", ["old", "jp46"])
def test_old_runtime_reads_every_csv(tmp_path, runtime):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime=runtime)
    result = _check(tree)
    assert result.json()["base_only"] is False
    assert _problems(result, "not-read") == []


def test_toolkit_1_10_csv_mode_is_base_only_too(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="jp46")
    tree.dpkg({"nvidia-container-toolkit": "1.10.0-1"})  # later stanza for the same name: first wins...
    # ...so rewrite the status with the upgraded toolkit as apt would
    status = _read(tree, "/var/lib/dpkg/status").decode().replace(
        "Package: nvidia-container-toolkit\nStatus: install ok installed\nPriority: optional\n"
        "Architecture: arm64\nVersion: 1.7.0-1", "Package: nvidia-container-toolkit\nStatus: install ok installed\n"
        "Priority: optional\nArchitecture: arm64\nVersion: 1.10.0-1")
    tree.write("/var/lib/dpkg/status", status)
    doc = _check(tree).json()
    assert doc["base_only"] is True and "nvidia-container-toolkit 1.10.0-1" in doc["reading"]


def test_jetpack5_host_with_a_jetpack4_tensorrt_csv(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "5.1")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.8.5.2".format(LIB)])
    result = _check(tree)
    leftover = _problems(result, "jp4-leftover")
    assert len(leftover) == 1 and "JetPack 4-style tensorrt.csv on an R35 host" in leftover[0]["message"]
    assert leftover[0]["fix"].startswith("sudo mv ")


def test_coverage_gap_for_installed_tensorrt_libraries(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="jp46")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.8.0.1".format(LIB),
                                           "sym, {}/libnvinfer.so.8".format(LIB)])
    result = _check(tree)
    gaps = {p["message"].split(" libraries of ")[1].split(" ")[0]: p for p in _problems(result, "not-covered")}
    assert sorted(gaps) == ["libnvinfer-plugin8", "libnvonnxparsers8", "libnvparsers8"]
    assert gaps["libnvinfer-plugin8"]["fix"].startswith("sudo trtsetup docker csv --print tensorrt.csv --write")


def test_no_csv_directory_cannot_run(tmp_path):
    from tests.trees import x86
    tree = x86.x86(SystemTree(tmp_path))
    result = run_cli(["docker", "csv", "--check", "--root", tree.root, "--json"])
    assert result.exit_code == 2
    assert result.json()["schema"] == "trtsetup.error/1"
    assert "does not exist" in result.json()["error"]


def test_print_regenerates_from_dpkg_lists_sorted_lf(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    result = run_cli(["docker", "csv", "--print", "tensorrt.csv", "--root", tree.root])
    assert result.exit_code == 0, result
    lines = result.stdout.rstrip("\n").split("\n")
    assert "lib, {}/libnvinfer.so.7.1.3".format(LIB) in lines
    assert "sym, {}/libnvinfer.so.7".format(LIB) in lines
    assert "lib, {}/libmyelin.so.1.1.0".format(LIB) in lines
    assert "dir, /usr/lib/python3.6/dist-packages/tensorrt" in lines
    assert not any("/dist-packages/tensorrt/" in line for line in lines)  # inside the dir line
    assert [l.split(", ")[1] for l in lines] == sorted(l.split(", ")[1] for l in lines)
    assert "\r" not in result.stdout


def test_print_without_dpkg_lists_scans(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    for name in os.listdir(tree.path("/var/lib/dpkg/info")):
        os.unlink(os.path.join(tree.path("/var/lib/dpkg/info"), name))
    result = run_cli(["docker", "csv", "--print", "tensorrt", "--root", tree.root, "--json"])
    doc = result.json()
    assert doc["schema"] == "trtsetup.docker-csv-print/1"
    (item,) = doc["files"]
    assert item["source"] == "scan"
    assert "lib, {}/libnvinfer_plugin.so.7.1.3\n".format(LIB) in item["text"]


def test_print_unknown_file_is_a_usage_error(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    result = run_cli(["docker", "csv", "--print", "opencv.csv", "--root", tree.root])
    assert result.exit_code == 2
    assert "known CSV files are cuda.csv, cudnn.csv, tensorrt.csv" in result.stderr


def test_write_replaces_with_backup_and_then_check_passes(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="jp46")
    tree.remove(LIB + "/libnvinfer.so.8.0.1")
    tree.write(LIB + "/libnvinfer.so.8.2.1", b"\x7fELF")
    tree.symlink(LIB + "/libnvinfer.so.8", "libnvinfer.so.8.2.1")
    trees.dpkg_list(tree, "libnvinfer8", [LIB + "/libnvinfer.so.8.2.1", LIB + "/libnvinfer.so.8"], arch="arm64")
    old = _read(tree, CSV + "/tensorrt.csv")
    assert _check(tree).exit_code == 1
    result = run_cli(["docker", "csv", "--write", "tensorrt.csv", "--root", tree.root, "--json"])
    assert result.exit_code == 0, result
    (item,) = result.json()["files"]
    assert item["changed"] is True
    backup = item["backup"]
    assert backup.startswith(CSV + "/tensorrt.csv.trtsetup-") and backup.endswith(".bak")
    assert _read(tree, backup) == old
    assert b"libnvinfer.so.8.2.1\n" in _read(tree, CSV + "/tensorrt.csv")
    assert _check(tree).exit_code == 0  # the backup does not end in .csv: the runtime does not read it
    again = run_cli(["docker", "csv", "--write", "tensorrt.csv", "--root", tree.root])
    assert again.exit_code == 0 and "already up to date" in again.stdout


def test_check_and_print_exclude_each_other(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    assert run_cli(["docker", "csv", "--check", "--print", "--root", tree.root]).exit_code == 2


def test_write_is_refused_on_a_jetpack5_host(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "5.1")
    printed = run_cli(["docker", "csv", "--print", "tensorrt.csv", "--root", tree.root])
    assert printed.exit_code == 0 and "libnvinfer.so.8.5.2" in printed.stdout
    result = run_cli(["docker", "csv", "--write", "tensorrt.csv", "--root", tree.root])
    assert result.exit_code == 2
    assert "JetPack 5+ images carry their own" in result.stderr
    assert not os.path.exists(tree.path(CSV + "/tensorrt.csv"))


@pytest.mark.parametrize("older,newer", [
    ("0.9.0~beta.1", "0.9.0"), ("0.9.0", "0.10.0+jetpack"), ("0.10.0+jetpack", "0.11.0+jetpack"),
    ("1.11.0~rc.1-1", "1.11.0-1"), ("1.9.0-1", "1.10.0-1"), ("2.0", "1:0.1"), ("1.0-1", "1.0-1ubuntu1"),
])
def test_debian_version_order(older, newer):
    from trtsetup.docker.stack import compare_deb_versions
    assert compare_deb_versions(older, newer) == -1
    assert compare_deb_versions(newer, older) == 1
    assert compare_deb_versions(newer, newer) == 0


def test_debian_version_order_agrees_with_dpkg():
    import itertools
    import shutil
    import subprocess
    from trtsetup.docker.stack import compare_deb_versions
    if shutil.which("dpkg") is None:
        pytest.skip("no dpkg here")
    versions = ["0.9.0~beta.1", "0.9.0", "0.10.0+jetpack", "0.11.0+jetpack", "1.11.0~rc.1-1", "1.11.0-1",
                "1.9.0-1", "1.10.0-1", "1:0.1", "1.0-1ubuntu1", "1.0~", "1.0a", "8.0.1.6-1+cuda10.2"]
    for a, b in itertools.combinations(versions, 2):
        less = subprocess.call(["dpkg", "--compare-versions", a, "lt", b]) == 0
        assert less == (compare_deb_versions(a, b) < 0), (a, b)


def test_check_a_snapshot_of_the_device(tmp_path):
    from trtsetup.commands.snapshot import snapshot
    from trtsetup.host.root import RootHost
    from trtsetup.recipes import load_recipes
    tree = trees.container_host(SystemTree(tmp_path / "root"), "4.4")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.6.0.1".format(LIB)])
    path = tmp_path / "snap.json"
    path.write_bytes(snapshot(RootHost(tree.root), load_recipes(overlays=[]), fast=True).data)
    direct = _check(tree).json()
    replayed = run_cli(["docker", "csv", "--check", "--snapshot", str(path), "--json"])
    assert replayed.exit_code == 1
    assert replayed.json()["problems"] == direct["problems"]
    refused = run_cli(["docker", "csv", "--print", "--snapshot", str(path)])
    assert refused.exit_code == 2 and "--snapshot is for --check" in refused.stderr


def test_write_does_not_replace_a_symlink(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    tree.write("/usr/share/nvidia-container-csv/tensorrt.csv", "lib, /nowhere\n")
    tree.symlink(CSV + "/tensorrt.csv", "/usr/share/nvidia-container-csv/tensorrt.csv")
    result = run_cli(["docker", "csv", "--write", "tensorrt.csv", "--root", tree.root])
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert os.path.islink(tree.path(CSV + "/tensorrt.csv"))


def test_two_writes_in_one_second_keep_both_backups(tmp_path):
    import datetime
    from trtsetup.docker.csv_write import CsvWrite, apply_csv_write
    tree = trees.container_host(SystemTree(tmp_path), "4.4")
    now = datetime.datetime(2026, 12, 1, 22, 0, 0)
    first = apply_csv_write(CsvWrite(CSV + "/tensorrt.csv", b"lib, /a\n"), tree.root, now=now)
    second = apply_csv_write(CsvWrite(CSV + "/tensorrt.csv", b"lib, /b\n"), tree.root, now=now)
    assert first.backup != second.backup
    assert _read(tree, second.backup) == b"lib, /a\n"
    assert _read(tree, CSV + "/tensorrt.csv") == b"lib, /b\n"


def test_text_report_gives_a_fix_under_every_problem_in_an_ascii_locale(tmp_path):
    from tests.helpers import run_module
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="new")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.7.1.3".format(LIB), "libs, /x", "dev, nvmap"],
                    crlf=True)
    result = run_module(["docker", "csv", "--root", tree.root],
                        env={"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"})
    assert result.exit_code == 1, result
    result.stdout.encode("ascii")  # marks fell back to ASCII
    lines = result.stdout.splitlines()
    problems = [i for i, line in enumerate(lines) if line.startswith(("  x ", "  ! "))]
    assert len(problems) >= 5
    for index in problems:
        assert lines[index + 1].startswith("      fix: "), lines[index:index + 2]
    import re
    assert re.match(r"^\d+ of \d+ lines resolve; [1-9]\d* problem\(s\), \d+ warning\(s\)\.$", lines[-1]), lines[-1]

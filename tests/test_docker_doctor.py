"""The doctor's docker checks on host trees and inside l4t containers (real CLI, --root)."""

from tests.helpers import SystemTree, run_cli
from tests.trees import docker as trees
from tests.trees import jetson as jetson_trees
from tests.trees import x86 as x86_trees

DOCKER_IDS = ("docker-runtime-stack", "docker-runtime-config", "docker-csv-lines", "docker-csv-read",
              "docker-csv-leftover", "docker-cdi-spec", "docker-default-runtime", "container-l4t-image-fits")


def _checks(tree):
    args = ["doctor", "--json", "--fast", "--root", tree.root]
    for check_id in DOCKER_IDS:
        args += ["--check", check_id]
    result = run_cli(args)
    doc = result.json()
    return result.exit_code, {c["id"]: c for c in doc["checks"]}, doc


def test_docker_checks_are_listed():
    listed = run_cli(["doctor", "--list-checks"]).stdout
    for check_id in DOCKER_IDS:
        assert check_id in listed


def test_skipped_without_the_container_runtime(tmp_path):
    for tree in (x86_trees.x86(SystemTree(tmp_path / "x86")), jetson_trees.nano_jp44(SystemTree(tmp_path / "nano"))):
        code, checks, _ = _checks(tree)
        assert code == 0
        assert {c["status"] for c in checks.values()} == {"skip"}


def test_healthy_jetpack44_host(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4", default_runtime=True)
    code, checks, doc = _checks(tree)
    assert code == 0, checks
    assert {i: c["status"] for i, c in checks.items()} == {
        "docker-runtime-stack": "ok", "docker-runtime-config": "ok", "docker-csv-lines": "ok",
        "docker-csv-read": "ok", "docker-csv-leftover": "skip", "docker-cdi-spec": "skip",
        "docker-default-runtime": "ok", "container-l4t-image-fits": "skip"}
    runtime = doc["platform"]["container_runtime"]
    assert runtime["libnvidia_container_version"] == "0.9.0~beta.1"
    assert runtime["csv_packages"]["nvidia-container-csv-tensorrt"] == "7.1.3.0-1+cuda10.2"


def test_jetpack46_new_runtime_says_tensorrt_csv_is_not_read(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.6", runtime="new")
    code, checks, _ = _checks(tree)
    assert code == 0  # warnings only
    assert checks["docker-runtime-stack"]["status"] == "warn"
    assert "0.11.0+jetpack" in checks["docker-runtime-stack"]["summary"]
    read = checks["docker-csv-read"]
    assert read["status"] == "warn" and "tensorrt.csv" in read["summary"]
    assert "NVIDIA_REQUIRE_JETPACK=csv-mounts=all" in read["fix"]
    assert checks["docker-default-runtime"]["status"] == "warn"
    assert "torch2trt" in checks["docker-default-runtime"]["summary"]


def test_stale_tensorrt_csv_fails_the_doctor(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "4.4", default_runtime=True)
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.6.0.1".format(trees.LIB)])
    code, checks, _ = _checks(tree)
    assert code == 1
    lines = checks["docker-csv-lines"]
    assert lines["status"] == "fail" and "tensorrt.csv" in lines["summary"]
    assert lines["fix"].startswith("sudo trtsetup docker csv --print tensorrt.csv --write")


def test_jetpack5_host_with_jetpack4_leftover(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "5.1", default_runtime=True)
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.8.5.2".format(trees.LIB)])
    _, checks, _ = _checks(tree)
    assert checks["docker-csv-leftover"]["status"] == "warn"
    assert "JetPack 4-style tensorrt.csv" in checks["docker-csv-leftover"]["summary"]


def test_cdi_mode_without_a_spec_fails(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "6.2", mode="cdi", default_runtime=True)
    code, checks, _ = _checks(tree)
    assert code == 1
    assert checks["docker-runtime-config"]["status"] == "fail"
    assert "--mode=csv" in checks["docker-runtime-config"]["fix"]


def test_stale_cdi_spec_after_an_upgrade(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "6.2", default_runtime=True)
    trees.write_cdi_spec(tree, trees.LIB + "/nvidia", missing=[trees.LIB + "/nvidia/libnvos.so"])
    code, checks, _ = _checks(tree)
    cdi = checks["docker-cdi-spec"]
    assert code == 1 and cdi["status"] == "fail"
    assert "1 of its 4 host paths are gone" in cdi["summary"]
    assert cdi["fix"].startswith("sudo nvidia-ctk cdi generate --mode=csv --output=/etc/cdi/nvidia.yaml")


def test_current_cdi_spec_and_default_runtime(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "6.2", cdi_spec=True, default_runtime=True)
    code, checks, _ = _checks(tree)
    assert code == 0
    assert checks["docker-cdi-spec"]["status"] == "ok" and "nvidia.com/gpu=all" in checks["docker-cdi-spec"]["summary"]
    assert checks["docker-default-runtime"]["status"] == "ok"


def test_missing_daemon_json_fails(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "7", daemon=False)
    _, checks, _ = _checks(tree)
    daemon = checks["docker-default-runtime"]
    assert daemon["status"] == "fail" and "unknown or invalid runtime name: nvidia" in daemon["summary"]
    assert daemon["fix"].startswith("sudo nvidia-ctk runtime configure --runtime=docker")


NVRM_TEGRA = ("NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  {}  Release Build  "
              "(buildbrain@mobile-u64-6336-d8000)  Thu Jan  9 01:32:32 PST 2025\n")


def _l4t_container(tmp_path, image_l4t, host_l4t=None, kernel="5.15.148-tegra"):
    """Inside an l4t-jetpack image (its nv_tegra_release and nvidia-l4t-core) on some host."""
    tree = SystemTree(tmp_path)
    tree.write("/.dockerenv", "")
    tree.write("/etc/nv_tegra_release", jetson_trees.release_file_text(image_l4t, "generic"))
    tree.dpkg({"nvidia-l4t-core": image_l4t + "-20240912212859"})
    tree.write("/proc/sys/kernel/arch", "aarch64\n")
    tree.write("/proc/sys/kernel/osrelease", kernel + "\n")
    tree.write("/proc/device-tree/compatible", b"nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234\0")
    if host_l4t:
        tree.write("/proc/driver/nvidia/version", NVRM_TEGRA.format(host_l4t))
    tree.environ(PATH="/usr/local/cuda/bin:/usr/bin:/bin")
    return tree


def test_r36_3_image_on_a_r36_4_host_fails_with_the_tag_to_use(tmp_path):
    tree = _l4t_container(tmp_path, "36.3.0", host_l4t="36.4.3")
    code, checks, _ = _checks(tree)
    fits = checks["container-l4t-image-fits"]
    assert code == 1 and fits["status"] == "fail", fits
    assert "L4T 36.3.0 image on an L4T 36.4.3 host" in fits["summary"]
    assert fits["fix"] == "use nvcr.io/nvidia/l4t-jetpack:r36.4.0 instead"
    assert "across the 36.4 line" in fits["detail"]


def test_r32_image_on_a_r35_host_fails(tmp_path):
    tree = _l4t_container(tmp_path, "32.7.1", kernel="5.10.120-tegra")
    code, checks, _ = _checks(tree)
    fits = checks["container-l4t-image-fits"]
    assert fits["status"] == "fail" and "L4T 35 host (kernel 5.10.120-tegra)" in fits["summary"]


def test_matching_image_is_ok(tmp_path):
    tree = _l4t_container(tmp_path, "36.4.0", host_l4t="36.4.3")
    _, checks, _ = _checks(tree)
    assert checks["container-l4t-image-fits"]["status"] == "ok"
    assert checks["docker-runtime-stack"]["status"] == "skip"  # the host's stack is not visible in here


def test_jp4_base_container_on_its_host_is_ok(tmp_path):
    tree = jetson_trees.l4t_base_container_jp4(SystemTree(tmp_path), missing=())
    _, checks, _ = _checks(tree)
    assert checks["container-l4t-image-fits"]["status"] == "ok"


def test_snapshot_of_a_jetpack4_host_replays_the_docker_checks(tmp_path):
    from trtsetup.commands.snapshot import snapshot
    from trtsetup.host.root import RootHost
    from trtsetup.recipes import load_recipes
    tree = trees.container_host(SystemTree(tmp_path / "root"), "4.6", runtime="new")
    trees.write_csv(tree, "tensorrt.csv", ["lib, {}/libnvinfer.so.7.1.3".format(trees.LIB),
                                           "sym, {}/libnvinfer.so.8".format(trees.LIB)])
    result = snapshot(RootHost(tree.root), load_recipes(overlays=[]), fast=True)
    path = tmp_path / "snap.json"
    path.write_bytes(result.data)
    _, direct, _ = _checks(tree)
    args = ["doctor", "--json", "--fast", "--snapshot", str(path)]
    for check_id in DOCKER_IDS:
        args += ["--check", check_id]
    replayed = {c["id"]: c for c in run_cli(args).json()["checks"]}
    assert {i: (c["status"], c["summary"]) for i, c in replayed.items()} == \
        {i: (c["status"], c["summary"]) for i, c in direct.items()}
    assert replayed["docker-csv-lines"]["status"] == "fail"


def test_custom_mount_spec_path_is_where_the_csvs_are_read(tmp_path):
    tree = trees.container_host(SystemTree(tmp_path), "5.1", default_runtime=True)
    custom = "/opt/csv"
    tree.write("/etc/nvidia-container-runtime/config.toml",
               trees.CONFIG_TOML.format(mode="csv", mount=custom))
    code, checks, _ = _checks(tree)
    assert checks["docker-runtime-config"]["status"] == "fail"
    assert "mount-spec-path /opt/csv does not exist" in checks["docker-runtime-config"]["summary"]
    trees.write_csv(tree, "l4t.csv", ["lib, {}/tegra/libcuda.so.1.1".format(trees.LIB),
                                      "lib, {}/tegra/libcuda.so.1.0".format(trees.LIB)], directory=custom)
    code, checks, _ = _checks(tree)
    assert checks["docker-runtime-config"]["status"] == "ok"
    lines = checks["docker-csv-lines"]
    assert lines["status"] == "fail" and "1 of 2 lines" in lines["summary"] and "l4t.csv" in lines["summary"]


def test_x86_cdi_spec_goes_stale_after_a_driver_upgrade(tmp_path):
    tree = x86_trees.x86(SystemTree(tmp_path), driver="550.54.15")
    tree.dpkg({"nvidia-container-toolkit": "1.17.8-1", "nvidia-container-toolkit-base": "1.17.8-1",
               "libnvidia-container1": "1.17.8-1", "libnvidia-container-tools": "1.17.8-1"}, arch="amd64")
    tree.write("/etc/docker/daemon.json", trees.DAEMON_JSON)
    tree.write("/usr/bin/docker", "")
    lib = "/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01"  # the driver before the upgrade
    tree.write("/etc/cdi/nvidia.json", '{"cdiVersion": "0.6.0", "kind": "nvidia.com/gpu", "devices": [{"name": "all", '
                                       '"containerEdits": {}}], "containerEdits": {"mounts": [{"hostPath": "%s", '
                                       '"containerPath": "%s"}]}}' % (lib, lib))
    code, checks, _ = _checks(tree)
    cdi = checks["docker-cdi-spec"]
    assert code == 1 and cdi["status"] == "fail" and lib in cdi["detail"]
    assert cdi["fix"].startswith("sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml")  # no --mode=csv off Tegra
    assert checks["docker-default-runtime"]["status"] == "ok"  # x86 runs with --gpus; no default needed
    assert checks["docker-csv-lines"]["status"] == "skip"

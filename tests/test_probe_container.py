"""Container probe: runtime markers, NGC images from their ENV, Jetson host-mounted libraries."""

from tests.helpers import SystemTree
from tests.trees import x86 as trees
from trtsetup.host.root import RootHost
from trtsetup.probes import container, tensorrt

CSV_DIR = "/etc/nvidia-container-runtime/host-files-for-container.d"
TENSORRT_CSV = ("lib, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3\n"
                "lib, /usr/lib/aarch64-linux-gnu/libnvinfer_plugin.so.7.1.3\n"
                "sym, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7\n"
                "sym, /usr/lib/aarch64-linux-gnu/libnvinfer_plugin.so.7\n")
CUDA_CSV = "dir, /usr/local/cuda-10.2\nlib, /usr/lib/aarch64-linux-gnu/libcudnn.so.8.0.0\nsym, /usr/lib/aarch64-linux-gnu/libcudnn.so.8\n"
NV_TEGRA_RELEASE = "# R32 (release), REVISION: 4.4, GCID: 23942405, BOARD: t210ref, EABI: aarch64, DATE: Fri Oct 16 19:44:43 UTC 2020\n"


def test_bare_metal_is_not_a_container(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert facts.runtime is None and facts.image is None and facts.markers == ()


def test_ngc_tensorrt_container(tmp_path):
    tree = trees.ngc_tensorrt(SystemTree(tmp_path))
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert facts.runtime == "docker"
    assert facts.image == "ngc-tensorrt"
    assert facts.release == "24.08"
    assert facts.tensorrt_version == "10.3.0.26"
    assert facts.cuda_version == "12.6.0.022"
    assert facts.cudnn_version == "9.3.0.75"
    assert "/NGC-DL-CONTAINER-LICENSE" in facts.markers and "/.dockerenv" in facts.markers
    assert facts.ngc["NVIDIA_TENSORRT_VERSION"] == "24.08"
    assert "NVIDIA_VISIBLE_DEVICES" not in facts.ngc  # may carry GPU UUIDs
    # TensorRT inside the image is in the Debian layout.
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert (trt.layout, trt.version) == ("deb", "10.3.0.26")


def test_ngc_pytorch_container(tmp_path):
    tree = trees.ngc_pytorch(SystemTree(tmp_path))
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert (facts.runtime, facts.image, facts.release) == ("docker", "ngc-pytorch", "25.10")
    assert facts.pytorch_version == "2.9.0a0+145a3a7"
    assert facts.cuda_version == "13.0.2.006"
    assert facts.tensorrt_version == "10.13.3.9"


def test_plain_nvidia_cuda_image(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), trt=None, env={
        "CUDA_VERSION": "12.4.1", "NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla,driver>=470,driver<471",
        "NV_CUDA_CUDART_VERSION": "12.4.127-1", "NVARCH": "x86_64"})
    tree.write("/.dockerenv", "")
    tree.write("/NGC-DL-CONTAINER-LICENSE", "license\n")
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert (facts.image, facts.cuda_version, facts.tensorrt_version) == ("nvidia-cuda", "12.4.1", None)


def test_podman_marker_and_env(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), env={"container": "podman"})
    tree.write("/run/.containerenv", 'engine="podman-4.9.3"\n')
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert facts.runtime == "podman"
    assert facts.markers == ("/run/.containerenv", "env:container")


def test_runtime_from_cgroup_v1_only(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    tree.write("/proc/1/cgroup", "12:pids:/docker/3f9c0f5a2e8b\n1:name=systemd:/docker/3f9c0f5a2e8b\n")
    facts = container.read_container(RootHost(tree.root), "x86_64")
    assert (facts.runtime, facts.markers) == ("docker", ("cgroup",))


def _l4t_container(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/etc/nv_tegra_release", NV_TEGRA_RELEASE)
    tree.write("/.dockerenv", "")
    tree.write(CSV_DIR + "/tensorrt.csv", TENSORRT_CSV)
    tree.write(CSV_DIR + "/cuda.csv", CUDA_CSV)
    tree.environ(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return tree


def test_l4t_container_started_without_nvidia_runtime_misses_host_libraries(tmp_path):
    tree = _l4t_container(tmp_path)
    facts = container.read_container(RootHost(tree.root), "aarch64")
    assert facts.image == "l4t"
    assert facts.csv_files == (CSV_DIR + "/cuda.csv", CSV_DIR + "/tensorrt.csv")
    assert "/usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3" in facts.host_mounted
    assert set(facts.host_mounts_missing) == set(facts.host_mounted)
    assert len(facts.host_mounted) == 7


def test_l4t_container_with_nvidia_runtime_has_them(tmp_path):
    tree = _l4t_container(tmp_path)
    for line in (TENSORRT_CSV + CUDA_CSV).splitlines():
        kind, path = [p.strip() for p in line.split(",")]
        if kind == "dir":
            tree.mkdir(path)
        else:
            tree.write(path, b"\x7fELF")
    facts = container.read_container(RootHost(tree.root), "aarch64")
    assert facts.host_mounts_missing == ()
    assert len(facts.host_mounted) == 7


def test_jetson_host_lists_csv_but_nothing_is_missing_outside_a_container(tmp_path):
    tree = _l4t_container(tmp_path)
    tree.remove("/.dockerenv")
    facts = container.read_container(RootHost(tree.root), "aarch64")
    assert facts.runtime is None and facts.image is None
    assert facts.host_mounted and facts.host_mounts_missing == ()

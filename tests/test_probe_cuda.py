"""CUDA toolkit and cuDNN probes on captured trees and canned nvcc output."""

from tests.fakehost import CannedHost
from tests.helpers import SystemTree
from tests.trees import x86 as trees
from trtsetup.facts import CudaToolkit
from trtsetup.host.root import RootHost
from trtsetup.probes import cuda, cudnn

NVCC_12_2 = ("nvcc: NVIDIA (R) Cuda compiler driver\nCopyright (c) 2005-2023 NVIDIA Corporation\n"
             "Built on Tue_Aug_15_22:02:13_PDT_2023\nCuda compilation tools, release 12.2, V12.2.140\n"
             "Build cuda_12.2.r12.2/compiler.33191640_0\n")


def test_usr_local_cuda_link_resolves_to_the_versioned_dir(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    facts = cuda.read_cuda(RootHost(tree.root))
    assert facts.home == "/usr/local/cuda-12.2"
    assert facts.version == "12.2.2"
    assert facts.nvcc_version == "12.2.140"
    assert facts.source == "version.json"
    assert facts.nvcc_path == "/usr/local/cuda-12.2/bin/nvcc"
    assert facts.nvcc_on_path is False  # /usr/local/cuda/bin is not on the default PATH
    assert facts.cuda_home_env is None


def test_cuda_home_wins_over_usr_local_cuda(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), cuda="12.2")
    trees.install_cuda(tree, "11.8", home="/opt/cuda-11.8")
    tree.symlink("/etc/alternatives/cuda", "/usr/local/cuda-12.2")  # install_cuda moved the link
    tree.environ(CUDA_HOME="/opt/cuda-11.8")
    facts = cuda.read_cuda(RootHost(tree.root))
    assert facts.home == "/opt/cuda-11.8"
    assert facts.version == "11.8.0"
    assert facts.cuda_home_env == "/opt/cuda-11.8"
    assert facts.homes == ("/opt/cuda-11.8", "/usr/local/cuda-12.2")


def test_no_link_picks_the_newest_versioned_dir(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), cuda="12.2")
    trees.install_cuda(tree, "12.6")
    tree.remove("/usr/local/cuda")
    facts = cuda.read_cuda(RootHost(tree.root))
    assert facts.home == "/usr/local/cuda-12.6"
    assert facts.homes == ("/usr/local/cuda-12.6", "/usr/local/cuda-12.2")


def test_jetpack4_version_txt(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/local/cuda-10.2/version.txt", "CUDA Version 10.2.89\n")
    tree.write("/usr/local/cuda-10.2/bin/nvcc", b"\x7fELF", mode=0o755)
    tree.symlink("/usr/local/cuda", "cuda-10.2")
    facts = cuda.read_cuda(RootHost(tree.root))
    assert (facts.version, facts.source, facts.home) == ("10.2.89", "version.txt", "/usr/local/cuda-10.2")


def test_nvcc_runs_only_when_no_version_file(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/local/cuda-12.2/bin/nvcc", b"\x7fELF", mode=0o755)
    tree.environ(PATH="/usr/local/cuda-12.2/bin:/usr/bin:/bin")
    host = CannedHost(tree.root, commands={("/usr/local/cuda-12.2/bin/nvcc", "--version"): (0, NVCC_12_2, "")})
    facts = cuda.read_cuda(host)
    assert (facts.version, facts.source, facts.nvcc_on_path) == ("12.2.140", "nvcc", True)

    trees.install_cuda(tree, "12.2")
    host = CannedHost(tree.root, commands={("/usr/local/cuda-12.2/bin/nvcc", "--version"): (0, NVCC_12_2, "")})
    facts = cuda.read_cuda(host)
    assert facts.source == "version.json" and host.calls == []


def test_distro_nvcc_in_usr_bin(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/bin/nvcc", b"\x7fELF", mode=0o755)
    tree.write("/usr/include/cuda.h", "#define CUDA_VERSION 11050\n")  # nvidia-cuda-dev
    tree.environ(PATH="/usr/bin:/bin")
    nvcc_11_5 = NVCC_12_2.replace("release 12.2, V12.2.140", "release 11.5, V11.5.119")
    host = CannedHost(tree.root, commands={("/usr/bin/nvcc", "--version"): (0, nvcc_11_5, "")})
    facts = cuda.read_cuda(host)
    assert (facts.home, facts.version, facts.nvcc_path) == ("/usr", "11.5.119", "/usr/bin/nvcc")


def test_no_cuda_at_all(tmp_path):
    tree = trees.x86_no_driver(SystemTree(tmp_path))
    facts = cuda.read_cuda(RootHost(tree.root))
    assert facts.version is None and facts.home is None and facts.nvcc_path is None
    assert facts.nvcc_on_path is False and facts.homes == ()


def test_cudnn_through_alternatives_link_chain(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), cudnn="8.9.4")
    host = RootHost(tree.root)
    facts = cudnn.read_cudnn(host, cuda.read_cuda(host))
    assert (facts.version, facts.header) == ("8.9.4", "/usr/include/cudnn_version.h")


def test_cudnn_in_cuda_home_include(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/local/cuda-11.8/include/cudnn_version.h",
               "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 6\n#define CUDNN_PATCHLEVEL 0\n")
    facts = cudnn.read_cudnn(RootHost(tree.root), CudaToolkit(home="/usr/local/cuda-11.8"))
    assert (facts.version, facts.header) == ("8.6.0", "/usr/local/cuda-11.8/include/cudnn_version.h")


def test_cudnn_7_version_in_cudnn_h(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/usr/include/cudnn.h", "#define CUDNN_MAJOR 7\n#define CUDNN_MINOR 6\n#define CUDNN_PATCHLEVEL 3\n")
    facts = cudnn.read_cudnn(RootHost(tree.root), None)
    assert (facts.version, facts.header) == ("7.6.3", "/usr/include/cudnn.h")


def test_no_cudnn(tmp_path):
    tree = trees.x86_no_driver(SystemTree(tmp_path))
    facts = cudnn.read_cudnn(RootHost(tree.root), CudaToolkit())
    assert facts.version is None and facts.header is None


def test_nvcc_wrapper_in_usr_local_bin_is_not_a_toolkit_home(tmp_path):
    # Seen on a real machine: /usr/local/bin/nvcc is `exec /usr/local/cuda-13.0/bin/nvcc "$@"`.
    tree = SystemTree(tmp_path)
    tree.write("/usr/local/bin/nvcc", '#!/bin/sh\nexec /usr/local/cuda-13.0/bin/nvcc "$@"\n', mode=0o755)
    tree.write("/usr/local/cuda-13.0/bin/nvcc", b"\x7fELF", mode=0o755)
    tree.write("/usr/local/cuda-13.0/include/cuda.h", "#define CUDA_VERSION 13000\n")
    tree.symlink("/usr/local/cuda", "/usr/local/cuda-13.0")
    tree.environ(PATH="/usr/local/bin:/usr/bin:/bin")
    nvcc_13 = NVCC_12_2.replace("release 12.2, V12.2.140", "release 13.0, V13.0.88")
    host = CannedHost(tree.root, commands={("/usr/local/cuda-13.0/bin/nvcc", "--version"): (0, nvcc_13, "")})
    facts = cuda.read_cuda(host)
    assert facts.homes == ("/usr/local/cuda-13.0",)
    assert (facts.home, facts.version, facts.source, facts.nvcc_on_path) == ("/usr/local/cuda-13.0", "13.0.88", "nvcc", True)


def _pip_nvcc_tree(tmp_path):
    # pip's nvidia-cuda-nvcc (and conda's) ship bin/nvcc without version.json: only running it
    # says the version. Seen on this project's development machine: /usr/local/cuda-13.0.
    tree = SystemTree(tmp_path / "sys")
    tree.write("/usr/local/cuda-13.0/bin/nvcc", b"\x7fELF" + b"\0" * 64, mode=0o755)
    tree.environ(PATH="/usr/bin:/bin")
    nvcc_13 = NVCC_12_2.replace("release 12.2, V12.2.140", "release 13.0, V13.0.88")
    return tree, CannedHost(tree.root, commands={("/usr/local/cuda-13.0/bin/nvcc", "--version"): (0, nvcc_13, "")})


def test_nvcc_version_is_remembered_until_the_compiler_is_replaced(tmp_path):
    from trtsetup.probe_cache import ProbeCache
    cache = ProbeCache(str(tmp_path / "cache"))
    tree, host = _pip_nvcc_tree(tmp_path)
    first = cuda.read_cuda(host, cache)
    again = cuda.read_cuda(host, cache)
    assert (first.version, first.source) == ("13.0.88", "nvcc") and again == first
    assert len(host.calls) == 1  # the second answer came from the cache

    # An upgrade replaces the compiler in place: asked again, and the new version is seen.
    tree.write("/usr/local/cuda-13.0/bin/nvcc", b"\x7fELF" + b"\1" * 80, mode=0o755)
    host.commands[("/usr/local/cuda-13.0/bin/nvcc", "--version")] = (
        0, NVCC_12_2.replace("release 12.2, V12.2.140", "release 13.0, V13.0.96"), "")
    assert cuda.read_cuda(host, cache).version == "13.0.96" and len(host.calls) == 2

    # A broken compiler is never remembered: each doctor asks again.
    tree.write("/usr/local/cuda-13.0/bin/nvcc", b"\x7fELF", mode=0o755)
    host.commands[("/usr/local/cuda-13.0/bin/nvcc", "--version")] = (126, "", "cannot execute binary file")
    for expected_calls in (3, 4):
        assert cuda.read_cuda(host, cache).version is None and len(host.calls) == expected_calls


def test_an_nvcc_wrapper_on_path_is_never_remembered(tmp_path):
    # A wrapper's stamp says nothing about the compiler it runs: asked every time.
    from trtsetup.probe_cache import ProbeCache
    cache = ProbeCache(str(tmp_path / "cache"))
    tree = SystemTree(tmp_path / "sys")
    tree.write("/opt/wrap/bin/nvcc", '#!/bin/sh\nexec /opt/cuda/bin/nvcc "$@"\n', mode=0o755)
    tree.write("/opt/wrap/include/cuda.h", "#define CUDA_VERSION 13000\n")
    tree.environ(PATH="/opt/wrap/bin:/usr/bin:/bin")
    nvcc_13 = NVCC_12_2.replace("release 12.2, V12.2.140", "release 13.0, V13.0.88")
    host = CannedHost(tree.root, commands={("/opt/wrap/bin/nvcc", "--version"): (0, nvcc_13, "")})
    assert cuda.read_cuda(host, cache).version == "13.0.88"
    assert cuda.read_cuda(host, cache).version == "13.0.88" and len(host.calls) == 2

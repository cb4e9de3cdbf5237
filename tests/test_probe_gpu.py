"""NVIDIA driver and GPU probe: /proc file, nvidia-smi through the Host, failure modes."""

import random

from tests.fakehost import CannedHost
from tests.helpers import SystemTree
from tests.trees import x86 as trees
from trtsetup.host.root import RootHost
from trtsetup.probes import gpu

SMI = "/usr/bin/nvidia-smi"
QUERY = (SMI, "--query-gpu=index,name,driver_version,compute_cap,memory.total", "--format=csv,noheader,nounits")
QUERY_OLD = (SMI, "--query-gpu=index,name,driver_version,memory.total", "--format=csv,noheader,nounits")

H100_HEADER = """Mon Jun  1 10:00:00 2026
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 580.95.05              Driver Version: 580.95.05      CUDA Version: 13.0     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
"""


def test_root_tree_reads_driver_from_proc_and_runs_nothing(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    host = RootHost(tree.root)
    driver, gpus = gpu.read_nvidia(host)
    assert driver.driver_version == "535.183.01"
    assert driver.kernel_module == "proprietary"
    assert driver.source == "proc"
    assert driver.smi_path == "/usr/bin/nvidia-smi"
    assert driver.cuda_driver_version is None  # only nvidia-smi knows it
    assert gpus == ()


def test_open_module_is_reported_as_open(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), driver="565.57.01", open_module=True)
    driver, _ = gpu.read_nvidia(RootHost(tree.root))
    assert (driver.driver_version, driver.kernel_module) == ("565.57.01", "open")


def test_no_driver_gives_an_empty_record(tmp_path):
    tree = trees.x86_no_driver(SystemTree(tmp_path))
    driver, gpus = gpu.read_nvidia(RootHost(tree.root))
    assert driver.driver_version is None and driver.kernel_module is None and driver.source is None
    assert gpus == ()


def test_jetson_proc_file_is_an_l4t_version_not_a_driver(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/proc/driver/nvidia/version",
               "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  35.3.1  Release Build  "
               "(buildbrain@mobile-u64-6289-d7000)  Sun Mar 19 08:09:33 PDT 2023\n")
    driver, _ = gpu.read_nvidia(RootHost(tree.root))
    assert driver.kernel_module == "tegra"
    assert driver.module_version == "35.3.1"
    assert driver.driver_version is None


def test_live_h100_reports_gpu_driver_and_cuda_from_smi(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), driver="580.95.05", open_module=True)
    host = CannedHost(tree.root, commands={
        QUERY: (0, "0, NVIDIA H100 80GB HBM3, 580.95.05, 9.0, 81559\n", ""),
        (SMI,): (0, H100_HEADER, ""),
    })
    driver, gpus = gpu.read_nvidia(host)
    assert driver.driver_version == "580.95.05"
    assert driver.source == "nvidia-smi"
    assert driver.cuda_driver_version == "13.0"
    assert driver.smi_error is None
    assert [(g.index, g.name, g.compute_capability, g.memory_mib) for g in gpus] == [
        (0, "NVIDIA H100 80GB HBM3", "9.0", 81559)]


def test_without_header_only_the_fast_query_runs(tmp_path):
    # doctor --fast: the plain nvidia-smi table (~0.1 s) is skipped; the query (~0.02 s) is not.
    tree = trees.x86(SystemTree(tmp_path), driver="580.95.05", open_module=True)
    host = CannedHost(tree.root, commands={
        QUERY: (0, "0, NVIDIA H100 80GB HBM3, 580.95.05, 9.0, 81559\n", ""),
        (SMI,): (0, H100_HEADER, ""),
    })
    driver, gpus = gpu.read_nvidia(host, header=False)
    assert [tuple(call) for call in host.calls] == [QUERY]
    assert driver.driver_version == "580.95.05" and gpus[0].compute_capability == "9.0"
    assert driver.cuda_driver_version is None and driver.cuda_driver_source is None


def test_old_driver_without_compute_cap_falls_back_to_a_second_query(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), driver="470.182.03")
    host = CannedHost(tree.root, commands={
        QUERY: (2, "Field \"compute_cap\" is not a valid field to query.\n\n", ""),
        QUERY_OLD: (0, "0, Tesla T4, 470.182.03, 15109\n", ""),
        (SMI,): (0, "| NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 11.4     |\n", ""),
    })
    driver, gpus = gpu.read_nvidia(host)
    assert [c[:2] for c in host.calls] == [list(QUERY[:2]), list(QUERY_OLD[:2]), [SMI]]
    assert driver.smi_error is None
    assert driver.cuda_driver_version == "11.4"
    assert gpus[0].name == "Tesla T4" and gpus[0].compute_capability is None and gpus[0].memory_mib == 15109


def test_version_mismatch_reports_module_and_nvml_versions(tmp_path):
    tree = trees.x86(SystemTree(tmp_path), driver="580.173.02")
    host = CannedHost(tree.root, commands={
        QUERY: (18, "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 580.178\n", ""),
    })
    driver, gpus = gpu.read_nvidia(host)
    assert driver.smi_error == "Driver/library version mismatch"
    assert driver.nvml_version == "580.178"
    assert driver.module_version == "580.173.02"
    assert driver.driver_version == "580.173.02"  # the loaded kernel module
    assert gpus == ()


def test_smi_that_cannot_reach_the_driver_is_an_error_not_a_crash(tmp_path):
    tree = trees.x86_no_driver(SystemTree(tmp_path))
    tree.write("/usr/bin/nvidia-smi", b"\x7fELF", mode=0o755)
    host = CannedHost(tree.root, commands={
        QUERY: (9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                   "Make sure that the latest NVIDIA driver is installed and running.\n\n", ""),
    })
    driver, gpus = gpu.read_nvidia(host)
    assert driver.smi_error == "couldn't communicate with the NVIDIA driver"
    assert driver.driver_version is None and gpus == ()


def test_smi_timeout_is_reported(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    host = CannedHost(tree.root, commands={QUERY: "timeout"})
    driver, gpus = gpu.read_nvidia(host)
    assert "timed out" in driver.smi_error
    assert driver.driver_version == "535.183.01"  # still known from /proc


def test_jetpack6_smi_na_fields_are_none(tmp_path):
    tree = SystemTree(tmp_path)
    tree.write("/proc/driver/nvidia/version",
               "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  36.4.3  Release Build  "
               "(buildbrain@mobile-u64-6336-d8000)  Wed Jan  8 01:49:37 PST 2025\n")
    tree.write("/usr/bin/nvidia-smi", b"\x7fELF", mode=0o755)
    tree.environ(PATH="/usr/bin:/bin")
    host = CannedHost(tree.root, commands={
        QUERY: (0, "0, Orin (nvgpu), [N/A], 8.7, [N/A]\n", ""),
        (SMI,): (0, "| NVIDIA-SMI 540.4.0                Driver Version: 540.4.0      CUDA Version: 12.6     |\n", ""),
    })
    driver, gpus = gpu.read_nvidia(host)
    assert driver.kernel_module == "tegra"
    assert gpus[0].name == "Orin (nvgpu)" and gpus[0].memory_mib is None
    assert driver.cuda_driver_version == "12.6"


def test_gpu_records_carry_no_uuid_or_serial(tmp_path):
    tree = trees.x86(SystemTree(tmp_path))
    host = CannedHost(tree.root, commands={QUERY: (0, "0, NVIDIA A100-SXM4-40GB, 535.183.01, 8.0, 40960\n", ""),
                                           (SMI,): (0, H100_HEADER, "")})
    gpu.read_nvidia(host)
    for argv in host.calls:
        assert not any("uuid" in a or "serial" in a for a in argv)


def test_parsers_never_raise_on_garbage():
    rng = random.Random(7)
    alphabet = "NVRM version: Kernel Module for x86_64 0123456789.,[]N/A|\n\t\x00\xff"
    parsers = (gpu.parse_proc_driver_version, gpu.parse_nvidia_smi_query, gpu.parse_nvidia_smi_header,
               gpu.parse_nvidia_smi_error)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        for parse in parsers:
            parse(text)
    for parse in parsers:
        assert parse(None) is None and parse(b"bytes") is None


def test_snapshot_replays_what_was_recorded(tmp_path):
    import json
    from trtsetup.host.snapshot import RecordingHost, SnapshotHost
    tree = trees.x86(SystemTree(tmp_path / "tree"), driver="580.95.05", open_module=True)
    live = CannedHost(tree.root, commands={
        QUERY: (0, "0, NVIDIA H100 80GB HBM3, 580.95.05, 9.0, 81559\n", ""),
        (SMI,): (0, H100_HEADER, ""),
    })
    recording = RecordingHost(live)
    recorded = gpu.read_nvidia(recording)
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(recording.to_snapshot("2026-01-01T00:00:00Z", "test")))
    assert gpu.read_nvidia(SnapshotHost(str(path))) == recorded
    assert recorded[1][0].name == "NVIDIA H100 80GB HBM3"


H200_INFO = """Model: \t\t NVIDIA H200
IRQ:   \t\t 445
GPU UUID: \t GPU-00000000-1111-2222-3333-444444444444
Video BIOS: \t 96.00.af.00.01
Bus Type: \t PCIe
DMA Size: \t 52 bits
DMA Mask: \t 0xfffffffffffff
Bus Location: \t 0000:18:00.0
Device Minor: \t 0
GPU Excluded:\t No
"""


def _h200_host(tmp_path, answer):
    tree = trees.x86(SystemTree(tmp_path / "sys"), driver="580.159.04", open_module=True)
    tree.write("/proc/driver/nvidia/gpus/0000:18:00.0/information", H200_INFO)
    return tree, CannedHost(tree.root, commands={QUERY: answer})


def test_the_gpu_query_is_remembered_while_the_driver_vouches_for_it(tmp_path):
    from trtsetup.probe_cache import ProbeCache
    cache = ProbeCache(str(tmp_path / "cache"))
    tree, host = _h200_host(tmp_path, (0, "0, NVIDIA H200, 580.159.04, 9.0, 143771\n", ""))
    first = gpu.read_nvidia(host, header=False, cache=cache)
    again = gpu.read_nvidia(host, header=False, cache=cache)
    assert again == first and first[1][0].name == "NVIDIA H200"
    assert [tuple(c) for c in host.calls] == [QUERY]  # the second answer came from the cache

    # A second GPU appears in the driver's own listing: nvidia-smi is asked again.
    tree.write("/proc/driver/nvidia/gpus/0000:2a:00.0/information", H200_INFO.replace("18:00", "2a:00"))
    host.commands[QUERY] = (0, "0, NVIDIA H200, 580.159.04, 9.0, 143771\n1, NVIDIA H200, 580.159.04, 9.0, 143771\n", "")
    _, gpus = gpu.read_nvidia(host, header=False, cache=cache)
    assert len(host.calls) == 2 and len(gpus) == 2

    # The userspace driver is upgraded without a reboot (nvidia-smi replaced): asked again,
    # and the mismatch it now reports is not remembered away.
    tree.write("/usr/bin/nvidia-smi", "#!/bin/sh\n# 590.48.01\n")
    host.commands[QUERY] = (18, "Failed to initialize NVML: Driver/library version mismatch\n"
                                "NVML library version: 590.48\n", "")
    for expected_calls in (3, 4):
        driver, gpus = gpu.read_nvidia(host, header=False, cache=cache)
        assert len(host.calls) == expected_calls
        assert driver.smi_error == "Driver/library version mismatch" and gpus == ()


def test_without_the_drivers_gpu_listing_nothing_is_remembered(tmp_path):
    from trtsetup.probe_cache import ProbeCache
    cache = ProbeCache(str(tmp_path / "cache"))
    tree = trees.x86(SystemTree(tmp_path / "sys"), driver="580.159.04", open_module=True)
    host = CannedHost(tree.root, commands={QUERY: (0, "0, NVIDIA H200, 580.159.04, 9.0, 143771\n", "")})
    gpu.read_nvidia(host, header=False, cache=cache)
    gpu.read_nvidia(host, header=False, cache=cache)
    assert len(host.calls) == 2

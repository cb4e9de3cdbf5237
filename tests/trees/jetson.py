"""Jetson system trees for ``--root`` tests, built on ``tests.helpers.SystemTree``.

``jetson(tree, l4t=..., module=..., ...)`` writes what a flashed JetPack image holds, in the
formats the probes read (shared/facts/platforms.md §2):

* ``/etc/nv_tegra_release`` — the real first-line shape plus the lines that follow it (sha1 lines
  on R32, ``# KERNEL_VARIANT: oot`` / ``TARGET_USERSPACE_LIB_DIR*`` on R36+);
* ``/var/lib/dpkg/status`` — ``nvidia-l4t-core <l4t>-<timestamp>``, optionally
  ``nvidia-jetpack``, the TensorRT debs (``libnvinfer<N>``, ``libnvinfer-dev``,
  ``python3-libnvinfer``, ``<version>-1+cuda<X.Y>``), ``cuda-cudart-<X-Y>``,
  ``python<X.Y>-minimal``;
* ``/proc/device-tree/{model,compatible}`` — NUL-terminated / NUL-separated bytes;
* ``/etc/apt/sources.list.d/nvidia-l4t-apt-source.list``;
* ``/usr/local/cuda -> cuda-X.Y`` with ``version.txt`` (CUDA ≤ 11.0: ``CUDA Version 10.2.89``)
  or ``version.json`` (``cuda`` / ``cuda_nvcc`` / ``cuda_cudart`` → ``version``), ``bin/nvcc``;
* ``/usr/include/cudnn_version.h`` (cuDNN ≥ 8) or ``cudnn.h`` (≤ 7) with ``CUDNN_MAJOR/MINOR/
  PATCHLEVEL``;
* ``/usr/include/aarch64-linux-gnu/NvInferVersion.h`` (literal ``NV_TENSORRT_*`` macros, or the
  ``TRT_*_ENTERPRISE`` indirection from TensorRT 10.11) + ``NvInfer.h``;
  ``/usr/lib/aarch64-linux-gnu/libnvinfer.so.<x.y.z>`` + ``.so.<major>`` and ``.so`` links;
* ``/usr/lib/python3.X/dist-packages/tensorrt/__init__.py`` and its ``egg-info`` (deb layout up to
  JetPack 5) or ``dist-info`` (JetPack 6+);
* ``/etc/os-release``, ``/proc/meminfo``, ``/proc/sys/kernel/{arch,osrelease}``,
  ``/usr/bin/python3.X`` (empty) and ``/usr/bin/python3 -> python3.X``.

Ready presets at the bottom (``nano_jp44`` ... ``l4t_base_container_jp4``) return the tree.
Device-tree strings come from platforms.md §2.3; where a preset's exact string was not seen in
a real paste it says so.
"""

import hashlib
import json

# part number -> (model, compatible entries, release-file BOARD, apt SoC repo)
DEVICE_TREES = {
    "p3448-0000": ("NVIDIA Jetson Nano Developer Kit",
                   ("nvidia,p3450-0000", "nvidia,jetson-nano", "nvidia,tegra210"), "t210ref", "t210"),
    # TX2 developer kit (carrier p2597 + module p3310); model string as on R32 [constructed]
    "p3310-1000": ("NVIDIA Jetson TX2 Developer Kit", ("nvidia,p2771-0000", "nvidia,tegra186"),
                   "t186ref", "t186"),
    "p3668-0000": ("NVIDIA Jetson Xavier NX Developer Kit",
                   ("nvidia,p3449-0000+p3668-0000", "nvidia,tegra194"), "t186ref", "t194"),
    # AGX Xavier on R35: carrier p2822 + module p2888 [constructed from the carrier+module scheme]
    "p2888-0004": ("Jetson-AGX", ("nvidia,p2822-0000+p2888-0004", "nvidia,tegra194"), "t186ref", "t194"),
    "p3767-0005": ("NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
                   ("nvidia,p3768-0000+p3767-0005-super", "nvidia,p3767-0005", "nvidia,tegra234"),
                   "generic", "t234"),
    "p3701-0005": ("NVIDIA Jetson AGX Orin Developer Kit",
                   ("nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234",
                    "nvidia,tegra23x"), "generic", "t234"),
    "p3834-0008": ("NVIDIA Jetson AGX Thor Developer Kit",
                   ("nvidia,p4071-0000+p3834-0008", "nvidia,p3834-0008", "nvidia,tegra264"),
                   "generic", None),
}

_UBUNTU = {"3.6": ("18.04", "18.04.5 LTS (Bionic Beaver)", "bionic", "3.6.9-1~18.04ubuntu1.4"),
           "3.8": ("20.04", "20.04.6 LTS (Focal Fossa)", "focal", "3.8.10-0ubuntu1~20.04.9"),
           "3.10": ("22.04", "22.04.5 LTS (Jammy Jellyfish)", "jammy", "3.10.12-1~22.04.7"),
           "3.12": ("24.04", "24.04.3 LTS (Noble Numbat)", "noble", "3.12.3-1ubuntu0.8")}

_KERNEL = {"32": "4.9.140-tegra", "35": "5.10.120-tegra", "36": "5.15.148-tegra",
           "38": "6.8.12-tegra", "39": "6.8.12-tegra", "40": "6.8.12-tegra"}


def release_line(l4t, board="t210ref", gcid="21589087", date="Fri Jun 26 04:38:25 UTC 2020"):
    """The first line of /etc/nv_tegra_release for ``l4t`` ("32.4.3")."""
    major, minor, patch = (l4t.split(".") + ["0", "0"])[:3]
    return "# R{} (release), REVISION: {}.{}, GCID: {}, BOARD: {}, EABI: aarch64, DATE: {}".format(
        major, minor, patch, gcid, board, date)


def release_file_text(l4t, board="t210ref", gcid="21589087", date="Fri Jun 26 04:38:25 UTC 2020"):
    """The whole file: first line plus what follows it on that release."""
    lines = [release_line(l4t, board, gcid, date)]
    if int(l4t.split(".")[0]) >= 36:
        lines += ["# KERNEL_VARIANT: oot", "TARGET_USERSPACE_LIB_DIR=nvidia",
                  "TARGET_USERSPACE_LIB_DIR_PATH=usr/lib/aarch64-linux-gnu/nvidia"]
    else:
        for lib in ("libnvmm.so", "libnvos.so", "libnvrm_gpu.so"):
            path = "/usr/lib/aarch64-linux-gnu/tegra/" + lib
            lines.append("{} *{}".format(hashlib.sha1(path.encode()).hexdigest(), path))
    return "\n".join(lines) + "\n"


def nvinfer_version_h(trt):
    """NvInferVersion.h for a TensorRT version ("8.2.1.8"); the ENTERPRISE indirection from 10.11."""
    parts = (trt.split(".") + ["0", "0", "0"])[:4]
    major, minor, patch, build = parts
    head = "#ifndef NV_INFER_VERSION_H\n#define NV_INFER_VERSION_H\n\n"
    tail = "\n#endif // NV_INFER_VERSION_H\n"
    names = ("MAJOR", "MINOR", "PATCH", "BUILD")
    notes = ("major", "minor", "patch", "build")
    if (int(major), int(minor)) >= (10, 11):
        body = "".join("#define TRT_{}_ENTERPRISE {}\n".format(n, v) for n, v in zip(names, parts))
        body += "".join("#define NV_TENSORRT_{0} TRT_{0}_ENTERPRISE //!< TensorRT {1} version.\n".format(n, d)
                        for n, d in zip(names, notes))
    else:
        body = "".join("#define NV_TENSORRT_{} {} //!< TensorRT {} version.\n".format(n, v, d)
                       for n, v, d in zip(names, parts, notes))
        if int(major) < 10:
            body += "".join("#define NV_TENSORRT_SONAME_{} {} //!< Shared object library {} version.\n".format(n, v, d)
                            for n, v, d in zip(names[:3], parts[:3], notes[:3]))
    return head + body + tail


def jetson(tree, l4t="32.4.3", module="p3448-0000", jetpack_pkg=None, release_file=True,
           dpkg_core=True, cuda="10.2.89", cuda_nvcc=None, cudnn="8.0.0", trt="7.1.3.0",
           python="3.6", model=None, compatible=None, board=None, gcid="21589087",
           date="Fri Jun 26 04:38:25 UTC 2020", ram_mib=3964, swap_mib=1982, apt_source=True,
           kernel=None, trt_python=True, nul_separated=True, core_stamp="20200625213809"):
    """Write a flashed JetPack system into ``tree`` (a SystemTree) and return the tree.

    ``cuda``/``cudnn``/``trt``/``python`` None leave that component out. ``compatible`` /
    ``model`` / ``board`` default to the module's entry in DEVICE_TREES. ``nul_separated=False``
    writes ``compatible`` as pasted text whose NULs were lost.
    """
    dt_model, dt_compatible, dt_board, apt_soc = DEVICE_TREES.get(module, (None, (), "t186ref", None))
    model = dt_model if model is None else model
    compatible = dt_compatible if compatible is None else compatible
    board = dt_board if board is None else board
    major = l4t.split(".")[0]

    if release_file:
        tree.write("/etc/nv_tegra_release", release_file_text(l4t, board, gcid, date))
    packages = {}
    if dpkg_core:
        packages["nvidia-l4t-core"] = "{}-{}".format(l4t, core_stamp)
    if jetpack_pkg:
        packages["nvidia-jetpack"] = jetpack_pkg
    if model is not None:
        tree.write("/proc/device-tree/model", model.encode() + b"\0")
    if compatible:
        sep = b"\0" if nul_separated else b""
        tree.write("/proc/device-tree/compatible", sep.join(c.encode() for c in compatible) + sep)
    if apt_source and apt_soc and (dpkg_core or release_file):
        branch = ".".join(l4t.split(".")[:2])
        tree.write("/etc/apt/sources.list.d/nvidia-l4t-apt-source.list",
                   "deb https://repo.download.nvidia.com/jetson/common r{0} main\n"
                   "deb https://repo.download.nvidia.com/jetson/{1} r{0} main\n".format(branch, apt_soc))

    cuda_xy = ".".join(cuda.split(".")[:2]) if cuda else None
    if cuda:
        home = "/usr/local/cuda-" + cuda_xy
        if (int(cuda.split(".")[0]), int(cuda.split(".")[1])) <= (11, 0):
            tree.write(home + "/version.txt", "CUDA Version {}\n".format(cuda))
        else:
            doc = {"cuda": {"name": "CUDA SDK", "version": cuda},
                   "cuda_cudart": {"name": "CUDA Runtime (cudart)", "version": cuda_nvcc or cuda},
                   "cuda_nvcc": {"name": "CUDA NVCC", "version": cuda_nvcc or cuda}}
            tree.write(home + "/version.json", json.dumps(doc, indent=3) + "\n")
        tree.write(home + "/bin/nvcc", "")
        tree.write(home + "/targets/aarch64-linux/lib/libcudart.so.{}".format(cuda_nvcc or cuda), "")
        tree.symlink("/usr/local/cuda", "cuda-" + cuda_xy)
        packages["cuda-cudart-" + cuda_xy.replace(".", "-")] = "{}-1".format(cuda_nvcc or cuda)

    if cudnn:
        c_major, c_minor, c_patch = (cudnn.split(".") + ["0", "0"])[:3]
        header = "/usr/include/cudnn_version.h" if int(c_major) >= 8 else "/usr/include/cudnn.h"
        tree.write(header, "#ifndef CUDNN_VERSION_H_\n#define CUDNN_VERSION_H_\n\n"
                           "#define CUDNN_MAJOR {}\n#define CUDNN_MINOR {}\n#define CUDNN_PATCHLEVEL {}\n\n"
                           "#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n\n"
                           "#endif /* CUDNN_VERSION_H */\n".format(c_major, c_minor, c_patch))

    if trt:
        t_major = trt.split(".")[0]
        t_xyz = ".".join(trt.split(".")[:3])
        tree.write("/usr/include/aarch64-linux-gnu/NvInferVersion.h", nvinfer_version_h(trt))
        tree.write("/usr/include/aarch64-linux-gnu/NvInfer.h",
                   '#ifndef NV_INFER_H\n#define NV_INFER_H\n#include "NvInferLegacyDims.h"\n'
                   '#include "NvInferRuntime.h"\n#endif // NV_INFER_H\n')
        lib = "/usr/lib/aarch64-linux-gnu/libnvinfer.so." + t_xyz
        tree.write(lib, b"\x7fELF")
        tree.symlink("/usr/lib/aarch64-linux-gnu/libnvinfer.so." + t_major, "libnvinfer.so." + t_xyz)
        tree.symlink("/usr/lib/aarch64-linux-gnu/libnvinfer.so", "libnvinfer.so." + t_major)
        deb = "{}-1+cuda{}".format(t_xyz, cuda_xy or "10.2")
        packages["libnvinfer" + t_major] = deb
        packages["libnvinfer-dev"] = deb
        if trt_python and python:
            packages["python3-libnvinfer"] = deb

    if python:
        ubuntu = _UBUNTU.get(python, ("22.04", "22.04 LTS", "jammy", python + ".0-1"))
        tree.write("/usr/bin/python" + python, "")
        tree.symlink("/usr/bin/python3", "python" + python)
        packages["python{}-minimal".format(python)] = ubuntu[3]
        if trt and trt_python:
            site = "/usr/lib/python{}/dist-packages".format(python)
            tree.write(site + "/tensorrt/__init__.py",
                       "import ctypes\nimport os\nimport sys\n\n__version__ = \"{}\"\n\n"
                       "from .tensorrt import *\n".format(trt))
            if int(major) >= 36:
                info = site + "/tensorrt-{}.dist-info".format(trt)
                tree.write(info + "/METADATA", "Metadata-Version: 2.1\nName: tensorrt\nVersion: {}\n"
                                               "Summary: A high performance deep learning inference library\n".format(trt))
                tree.write(info + "/RECORD", "tensorrt/__init__.py,,\n")
            else:
                info = site + "/tensorrt-{}.egg-info".format(trt)
                tree.write(info + "/PKG-INFO", "Metadata-Version: 1.1\nName: tensorrt\nVersion: {}\n"
                                               "Summary: A high performance deep learning inference library\n".format(trt))
        tree.write("/etc/os-release", 'NAME="Ubuntu"\nVERSION="{1}"\nID=ubuntu\nID_LIKE=debian\n'
                                      'PRETTY_NAME="Ubuntu {1}"\nVERSION_ID="{0}"\nVERSION_CODENAME={2}\n'
                                      'UBUNTU_CODENAME={2}\n'.format(ubuntu[0], ubuntu[1], ubuntu[2]))

    tree.write("/proc/meminfo", "MemTotal:       {} kB\nMemFree:          512000 kB\n"
                                "MemAvailable:    1024000 kB\nSwapTotal:      {} kB\nSwapFree:       {} kB\n".format(
                                    ram_mib * 1024, swap_mib * 1024, swap_mib * 1024))
    tree.write("/proc/sys/kernel/arch", "aarch64\n")
    tree.write("/proc/sys/kernel/osrelease", (kernel or _KERNEL.get(major, "5.15.148-tegra")) + "\n")
    if packages:
        tree.dpkg(packages)
    return tree


# -- ready presets -----------------------------------------------------------------------------

def nano_jp44(tree):
    """Jetson Nano, JetPack 4.4 (L4T R32.4.3): CUDA 10.2.89, cuDNN 8.0.0, TensorRT 7.1.3, Python 3.6."""
    return jetson(tree, l4t="32.4.3", module="p3448-0000", jetpack_pkg="4.4-b186", cuda="10.2.89",
                  cudnn="8.0.0", trt="7.1.3.0", python="3.6", ram_mib=3964, swap_mib=1982)


def tx2_jp43(tree):
    """Jetson TX2, JetPack 4.3 (L4T R32.3.1): CUDA 10.0.326, cuDNN 7.6.3 (cudnn.h), TensorRT 6.0.1."""
    return jetson(tree, l4t="32.3.1", module="p3310-1000", jetpack_pkg="4.3-b134", cuda="10.0.326",
                  cudnn="7.6.3", trt="6.0.1.10", python="3.6", ram_mib=7851, swap_mib=0,
                  gcid="18186506", date="Tue Dec 10 06:58:34 UTC 2019")


def xavier_nx_jp461_dpkg_only(tree):
    """Xavier NX, JetPack 4.6.1 (L4T 32.7.1) with /etc/nv_tegra_release missing: only dpkg knows."""
    return jetson(tree, l4t="32.7.1", module="p3668-0000", jetpack_pkg="4.6.1-b110", release_file=False,
                  cuda="10.2.300", cudnn="8.2.1", trt="8.2.1.8", python="3.6", ram_mib=7765, swap_mib=3882)


def agx_xavier_jp512(tree):
    """AGX Xavier, JetPack 5.1.2 (L4T R35.4.1): CUDA 11.4 (version.json), TensorRT 8.5.2.2, Python 3.8."""
    return jetson(tree, l4t="35.4.1", module="p2888-0004", jetpack_pkg="5.1.2-b104", cuda="11.4.19",
                  cuda_nvcc="11.4.315", cudnn="8.6.0", trt="8.5.2.2", python="3.8",
                  gcid="33958178", date="Tue Aug  1 19:57:35 UTC 2023", ram_mib=31011, swap_mib=15505)


def orin_nano_jp62(tree):
    """Orin Nano developer kit (Super), JetPack 6.2 (L4T R36.4.3): CUDA 12.6, TensorRT 10.3, Python 3.10."""
    return jetson(tree, l4t="36.4.3", module="p3767-0005", jetpack_pkg="6.2+b77", cuda="12.6.68",
                  cudnn="9.3.0", trt="10.3.0.30", python="3.10", gcid="38968081",
                  date="Wed Jan  8 01:49:37 UTC 2025", ram_mib=7620, swap_mib=3810)


def agx_orin_r3647(tree):
    """AGX Orin 64GB on L4T R36.4.7 (JetPack 6.2.1 security re-spin)."""
    return jetson(tree, l4t="36.4.7", module="p3701-0005", jetpack_pkg="6.2.1+b38", cuda="12.6.68",
                  cudnn="9.3.0", trt="10.3.0.30", python="3.10", gcid="42132812",
                  date="Thu Sep 18 22:54:44 UTC 2025", ram_mib=62841, swap_mib=31420)


def thor_jp70(tree):
    """AGX Thor, JetPack 7.0 (L4T R38.2.0, BOARD: generic): CUDA 13.0, TensorRT 10.13.3 (ENTERPRISE macros)."""
    return jetson(tree, l4t="38.2.0", module="p3834-0008", cuda="13.0.48", cudnn="9.12.0",
                  trt="10.13.3.9", python="3.12", gcid="41844464", date="Fri Aug 22 00:55:42 UTC 2025",
                  ram_mib=125772, swap_mib=0)


def future_r40_1(tree):
    """A release this trtsetup cannot know: L4T R40.1.0 on a Thor."""
    return jetson(tree, l4t="40.1.0", module="p3834-0008", cuda="13.4.0", cudnn="9.30.0",
                  trt="11.2.0.10", python="3.12", gcid="49000001", date="Tue Mar  2 11:02:03 PM UTC 2027",
                  ram_mib=125772, swap_mib=0)


def switch_no_l4t(tree):
    """A Nintendo Switch (T210B01, 'odin') running a plain aarch64 Ubuntu: Tegra, no L4T files.

    The compatible strings are constructed: ``nintendo,odin`` is the name Switch kernels use for
    the T210B01 model (brcmfmac firmware names), jetson_stats #218 shows the model string shape.
    """
    tree.write("/proc/device-tree/model", b"Nintendo Switch (2019)\0")
    tree.write("/proc/device-tree/compatible", b"nintendo,odin\0nvidia,tegra210b01\0nvidia,tegra210\0")
    tree.write("/etc/os-release", 'NAME="Ubuntu"\nVERSION="18.04.6 LTS (Bionic Beaver)"\nID=ubuntu\n'
                                  'VERSION_ID="18.04"\nPRETTY_NAME="Ubuntu 18.04.6 LTS"\n')
    tree.write("/proc/meminfo", "MemTotal:        3945072 kB\nMemFree:          812000 kB\n"
                                "SwapTotal:             0 kB\nSwapFree:              0 kB\n")
    tree.write("/proc/sys/kernel/arch", "aarch64\n")
    tree.write("/proc/sys/kernel/osrelease", "4.9.140-l4t\n")
    tree.write("/usr/bin/python3.6", "")
    tree.symlink("/usr/bin/python3", "python3.6")
    return tree


# host libraries an l4t-base JP4 container expects the runtime to mount (r32.4.3 CSV shape)
_CSV = {
    "cuda.csv": ["dir, /usr/local/cuda-10.2",
                 "lib, /usr/local/cuda-10.2/targets/aarch64-linux/lib/libcudart.so.10.2.89",
                 "sym, /usr/local/cuda-10.2/targets/aarch64-linux/lib/libcudart.so.10.2"],
    "cudnn.csv": ["lib, /usr/lib/aarch64-linux-gnu/libcudnn.so.8.0.0",
                  "sym, /usr/lib/aarch64-linux-gnu/libcudnn.so.8",
                  "sym, /usr/include/cudnn_version.h"],
    "tensorrt.csv": ["lib, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3",
                     "sym, /usr/lib/aarch64-linux-gnu/libnvinfer.so.7",
                     "lib, /usr/lib/aarch64-linux-gnu/libnvinfer_plugin.so.7.1.3",
                     "dir, /usr/lib/python3.6/dist-packages/tensorrt"],
    "l4t.csv": ["dev, /dev/nvhost-ctrl", "dev, /dev/nvmap",
                "lib, /usr/lib/aarch64-linux-gnu/tegra/libcuda.so.1.1",
                "sym, /usr/lib/aarch64-linux-gnu/tegra/libcuda.so"],
}


def l4t_base_container_jp4(tree, missing=("tensorrt.csv",)):
    """Inside an ``nvcr.io/nvidia/l4t-base:r32.4.3`` container on a Nano.

    The release file is the image's; the host's CUDA/cuDNN/TensorRT come in through the
    nvidia-container-runtime CSV lists under /etc/nvidia-container-runtime/
    host-files-for-container.d/. Files listed in the CSVs named in ``missing`` are absent (the
    host lacks them, or the container was started without ``--runtime nvidia``); the others are
    present as if mounted.
    """
    tree.write("/.dockerenv", "")
    tree.write("/proc/1/cgroup", "12:devices:/docker/4f3c0a9e8d7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c\n"
                                 "1:name=systemd:/docker/4f3c0a9e8d7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c\n")
    tree.environ(PATH="/usr/local/cuda-10.2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                 NVIDIA_VISIBLE_DEVICES="all", NVIDIA_DRIVER_CAPABILITIES="all",
                 LD_LIBRARY_PATH="/usr/local/cuda-10.2/targets/aarch64-linux/lib:")
    tree.write("/etc/nv_tegra_release", release_file_text("32.4.3", "t210ref"))
    tree.write("/proc/device-tree/model", b"NVIDIA Jetson Nano Developer Kit\0")
    tree.write("/proc/device-tree/compatible", b"nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210\0")
    tree.write("/etc/os-release", 'NAME="Ubuntu"\nVERSION="18.04.4 LTS (Bionic Beaver)"\nID=ubuntu\n'
                                  'VERSION_ID="18.04"\nPRETTY_NAME="Ubuntu 18.04.4 LTS"\n')
    tree.write("/proc/meminfo", "MemTotal:        4058056 kB\nMemFree:         1900000 kB\n"
                                "SwapTotal:       2029028 kB\nSwapFree:        2029028 kB\n")
    tree.write("/proc/sys/kernel/arch", "aarch64\n")
    tree.write("/proc/sys/kernel/osrelease", "4.9.140-tegra\n")
    tree.write("/usr/bin/python3.6", "")
    tree.symlink("/usr/bin/python3", "python3.6")
    tree.dpkg({"python3.6-minimal": "3.6.9-1~18.04ubuntu1"})
    csv_dir = "/etc/nvidia-container-runtime/host-files-for-container.d/"
    for name, lines in sorted(_CSV.items()):
        tree.write(csv_dir + name, "\n".join(lines) + "\n")
        if name in missing:
            continue
        for line in lines:
            kind, _, path = line.partition(", ")
            if kind == "dir":
                tree.mkdir(path)
            elif kind == "sym":
                tree.write(path, "")
            elif kind in ("lib", "dev"):
                tree.write(path, b"\x7fELF" if kind == "lib" else b"")
    if "cuda.csv" not in missing:
        tree.symlink("/usr/local/cuda", "cuda-10.2")
        tree.write("/usr/local/cuda-10.2/version.txt", "CUDA Version 10.2.89\n")
    return tree


PRESETS = {
    "nano_jp44": nano_jp44,
    "tx2_jp43": tx2_jp43,
    "xavier_nx_jp461_dpkg_only": xavier_nx_jp461_dpkg_only,
    "agx_xavier_jp512": agx_xavier_jp512,
    "orin_nano_jp62": orin_nano_jp62,
    "agx_orin_r3647": agx_orin_r3647,
    "thor_jp70": thor_jp70,
    "future_r40_1": future_r40_1,
    "switch_no_l4t": switch_no_l4t,
    "l4t_base_container_jp4": l4t_base_container_jp4,
}


# -- devices that show only one piece of Jetson evidence (real pasted outputs) -------------------

# /proc/driver/nvidia/version on an Orin running L4T 35.3.1 (nix-community/nixGL #139)
NVRM_L4T_35_3_1 = ("NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  35.3.1  Release Build  "
                   "(buildbrain@mobile-u64-6289-d7000)  Sun Mar 19 08:09:33 PDT 2023\n"
                   "GCC version:  gcc version 9.3.0 (Buildroot 2020.08) \n")


def _bare_aarch64(tree):
    """An aarch64 Ubuntu 20.04 with none of the L4T files (a custom or stripped image)."""
    tree.write("/etc/os-release", 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="20.04"\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\n')
    tree.write("/proc/meminfo", "MemTotal:        7620000 kB\nMemAvailable:    5120000 kB\nSwapTotal:       3810000 kB\n")
    tree.write("/proc/sys/kernel/arch", "aarch64\n")
    tree.write("/proc/sys/kernel/osrelease", "5.10.104-tegra\n")
    tree.write("/usr/bin/python3.8", "")
    tree.symlink("/usr/bin/python3", "python3.8")
    return tree


def model_only(tree, model):
    """Only ``/proc/device-tree/model`` says Jetson (no release file, package, compatible)."""
    _bare_aarch64(tree)
    tree.write("/proc/device-tree/model", model.encode() + b"\0")
    return tree


def plugin_manager_ids(tree, ids=("3448-0002-400", "3449-0000-400"), compatible=("nvidia,jetson-nano",)):
    """A Nano on L4T R32 whose compatible names only the family; the bootloader's plugin-manager
    ids (``chosen/plugin-manager/ids/<board>-<sku>-<rev>``, one property each) name the module
    SKU and the carrier. The property values are empty here; only their names matter."""
    _bare_aarch64(tree)
    tree.write("/proc/device-tree/compatible", b"\0".join(c.encode() for c in compatible) + b"\0")
    for board_id in ids:
        tree.write("/proc/device-tree/chosen/plugin-manager/ids/" + board_id, b"")
    tree.write("/proc/device-tree/chosen/plugin-manager/ids/name", b"ids\0")
    return tree


def driver_version_only(tree, text=NVRM_L4T_35_3_1):
    """Only ``/proc/driver/nvidia/version`` says Jetson: it carries the L4T release."""
    _bare_aarch64(tree)
    tree.write("/proc/driver/nvidia/version", text)
    return tree

"""x86_64 system trees: driver, CUDA toolkit, cuDNN, TensorRT (deb, tarball or pip), NGC images.

``x86(tree, ...)`` writes a whole machine; the presets below are the platforms the doctor tests
use. File contents follow real systems: the ``/proc`` driver line, ``version.json`` of the CUDA
runfile/deb install, ``NvInferVersion.h`` as NVIDIA ships it (literal macros before 10.11, the
``TRT_*_ENTERPRISE`` indirection from 10.11), the ``libnvinfer.so`` link chain, dpkg stanzas,
``/etc/alternatives`` links for ``/usr/local/cuda`` and ``cudnn_version.h``.

A captured tree runs no command, so ``nvidia-smi`` output (GPU names, compute capability) cannot
be part of a tree: use ``tests.fakehost.CannedHost`` for that.
"""

import os

from packaging.version import Version

TRIPLET = "x86_64-linux-gnu"
SITE = "/usr/local/lib/python3.10/dist-packages"

# CUDA X.Y -> (version.json "cuda" SDK version, nvcc/cudart component version)
CUDA_VERSIONS = {
    "10.2": ("10.2.89", "10.2.89"),
    "11.8": ("11.8.0", "11.8.89"),
    "12.2": ("12.2.2", "12.2.140"),
    "12.4": ("12.4.1", "12.4.131"),
    "12.6": ("12.6.3", "12.6.85"),
    "12.8": ("12.8.1", "12.8.93"),
    "13.0": ("13.0.2", "13.0.88"),
}

PROC_PROPRIETARY = ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  {version}  Sun May 12 19:39:15 UTC 2024\n"
                    "GCC version:  gcc version 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04) \n")
PROC_OPEN = ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {version}  Release Build  "
             "(dvs-builder@U16-I3-C03-1-1)  Thu Oct 10 12:29:05 UTC 2024\n"
             "GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04) \n")

OS_RELEASE = {
    "22.04": ('PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\n'
              'VERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n'
              'ID_LIKE=debian\nUBUNTU_CODENAME=jammy\n'),
    "24.04": ('PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\n'
              'VERSION="24.04.3 LTS (Noble Numbat)"\nVERSION_CODENAME=noble\nID=ubuntu\n'
              'ID_LIKE=debian\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n'),
}

MEMINFO = ("MemTotal:       65768456 kB\nMemFree:        51234112 kB\nMemAvailable:   60123456 kB\n"
           "Buffers:          412345 kB\nCached:          8123456 kB\nSwapCached:            0 kB\n"
           "SwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n")

LICENSE_HEADER = ("/*\n * SPDX-FileCopyrightText: Copyright (c) 1993-2025 NVIDIA CORPORATION & AFFILIATES. "
                  "All rights reserved.\n * SPDX-License-Identifier: Apache-2.0\n */\n\n")


def _parts(version, n=4):
    parts = [int(p) for p in version.split(".")]
    return (parts + [0] * n)[:n]


def nvinfer_version_h(version):
    """NvInferVersion.h as TensorRT ``version`` ships it (``"8.6.1.6"``, ``"10.13.3.9"``)."""
    major, minor, patch, build = _parts(version)
    body = "//!\n//! \\file NvInferVersion.h\n//!\n//! Defines the TensorRT version\n//!\n"
    body += "#ifndef NV_INFER_VERSION_H\n#define NV_INFER_VERSION_H\n\n"
    if Version(version) >= Version("10.11"):
        body += ("#define TRT_MAJOR_ENTERPRISE {0}\n#define TRT_MINOR_ENTERPRISE {1}\n"
                 "#define TRT_PATCH_ENTERPRISE {2}\n#define TRT_BUILD_ENTERPRISE {3}\n"
                 "#define NV_TENSORRT_MAJOR TRT_MAJOR_ENTERPRISE //!< TensorRT major version.\n"
                 "#define NV_TENSORRT_MINOR TRT_MINOR_ENTERPRISE //!< TensorRT minor version.\n"
                 "#define NV_TENSORRT_PATCH TRT_PATCH_ENTERPRISE //!< TensorRT patch version.\n"
                 "#define NV_TENSORRT_BUILD TRT_BUILD_ENTERPRISE //!< TensorRT build number.\n\n"
                 ).format(major, minor, patch, build)
    else:
        body += ("#define NV_TENSORRT_MAJOR {0} //!< TensorRT major version.\n"
                 "#define NV_TENSORRT_MINOR {1} //!< TensorRT minor version.\n"
                 "#define NV_TENSORRT_PATCH {2} //!< TensorRT patch version.\n"
                 "#define NV_TENSORRT_BUILD {3} //!< TensorRT build number.\n\n").format(major, minor, patch, build)
    body += ("#define NV_TENSORRT_LWS_MAJOR 0 //!< TensorRT LWS major version.\n"
             "#define NV_TENSORRT_LWS_MINOR 0 //!< TensorRT LWS minor version.\n"
             "#define NV_TENSORRT_LWS_PATCH 0 //!< TensorRT LWS patch version.\n\n")
    if major < 10:
        body += ("// This #define is deprecated in TensorRT 8.6 and will be removed in 10.0. Use NV_TENSORRT_MAJOR.\n"
                 "#define NV_TENSORRT_SONAME_MAJOR {0} //!< Shared object library major version number.\n"
                 "#define NV_TENSORRT_SONAME_MINOR {1} //!< Shared object library minor version number.\n"
                 "#define NV_TENSORRT_SONAME_PATCH {2} //!< Shared object library patch version number.\n\n"
                 ).format(major, minor, patch)
    body += ("#define NV_TENSORRT_RELEASE_TYPE_EARLY_ACCESS 0         //!< An early access release\n"
             "#define NV_TENSORRT_RELEASE_TYPE_RELEASE_CANDIDATE 1    //!< A release candidate\n"
             "#define NV_TENSORRT_RELEASE_TYPE_GENERAL_AVAILABILITY 2 //!< A final release\n\n"
             "#define NV_TENSORRT_RELEASE_TYPE NV_TENSORRT_RELEASE_TYPE_GENERAL_AVAILABILITY //!< TensorRT release type\n\n"
             "#endif // NV_INFER_VERSION_H\n")
    return LICENSE_HEADER + body


NVINFER_H = (LICENSE_HEADER + "#ifndef NV_INFER_H\n#define NV_INFER_H\n\n#include \"NvInferLegacyDims.h\"\n"
             "#include \"NvInferRuntime.h\"\n\nnamespace nvinfer1\n{\n//! ...\n}\n#endif // NV_INFER_H\n")

CUDNN_VERSION_H = ("/*\n * Copyright 2014-2023 NVIDIA Corporation.  All rights reserved.\n */\n\n"
                   "/**\n * \\file: The master cuDNN version file.\n */\n\n"
                   "#ifndef CUDNN_VERSION_H_\n#define CUDNN_VERSION_H_\n\n"
                   "#define CUDNN_MAJOR {0}\n#define CUDNN_MINOR {1}\n#define CUDNN_PATCHLEVEL {2}\n\n"
                   "#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n\n"
                   "/* cannot use constexpr here since this is a C-only file */\n"
                   "#endif /* CUDNN_VERSION_H */\n")


def cuda_version_json(cuda):
    sdk, component = CUDA_VERSIONS.get(cuda, (cuda + ".0", cuda + ".0"))
    entries = [("cuda", "CUDA SDK", sdk), ("cuda_cccl", "CUDA C++ Core Compute Libraries", component),
               ("cuda_cudart", "CUDA Runtime (cudart)", component), ("cuda_nvcc", "CUDA NVCC", component),
               ("cuda_nvrtc", "CUDA NVRTC", component)]
    lines = ['   "{}" : {{\n      "name" : "{}",\n      "version" : "{}"\n   }}'.format(k, n, v) for k, n, v in entries]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def dpkg_append(tree, packages, arch="amd64"):
    """Add ``ii`` stanzas (name -> version) to var/lib/dpkg/status, as dpkg writes them."""
    full = tree.path("/var/lib/dpkg/status")
    text = ""
    if os.path.exists(full):
        with open(full, "r") as handle:
            text = handle.read()
    for name, version in packages.items():
        text += ("Package: {0}\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
                 "Installed-Size: 1024\nMaintainer: cudatools <cudatools@nvidia.com>\n"
                 "Architecture: {2}\nSource: tensorrt\nVersion: {1}\n"
                 "Description: {0}\n\n").format(name, version, arch)
    tree.write("/var/lib/dpkg/status", text)


def install_cuda(tree, cuda, home=None):
    home = home or "/usr/local/cuda-" + cuda
    if Version(cuda) >= Version("11.1"):
        tree.write(home + "/version.json", cuda_version_json(cuda))
    else:
        tree.write(home + "/version.txt", "CUDA Version {}\n".format(CUDA_VERSIONS.get(cuda, (cuda + ".0",))[0]))
    tree.write(home + "/bin/nvcc", b"\x7fELF", mode=0o755)
    tree.write(home + "/include/cuda.h", "#define CUDA_VERSION {}\n".format(
        int(cuda.split(".")[0]) * 1000 + int(cuda.split(".")[1]) * 10))
    tree.symlink("/etc/alternatives/cuda", home)
    tree.symlink("/usr/local/cuda", "/etc/alternatives/cuda")
    return home


def install_cudnn(tree, cudnn):
    major, minor, patch, _ = _parts(cudnn)
    real = "/usr/include/{}/cudnn_version_v{}.h".format(TRIPLET, major)
    tree.write(real, CUDNN_VERSION_H.format(major, minor, patch))
    tree.symlink("/etc/alternatives/cudnn_version_h", real)
    tree.symlink("/usr/include/cudnn_version.h", "/etc/alternatives/cudnn_version_h")


def _libs(tree, lib_dir, trt, dev_link=True):
    major, minor, patch, _ = _parts(trt)
    full = "libnvinfer.so.{}.{}.{}".format(major, minor, patch)
    tree.write(lib_dir + "/" + full, b"\x7fELF\x02\x01\x01")
    tree.symlink(lib_dir + "/libnvinfer.so.{}".format(major), full)
    if dev_link:
        tree.symlink(lib_dir + "/libnvinfer.so", "libnvinfer.so.{}".format(major))
    tree.write(lib_dir + "/libnvinfer_plugin.so.{}.{}.{}".format(major, minor, patch), b"\x7fELF")


def install_tensorrt(tree, trt, layout="deb", site=SITE, cuda="12.2"):
    """TensorRT ``trt`` (``"8.6.1.6"``) as Debian packages, a tarball under /opt, or pip wheels."""
    major = _parts(trt)[0]
    if layout == "deb":
        tree.write("/usr/include/{}/NvInferVersion.h".format(TRIPLET), nvinfer_version_h(trt))
        tree.write("/usr/include/{}/NvInfer.h".format(TRIPLET), NVINFER_H)
        _libs(tree, "/usr/lib/" + TRIPLET, trt)
        deb = "{}-1+cuda{}".format(trt, cuda)
        packages = {"libnvinfer{}".format(major): deb, "libnvinfer-plugin{}".format(major): deb,
                    "libnvinfer-dev": deb, "python3-libnvinfer": deb, "tensorrt": deb}
        if Version(trt) >= Version("8.6"):
            packages["libnvinfer-headers-dev"] = deb
        dpkg_append(tree, packages)
        return "/usr/lib/" + TRIPLET
    if layout == "tarball":
        root = "/opt/TensorRT-" + trt
        tree.write(root + "/include/NvInferVersion.h", nvinfer_version_h(trt))
        tree.write(root + "/include/NvInfer.h", NVINFER_H)
        _libs(tree, root + "/lib", trt)
        tree.write(root + "/bin/trtexec", b"\x7fELF", mode=0o755)
        return root
    if layout == "pip":
        libs = site + "/tensorrt_libs" if major < 10 else site + "/tensorrt_cu{}_libs".format(cuda.split(".")[0])
        major_s = str(major)
        tree.write(libs + "/libnvinfer.so." + major_s, b"\x7fELF")
        tree.write(libs + "/libnvinfer_plugin.so." + major_s, b"\x7fELF")
        tree.write(libs + "/__init__.py", "")
        tree.write(site + "/tensorrt/__init__.py", "__version__ = '{}'\n".format(trt))
        return libs
    raise ValueError("unknown TensorRT layout {!r}".format(layout))


def x86(tree, driver="535.183.01", open_module=False, cuda="12.2", trt="8.6.1.6", trt_layout="deb",
        cudnn="8.9.4", smi=True, ubuntu="22.04", env=None):
    """An Ubuntu x86_64 machine. ``None`` leaves a component out (``driver=None``: no driver)."""
    tree.write("/etc/os-release", OS_RELEASE.get(ubuntu, OS_RELEASE["22.04"]))
    tree.write("/proc/meminfo", MEMINFO)
    tree.write("/proc/sys/kernel/osrelease", "5.15.0-113-generic\n")
    tree.write("/proc/1/cgroup", "0::/init.scope\n")
    tree.write("/etc/ld.so.conf.d/x86_64-linux-gnu.conf",
               "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n")
    tree.write("/usr/lib/x86_64-linux-gnu/libc.so.6", b"\x7fELF\x02\x01\x01\x03")
    dpkg_append(tree, {"libc6": "2.39-0ubuntu8.4" if ubuntu == "24.04" else "2.35-0ubuntu3.8",
                       "base-files": "13ubuntu10" if ubuntu == "24.04" else "12ubuntu4.6"})
    variables = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                 "HOME": "/root", "LANG": "C.UTF-8"}
    if driver:
        tree.write("/proc/driver/nvidia/version", (PROC_OPEN if open_module else PROC_PROPRIETARY).format(version=driver))
        if smi:
            tree.write("/usr/bin/nvidia-smi", b"\x7fELF", mode=0o755)
        dpkg_append(tree, {"nvidia-driver-" + driver.split(".")[0]: driver + "-0ubuntu1"})
    if cuda:
        install_cuda(tree, cuda)
        dpkg_append(tree, {"cuda-toolkit-" + cuda.replace(".", "-"): CUDA_VERSIONS.get(cuda, (cuda,))[0] + "-1"})
    if cudnn:
        install_cudnn(tree, cudnn)
        major = _parts(cudnn)[0]
        dpkg_append(tree, {"libcudnn{}".format(major): "{}.1-1+cuda{}".format(cudnn, cuda or "12.2")})
    if trt and trt_layout:
        where = install_tensorrt(tree, trt, trt_layout, cuda=cuda or "12.2")
        if trt_layout == "tarball":
            variables["TRT_ROOT"] = where
            variables["LD_LIBRARY_PATH"] = where + "/lib"
    variables.update(env or {})
    tree.environ(**variables)
    return tree


# -- presets ---------------------------------------------------------------------------------

def x86_driver535_cuda122_trt86_deb(tree):
    """Ubuntu 22.04, driver 535.183.01, CUDA 12.2, cuDNN 8.9.4, TensorRT 8.6.1.6 debs."""
    return x86(tree)


def x86_trt1013_tarball(tree):
    """Ubuntu 22.04, open driver 580.95.05, CUDA 12.8, TensorRT 10.13.3.9 tarball via TRT_ROOT."""
    return x86(tree, driver="580.95.05", open_module=True, cuda="12.8", cudnn="9.10.2",
               trt="10.13.3.9", trt_layout="tarball")


def x86_no_driver(tree):
    """Ubuntu 22.04 without an NVIDIA driver (no /proc/driver/nvidia), no CUDA, no TensorRT."""
    return x86(tree, driver=None, cuda=None, cudnn=None, trt=None)


def ngc_tensorrt(tree, release="24.08", trt="10.3.0.26", cuda="12.6", cuda_env="12.6.0.022",
                 cudnn="9.3.0.75", host_driver="560.35.03"):
    """nvcr.io/nvidia/tensorrt:<release>-py3: TensorRT debs inside, host driver in /proc."""
    x86(tree, driver=host_driver, open_module=True, cuda=cuda, cudnn=cudnn, trt=trt, trt_layout="deb",
        smi=False, env={
            "NVIDIA_PRODUCT_NAME": "TensorRT", "NVIDIA_TENSORRT_VERSION": release,
            "TENSORRT_VERSION": trt, "TRT_VERSION": trt, "CUDA_VERSION": cuda_env,
            "CUDNN_VERSION": cudnn, "NVIDIA_BUILD_ID": "107063688",
            "NVIDIA_REQUIRE_CUDA": "cuda>=9.0", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility,video",
            "NVIDIA_VISIBLE_DEVICES": "all",
            "LD_LIBRARY_PATH": "/usr/local/cuda/compat/lib:/usr/local/nvidia/lib:/usr/local/nvidia/lib64",
            "PATH": "/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})
    tree.write("/.dockerenv", "")
    tree.write("/NGC-DL-CONTAINER-LICENSE", "NVIDIA Deep Learning Container License\n")
    tree.write("/opt/nvidia/nvidia_entrypoint.sh", "#!/bin/bash\n", mode=0o755)
    tree.write("/usr/local/nvidia/bin/nvidia-smi", b"\x7fELF", mode=0o755)
    return tree


def ngc_pytorch(tree, release="25.10", trt="10.13.3.9", cuda="13.0", cuda_env="13.0.2.006",
                cudnn="9.14.0.64", torch="2.9.0a0+145a3a7", host_driver="580.95.05"):
    """nvcr.io/nvidia/pytorch:<release>-py3: torch, CUDA 13, TensorRT debs; host driver in /proc."""
    x86(tree, driver=host_driver, open_module=True, cuda=cuda, cudnn=cudnn, trt=trt, trt_layout="deb",
        smi=False, ubuntu="24.04", env={
            "NVIDIA_PRODUCT_NAME": "PyTorch", "NVIDIA_PYTORCH_VERSION": release,
            "PYTORCH_VERSION": torch, "TRT_VERSION": trt, "CUDA_VERSION": cuda_env,
            "CUDA_DRIVER_VERSION": host_driver, "CUDNN_VERSION": cudnn, "NVIDIA_BUILD_ID": "214638690",
            "CUDA_HOME": "/usr/local/cuda", "TORCH_CUDA_ARCH_LIST": "7.5 8.0 8.6 9.0 10.0 12.0+PTX",
            "NVIDIA_REQUIRE_CUDA": "cuda>=9.0", "NVIDIA_VISIBLE_DEVICES": "all",
            "PATH": "/usr/local/lib/python3.12/dist-packages/torch_tensorrt/bin:/usr/local/mpi/bin:"
                    "/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})
    tree.write("/.dockerenv", "")
    tree.write("/NGC-DL-CONTAINER-LICENSE", "NVIDIA Deep Learning Container License\n")
    tree.write("/opt/nvidia/nvidia_entrypoint.sh", "#!/bin/bash\n", mode=0o755)
    tree.write("/workspace/license.txt", "NVIDIA Deep Learning Container License\n")
    tree.write("/usr/local/lib/python3.12/dist-packages/torch/__init__.py", "")
    return tree


PRESETS = {
    "x86-trt86-deb": x86_driver535_cuda122_trt86_deb,
    "x86-trt1013-tarball": x86_trt1013_tarball,
    "x86-no-driver": x86_no_driver,
    "ngc-tensorrt": ngc_tensorrt,
    "ngc-pytorch": ngc_pytorch,
}

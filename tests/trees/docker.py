"""Jetson hosts with the NVIDIA container stack, for ``trtsetup docker`` and the docker checks.

``container_host(tree, jetpack=..., runtime=...)`` writes a flashed JetPack (``tests.trees.jetson``)
plus what the container stack adds on that release (shared/facts/docker-and-fleet.md §1.2, §3):

* dpkg stanzas for the stack: JetPack 4's ``nvidia-container-runtime 3.1.0-1``,
  ``nvidia-container-toolkit 1.0.1-1``, ``libnvidia-container0 0.9.0~beta.1`` (the "old"
  runtime: every CSV read) or the upstream repo's ``libnvidia-container0 0.11.0+jetpack`` /
  ``nvidia-container-toolkit 1.9.0-1`` ("new": base files only); JetPack 5+ ship toolkit 1.x;
* ``var/lib/dpkg/info/<pkg>.list`` for the TensorRT / cuDNN / CUDA packages and the
  ``nvidia-container-csv-*`` packages (what ``dpkg -L`` prints);
* the libraries those lists name, with the real link chains (``libnvinfer.so.8 ->
  libnvinfer.so.8.2.1``), headers, Python dirs, ``/usr/local/cuda-X.Y``;
* the stock CSV files of that JetPack in ``host-files-for-container.d`` (JP4: l4t, cuda, cudnn,
  tensorrt, visionworks; JP5: l4t; JP6/7: devices, drivers), written in the stock shape;
* ``/etc/nvidia-container-runtime/config.toml`` and ``/etc/docker/daemon.json`` as the packages
  install them.

Device nodes are made with ``mknod`` (tests run as root in CI); without the privilege the
builder writes nothing for them and ``DEVICES_OK`` is False.
"""

import os
import stat

from tests.trees import jetson as jetson_trees

CSV_DIR = "/etc/nvidia-container-runtime/host-files-for-container.d"
LIB = "/usr/lib/aarch64-linux-gnu"
INC = "/usr/include/aarch64-linux-gnu"

# jetpack -> (l4t preset args, TensorRT x.y.z, cuDNN x.y.z, CUDA x.y)
RELEASES = {
    "4.3": dict(l4t="32.3.1", module="p3310-1000", jetpack_pkg="4.3-b134", cuda="10.0.326", cudnn="7.6.3",
                trt="6.0.1.10", python="3.6"),
    "4.4": dict(l4t="32.4.3", module="p3448-0000", jetpack_pkg="4.4-b186", cuda="10.2.89", cudnn="8.0.0",
                trt="7.1.3.0", python="3.6"),
    "4.6": dict(l4t="32.6.1", module="p3668-0000", jetpack_pkg="4.6-b199", cuda="10.2.300", cudnn="8.2.1",
                trt="8.0.1.6", python="3.6"),
    "5.1": dict(l4t="35.2.1", module="p2888-0004", jetpack_pkg="5.1-b147", cuda="11.4.19", cuda_nvcc="11.4.315",
                cudnn="8.6.0", trt="8.5.2.2", python="3.8"),
    "6.2": dict(l4t="36.4.3", module="p3767-0005", jetpack_pkg="6.2+b77", cuda="12.6.68", cudnn="9.3.0",
                trt="10.3.0.30", python="3.10"),
    "7": dict(l4t="38.2.0", module="p3834-0008", cuda="13.0.48", cudnn="9.12.0", trt="10.13.3.9", python="3.12"),
}

OLD_RUNTIME = {"nvidia-container-runtime": "3.1.0-1", "nvidia-container-toolkit": "1.0.1-1",
               "libnvidia-container-tools": "0.9.0~beta.1", "libnvidia-container0": "0.9.0~beta.1",
               "nvidia-docker2": "2.2.0-1"}
# JetPack 4.6 as shipped (NVIDIA/nvidia-docker#1598 paste): still reads every CSV
JP46_RUNTIME = {"nvidia-container-runtime": "3.7.0-1", "nvidia-container-toolkit": "1.7.0-1",
                "libnvidia-container-tools": "1.7.0-1", "libnvidia-container0": "0.10.0+jetpack",
                "nvidia-docker2": "2.8.0-1"}
# after adding the upstream apt repo on JetPack 4: base CSV files only
NEW_RUNTIME = {"nvidia-container-runtime": "3.9.0-1", "nvidia-container-toolkit": "1.9.0-1",
               "libnvidia-container-tools": "1.9.0-1", "libnvidia-container0": "0.11.0+jetpack",
               "nvidia-docker2": "2.10.0-1"}
JP5_RUNTIME = {"nvidia-container-toolkit": "1.11.0~rc.1-1", "nvidia-container-toolkit-base": "1.11.0~rc.1-1",
               "libnvidia-container1": "1.11.0~rc.1-1", "libnvidia-container-tools": "1.11.0~rc.1-1",
               "nvidia-container-runtime": "3.11.0-1", "nvidia-docker2": "2.11.0-1"}
JP6_RUNTIME = {"nvidia-container-toolkit": "1.16.2-1", "nvidia-container-toolkit-base": "1.16.2-1",
               "libnvidia-container1": "1.16.2-1", "libnvidia-container-tools": "1.16.2-1"}
JP7_RUNTIME = {"nvidia-container-toolkit": "1.18.0-1", "nvidia-container-toolkit-base": "1.18.0-1",
               "libnvidia-container1": "1.18.0-1", "libnvidia-container-tools": "1.18.0-1"}

CONFIG_TOML = """disable-require = false
#swarm-resource = "DOCKER_RESOURCE_GPU"
#accept-nvidia-visible-devices-envvar-when-unprivileged = true

[nvidia-container-cli]
#root = "/run/nvidia/driver"
#path = "/usr/bin/nvidia-container-cli"
environment = []
#debug = "/var/log/nvidia-container-toolkit.log"
ldconfig = "@/sbin/ldconfig.real"

[nvidia-container-runtime]
#debug = "/var/log/nvidia-container-runtime.log"
log-level = "info"
mode = "{mode}"
runtimes = ["docker-runc", "runc", "crun"]

[nvidia-container-runtime.modes.csv]
mount-spec-path = "{mount}"

[nvidia-container-runtime.modes.cdi]
default-kind = "nvidia.com/gpu"
spec-dirs = ["/etc/cdi", "/var/run/cdi"]
"""

DAEMON_JSON = """{
    "runtimes": {
        "nvidia": {
            "path": "nvidia-container-runtime",
            "runtimeArgs": []
        }
    }
}
"""
DAEMON_JSON_DEFAULT = """{
    "runtimes": {
        "nvidia": {
            "path": "nvidia-container-runtime",
            "runtimeArgs": []
        }
    },
    "default-runtime": "nvidia"
}
"""

DEVICES_OK = True


def device(tree, path):
    """A character device node at ``path`` (1:3, like /dev/null), if this process may mknod."""
    global DEVICES_OK
    full = tree.path(path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if os.path.lexists(full):
        return tree
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        DEVICES_OK = False
    return tree


def dpkg_list(tree, package, paths, arch=None):
    """``var/lib/dpkg/info/<package>[:arch].list``: every parent dir, then the paths (dpkg's shape)."""
    lines = ["/."]
    for path in paths:
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            parent = "/" + "/".join(parts[:i])
            if parent not in lines:
                lines.append(parent)
        lines.append(path)
    name = package + (":" + arch if arch else "")
    tree.write("/var/lib/dpkg/info/{}.list".format(name), "\n".join(lines) + "\n")
    return tree


def _so_chain(tree, name, version, major=None):
    """``lib<name>.so.<version>`` (a file) with ``.so.<major>`` and ``.so`` links; returns paths."""
    major = major or version.split(".")[0]
    real = "{}/{}.so.{}".format(LIB, name, version)
    tree.write(real, b"\x7fELF\x02\x01\x01" + name.encode())
    tree.symlink("{}/{}.so.{}".format(LIB, name, major), "{}.so.{}".format(name, version))
    tree.symlink("{}/{}.so".format(LIB, name), "{}.so.{}".format(name, major))
    return real, "{}/{}.so.{}".format(LIB, name, major), "{}/{}.so".format(LIB, name)


def tensorrt_files(tree, trt, python="3.6"):
    """TensorRT libs, headers and python dir as the debs install them; returns {package: [paths]}."""
    xyz = ".".join(trt.split(".")[:3])
    major = trt.split(".")[0]
    cuda_pkgs = {}
    libs = ["libnvinfer", "libnvinfer_plugin", "libnvparsers", "libnvonnxparser"]
    pkg_names = {"libnvinfer": "libnvinfer" + major, "libnvinfer_plugin": "libnvinfer-plugin" + major,
                 "libnvparsers": "libnvparsers" + major, "libnvonnxparser": "libnvonnxparsers" + major}
    dev = []
    for lib in libs:
        real, so_major, so = _so_chain(tree, lib, xyz)
        cuda_pkgs[pkg_names[lib]] = [real, so_major]
        dev.append(so)
    if major == "7":
        real, so_major, so = _so_chain(tree, "libmyelin", "1.1.0", "1")
        cuda_pkgs["libnvinfer7"] += [real, so_major]
    for header in ("NvInfer.h", "NvInferPlugin.h", "NvInferRuntime.h", "NvOnnxParser.h", "NvUffParser.h"):
        tree.write(INC + "/" + header, "// " + header + "\n")
        dev.append(INC + "/" + header)
    dev.append(INC + "/NvInferVersion.h")
    cuda_pkgs["libnvinfer-dev"] = dev
    site = "/usr/lib/python{}/dist-packages/tensorrt".format(python)
    tree.write(site + "/__init__.py", "__version__ = '{}'\n".format(trt))
    tree.write(site + "/tensorrt.so", b"\x7fELF")
    cuda_pkgs["python3-libnvinfer"] = [site, site + "/__init__.py", site + "/tensorrt.so"]
    return cuda_pkgs


def cudnn_files(tree, cudnn):
    major = cudnn.split(".")[0]
    real, so_major, so = _so_chain(tree, "libcudnn", cudnn)
    paths = [real, so_major]
    if int(major) >= 8:
        for part in ("libcudnn_ops_infer", "libcudnn_cnn_infer"):
            r, m, _ = _so_chain(tree, part, cudnn)
            paths += [r, m]
        with open(tree.path("/usr/include/cudnn_version.h"), "rb") as handle:  # the preset's real header
            header = handle.read()
        tree.write(INC + "/cudnn_version_v{}.h".format(major), header)
        tree.symlink("/etc/alternatives/cudnn_version_h", INC + "/cudnn_version_v{}.h".format(major))
        tree.symlink("/usr/include/cudnn_version.h", "/etc/alternatives/cudnn_version_h")
        tree.symlink("/etc/alternatives/libcudnn_so", so_major)
    return {"libcudnn" + major: paths,
            "libcudnn{}-dev".format(major): [so, INC + "/cudnn_version_v{}.h".format(major)] if int(major) >= 8 else [so]}


def csv_lines_for(tree, paths):
    """Stock-shaped CSV lines for existing paths: lib for files, sym for links, dir for dirs."""
    out = []
    for path in paths:
        full = tree.path(path)
        kind = "sym" if os.path.islink(full) else ("dir" if os.path.isdir(full) else "lib")
        out.append("{}, {}".format(kind, path))
    return out


def write_csv(tree, name, lines, crlf=False, directory=CSV_DIR):
    end = "\r\n" if crlf else "\n"
    tree.write(directory + "/" + name, end.join(lines) + end)
    return tree


def container_host(tree, jetpack="4.4", runtime="old", mode="auto", default_runtime=False,
                   cdi_spec=False, daemon=True):
    """A Jetson host of ``jetpack`` (a RELEASES key) with the container stack installed.

    ``runtime``: "old" (libnvidia-container0 0.9.0~beta.1), "jp46" (0.10.0+jetpack),
    "new" (0.11.0+jetpack / toolkit 1.9: base files only) on JetPack 4; ignored on 5+.
    """
    spec = RELEASES[jetpack]
    jetson_trees.jetson(tree, **spec)
    major = int(spec["l4t"].split(".")[0])
    python = spec["python"]
    pkgs = {}
    if major <= 32:
        pkgs.update({"old": OLD_RUNTIME, "jp46": JP46_RUNTIME, "new": NEW_RUNTIME}[runtime])
    elif major <= 35:
        pkgs.update(JP5_RUNTIME)
    elif major == 36:
        pkgs.update(JP6_RUNTIME)
    else:
        pkgs.update(JP7_RUNTIME)

    trt = tensorrt_files(tree, spec["trt"], python)
    cudnn = cudnn_files(tree, spec["cudnn"])
    cuda_xy = ".".join(spec["cuda"].split(".")[:2])
    for name, paths in sorted(list(trt.items()) + list(cudnn.items())):
        dpkg_list(tree, name, paths, arch="arm64")
        version = spec["trt"] if name in trt else spec["cudnn"]
        pkgs[name] = "{}-1+cuda{}".format(".".join(version.split(".")[:3]), cuda_xy)
    cuda_home = "/usr/local/cuda-" + cuda_xy
    dpkg_list(tree, "cuda-cudart-" + cuda_xy.replace(".", "-"),
              [cuda_home + "/targets/aarch64-linux/lib/libcudart.so.{}".format(spec.get("cuda_nvcc") or spec["cuda"])])

    l4t_lib = LIB + ("/tegra" if major <= 35 else "/nvidia")
    tree.write(l4t_lib + "/libcuda.so.1.1", b"\x7fELF")
    tree.symlink(l4t_lib + "/libcuda.so", "libcuda.so.1.1")
    tree.write(l4t_lib + "/libnvdla_compiler.so", b"\x7fELF")
    for dev in ("/dev/nvhost-ctrl", "/dev/nvhost-ctrl-gpu", "/dev/nvmap", "/dev/dri/card0", "/dev/dri/renderD128"):
        device(tree, dev)

    csv_pkgs = {}
    if major <= 32:
        write_csv(tree, "l4t.csv", ["dev, /dev/nvhost-ctrl", "dev, /dev/nvhost-ctrl-gpu", "dev, /dev/nvmap",
                                    "lib, {}/libcuda.so.1.1".format(l4t_lib), "sym, {}/libcuda.so".format(l4t_lib),
                                    "lib, {}/libnvdla_compiler.so".format(l4t_lib)])
        tensorrt_paths = []
        for name in sorted(trt):
            tensorrt_paths += [p for p in trt[name] if not p.endswith((".py", "tensorrt.so"))]
        write_csv(tree, "tensorrt.csv", csv_lines_for(tree, tensorrt_paths))
        cudnn_paths = []
        for name in sorted(cudnn):
            cudnn_paths += cudnn[name]
        write_csv(tree, "cudnn.csv", csv_lines_for(tree, cudnn_paths))
        write_csv(tree, "cuda.csv", ["dir, " + cuda_home, "sym, /usr/local/cuda"])
        write_csv(tree, "visionworks.csv", ["dir, /usr/share/visionworks"])
        tree.mkdir("/usr/share/visionworks")
        for name, version in (("cuda", spec["cuda"] + "-1"), ("cudnn", spec["cudnn"] + "-1+cuda" + cuda_xy),
                              ("tensorrt", spec["trt"] + "-1+cuda" + cuda_xy), ("visionworks", "1.6.0.501")):
            package = "nvidia-container-csv-" + name
            csv_pkgs[package] = version
            dpkg_list(tree, package, [CSV_DIR + "/{}.csv".format(name)])
    elif major <= 35:
        write_csv(tree, "l4t.csv", ["dev, /dev/nvhost-ctrl", "dev, /dev/nvhost-ctrl-gpu", "dev, /dev/nvmap",
                                    "lib, {}/libcuda.so.1.1".format(l4t_lib), "sym, {}/libcuda.so".format(l4t_lib),
                                    "lib, {}/libnvdla_compiler.so".format(l4t_lib)])
    else:
        write_csv(tree, "devices.csv", ["dev, /dev/nvhost-ctrl", "dev, /dev/nvmap", "dev, /dev/dri/card*",
                                        "dev, /dev/dri/renderD*"])
        write_csv(tree, "drivers.csv", ["lib, {}/libcuda.so.1.1".format(l4t_lib), "sym, {}/libcuda.so".format(l4t_lib),
                                        "lib, {}/libnvdla_compiler.so".format(l4t_lib)])
    dpkg_list(tree, "nvidia-l4t-init", [CSV_DIR + "/l4t.csv"] if major <= 35 else
              [CSV_DIR + "/devices.csv", CSV_DIR + "/drivers.csv"])
    pkgs.update(csv_pkgs)
    pkgs["nvidia-l4t-init"] = "{}-20230101000000".format(spec["l4t"])
    tree.dpkg(pkgs)
    if major >= 35 or runtime == "new":
        tree.write("/etc/nvidia-container-runtime/config.toml", CONFIG_TOML.format(mode=mode, mount=CSV_DIR))
    if daemon:
        tree.write("/etc/docker/daemon.json", DAEMON_JSON_DEFAULT if default_runtime else DAEMON_JSON)
    tree.write("/usr/bin/nvidia-container-runtime", "")
    tree.write("/usr/bin/docker", "")
    if major >= 36:
        tree.write("/usr/bin/nvidia-ctk", "")
    if cdi_spec:
        write_cdi_spec(tree, l4t_lib)
    return tree


def write_cdi_spec(tree, l4t_lib, missing=()):
    """/etc/cdi/nvidia.yaml as `nvidia-ctk cdi generate --mode=csv` writes it on Tegra (abridged)."""
    host_paths = ["/etc/nv_tegra_release", l4t_lib + "/libcuda.so.1.1", l4t_lib + "/libnvdla_compiler.so"]
    host_paths += list(missing)
    mounts = "".join(
        "  - hostPath: {0}\n    containerPath: {0}\n    options:\n    - ro\n    - nosuid\n    - nodev\n"
        "    - rbind\n    - rprivate\n".format(p) for p in host_paths)
    text = ("---\ncdiVersion: 0.5.0\ncontainerEdits:\n  deviceNodes:\n  - path: /dev/nvmap\n  - path: /dev/nvhost-ctrl\n"
            "  hooks:\n  - args:\n    - nvidia-cdi-hook\n    - update-ldcache\n    - --folder\n    - {0}\n"
            "    hookName: createContainer\n    path: /usr/bin/nvidia-cdi-hook\n  mounts:\n{1}"
            "devices:\n- containerEdits:\n    deviceNodes:\n    - path: /dev/nvhost-ctrl-gpu\n  name: all\n"
            "kind: nvidia.com/gpu\n").format(l4t_lib, mounts)
    tree.write("/etc/cdi/nvidia.yaml", text)
    return tree

"""The patch options ``install`` and ``patch`` share, decided in one place.

``install``: the resolver has already decided every value (TensorRT dirs and version, the CUDA
architectures); ``patch_options(params)`` only turns the planned ``t2t-patch`` params into the
patcher's ``PatchOptions``. ``patch DIR`` has no plan: ``resolve_options`` takes the command
line first, then the doctor's findings, and the architectures from
``knowledge.cuda_architectures`` -- the same decision the resolver makes (the GPUs the driver
reports, else the Jetson module's), so the two commands never disagree on a machine.
"""

import os
from typing import Any, Dict, List, Optional, Tuple

from ..errors import UsageError
from ..knowledge import cuda_architectures
from ..probes.tensorrt import parse_nvinfer_version_h, read_tensorrt_python
from . import patch_rules


def cmake_architectures(dotted):
    # type: (List[str]) -> Tuple[str, ...]
    """``["7.2", "8.7"]`` -> CMake's ``("72", "87")``; () for none (the tree keeps its list)."""
    return patch_rules.cuda_arch_list(",".join(dotted)) if dotted else ()


def patch_options(params):
    # type: (Dict[str, Any]) -> patch_rules.PatchOptions
    """The ``PatchOptions`` a planned ``t2t-patch`` step asks for (``plan/model.py``)."""
    return patch_rules.PatchOptions(
        trt_include=patch_rules.check_dir_argument("trt_include", params.get("trt_include")),
        trt_lib=patch_rules.check_dir_argument("trt_lib", params.get("trt_lib")),
        cuda_arch=cmake_architectures(list(params.get("cuda_arch") or [])),
        compat=params.get("compat", True), tensorrt_version=params.get("tensorrt_version"))


def _given_dir(host, name, value):
    """An explicit --trt-include/--trt-lib must exist: a typo would otherwise be written in."""
    value = patch_rules.check_dir_argument(name, value)
    if value is not None and host is not None and not host.is_dir(value):
        raise UsageError("{}: {} is not a directory".format(name, value),
                         fix="Give the directory that holds {} (or leave {} out to use what "
                             "the doctor finds).".format(
                                 "NvInfer.h" if name == "--trt-include" else "libnvinfer.so", name))
    return value


def resolve_tensorrt_version(host, tensorrt_version=None, trt_include=None, facts=None):
    # type: (Any, Optional[str], Optional[str], Any) -> Tuple[Optional[str], Optional[str]]
    """The TensorRT the tree targets and where that came from: --tensorrt-version, else
    NvInferVersion.h under the include dir, else the target Python's ``tensorrt``."""
    if tensorrt_version is not None:
        return patch_rules.tensorrt_version_argument(tensorrt_version), None
    if host is not None and trt_include is not None:
        for header in ("NvInferVersion.h", "NvInfer.h"):
            version = parse_nvinfer_version_h(host.read_text(os.path.join(trt_include, header)) or "")
            if version:
                return version, "TensorRT {} from {}".format(version, os.path.join(trt_include, header))
    python = getattr(getattr(facts, "python", None), "executable", None)
    tensorrt = getattr(facts, "tensorrt", None)
    if tensorrt is not None and tensorrt.version and trt_include and trt_include == tensorrt.include_dir:
        return tensorrt.version, "TensorRT {} from the doctor's headers in {}".format(
            tensorrt.version, trt_include)  # no host to read them: the doctor did
    known = getattr(getattr(tensorrt, "python", None), "version", None)
    if known:
        return known, "TensorRT {} from {}'s tensorrt".format(known, python or "the target Python")
    if host is not None and python:
        found = read_tensorrt_python(host, python).version
        if found:
            return found, "TensorRT {} from {}'s tensorrt".format(found, python)
    return None, None


def resolve_options(host, trt_include=None, trt_lib=None, cuda_arch=None, facts=None, compat=True,
                    tensorrt_version=None):
    # type: (Any, Optional[str], Optional[str], Optional[str], Any, bool, Optional[str]) -> Tuple[patch_rules.PatchOptions, Tuple[str, ...]]
    """``patch DIR``: arguments first, then the doctor's findings; notes say where a value came from."""
    notes = []
    trt_include = _given_dir(host, "--trt-include", trt_include)
    trt_lib = _given_dir(host, "--trt-lib", trt_lib)
    tensorrt = getattr(facts, "tensorrt", None)
    if trt_include is None and tensorrt is not None and tensorrt.include_dir:
        trt_include = tensorrt.include_dir
        notes.append("TensorRT include dir from the doctor: {}".format(trt_include))
    if trt_lib is None and tensorrt is not None and tensorrt.lib_dir:
        trt_lib = tensorrt.lib_dir
        notes.append("TensorRT lib dir from the doctor: {}".format(trt_lib))
    if cuda_arch is not None:
        arch = patch_rules.cuda_arch_list(cuda_arch)
    else:
        try:
            arch = cmake_architectures(cuda_architectures(facts))
        except UsageError:   # a probed capability the patcher does not know: keep the tree's list
            arch = ()
        if arch:
            notes.append("CUDA architectures from the doctor: {}".format(" ".join(arch)))
    if host is not None and trt_include is not None and not host.exists(os.path.join(trt_include, "NvInfer.h")):
        notes.append("no NvInfer.h in {}: building the plugins will fail".format(trt_include))
    if host is not None and trt_lib is not None and not host.exists(os.path.join(trt_lib, "libnvinfer.so")):
        notes.append("no libnvinfer.so in {}: linking the plugins will fail".format(trt_lib))
    version, source = resolve_tensorrt_version(host, tensorrt_version, trt_include, facts)
    if source:
        notes.append(source)
    options = patch_rules.PatchOptions(trt_include=patch_rules.check_dir_argument("--trt-include", trt_include),
                                       trt_lib=patch_rules.check_dir_argument("--trt-lib", trt_lib),
                                       cuda_arch=arch, compat=compat, tensorrt_version=version)
    return options, tuple(notes)

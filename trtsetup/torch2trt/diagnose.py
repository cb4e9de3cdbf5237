"""Known torch2trt build and import failures: a regex over a captured log -> cause and fix.

The ``fault`` field is the failure's number in shared/facts/torch2trt-install.md (F1-F27),
where the exact error strings and their sources are listed. The catalog is ordered: more
specific signatures come before the generic ones they would also match (build isolation
before "No module named 'tensorrt'", the TRT 8 Builder attributes before the TRT 10 list,
a named compiler error before "command 'x86_64-linux-gnu-gcc' failed").
"""

import re
from typing import Any, List, NamedTuple, Optional, Tuple

from ..errors import ActionFailed
from ..patterns import lazy


class Failure(NamedTuple):
    id: str
    fault: Optional[str]
    pattern: Any  # a compiled regex
    cause: str
    fix: str
    unless: Tuple[str, ...] = ()  # ids that, when found, already explain this match


class Diagnosis(NamedTuple):
    id: str
    fault: Optional[str]
    cause: str
    fix: str
    line: str  # the log line that matched (first line of a multi-line match)


def _f(id, fault, pattern, cause, fix, flags=0, unless=()):
    return Failure(id, fault, re.compile(pattern, flags), cause, fix, tuple(unless))


CATALOG = (
    _f("t2t-build-isolation", "F16",
       r"Getting requirements to build wheel[\s\S]*?No module named '(?:tensorrt|torch|packaging)'",
       "pip built torch2trt in an isolated environment, where setup.py cannot import torch/tensorrt",
       "Build with `python -m pip wheel --no-build-isolation --no-deps .` or "
       "`python setup.py bdist_wheel` (trtsetup does this).", re.I),
    _f("t2t-no-tensorrt-module", "F3", r"No module named '?tensorrt'?(?=$|\s|')",
       "the build interpreter cannot import the TensorRT Python bindings",
       "Use the interpreter that imports tensorrt (Jetson: the system python3 or a venv with "
       "--system-site-packages; x86: pip install the tensorrt-cuXX wheel matching CUDA).",
       unless=["t2t-build-isolation"]),
    _f("t2t-tensorrt-no-version", "F13", r"module 'tensorrt' has no attribute '(?:__version__|Logger|CalibrationAlgoType)'",
       "`tensorrt` resolves to something that is not the bindings (a tensorrt.py/dir on the path, a broken install)",
       "Print `python -c 'import tensorrt; print(tensorrt.__file__)'`, remove the shadowing file "
       "or reinstall the matching tensorrt wheel."),
    _f("t2t-nvinfer-header-missing", "F1",
       r"(?:fatal error: NvInfer\w*\.h: No such file or directory|Cannot open include file: 'NvInfer\w*\.h')",
       "the TensorRT headers (NvInfer.h) are not in the include path the build used",
       "Install the TensorRT headers (libnvinfer-dev, or the TensorRT tarball; pip wheels ship "
       "none) and run `trtsetup patch DIR --trt-include <dir with NvInfer.h>`."),
    _f("t2t-nvinfer-lib-missing", "F2", r"cannot find -lnvinfer\b",
       "the linker found no libnvinfer.so (the unversioned dev link) in the library path",
       "Run `trtsetup patch DIR --trt-lib <dir with libnvinfer.so>`; if only libnvinfer.so.N "
       "exists, install libnvinfer-dev or create the libnvinfer.so link."),
    _f("t2t-cuda-home-unset", "F8", r"CUDA_HOME environment variable is not set",
       "torch's CUDAExtension needs a CUDA toolkit: torch is a CPU-only build, or no "
       "CUDA_HOME/nvcc//usr/local/cuda was found",
       "Install a CUDA-enabled torch (Jetson: NVIDIA's wheel) and set CUDA_HOME=/usr/local/cuda "
       "with $CUDA_HOME/bin on PATH; `trtsetup patch` makes the extension lazy (built only with --plugins)."),
    _f("t2t-unsupported-gpu-arch", "F17", r"Unsupported gpu architecture '(?:compute|sm)_\d+\w*'",
       "nvcc does not support an architecture in CMakeLists.txt's fixed list (CUDA 13 dropped 53/62/72)",
       "Run `trtsetup patch DIR --cuda-arch <your GPU, e.g. 8.7>` to replace set(CUDA_ARCHITECTURES ...)."),
    _f("t2t-cmake-too-old-minimum", "F18", r"Compatibility with CMake < 3\.5 has been removed from CMake",
       "CMake >= 4 refuses torch2trt's cmake_minimum_required(VERSION 3.0.0)",
       "Run `trtsetup patch DIR` (raises it to 3.5) or pass -DCMAKE_POLICY_VERSION_MINIMUM=3.5."),
    _f("t2t-no-cuda-compiler", "F19", r"No CMAKE_CUDA_COMPILER could be found",
       "CMake found no nvcc (Jetson's default PATH lacks /usr/local/cuda/bin)",
       "Put $CUDA_HOME/bin on PATH or pass -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc."),
    _f("t2t-trt8-builder-api", "F4",
       r"'tensorrt\.tensorrt\.Builder' object has no attribute "
       r"'(?:max_workspace_size|build_cuda_engine|fp16_mode|int8_mode|strict_type_constraints|int8_calibrator)'",
       "torch2trt <= v0.3.0 uses Builder attributes removed in TensorRT 8",
       "Use torch2trt v0.5.0 (TensorRT 8.x) or master (TensorRT 10)."),
    _f("t2t-trt10-api-removed", "F5",
       r"object has no attribute '(?:add_convolution|add_deconvolution|add_pooling|add_fully_connected|"
       r"build_engine|max_workspace_size|max_batch_size|get_binding_index|execute_async_v2)'",
       "this torch2trt uses TensorRT APIs removed in TensorRT 10",
       "Use torch2trt master at or after 4e820ae (no tag supports TensorRT 10), or TensorRT 8.6.",
       unless=["t2t-trt8-builder-api"]),
    _f("t2t-trt10-add-padding", "F6", r"object has no attribute 'add_padding'",
       "torch2trt's F.pad converter calls add_padding, removed in TensorRT 10 (upstream issue #936)",
       "Run `trtsetup patch DIR --tensorrt-version 10` (rule t2t-trt10-pad-every-mode: F.pad in every "
       "mode as a slice) and reinstall."),
    _f("t2t-trt10-pool-stride-none", None,
       r"IPoolingLayer[\s\S]{0,400}?Invoked with: <[^>]*>, \(None, None(?:, None)?\)",
       "F.max_pool2d/avg_pool2d with the default stride: torch2trt passes stride None to TensorRT "
       "(upstream issues #457, #553)",
       "Run `trtsetup patch DIR --tensorrt-version 10` (rule t2t-trt10-pool-default-stride) and reinstall."),
    _f("t2t-trt10-unconverted-op", None,
       r"Encountered known unsupported method torch\.(?:nn\.functional\.(?:hardtanh|hardsigmoid|hardswish)|softmax)\b",
       "torch2trt master has no converter for F.hardtanh (nn.ReLU6), F.hardsigmoid, F.hardswish or "
       "torch.softmax; their outputs become constants and the network loses its shape "
       "('Could not get tensor shape')",
       "Run `trtsetup patch DIR --tensorrt-version 10` (rules t2t-trt10-hard-activations, "
       "t2t-trt10-torch-softmax) and reinstall."),
    _f("t2t-plugin-noexcept", "F7",
       r"(?:looser (?:throw|exception) specifier for 'virtual|exception specification of overriding function is more lax)",
       "the legacy --plugins sources of torch2trt <= v0.3.0 predate TensorRT 8's noexcept plugin API",
       "Use torch2trt >= v0.4.0 with TensorRT 8+, or build without --plugins."),
    _f("t2t-deprecated-intlist", "F9",
       r"(?:cannot convert 'std::vector<long int>' to 'int64_t|USE_DEPRECATED_INTLIST)",
       "setup.py compares torch versions as strings and turns on -DUSE_DEPRECATED_INTLIST for torch 1.10-1.19",
       "Run `trtsetup patch DIR` (numeric compare) or use torch2trt >= v0.4.0."),
    _f("t2t-compiler-oom", None,
       r"(?:Killed signal terminated program cc1plus|internal compiler error: Killed \(program cc1plus\)|"
       r"c\+\+: fatal error: Killed signal)",
       "the compiler was killed for lack of memory",
       "Build with MAX_JOBS=1 and add swap (e.g. a 4 GB swap file) before retrying."),
    _f("t2t-invalid-version", "F24", r"InvalidVersion: Invalid version: '[^']*'",
       "setup.py parses a non-PEP 440 torch/tensorrt version (e.g. 2.0.0.nv23.05) with packaging >= 22",
       "Run `trtsetup patch DIR` (parses only the release number)."),
    _f("t2t-collections-sequence", "F15", r"module 'collections' has no attribute 'Sequence'",
       "torch2trt <= v0.4.0 uses collections.Sequence, removed in Python 3.10",
       "Run `trtsetup patch DIR` (collections.abc) or use torch2trt >= v0.5.0."),
    _f("t2t-jetson-runtime-libs", "F10", r"lib(?:curand|cublas|cudnn|nvinfer)\.so\.\d+: cannot open shared object file",
       "CUDA/TensorRT libraries are missing at build time (JetPack 4 containers get them from the "
       "host only when run with the NVIDIA runtime)",
       "Build with the NVIDIA runtime (\"default-runtime\": \"nvidia\" in /etc/docker/daemon.json) "
       "or build inside the running container."),
    _f("t2t-nvdla-missing", "F11", r"libnvdla_compiler\.so: cannot open shared object file",
       "TensorRT needs libnvdla_compiler.so, which the NVIDIA container runtime mounts from the host",
       "Build/run with the NVIDIA runtime or CDI device; on the host install nvidia-l4t-dla-compiler."),
    _f("t2t-shadowed-by-clone", "F12", r"No module named 'torch2trt\.(?:module_test|flattener|torch2trt)'",
       "`import torch2trt` found a source directory (a clone on the path), not the installed package",
       "Run from another directory (python -P on 3.11+) and check torch2trt.__file__."),
    _f("t2t-illegal-instruction", "F14", r"Illegal instruction",
       "numpy's OpenBLAS misdetects the CPU on some ARMv8 boards",
       "export OPENBLAS_CORETYPE=ARMV8 (or use numpy 1.19.4)."),
    _f("t2t-torch-abi", "F22", r"undefined symbol: _ZN\w*c10",
       "an extension built against another torch is loaded (torch was upgraded after the build)",
       "Rebuild torch2trt after every torch change (trtsetup install does)."),
    _f("t2t-no-bdist-wheel", None, r"invalid command 'bdist_wheel'",
       "the target interpreter lacks the `wheel` package (setuptools < 70.1 needs it)",
       "python -m pip install wheel"),
    _f("t2t-no-build-module", None, r"No module named '(?:packaging|setuptools|torch|imp)'",
       "setup.py imports a module the target interpreter lacks (packaging for v0.4.0+, setuptools "
       "in Python 3.12 venvs, torch)",
       "Install it into the target interpreter (python -m pip install packaging setuptools); "
       "torch from your platform's wheel.", unless=["t2t-build-isolation"]),
    _f("t2t-compiler-failed", "F7",
       r"command '(?:[\w./-]*-)?(?:gcc|g\+\+|c\+\+|cc|nvcc|x86_64-linux-gnu-gcc|aarch64-linux-gnu-gcc)' failed",
       "the C++ compiler failed; the first `error:` line above it in the log is the cause",
       "Read the first error in the log; common causes: TensorRT headers/ABI (F1, F7), torch version (F9)."),
)


def diagnose(text):
    # type: (str) -> List[Diagnosis]
    """Every catalog entry the log matches, in catalog order (most specific first)."""
    found = []  # type: List[Diagnosis]
    for failure in CATALOG:
        match = failure.pattern.search(text or "")
        if not match:
            continue
        if failure.id == "t2t-compiler-failed" and found:
            continue  # generic: only when no named cause was found
        if any(d.id in failure.unless for d in found):
            continue
        line = match.group(0).splitlines()[-1] if "\n" in match.group(0) else _line_of(text, match.start())
        found.append(Diagnosis(failure.id, failure.fault, failure.cause, failure.fix, line.strip()))
    return found


def _line_of(text, index):
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start:] if end < 0 else text[start:end]


_ERRORISH = lazy(r"(?:\berror\b|fatal|Error:|Killed|failed|Traceback)", re.I)


def error_lines(text, limit=6):
    # type: (str, int) -> List[str]
    """The last few lines that look like errors (pipx's analyze_pip_output, in small)."""
    lines = [l.rstrip() for l in (text or "").splitlines() if _ERRORISH.search(l)]
    return lines[-limit:]


def build_failure(what, text, log_path):
    # type: (str, str, Optional[str]) -> ActionFailed
    """The ActionFailed to raise when ``what`` failed with this log: cause, fix and log path."""
    found = diagnose(text)
    if found:
        first = found[0]
        label = " [{}]".format(first.fault) if first.fault else ""
        message = "{} failed: {}{} (log line: {})".format(what, first.cause, label, first.line)
        fix = first.fix
        if len(found) > 1:
            fix += " Also seen: " + "; ".join(d.cause for d in found[1:3]) + "."
    else:
        tail = error_lines(text)
        message = "{} failed{}".format(what, (": " + tail[-1]) if tail else "")
        fix = "No known cause matched; read the log{}.".format(" at " + log_path if log_path else "")
    return ActionFailed(message, fix=fix, log_path=log_path)

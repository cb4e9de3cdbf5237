"""The doctor's checks, in the order the report shows them.

Each module holds the checks of one subject and ends with their ``Check`` records; this
list registers them all, explicitly. An id is typed once, in the module's ``make(...)``:
the record and every finding take it from there. Ids are stable kebab-case with a subject
prefix: they appear in JSON, ``--list-checks`` and the docs.

A new check: a function ``check_x(ctx) -> Finding`` using ``f = make("subject-x", "...")``
in the module of its subject, ``X = Check.of(f, check_x)`` at the bottom, and a line below.
"""

from . import container, cuda, docker, gpu, platform, python, system, tensorrt, torch
from .base import Check, CheckContext, Finding, FAIL, OK, SKIP, WARN, run_checks  # noqa: F401

CHECKS = [
    platform.RECOGNISED,
    platform.L4T_KNOWN,
    gpu.DRIVER_LOADED,
    container.HOST_LIBS,
    docker.RUNTIME_STACK,
    docker.RUNTIME_CONFIG,
    docker.CSV_LINES,
    docker.CSV_READ,
    docker.CSV_LEFTOVER,
    docker.CDI_SPEC,
    docker.DEFAULT_RUNTIME,
    docker.L4T_IMAGE_FITS,
    cuda.TOOLKIT,
    cuda.CUDNN,
    tensorrt.HEADERS,
    tensorrt.HEADERS_COMPLETE,
    tensorrt.LIBRARY,
    tensorrt.PYTHON_VISIBLE,
    tensorrt.VERSION_SUPPORTED,
    tensorrt.NOT_RTX,
    python.USER_SITE,
    torch.IMPORTS,
    torch.CUDA_BUILD,
    torch.GPU_VISIBLE,
    torch.FITS_PLATFORM,
    gpu.DRIVER_SUPPORTS_TORCH,
    torch.TORCHVISION,
    python.T2T_INSTALLED,
    system.MEMORY,
    system.DISK,
    platform.INPUTS_READABLE,
]

CHECK_IDS = [c.id for c in CHECKS]

"""The doctor's checks, in the order the report shows them.

Each module holds the checks of one subject; this list registers them all. Ids are stable
kebab-case with a subject prefix: they appear in JSON, ``--list-checks`` and the docs.
"""

from . import container, cuda, docker, gpu, platform, python, system, tensorrt, torch
from .base import Check, CheckContext, Finding, FAIL, OK, SKIP, WARN, run_checks  # noqa: F401

CHECKS = [
    Check("platform-recognised", platform._recognised.summary, platform.check_platform_recognised),
    Check("jetson-l4t-known", platform._l4t.summary, platform.check_l4t_known),
    Check("nvidia-driver-loaded", gpu._driver.summary, gpu.check_driver_loaded),
    Check("container-host-libs", container._host_libs.summary, container.check_host_libs),
] + docker.CHECKS + [
    Check("cuda-toolkit-found", cuda._toolkit.summary, cuda.check_cuda_toolkit),
    Check("cudnn-found", cuda._cudnn.summary, cuda.check_cudnn),
    Check("trt-headers-found", tensorrt._headers.summary, tensorrt.check_headers),
    Check("trt-library-found", tensorrt._library.summary, tensorrt.check_library),
    Check("trt-python-visible", tensorrt._python.summary, tensorrt.check_python_visible),
    Check("trt-version-supported", tensorrt._supported.summary, tensorrt.check_version_supported),
    Check("py-user-site-visible", python._user_venv.summary, python.check_user_site),
    Check("py-torch-imports", torch._imports.summary, torch.check_torch_imports),
    Check("py-torch-cuda-build", torch._cuda_build.summary, torch.check_torch_cuda_build),
    Check("py-torch-gpu-visible", torch._gpu.summary, torch.check_torch_gpu),
    Check("py-torch-fits-platform", torch._fits.summary, torch.check_torch_fits_platform),
    Check("nvidia-driver-supports-torch", gpu._supports.summary, gpu.check_driver_supports_torch),
    Check("py-torchvision-matches", torch._vision.summary, torch.check_torchvision),
    Check("t2t-installed", python._t2t.summary, python.check_torch2trt),
    Check("sys-memory-for-build", system._memory.summary, system.check_memory),
    Check("sys-disk-for-build", system._disk.summary, system.check_disk),
    Check("host-inputs-readable", platform._readable.summary, platform.check_inputs_readable),
]

CHECK_IDS = [c.id for c in CHECKS]

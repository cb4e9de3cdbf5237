"""The CUDA toolkit (nvcc, headers) that building torch2trt's plugins needs.

The apt package names in the fixes are built from the versions this machine has (its CUDA,
its JetPack's components in the recipes, the CUDA torch was built for), never typed in for one
CUDA: ``libcudnn9-dev-cuda-12`` is the wrong package on a CUDA 13 machine.
"""

from typing import Optional  # noqa: F401 (type comments)

from packaging.version import InvalidVersion, Version

from ..knowledge import jetpack_components
from .base import Check, make

_toolkit = make("cuda-toolkit-found", "A CUDA toolkit with nvcc is installed for building")
_cudnn = make("cudnn-found", "cuDNN is installed (torch on Jetson links against it)")


def _version(text):
    try:
        return Version(str(text).split()[0]) if text else None
    except (InvalidVersion, IndexError):
        return None


def _jetpack_component(ctx, name):
    jetson = ctx.facts.jetson
    if jetson is None or not jetson.jetpack:
        return None
    return (jetpack_components(jetson.jetpack, ctx.recipes) or {}).get(name)


def _wanted_cuda(ctx):
    """The CUDA a toolkit should have here: the one installed, the JetPack's, the one torch
    was built for, or the newest the driver runs; None when nothing says."""
    facts = ctx.facts
    for candidate in (facts.cuda.version, facts.cuda.nvcc_version, _jetpack_component(ctx, "cuda"),
                      facts.python.torch.cuda_version, facts.nvidia.cuda_driver_version):
        if _version(candidate) is not None:
            return _version(candidate)
    return None


def apt_cuda_suffix(cuda):
    # type: (Version) -> str
    """NVIDIA's apt names carry CUDA as ``12-6`` (cuda-toolkit-12-6, cuda-nvcc-12-6)."""
    return "{}-{}".format(cuda.major, cuda.minor)


def cudnn_dev_package(cudnn, cuda):
    # type: (Optional[Version], Optional[Version]) -> Optional[str]
    """NVIDIA's cuDNN development package: ``libcudnn8-dev`` up to cuDNN 8; from cuDNN 9 one
    package per CUDA major, ``libcudnn9-dev-cuda-13`` (cuDNN 9 is built for CUDA 11, 12, 13)."""
    if cudnn is None and cuda is not None:
        cudnn = Version("9") if cuda.major >= 11 else Version("8")
    if cudnn is None:
        return None
    if cudnn.major < 9:
        return "libcudnn{}-dev".format(cudnn.major)
    if cuda is None:
        return None
    return "libcudnn{}-dev-cuda-{}".format(cudnn.major, cuda.major)


def check_cuda_toolkit(ctx):
    cuda = ctx.facts.cuda
    wanted = _wanted_cuda(ctx)
    if not cuda.home and not cuda.nvcc_path:
        toolkit = "cuda-toolkit-{}".format(apt_cuda_suffix(wanted)) if wanted else None
        if ctx.facts.jetson is not None:
            fix = "sudo apt install nvidia-jetpack" + (
                "   # or only the toolkit: sudo apt install {}".format(toolkit) if toolkit else "")
        elif toolkit:
            fix = ("sudo apt install {}   # from NVIDIA's CUDA apt repository, CUDA {} as torch/the driver "
                   "need; or use an NGC container that has it".format(toolkit, "{}.{}".format(wanted.major, wanted.minor)))
        else:
            fix = ("Install the CUDA toolkit of the CUDA your torch was built for (NVIDIA's CUDA apt "
                   "repository: cuda-toolkit-MAJOR-MINOR), or use an NGC container that has it.")
        return _toolkit.fail("no CUDA toolkit found (no /usr/local/cuda, no nvcc, CUDA_HOME unset)", fix=fix)
    if not cuda.nvcc_path:
        if wanted:
            fix = "sudo apt install cuda-nvcc-{}   # or the full toolkit: cuda-toolkit-{}".format(
                apt_cuda_suffix(wanted), apt_cuda_suffix(wanted))
        else:
            fix = "Install the compiler from the toolkit of that CUDA (cuda-nvcc-MAJOR-MINOR), or the full toolkit."
        return _toolkit.fail("CUDA {} at {} has no nvcc".format(cuda.version or "(version unknown)", cuda.home),
                             fix=fix)
    version = cuda.version or cuda.nvcc_version or "(version unknown)"
    if not cuda.nvcc_on_path:
        return _toolkit.warn(
            "CUDA {} found at {}, but nvcc is not on PATH".format(version, cuda.home),
            fix="export CUDA_HOME={home} PATH={home}/bin:$PATH   # trtsetup install sets these itself".format(home=cuda.home),
            detail="nvcc: {}".format(cuda.nvcc_path))
    return _toolkit.ok("CUDA {} at {} (nvcc {})".format(version, cuda.home, cuda.nvcc_path))


def check_cudnn(ctx):
    cudnn = ctx.facts.cudnn
    if cudnn.version:
        return _cudnn.ok("cuDNN {}".format(cudnn.version), detail=cudnn.header)
    facts = ctx.facts
    cuda = _wanted_cuda(ctx)
    package = cudnn_dev_package(_version(_jetpack_component(ctx, "cudnn") or facts.container.cudnn_version), cuda)
    if facts.jetson is not None:
        fix = "sudo apt install nvidia-jetpack" + ("   # or only cuDNN: sudo apt install {}".format(package)
                                                    if package else "")
        return _cudnn.warn("cuDNN headers not found", fix=fix)
    fix = ("Only needed for source builds: sudo apt install {}   # NVIDIA's CUDA apt repository".format(package)
           if package else "Only needed for source builds: install cuDNN for your CUDA from NVIDIA's CUDA apt repository.")
    return _cudnn.warn("cuDNN headers not found (pip torch wheels bring their own; only source builds need it)",
                       fix=fix)


# -- registration (listed in order by checks/__init__.py) --

TOOLKIT = Check.of(_toolkit, check_cuda_toolkit)
CUDNN = Check.of(_cudnn, check_cudnn)

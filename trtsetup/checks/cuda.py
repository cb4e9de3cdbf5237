"""The CUDA toolkit (nvcc, headers) that building torch2trt's plugins needs."""

from .base import make

_toolkit = make("cuda-toolkit-found", "A CUDA toolkit with nvcc is installed for building")
_cudnn = make("cudnn-found", "cuDNN is installed (torch on Jetson links against it)")


def check_cuda_toolkit(ctx):
    cuda = ctx.facts.cuda
    if not cuda.home and not cuda.nvcc_path:
        if ctx.facts.jetson is not None:
            fix = "sudo apt install nvidia-jetpack   # or just: sudo apt install cuda-toolkit-<X-Y>"
        else:
            fix = ("Install the CUDA toolkit matching your torch (e.g. `sudo apt install cuda-toolkit-12-6`), "
                   "or use an NGC container that has it.")
        return _toolkit.fail("no CUDA toolkit found (no /usr/local/cuda, no nvcc, CUDA_HOME unset)", fix=fix)
    if not cuda.nvcc_path:
        return _toolkit.fail("CUDA {} at {} has no nvcc".format(cuda.version or "(version unknown)", cuda.home),
                             fix="Install the compiler: `sudo apt install cuda-nvcc-<X-Y>` (or the full toolkit).")
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
    if ctx.facts.jetson is not None:
        return _cudnn.warn("cuDNN headers not found",
                           fix="sudo apt install nvidia-cudnn8   # or libcudnn8-dev / cudnn9 on JetPack 6+")
    return _cudnn.warn("cuDNN headers not found (pip torch wheels bring their own; only source builds need it)",
                       fix="Only needed for source builds: sudo apt install libcudnn9-dev-cuda-12")

"""torch and torchvision in the target Python: present, CUDA-built, seeing the GPU, matching."""

from packaging.version import InvalidVersion, Version

from ..fix_commands import install_command, trtsetup_command
from ..knowledge import jetpack_components, torchvision_for_torch
from .base import Check, make
from .python import python3_fix, unsupported_python

_imports = make("py-torch-imports", "torch is installed in the target Python and imports")
_cuda_build = make("py-torch-cuda-build", "torch was built with CUDA (not a CPU-only wheel)")
_gpu = make("py-torch-gpu-visible", "torch sees the GPU")
_fits = make("py-torch-fits-platform", "torch was built for this JetPack's CUDA")
_vision = make("py-torchvision-matches", "torchvision matches torch")



def _install(ctx):
    """The install command for the examined interpreter, and where to see the exact wheel."""
    python = ctx.facts.python.executable
    invoked_as = ctx.options.get("invoked_as")
    return "{}   # `{}` shows the exact wheel first".format(
        install_command(ctx.facts.python, invoked_as), trtsetup_command("plan", python, invoked_as=invoked_as))


def _release(version):
    """'2.1.0a0+41361538.nv23.06' -> Version('2.1.0'); None when not a version."""
    if not version:
        return None
    head = version.split("+")[0]
    try:
        return Version(".".join(head.split(".")[:3]))
    except InvalidVersion:
        digits = []
        for part in head.split("."):
            if part.isdigit():
                digits.append(part)
            else:
                break
        try:
            return Version(".".join(digits)) if digits else None
        except InvalidVersion:
            return None


def _installed(facts, name):
    pkg = facts.python.packages.get(name) if facts.python.packages else None
    return pkg.version if pkg is not None else None


def check_torch_imports(ctx):
    facts = ctx.facts
    torch = facts.python.torch
    version = _installed(facts, "torch")
    if facts.python.error:
        return _imports.fail("the target Python could not be run: {}".format(facts.python.error),
                             fix="Pass an interpreter that exists with --python PATH.")
    if unsupported_python(facts.python):
        return _imports.fail(unsupported_python(facts.python), fix=python3_fix(ctx))
    if not torch.checked:
        if version:
            return _imports.ok("torch {} installed (import not tried{})".format(
                version, ": --fast" if ctx.options.get("fast") else ""))
        if facts.python.source is None:
            return _imports.skip("no target Python")
        return _imports.fail("torch is not installed in {}".format(facts.python.executable or "the target Python"), fix=_install(ctx))
    if torch.imported:
        if torch.cached_at:
            return _imports.ok("torch {} imports (as on {}: nothing it depends on changed; --refresh asks again)".format(
                torch.version, torch.cached_at))
        return _imports.ok("torch {} imports ({:.1f} s)".format(torch.version, torch.seconds or 0.0))
    if not version:
        return _imports.fail("torch is not installed in {}".format(facts.python.executable), fix=_install(ctx))
    error = torch.error or "unknown error"
    fix = "Reinstall a torch wheel built for this platform: " + _install(ctx)
    if "libcurand" in error or "libcudnn" in error or "libcublas" in error:
        fix = ("torch cannot find CUDA libraries: on Jetson in Docker run with `--runtime nvidia`; "
               "otherwise install the CUDA/cuDNN runtime of your JetPack (`sudo apt install nvidia-jetpack`).")
    elif "Illegal instruction" in error or "signal 4" in error:
        fix = "export OPENBLAS_CORETYPE=ARMV8   # numpy 1.19.5's OpenBLAS on Jetson (torch2trt #609)"
    elif "libopenblas" in error or "libomp" in error or "libmpi" in error:
        fix = "sudo apt install libopenblas-base libopenmpi-dev libomp-dev"
    return _imports.fail("torch {} is installed but does not import: {}".format(version, error), fix=fix)


def check_torch_cuda_build(ctx):
    torch = ctx.facts.python.torch
    if not torch.checked or not torch.imported:
        return _cuda_build.skip("torch did not import (or was not tried)")
    if torch.cuda_built:
        return _cuda_build.ok("torch {} built with CUDA {}".format(torch.version, torch.cuda_version))
    if ctx.facts.jetson is not None:
        why = "PyPI's aarch64 torch is CPU-only; Jetson needs NVIDIA's wheel for its JetPack"
    else:
        why = "a CPU-only wheel (e.g. +cpu or the default index on some platforms)"
    return _cuda_build.fail("torch {} was built without CUDA: {}".format(torch.version, why),
                            fix="{}   # replaces the CPU-only torch with the CUDA build the plan picks".format(
                                install_command(ctx.facts.python, ctx.options.get("invoked_as"))))


def check_torch_gpu(ctx):
    torch = ctx.facts.python.torch
    if not torch.checked or not torch.imported or not torch.cuda_built:
        return _gpu.skip("needs a CUDA build of torch")
    if torch.cuda_available:
        return _gpu.ok("{} GPU(s): {} (sm {})".format(torch.device_count, torch.device_name, torch.device_capability))
    fix = "Check the driver (`nvidia-smi`)"
    if ctx.facts.container.runtime:
        fix = "Start the container with the GPU (`--gpus all`, or `--runtime nvidia` on Jetson)"
    elif ctx.facts.jetson is not None:
        fix = ("Add your user to the video group (`sudo usermod -aG video $USER`, log in again); check that "
               "torch's CUDA matches the JetPack")
    return _gpu.fail("torch {} (CUDA {}) sees no GPU".format(torch.version, torch.cuda_version), fix=fix + ".")


def check_torch_fits_platform(ctx):
    facts = ctx.facts
    torch = facts.python.torch
    jetson = facts.jetson
    if jetson is None:
        return _fits.skip("not a Jetson (see nvidia-driver-supports-torch)")
    if not torch.checked or not torch.cuda_version:
        return _fits.skip("torch's CUDA version is unknown")
    cuda = facts.cuda.version
    if not cuda and jetson.jetpack:
        cuda = (jetpack_components(jetson.jetpack, ctx.recipes) or {}).get("cuda")
    if not cuda:
        return _fits.skip("the JetPack's CUDA is unknown")
    if _release(torch.cuda_version) is None or _release(cuda) is None:
        return _fits.skip("cannot compare CUDA {} with {}".format(torch.cuda_version, cuda))
    a, b = _release(torch.cuda_version), _release(cuda)
    if (a.major, a.minor) == (b.major, b.minor):
        return _fits.ok("torch CUDA {} = JetPack {} CUDA {}".format(torch.cuda_version, jetson.jetpack, cuda))
    return _fits.fail(
        "torch {} was built for CUDA {}, JetPack {} has CUDA {}".format(torch.version, torch.cuda_version, jetson.jetpack, cuda),
        fix="Install the wheel made for JetPack {}: {}".format(jetson.jetpack, _install(ctx)))


def check_torchvision(ctx):
    facts = ctx.facts
    torch_version = facts.python.torch.version or _installed(facts, "torch")
    vision_version = facts.python.torch.torchvision_version or _installed(facts, "torchvision")
    if not torch_version:
        return _vision.skip("torch is not installed")
    if not vision_version:
        return _vision.warn("torchvision is not installed (torch2trt ≤ v0.5.0 imports it)",
                            fix=_install(ctx))
    expected = torchvision_for_torch(torch_version, ctx.recipes)
    runtime = facts.python.torch
    if runtime.checked and (runtime.torchvision_imported is False or runtime.torchvision_ops is False):
        return _vision.fail("torchvision {} does not work with torch {}: {}".format(
            vision_version, torch_version, runtime.torchvision_error),
            fix="Rebuild/reinstall torchvision {} for this torch: {}".format(expected or "(matching)", _install(ctx)))
    got = _release(vision_version)
    if expected and got is not None and _release(expected) is not None:
        want = _release(expected)
        if (got.major, got.minor) != (want.major, want.minor):
            return _vision.fail("torchvision {} does not pair with torch {} (expects {})".format(
                vision_version, torch_version, expected),
                fix="Install torchvision {}: {}".format(expected, _install(ctx)))
    return _vision.ok("torchvision {} with torch {}".format(vision_version, torch_version))


# -- registration (listed in order by checks/__init__.py) --

IMPORTS = Check.of(_imports, check_torch_imports)
CUDA_BUILD = Check.of(_cuda_build, check_torch_cuda_build)
GPU_VISIBLE = Check.of(_gpu, check_torch_gpu)
FITS_PLATFORM = Check.of(_fits, check_torch_fits_platform)
TORCHVISION = Check.of(_vision, check_torchvision)

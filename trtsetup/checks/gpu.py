"""The NVIDIA driver, and whether it can run the CUDA that torch was built for."""

from packaging.version import InvalidVersion, Version

from ..fix_commands import install_command, trtsetup_command
from ..knowledge import max_cuda_for_driver, min_driver_for_cuda
from .base import Check, make

_driver = make("nvidia-driver-loaded", "The NVIDIA kernel driver is loaded and answers (x86)")
_supports = make("nvidia-driver-supports-torch", "The driver supports the CUDA version torch was built with")


def _v(text):
    try:
        return Version(text)
    except (InvalidVersion, TypeError):
        return None


def check_driver_loaded(ctx):
    facts = ctx.facts
    if facts.jetson is not None:
        return _driver.skip("Jetson: the GPU driver is part of L4T")
    nv = facts.nvidia
    if nv.smi_error:
        fix = "Reboot so the loaded kernel module matches the installed driver libraries."
        if "mismatch" not in nv.smi_error.lower():
            fix = ("Load the driver (`sudo modprobe nvidia`) or reinstall it "
                   "(`sudo ubuntu-drivers install`), then reboot.")
        return _driver.fail("nvidia-smi failed: {}".format(nv.smi_error), fix=fix,
                            detail="kernel module {}, NVML {}".format(nv.module_version, nv.nvml_version))
    if nv.driver_version:
        gpus = ", ".join("{} (sm {})".format(g.name, g.compute_capability or "?") for g in facts.gpus) or "GPU list unavailable"
        return _driver.ok("driver {}{}; {}".format(
            nv.driver_version, " (open kernel module)" if nv.kernel_module == "open" else "", gpus))
    if nv.module_version:
        return _driver.ok("kernel module {} loaded".format(nv.module_version))
    return _driver.fail("no NVIDIA driver is loaded",
                        fix="Install the NVIDIA driver (`sudo ubuntu-drivers install`) and reboot; in a "
                            "container, start it with `--gpus all`.")


def check_driver_supports_torch(ctx):
    facts = ctx.facts
    torch = facts.python.torch
    if facts.jetson is not None:
        return _supports.skip("Jetson: torch must match the JetPack's CUDA instead (py-torch-fits-platform)")
    if not torch.checked or not torch.cuda_version:
        return _supports.skip("torch's CUDA version is unknown")
    nv = facts.nvidia
    wanted = _v(torch.cuda_version)
    have = _v(nv.cuda_driver_version) if nv.cuda_driver_version else None
    if have is None and nv.driver_version:
        minimum = min_driver_for_cuda(torch.cuda_version, ctx.recipes)
        if minimum is None:
            return _supports.skip("no driver table entry for CUDA {}".format(torch.cuda_version))
        if _v(nv.driver_version) is not None and _v(nv.driver_version) >= _v(minimum):
            return _supports.ok("driver {} ≥ {} needed by CUDA {}".format(nv.driver_version, minimum, torch.cuda_version))
        return _supports.fail(
            "driver {} is older than {} needed by torch's CUDA {}".format(nv.driver_version, minimum, torch.cuda_version),
            fix="Upgrade the NVIDIA driver to ≥ {}, or let `{}` pick a torch built for an older CUDA.".format(
                minimum, install_command(facts.python, ctx.options.get("invoked_as"))))
    if have is None:
        return _supports.skip("the driver's CUDA version is unknown")
    if wanted is None or (wanted.major, wanted.minor) <= (have.major, have.minor):
        return _supports.ok("torch CUDA {} ≤ driver's CUDA {}".format(torch.cuda_version, nv.cuda_driver_version))
    if wanted.major == have.major:
        # CUDA minor version compatibility: same major runs on an older minor driver (PTX JIT aside).
        return _supports.warn(
            "torch CUDA {} is newer than the driver's CUDA {} (same major: minor-version compatibility)".format(
                torch.cuda_version, nv.cuda_driver_version),
            fix="Upgrade the driver if kernels fail with 'PTX was compiled with an unsupported toolchain'.")
    return _supports.fail(
        "torch was built for CUDA {} but the driver supports at most CUDA {}".format(torch.cuda_version, nv.cuda_driver_version),
        fix="Upgrade the NVIDIA driver, or reinstall torch for CUDA ≤ {} (`{}` shows the index).".format(
            nv.cuda_driver_version, trtsetup_command("plan", facts.python.executable,
                                                     invoked_as=ctx.options.get("invoked_as"))))


# -- registration (listed in order by checks/__init__.py) --

DRIVER_LOADED = Check.of(_driver, check_driver_loaded)
DRIVER_SUPPORTS_TORCH = Check.of(_supports, check_driver_supports_torch)

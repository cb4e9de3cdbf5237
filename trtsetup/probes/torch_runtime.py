"""torch in the target interpreter: import torch and torchvision in a subprocess
(``scripts/torch_info.py``) with a timeout. The slow probe (seconds; 10-20 s on a Jetson Nano).
"""

import posixpath
from typing import Optional

from ..facts import PythonEnv, TorchRuntime
from ..host import interpreter
from ..host.interpreter import bool_field, int_field, number_field, text_field
from ..patterns import lazy
from .scripts import script_source
from .site_packages import parse_dist_record, parse_requires_dist

TORCH_INFO_TIMEOUT = 60.0


def parse_torch_info(text):
    # type: (str) -> Optional[TorchRuntime]
    """What ``scripts/torch_info.py`` printed → TorchRuntime(checked=True, ...), or None."""
    doc = interpreter.last_json_object(text)
    if doc is None:
        return None
    arch_list = doc.get("arch_list")
    return TorchRuntime(
        checked=True,
        imported=bool_field(doc, "imported"),
        version=text_field(doc, "version"),
        file=text_field(doc, "file"),
        arch_list=tuple(a for a in arch_list if isinstance(a, str)) if isinstance(arch_list, list) else (),
        cuda_built=bool_field(doc, "cuda_built"),
        cuda_version=text_field(doc, "cuda_version"),
        cuda_available=bool_field(doc, "cuda_available"),
        device_count=int_field(doc, "device_count"),
        device_name=text_field(doc, "device_name"),
        device_capability=text_field(doc, "device_capability"),
        error=text_field(doc, "error"),
        torchvision_imported=bool_field(doc, "torchvision_imported"),
        torchvision_version=text_field(doc, "torchvision_version"),
        torchvision_error=text_field(doc, "torchvision_error"),
        torchvision_file=text_field(doc, "torchvision_file"),
        torchvision_ops=bool_field(doc, "torchvision_ops"),
        seconds=number_field(doc, "seconds"),
    )


_PIN = lazy(r"^torch\s*\(?\s*==\s*([0-9][0-9A-Za-z.+!_-]*)\s*\)?\s*$")


def torchvision_paired_by_metadata(host, env):
    # type: (object, PythonEnv) -> bool
    """True when torchvision's own metadata proves it pairs with the installed torch, so the
    torch probe need not import it: its ``Requires-Dist`` pins exactly this torch release,
    both builds carry the same local tag (``+cu130``, ``+cpu``), its compiled ops
    (``torchvision/_C*.so``) are listed, and every file its RECORD lists is there with its
    recorded size. Anything else (an unpinned source build, a changed file): False, and the
    probe imports torchvision and runs one operator."""
    from .torch_fingerprint import files_changed_since_install
    torch = env.packages.get("torch") if env.packages else None
    vision = env.packages.get("torchvision") if env.packages else None
    if torch is None or vision is None or not torch.version or not vision.version:
        return False
    if vision.kind != "dist-info" or not vision.path:
        return False
    pins = [m.group(1) for m in (_PIN.match(r) for r in parse_requires_dist(
        host.read_text(posixpath.join(vision.path, "METADATA")) or "")) if m]
    torch_public, _, torch_local = torch.version.partition("+")
    if len(pins) != 1 or pins[0].partition("+")[0] != torch_public:
        return False
    if torch_local != vision.version.partition("+")[2]:
        return False
    rows = parse_dist_record(host.read_text(posixpath.join(vision.path, "RECORD")) or "")
    if not any(p.startswith("torchvision/_C") and p.endswith(".so") for p, _ in rows):
        return False
    return files_changed_since_install(host, vision) is None


def read_torch_runtime(host, python, timeout=TORCH_INFO_TIMEOUT, torchvision=True):
    # type: (object, Optional[str], float, bool) -> TorchRuntime
    """Import torch (then torchvision, and run ``torchvision.ops.nms`` on two CPU boxes) in
    the target interpreter, in a subprocess with a timeout, with the current directory off
    ``sys.path``. ``checked=False`` when nothing can be run (a captured tree, no python).
    ``torchvision=False`` leaves torchvision out (``torchvision_paired_by_metadata``)."""
    if not host.can_run or not python:
        return TorchRuntime(checked=False)
    reply = interpreter.ask(host, python, script_source("torch_info.py"),
                            args=() if torchvision else ("--no-torchvision",), timeout=timeout)
    seconds = round(reply.seconds, 3) or None
    if reply.error == "timeout":
        return TorchRuntime(checked=True, seconds=seconds,
                            error="no answer within {:.0f} s (last step: {})".format(
                                timeout, reply.last_stage or "start-up"))
    if reply.error is not None:
        return TorchRuntime(checked=True, error="{} could not be run: {}".format(python, reply.error))
    runtime = parse_torch_info(reply.result.stdout)
    if runtime is None:
        return TorchRuntime(checked=True, imported=False if reply.last_stage == "import torch" else None,
                            seconds=seconds,
                            error="python exited with {} during {}: {}".format(
                                interpreter.exit_text(reply.result.returncode), reply.last_stage or "start-up",
                                reply.stderr_tail() or "no output"))
    if seconds:
        from ..record import replace
        runtime = replace(runtime, seconds=seconds)
    return runtime

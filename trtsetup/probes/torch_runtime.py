"""torch in the target interpreter: import torch and torchvision in a subprocess
(``scripts/torch_info.py``) with a timeout. The slow probe (seconds; 10-20 s on a Jetson Nano).
"""

from typing import Optional

from ..host import interpreter
from ..facts import TorchRuntime
from ..host.interpreter import bool_field, int_field, number_field, text_field
from .scripts import script_source

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


def read_torch_runtime(host, python, timeout=TORCH_INFO_TIMEOUT):
    # type: (object, Optional[str], float) -> TorchRuntime
    """Import torch (then torchvision, and run ``torchvision.ops.nms`` on two CPU boxes) in
    the target interpreter, in a subprocess with a timeout, with the current directory off
    ``sys.path``. ``checked=False`` when nothing can be run (a captured tree, no python)."""
    if not host.can_run or not python:
        return TorchRuntime(checked=False)
    reply = interpreter.ask(host, python, script_source("torch_info.py"), timeout=timeout)
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
        import dataclasses
        runtime = dataclasses.replace(runtime, seconds=seconds)
    return runtime

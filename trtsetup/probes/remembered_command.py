"""Running a command whose output is remembered while a proof says nothing it depends on changed.

The proof (a key) is the caller's: it names the command and whatever vouches for its output
(the driver's own ``/proc`` files for nvidia-smi, the compiler's stamp for ``nvcc --version``).
Only successes with output are remembered, so an error after an upgrade is always seen; a
``None`` key (nothing can vouch) runs the command every time.
"""

from typing import Any, Optional

from ..host.base import CommandResult


def run_remembered(host, argv, timeout, cache, name, key):
    # type: (Any, list, float, Any, str, Optional[str]) -> CommandResult
    found = cache.get(name, key) if cache is not None and key else None
    value = found.get("value") if found else None
    if isinstance(value, dict) and isinstance(value.get("stdout"), str):
        return CommandResult(argv=list(argv), returncode=0, stdout=value["stdout"], stderr="")
    result = host.run(argv, timeout=timeout)
    if cache is not None and key and result.ok and result.stdout.strip():
        cache.put(name, key, {"stdout": result.stdout})
    return result

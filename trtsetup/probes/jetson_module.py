"""Which module a Jetson is, from its device-tree identity and the ``jetson_modules`` recipes:
part number, carrier, module name, SoC and CUDA arch. Pure: no host, no I/O.
"""

from typing import Dict, List, Optional, Tuple

from ..patterns import lazy
from ..record import record

_PART = lazy(r"^(p\d{4})-(\d{4})")


@record
class ModuleIdentity:
    """What the device tree says about the module (see ``identify_module``)."""

    part_number: Optional[str] = None
    carrier: Optional[str] = None
    module: Optional[str] = None
    soc: Optional[str] = None
    cuda_arch: Optional[str] = None
    is_jetson: Optional[bool] = None
    notes: Tuple[str, ...] = ()


def _soc_entry(modules, token):
    entry = modules.get(token)
    hops = 0
    while isinstance(entry, dict) and entry.get("type") == "soc" and entry.get("alias_of") and hops < 5:
        token = entry["alias_of"]
        entry = modules.get(token)
        hops += 1
    if isinstance(entry, dict) and entry.get("type") == "soc":
        return token, entry
    return token, None


def soc_from_token(token, modules):
    # type: (str, Dict[str, dict]) -> Tuple[Optional[str], Optional[str]]
    """``"tegra23x"`` -> ``("tegra234", "8.7")``; an unknown tegra token -> (token, None)."""
    if not token:
        return None, None
    name, entry = _soc_entry(modules, token)
    return name, (entry or {}).get("cuda_arch")


def _from_board_ids(board_ids, modules):
    """(module part number, carrier part number) from plugin-manager board ids: the id whose
    board is a module or family in the recipes is the module, the first other one the carrier."""
    module = carrier = None
    for board in board_ids:
        entry = modules.get(board.part_number) or modules.get("p" + board.board)
        if isinstance(entry, dict) and entry.get("type") in ("module", "family"):
            module = module or board.part_number
        else:
            carrier = carrier or board.part_number
    return module, carrier


def _model_entry(model, modules):
    """The ``model_prefix`` entry with the longest prefix of ``model`` (so ``Jetson AGX Orin
    Industrial`` beats ``Jetson AGX Orin``), or None."""
    best = None
    for key, entry in modules.items():
        if isinstance(entry, dict) and entry.get("type") == "model_prefix" and model.startswith(key):
            if best is None or len(key) > len(best[0]):
                best = (key, entry)
    return best[1] if best else None


def identify_module(compatible, model, modules, board_ids=()):
    # type: (Tuple[str, ...], Optional[str], Dict[str, dict], Tuple) -> ModuleIdentity
    """Part number, carrier, module name, SoC and CUDA arch from the ``compatible`` entries
    (most specific first), the plugin-manager ``board_ids`` (``jetson_identity.BoardId``) and
    the ``model`` string, using the ``jetson_modules`` recipes. Board ids come from the module's
    EEPROM, so they name the SKU where ``compatible`` names only the family."""
    modules = modules or {}
    notes = []  # type: List[str]
    part = carrier = None
    target = None  # key into modules: a module or a family
    for token in compatible:
        name = token.partition(",")[2]
        mapped = modules.get(token)
        if isinstance(mapped, dict) and mapped.get("type") == "compatible":
            target = mapped.get("part_number")
            if target and _PART.match(target):
                part = target
            break
        if "+" in name:
            board, _, module_part = name.partition("+")
            match = _PART.match(module_part)
            if match:
                carrier = board
                part = match.group(0)
                if module_part[len(part):].startswith("-super"):
                    notes.append("the device tree selects the Super (MAXN SUPER) configuration")
                target = part
                break
        match = _PART.match(name)
        if match and name == match.group(0):
            part = target = name
            break
    board_module, board_carrier = _from_board_ids(board_ids, modules)
    if board_module and (target is None or (modules.get(target) or {}).get("type") != "module"):
        part = target = board_module
    carrier = carrier or board_carrier
    model_name = None
    if target is None and model:
        by_model = _model_entry(model, modules)
        if by_model is not None:
            target = by_model.get("part_number")
            model_name = by_model.get("name")
            if target and _PART.match(target):
                part = target
    entry = modules.get(target) if target else None
    if target and not isinstance(entry, dict):
        family_key = target[:5]
        entry = modules.get(family_key)
        if isinstance(entry, dict):
            notes.append("module {} is not in the recipes; family {} ({})".format(target, family_key, entry.get("name")))
            entry = dict(entry, name="{} (unknown SKU {})".format(entry.get("name"), target))
        else:
            notes.append("module {} is not in the recipes (jetson_modules)".format(target))
    module_name = model_name or (entry.get("name") if isinstance(entry, dict) else None)
    is_jetson = None
    if isinstance(entry, dict):
        is_jetson = entry.get("jetson", True) is not False
    soc = cuda_arch = None
    for token in compatible:
        vendor, _, name = token.partition(",")
        if vendor == "nvidia" and name.startswith("tegra"):
            soc, cuda_arch = soc_from_token(name, modules)
            break
    if soc is None and isinstance(entry, dict) and entry.get("soc"):
        soc, cuda_arch = soc_from_token(entry["soc"], modules)
    return ModuleIdentity(part_number=part, carrier=carrier, module=module_name, soc=soc,
                          cuda_arch=cuda_arch, is_jetson=is_jetson, notes=tuple(notes))

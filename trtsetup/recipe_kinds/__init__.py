"""The recipes kinds and their validators: one explicit table, no registration on import.

``VALIDATORS[kind](filename, entries)`` returns the entries (possibly normalised) or raises
``RecipeError`` naming the file and the key. ``LIST_KINDS`` are the kinds whose entries are a
list (an overlay's entries go first); the others are mappings merged key by key.
``check_references`` runs on the merged tables (see ``references.py``).

``platform`` owns the L4T/JetPack/module tables; ``install`` owns wheels, torchvision
pairings, apt prerequisites, x86 indexes and torch2trt revisions; ``docker`` the container
stack and image tables. A new kind is a validator
in one of them (or a new module) plus a row here.
"""

from . import docker, install, platform
from .references import check_references

VALIDATORS = {
    "l4t": platform.validate_l4t,
    "jetpack": platform.validate_jetpack,
    "jetson_modules": platform.validate_jetson_modules,
    "torch_wheels": install.validate_torch_wheels,
    "torchvision": install.validate_torchvision,
    "apt": install.validate_apt,
    "x86_index": install.validate_x86_index,
    "torch2trt": install.validate_torch2trt,
    "docker_runtime": docker.validate_docker_runtime,
    "docker_images": docker.validate_docker_images,
    "torch2trt_revisions": install.validate_torch2trt_revisions,
}

LIST_KINDS = frozenset(["torch_wheels"])

__all__ = ["VALIDATORS", "LIST_KINDS", "check_references"]

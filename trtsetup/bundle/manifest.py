"""The bundle manifest: what a bundle holds, which devices it fits (pure; see docs/bundle.md).

The fingerprint is the part of a device that the bundle's binaries depend on. Every field
is compared for equality; ``None`` means "unknown" and only matches ``None``, so a bundle
built where TensorRT was found never installs where it is missing.
"""

from typing import Any, Dict, List, Optional

from .. import __version__, versions
from ..errors import InputError
from ..patterns import lazy
from ..report import schemas

BUNDLE_SCHEMA = schemas.BUNDLE
MANIFEST_NAME = "manifest.json"
# Compared between bundle and device, in this order (the first mismatch is named).
FINGERPRINT_FIELDS = ("arch", "l4t", "cuda_major", "python_tag", "cuda_arch", "tensorrt")
ARTIFACT_KINDS = ("wheel", "plugins-library")
PACKAGES = ("torch", "torchvision", "torch2trt")

_SHA256 = lazy(r"^[0-9a-f]{64}$")
_MEMBER = lazy(r"^(wheels/[A-Za-z0-9_.+-]+\.whl|lib/[A-Za-z0-9_.+-]+\.so(\.[0-9]+)*)$")


def _major_minor(version):
    return versions.minor(version) if version else None


def _major(version):
    value = versions.major(version) if version else None
    return None if value is None else str(value)


def device_fingerprint(facts, python_tag):
    # type: (Any, str) -> Dict[str, Any]
    """The fingerprint of the device the facts describe, for the interpreter ``python_tag``.

    Jetson: the L4T major.minor pins CUDA, cuDNN and the driver together. x86: the CUDA major
    the driver supports (the torch wheel's CUDA runtime must run on it). TensorRT by
    major.minor: torch2trt and its plugin library link against it.
    """
    jetson = facts.jetson
    is_jetson = jetson is not None and bool(jetson.l4t)
    if is_jetson:
        cuda_arch = [jetson.cuda_arch] if jetson.cuda_arch else []
    else:
        cuda_arch = sorted({g.compute_capability for g in facts.gpus or () if g.compute_capability})
    return {
        "arch": facts.system.arch,
        "l4t": _major_minor(jetson.l4t) if is_jetson else None,
        "cuda_major": None if is_jetson else _major(facts.nvidia.cuda_driver_version),
        "python_tag": python_tag,
        "cuda_arch": cuda_arch,
        "tensorrt": _major_minor(facts.tensorrt.version),
    }


def fingerprint_mismatch(bundle, device):
    # type: (Dict[str, Any], Dict[str, Any]) -> Optional[str]
    """The first field that differs, as a sentence naming both values; None when it fits."""
    for field in FINGERPRINT_FIELDS:
        want, have = bundle.get(field), device.get(field)
        if field == "cuda_arch":
            want, have = sorted(want or []), sorted(have or [])
        if want != have:
            return "{} is {} in the bundle but {} on this device".format(
                field, _show(want), _show(have))
    return None


def _show(value):
    if value is None or value == []:
        return "unknown"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def new_manifest(fingerprint, artifacts, versions, plan, created):
    # type: (Dict[str, Any], List[Dict[str, Any]], Dict[str, Optional[str]], Dict[str, Any], str) -> Dict[str, Any]
    fingerprint = dict(fingerprint)
    fingerprint["trtsetup_version"] = __version__
    return {"schema": BUNDLE_SCHEMA, "created": created, "fingerprint": fingerprint,
            "versions": versions, "artifacts": artifacts, "plan": plan}


def validate_manifest(doc, where):
    # type: (Any, str) -> Dict[str, Any]
    """The manifest if it is one we can install from; InputError naming what is wrong."""
    def bad(message):
        raise InputError("{}: not a usable bundle: {}".format(where, message),
                         fix="Make the bundle again with `trtsetup bundle -o FILE` on the build device.")

    if not isinstance(doc, dict) or doc.get("schema") != BUNDLE_SCHEMA:
        bad("the manifest's schema is not {}".format(BUNDLE_SCHEMA))
    if not isinstance(doc.get("fingerprint"), dict):
        bad("no fingerprint")
    artifacts = doc.get("artifacts")
    if not isinstance(artifacts, list) or not artifacts:
        bad("no artifacts")
    seen = set()
    for item in artifacts:
        if not isinstance(item, dict):
            bad("an artifact is not an object")
        path = item.get("path")
        if not isinstance(path, str) or not _MEMBER.match(path) or path in seen:
            bad("artifact path {!r} is not wheels/NAME.whl or lib/NAME.so, or repeats".format(path))
        seen.add(path)
        if item.get("kind") not in ARTIFACT_KINDS:
            bad("{}: unknown kind {!r}".format(path, item.get("kind")))
        if not isinstance(item.get("sha256"), str) or not _SHA256.match(item["sha256"]):
            bad("{}: no sha256".format(path))
        if not isinstance(item.get("size"), int) or item["size"] < 0:
            bad("{}: no size".format(path))
        if item["kind"] == "wheel" and not (isinstance(item.get("package"), str)
                                            and isinstance(item.get("version"), str)):
            bad("{}: a wheel needs package and version".format(path))
    if not isinstance(doc.get("versions"), dict):
        bad("no versions")
    return doc

"""``trtsetup bundle -o FILE`` and ``trtsetup install --from-bundle FILE``.

``bundle`` packs what the last install on this device built or downloaded, as its manifest
(``<state>/manifest.json``) records it: the torch wheel, the torchvision wheel built from its
tag, the torch2trt wheel and the plugin library, each re-hashed and compared with what the
install recorded. Nothing is rebuilt.

``install_from_bundle`` reads the manifest, refuses a bundle whose fingerprint does not fit
this device (naming the field and both values), extracts and verifies every artifact, and
only then runs a from-bundle plan (``bundle-wheels``, ``bundle-plugins``, ``selftest``)
through the same executor as ``install``.
"""

import datetime
import os
from typing import Any, Callable, Dict, List, Optional

from ..bundle import archive
from ..bundle.manifest import device_fingerprint, fingerprint_mismatch, new_manifest
from ..bundle.steps import BundlePluginsStep, BundleWheelsStep
from ..dirs import cache_dir as default_cache_dir, state_dir as default_state_dir
from ..errors import InputError, RefusedError, UsageError
from ..executor import InstallResult, execute, read_manifest
from ..hashing import sha256_file as file_sha256
from ..plan.steps.pip import python_tag
from ..report.selftest import log_text as selftest_log_text

# step id in the install manifest -> (artifact kind, package, detail key of the file, of its sha256)
_SOURCES = (
    ("torch-install", "wheel", "torch", "path", "sha256"),
    ("torchvision-install", "wheel", "torchvision", "wheel", "wheel_sha256"),
    ("t2t-build", "wheel", "torch2trt", "wheel", "wheel_sha256"),
    ("t2t-plugins", "plugins-library", None, "path", "sha256"),
)


def _wheel_version(filename):
    parts = os.path.basename(filename).split("-")
    return parts[1] if len(parts) >= 5 else None


def make_bundle(facts, output, state_dir=None):
    # type: (Any, str, Optional[str]) -> Dict[str, Any]
    """Write the bundle and return its manifest. InputError when there is nothing to pack
    or a recorded file changed since the install."""
    state_dir = state_dir or default_state_dir()
    manifest_path = os.path.join(state_dir, "manifest.json")
    install = read_manifest(manifest_path)
    artifacts, files = [], {}  # type: List[Dict[str, Any]], Dict[str, str]
    versions = {"torch": None, "torchvision": None, "torch2trt": None,
                "tensorrt": facts.tensorrt.version}  # type: Dict[str, Optional[str]]
    for step_id, kind, package, file_key, sha_key in _SOURCES:
        details = (install["steps"].get(step_id) or {}).get("details") or {}
        path = details.get(file_key)
        if not isinstance(path, str):
            continue
        if not os.path.isfile(path):
            raise InputError("{} recorded {}, which is gone".format(step_id, path),
                             fix="Run `trtsetup install` again (it rebuilds only what is missing), then bundle.")
        digest = file_sha256(path)
        if details.get(sha_key) and details[sha_key] != digest:
            raise InputError("{} changed since {} recorded it (sha256 {}, recorded {})".format(
                path, step_id, digest, details[sha_key]),
                fix="Run `trtsetup install` again so the records match the files, then bundle.")
        member = ("wheels/" if kind == "wheel" else "lib/") + os.path.basename(path)
        item = {"path": member, "kind": kind, "sha256": digest, "size": os.path.getsize(path),
                "from_step": step_id}
        if kind == "wheel":
            version = _wheel_version(path) or details.get("installed_version") or details.get("version")
            item.update({"package": package, "version": version})
            versions[package] = version
        artifacts.append(item)
        files[member] = path
    if not artifacts:
        raise InputError("nothing to bundle: no install recorded wheels in {}".format(manifest_path),
                         fix="Run `trtsetup install` on this device first; the bundle packs what it built.")
    plan = {"python": install.get("python"), "target": install.get("platform"),
            "steps": {k: {"status": v.get("status"), "summary": v.get("summary"), "reason": v.get("reason")}
                      for k, v in sorted(install["steps"].items()) if isinstance(v, dict)}}
    created = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
    manifest = new_manifest(device_fingerprint(facts, python_tag(facts.python)), artifacts, versions,
                            plan, created)
    archive.write_bundle(output, manifest, files)
    return manifest


def install_from_bundle(host, facts, bundle_path, python, user=False, dry_run=False, no_selftest=False,
                        state_dir=None, cache_dir=None, emit=None):
    # type: (Any, Any, str, str, bool, bool, bool, Optional[str], Optional[str], Optional[Callable[[str], None]]) -> InstallResult
    from ..plan.model import StepSpec
    from ..selftest.step import SelftestStep
    if not host.is_live:
        raise UsageError("install changes this machine; it cannot run on a captured tree or snapshot",
                         fix="Run `trtsetup plan` with --root/--snapshot to see what it would do there.")
    if not os.path.isfile(bundle_path):
        raise UsageError("no such bundle: {}".format(bundle_path), fix="Pass the file `trtsetup bundle -o` wrote.")
    manifest, digest = archive.read_manifest(bundle_path)
    here = device_fingerprint(facts, python_tag(facts.python))
    why = fingerprint_mismatch(manifest["fingerprint"], here)
    if why is not None:
        raise RefusedError("bundle {} does not fit this device: {}".format(bundle_path, why),
                           fix="Use the bundle built on a device of this kind (same JetPack/L4T or driver, "
                               "Python, GPU and TensorRT), or build one here with `trtsetup install` "
                               "then `trtsetup bundle -o FILE`.")
    cache_dir = cache_dir or default_cache_dir()
    directory = archive.unpack_verified(bundle_path, manifest, digest, os.path.join(cache_dir, "bundles"))
    wheels = [a for a in manifest["artifacts"] if a["kind"] == "wheel"]
    libs = [a for a in manifest["artifacts"] if a["kind"] == "plugins-library"]
    reason = "from bundle {} (sha256 {}...)".format(os.path.basename(bundle_path), digest[:12])
    steps = [BundleWheelsStep(directory, wheels, reason)]
    if libs:
        steps.append(BundlePluginsStep(directory, libs[0], bool(facts.system.is_root), reason))
    steps.append(SelftestStep.from_spec(StepSpec("selftest", SelftestStep.summary, reason, {},
                                                 skip="--no-selftest" if no_selftest else None)))
    result = execute(steps, host, python, state_dir=state_dir or default_state_dir(), cache_dir=cache_dir,
                     user=user, options={"selftest_log_text": selftest_log_text}, emit=emit or (lambda message: None), dry_run=dry_run,
                     target={"bundle": os.path.abspath(bundle_path), "bundle_sha256": digest,
                             "fingerprint": here, "versions": manifest["versions"]})
    return result

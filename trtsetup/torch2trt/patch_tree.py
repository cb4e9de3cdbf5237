"""Patch a torch2trt source tree: read its files, run the rules, diff, write atomically with a
backup of the original bytes, revert. The rules themselves are pure text transforms
(``patch_rules``, ``patch_converters``).
"""

import difflib
import hashlib
import json
import os
import re
import shutil
from typing import Dict, List, NamedTuple, Optional, Tuple

from ..atomic import write_bytes_atomic
from ..errors import InputError, RefusedError
from ..patterns import lazy
from .patch_converters import CONVERTER_RULES
from .patch_rules import (BUILD_PY, CMAKELISTS, CORE_RULES, SETUP_PY,
                          VERSION_UTILS_PY, PatchOptions, ShapeError, Skip, check_dir_argument,
                          tensorrt_major)

BACKUP_DIR = ".trtsetup-patch"
BACKUP_SCHEMA = "trtsetup.t2t-patch-backup/1"

RULES = CORE_RULES + CONVERTER_RULES

# Files that must exist for the tree to be torch2trt at all; the others are optional.
_REQUIRED = (SETUP_PY,)
_ABSENT_NOTES = {
    BUILD_PY: "build.py absent (dead code upstream; nothing to patch)",
    CMAKELISTS: "no CMakeLists.txt: this torch2trt has no CMake plugin library (v0.4.0 added it)",
}


class FilePlan(NamedTuple):
    path: str                   # relative to the tree, "/"-separated
    before: bytes
    after: bytes
    changes: Tuple[str, ...]    # rule ids that change this file now

    @property
    def changed(self):
        return self.before != self.after


class TreePlan(NamedTuple):
    src_dir: str
    shape: Optional[str]
    options: PatchOptions
    files: Tuple[FilePlan, ...]
    in_effect: Tuple[str, ...]  # rule ids true of the tree after patching
    notes: Tuple[str, ...]
    incomplete: Tuple[str, ...] = ()  # notes of rules the tree still needs for this machine

    @property
    def needs_patching(self):
        return any(f.changed for f in self.files)


_SETUP_VERSION = lazy(r"^[ \t]*version[ \t]*=[ \t]*[\"']([0-9][^\"']*)[\"']", re.M)


def detect_shape(src_dir):
    # type: (str) -> Optional[str]
    """``v0.2.0`` ... ``v0.5.0`` or ``master`` (after v0.5.0) from the files; None if unknown."""
    text = _read_text(os.path.join(src_dir, SETUP_PY))
    if text is None:
        return None
    match = _SETUP_VERSION.search(text)
    if not match:
        return None
    if os.path.exists(os.path.join(src_dir, VERSION_UTILS_PY)):
        return "master"
    return "v" + match.group(1)


def _read_bytes(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError("cannot read {}: {}".format(path, exc.strerror or exc),
                         fix="Check the file's permissions.")


def _read_text(path):
    data = _read_bytes(path)
    return None if data is None else data.decode("utf-8", "replace")


def _decode(data, path):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ShapeError(path, "a UTF-8 text file")
    crlf = "\r\n" in text
    return (text.replace("\r\n", "\n") if crlf else text), crlf


def _rule_applies(rule, options, notes):
    if rule.compat and not options.compat:
        return False
    if rule.min_tensorrt is None:
        return True
    major = tensorrt_major(options.tensorrt_version)
    if major is None:
        note = ("TensorRT version unknown: the converter patches for TensorRT >= 10 were not "
                "applied (pass --tensorrt-version, e.g. 10.3)")
        if note not in notes:
            notes.append(note)
        return False
    return major >= rule.min_tensorrt


def plan_tree(src_dir, options):
    # type: (str, PatchOptions) -> TreePlan
    """What patching would change: read only. Raises ShapeError/InputError."""
    if not os.path.isdir(src_dir):
        raise InputError("{}: no such directory".format(src_dir),
                         fix="Pass the torch2trt source directory (a clone or an unpacked archive).")
    check_dir_argument("--trt-include", options.trt_include)
    check_dir_argument("--trt-lib", options.trt_lib)
    for required in _REQUIRED:
        if not os.path.isfile(os.path.join(src_dir, required)):
            raise ShapeError(os.path.join(src_dir, required),
                             "a torch2trt source tree with setup.py at its top")
    files = []  # type: List[FilePlan]
    in_effect = []  # type: List[str]
    notes = []  # type: List[str]
    incomplete = []  # type: List[str]
    paths = []  # type: List[str]
    for rule in RULES:
        if rule.path not in paths:
            paths.append(rule.path)
    for rel in paths:
        full = os.path.join(src_dir, *rel.split("/"))
        data = _read_bytes(full)
        if data is None:
            if rel in _ABSENT_NOTES:
                notes.append(_ABSENT_NOTES[rel])
            continue
        text, crlf = _decode(data, full)
        changes = []
        for rule in RULES:
            if rule.path != rel or not _rule_applies(rule, options, notes):
                continue
            result = rule.apply(text, options, full)
            if result is None:
                continue
            if isinstance(result, Skip):
                notes.append(result.note)
                if result.incomplete:
                    incomplete.append(result.note)
                continue
            if result != text:
                changes.append(rule.id)
                text = result
            in_effect.append(rule.id)
        after = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
        files.append(FilePlan(rel, data, after, tuple(changes)))
    return TreePlan(src_dir, detect_shape(src_dir), options, tuple(files), tuple(in_effect),
                    tuple(notes), tuple(incomplete))


def unified_diff(plan):
    # type: (TreePlan) -> str
    chunks = []
    for item in plan.files:
        if not item.changed:
            continue
        before = item.before.decode("utf-8").splitlines(True)
        after = item.after.decode("utf-8").splitlines(True)
        chunks.append("".join(difflib.unified_diff(before, after, "a/" + item.path, "b/" + item.path)))
    return "".join(chunks)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def _refuse_read_only(path, consequence):
    """A file we may not write, or one with no write bit at all (read-only on purpose: root
    could write it, and os.replace would drop the mode), is refused."""
    if not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222:
        raise RefusedError("{} is read-only; {}".format(path, consequence),
                           fix="Make it writable (chmod u+w) or patch a writable copy of the tree.")


def atomic_write(path, data):
    # type: (str, bytes) -> None
    """Write via a temp file in the same directory and os.replace; keep the file's mode.

    A read-only file is refused (os.replace would silently drop its read-only bit).
    """
    mode = None
    if os.path.exists(path):
        _refuse_read_only(path, "not patched")
        mode = os.stat(path).st_mode & 0o7777
    try:
        write_bytes_atomic(path, data, mode)
    except OSError as exc:
        raise RefusedError("cannot write in {}: {}".format(os.path.dirname(path) or ".", exc.strerror or exc),
                           fix="Make the directory writable or patch a writable copy of the tree.")


def _manifest_path(src_dir):
    return os.path.join(src_dir, BACKUP_DIR, "manifest.json")


def read_backup_manifest(src_dir):
    # type: (str) -> Optional[Dict[str, object]]
    text = _read_text(_manifest_path(src_dir))
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        raise InputError("{} is damaged (not JSON)".format(_manifest_path(src_dir)),
                         fix="Restore the files with git (`git checkout -- .`) and delete {}.".format(
                             os.path.join(src_dir, BACKUP_DIR)))
    if not isinstance(doc, dict) or doc.get("schema") != BACKUP_SCHEMA:
        raise InputError("{} is not a trtsetup patch backup".format(_manifest_path(src_dir)))
    return doc


def apply_plan(plan):
    # type: (TreePlan) -> List[str]
    """Write the changed files: back up the original bytes once, then replace atomically."""
    changed = [f for f in plan.files if f.changed]
    if not changed:
        return []
    for item in changed:  # refuse before writing anything
        _refuse_read_only(os.path.join(plan.src_dir, *item.path.split("/")), "nothing was patched")
    manifest = read_backup_manifest(plan.src_dir) or {"schema": BACKUP_SCHEMA, "files": {}}
    entries = manifest["files"]  # type: ignore
    backup_root = os.path.join(plan.src_dir, BACKUP_DIR, "orig")
    for item in changed:
        entry = entries.get(item.path)
        if entry is None:
            backup = os.path.join(backup_root, *item.path.split("/"))
            try:
                os.makedirs(os.path.dirname(backup), exist_ok=True)
            except OSError as exc:
                raise RefusedError("cannot create the backup dir {}: {}".format(
                    os.path.dirname(backup), exc.strerror or exc),
                    fix="Make the tree writable or patch a writable copy.")
            atomic_write(backup, item.before)
            entry = {"original_sha256": sha256_bytes(item.before)}
            entries[item.path] = entry
        entry["patched_sha256"] = sha256_bytes(item.after)
    manifest["options"] = json.loads(plan.options.key())
    atomic_write(_manifest_path(plan.src_dir),
                 (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    for item in changed:
        atomic_write(os.path.join(plan.src_dir, *item.path.split("/")), item.after)
    return [f.path for f in changed]


class Reverted(NamedTuple):
    path: str
    status: str  # "restored" | "unchanged" (already the original bytes)


def revert_tree(src_dir, check_only=False):
    # type: (str, bool) -> List[Reverted]
    """Restore the original bytes recorded by ``apply_plan`` and drop the backup.

    A file edited since trtsetup patched it is refused (its edits would be lost).
    """
    manifest = read_backup_manifest(src_dir)
    if manifest is None:
        return []
    outcomes = []  # type: List[Reverted]
    restores = []  # type: List[Tuple[str, bytes]]
    for rel, entry in sorted(manifest.get("files", {}).items()):
        full = os.path.join(src_dir, *rel.split("/"))
        backup = _read_bytes(os.path.join(src_dir, BACKUP_DIR, "orig", *rel.split("/")))
        if backup is None or sha256_bytes(backup) != entry.get("original_sha256"):
            raise InputError("the backup of {} is missing or damaged".format(full),
                             fix="Restore the file with git (`git checkout -- {}`).".format(rel))
        current = _read_bytes(full)
        current_sha = sha256_bytes(current) if current is not None else None
        if current_sha == entry.get("original_sha256"):
            outcomes.append(Reverted(rel, "unchanged"))
            continue
        if current_sha != entry.get("patched_sha256"):
            raise RefusedError("{} changed since trtsetup patched it; not reverted".format(full),
                               fix="Keep your edits and delete {}, or copy the original back from {} "
                                   "by hand.".format(os.path.join(src_dir, BACKUP_DIR),
                                                     os.path.join(src_dir, BACKUP_DIR, "orig", rel)))
        restores.append((full, backup))
        outcomes.append(Reverted(rel, "restored"))
    if check_only:
        return outcomes
    for full, data in restores:
        atomic_write(full, data)
    shutil.rmtree(os.path.join(src_dir, BACKUP_DIR))
    return outcomes

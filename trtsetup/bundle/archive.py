"""Write a bundle file from an install's records, and read one back verified.

A bundle is an uncompressed tar (the wheels are zips already): ``manifest.json`` first,
then ``wheels/*.whl`` and ``lib/*.so``. Reading checks the member list against the
manifest, each size and each sha256 while extracting into a fresh directory, and only
then renames that directory into place: a truncated or tampered bundle is refused with
nothing extracted where an install would use it.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from typing import Any, Dict, List, Tuple

from ..errors import InputError
from ..hashing import sha256_file as file_sha256
from .manifest import MANIFEST_NAME, validate_manifest

_CHUNK = 1 << 20


def write_bundle(output, manifest, files):
    # type: (str, Dict[str, Any], Dict[str, str]) -> None
    """``files``: member path -> file on disk (every artifact of the manifest)."""
    data = json.dumps(manifest, sort_keys=True, indent=2).encode("utf-8")
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(output) + ".", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            _add(tar, MANIFEST_NAME, io.BytesIO(data), len(data))
            for item in manifest["artifacts"]:
                source = files[item["path"]]
                with open(source, "rb") as handle:
                    _add(tar, item["path"], handle, os.path.getsize(source))
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _add(tar, name, handle, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0
    tar.addfile(info, handle)


def read_manifest(path):
    # type: (str) -> Tuple[Dict[str, Any], str]
    """(manifest, sha256 of its bytes), without extracting anything else."""
    try:
        with tarfile.open(path, "r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST_NAME or not first.isfile():
                raise InputError("{}: not a trtsetup bundle (no {} first)".format(path, MANIFEST_NAME),
                                 fix="Pass a file made by `trtsetup bundle -o FILE`.")
            data = tar.extractfile(first).read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InputError("{}: cannot read the bundle ({})".format(path, exc),
                         fix="Copy the bundle again: it is truncated or damaged.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError("{}: the manifest is not JSON".format(path),
                         fix="Copy the bundle again: it is damaged.")
    return validate_manifest(doc, path), hashlib.sha256(data).hexdigest()


def unpack_verified(path, manifest, manifest_sha256, dest_root):
    # type: (str, Dict[str, Any], str, str) -> str
    """Extract every artifact into ``dest_root/<manifest sha256>/`` and return that
    directory; InputError (nothing left behind) on any missing, extra, short or changed
    member. A directory left by an earlier run is re-verified, not trusted."""
    final = os.path.join(dest_root, manifest_sha256[:24])
    wanted = {item["path"]: item for item in manifest["artifacts"]}
    if os.path.isdir(final):
        if all(_file_matches(os.path.join(final, p), item) for p, item in wanted.items()):
            return final
        shutil.rmtree(final)
    os.makedirs(dest_root, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".unpack-", dir=dest_root)
    try:
        _extract(path, wanted, work)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _extract(path, wanted, work):
    # type: (str, Dict[str, Dict[str, Any]], str) -> None
    seen = []  # type: List[str]
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.name == MANIFEST_NAME:
                    continue
                item = wanted.get(member.name)
                if item is None or not member.isfile():
                    raise _refused(path, "it holds {!r}, which the manifest does not list".format(member.name))
                if member.size != item["size"]:
                    raise _refused(path, "{} is {} bytes, the manifest says {}".format(
                        member.name, member.size, item["size"]))
                target = os.path.join(work, member.name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with open(target, "wb") as out:
                    for block in iter(lambda: source.read(_CHUNK), b""):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != item["sha256"]:
                    raise _refused(path, "sha256 of {} is {}, the manifest says {} (tampered or damaged)".format(
                        member.name, digest.hexdigest(), item["sha256"]))
                seen.append(member.name)
    except (tarfile.TarError, EOFError) as exc:
        raise _refused(path, "it is truncated or damaged ({})".format(exc))
    missing = sorted(set(wanted) - set(seen))
    if missing:
        raise _refused(path, "{} missing (truncated?)".format(", ".join(missing)))


def _refused(path, why):
    return InputError("{}: refused: {}; nothing was installed".format(path, why),
                      fix="Copy the bundle again from the build device (compare its sha256).")


def _file_matches(path, item):
    try:
        if os.path.getsize(path) != item["size"]:
            return False
    except OSError:
        return False
    return file_sha256(path) == item["sha256"]

"""Where torch2trt's source comes from: ``--torch2trt-src PATH | GIT_URL[@REF] | ARCHIVE_URL``.

Default: the upstream repository at the ref the recipes choose for the TensorRT major
(<=7 -> v0.3.0, 8.x -> v0.5.0, 10.x -> master at/after 4e820ae). A ref is resolved as a tag
first (``refs/tags/v0.3.0``: a *branch* v0.3.0 also exists upstream and points elsewhere),
then a branch, then a commit. Git repositories are mirrored under ``<cache>/git`` and reused
offline; archives are downloaded once to ``<cache>/downloads``; every source is unpacked to
``<cache>/src/<name>`` with a ``.trtsetup-source.json`` record (commit, ref, sha256).
Archive members are validated before extraction (no absolute paths, no ``..``, no links
leaving the tree, no devices): Python 3.6 has no tarfile filter.
"""

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from typing import Any, Callable, List, NamedTuple, Optional

from ..errors import ActionFailed, InputError, UsageError
from ..hashing import sha256_file
from ..patterns import lazy

UPSTREAM_URL = "https://github.com/NVIDIA-AI-IOT/torch2trt.git"
SOURCE_RECORD = ".trtsetup-source.json"
SOURCE_SCHEMA = "trtsetup.t2t-source/1"
GIT_TIMEOUT = 600.0
DOWNLOAD_TIMEOUT = 300.0

_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz", ".zip")
_HEX40 = lazy(r"^[0-9a-f]{40}$")
_HEX = lazy(r"^[0-9a-f]{7,40}$")
_SCP_LIKE = lazy(r"^[\w.-]+@[\w.-]+:")


class SourceSpec(NamedTuple):
    kind: str              # "path" | "archive" | "git"
    location: str          # directory, archive path/URL, or git URL
    ref: Optional[str]     # git only


class Source(NamedTuple):
    spec: SourceSpec
    src_dir: str
    commit: Optional[str]          # None when unknown (a plain directory or archive without one)
    resolved_as: Optional[str]     # "tag" | "branch" | "commit" | "archive-comment" | "git-head"
    sha256: Optional[str]          # of the archive, when one was used
    notes: List[str]

    def to_json(self):
        return {"kind": self.spec.kind, "location": self.spec.location, "ref": self.spec.ref,
                "src_dir": self.src_dir, "commit": self.commit, "resolved_as": self.resolved_as,
                "sha256": self.sha256, "notes": list(self.notes)}


def _is_archive_name(text):
    lowered = text.lower().split("?", 1)[0]
    return lowered.endswith(_ARCHIVE_SUFFIXES)


def _split_ref(url):
    """``URL@REF`` -> (URL, REF); an ``@`` in the user part of the URL is not a ref."""
    if "://" in url:
        scheme_end = url.index("://") + 3
        path_start = url.find("/", scheme_end)
        if path_start < 0:
            return url, None
        at = url.rfind("@", path_start)
    elif _SCP_LIKE.match(url):
        at = url.rfind("@", url.index(":"))
    else:
        at = url.rfind("@")
    if at <= 0:
        return url, None
    return url[:at], url[at + 1:] or None


def parse_source_spec(text, default_ref=None, exists=os.path.exists, is_dir=os.path.isdir, upstream=None):
    # type: (Optional[str], Optional[str], Callable[[str], bool], Callable[[str], bool], Optional[str]) -> SourceSpec
    """Classify ``--torch2trt-src``; None means ``upstream`` (the plan's ``git_url``, else
    NVIDIA's repository) at ``default_ref``."""
    if not text:
        return SourceSpec("git", upstream or UPSTREAM_URL, default_ref)
    if is_dir(text):
        return SourceSpec("path", os.path.abspath(text), None)
    if exists(text):
        if _is_archive_name(text):
            return SourceSpec("archive", os.path.abspath(text), None)
        raise UsageError("--torch2trt-src {}: a file, but not a .tar.gz/.tgz/.tar/.zip archive".format(text),
                         fix="Pass a torch2trt directory, a git URL[@REF] or an archive.")
    if _is_archive_name(text) and re.match(r"^(https?|file)://", text):
        return SourceSpec("archive", text, None)
    if re.match(r"^(https?|ssh|git|file)://", text) or _SCP_LIKE.match(text):
        url, ref = _split_ref(text)
        return SourceSpec("git", url, ref or default_ref)
    raise UsageError("--torch2trt-src {}: no such directory or file, and not a URL".format(text),
                     fix="Pass PATH, GIT_URL[@REF] (https://, ssh://, git@host:, file://) or an archive URL.")


def _key(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# -- archives ---------------------------------------------------------------------------------

def _unsafe_name(name):
    # type: (str) -> bool
    if not name or name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def _escapes(member_name, link_target):
    if link_target.startswith("/"):
        return True
    joined = os.path.normpath(os.path.join(os.path.dirname(member_name), link_target))
    return joined == ".." or joined.startswith("../") or joined.startswith("/")


def check_tar_members(members):
    # type: (List[tarfile.TarInfo]) -> None
    for member in members:
        if _unsafe_name(member.name):
            raise InputError("archive member {!r} has an absolute path or '..'; refused".format(member.name),
                             fix="Use an archive of a torch2trt tree (git archive / GitHub's download).")
        if member.issym() and _escapes(member.name, member.linkname):
            raise InputError("archive member {!r} links outside the tree ({}); refused".format(
                member.name, member.linkname))
        if member.islnk() and (_unsafe_name(member.linkname)):
            raise InputError("archive member {!r} hard-links outside the tree ({}); refused".format(
                member.name, member.linkname))
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise InputError("archive member {!r} is a device or fifo; refused".format(member.name))


def check_zip_members(names):
    # type: (List[str]) -> None
    for name in names:
        if _unsafe_name(name):
            raise InputError("archive member {!r} has an absolute path or '..'; refused".format(name),
                             fix="Use an archive of a torch2trt tree (git archive / GitHub's download).")


def extract_archive(archive, dest):
    # type: (str, str) -> Optional[str]
    """Unpack ``archive`` into the new directory ``dest`` (a single top-level directory is
    stripped). Returns the commit the archive names (git archive's comment), or None."""
    if os.path.exists(dest):
        raise InputError("{} already exists".format(dest))
    work = tempfile.mkdtemp(prefix=".extract-", dir=os.path.dirname(dest))
    comment = None
    try:
        if archive.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(archive) as handle:
                    check_zip_members(handle.namelist())
                    handle.extractall(work)
                    comment = handle.comment.decode("ascii", "replace").strip()
            except zipfile.BadZipFile as exc:
                raise InputError("{} is not a valid zip archive ({})".format(archive, exc))
        else:
            try:
                with tarfile.open(archive) as handle:
                    members = handle.getmembers()
                    check_tar_members(members)
                    if hasattr(tarfile, "data_filter"):
                        handle.extractall(work, members=members, filter="data")
                    else:
                        handle.extractall(work, members=members)
                    comment = (handle.pax_headers or {}).get("comment", "").strip()
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise InputError("{} is not a readable tar archive ({})".format(archive, exc),
                                 fix="Download it again; a truncated download looks like this.")
        entries = os.listdir(work)
        root = work
        if len(entries) == 1 and os.path.isdir(os.path.join(work, entries[0])):
            root = os.path.join(work, entries[0])
        os.rename(root, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return comment if comment and _HEX40.match(comment) else None


def _download(url, dest_dir, timeout=DOWNLOAD_TIMEOUT):
    # type: (str, str, float) -> str
    """Fetch once into ``dest_dir``; a cached copy is reused (offline)."""
    from http.client import HTTPException  # stdlib; imported here to keep start-up light
    from urllib.request import urlopen

    name = os.path.basename(url.split("?", 1)[0]) or "archive"
    path = os.path.join(dest_dir, _key(url) + "-" + name)
    if os.path.exists(path):
        return path
    os.makedirs(dest_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".download-", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            response = urlopen(url, timeout=timeout)
            expected = response.headers.get("Content-Length")
            size = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
                size += len(block)
        if expected is not None and int(expected) != size:
            raise ActionFailed("download of {} stopped at {} of {} bytes".format(url, size, expected),
                               fix="Retry, or download the archive yourself and pass its path.")
        os.replace(tmp, path)
    except ActionFailed:
        os.unlink(tmp)
        raise
    except (OSError, ValueError, HTTPException) as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise ActionFailed("cannot download {}: {}".format(url, getattr(exc, "reason", None) or exc),
                           fix="Check the network, or pass a local path or archive with --torch2trt-src.")
    return path


# -- git --------------------------------------------------------------------------------------

def _git(run, args, timeout=GIT_TIMEOUT, cwd=None):
    return run(["git"] + list(args), timeout=timeout, cwd=cwd)


def _rev(run, git_dir, expr):
    result = _git(run, ["--git-dir", git_dir, "rev-parse", "--verify", "--quiet", expr], timeout=60)
    out = (result.stdout or "").strip()
    return out if result.returncode == 0 and _HEX40.match(out) else None


def resolve_ref(run, git_dir, ref):
    # type: (Callable[..., Any], str, str) -> Optional[tuple]
    """(commit, "tag"|"branch"|"commit") for ``ref`` in a mirror; tags win over branches."""
    for expr, kind in (("refs/tags/{}^{{commit}}", "tag"), ("refs/heads/{}^{{commit}}", "branch")):
        commit = _rev(run, git_dir, expr.format(ref))
        if commit:
            return commit, kind
    if _HEX.match(ref):
        commit = _rev(run, git_dir, ref + "^{commit}")
        if commit:
            return commit, "commit"
    return None


def _fetch_git(spec, cache_dir, run, require_ancestor, notes):
    if not spec.ref:
        raise UsageError("no torch2trt ref given for {}".format(spec.location),
                         fix="Append @REF (a tag, branch or commit) to the URL.")
    git_dir = os.path.join(cache_dir, "git", _key(spec.location) + ".git")
    if not os.path.isdir(git_dir):
        os.makedirs(os.path.dirname(git_dir), exist_ok=True)
        result = _git(run, ["clone", "--mirror", "--quiet", spec.location, git_dir])
        if result.returncode != 0:
            shutil.rmtree(git_dir, ignore_errors=True)
            why = ((result.stderr or result.error or "").strip().splitlines() or ["?"])[-1]
            raise ActionFailed("cannot clone {}: {}".format(spec.location, why),
                fix="Check the network, or pass a local clone or an archive with --torch2trt-src.")
        resolved = resolve_ref(run, git_dir, spec.ref)
    else:
        resolved = resolve_ref(run, git_dir, spec.ref)
        immutable = resolved is not None and resolved[1] in ("tag", "commit")
        if not immutable:
            result = _git(run, ["--git-dir", git_dir, "fetch", "--prune", "--quiet", "origin"])
            if result.returncode != 0:
                notes.append("could not update the cached mirror of {} (offline?); using it as it is".format(
                    spec.location))
            resolved = resolve_ref(run, git_dir, spec.ref)
    if resolved is None:
        raise ActionFailed("{} has no tag, branch or commit {!r}".format(spec.location, spec.ref),
                           fix="Check the ref (git ls-remote {}).".format(spec.location))
    commit, kind = resolved
    if require_ancestor:
        check = _git(run, ["--git-dir", git_dir, "merge-base", "--is-ancestor", require_ancestor, commit], timeout=60)
        if check.returncode != 0:
            raise ActionFailed("{} ({}) does not contain commit {} that this TensorRT needs".format(
                spec.ref, commit[:12], require_ancestor),
                fix="Use a newer ref (e.g. master), or pin an older TensorRT.")
    dest = os.path.join(cache_dir, "src", "torch2trt-" + commit[:12])
    record = _read_record(dest)
    if record is not None and record.get("commit") == commit:
        return Source(spec, dest, commit, kind, None, notes)
    _remove_tree(dest)
    fd, tar_path = tempfile.mkstemp(prefix=".git-archive-", suffix=".tar", dir=os.path.dirname(dest))
    os.close(fd)
    try:
        result = _git(run, ["--git-dir", git_dir, "archive", "--format=tar", "-o", tar_path, commit])
        if result.returncode != 0:
            raise ActionFailed("git archive of {} failed: {}".format(commit, (result.stderr or "").strip()))
        extract_archive(tar_path, dest)
    finally:
        os.unlink(tar_path)
    source = Source(spec, dest, commit, kind, None, notes)
    _write_record(dest, source)
    return source


# -- records and entry point -------------------------------------------------------------------

def _read_record(dest):
    try:
        with open(os.path.join(dest, SOURCE_RECORD)) as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema") == SOURCE_SCHEMA else None


def _write_record(dest, source):
    doc = source.to_json()
    doc["schema"] = SOURCE_SCHEMA
    with open(os.path.join(dest, SOURCE_RECORD), "w") as handle:
        json.dump(doc, handle, indent=1, sort_keys=True)
        handle.write("\n")


def _remove_tree(path):
    if os.path.isdir(path):
        shutil.rmtree(path)


_COPY_IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".trtsetup-patch")


def fetch_source(spec, cache_dir, run, require_ancestor=None):
    # type: (SourceSpec, str, Callable[..., Any], Optional[str]) -> Source
    """Make the source available under ``<cache_dir>/src`` and say which commit it is.

    ``run(argv, timeout=, cwd=)`` runs a command (the step's logged runner).
    """
    os.makedirs(os.path.join(cache_dir, "src"), exist_ok=True)
    notes = []  # type: List[str]
    if spec.kind == "git":
        return _fetch_git(spec, cache_dir, run, require_ancestor, notes)
    if spec.kind == "path":
        commit = None
        kind = None
        if os.path.exists(os.path.join(spec.location, ".git")):
            head = _git(run, ["-C", spec.location, "rev-parse", "HEAD"], timeout=60)
            if head.returncode == 0 and _HEX40.match(head.stdout.strip()):
                commit, kind = head.stdout.strip(), "git-head"
                dirty = _git(run, ["-C", spec.location, "status", "--porcelain", "--untracked-files=no"], timeout=60)
                if dirty.returncode != 0 or dirty.stdout.strip():
                    notes.append("{} has uncommitted changes: built as it is, recorded without a "
                                 "commit (so never taken as already installed)".format(spec.location))
                    commit, kind = None, None
        elif not os.path.exists(os.path.join(spec.location, ".git")):
            notes.append("{} is not a git checkout: its commit is unknown".format(spec.location))
        dest = os.path.join(cache_dir, "src", "local-" + _key(spec.location))
        record = _read_record(dest)
        if commit is not None and record is not None and record.get("commit") == commit:
            return Source(spec, dest, commit, kind, None, notes)  # same clean commit: keep the copy
        _remove_tree(dest)
        shutil.copytree(spec.location, dest, symlinks=True, ignore=_COPY_IGNORE)
        source = Source(spec, dest, commit, kind, None, notes)
        _write_record(dest, source)
        return source
    # archive
    if re.match(r"^(https?|file)://", spec.location):
        archive = _download(spec.location, os.path.join(cache_dir, "downloads"))
    else:
        archive = spec.location
    sha256 = sha256_file(archive)
    dest = os.path.join(cache_dir, "src", "archive-" + sha256[:16])
    record = _read_record(dest)
    if record is not None and record.get("sha256") == sha256:
        return Source(spec, dest, record.get("commit"), record.get("resolved_as"), sha256, notes)
    _remove_tree(dest)
    commit = extract_archive(archive, dest)
    if commit is None:
        notes.append("the archive names no commit (git archive / GitHub archives do)")
    source = Source(spec, dest, commit, "archive-comment" if commit else None, sha256, notes)
    _write_record(dest, source)
    return source

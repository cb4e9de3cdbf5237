"""Fetch a file into the user's cache: streamed, resumable, sha256-verified.

* The cache is keyed by URL (``<cache>/downloads/<sha256(url)[:16]>/<file name>``): two
  NVIDIA wheels can share a file name while being different builds.
* Bytes go to ``<name>.part`` and become ``<name>`` only after the hash checked out
  (``os.replace``), so a killed download never leaves a file that looks complete. A later run
  sends ``Range: bytes=<size of .part>-`` and appends when the server answers 206.
* The hash is the recipe's pinned sha256 when there is one; otherwise the first download
  records it in a lock file (``<state>/hashes.json``, trust on first use) and every later use
  is checked against that record. A mismatch removes the bad file and refuses.
* 404, a refused connection or no network raise ``ActionFailed`` naming the URL and saying
  what to do offline (``--find-links DIR --no-index``).
"""

import hashlib
import json
import os
import re
import sys
import time
from typing import Any, Callable, Dict, NamedTuple, Optional

from ...atomic import write_json_atomic
from ...errors import ActionFailed
from ...hashing import sha256_file
from ...patterns import lazy

CHUNK = 256 * 1024
ATTEMPTS = 3          # connections tried per call before giving up (each resumes the last)
CONNECT_TIMEOUT = 15.0
READ_TIMEOUT = 60.0

_SHA256 = lazy(r"^[0-9a-f]{64}$")

ProgressFn = Callable[[int, Optional[int]], None]


class Downloaded(NamedTuple):
    """Where a download landed and how it was checked."""

    url: str
    path: str
    sha256: str
    hash_source: str          # "pinned" | "recorded" (seen before) | "first-use" (just recorded)
    fetched: bool             # False when the cache already held the verified file
    resumed: bool             # True when a Range request continued a .part file


def cache_path(cache_dir, url, filename):
    # type: (str, str, str) -> str
    """Where ``url`` is cached: one folder per URL, the file keeps its own name (pip needs it)."""
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return os.path.join(cache_dir, "downloads", key, filename)


def read_hash_lock(path):
    # type: (str) -> Dict[str, str]
    """URL -> sha256 recorded on first use. A missing or damaged file is an empty record."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return {}
    entries = doc.get("hashes") if isinstance(doc, dict) else None
    if not isinstance(entries, dict):
        return {}
    return {str(k): str(v) for k, v in entries.items() if isinstance(v, str) and _SHA256.match(v)}


def record_hash(path, url, sha256):
    # type: (str, str, str) -> None
    entries = read_hash_lock(path)
    entries[url] = sha256
    write_json_atomic(path, {"schema": "trtsetup.hashes/1", "hashes": entries})


def offline_fix(filename):
    # type: (str) -> str
    return ("Check the network (and any proxy settings). Without a network: copy {} into a "
            "directory on this machine and re-run with `--find-links DIR --no-index`, or pass "
            "`--torch PATH-TO-WHEEL`.").format(filename)


def download(url, filename, cache_dir, hash_lock, sha256=None, progress=None, emit=None,
             session=None):
    # type: (str, str, str, str, Optional[str], Optional[ProgressFn], Optional[Callable[[str], None]], Any) -> Downloaded
    """Return the verified cached file for ``url``, downloading (or resuming) it if needed.

    ``sha256`` is the recipe's pinned hash or None; ``hash_lock`` is the path of the
    trust-on-first-use record. ``progress(done_bytes, total_bytes_or_None)`` is called while
    bytes arrive. Raises ``ActionFailed`` on network errors and hash mismatches.
    """
    emit = emit or (lambda message: None)
    expected = sha256.lower() if sha256 else None
    hash_source = "pinned"
    if expected is None:
        expected = read_hash_lock(hash_lock).get(url)
        hash_source = "recorded" if expected else "first-use"

    final = cache_path(cache_dir, url, filename)
    if os.path.exists(final):
        actual = sha256_file(final)
        if expected is None or actual == expected:
            if expected is None:
                record_hash(hash_lock, url, actual)
            return Downloaded(url, final, actual, hash_source, False, False)
        emit("cached {} does not match its sha256; downloading it again".format(filename))
        os.unlink(final)

    part = final + ".part"
    os.makedirs(os.path.dirname(final), exist_ok=True)
    resumed = _fetch(url, part, filename, progress, emit, session)
    actual = sha256_file(part)
    if expected is not None and actual != expected:
        os.unlink(part)
        raise ActionFailed(
            "sha256 mismatch for {}: expected {}, got {} (the file was removed)".format(
                url, expected, actual),
            fix=("The download is corrupt or the file changed on the server. Re-run to download "
                 "it again; if it keeps failing, check the URL"
                 + ("" if hash_source == "pinned" else
                    " and, if the new file is genuine, delete its entry from {}".format(hash_lock))
                 + "."))
    os.replace(part, final)
    if expected is None:
        record_hash(hash_lock, url, actual)
    return Downloaded(url, final, actual, hash_source, True, resumed)


def _fetch(url, part, filename, progress, emit, session):
    # type: (str, str, str, Optional[ProgressFn], Callable[[str], None], Any) -> bool
    """Bring ``part`` to the complete file, resuming what is there. True if any Range was used."""
    import requests  # imported here: only installs need it

    session = session or requests.Session()
    resumed = False
    last_error = None  # type: Optional[str]
    for attempt in range(ATTEMPTS):
        have = os.path.getsize(part) if os.path.exists(part) else 0
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = "bytes={}-".format(have)
        try:
            response = session.get(url, headers=headers, stream=True,
                                   timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
        except requests.exceptions.ConnectionError as exc:
            raise ActionFailed("cannot download {}: {}".format(url, _connection_problem(exc)),
                               fix=offline_fix(filename))
        except requests.exceptions.RequestException as exc:
            raise ActionFailed("cannot download {}: {}".format(url, exc), fix=offline_fix(filename))
        with response:
            if response.status_code == 416 and have:
                # Our .part is not a prefix the server can continue: start over.
                os.unlink(part)
                continue
            if response.status_code not in (200, 206):
                raise ActionFailed(
                    "cannot download {}: the server answered {} {}".format(
                        url, response.status_code, response.reason or ""),
                    fix=("The recipe's URL may be out of date: pass `--torch URL|PATH-TO-WHEEL`, or "
                         "add a recipe overlay with `--recipes DIR`. " if response.status_code == 404
                         else "") + offline_fix(filename))
            if response.status_code == 206 and have:
                mode, done = "ab", have
                resumed = True
                emit("resuming {} at {} bytes".format(filename, have))
            else:
                mode, done = "wb", 0
            total = _expected_total(response, done)
            try:
                with open(part, mode) as handle:
                    for chunk in response.iter_content(CHUNK):
                        if not chunk:
                            continue
                        handle.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                    handle.flush()
                    os.fsync(handle.fileno())
            except requests.exceptions.RequestException:
                last_error = "the connection broke after {} bytes".format(done)
                emit("download of {} interrupted ({}); retrying".format(filename, last_error))
                time.sleep(0.2 * (attempt + 1))
                continue
            except OSError as exc:
                raise ActionFailed("cannot write {}: {}".format(part, exc.strerror or exc),
                                   fix="Free some disk space in the cache directory and re-run.")
        if total is not None and done < total:
            last_error = "the server closed the connection after {} of {} bytes".format(done, total)
            emit("download of {} interrupted ({}); retrying".format(filename, last_error))
            continue
        return resumed
    raise ActionFailed("cannot download {}: {}".format(url, last_error or "too many retries"),
                       fix="Re-run the install: it resumes from the {} bytes already kept in {}. {}".format(
                           os.path.getsize(part) if os.path.exists(part) else 0, part,
                           offline_fix(filename)))


def _expected_total(response, start):
    # type: (Any, int) -> Optional[int]
    """Size of the whole file, from Content-Range (206) or Content-Length (200)."""
    content_range = response.headers.get("Content-Range", "")
    match = re.match(r"^bytes \d+-\d+/(\d+)$", content_range.strip())
    if match:
        return int(match.group(1))
    length = response.headers.get("Content-Length")
    if length and length.isdigit():
        return start + int(length)
    return None


def _connection_problem(exc):
    # type: (Exception) -> str
    text = str(exc)
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    if ("Name or service not known" in text or "Temporary failure in name resolution" in text
            or "nodename nor servname" in text):
        return "the host name does not resolve (no network?)"
    if "Network is unreachable" in text or "No route to host" in text:
        return "the network is unreachable"
    if "timed out" in text.lower():
        return "the connection timed out"
    return "no connection ({})".format(text[:200])


def terminal_progress(stream=None, label=""):
    # type: (Any, str) -> Optional[ProgressFn]
    """A progress bar writing to ``stream`` (stderr), or None when it is not a terminal.

    No bar when ``NO_COLOR`` is set or the stream is redirected, so logs stay clean.
    """
    stream = stream if stream is not None else sys.stderr
    try:
        is_tty = stream.isatty()
    except (AttributeError, ValueError):
        is_tty = False
    if not is_tty or os.environ.get("NO_COLOR"):
        return None
    state = {"last": 0.0}

    def draw(done, total):
        now = time.monotonic()
        finished = total is not None and done >= total
        if now - state["last"] < 0.1 and not finished:
            return
        state["last"] = now
        if total:
            width = 30
            filled = int(width * done / total)
            line = "\r  {} [{}{}] {:5.1f}% {:.1f}/{:.1f} MB".format(
                label, "#" * filled, "." * (width - filled), 100.0 * done / total,
                done / 1e6, total / 1e6)
        else:
            line = "\r  {} {:.1f} MB".format(label, done / 1e6)
        stream.write(line + ("\n" if finished else ""))
        stream.flush()

    return draw

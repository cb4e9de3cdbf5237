"""Judge the CSV mount lists: what the runtime silently skips, what went stale, what is missing.

Input is the ``ContainerRuntime`` record (every line already resolved on the host by lstat)
plus the host's L4T major; output is a list of ``CsvProblem``s, worst first within each file.
``fail`` problems break containers (a library that is not mounted, a line the runtime drops);
``warn`` problems are worth knowing (a file the runtime does not read, a gap in coverage).
"""

import fnmatch
import posixpath
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ..probes.container_runtime import component_csv_names, runtime_table, split_versioned_so
from .stack import csv_reading, host_libraries_from_host

FAIL, WARN = "fail", "warn"
_EXPECTED = {"lib": ("file",), "sym": ("link",), "dir": ("dir",), "dev": ("char", "block")}
_TYPE_FOR = {"file": "lib", "link": "sym", "dir": "dir", "char": "dev", "block": "dev"}


class CsvProblem(NamedTuple):
    """Example: ``CsvProblem(code="version-drift", severity="fail", file="tensorrt.csv", line=1,
    path="/usr/lib/aarch64-linux-gnu/libnvinfer.so.6.0.1", message="...", fix="...",
    replacement="/usr/lib/aarch64-linux-gnu/libnvinfer.so.7.1.3")``"""

    code: str        # stale | version-drift | type-mismatch | invalid | relative | crlf | empty |
                     # unreadable | duplicate | not-read | jp4-leftover | not-covered | device-missing
    severity: str    # fail | warn
    file: Optional[str]
    line: Optional[int]
    path: Optional[str]
    message: str
    fix: str
    replacement: Optional[str] = None

    def to_json(self):
        return dict(self._asdict())


class CsvReport(NamedTuple):
    mount_spec_dir: Optional[str]
    files: Tuple[str, ...]
    lines: int                 # lines the runtime uses
    resolved: int              # of those, the ones that resolve
    problems: Tuple[CsvProblem, ...]
    base_only: Optional[bool]
    reading_why: str
    l4t_major: Optional[int]

    @property
    def failed(self):
        return any(p.severity == FAIL for p in self.problems)


def _version_key(version):
    return tuple(int(p) for p in version.split("."))


def _best_sibling(siblings, stem, depth):
    """The highest ``<stem>.so.<version>`` among the names, preferring as many version parts as
    the missing one had (``.so.6`` is replaced by ``.so.7``, ``.so.6.0.1`` by ``.so.7.1.3``)."""
    best = None
    for name in siblings:
        split = split_versioned_so(name)
        if not split or split[0] != stem:
            continue
        parts = len(split[1].split("."))
        key = (parts == depth, parts, _version_key(split[1]))
        if best is None or key > best[0]:
            best = (key, name)
    return best[1] if best else None


def _regen_fix(file_name, components):
    if file_name in components:
        return "sudo trtsetup docker csv --print {} --write   (regenerates it from what is installed)".format(file_name)
    return None


def _line_problems(csv, line, components):
    # type: (Any, Any, Dict[str, str]) -> List[CsvProblem]
    name = csv.name
    out = []  # type: List[CsvProblem]
    regen = _regen_fix(name, components)
    if line.problem == "invalid":
        out.append(CsvProblem("invalid", FAIL, name, line.number, None,
                              "line {}: {!r} is not '<type>, <path>' with type dev, lib, sym or dir; the runtime "
                              "skips it without a word".format(line.number, line.text),
                              regen or "Rewrite it as e.g. 'lib, /usr/lib/aarch64-linux-gnu/libnvinfer.so.8' or delete it."))
        return out
    if line.problem == "relative":
        fixed = "/dev/" + line.path if line.kind == "dev" else "/" + line.path
        out.append(CsvProblem("relative", FAIL, name, line.number, line.path,
                              "line {}: relative path {!r}; mounts need absolute paths".format(line.number, line.path),
                              "Write it as '{}, {}'.".format(line.kind, fixed), replacement=fixed))
        return out
    if line.problem is not None:
        return out
    path, kind, found = line.path, line.kind, line.found
    if kind == "dev":
        if found is None:
            what = "no device matches {}".format(path) if line.glob_matches == () and "*" in path else \
                "{} does not exist on this host".format(path)
            out.append(CsvProblem("device-missing", WARN, name, line.number, path,
                                  "line {}: {}; toolkit >= 1.10 skips it, older libnvidia-container stops with "
                                  "'stat failed: {}: no such file or directory'".format(line.number, what, path),
                                  "Remove the line if this module has no such device (NVIDIA/nvidia-container-runtime#123)."))
        elif found not in _EXPECTED["dev"] and not (found == "link" and line.resolves_kind in _EXPECTED["dev"]):
            out.append(_mismatch(name, line, regen))
        return out
    if found is None:
        split = split_versioned_so(posixpath.basename(path))
        newer = _best_sibling(line.siblings, split[0], len(split[1].split("."))) if split else None
        if newer is not None:
            replacement = posixpath.join(posixpath.dirname(path), newer)
            out.append(CsvProblem(
                "version-drift", FAIL, name, line.number, path,
                "line {}: {} is gone; the host now has {} (an upgrade replaced it). Containers that need it fail "
                "with '{}: cannot open shared object file'".format(
                    line.number, posixpath.basename(path), newer, _soname(path)),
                regen or "Change the line to '{}, {}'.".format(kind, replacement), replacement=replacement))
        else:
            out.append(CsvProblem("stale", FAIL, name, line.number, path,
                                  "line {}: {} does not exist; the runtime skips it silently".format(line.number, path),
                                  regen or "Delete the line, or point it at the file that replaced it."))
        return out
    if kind == "sym" and found == "link" and line.resolves_to is None:
        out.append(CsvProblem("stale", FAIL, name, line.number, path,
                              "line {}: the link {} -> {} points at nothing".format(line.number, path, line.link_text),
                              regen or "Delete the line, or fix the link."))
        return out
    if found in _EXPECTED[kind]:
        return out
    resolved = line.resolves_kind if found == "link" else None
    if kind == "lib" and resolved == "file":
        out.append(CsvProblem("type-mismatch", WARN, name, line.number, path,
                              "line {}: 'lib' but {} is a symlink (to {}); 'sym' recreates the link in the container, "
                              "'lib' mounts the target's content at the link's path".format(
                                  line.number, path, line.link_text),
                              "Write it as 'sym, {}'.".format(path)))
        return out
    if kind == "dir" and resolved == "dir":
        return out
    if kind == "sym" and found == "file":
        out.append(CsvProblem("type-mismatch", WARN, name, line.number, path,
                              "line {}: 'sym' but {} is a regular file".format(line.number, path),
                              "Write it as 'lib, {}'.".format(path)))
        return out
    out.append(_mismatch(name, line, regen))
    return out


def _soname(path):
    split = split_versioned_so(posixpath.basename(path))
    if not split:
        return posixpath.basename(path)
    return "{}.{}".format(split[0], split[1].split(".")[0])


def _mismatch(name, line, regen):
    right = _TYPE_FOR.get(line.resolves_kind if line.found == "link" and line.kind in ("dir", "dev") else line.found)
    what = {"file": "a regular file", "link": "a symlink", "dir": "a directory", "char": "a character device",
            "block": "a block device"}.get(line.found, "a " + str(line.found))
    fix = "Write it as '{}, {}'.".format(right, line.path) if right else "Delete the line."
    return CsvProblem("type-mismatch", FAIL, name, line.number, line.path,
                      "line {}: '{}' but {} is {}".format(line.number, line.kind, line.path, what),
                      regen or fix)


def _drift_from_links(files, components):
    """#187: a ``sym`` line now resolves to X.Y.Z while a ``lib`` line still mounts X.Y.W."""
    targets = {}  # (dir, stem) -> (resolved basename, file, line)
    for csv in files:
        for line in csv.lines:
            if line.problem is None and line.kind == "sym" and line.resolves_to:
                split = split_versioned_so(posixpath.basename(line.resolves_to))
                if split:
                    targets[(posixpath.dirname(line.resolves_to), split[0])] = (
                        posixpath.basename(line.resolves_to), csv.name, line.number, line.path)
    out = []
    for csv in files:
        for line in csv.lines:
            if line.problem is not None or line.kind != "lib" or line.found is None:
                continue
            split = split_versioned_so(posixpath.basename(line.path))
            hit = targets.get((posixpath.dirname(line.path), split[0])) if split else None
            if hit and hit[0] != posixpath.basename(line.path):
                replacement = posixpath.join(posixpath.dirname(line.path), hit[0])
                out.append(CsvProblem(
                    "version-drift", FAIL, csv.name, line.number, line.path,
                    "line {}: mounts {} but {} ({}:{}) now points to {}; the container gets the old library "
                    "next to a link to one it does not have".format(
                        line.number, posixpath.basename(line.path), hit[3], hit[1], hit[2], hit[0]),
                    _regen_fix(csv.name, components) or "Change the line to 'lib, {}'.".format(replacement),
                    replacement=replacement))
    return out


def check_csv(runtime, l4t_major, recipes):
    # type: (Any, Optional[int], Any) -> CsvReport
    table = runtime_table(recipes)
    components = component_csv_names(recipes)
    reading = csv_reading(runtime, recipes)
    problems = []  # type: List[CsvProblem]
    seen = {}  # type: Dict[str, Tuple[str, int]]
    used = resolved = 0
    listed = set()
    dirs = []
    for csv in runtime.csv_files:
        if csv.read_error:
            problems.append(CsvProblem("unreadable", FAIL, csv.name, None, csv.path,
                                       "{}: {}".format(csv.path, csv.read_error), "Check its permissions (sudo)."))
            continue
        valid = [l for l in csv.lines if l.problem is None]
        crlf = [l for l in csv.lines if l.crlf]
        if crlf:
            problems.append(CsvProblem("crlf", FAIL, csv.name, crlf[0].number, None,
                                       "{} of {} lines end in CRLF (Windows line endings); the JetPack 4.4 DP "
                                       "cudnn.csv had them and mounted nothing until converted".format(
                                           len(crlf), len(csv.lines)),
                                       "sudo sed -i 's/\\r$//' {}".format(csv.path)))
        if not valid:
            problems.append(CsvProblem("empty", WARN, csv.name, None, csv.path,
                                       "{} has no valid line; the runtime skips it ('CSV file is empty')".format(csv.name),
                                       _regen_fix(csv.name, components) or "Delete it or fill it."))
        for line in csv.lines:
            found = _line_problems(csv, line, components)
            problems.extend(found)
            if line.problem is not None:
                continue
            used += 1
            if not any(p.severity == FAIL for p in found) and (line.found is not None or line.kind == "dev"):
                resolved += 1
            listed.add(line.path)
            if line.kind == "dir":
                dirs.append(line.path.rstrip("/") + "/")
            if line.path in seen:
                first = seen[line.path]
                problems.append(CsvProblem("duplicate", WARN, csv.name, line.number, line.path,
                                           "line {}: {} is also listed in {} line {}".format(
                                               line.number, line.path, first[0], first[1]),
                                           "Keep one of them."))
            else:
                seen[line.path] = (csv.name, line.number)
    problems.extend(_drift_from_links(runtime.csv_files, components))

    extra_names = [f.name for f in runtime.csv_files if f.name not in reading.base_files
                   and any(l.problem is None for l in f.lines)]
    if reading.base_only and extra_names:
        for name in extra_names:
            broken = any(p.file == name and p.severity == FAIL for p in problems)
            problems.append(CsvProblem(
                "not-read", WARN, name, None, None,
                "{} {}will not be read: {}. Only {} are read unless the container sets {}".format(
                    name, "" if broken else "is correct but ", reading.why, ", ".join(reading.base_files),
                    reading.env),
                "docker run -e {} ...   (or ENV {} in the image's Dockerfile)".format(reading.env, reading.env)))
    if l4t_major is not None and l4t_major >= 34:
        for csv in runtime.csv_files:
            if csv.name in components and any(l.problem is None for l in csv.lines):
                owner = " (package {})".format(csv.owner) if csv.owner else ""
                problems.append(CsvProblem(
                    "jp4-leftover", WARN, csv.name, None, csv.path,
                    "a JetPack 4-style {}{} on an R{} host: JetPack 5+ images carry their own CUDA, cuDNN and "
                    "TensorRT, and with csv-mounts=all these host files would be mounted over them".format(
                        csv.name, owner, l4t_major),
                    "sudo apt purge {}".format(csv.owner) if csv.owner else
                    "sudo mv {0} {0}.jp4-bak   (a name not ending in .csv is not read)".format(csv.path)))
    if host_libraries_from_host(l4t_major, recipes) and runtime.csv_files:
        for package, libs in sorted(runtime.package_libraries.items()):
            missing = [p for p in libs if p not in listed and not any(p.startswith(d) for d in dirs)]
            if missing:
                component = next((k for k, v in table.items() if v.get("type") == "component" and
                                  any(_fn(package, pat) for pat in v.get("coverage_packages", []))), None)
                csv_name = table[component]["csv"] if component else None
                problems.append(CsvProblem(
                    "not-covered", WARN, csv_name, None, missing[0],
                    "{} of the {} libraries of {} are in no CSV ({}{}): containers will not see them".format(
                        len(missing), len(libs), package, ", ".join(posixpath.basename(p) for p in missing[:4]),
                        ", ..." if len(missing) > 4 else ""),
                    _regen_fix(csv_name, components) or "Add 'lib, <path>' lines for them."))
    order = {FAIL: 0, WARN: 1}
    problems.sort(key=lambda p: (p.file or "~", order[p.severity], p.line or 0, p.code))
    return CsvReport(mount_spec_dir=runtime.mount_spec_dir, files=tuple(f.name for f in runtime.csv_files),
                     lines=used, resolved=resolved, problems=tuple(problems), base_only=reading.base_only,
                     reading_why=reading.why, l4t_major=l4t_major)


def _fn(name, pattern):
    return fnmatch.fnmatchcase(name, pattern)

"""The target Python: which interpreter, what it sees, which packages, and what torch says.

Three reads, cheapest first:

* ``read_python(host, python=None)`` asks the interpreter one small question (the
  stdlib-only ``scripts/python_info.py``, pipx's ``get_site_packages`` idea) and then reads
  package metadata from its ``sys.path`` *without importing anything* (pipx's
  ``venv_inspect`` idea). On a captured tree (``--root``, no commands) it infers the same
  from files: the interpreter's name, ``pyvenv.cfg`` and the Debian/Ubuntu layout.
* ``read_packages(host, site_dirs)`` reads ``*.dist-info/METADATA``, ``*.egg-info``
  (folder or file), ``*.egg`` (folder or zip) and ``*.egg-link`` through the host.
* ``read_torch_runtime(host, python)`` imports torch and torchvision in a subprocess
  (``scripts/torch_info.py``) with a timeout: the slow probe.
"""

import io
import json
import pkgutil
import posixpath
import re
import signal
import zipfile
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from ..facts import Package, PythonEnv, TorchRuntime
from .jetson import parse_dpkg_status

PYTHON_INFO_TIMEOUT = 10.0
TORCH_INFO_TIMEOUT = 60.0

# Packages whose metadata is read (normalised names); plus every name starting with these.
WANTED_PACKAGES = ("torch", "torchvision", "torchaudio", "torch2trt", "torch-tensorrt",
                   "tensorrt", "numpy", "packaging", "setuptools", "wheel", "pip", "cmake",
                   "ninja", "pycuda", "onnx")
WANTED_PREFIXES = ("tensorrt-", "torch2trt", "nvidia-")

_NAME_RUN = re.compile(r"[-_.]+")
_HEADER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_PY_NAME = re.compile(r"^python(\d)\.(\d+)$")
_DEB_UPSTREAM = re.compile(r"^(?:\d+:)?(\d+\.\d+\.\d+)")
_STAGE = re.compile(r"^trtsetup-stage: (.+)$", re.M)


# -- pure parsers ------------------------------------------------------------------------------

def normalize_name(name):
    # type: (str) -> str
    """PEP 503: ``Tensorrt_CU12`` → ``tensorrt-cu12``."""
    return _NAME_RUN.sub("-", name).lower()


def parse_dist_metadata(text):
    # type: (str) -> Optional[Package]
    """``METADATA`` / ``PKG-INFO`` (RFC 822 headers) → Package(name, version), or None.

    Only the header block is read (it ends at the first blank line), so a ``Name:`` line
    inside the description cannot win. Versions are kept as written (``2.0.0.nv23.05``).
    """
    if not isinstance(text, str):
        return None
    fields = {}  # type: Dict[str, str]
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t":
            continue  # continuation of a folded header
        match = _HEADER.match(line)
        if match is None:
            continue
        key = match.group(1).lower()
        if key not in fields:
            fields[key] = match.group(2)
    name = fields.get("name") or None
    if name is None:
        return None
    version = fields.get("version") or None
    return Package(name=name, version=version)


def parse_python_info(text):
    # type: (str) -> Optional[PythonEnv]
    """What ``scripts/python_info.py`` printed → PythonEnv, or None when no document is there.

    Tolerant: the document is the last line that is a JSON object (a ``.pth`` file or a
    ``sitecustomize`` may print before it); a field of the wrong type becomes None.
    """
    doc = _last_json_object(text)
    if doc is None:
        return None

    def text_of(key):
        value = doc.get(key)
        return value if isinstance(value, str) and value else None

    def bool_of(key):
        value = doc.get(key)
        return value if isinstance(value, bool) else None

    site_dirs = doc.get("site_dirs")
    if not isinstance(site_dirs, list):
        site_dirs = []
    error = doc.get("error")
    return PythonEnv(
        executable=text_of("executable"),
        version=text_of("version"),
        implementation=text_of("implementation"),
        prefix=text_of("prefix"),
        base_prefix=text_of("base_prefix"),
        is_venv=bool_of("is_venv"),
        is_conda=bool_of("is_conda"),
        system_site_packages=bool_of("system_site_packages"),
        user_site_enabled=bool_of("user_site_enabled"),
        user_site=text_of("user_site"),
        purelib=text_of("purelib"),
        site_dirs=tuple(d for d in site_dirs if isinstance(d, str) and d),
        source="interpreter",
        error=str(error) if error else None,
    )


def parse_torch_info(text):
    # type: (str) -> Optional[TorchRuntime]
    """What ``scripts/torch_info.py`` printed → TorchRuntime(checked=True, ...), or None."""
    doc = _last_json_object(text)
    if doc is None:
        return None

    def text_of(key):
        value = doc.get(key)
        return value if isinstance(value, str) and value else None

    def bool_of(key):
        value = doc.get(key)
        return value if isinstance(value, bool) else None

    count = doc.get("device_count")
    seconds = doc.get("seconds")
    arch_list = doc.get("arch_list")
    return TorchRuntime(
        checked=True,
        imported=bool_of("imported"),
        version=text_of("version"),
        file=text_of("file"),
        arch_list=tuple(a for a in arch_list if isinstance(a, str)) if isinstance(arch_list, list) else (),
        cuda_built=bool_of("cuda_built"),
        cuda_version=text_of("cuda_version"),
        cuda_available=bool_of("cuda_available"),
        device_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        device_name=text_of("device_name"),
        device_capability=text_of("device_capability"),
        error=text_of("error"),
        torchvision_imported=bool_of("torchvision_imported"),
        torchvision_version=text_of("torchvision_version"),
        torchvision_error=text_of("torchvision_error"),
        torchvision_file=text_of("torchvision_file"),
        torchvision_ops=bool_of("torchvision_ops"),
        seconds=float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None,
    )


def parse_pyvenv_cfg(text):
    # type: (str) -> Dict[str, str]
    """``pyvenv.cfg`` → {lower-cased key: value}; {} for garbage."""
    cfg = {}  # type: Dict[str, str]
    if not isinstance(text, str):
        return cfg
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            cfg[key.strip().lower()] = value.strip()
    return cfg


def _last_json_object(text):
    if not isinstance(text, str):
        return None
    for line in reversed(text.splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict):
            return doc
    return None


# -- packages ------------------------------------------------------------------------------

def is_wanted(name):
    # type: (str) -> bool
    """The default selection of ``read_packages``: the packages the doctor reasons about."""
    name = normalize_name(name)
    return name in WANTED_PACKAGES or name.startswith(WANTED_PREFIXES)


def _name_from_entry(entry, suffix):
    """``torch-1.10.0.dist-info`` → ``torch``; ``torch2trt-0.5.0-py3.6.egg`` → ``torch2trt``."""
    stem = entry[:-len(suffix)]
    return stem.split("-", 1)[0]


def _version_from_entry(entry, suffix):
    parts = entry[:-len(suffix)].split("-")
    return parts[1] if len(parts) > 1 and parts[1] else None


def read_packages(host, site_dirs, select=None):
    # type: (object, Iterable[str], Optional[Callable[[str], bool]]) -> Dict[str, Package]
    """Installed packages visible on ``site_dirs`` (in ``sys.path`` order), read from their
    metadata through the host without importing them. Keys are normalised names; the first
    occurrence wins and later copies are listed in ``duplicates``.

    ``select(name)`` chooses which packages to read (default ``is_wanted``): only their
    metadata files are opened, so a big site-packages costs a directory listing.
    """
    select = select or is_wanted
    found = {}  # type: Dict[str, Package]
    extra = {}  # type: Dict[str, List[str]]
    for site in site_dirs:
        if site.endswith(".egg"):
            _add(found, extra, _read_egg(host, site, posixpath.basename(site), posixpath.dirname(site)))
            continue
        for entry in host.listdir(site):
            package = None
            if entry.endswith(".dist-info"):
                if select(_name_from_entry(entry, ".dist-info")):
                    package = _read_metadata_file(host, posixpath.join(site, entry, "METADATA"), entry,
                                                  ".dist-info", site, "dist-info", posixpath.join(site, entry))
            elif entry.endswith(".egg-info"):
                if select(_name_from_entry(entry, ".egg-info")):
                    path = posixpath.join(site, entry)
                    holder = posixpath.join(path, "PKG-INFO") if host.is_dir(path) else path
                    package = _read_metadata_file(host, holder, entry, ".egg-info", site, "egg-info", path)
            elif entry.endswith(".egg"):
                if select(_name_from_entry(entry, ".egg")):
                    package = _read_egg(host, posixpath.join(site, entry), entry, site)
            elif entry.endswith(".egg-link"):
                if select(entry[:-len(".egg-link")]):
                    package = _read_egg_link(host, posixpath.join(site, entry), entry[:-len(".egg-link")])
            if package is not None:
                _add(found, extra, package)
    for key, paths in extra.items():
        found[key] = _with_duplicates(found[key], paths)
    return found


def _add(found, extra, package):
    if package is None:
        return
    key = normalize_name(package.name)
    if key in found:
        if package.path not in extra.setdefault(key, []) and package.path != found[key].path:
            extra[key].append(package.path)
    else:
        found[key] = package


def _with_duplicates(package, paths):
    import dataclasses
    return dataclasses.replace(package, duplicates=tuple(paths))


def _read_metadata_file(host, holder, entry, suffix, location, kind, path):
    text = host.read_text(holder)
    parsed = parse_dist_metadata(text) if text is not None else None
    name = parsed.name if parsed else _name_from_entry(entry, suffix)
    version = parsed.version if parsed and parsed.version else _version_from_entry(entry, suffix)
    return Package(name=name, version=version, location=location, kind=kind, path=path)


def _read_egg(host, egg, entry, location):
    """An ``.egg`` folder (``EGG-INFO/PKG-INFO``) or zip file; location is the egg itself
    (that is the sys.path entry an egg install adds)."""
    if host.is_dir(egg):
        text = host.read_text(posixpath.join(egg, "EGG-INFO", "PKG-INFO"))
    else:
        text = _pkg_info_from_zip(host.read_bytes(egg))
    parsed = parse_dist_metadata(text) if text is not None else None
    name = parsed.name if parsed else _name_from_entry(entry, ".egg")
    version = parsed.version if parsed and parsed.version else _version_from_entry(entry, ".egg")
    return Package(name=name, version=version, location=egg, kind="egg", path=egg)


def _pkg_info_from_zip(data):
    if not data:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("EGG-INFO/PKG-INFO").decode("utf-8", "replace")
    except (zipfile.BadZipfile, KeyError, OSError, RuntimeError, ValueError):
        return None


def _read_egg_link(host, link, name):
    """``setup.py develop`` / legacy ``pip install -e``: the file names the source folder."""
    text = host.read_text(link) or ""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    if not lines:
        return Package(name=name, location=None, kind="egg-link", path=link)
    source = lines[0]
    candidates = [posixpath.join(source, e) for e in host.listdir(source) if e.endswith(".egg-info")]
    wanted = normalize_name(name)
    for info in candidates:
        if normalize_name(_name_from_entry(posixpath.basename(info), ".egg-info")) == wanted:
            parsed = parse_dist_metadata(host.read_text(posixpath.join(info, "PKG-INFO")) or "")
            if parsed is not None:
                return Package(name=parsed.name, version=parsed.version, location=source,
                               kind="egg-link", path=link)
    return Package(name=name, location=source, kind="egg-link", path=link)


# -- the interpreter ---------------------------------------------------------------------------

def _script(name):
    data = pkgutil.get_data("trtsetup", "probes/scripts/" + name)
    return data.decode("utf-8")


def _default_python(host):
    return host.which("python3")


def read_python(host, python=None):
    # type: (object, Optional[str]) -> PythonEnv
    """The target interpreter (``python``, default the ``python3`` on the host's PATH) and
    the packages it sees. Never raises for a missing or broken interpreter: ``error`` says
    what happened (the doctor turns it into a failing check)."""
    if python is None:
        python = _default_python(host)
        if python is None:
            return PythonEnv(error="no python3 on PATH ({})".format(host.env.get("PATH", "")))
    if not host.can_run:
        env = _python_from_files(host, python)
    else:
        env = _python_from_interpreter(host, python)
    if env.error is None and env.site_dirs:
        import dataclasses
        env = dataclasses.replace(env, packages=read_packages(host, env.site_dirs))
    return env


def _python_from_interpreter(host, python):
    result = host.run([python, "-c", _script("python_info.py")], timeout=PYTHON_INFO_TIMEOUT, cwd="/")
    if result.error == "not-found" or (result.returncode is None and not host.exists(python)):
        return PythonEnv(executable=python, error="{} does not exist".format(python), source="interpreter")
    if result.error == "timeout":
        return PythonEnv(executable=python, source="interpreter",
                         error="{} did not answer within {:.0f} s".format(python, PYTHON_INFO_TIMEOUT))
    if result.error == "unavailable":
        return PythonEnv(executable=python, source="interpreter",
                         error="no answer from {} was recorded in this {}".format(python, host.description))
    if result.error is not None:
        return PythonEnv(executable=python, source="interpreter",
                         error="{} could not be run: {}".format(python, result.error))
    env = parse_python_info(result.stdout)
    if env is None or result.returncode != 0:
        detail = _tail(result.stderr) or _tail(result.stdout) or "no output"
        return PythonEnv(executable=python, source="interpreter",
                         error="{} exited with {} and printed no answer: {}".format(
                             python, _exit_text(result.returncode), detail))
    # sys.executable pins the interpreter that answered (a pyenv shim picks one per cwd).
    executable = env.executable if env.executable and env.executable.startswith("/") else python
    import dataclasses
    return dataclasses.replace(env, executable=executable)


def _tail(text, lines=3):
    kept = [l.rstrip() for l in (text or "").splitlines() if l.strip()]
    return " | ".join(kept[-lines:])[:500]


def _exit_text(returncode):
    if returncode is None:
        return "no status"
    if returncode < 0:
        try:
            return "signal {}".format(signal.Signals(-returncode).name)
        except ValueError:
            return "signal {}".format(-returncode)
    return "status {}".format(returncode)


# -- inference from a captured tree ------------------------------------------------------------

def _python_from_files(host, python):
    """A captured tree runs nothing: infer the interpreter from names and layout.

    Version: the resolved name (``python3`` → ``python3.6``), else the newest
    ``pythonX.Y`` beside it; the patch level from dpkg's ``pythonX.Y-minimal`` when present.
    Venv: ``pyvenv.cfg`` beside ``bin/`` (``version``, ``home``, system site packages).
    Site dirs: ``PREFIX/lib/pythonX.Y/site-packages`` and, for a /usr or /usr/local
    interpreter, the Debian/Ubuntu ``dist-packages`` dirs and user sites under HOME, /root
    and /home/* — the ones that exist, in the order Debian's Python searches them.
    """
    if not host.exists(python):
        return PythonEnv(executable=python, source="files", error="{} does not exist".format(python))
    bindir = posixpath.dirname(python)
    venv_root = posixpath.dirname(bindir)
    cfg_text = host.read_text(posixpath.join(venv_root, "pyvenv.cfg"))
    cfg = parse_pyvenv_cfg(cfg_text) if cfg_text is not None else None

    real = host.realpath(python)
    major_minor = _version_from_name(posixpath.basename(real)) or _version_from_name(posixpath.basename(python))
    if major_minor is None:
        major_minor = _newest_beside(host, posixpath.dirname(real)) or _newest_beside(host, bindir)
    cfg_version = (cfg.get("version") or cfg.get("version_info")) if cfg is not None else None
    if cfg_version:
        version = cfg_version  # "3.8.10" (venv) / "3.8.10.final.0" (virtualenv's version_info)
        match = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", version)
        if match:
            major_minor = (match.group(1), match.group(2))
            version = ".".join(g for g in match.groups() if g)
    elif major_minor is not None:
        version = _dpkg_python_version(host, major_minor) or "{}.{}".format(*major_minor)
    else:
        version = None
    if major_minor is None:
        return PythonEnv(executable=python, source="files",
                         error="cannot tell which Python {} is from the captured files".format(python))

    xy = "python{}.{}".format(*major_minor)
    is_venv = cfg is not None
    prefix = venv_root if is_venv else posixpath.dirname(posixpath.dirname(real))
    base_prefix = prefix
    system_site = None
    if is_venv:
        home = cfg.get("home")
        base_prefix = posixpath.dirname(home) if home else None
        system_site = (cfg.get("include-system-site-packages", "false").lower() == "true")
    is_conda = host.is_dir(posixpath.join(prefix, "conda-meta"))
    homes = _homes(host)
    user_sites = [posixpath.join(h, ".local", "lib", xy, "site-packages") for h in homes]
    user_site = next((u for u in user_sites if host.is_dir(u)), user_sites[0] if user_sites else None)
    user_enabled = (not is_venv) or system_site

    candidates = []  # type: List[str]
    if is_venv:
        candidates.append(posixpath.join(prefix, "lib", xy, "site-packages"))
    if (not is_venv) or system_site:
        base = base_prefix or prefix
        if user_enabled:
            candidates.extend(user_sites)
        candidates.extend(_base_site_dirs(base, xy))
    site_dirs = []  # type: List[str]
    for candidate in candidates:
        if candidate not in site_dirs and host.is_dir(candidate):
            site_dirs.append(candidate)
    return PythonEnv(executable=python, version=version, implementation=None, prefix=prefix,
                     base_prefix=base_prefix, is_venv=is_venv, is_conda=is_conda,
                     system_site_packages=system_site, user_site_enabled=user_enabled,
                     user_site=user_site,
                     purelib=_purelib(prefix, xy, is_venv),
                     site_dirs=tuple(site_dirs), source="files")


def _purelib(prefix, xy, is_venv):
    """Where ``pip install`` puts packages (Debian patches its python to /usr/local)."""
    if prefix == "/usr" and not is_venv:
        return "/usr/local/lib/{}/dist-packages".format(xy)
    return posixpath.join(prefix, "lib", xy, "site-packages")


def _base_site_dirs(base, xy):
    if base == "/usr":
        # Debian/Ubuntu's python3: sys.path = ..., ~/.local/lib/pythonX.Y/site-packages,
        # /usr/local/lib/pythonX.Y/dist-packages, /usr/lib/python3/dist-packages,
        # /usr/lib/pythonX.Y/dist-packages (JetPack's tensorrt lives there).
        return ["/usr/local/lib/{}/dist-packages".format(xy), "/usr/lib/python3/dist-packages",
                "/usr/lib/{}/dist-packages".format(xy), "/usr/lib/{}/site-packages".format(xy)]
    return [posixpath.join(base, "lib", xy, "site-packages")]


def _homes(host):
    homes = []  # type: List[str]
    home = host.env.get("HOME")
    if home:
        homes.append(home)
    homes.append("/root")
    homes.extend(posixpath.join("/home", n) for n in host.listdir("/home"))
    result = []  # type: List[str]
    for h in homes:
        if h not in result:
            result.append(h)
    return result


def _version_from_name(name):
    match = _PY_NAME.match(name)
    return (match.group(1), match.group(2)) if match else None


def _newest_beside(host, directory):
    best = None
    for name in host.listdir(directory):
        found = _version_from_name(name)
        if found is not None and found[0] == "3" and (best is None or int(found[1]) > int(best[1])):
            best = found
    return best


def _dpkg_python_version(host, major_minor):
    """The upstream version of dpkg's ``pythonX.Y-minimal`` (or ``pythonX.Y``), e.g. 3.6.9."""
    installed = parse_dpkg_status(host.read_text("/var/lib/dpkg/status") or "")
    for name in ("python{}.{}-minimal".format(*major_minor), "python{}.{}".format(*major_minor)):
        match = _DEB_UPSTREAM.match(installed.get(name) or "")
        if match:
            return match.group(1)
    return None


# -- torch in a subprocess ---------------------------------------------------------------------

def read_torch_runtime(host, python, timeout=TORCH_INFO_TIMEOUT):
    # type: (object, Optional[str], float) -> TorchRuntime
    """Import torch (then torchvision, and run ``torchvision.ops.nms`` on two CPU boxes) in
    the target interpreter, in a subprocess with a timeout, with the current directory off
    ``sys.path``. ``checked=False`` when nothing can be run (a captured tree, no python)."""
    if not host.can_run or not python:
        return TorchRuntime(checked=False)
    result = host.run([python, "-c", _script("torch_info.py")], timeout=timeout, cwd="/")
    stages = _STAGE.findall(result.stderr or "")
    last_stage = stages[-1] if stages else None
    if result.error == "timeout":
        return TorchRuntime(checked=True, seconds=round(result.seconds, 3) or None,
                            error="no answer within {:.0f} s (last step: {})".format(timeout, last_stage or "start-up"))
    if result.error is not None:
        return TorchRuntime(checked=True, error="{} could not be run: {}".format(python, result.error))
    runtime = parse_torch_info(result.stdout)
    if runtime is None:
        return TorchRuntime(checked=True, imported=False if last_stage == "import torch" else None,
                            seconds=round(result.seconds, 3) or None,
                            error="python exited with {} during {}: {}".format(
                                _exit_text(result.returncode), last_stage or "start-up",
                                _tail(_without_stages(result.stderr)) or "no output"))
    if result.seconds:
        import dataclasses
        runtime = dataclasses.replace(runtime, seconds=round(result.seconds, 3))
    return runtime


def _without_stages(text):
    return "\n".join(l for l in (text or "").splitlines() if not l.startswith("trtsetup-stage: "))


# -- what the torch probe's answer depends on -------------------------------------------------

_FINGERPRINT_ENV = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "LD_PRELOAD",
                    "CUDA_HOME", "OPENBLAS_CORETYPE")


def torch_probe_fingerprint(host, env, context):
    # type: (object, PythonEnv, Dict[str, object]) -> Optional[str]
    """A digest of everything ``read_torch_runtime``'s answer depends on, or None when torch
    is not installed (nothing slow to remember).

    Inputs: the interpreter (path, version), torch's and torchvision's metadata including
    their ``RECORD`` (a different build of the same version has other file hashes), the
    environment variables that change what CUDA sees, and ``context`` (driver version, GPUs,
    L4T: given by the caller from the other probes).
    """
    import hashlib
    torch = env.packages.get("torch") if env.packages else None
    if torch is None or not env.executable:
        return None
    digest = hashlib.sha256()
    parts = [env.executable, env.version, sorted(context.items())]
    for name in ("torch", "torchvision"):
        pkg = env.packages.get(name)
        if pkg is None:
            parts.append([name, None])
            continue
        parts.append([name, pkg.version, pkg.path])
        for leaf in ("RECORD", "METADATA", "PKG-INFO", "SOURCES.txt"):
            data = host.read_bytes(posixpath.join(pkg.path, leaf)) if pkg.path else None
            if data is not None:
                digest.update(hashlib.sha256(data).digest())
                break
    parts.append([(k, host.env.get(k)) for k in _FINGERPRINT_ENV])
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()

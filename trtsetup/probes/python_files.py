"""The target Python of a captured tree (``--root``), which runs nothing: inferred from the
interpreter's name, ``pyvenv.cfg`` and the Debian/Ubuntu layout.
"""

import posixpath
import re
from typing import Dict, List

from ..facts import PythonEnv
from ..patterns import lazy
from .dpkg import read_installed

_PY_NAME = lazy(r"^python(\d)\.(\d+)$")
_DEB_UPSTREAM = lazy(r"^(?:\d+:)?(\d+\.\d+\.\d+)")


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


def python_from_files(host, python):
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
    installed = read_installed(host)
    for name in ("python{}.{}-minimal".format(*major_minor), "python{}.{}".format(*major_minor)):
        match = _DEB_UPSTREAM.match(installed.get(name) or "")
        if match:
            return match.group(1)
    return None

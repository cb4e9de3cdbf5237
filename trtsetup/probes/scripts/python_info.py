# Run inside the *target* interpreter as ``python -c <this file's text>`` by
# trtsetup.probes.python_env.read_python. Standard library only; must run on Python 2.7 and
# 3.6+ (no f-strings, no annotations). Imports no third-party package. Prints exactly one
# JSON document (one line) on stdout; anything going wrong is reported in its "error" key.
import json
import os
import sys


def _venv_cfg(prefix):
    """pyvenv.cfg of a venv (PEP 405) as a dict of lower-cased keys, or None."""
    path = os.path.join(prefix, "pyvenv.cfg")
    try:
        handle = open(path)
    except (IOError, OSError):
        return None
    try:
        cfg = {}
        for line in handle.read().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                cfg[key.strip().lower()] = value.strip()
        return cfg
    finally:
        handle.close()


def _system_site(prefix, real_prefix, cfg):
    if cfg is not None:
        value = cfg.get("include-system-site-packages")
        if value is None:
            return None
        return value.lower() == "true"
    if real_prefix is not None:
        # Old virtualenv (< 20): a marker file next to site.py disables the global site.
        lib = os.path.join(prefix, "lib", "python%d.%d" % sys.version_info[:2])
        return not os.path.exists(os.path.join(lib, "no-global-site-packages.txt"))
    return None


def _site_dirs():
    cwd_entries = ("", ".")
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    dirs = []
    for entry in sys.path:
        if entry in cwd_entries or (cwd is not None and entry == cwd):
            continue
        if entry in dirs or not os.path.exists(entry):
            continue
        dirs.append(entry)
    return dirs


def _user_site():
    import site
    enabled = getattr(site, "ENABLE_USER_SITE", None)
    path = getattr(site, "USER_SITE", None)
    if path is None:
        try:
            path = site.getusersitepackages()
        except Exception:  # old virtualenv replaces site.py without this function
            path = None
    return enabled, path


def _purelib():
    try:
        import sysconfig
        return sysconfig.get_paths()["purelib"]
    except Exception:
        return None


def main():
    doc = {"schema": 1, "error": None}
    try:
        import platform
        prefix = sys.prefix
        real_prefix = getattr(sys, "real_prefix", None)
        base_prefix = real_prefix or getattr(sys, "base_prefix", None) or prefix
        cfg = _venv_cfg(prefix)
        enabled, user_site = _user_site()
        doc.update({
            "executable": sys.executable or None,
            "version": "%d.%d.%d" % sys.version_info[:3],
            "version_info": list(sys.version_info[:3]),
            "implementation": platform.python_implementation(),
            "prefix": prefix,
            "base_prefix": base_prefix,
            "is_venv": base_prefix != prefix or real_prefix is not None or cfg is not None,
            "is_conda": os.path.isdir(os.path.join(prefix, "conda-meta")),
            "system_site_packages": _system_site(prefix, real_prefix, cfg),
            "user_site_enabled": enabled,
            "user_site": user_site,
            "purelib": _purelib(),
            "site_dirs": _site_dirs(),
        })
    except Exception as exc:  # report, never a traceback
        doc["error"] = "%s: %s" % (type(exc).__name__, exc)
    sys.stdout.write(json.dumps(doc, sort_keys=True) + "\n")
    sys.stdout.flush()


main()

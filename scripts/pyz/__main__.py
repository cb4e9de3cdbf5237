"""Start-up of trtsetup.pyz: put the bundled dependencies on sys.path, then run the CLI.

This file becomes ``__main__.py`` at the top of the archive (scripts/build-pyz). The layout:
``trtsetup/`` (the package) and ``_vendor/`` (pure-Python dependencies that run on
3.6-3.13). Whatever the target interpreter already has installed is not used: the archive
runs the same code everywhere, also under ``python3 -I``.
"""

import os
import sys


def _archive():
    # sys.argv[0] / __file__ is "<archive>/__main__.py" when run as `python3 trtsetup.pyz`.
    return os.path.dirname(os.path.abspath(__file__))


def _add_vendor_paths(archive):
    # After the archive itself (sys.path[0]), before site-packages: our pins win.
    sys.path.insert(1, os.path.join(archive, "_vendor"))


def _certifi_from_archive():
    """certifi on 3.6 returns a path inside the archive, which no one can open; extract the
    CA bundle once to the cache directory instead (3.7+ certifi does this itself)."""
    if sys.version_info >= (3, 7):
        return
    import hashlib
    import pkgutil
    import certifi
    import certifi.core

    state = {}

    def where():
        if "path" not in state:
            data = pkgutil.get_data("certifi", "cacert.pem")
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            directory = os.path.join(base, "trtsetup", "pyz")
            path = os.path.join(directory, "cacert-{}.pem".format(hashlib.sha256(data).hexdigest()[:16]))
            if not os.path.isfile(path):
                os.makedirs(directory, exist_ok=True)
                tmp = "{}.{}.tmp".format(path, os.getpid())
                with open(tmp, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            state["path"] = path
        return state["path"]

    certifi.where = where
    certifi.core.where = where


def run():
    archive = _archive()
    _add_vendor_paths(archive)
    _certifi_from_archive()
    from trtsetup.entry import main
    return main()


if __name__ == "__main__":
    sys.exit(run())

"""Files shipped inside the trtsetup package: recipes, probe scripts, converter patches.

What ``pkgutil.get_data("trtsetup", path)`` does, without importing pkgutil (a millisecond of
every doctor run, issue 10): the loader that loaded this module reads a path beside it, from a
directory and from the zipapp (zipimport) alike.
"""

import os

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def read_package_data(relative):
    # type: (str) -> bytes
    """The bytes of ``relative`` (``/``-separated, under trtsetup/); OSError when it is missing."""
    return __spec__.loader.get_data(os.path.join(_PACKAGE_DIR, *relative.split("/")))

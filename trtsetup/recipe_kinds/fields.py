"""Field checks shared by the recipes validators: each raises ``RecipeError`` naming the file
and the key (``recipes l4t.json: 36.6.0.jetpack: missing``).

The loader (``trtsetup/recipes.py``) adds the fix: a shipped file is a damaged install, an
overlay file is the user's to correct.
"""


from ..errors import RecipeError
from ..patterns import lazy

_VERSION = lazy(r"^\d+(\.\d+)*$")


def fail(filename, key, message):
    raise RecipeError("recipes {}: {}: {}".format(filename, key, message))


def require(filename, key, obj, name, kind=str, optional=False):
    if name not in obj or obj[name] is None:
        if optional:
            return None
        fail(filename, "{}.{}".format(key, name), "missing")
    value = obj[name]
    if not isinstance(value, kind):
        fail(filename, "{}.{}".format(key, name), "expected {}, got {!r}".format(
            getattr(kind, "__name__", kind), value))
    return value


def require_version(filename, key, obj, name, optional=False):
    value = require(filename, key, obj, name, str, optional)
    if value is not None and not _VERSION.match(value):
        fail(filename, "{}.{}".format(key, name), "not a dotted version: {!r}".format(value))
    return value


def require_https(filename, key, obj, name, optional=False):
    value = require(filename, key, obj, name, str, optional)
    if value is not None and not value.startswith("https://"):
        fail(filename, "{}.{}".format(key, name), "URL must be https: {!r}".format(value))
    return value

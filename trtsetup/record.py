"""Immutable records: classes of named fields with defaults, compared and hashed by value.

This is what the facts, the Jetson identity and the plan are made of. ``dataclasses`` would
do the same, but it writes and compiles six methods for every class when the module is
imported (``exec``): for the 25 record classes ``doctor --fast`` loads that was a tenth of its
0.1 s budget, before any probe ran. Here the methods are written once, below, and read each
class's field list.

    @record
    class Gpu:
        index: Optional[int] = None
        name: Optional[str] = None
        notes: Dict[str, str] = factory(dict)   # a new dict for every record

``Gpu(0, name="H200")``; ``fields(Gpu)`` is ``("index", "name", "notes")``;
``replace(gpu, name="H100")`` is a changed copy; assigning to a field raises
``FrozenRecordError``. A field without a default is required.
"""

from typing import Any, Callable, Tuple

_REQUIRED = object()


class FrozenRecordError(AttributeError):
    """A field of a record was assigned or deleted: records never change, ``replace`` copies."""


class _Factory(object):
    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


def factory(make):
    # type: (Callable[[], Any]) -> Any
    """A default made anew for each record (a dict, a list, a nested record)."""
    return _Factory(make)


def record(cls):
    """Make ``cls`` a record: its annotated names, in order (a base record's first), are
    its fields; the class attribute of the same name, if any, is the default."""
    names = []
    defaults = {}
    for base in reversed(cls.__mro__[1:]):
        for name in getattr(base, "__record_fields__", ()):
            if name not in names:
                names.append(name)
            defaults[name] = base.__record_defaults__[name]
    for name in cls.__dict__.get("__annotations__", {}):
        if name not in names:
            names.append(name)
        default = cls.__dict__.get(name, _REQUIRED)
        if isinstance(default, (list, dict, set)):
            raise TypeError("{}.{}: a mutable default is shared by every record; use factory({})".format(
                cls.__name__, name, type(default).__name__))
        if isinstance(default, _Factory):
            delattr(cls, name)  # always set on the instance
        defaults[name] = default
    seen_default = None
    for name in names:
        if defaults[name] is not _REQUIRED:
            seen_default = name
        elif seen_default is not None:
            raise TypeError("{}.{}: a required field after {!r}, which has a default".format(
                cls.__name__, name, seen_default))
    cls.__record_fields__ = tuple(names)
    cls.__record_defaults__ = defaults
    for name, method in _METHODS.items():
        setattr(cls, name, method)
    return cls


def is_record(value):
    # type: (Any) -> bool
    """True for a record (an instance, not the class)."""
    return hasattr(type(value), "__record_fields__")


def fields(record_or_class):
    # type: (Any) -> Tuple[str, ...]
    cls = record_or_class if isinstance(record_or_class, type) else type(record_or_class)
    return cls.__record_fields__


def values(item):
    # type: (Any) -> Tuple[Any, ...]
    return tuple(getattr(item, name) for name in type(item).__record_fields__)


def replace(item, **changes):
    """A copy of ``item`` with ``changes`` (field names) applied."""
    kwargs = {name: getattr(item, name) for name in type(item).__record_fields__}
    for name, value in changes.items():
        if name not in kwargs:
            raise TypeError("{}() has no field {!r}".format(type(item).__name__, name))
        kwargs[name] = value
    return type(item)(**kwargs)


def _init(self, *args, **kwargs):
    cls = type(self)
    names = cls.__record_fields__
    if len(args) > len(names):
        raise TypeError("{}() takes {} positional arguments but {} were given".format(
            cls.__name__, len(names), len(args)))
    given = dict(zip(names, args))
    for name, value in kwargs.items():
        if name in given:
            raise TypeError("{}() got multiple values for argument {!r}".format(cls.__name__, name))
        if name not in cls.__record_defaults__:
            raise TypeError("{}() got an unexpected keyword argument {!r}".format(cls.__name__, name))
        given[name] = value
    for name in names:
        if name in given:
            value = given[name]
        else:
            value = cls.__record_defaults__[name]
            if value is _REQUIRED:
                raise TypeError("{}() missing required argument {!r}".format(cls.__name__, name))
            if isinstance(value, _Factory):
                value = value.make()
        object.__setattr__(self, name, value)


def _repr(self):
    return "{}({})".format(type(self).__qualname__, ", ".join(
        "{}={!r}".format(name, getattr(self, name)) for name in type(self).__record_fields__))


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    return values(self) == values(other)


def _hash(self):
    return hash(values(self))


def _setattr(self, name, value):
    raise FrozenRecordError("cannot assign to field {!r}: records never change (use replace)".format(name))


def _delattr(self, name):
    raise FrozenRecordError("cannot delete field {!r}: records never change".format(name))


_METHODS = {"__init__": _init, "__repr__": _repr, "__eq__": _eq, "__hash__": _hash,
            "__setattr__": _setattr, "__delattr__": _delattr}

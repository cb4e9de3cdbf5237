"""Command-line options as data, and a reader of argv that needs no click.

An ``Option`` says what click needs to build it (cli_options.click_option) and what
``read_argv`` needs to read it. The reader exists for the doctor's start-up time (issue 10:
importing click is a quarter of a ``doctor --fast``), so it reads only an argv it is certain
of and answers None for anything else: help, an unknown or misspelled option, a missing, empty
or option-like value, a path click would refuse. click then reads it, so every usage error and
every help text is still click's, in one wording.
"""

import os
import stat

FLAG, VALUE, MANY = "flag", "value", "many"  # an on/off switch, one value (last wins), repeatable
FILE, DIR = "file", "dir"  # what a path value must be when it exists (click.Path(dir_okay/file_okay))


class Option(object):
    """One option: its parameter name, its spellings, how it takes values, and its help."""

    __slots__ = ("dest", "flags", "takes", "path", "metavar", "help", "convert")

    def __init__(self, dest, flags, takes, help, path=None, metavar=None, convert=None):
        self.dest = dest
        self.flags = tuple(flags)
        self.takes = takes
        self.path = path
        self.metavar = metavar
        self.help = help
        self.convert = convert  # value -> value (click's callback), applied to the default too

    def default(self):
        return {FLAG: False, VALUE: None, MANY: ()}[self.takes]


def _target_python(value):
    from .host.choose import target_python
    return target_python(value)


# Shared by several commands (cli_options builds their click decorators from these).
SNAPSHOT = Option("snapshot_file", ["--snapshot"], VALUE, path=FILE,
                  help="Diagnose a snapshot file written by `trtsetup snapshot` on another machine.")
ROOT = Option("root", ["--root"], VALUE, path=DIR,
              help="Treat DIR as / of a captured system tree: read every file under it, run no command.")
PYTHON = Option("python", ["--python"], VALUE, metavar="PATH", convert=_target_python,
                help="The target interpreter (default: python3 on PATH).")
RECIPES = Option("recipes_dir", ["--recipes"], VALUE, path=DIR,
                 help="A directory of recipes JSON files overlaid on the shipped ones.")
JSON = Option("as_json", ["--json"], FLAG, help="Print one JSON document on stdout (logs go to stderr).")


def read_argv(options, args):
    """``{dest: value}`` for every option when ``args`` is certainly well-formed, else None."""
    by_flag = {flag: option for option in options for flag in option.flags}
    values = {option.dest: option.default() for option in options}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, has_value, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = by_flag.get(name)
        if option is None:
            return None
        if option.takes == FLAG:
            if has_value:
                return None
            values[option.dest] = True
            continue
        if has_value:
            value = inline
        elif rest:
            value = rest.pop(0)
        else:
            return None
        if not value or value.startswith("-") or not _path_acceptable(value, option.path):
            return None
        if option.takes == MANY:
            values[option.dest] += (value,)
        else:
            values[option.dest] = value
    for option in options:
        if option.convert is not None:
            values[option.dest] = option.convert(values[option.dest])
    return values


def _path_acceptable(value, kind):
    """What click.Path(exists=False) accepts: a missing path, or a readable one of the kind."""
    if kind is None:
        return True
    try:
        mode = os.stat(value).st_mode
    except OSError:
        return True
    if (kind == FILE and stat.S_ISDIR(mode)) or (kind == DIR and stat.S_ISREG(mode)):
        return False
    return os.access(value, os.R_OK)

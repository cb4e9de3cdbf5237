"""The options and helpers every cli command shares (cli.py and cli_docker.py use them)."""

import click

from .cli_output import out
from .cli_spec import DIR, FILE, FLAG, JSON, MANY, PYTHON, RECIPES, ROOT, SNAPSHOT
from .errors import InputError


def click_option(option):
    """The click decorator for one ``cli_spec.Option``."""
    kwargs = {"help": option.help}
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.takes == FLAG:
        kwargs["is_flag"] = True
    elif option.takes == MANY:
        kwargs["multiple"] = True
    if option.path == FILE:
        kwargs["type"] = click.Path(dir_okay=False)
    elif option.path == DIR:
        kwargs["type"] = click.Path(file_okay=False)
    if option.convert is not None:
        convert = option.convert
        kwargs["callback"] = lambda ctx, param, value: convert(value)
    return click.option(*(option.flags + (option.dest,)), **kwargs)


def with_options(options):
    """A decorator adding ``options`` in their order (the first is listed first in --help)."""
    def decorate(func):
        for option in reversed(options):
            func = click_option(option)(func)
        return func
    return decorate


host_options = with_options([ROOT, SNAPSHOT])
python_option = click_option(PYTHON)
recipes_option = click_option(RECIPES)
json_option = click_option(JSON)


def make_host(root, snapshot_file, python=None):
    from .host.choose import host_for
    return host_for(root, snapshot_file, python)


def load_recipes(recipes_dir):
    from .recipes import load_recipes
    return load_recipes(explicit=recipes_dir)


def write_output_file(path, data, what, mode=0o600):
    """Write a file the user named with -o/--html (``-`` is stdout) and say where it went.

    Only a new path or a regular file is replaced atomically; a symlink is followed, a FIFO
    or a device is written in place (``atomic.write_output``)."""
    from .atomic import write_output
    if path == "-":
        out(data.decode("utf-8"))
        return "stdout"
    try:
        written = write_output(path, data, mode=mode)
    except OSError as exc:
        raise InputError("cannot write {} {}: {}".format(what, path, exc.strerror or exc),
                         fix="Choose a writable path (a regular file, a new file, or `-` for stdout).")
    return path if written == path else "{} (-> {})".format(path, written)

"""The options and helpers every cli command shares (cli.py and cli_docker.py use them)."""

import click

from .errors import InputError


def host_options(func):
    func = click.option("--snapshot", "snapshot_file", type=click.Path(dir_okay=False),
                        help="Diagnose a snapshot file written by `trtsetup snapshot` on another machine.")(func)
    func = click.option("--root", "root", type=click.Path(file_okay=False),
                        help="Treat DIR as / of a captured system tree: read every file under it, run no command.")(func)
    return func


def python_option(func):
    from .host.choose import target_python
    return click.option("--python", "python", metavar="PATH", callback=lambda ctx, param, value: target_python(value),
                        help="The target interpreter (default: python3 on PATH).")(func)


def recipes_option(func):
    return click.option("--recipes", "recipes_dir", type=click.Path(file_okay=False),
                        help="A directory of recipes JSON files overlaid on the shipped ones.")(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON document on stdout (logs go to stderr).")(func)


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
        click.echo(data.decode("utf-8"))
        return "stdout"
    try:
        written = write_output(path, data, mode=mode)
    except OSError as exc:
        raise InputError("cannot write {} {}: {}".format(what, path, exc.strerror or exc),
                         fix="Choose a writable path (a regular file, a new file, or `-` for stdout).")
    return path if written == path else "{} (-> {})".format(path, written)

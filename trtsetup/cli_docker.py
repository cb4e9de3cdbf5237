"""``trtsetup docker``: the CSV mount lists of the NVIDIA runtime and the right images (the
click group that cli.py adds; the work is in commands/docker.py, the rendering in report/docker.py).
"""

import click

from .cli_options import host_options, json_option, load_recipes, make_host, recipes_option
from .cli_output import emit_json, out
from .errors import EXIT_FAILED, EXIT_OK, UsageError


@click.group()
def docker():
    """Docker on Jetson and x86: the CSV mount lists of the NVIDIA runtime, and the right images."""


@docker.command("csv")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--check", "check_only", is_flag=True,
              help="Check every CSV as the runtime parses it (the default): stale lines, type mismatches, "
                   "CRLF, invalid lines, duplicates, version drift, coverage gaps.")
@click.option("--print", "print_files", is_flag=True,
              help="Print FILE (tensorrt.csv, cudnn.csv, cuda.csv) regenerated from what is installed.")
@click.option("--write", is_flag=True, help="Replace the system file(s) with the regenerated text, atomically, keeping a backup.")
@click.option("--root", "root", type=click.Path(file_okay=False),
              help="Treat DIR as / of a system tree (reads, and --write, happen under it).")
@click.option("--snapshot", "snapshot_file", type=click.Path(dir_okay=False),
              help="Check the CSVs of a `trtsetup snapshot` capture (--check only).")
@recipes_option
@json_option
def docker_csv(files, check_only, print_files, write, root, snapshot_file, recipes_dir, as_json):
    """Check or regenerate /etc/nvidia-container-runtime/host-files-for-container.d/*.csv.

    Exit 0 when every line resolves, 1 when something is stale or broken, 2 when it cannot run.
    """
    from .commands import docker as docker_cmd
    from .report import docker as render
    from . import report
    if check_only and (print_files or write):
        raise UsageError("--check excludes --print and --write", fix="Give one of them.")
    if files and not (print_files or write):
        raise UsageError("FILE is for --print/--write", fix="trtsetup docker csv --print tensorrt.csv")
    if snapshot_file and (print_files or write):
        raise UsageError("--snapshot is for --check: a capture holds what the checks read, not every installed file",
                         fix="Run --print/--write on the device itself (or on a --root copy of it).")
    host = make_host(root, snapshot_file)
    recipes = load_recipes(recipes_dir)
    if print_files or write:
        results = docker_cmd.csv_print(host, recipes, list(files) or None)
        written = docker_cmd.csv_write(host, recipes, results) if write else None
        if as_json:
            emit_json(render.csv_print_json(results, written))
        elif write:
            for line in render.csv_write_lines(written):
                out(line)
        else:
            out(render.csv_print_text(results))
        return EXIT_OK
    result = docker_cmd.csv_check(host, recipes)
    if as_json:
        emit_json(render.csv_check_json(result))
    else:
        out(render.csv_check_text(result, report.style_for()))
    return result.exit_code


@docker.command("image")
@host_options
@recipes_option
@json_option
def docker_image(root, snapshot_file, recipes_dir, as_json):
    """The base, TensorRT and PyTorch images for this host, and the docker run arguments."""
    from .commands import docker as docker_cmd
    from .report import docker as render
    from . import report
    host = make_host(root, snapshot_file)
    advice = docker_cmd.image(host, load_recipes(recipes_dir))
    if as_json:
        emit_json(render.image_json(advice))
    else:
        out(render.image_text(advice, report.style_for()))
    return EXIT_OK if advice.images else EXIT_FAILED

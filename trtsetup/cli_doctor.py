"""``trtsetup doctor`` at the command line: its options as data, and the run.

cli.py makes the click command from ``OPTIONS`` (its help, its usage errors); entry.py first
tries ``read_doctor_argv``, which reads a well-formed doctor argv without importing click, so
``trtsetup doctor --fast`` starts in the time the doctor needs rather than the time click
needs (issue 10). Either way ``run_doctor`` does the work, with the same parameters.
"""

from .cli_output import emit_json, out
from .cli_spec import FLAG, MANY, JSON, PYTHON, RECIPES, ROOT, SNAPSHOT, Option, read_argv
from .errors import EXIT_OK

HELP = "Detect the platform, check everything torch2trt needs, and say how to fix what is wrong."

OPTIONS = (
    ROOT, SNAPSHOT, PYTHON, RECIPES, JSON,
    Option("fast", ["--fast"], FLAG,
           help="Skip the slow probes (importing torch and tensorrt in the target Python)."),
    Option("only", ["--check"], MANY, metavar="ID", help="Run only this check (repeatable)."),
    Option("list_checks", ["--list-checks"], FLAG, help="List the checks with their ids and exit."),
    Option("user", ["--user"], FLAG, help="Check as for `install --user` (flags --user inside a venv)."),
    Option("refresh", ["--refresh"], FLAG,
           help="Ask everything again (torch's import, the interpreter, nvidia-smi) even if nothing "
                "a remembered answer depends on changed since the last doctor run."),
    Option("verbose", ["-v", "--verbose"], FLAG, help="Show details, skipped checks and per-check timings."),
)


def read_doctor_argv(args):
    """``run_doctor``'s parameters for ``[--debug] doctor OPTION...``, or None (click reads it)."""
    args = list(args)
    if args[:1] == ["--debug"]:
        args = args[1:]
    if args[:1] != ["doctor"]:
        return None
    return read_argv(OPTIONS, args[1:])


def run_doctor(root, snapshot_file, python, recipes_dir, as_json, fast, only, list_checks, user, refresh,
               verbose):
    """Run the doctor, print its report, and return the exit code."""
    from .commands import doctor as doctor_cmd
    from .report import doctor as report
    if list_checks:
        rows = doctor_cmd.list_checks()
        if as_json:
            emit_json(report.checks_json(rows))
        else:
            out(report.render_checks_text(rows))
        return EXIT_OK
    if only:
        doctor_cmd.validate_check_ids(only)
    from .host.choose import host_for
    from .recipes import load_recipes
    host = host_for(root, snapshot_file, python)
    recipes = load_recipes(explicit=recipes_dir)
    from .probe_cache import ProbeCache, default_cache_dir
    # Answers are remembered on this machine only (never for --root/--snapshot).
    cache = ProbeCache(default_cache_dir(), read=not refresh) if host.is_live else None
    from . import progress
    spinner = progress.Spinner() if progress.wanted(as_json) else None
    try:
        result = doctor_cmd.doctor(host, recipes, python=python, fast=fast, only=only, options={"user": user},
                                   cache=cache, progress=spinner.step if spinner else None)
    finally:
        if spinner is not None:
            spinner.close()
    if as_json:
        emit_json(report.doctor_json(result))
    else:
        out(report.render_doctor_text(result, verbose=verbose))
    return result.exit_code

"""The process around the click commands: what ``python -m trtsetup`` and the console script run.

One place for what every command shares at its edges: stdio that never dies on a non-ASCII
character, SIGINT/SIGTERM that stop the children's process groups at once, one mapping of
every exception to an exit code (errors.py) and to stderr text, with ``--json`` exactly one
``trtsetup.error/1`` document on stdout, and a closed stdout (``| head -1``) ended quietly.
"""

import io
import os
import signal
import sys
import threading

import click

from .errors import EXIT_CANNOT_RUN, EXIT_OK, TrtsetupError

_emitted = []  # type: list  # the documents printed on stdout in this run (at most one)


def emit_json(doc):
    """The one document of a --json run (``run`` adds an error document only if none went out)."""
    from .report import dumps
    text = dumps(doc)
    _emitted.append(doc.get("schema"))
    click.echo(text)


def err(message):
    click.echo(message, err=True)


def _fix_ascii_stdio():
    """Under an ASCII locale (LANG unset in a container), never die on a non-ASCII character.

    Python 3.7+ coerces the C locale to UTF-8; 3.6 does not. Replace what cannot be encoded.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding in ("ascii", "ansix3.41968", "646", "usascii") and hasattr(stream, "buffer"):
            setattr(sys, name, io.TextIOWrapper(stream.buffer, encoding="ascii", errors="replace",
                                                line_buffering=True))


def _on_interrupt(signum, frame):
    """SIGINT/SIGTERM: stop every child's process group now (children run in groups of their
    own, so the terminal's Ctrl-C no longer reaches them), then unwind as KeyboardInterrupt."""
    from .host.process import kill_running_children
    kill_running_children()
    raise KeyboardInterrupt()


def _install_interrupt_handlers():
    previous = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[signum] = signal.signal(signum, _on_interrupt)
        except (OSError, ValueError):
            pass
    return previous


def run(group, argv=None):
    """Run the click ``group`` on ``argv`` and return the exit code."""
    previous = _install_interrupt_handlers()
    try:
        return _run(group, argv)
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)


def _run(cli, argv):
    args = list(sys.argv[1:] if argv is None else argv)
    _fix_ascii_stdio()
    outcome = _Outcome(as_json="--json" in args, debug="--debug" in args)
    _emitted[:] = []
    if not args:
        # No command is a usage error (2), help on stderr: click 8.2+ does this, 8.0 (the last
        # for Python 3.6) printed help and exited 0.
        err(cli.get_help(click.Context(cli, info_name="trtsetup")))
        return EXIT_CANNOT_RUN
    try:
        # make_context + invoke rather than cli.main(): click 8.0's main() aborts on 3.6 under
        # an ASCII locale before any of our code runs, and we map exceptions ourselves.
        with cli.make_context("trtsetup", args) as ctx:
            code = cli.invoke(ctx)
        return EXIT_OK if code is None else int(code)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        return _stdout_closed()
    except click.exceptions.ClickException as exc:
        return outcome.click_error(exc)
    except (click.exceptions.Abort, KeyboardInterrupt):
        return outcome.fail("interrupted", "Run the same command again.",
                            EXIT_CANNOT_RUN, "interrupted")
    except TrtsetupError as exc:
        return outcome.fail(exc.message, exc.fix, exc.exit_code, exc.kind, getattr(exc, "log_path", None))
    except Exception as exc:  # a bug: one line, and the traceback on request
        if outcome.debug:
            import traceback
            traceback.print_exc()
        return outcome.fail("internal error: {}: {}".format(type(exc).__name__, exc),
                            "Run again with --debug for the traceback, and report it with "
                            "`trtsetup snapshot -o snap.json` attached.", EXIT_CANNOT_RUN, "internal",
                            quiet=outcome.debug, hint=" (run with --debug for the traceback)")


_emitted = []  # type: list  # the documents printed on stdout in this run (at most one)


class _Outcome(object):
    """How a run that could not finish is reported: text on stderr, and with --json exactly
    one ``trtsetup.error/1`` document on stdout (unless the command's own already went out)."""

    def __init__(self, as_json, debug):
        self.as_json = as_json
        self.debug = debug

    def fail(self, message, fix, exit_code, kind, log_path=None, quiet=False, hint=""):
        try:
            if self.as_json and not _emitted:
                from .report import error_document
                emit_json(error_document(message, fix, exit_code, log_path, kind))
            if kind == "interrupted":
                err("interrupted")
            elif kind == "internal":
                if not quiet:
                    err(message + hint)
            else:
                err("error: {}".format(message))
                if fix:
                    err("fix: {}".format(fix))
                if log_path:
                    err("log: {}".format(log_path))
        except BrokenPipeError:
            return _stdout_closed()
        return exit_code

    def click_error(self, exc):
        # click's message in trtsetup's error:/fix: shape, like every other error: a user
        # who gave a bad value should not read two styles (click's Usage:/Error: block).
        command = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "trtsetup"
        fix = "Run `{} --help` for the options.".format(command)
        try:
            err("error: {}".format(exc.format_message()))
            err("fix: {}".format(fix))
        except BrokenPipeError:
            return _stdout_closed()
        if self.as_json and not _emitted:
            from .report import error_document
            try:
                emit_json(error_document(exc.format_message(), fix, EXIT_CANNOT_RUN, None, "usage"))
            except BrokenPipeError:
                return _stdout_closed()
        return EXIT_CANNOT_RUN


def _stdout_closed():
    """The reader of our stdout went away (``| head -1``): stop quietly. Pointing stdout at
    /dev/null keeps the interpreter's last flush from raising again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        pass
    return EXIT_OK

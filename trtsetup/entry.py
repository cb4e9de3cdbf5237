"""The process: what ``python -m trtsetup`` and the console script run (``main``).

One place for what every command shares at its edges: stdio that never dies on a non-ASCII
character, SIGINT/SIGTERM that stop the children's process groups at once, one mapping of
every exception to an exit code (errors.py) and to stderr text, with ``--json`` exactly one
``trtsetup.error/1`` document on stdout, and a closed stdout (``| head -1``) ended quietly.

A well-formed ``doctor`` argv runs without importing click (cli_doctor.py, issue 10); every
other argv, and any doctor argv the fast reader is not certain of, goes to cli.py's click group.
click is therefore imported only there, and its exceptions are recognised only once it is loaded.
"""

import codecs
import io
import os
import signal
import sys
import threading

from .cli_output import emit_json, emitted, err, forget_emitted
from .errors import EXIT_CANNOT_RUN, EXIT_OK, TrtsetupError


def _fix_ascii_stdio():
    """Under an ASCII locale (LANG unset in a container), never die on a non-ASCII character.

    Python 3.7+ coerces the C locale to UTF-8; 3.6 does not, and names the encoding
    ``ANSI_X3.4-1968``. What cannot be encoded is written as a backslash escape: inside a JSON
    string that is the same character (``\\u2192`` is ``→``), so ``--json`` loses nothing.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if _is_ascii(getattr(stream, "encoding", None)) and hasattr(stream, "buffer"):
            setattr(sys, name, io.TextIOWrapper(stream.buffer, encoding="ascii", errors="backslashreplace",
                                                line_buffering=True))


def _is_ascii(encoding):
    if not encoding:
        return False
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


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


def main(argv=None):
    """Run trtsetup on ``argv`` (default: sys.argv[1:]) and return the exit code."""
    previous = _install_interrupt_handlers()
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)


def _run(args):
    _fix_ascii_stdio()
    outcome = _Outcome(as_json="--json" in args, debug="--debug" in args)
    forget_emitted()
    try:
        from .cli_doctor import read_doctor_argv, run_doctor
        doctor_params = read_doctor_argv(args)
        if doctor_params is not None:
            return run_doctor(**doctor_params)
        return _run_click(args)
    except BrokenPipeError:
        return _stdout_closed()
    except KeyboardInterrupt:
        return outcome.interrupted()
    except TrtsetupError as exc:
        return outcome.fail(exc.message, exc.fix, exc.exit_code, exc.kind, getattr(exc, "log_path", None))
    except Exception as exc:
        click = sys.modules.get("click")  # none of click's exceptions exist before it is loaded
        if click is None:
            return outcome.internal(exc)
        if isinstance(exc, click.exceptions.Exit):
            return exc.exit_code
        if isinstance(exc, click.exceptions.ClickException):
            return outcome.click_error(exc)
        if isinstance(exc, click.exceptions.Abort):
            return outcome.interrupted()
        return outcome.internal(exc)


def _run_click(args):
    import click
    from .cli import cli
    if not args:
        # No command is a usage error (2), help on stderr: click 8.2+ does this, 8.0 (the last
        # for Python 3.6) printed help and exited 0.
        err(cli.get_help(click.Context(cli, info_name="trtsetup")))
        return EXIT_CANNOT_RUN
    # make_context + invoke rather than cli.main(): click 8.0's main() aborts on 3.6 under
    # an ASCII locale before any of our code runs, and we map exceptions ourselves.
    with cli.make_context("trtsetup", args) as ctx:
        code = cli.invoke(ctx)
    return EXIT_OK if code is None else int(code)


class _Outcome(object):
    """How a run that could not finish is reported: text on stderr, and with --json exactly
    one ``trtsetup.error/1`` document on stdout (unless the command's own already went out)."""

    def __init__(self, as_json, debug):
        self.as_json = as_json
        self.debug = debug

    def fail(self, message, fix, exit_code, kind, log_path=None, quiet=False, hint=""):
        try:
            if self.as_json and not emitted():
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

    def interrupted(self):
        return self.fail("interrupted", "Run the same command again.", EXIT_CANNOT_RUN, "interrupted")

    def internal(self, exc):
        """A bug: one line, and the traceback on request."""
        if self.debug:
            import traceback
            traceback.print_exc()
        return self.fail("internal error: {}: {}".format(type(exc).__name__, exc),
                         "Run again with --debug for the traceback, and report it with "
                         "`trtsetup snapshot -o snap.json` attached.", EXIT_CANNOT_RUN, "internal",
                         quiet=self.debug, hint=" (run with --debug for the traceback)")

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
        if self.as_json and not emitted():
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

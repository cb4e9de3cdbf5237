"""The exception types trtsetup raises on purpose, and the exit codes they map to.

This is the only place where an error becomes an exit code; ``cli.main`` applies it.
"""

EXIT_OK = 0          # healthy / converged (warnings allowed)
EXIT_FAILED = 1      # a check or an action failed
EXIT_CANNOT_RUN = 2  # bad arguments, unreadable input, refused or interrupted step


class TrtsetupError(Exception):
    """An expected failure with a message for the user and, where we know one, a fix."""

    exit_code = EXIT_CANNOT_RUN

    def __init__(self, message, fix=None):
        super(TrtsetupError, self).__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self):
        return self.message


class UsageError(TrtsetupError):
    """Bad arguments: an unknown check id, an unknown JetPack, conflicting flags."""


class InputError(TrtsetupError):
    """Input we were asked to read is missing, unreadable or garbled (a snapshot, a recipe)."""


class RecipeError(InputError):
    """A recipes file failed validation; the message names the file and the key."""


class RefusedError(TrtsetupError):
    """A step refused to run (no root for apt, another install holds the lock, ...)."""


class Interrupted(TrtsetupError):
    """Ctrl-C or SIGTERM while a step ran; the message names the step, ``log_path`` its log."""

    def __init__(self, message, fix=None, log_path=None):
        super(Interrupted, self).__init__(message, fix)
        self.log_path = log_path


class ActionFailed(TrtsetupError):
    """A step ran and failed (a build, a download, a pip install)."""

    exit_code = EXIT_FAILED

    def __init__(self, message, fix=None, log_path=None):
        super(ActionFailed, self).__init__(message, fix)
        self.log_path = log_path

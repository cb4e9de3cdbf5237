"""The exception types trtsetup raises on purpose, and the exit codes they map to.

This is the only place where an error becomes an exit code; ``entry.main`` applies it. Each
type also names its ``kind`` for the ``trtsetup.error/1`` document; click's usage errors
are ``usage``, an interrupt is ``interrupted`` and anything unexpected is ``internal``.
"""

EXIT_OK = 0          # healthy / converged (warnings allowed)
EXIT_FAILED = 1      # a check or an action failed
EXIT_CANNOT_RUN = 2  # bad arguments, unreadable input, refused or interrupted step


class TrtsetupError(Exception):
    """An expected failure with a message for the user and, where we know one, a fix."""

    exit_code = EXIT_CANNOT_RUN
    kind = "error"

    def __init__(self, message, fix=None):
        super(TrtsetupError, self).__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self):
        return self.message


class UsageError(TrtsetupError):
    """Bad arguments: an unknown check id, an unknown JetPack, conflicting flags."""

    kind = "usage"


class InputError(TrtsetupError):
    """Input we were asked to read is missing, unreadable or garbled (a snapshot, a recipe)."""

    kind = "input"


class RecipeError(InputError):
    """A recipes file failed validation; the message names the file and the key."""


class RefusedError(TrtsetupError):
    """A step refused to run (no root for apt, another install holds the lock, ...)."""

    kind = "refused"


class Interrupted(TrtsetupError):
    """Ctrl-C or SIGTERM while a step ran; the message names the step, ``log_path`` its log."""

    def __init__(self, message, fix=None, log_path=None):
        super(Interrupted, self).__init__(message, fix)
        self.log_path = log_path


class ActionFailed(TrtsetupError):
    """A step ran and failed (a build, a download, a pip install)."""

    exit_code = EXIT_FAILED
    kind = "failed"

    def __init__(self, message, fix=None, log_path=None):
        super(ActionFailed, self).__init__(message, fix)
        self.log_path = log_path

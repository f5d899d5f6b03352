"""User-facing errors and exit codes: the CLI prints an error's message on one
line, no traceback, and exits with the error's code."""

# Exit codes of every command (README): 0 done, 3 some inputs unreadable (each
# has a row with its reason), 1 a user error stopped the run, 2 bad usage,
# 130 interrupted (Ctrl-C).
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_SOME_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class ClassifyError(Exception):
    """A problem the user can fix (bad path, bad column, unusable model)."""

    exit_code = EXIT_USER_ERROR


class UsageError(ClassifyError):
    """Options that do not go together."""

    exit_code = EXIT_USAGE


class Interrupted(ClassifyError):
    """The user stopped a run (Ctrl-C)."""

    exit_code = EXIT_INTERRUPTED


class DataError(ClassifyError):
    """Training or evaluation data that cannot be used as given."""


class ModelError(ClassifyError):
    """A model directory that is missing, altered or unreadable."""

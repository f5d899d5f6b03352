"""User-facing errors and exit codes: the CLI prints an error's message on one
line, no traceback, and exits with one of these codes."""

# Exit codes of every command (README): 0 done, 3 some inputs unreadable (each
# has a row with its reason), 1 a user error stopped the run, 2 bad usage.
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_SOME_FAILED = 0, 1, 2, 3


class ClassifyError(Exception):
    """A problem the user can fix (bad path, bad column, unusable model)."""


class DataError(ClassifyError):
    """Training or evaluation data that cannot be used as given."""


class ModelError(ClassifyError):
    """A model directory that is missing, altered or from other versions."""

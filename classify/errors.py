"""User-facing errors: the CLI prints their message on one line, no traceback."""


class ClassifyError(Exception):
    """A problem the user can fix (bad path, bad column, unusable model)."""


class DataError(ClassifyError):
    """Training or evaluation data that cannot be used as given."""


class ModelError(ClassifyError):
    """A model directory that is missing, altered or from other versions."""

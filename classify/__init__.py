"""classify: tag Arabic news articles by topic.

``classify.load_model()`` and ``classify.tag(texts, model)`` are the Python
API (see :mod:`classify.api`); the ``classify`` command is a thin layer over
the same functions.
"""

__version__ = "0.1.0"


def __getattr__(name):
    # lazy, so that `import classify` (and the CLI's start-up) costs nothing
    if name in ("load_model", "tag"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)

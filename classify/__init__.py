"""classify: tag Arabic news articles by topic."""

__version__ = "0.1.0"

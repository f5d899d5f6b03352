"""The label set and where the shipped model lives."""

import os
import sys
from pathlib import Path

LABELS = ("government-communication", "press-freedom", "other")

# Repository checkout (editable or `uv run`) first, then the copy that
# `pip install .` places under <prefix>/share; CLASSIFY_MODEL overrides both.
_CANDIDATES = (
    Path(__file__).resolve().parent.parent / "models" / "default",
    Path(sys.prefix) / "share" / "classify" / "models" / "default",
)


def default_model_dir() -> Path:
    """The model used without --model: CLASSIFY_MODEL, else the checkout's or the installed copy."""
    env = os.environ.get("CLASSIFY_MODEL")
    if env:
        return Path(env)
    for path in _CANDIDATES:
        if (path / "card.json").is_file():
            return path
    return _CANDIDATES[0]

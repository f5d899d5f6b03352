"""The Python API for notebooks and scripts: the same code the CLI runs.

    import classify
    model = classify.load_model()              # the shipped model
    rows = classify.tag(["...", "..."], model)  # one dict per text
    frame = classify.tag(df["text"], model, explain=True)  # a pandas Series in, a DataFrame out
"""

from pathlib import Path

from .model.store import load_model as _load
from .paths import default_model_dir
from .tagging.read import Article, check_text, ReadError
from .tagging.rows import tag as _tag


def load_model(path: str | Path | None = None):
    """A model directory (default: ``CLASSIFY_MODEL`` or the shipped model),
    checked and loaded; loading never runs code from the directory."""
    return _load(Path(path) if path is not None else default_model_dir())


def tag(texts, model=None, *, explain: bool = False, min_confidence: float | None = None):
    """Tag texts: a list gives a list of row dicts (``label``, ``confidence``,
    ``p_<label>``, ``uncertain``, ``error``, and ``explanation`` with
    ``explain``); a pandas Series gives a DataFrame with the Series' index.
    Texts with no Arabic or no text get their reason in ``error``."""
    model = model if model is not None else load_model()
    is_series = type(texts).__name__ == "Series" and hasattr(texts, "index")
    keys = list(texts.index) if is_series else list(range(len(texts)))
    articles = []
    for key, text in zip(keys, list(texts)):
        try:
            articles.append(Article(str(key), check_text(str(text) if text is not None else "")))
        except ReadError as exc:
            articles.append(Article(str(key), error=str(exc)))
    rows = list(_tag(model, articles, min_confidence=min_confidence, explain=explain))
    for row in rows:
        del row["path"], row["encoding"]
    if not is_series:
        return rows
    import pandas as pd

    return pd.DataFrame(rows, index=texts.index)

"""Rows: each :class:`~classify.tagging.read.Article` becomes exactly one row,
unreadable ones with their reason in ``error``; ``note`` says what reading
changed (control characters dropped, undecodable bytes replaced, stdin read
as HTML), empty when nothing."""

from itertools import islice
from typing import Iterable, Iterator

from .read import Article

BATCH = 256  # articles per batch: vectorised together, and the unit of a resumed output


def columns(classes, explain: bool = False) -> list[str]:
    """The output columns, in order, for a model's labels."""
    cols = ["path", "label", "confidence", *(f"p_{c}" for c in classes), "uncertain", "encoding", "error", "note"]
    return cols + ["explanation"] if explain else cols


def _rows(classes, batch: list[Article], proba, labels, min_confidence) -> list[dict]:
    rows, k = [], 0
    for art in batch:
        row = {"path": art.path, "encoding": art.encoding, "error": art.error, "note": art.note}
        if art.error:
            row.update({"label": "", "confidence": None, "uncertain": None})
            row.update({f"p_{c}": None for c in classes})
        else:
            p = proba[k]
            best = classes.index(labels[k])
            k += 1
            row.update({"label": str(classes[best]), "confidence": round(float(p[best]), 4)})
            row.update({f"p_{c}": round(float(v), 4) for c, v in zip(classes, p)})
            row["uncertain"] = bool(p[best] < min_confidence) if min_confidence is not None else None
        rows.append(row)
    return rows


def tag_batch(model, batch: list[Article], min_confidence=None, explain: bool = False) -> list[dict]:
    """One row per article of ``batch``, in order; the model sees only the
    readable ones."""
    texts = [a.text for a in batch if not a.error]
    labels, proba = model.predict_with_proba(texts)
    rows = _rows(list(model.labels), batch, proba, labels, min_confidence)
    if explain:
        from ..model.explain import explain_text, format_explanation

        for art, row in zip(batch, rows):
            row["explanation"] = "" if art.error else format_explanation(explain_text(model, art.text, label=row["label"]))
    return rows


def batches(articles: Iterable[Article], size: int):
    """``articles`` in lists of ``size`` (the last shorter), in order."""
    it = iter(articles)
    while batch := list(islice(it, size)):
        yield batch


def tag(model, articles: Iterable[Article], *, min_confidence=None, explain=False, batch_size=BATCH) -> Iterator[dict]:
    """Output rows for ``articles``, in order, in this process (an unreadable
    article gives its row with the error): the loop both engines run, the
    local one over the whole input, a Dask worker over its partition."""
    for batch in batches(articles, batch_size):
        yield from tag_batch(model, batch, min_confidence, explain)

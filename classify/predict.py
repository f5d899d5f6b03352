"""Tag articles with a loaded model, in batches, optionally over processes.

Every :class:`~classify.inputs.Article` becomes exactly one row, in input
order; unreadable ones carry their reason in ``error``.
"""

from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from .inputs import Article, FileRef

BATCH = 256


def columns(classes, explain: bool = False) -> list[str]:
    cols = ["path", "label", "confidence", *(f"p_{c}" for c in classes), "uncertain", "encoding", "error"]
    return cols + ["explanation"] if explain else cols


def decide(model, proba):
    """The model's labels for these probabilities (its tuned decision rule)."""
    final = model[-1] if hasattr(model, "steps") else model
    if hasattr(final, "decide"):
        return final.decide(proba)
    return np.asarray(model.classes_)[np.argmax(proba, axis=1)]


def _rows(classes, batch: list[Article], proba, labels, min_confidence) -> list[dict]:
    rows, k = [], 0
    for art in batch:
        row = {"path": art.path, "encoding": art.encoding, "error": art.error}
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
    texts = [a.text for a in batch if not a.error]
    proba = model.predict_proba(texts) if texts else np.empty((0, len(model.classes_)))
    rows = _rows(list(model.classes_), batch, proba, decide(model, proba), min_confidence)
    if explain:
        from .explain import explain_text, format_explanation

        for art, row in zip(batch, rows):
            row["explanation"] = "" if art.error else format_explanation(explain_text(model, art.text, label=row["label"]))
    return rows


def _batches(articles: Iterable[Article], size: int):
    it = iter(articles)
    while batch := list(islice(it, size)):
        yield batch


def tag(model, articles: Iterable[Article], *, min_confidence=None, explain=False, batch_size=BATCH) -> Iterator[dict]:
    for batch in _batches(articles, batch_size):
        yield from tag_batch(model, batch, min_confidence, explain)


# --- several processes: each loads the model once, batches keep input order.
_WORKER_MODEL = None


def _init_worker(model_dir):
    global _WORKER_MODEL
    from .persist import load_model

    _WORKER_MODEL, _ = load_model(model_dir)


def _work(args):
    batch, min_confidence, explain = args
    batch = [a.read() if isinstance(a, FileRef) else a for a in batch]
    return tag_batch(_WORKER_MODEL, batch, min_confidence, explain)


def tag_parallel(
    model_dir, articles, *, jobs: int, model=None, min_confidence=None, explain=False, batch_size=BATCH
) -> Iterator[dict]:
    """As :func:`tag`, over ``jobs`` processes; ``articles`` may hold
    FileRefs, which the workers read."""
    import multiprocessing as mp

    global _WORKER_MODEL
    fork = mp.get_start_method(allow_none=True) != "spawn"
    ctx = mp.get_context("fork" if fork else "spawn")
    batches = _batches(articles, batch_size)
    if fork and model is not None:
        # forked workers share the parent's loaded model (copy-on-write)
        # instead of each spending a cold start loading it again; the parent
        # tags the first batch itself, so they also start with its lookup
        # indexes and a word memo that already holds the frequent words
        _WORKER_MODEL, init = model, None
        first = next(batches, None)
        if first is None:
            return
        yield from _work((first, min_confidence, explain))
    else:
        init = _init_worker
    with ctx.Pool(jobs, initializer=init, initargs=(str(model_dir),) if init else ()) as pool:
        work = ((b, min_confidence, explain) for b in batches)
        for rows in pool.imap(_work, work, chunksize=1):
            yield from rows

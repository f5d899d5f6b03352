"""Where one process's prediction time goes, stage by stage (issue #17).

    uv run python -m bench.stages [--model models/default] [--articles 4000] [--sets 3]

Runs the predictor's own batch path (``Model.decision_function`` of a batch:
clean, normalise and lowercase, split into tokens by the compiled kernel,
each TF-IDF branch's scores, in the predictor's chunks) on ``--sets`` sets
of fresh real articles, in batches of 256 as the CLI sends them, and prints
each stage's CPU time next to camel-tools' reference normalisation of the
same articles (the floor of bench.speed). CPU time, not wall time: this
machine's load moves wall time by tens of percent.
Needs ../shared/corpora.
"""

import argparse
import time
from pathlib import Path

from bench.common import DEFAULT_MODEL, real_texts
from classify.model.clean import clean_page
from classify.model.normalize import camel_normalize
from classify.model.predictor import _chunks
from classify.model.store import load_model
from classify.model.tokens import split_texts

BATCH = 256


def stages(model, texts: list[str]) -> dict:
    """CPU seconds per stage of predicting ``texts``, batch by batch."""
    spent: dict[str, float] = {}

    def timed(name, fn, *args):
        start = time.process_time()
        out = fn(*args)
        spent[name] = spent.get(name, 0.0) + time.process_time() - start
        return out

    flags = model.normalizer.separator_flags()
    weights = model._branch_weights()
    for i in range(0, len(texts), BATCH):
        pages = timed("clean", lambda b: [clean_page(t) for t in b], texts[i : i + BATCH])
        docs = timed("normalise", lambda b: [model.normalizer.lowered(t) for t in b], pages)
        for a, b in _chunks(docs, model.CHUNK_CHARS):
            batch = timed("split", split_texts, docs[a:b], flags, *model.lead)
            for (name, vec), w in zip(model.branches, weights):
                timed(f"{name} branch", vec.scores, batch, w)
    return spent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--articles", type=int, default=4000)
    ap.add_argument("--sets", type=int, default=3)
    args = ap.parse_args()
    model = load_model(args.model)
    model.warm_up()
    for k in range(args.sets):
        texts = real_texts(args.articles, skip=k * args.articles)
        spent = stages(model, texts)
        start = time.process_time()
        for t in texts:
            camel_normalize(t)
        floor = time.process_time() - start
        total = sum(spent.values())
        parts = ", ".join(f"{name} {s:.2f}" for name, s in spent.items())
        print(f"set {k} ({args.articles} articles): {parts}; total {total:.2f} s; "
              f"camel-tools floor {floor:.2f} s; floor/ours {floor / total:.2f}", flush=True)


if __name__ == "__main__":
    main()

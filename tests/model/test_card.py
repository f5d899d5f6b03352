"""What `classify info` prints of a card's out-of-corpus evaluation."""

import numpy as np

from classify.model.card import format_card, format_evaluations
from classify.training.metrics import metrics_from_proba

LABELS = ["government-communication", "other", "press-freedom"]


def _metrics(n, seed):
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet(np.ones(3), size=n)
    y = np.asarray(LABELS)[rng.integers(0, 3, size=n)]
    return metrics_from_proba(y, proba, LABELS)


def _card(**pooled):
    ev = {"a": _metrics(20, 1), "b": _metrics(30, 2), **pooled, "mean_macro_f1": 0.5}
    return {"labels": LABELS, "created": "now", "files": {}, "evaluations": {"leave-one-corpus-out": ev}}


def test_each_pooled_part_gets_its_confidence_table():
    every, read = _metrics(50, 3), _metrics(17, 4)
    lines = format_evaluations(_card(pooled=every, pooled_reviewed=read))
    assert lines[0].startswith("leave-one-corpus-out: macro-F1 a ") and "pooled" not in lines[0]
    heads = [line for line in lines if not line.startswith(" ")]
    assert heads[1].endswith(f"every held-out article: 50 articles, ECE {every['ece']:.3f}")
    assert "people read" in heads[2] and heads[2].endswith(f"17 articles, ECE {read['ece']:.3f}")
    table = lines[lines.index(heads[2]) + 2:]
    assert [int(line.split()[4]) for line in table] == [b["n"] for b in read["confidence_bands"]]


def test_a_card_without_the_read_part_prints_the_pooled_one_only():
    text = format_card(_card(pooled=_metrics(50, 3)), "m")
    assert "every held-out article" in text and "people read" not in text
    assert all(line.startswith(("evaluation ", " ")) for line in text.splitlines() if "held-out article" in line)

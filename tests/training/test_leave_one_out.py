"""Leaving one corpus out: each group is measured by a model fitted without
it, written articles are never measured, and the per-article predictions
(bench/categories.py) are the ones the figures were computed from."""

import numpy as np
import pandas as pd

from classify.training.data import load_labelled
from classify.training.train import leave_one_out

from ..helpers import FIXTURES


def _two_corpora_and_written():
    data = load_labelled([FIXTURES])
    n = len(data)
    data["corpus"] = np.where(np.arange(n) % 2, "a", "b")
    data["method"] = np.where(np.arange(n) % 5 == 0, "written", "reviewed")
    data["reason"] = [f"reason {i}" for i in range(n)]
    return data


def test_each_corpus_is_measured_on_its_own_unwritten_articles():
    data = _two_corpora_and_written()
    rows = []
    out = leave_one_out(data, "corpus", params={"min_df": 1}, predictions=rows)
    assert [set(r["corpus"]) for r in rows] == [{"a"}, {"b"}]
    for frame in rows:
        group = frame["corpus"].iloc[0]
        expected = data[(data["corpus"] == group) & (data["method"] != "written")]
        assert sorted(frame.index) == sorted(expected.index)
        assert (frame["method"] != "written").all() and "text" not in frame.columns
        assert out[group]["n"] == len(frame)
        assert np.isclose(out[group]["accuracy"], np.mean(frame["predicted"] == frame["label"]))
        probs = frame[[c for c in frame.columns if c.startswith("p_")]].to_numpy()
        assert np.allclose(probs.sum(axis=1), 1.0)
    assert out["pooled"]["n"] == sum(len(r) for r in rows)


def test_predictions_are_optional():
    data = _two_corpora_and_written()
    assert leave_one_out(data, "corpus", params={"min_df": 1}).keys() >= {"a", "b", "pooled", "mean_macro_f1"}


def test_the_read_articles_are_measured_on_their_own_too():
    """Confidence on the articles people read (topic-rich) is reported apart
    from the pooled figure, which ordinary news dominates."""
    data = _two_corpora_and_written()
    data.loc[data.index[1::3], "method"] = "rule"
    data.loc[data["method"] == "rule", "label"] = "other"
    rows = []
    out = leave_one_out(data, "corpus", params={"min_df": 1}, predictions=rows)
    held = pd.concat(rows)
    read = held[held["method"] == "reviewed"]
    assert 0 < len(read) < len(held)
    assert out["pooled_reviewed"]["n"] == len(read)
    assert np.isclose(out["pooled_reviewed"]["accuracy"], np.mean(read["predicted"] == read["label"]))
    assert sum(b["n"] for b in out["pooled_reviewed"]["confidence_bands"]) == len(read)


def test_no_reviewed_part_when_every_row_was_read():
    out = leave_one_out(_two_corpora_and_written(), "corpus", params={"min_df": 1})
    assert "pooled_reviewed" not in out

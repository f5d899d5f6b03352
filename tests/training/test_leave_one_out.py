"""Leaving one corpus out: each group is measured by a model fitted without
it, written articles are never measured, and the per-article predictions
(bench/categories.py) are the ones the figures were computed from."""

import numpy as np

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

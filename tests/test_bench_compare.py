"""bench.compare: the macro-F1 it resamples is scikit-learn's, and a paired
comparison of a run with itself differs by exactly nothing."""

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from bench.compare import intervals, macro_f1


def _run(seed, n=600):
    rng = np.random.RandomState(seed)
    labels = np.array(["gc", "other", "pf"])
    y = labels[rng.choice(3, n, p=[0.05, 0.85, 0.10])]
    pred = np.where(rng.rand(n) < 0.8, y, labels[rng.choice(3, n)])
    return pd.DataFrame({"id": np.arange(n), "corpus": np.where(np.arange(n) % 3, "a", "b"), "label": y, "predicted": pred})


def test_macro_f1_is_scikit_learns():
    run = _run(0)
    code = {"gc": 0, "other": 1, "pf": 2}
    y, p = run["label"].map(code).to_numpy(), run["predicted"].map(code).to_numpy()
    assert np.isclose(macro_f1(y, p, 3), f1_score(run["label"], run["predicted"], average="macro"))
    # a label neither given nor predicted does not count, as in scikit-learn
    keep = run["label"].ne("gc") & run["predicted"].ne("gc")
    assert np.isclose(macro_f1(y[keep], p[keep], 3),
                      f1_score(run["label"][keep], run["predicted"][keep], average="macro"))


def test_a_run_against_itself_differs_by_nothing_and_another_by_its_intervals():
    run, other = _run(0), _run(0).assign(predicted=_run(1)["predicted"])
    same = intervals([run, run], draws=200).set_index("held out")
    assert (same[["difference", "difference low", "difference high"]] == 0).all().all()
    table = intervals([run, other], draws=200).set_index("held out")
    for name in ("a", "b", "mean"):
        r = table.loc[name]
        assert r["run 1 low"] <= r["run 1"] <= r["run 1 high"] and r["difference low"] < r["difference high"]
    assert np.isclose(table.loc["mean", "run 1"], np.mean([table.loc["a", "run 1"], table.loc["b", "run 1"]]))

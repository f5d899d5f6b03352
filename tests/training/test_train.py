"""Training: fitting, the rows a model stores, row weights, bad data files."""

import numpy as np
import scipy.sparse as sp
from typer.testing import CliRunner

from classify.cli import app

from ..helpers import FIXTURES

runner = CliRunner()


def test_binary_data_file_is_reported(tmp_path):
    data = tmp_path / "labels.csv"
    data.write_bytes(b"text,label\n\x00\x01\x02\x03")
    res = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "labels.csv: binary file" in res.stderr


def test_base_rows_keep_hard_rows_and_weights_stand_for_the_rest():
    import numpy as np

    from classify.training.train import base_rows

    class Fake:
        classes_ = np.array(["a", "b"])

        @staticmethod
        def decision_function(X):
            return np.asarray(X.sum(axis=1)).ravel()  # > 0 means "b"

    import scipy.sparse as sp

    values = np.arange(-50, 50, dtype=float)  # rows of "a": hardest are the largest
    X = sp.csr_matrix(values.reshape(-1, 1))
    y = np.array(["a"] * 100)
    y[-10:] = "b"
    Xk, yk, wk = base_rows(Fake, X, y, hard=20, easy=10)
    a_rows = Xk.toarray().ravel()[yk == "a"]
    assert sum(wk[yk == "a"]) == 90 and sum(wk[yk == "b"]) == 10
    assert set(range(20, 40)) <= set(a_rows.astype(int) + 0)  # the 20 a-rows nearest the boundary
    assert len(a_rows) == 30


def test_base_rows_keep_the_weights_rows_were_fitted_with():
    from classify.training.train import base_rows

    class Fitted:
        classes_ = np.array(["a", "b"])
        sample_weight_ = np.where(np.arange(100) % 4 == 0, 3.0, 1.0)  # every fourth row is written

        @staticmethod
        def decision_function(X):
            return np.asarray(X.sum(axis=1)).ravel()

    X = sp.csr_matrix(np.arange(-50, 50, dtype=float).reshape(-1, 1))
    y = np.array(["a"] * 90 + ["b"] * 10)
    Xk, yk, wk = base_rows(Fitted, X, y, hard=20, easy=10)
    w = Fitted.sample_weight_
    # each label's kept rows stand for its fitted weight in full
    assert np.isclose(wk[yk == "a"].sum(), w[:90].sum()) and np.isclose(wk[yk == "b"].sum(), w[90:].sum())
    # the hard rows kept in full keep their own weight
    values = Xk.toarray().ravel().astype(int) + 50
    hard = (yk == "a") & (values >= 70)
    assert hard.sum() == 20 and np.array_equal(wk[hard], w[values[hard]])


def test_written_weight_counts_written_articles_more_in_the_fit():
    from classify.training.data import load_labelled
    from classify.training.train import fit_pipeline, row_weights

    data = load_labelled([FIXTURES])
    data["method"] = np.where(np.arange(len(data)) % 3 == 0, "written", "reviewed")
    assert row_weights(data, 1.0) is None
    w = row_weights(data, 3.0)
    assert set(w[data["method"] == "written"]) == {3.0} and set(w[data["method"] != "written"]) == {1.0}
    params = {"min_df": 1, "tune_decision": False, "calibration_folds": 2}
    plain, X, y = fit_pipeline(data, params=params)
    heavy, _, _ = fit_pipeline(data, params={**params, "written_weight": 3})
    assert np.array_equal(heavy[-1].sample_weight_, w) and plain[-1].sample_weight_ is None

    def margin(pipe):  # how far each written row's own label is ahead of the best other
        S = pipe[-1].decision_function(X)[(data["method"] == "written").to_numpy()]
        own = np.array([list(pipe[-1].classes_).index(label) for label in y[(data["method"] == "written").to_numpy()]])
        rival = np.where(np.eye(S.shape[1], dtype=bool)[own], -np.inf, S).max(axis=1)
        return (S[np.arange(len(S)), own] - rival).mean()

    assert margin(heavy) > margin(plain)


def test_data_in_an_unknown_encoding_is_reported(tmp_path):
    import random

    rng = random.Random(1)
    data = tmp_path / "labels.csv"
    # no control bytes: with them, random bytes are a binary file
    data.write_bytes(b"text,label\n" + bytes(rng.randrange(32, 256) for _ in range(400)))
    res = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "labels.csv: unknown encoding" in res.stderr


# A label carved out of `other`, in tiny composed excerpts: the base model is
# trained with some sport articles labelled `other`; the user then labels
# other sport articles `sport`.


def test_the_most_frequent_terms_are_chosen_alike_on_every_machine():
    """max_features keeps the most frequent terms; among equally frequent
    ones at the cut, the first by term, whatever order a CPU's sort gives."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classify.training.estimators import WordTfidf

    # j..a appear 3, 3, 3, 2, 2, 2, 2, 2, 2, 2 times, each in its own documents
    counts = dict(zip("jihgfedcba", [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]))
    docs = [w for w, n in counts.items() for _ in range(n)] + ["z y"]
    vec = WordTfidf(ngram_range=(1, 1), max_features=5).fit(docs)
    assert sorted(vec.vocabulary_) == ["a", "b", "h", "i", "j"]
    # with no ties at the cut it is scikit-learn's own choice and idf
    rng = np.random.RandomState(0)
    docs = [[] for _ in range(100)]
    for i in range(60):  # word i appears i + 2 times in all
        for _ in range(i + 2):
            docs[rng.randint(100)].append(f"w{i:02d}")
    docs = [" ".join(d) or "x" for d in docs]
    ours = WordTfidf(ngram_range=(1, 1), max_features=20).fit(docs)
    ref = TfidfVectorizer(token_pattern=r"\S+", max_features=20, sublinear_tf=True).fit(docs)
    assert ours.vocabulary_ == ref.vocabulary_ and np.array_equal(ours.idf_, ref.idf_)

"""The classifier's two calibrations: the decision's, fitted on every
out-of-fold row, and the reported probabilities', fitted on the candidate
rows only (``confidence_on="candidates"``)."""

import numpy as np
import pytest
import scipy.sparse as sp

from classify.training.classifier import CalibratedSVM, _fit_sigmoids


def _data(seed=0):
    """Two corpora of three labels: `other` rows that are ordinary news, far
    from the topics, and candidate rows of all three labels that overlap."""
    rng = np.random.RandomState(seed)
    rows, labels, ordinary, groups = [], [], [], []
    centres = {"gc": [2.0, 0.0, 0.0], "pf": [0.0, 2.0, 0.0], "other": [0.6, 0.6, 1.0]}
    for corpus in ("a", "b"):
        for label, centre in centres.items():
            n = 60
            rows.append(rng.normal(centre, 0.9, size=(n, 3)))
            labels += [label] * n
            ordinary += [False] * n
            groups += [corpus] * n
        rows.append(rng.normal([-1.0, -1.0, 3.0], 0.5, size=(400, 3)))  # ordinary news
        labels += ["other"] * 400
        ordinary += [True] * 400
        groups += [corpus] * 400
    X = sp.csr_matrix(np.abs(np.vstack(rows)))
    return X, np.array(labels), np.array(ordinary), np.array(groups, dtype=object)


def test_candidate_confidence_changes_the_probabilities_and_not_the_labels():
    X, y, ordinary, groups = _data()
    plain = CalibratedSVM(confidence_on="all").fit(X, y, groups=groups, ordinary=ordinary)
    split = CalibratedSVM(confidence_on="candidates").fit(X, y, groups=groups, ordinary=ordinary)
    assert plain.conf_a_ is None and split.conf_a_ is not None
    # the decision is the same: same scores, decision calibration and weights
    assert np.array_equal(plain.calib_a_, split.calib_a_) and np.array_equal(plain.weights_, split.weights_)
    assert np.array_equal(plain.predict(X), split.predict(X))
    # the reported probabilities are the candidate rows' own sigmoids
    candidates = ~ordinary & ~np.isnan(split.oof_scores_[:, 0])
    a, b = _fit_sigmoids(split.oof_scores_[candidates], y[candidates], split.classes_)
    assert np.allclose(split.conf_a_, a) and np.allclose(split.conf_b_, b)
    assert not np.allclose(split.conf_a_, split.calib_a_)
    assert np.abs(split.predict_proba(X) - plain.predict_proba(X)).max() > 0.01
    labels, proba = split.predict_with_proba(X)
    assert np.array_equal(labels, split.predict(X)) and np.array_equal(proba, split.predict_proba(X))


def test_without_ordinary_rows_the_confidence_is_the_decisions():
    X, y, _, groups = _data()
    fitted = CalibratedSVM(confidence_on="candidates").fit(X, y, groups=groups)
    assert fitted.conf_a_ is None


def test_an_unknown_confidence_setting_is_refused():
    X, y, ordinary, groups = _data()
    with pytest.raises(ValueError, match="confidence_on"):
        CalibratedSVM(confidence_on="reviewed").fit(X, y, groups=groups, ordinary=ordinary)

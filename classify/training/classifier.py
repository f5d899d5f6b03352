"""Linear SVM with calibrated probabilities and a decision tuned for macro-F1.

One SVM is fitted on all the training rows. Its scores are calibrated with
one sigmoid per label, fitted on *out-of-fold* scores: each fold's rows are
scored by an SVM that never saw them. With ``groups`` (the corpus of each
row) the folds are whole groups, so the calibration and the decision weights
are learned from scores on corpora the scoring SVM did not see: the shift
users meet on new outlets and years, not the in-corpus confidence.

The *decision* multiplies the probabilities by per-label weights chosen on
those same out-of-fold scores to maximise macro-F1: the rare labels are what
users look for, and argmax under a 95% `other` prior gives their recall away.
Given ``ordinary`` (rows of ordinary news: labelled `other` because they
matched no candidate pattern), only weights that tag at most
``max_ordinary_topic`` of them as a topic are considered: an archive is mostly
ordinary news, and a small share of it is many false alarms.
With ``confidence_on="candidates"``, the probabilities the model reports
get sigmoids of their own, fitted on the same out-of-fold scores of the
rows that are *not* ordinary news: the articles a keyword search or a model
sent to reading, where the topics and the doubt are. Fitted on every row,
the sigmoids are steep, because most rows are ordinary news far from any
boundary, and they make a topic-rich set look surer than it is (out of
corpus, ECE 0.042 on the reviewed articles against 0.017 so fitted). The
decision keeps the sigmoids fitted on every row, whose weights the ordinary
news cap was tuned on, so the labels do not change.
``keep_weights`` fixes the weights of some labels (a retrained model keeps its
base model's, tuned on all the base data) and tunes only the others.

Probabilities are computed by :func:`classify.model.predictor.proba_from_scores`,
the function a loaded model uses, from the public fitted attributes
``coef_``, ``intercept_``, ``calib_a_``, ``calib_b_`` (the decision's),
``conf_a_``, ``conf_b_`` (the reported probabilities'; None when they are
the decision's) and ``weights_``.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from ..model.predictor import decide, proba_from_scores, reported_proba

WEIGHT_GRID = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


def folds(y, groups=None, n_folds: int = 5, seed: int = 0):
    """(train, test) index pairs: whole groups held out when ``groups`` are
    given (rows whose group is None or "" are always trained on: our written
    articles, which are never scored), else stratified folds."""
    y = np.asarray(y)
    if groups is not None:
        groups = np.asarray(groups, dtype=object)
        real = sorted({g for g in groups if g not in (None, "")})
        if len(real) >= 2:
            out = []
            for g in real:
                test = np.flatnonzero(groups == g)
                train = np.flatnonzero(groups != g)
                if len(set(y[train])) == len(set(y)):  # every label seen in training
                    out.append((train, test))
            if out:
                return out
    smallest = int(np.unique(y, return_counts=True)[1].min())
    return list(StratifiedKFold(max(2, min(n_folds, smallest)), shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


class CalibratedSVM(ClassifierMixin, BaseEstimator):
    """Linear SVM + out-of-fold sigmoid calibration + macro-F1 decision weights (see the module docstring)."""
    def __init__(self, C=0.1, folds=5, tune_decision=True, random_state=0, max_ordinary_topic=0.005,
                 keep_weights=None, confidence_on="all"):
        self.keep_weights = keep_weights
        self.confidence_on = confidence_on
        self.C = C
        self.folds = folds
        self.tune_decision = tune_decision
        self.random_state = random_state
        self.max_ordinary_topic = max_ordinary_topic

    def _svm(self):
        # class_weight='balanced': without it the SVM trades the rare labels'
        # recall for accuracy on `other`.
        return LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)

    def fit(self, X, y, sample_weight=None, groups=None, ordinary=None):
        """Fit on rows ``X``; ``groups`` (corpora) choose the calibration folds, ``ordinary`` marks ordinary news."""
        if self.confidence_on not in ("all", "candidates"):
            raise ValueError(f"confidence_on must be 'all' or 'candidates', not {self.confidence_on!r}")
        y = np.asarray(y).astype(str)
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        svm = self._svm().fit(X, y, sample_weight=w)
        self.classes_ = svm.classes_
        self.coef_ = np.asarray(svm.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(svm.intercept_, dtype=np.float64)
        oof = np.full((len(y), self.coef_.shape[0]), np.nan)
        for train, test in folds(y, groups, self.folds, self.random_state):
            fold = clone(svm).fit(X[train], y[train], sample_weight=None if w is None else w[train])
            oof[test] = fold.decision_function(X[test]).reshape(len(test), -1)
        scored = ~np.isnan(oof[:, 0])
        self.calib_a_, self.calib_b_ = _fit_sigmoids(oof[scored], y[scored], self.classes_,
                                                     None if w is None else w[scored])
        self.conf_a_ = self.conf_b_ = None
        if self.confidence_on == "candidates" and ordinary is not None:
            candidates = scored & ~np.asarray(ordinary, dtype=bool)
            if len(set(y[candidates])) == len(self.classes_):  # every label among them
                self.conf_a_, self.conf_b_ = _fit_sigmoids(oof[candidates], y[candidates], self.classes_,
                                                           None if w is None else w[candidates])
        kept = {str(k): float(v) for k, v in (self.keep_weights or {}).items()}
        self.weights_ = np.array([kept.get(str(c), 1.0) for c in self.classes_])
        free = [k for k, c in enumerate(self.classes_) if str(c) not in kept]
        if self.tune_decision and free:
            mask = None if ordinary is None else np.asarray(ordinary, dtype=bool)[scored]
            self.weights_ = _tune_weights(self._proba(oof[scored]), y[scored], self.classes_, mask,
                                          self.max_ordinary_topic, start=self.weights_, free=free)
        self.oof_scores_ = oof  # kept for reports; not part of a saved model
        self.sample_weight_ = w  # kept for the rows retraining stores; not part of a saved model
        return self

    def decision_function(self, X):
        """Linear scores of feature rows."""
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def _proba(self, scores):
        """The decision's probabilities."""
        return proba_from_scores(scores, self.calib_a_, self.calib_b_)

    def _reported(self, scores):
        return reported_proba(scores, (self.calib_a_, self.calib_b_), (self.conf_a_, self.conf_b_))

    def predict_proba(self, X):
        """The reported probabilities, by the function a loaded model uses."""
        return self._reported(self.decision_function(X))

    def predict(self, X):
        """The label of each feature row."""
        return decide(self.classes_, self.weights_, self._proba(self.decision_function(X)))

    def predict_with_proba(self, X):
        """(labels, reported probabilities) of feature rows, scored once."""
        scores = self.decision_function(X)
        return decide(self.classes_, self.weights_, self._proba(scores)), self._reported(scores)


def _fit_sigmoids(scores, y, classes, sample_weight=None):
    """Platt scaling per score column: p(label) = sigmoid(a * score + b), by
    logistic regression of "is this label" on the out-of-fold score."""
    scores = scores.reshape(len(scores), -1)
    targets = [classes[1]] if scores.shape[1] == 1 else list(classes)
    a, b = np.zeros(len(targets)), np.zeros(len(targets))
    for k, label in enumerate(targets):
        is_label = (y == label).astype(int)
        if is_label.min() == is_label.max():  # a label absent from the scored rows
            a[k], b[k] = 1.0, 0.0
            continue
        lr = LogisticRegression(C=1e4, max_iter=1000).fit(scores[:, [k]], is_label, sample_weight=sample_weight)
        a[k], b[k] = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return a, b


def _tune_weights(proba, y, classes, ordinary=None, max_ordinary_topic=1.0, rounds: int = 3, start=None, free=None):
    """Coordinate ascent over WEIGHT_GRID for the labels in ``free`` (all by
    default), from ``start`` (all ones by default)."""
    weights = np.ones(len(classes)) if start is None else np.array(start, dtype=float)
    free = range(len(classes)) if free is None else free
    has_other = "other" in set(classes)
    check = ordinary is not None and has_other and ordinary.any()

    def score(w):
        pred = classes[np.argmax(proba * w, axis=1)]
        if check and w is not weights and np.mean(pred[ordinary] != "other") > max_ordinary_topic:
            return -1.0  # too many false alarms on ordinary news
        return f1_score(y, pred, average="macro")

    best = score(weights)
    for _ in range(rounds):
        improved = False
        for k in free:
            for value in WEIGHT_GRID:
                trial = weights.copy()
                trial[k] = value
                s = score(trial)
                if s > best + 1e-9:
                    best, weights, improved = s, trial, True
        if not improved:
            break
    return weights

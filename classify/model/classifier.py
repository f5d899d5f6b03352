"""Linear SVM with calibrated probabilities and a decision tuned for macro-F1.

Probabilities come from scikit-learn's CalibratedClassifierCV (sigmoid, one
SVM on all data, calibrators on cross-validated scores) and stay calibrated.
The *decision* multiplies them by per-label weights chosen on those same
cross-validated scores to maximise macro-F1: the rare labels are what users
look for, and argmax under a 95% `other` prior gives their recall away.
``keep_weights`` fixes the weights of some labels (a retrained model keeps its
base model's, tuned on all the base data) and tunes only the others.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

WEIGHT_GRID = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


class CalibratedSVM(ClassifierMixin, BaseEstimator):
    keep_weights = None  # models pickled before the option existed

    def __init__(self, C=0.1, folds=5, tune_decision=True, random_state=0, keep_weights=None):
        self.C = C
        self.folds = folds
        self.tune_decision = tune_decision
        self.random_state = random_state
        self.keep_weights = keep_weights

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        # class_weight='balanced': without it the SVM trades the rare labels'
        # recall for accuracy on `other`.
        svm = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state)
        cv = StratifiedKFold(self.folds)
        self.calibrated_ = CalibratedClassifierCV(svm, method="sigmoid", cv=cv, ensemble=False).fit(
            X, y, sample_weight=sample_weight
        )
        self.classes_ = self.calibrated_.classes_
        kept = {str(k): float(v) for k, v in (self.keep_weights or {}).items()}
        self.weights_ = np.array([kept.get(str(c), 1.0) for c in self.classes_])
        free = [k for k, c in enumerate(self.classes_) if str(c) not in kept]
        if self.tune_decision and free:
            # The same folds as the calibration: these are the scores the
            # calibrators were fitted on, so no extra data is needed.
            params = {"sample_weight": sample_weight} if sample_weight is not None else None
            scores = cross_val_predict(clone(svm), X, y, cv=cv, method="decision_function", params=params)
            proba = self._proba_from_scores(scores)
            self.weights_ = _tune_weights(proba, y, self.classes_, start=self.weights_, free=free)
        return self

    def _proba_from_scores(self, scores):
        scores = scores.reshape(len(scores), -1)
        calibrators = self.calibrated_.calibrated_classifiers_[0].calibrators
        if len(self.classes_) == 2:
            p1 = calibrators[0].predict(scores[:, 0])
            return np.column_stack([1 - p1, p1])
        proba = np.column_stack([cal.predict(scores[:, k]) for k, cal in enumerate(calibrators)])
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / len(self.classes_))
        return np.where(total > 0, proba / np.where(total > 0, total, 1), uniform)

    def predict_proba(self, X):
        return self.calibrated_.predict_proba(X)

    def decide(self, proba):
        return self.classes_[np.argmax(proba * self.weights_, axis=1)]

    def predict(self, X):
        return self.decide(self.predict_proba(X))

    @property
    def svm_(self):
        """The fitted linear SVM (its coef_ explains the decision)."""
        return self.calibrated_.calibrated_classifiers_[0].estimator


def decide(model, proba):
    """The model's labels for these probabilities (its tuned decision rule)."""
    final = model[-1] if hasattr(model, "steps") else model
    if hasattr(final, "decide"):
        return final.decide(proba)
    return np.asarray(model.classes_)[np.argmax(proba, axis=1)]


def _tune_weights(proba, y, classes, rounds: int = 3, start=None, free=None):
    """Coordinate ascent over WEIGHT_GRID for the labels in ``free`` (all by
    default), from ``start`` (all ones by default)."""
    weights = np.ones(len(classes)) if start is None else np.array(start, dtype=float)
    free = range(len(classes)) if free is None else free

    def score(w):
        return f1_score(y, classes[np.argmax(proba * w, axis=1)], average="macro")

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

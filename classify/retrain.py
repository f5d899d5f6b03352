"""Add a user's labelled articles to a model without our training corpora.

A model directory carries the TF-IDF rows that its classifier depends on
(features.npz: see :func:`base_rows`; numbers, no text). To
retrain, the base model's cleaner, normaliser and vectorisers are kept as
they are, the user's articles are vectorised with them, and the classifier
is fitted again on base rows plus new rows. New labels are learned like any
other. ``--replace-labels`` instead trains on the user's data alone.
"""

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline

from .classifier import CalibratedSVM
from .errors import DataError
from .evaluate import evaluate
from .persist import load_features, load_model
from .train import describe_data, describe_pipeline, split

# Rows kept per label when a label has many: its hardest rows in full, plus a
# weighted random sample of the easy ones. On the shipped model this keeps
# ~2,000 of 11,400 training rows (12 MB) and refitting on them alone scores
# as well on the held-out outlets as the original (bench/retrain.py).
HARD_ROWS = 1000
EASY_ROWS = 500


def base_rows(classifier, X, y, *, hard: int = HARD_ROWS, easy: int = EASY_ROWS, seed: int = 0):
    """The training rows a linear model's refit depends on: (X, y, weights).

    A label's rows far on the right side of every boundary barely move an
    SVM; those near or across a boundary (support vectors) decide it. Keep,
    per label, the ``hard`` rows closest to another label in full, and a
    random ``easy`` sample weighted to stand for the rest.
    """
    y = np.asarray(y).astype(str)
    classes = list(classifier.classes_)
    S = classifier.svm_.decision_function(X)
    if S.ndim == 1:
        S = np.column_stack([-S, S])
    rng = np.random.RandomState(seed)
    keep, weights = [], []
    for k, label in enumerate(classes):
        idx = np.flatnonzero(y == label)
        if len(idx) <= hard + easy:
            keep.append(idx)
            weights.append(np.ones(len(idx)))
            continue
        own = S[idx, k]
        rival = np.delete(S[idx], k, axis=1).max(axis=1)
        order = idx[np.argsort(own - rival, kind="stable")]  # hardest first
        rest = order[hard:]
        sample = rng.choice(rest, easy, replace=False)
        keep += [order[:hard], sample]
        weights += [np.ones(hard), np.full(easy, len(rest) / easy)]
    keep, weights = np.concatenate(keep), np.concatenate(weights)
    order = np.argsort(keep)
    return sp.csr_matrix(X)[keep[order]], y[keep[order]], weights[order]


def retrain(base_dir: Path, data, *, test_groups=None, split_by="source", test_size=0.2, seed=0, new_weight=1.0):
    """Returns (model, card, features) for save_model."""
    base, base_card = load_model(base_dir)
    X_base, y_base, w_base = load_features(base_dir, base_card)
    train_df, test_df, how = split(data, test_groups=test_groups, split_by=split_by, test_size=test_size, seed=seed)
    prefix = Pipeline(base.steps[:-1])
    X_new = prefix.transform(train_df["text"].tolist())
    y_new = train_df["label"].to_numpy().astype(str)
    X = sp.vstack([X_base, X_new]).tocsr()
    y = np.concatenate([y_base, y_new])
    weights = np.concatenate([w_base, np.full(len(y_new), float(new_weight))])
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise DataError(f"label {labels[counts.argmin()]} has fewer than 2 training examples; add data")
    old = base[-1]
    known = dict(zip(map(str, old.classes_), old.weights_))
    # The base decision weights were tuned on all the base data; re-tuning
    # them on a few hundred new articles mostly adds noise. Only a new label
    # makes re-tuning necessary.
    retune = not set(labels) <= set(known)
    classifier = CalibratedSVM(
        C=old.C, folds=int(min(old.folds, counts.min())), tune_decision=retune, random_state=old.random_state
    )
    classifier.fit(X, y, sample_weight=weights)
    if not retune:
        classifier.weights_ = np.array([known[str(c)] for c in classifier.classes_])
    model = Pipeline(base.steps[:-1] + [("classify", classifier)])
    metrics = evaluate(model, test_df["text"].tolist(), test_df["label"].to_numpy()) if len(test_df) else None
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    card = {
        "name": "classify model",
        "labels": [str(c) for c in model.classes_],
        "created": now,
        "pipeline": describe_pipeline(model),
        "data": {
            "train": describe_data(train_df),
            "test": describe_data(test_df),
            "split": how,
            "files": sorted(set(data["file"])) if "file" in data.columns else [],
            "base_rows": int(len(y_base)),
            "base_articles_represented": int(round(w_base.sum())),
            "base_per_label": {str(k): int(v) for k, v in zip(*np.unique(y_base, return_counts=True))},
            "new_weight": float(new_weight),
        },
        "heldout_metrics": metrics,
        "lineage": base_card.get("lineage", [])
        + [
            {
                "date": now,
                "base_model": str(base_dir),
                "base_sha256": base_card.get("model_sha256"),
                "base_heldout_macro_f1": (base_card.get("heldout_metrics") or {}).get("macro_f1"),
                "added": describe_data(train_df),
                "added_files": sorted(set(data["file"])) if "file" in data.columns else [],
                "heldout_macro_f1": metrics["macro_f1"] if metrics else None,
            }
        ],
        "licence": base_card.get("licence", [])
        + ["Retrained with user-supplied data: its licence terms apply too."],
    }
    return model, card, (X, y, weights)

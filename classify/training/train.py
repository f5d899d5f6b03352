"""Fit a model on labelled data, measure it on a held-out part, and describe
both in the model card; or add a user's labelled articles to a model without
our training corpora (:func:`retrain`).

Retraining: a model directory carries the TF-IDF rows that its classifier
depends on (features.npz: see :func:`base_rows`; numbers, no text). The base
model's cleaner, normaliser and vectorisers are kept as they are, the user's
articles are vectorised with them, and the classifier is fitted again on base
rows plus new rows. New labels are learned like any other.
"""

from datetime import datetime, timezone

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ..errors import DataError
from ..model.classifier import CalibratedSVM
from ..model.pipeline import build_pipeline
from ..model.store import load_features, load_model
from .metrics import evaluate

LICENCE_NOTES = {
    "saudinewsnet": "SaudiNewsNet is CC BY-NC-SA 4.0: a model trained on it is for non-commercial use, "
    "shared alike, citing Alhagri (2015).",
    "antcorpus-multisource": "ANT Corpus v2.1 is Apache-2.0; its authors ask users to cite the ANT corpus "
    "papers (Chouigui et al.).",
    "written": "Articles written by the classify team (data/written/), released with this repository.",
}


def split(data: pd.DataFrame, *, test_groups=None, split_by: str = "source", test_size: float = 0.2, seed: int = 0):
    """Return (train, test, description).

    With ``test_groups`` the held-out part is those outlets (never written
    articles): the honest estimate for outlets the model has not seen.
    Otherwise a stratified random split, and the description says so.
    """
    if test_groups:
        if split_by not in data.columns:
            raise DataError(
                f"no '{split_by}' column to split by (columns: {', '.join(map(str, data.columns))}; use --split-by)"
            )
        in_test = data[split_by].astype(str).isin(set(test_groups))
        if "method" in data.columns:
            in_test &= data["method"] != "written"
        if in_test.all():
            raise DataError("--test-groups hold every article; nothing is left to train on")
        return data[~in_test], data[in_test], f"held-out {split_by}: {', '.join(sorted(test_groups))}"
    stratify = data["label"] if data["label"].value_counts().min() >= 2 else None
    try:
        train, test = train_test_split(data, test_size=test_size, random_state=seed, stratify=stratify)
    except ValueError as exc:  # too few articles for a stratified split
        raise DataError(f"cannot hold out {int(test_size * 100)}% of {len(data)} articles ({exc})") from None
    return train, test, f"random stratified {int(test_size * 100)}% (not outlet-held-out)"


def describe_data(data: pd.DataFrame) -> dict:
    out = {"articles": int(len(data)), "per_label": data["label"].value_counts().sort_index().to_dict()}
    if "corpus" in data.columns:
        out["per_corpus_label"] = {
            corpus: grp["label"].value_counts().sort_index().to_dict() for corpus, grp in data.groupby("corpus")
        }
    if "method" in data.columns:
        out["per_method"] = data["method"].value_counts().sort_index().to_dict()
    return out


def describe_pipeline(model) -> dict:
    features = model.named_steps["features"]
    final = model[-1]
    return {
        "steps": [name for name, _ in model.steps],
        "features": {
            name: {
                "analyzer": vec.analyzer,
                "ngram_range": list(vec.ngram_range),
                "min_df": vec.min_df,
                "vocabulary": len(vec.vocabulary_),
            }
            for name, vec in features.transformer_list
        },
        "classifier": f"LinearSVC(C={final.C}, class_weight=balanced) + sigmoid calibration ({final.folds} folds)",
        "decision_weights": {str(c): float(w) for c, w in zip(final.classes_, final.weights_)},
    }


def train(data: pd.DataFrame, *, test_groups=None, split_by="source", test_size=0.2, seed=0, params=None):
    """Returns (fitted pipeline, card dict, features). The shipped file is the
    model that was measured: it is fitted on the training part only.
    ``features`` are the training rows that later retraining builds on."""
    params = params or {}
    train_df, test_df, how = split(data, test_groups=test_groups, split_by=split_by, test_size=test_size, seed=seed)
    # Calibration is cross-validated inside the training part: small user
    # data sets get fewer folds rather than an error.
    smallest = int(train_df["label"].value_counts().min())
    if smallest < 2:
        raise DataError("after holding out test data a label has fewer than 2 training examples; add data")
    params = {"calibration_folds": min(5, smallest), **params}
    model = build_pipeline(random_state=seed, **params)
    started = datetime.now(timezone.utc)
    y = train_df["label"].to_numpy()
    # What Pipeline.fit does, step by step, so that the training features are
    # kept for base_rows below instead of being computed a second time.
    X = Pipeline(model.steps[:-1]).fit_transform(train_df["text"].tolist(), y)
    model[-1].fit(X, y)
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    metrics = evaluate(model, test_df["text"].tolist(), test_df["label"].to_numpy()) if len(test_df) else None
    corpora = sorted(set(data["corpus"])) if "corpus" in data.columns else []
    card = {
        "name": "classify model",
        "labels": [str(c) for c in model.classes_],
        "created": started.isoformat(timespec="seconds"),
        "training_seconds": round(seconds, 1),
        "params": params,
        "pipeline": describe_pipeline(model),
        "data": {
            "train": describe_data(train_df),
            "test": describe_data(test_df),
            "split": how,
            "corpora": corpora,
            "files": sorted(set(data["file"])) if "file" in data.columns else [],
        },
        "heldout_metrics": metrics,
        "licence": [LICENCE_NOTES[c] for c in corpora if c in LICENCE_NOTES]
        or ["Trained on user-supplied data: its licence terms apply to this model."],
    }
    return model, card, base_rows(model[-1], X, y)


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

"""Add a user's labelled articles to a model without our training corpora.

A model directory carries the compact TF-IDF rows of the articles it was
trained on (features.npz: the strongest features per article, no text). To
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

COMPACT_TOP = 300  # features kept per article: most of each row's L2 mass


def compact_rows(X, top: int = COMPACT_TOP):
    """Keep each row's ``top`` largest values: a sixth of the nonzeros."""
    X = sp.csr_matrix(X)
    indptr, indices, data = [0], [], []
    for i in range(X.shape[0]):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        vals, cols = X.data[lo:hi], X.indices[lo:hi]
        if hi - lo > top:
            keep = np.argpartition(-vals, top)[:top]
            keep.sort()
            vals, cols = vals[keep], cols[keep]
        indices.append(cols)
        data.append(vals)
        indptr.append(indptr[-1] + len(cols))
    return sp.csr_matrix(
        (np.concatenate(data) if data else [], np.concatenate(indices) if indices else [], indptr), shape=X.shape
    )


def retrain(base_dir: Path, data, *, test_groups=None, split_by="source", test_size=0.2, seed=0, new_weight=1.0):
    """Returns (model, card, features) for save_model."""
    base, base_card = load_model(base_dir)
    X_base, y_base = load_features(base_dir, base_card)
    train_df, test_df, how = split(data, test_groups=test_groups, split_by=split_by, test_size=test_size, seed=seed)
    prefix = Pipeline(base.steps[:-1])
    X_new = prefix.transform(train_df["text"].tolist())
    y_new = train_df["label"].to_numpy().astype(str)
    X = sp.vstack([X_base, compact_rows(X_new)]).tocsr()
    y = np.concatenate([y_base, y_new])
    weights = np.concatenate([np.ones(len(y_base)), np.full(len(y_new), float(new_weight))])
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise DataError(f"label {labels[counts.argmin()]} has fewer than 2 training examples; add data")
    old = base[-1]
    classifier = CalibratedSVM(C=old.C, folds=int(min(old.folds, counts.min())), random_state=old.random_state)
    classifier.fit(X, y, sample_weight=weights)
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
            "base_articles": int(len(y_base)),
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
    return model, card, (X, y)

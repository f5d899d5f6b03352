"""Fit the pipeline on labelled data, measure it on a held-out part, and
describe both in the model card."""

from datetime import datetime, timezone

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .evaluate import evaluate
from .pipeline import build_pipeline

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
            raise ValueError(f"no '{split_by}' column to split by")
        in_test = data[split_by].astype(str).isin(set(test_groups))
        if "method" in data.columns:
            in_test &= data["method"] != "written"
        return data[~in_test], data[in_test], f"held-out {split_by}: {', '.join(sorted(test_groups))}"
    stratify = data["label"] if data["label"].value_counts().min() >= 2 else None
    train, test = train_test_split(data, test_size=test_size, random_state=seed, stratify=stratify)
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
        from .errors import DataError

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
    from .retrain import base_rows

    return model, card, base_rows(model[-1], X, y)


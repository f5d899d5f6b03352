"""Fit a model on labelled data, measure it on a held-out part (or leaving
each corpus out), and describe both in the model card.

A trained model directory also carries the TF-IDF rows its classifier
depends on (:func:`base_rows`: features.npz, numbers and no text), which
:mod:`classify.training.retrain` builds on without our corpora.
"""

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ..errors import DataError
from ..model import card as cards
from .export import export
from .metrics import evaluate, metrics_from_proba
from .pipeline import build_pipeline

USER_DATA_LICENCE = "Trained on user-supplied data: its licence terms apply to this model."


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
    """Counts of a labelled frame for the card: articles, per label, per corpus and method."""
    out = {"articles": int(len(data)), "per_label": data["label"].value_counts().sort_index().to_dict()}
    if "corpus" in data.columns:
        out["per_corpus_label"] = {
            corpus: grp["label"].value_counts().sort_index().to_dict() for corpus, grp in data.groupby("corpus")
        }
    if "method" in data.columns:
        out["per_method"] = data["method"].value_counts().sort_index().to_dict()
    return out


def describe_pipeline(pipeline) -> dict:
    """The fitted pipeline's settings and sizes for the card."""
    features = pipeline.named_steps["features"]
    final = pipeline[-1]
    return {
        "steps": [name for name, _ in pipeline.steps],
        "features": {
            name: {
                "analyzer": vec.analyzer,
                "ngram_range": list(vec.ngram_range),
                "min_df": vec.min_df,
                "vocabulary": len(vec.vocabulary_),
                **({"stemmer": vec.STEMMER} if vec.STEMMER else {}),
                **({"weight": float(features.transformer_weights[name])}
                   if name in (features.transformer_weights or {}) else {}),
            }
            for name, vec in features.transformer_list
        },
        "classifier": f"LinearSVC(C={final.C}, class_weight=balanced) + sigmoid calibration on out-of-fold scores"
                      + ("; reported probabilities calibrated on the candidate (not ordinary-news) rows' out-of-fold scores"
                         if final.conf_a_ is not None else ""),
        "decision_weights": {str(c): float(w) for c, w in zip(final.classes_, final.weights_)},
    }


def _groups(frame: pd.DataFrame, calibrate_by: str | None):
    """The calibration folds' groups: ``calibrate_by``'s value per row, None
    for written articles (trained on, never scored)."""
    if not calibrate_by or calibrate_by not in frame.columns:
        return None
    groups = frame[calibrate_by].astype(str).to_numpy(dtype=object)
    if "method" in frame.columns:
        groups[frame["method"].to_numpy() == "written"] = None
    return groups


def shared_terms(pipeline, X, groups, min_groups: int) -> list[list[str]]:
    """Per TF-IDF branch, the terms found in at least ``min_groups`` of the
    training rows' groups (corpora). Words that only one corpus uses (its
    outlets' boilerplate, its year's names) are what fails on sources the
    model never saw."""
    groups = np.asarray(groups, dtype=object)
    out, offset = [], 0
    for _name, vec in pipeline.named_steps["features"].transformer_list:
        n = len(vec.vocabulary_)
        part = X[:, offset : offset + n]
        present = np.zeros(n, dtype=np.int64)
        for g in sorted(set(groups)):
            present += np.asarray((part[groups == g] != 0).sum(axis=0)).ravel() > 0
        out.append([t for t, k in zip(vec.terms(), present) if k >= min_groups])
        offset += n
    return out


def fit_pipeline(train_df: pd.DataFrame, *, params=None, seed=0, calibrate_by=None):
    """The fitted scikit-learn pipeline, its training rows X and labels y.

    ``params`` go to :func:`~classify.training.pipeline.build_pipeline`, but
    for the two that act on the rows (:data:`ROW_SETTINGS`): ``min_groups``
    keeps only terms found in at least that many groups of ``calibrate_by``
    (see :func:`shared_terms`); ``written_weight`` is the weight of each
    written article (``method=written``) against 1 for the others."""
    params = dict(params or {})
    min_groups = int(params.pop("min_groups", 0) or 0)
    written_weight = float(params.pop("written_weight", 1.0))
    smallest = int(train_df["label"].value_counts().min())
    if smallest < 2:
        raise DataError("after holding out test data a label has fewer than 2 training examples; add data")
    # small user data sets get fewer calibration folds rather than an error
    params = {"calibration_folds": min(5, smallest), **params}
    pipeline = build_pipeline(random_state=seed, **params)
    y = train_df["label"].to_numpy().astype(str)
    # What Pipeline.fit does, step by step, so that the training rows are
    # kept for base_rows instead of being computed a second time.
    prefix = Pipeline(pipeline.steps[:-1])
    X = prefix.fit_transform(train_df["text"].tolist(), y)
    if min_groups > 1 and calibrate_by and calibrate_by in train_df.columns:
        # fit again on the shared terms only: the same idf for them, and rows
        # normalised over what is kept (scikit-learn's own fixed-vocabulary fit)
        kept = shared_terms(pipeline, X, train_df[calibrate_by].astype(str).to_numpy(), min_groups)
        for (_name, vec), terms in zip(pipeline.named_steps["features"].transformer_list, kept):
            vec.set_params(vocabulary=terms)
        X = prefix.fit_transform(train_df["text"].tolist(), y)
    ordinary = (train_df["method"] == "rule").to_numpy() if "method" in train_df.columns else None
    weights = row_weights(train_df, written_weight)
    pipeline[-1].fit(X, y, sample_weight=weights, groups=_groups(train_df, calibrate_by), ordinary=ordinary)
    return pipeline, X, y


# Settings that act on the training rows, read by fit_pipeline itself.
ROW_SETTINGS = ("min_groups", "written_weight")


def row_weights(frame: pd.DataFrame, written_weight: float = 1.0):
    """Each training row's weight in the fit, or None when all are 1.

    Our written articles come from many countries, registers and years, by
    design; the corpora's rows come from three. Counting each written
    article more than once (``written_weight``) lets that breadth weigh
    against the corpora's own stories: chosen by leave-one-corpus-out, where
    written articles are trained on and never scored."""
    if written_weight == 1.0 or "method" not in frame.columns:
        return None
    weights = np.ones(len(frame))
    weights[frame["method"].to_numpy() == "written"] = written_weight
    return weights


def leave_one_out(data: pd.DataFrame, column: str, *, params=None, seed=0, calibrate_by=None,
                  predictions: list | None = None) -> dict:
    """Fit on all groups of ``column`` but one and measure on that one, for
    each group: how the model does on a corpus (or outlet) it never saw.
    Written articles are trained on, never measured. Also returns the pooled
    metrics of all held-out predictions (their confidence bands say how far
    a confidence holds on unseen sources) and, when some rows were read by
    people (``method=reviewed``) and some were not, of the read ones alone
    (``pooled_reviewed``). A ``predictions`` list receives,
    per group, the held-out rows with their ``predicted`` label and a
    ``p_<label>`` column per label (bench/categories.py reads them)."""
    if column not in data.columns:
        raise DataError(f"no '{column}' column to leave out by (columns: {', '.join(map(str, data.columns))})")
    measurable = data["method"] != "written" if "method" in data.columns else pd.Series(True, index=data.index)
    groups = sorted(set(data.loc[measurable, column].astype(str)))
    if len(groups) < 2:
        raise DataError(f"leaving one '{column}' out needs at least two; found {len(groups)}")
    classes = sorted(set(data["label"]))  # one column order for pooling (a fold may lack a label)
    out, ys, probas, preds, methods = {}, [], [], [], []
    for g in groups:
        held = data[column].astype(str) == g
        pipeline, _, _ = fit_pipeline(data[~held], params=params, seed=seed, calibrate_by=calibrate_by)
        model = export(pipeline)
        test = data[held & measurable]
        pred, proba = model.predict_with_proba(test["text"].tolist())
        y = test["label"].to_numpy().astype(str)
        out[g] = metrics_from_proba(y, proba, model.labels, pred)
        if "method" in test.columns:
            # ordinary news (rule-labelled: matched no candidate pattern) that got a topic
            ordinary = test["method"].to_numpy() == "rule"
            if ordinary.any():
                out[g]["ordinary_tagged_as_topic"] = float(np.mean(pred[ordinary] != "other"))
        if predictions is not None:
            rows = test.drop(columns=["text"]).assign(predicted=pred)
            predictions.append(rows.assign(**{f"p_{c}": proba[:, k] for k, c in enumerate(model.labels)}))
        ys.append(y)
        preds.append(pred)
        methods.append(test["method"].to_numpy().astype(str) if "method" in test.columns else np.full(len(y), ""))
        probas.append(np.column_stack([proba[:, model.labels.index(c)] if c in model.labels else np.zeros(len(y))
                                       for c in classes]))
    y, proba, pred = np.concatenate(ys), np.vstack(probas), np.concatenate(preds)
    out["pooled"] = metrics_from_proba(y, proba, classes, pred)
    # The articles people read (candidates of the keyword patterns or of a
    # model): a topic-rich set like the archives press-freedom groups tag,
    # where confidence is harder to earn than on ordinary news, which the
    # pooled bands are mostly made of.
    read = np.concatenate(methods) == "reviewed"
    if read.any() and not read.all():
        out["pooled_reviewed"] = metrics_from_proba(y[read], proba[read], classes, pred[read])
    out["mean_macro_f1"] = float(np.mean([out[g]["macro_f1"] for g in groups]))
    return out


def train(data: pd.DataFrame, *, test_groups=None, split_by="source", test_size=0.2, seed=0, params=None,
          calibrate_by=None, licences: dict | None = None, leave_out: str | None = None):
    """Returns (model, card, features). The model is the image of the
    scikit-learn pipeline fitted on the training part only, and it is what
    is measured; ``features`` are the training rows that later retraining
    builds on. ``calibrate_by`` names a column (e.g. ``corpus``) whose groups
    are held out in turn for calibration; ``licences`` maps corpus names to
    the licence notes the card repeats."""
    train_df, test_df, how = split(data, test_groups=test_groups, split_by=split_by, test_size=test_size, seed=seed)
    started = time.perf_counter()
    pipeline, X, y = fit_pipeline(train_df, params=params, seed=seed, calibrate_by=calibrate_by)
    seconds = time.perf_counter() - started
    model = export(pipeline)
    metrics = evaluate(model, test_df["text"].tolist(), test_df["label"].to_numpy()) if len(test_df) else None
    corpora = sorted(set(data["corpus"])) if "corpus" in data.columns else []
    licences = licences or {}
    card = {
        "name": "classify model",
        "created": cards.now(),
        "training_seconds": round(seconds, 1),
        "params": {**(params or {}), "calibrate_by": calibrate_by},
        "pipeline": describe_pipeline(pipeline),
        "data": {
            "train": describe_data(train_df),
            "test": describe_data(test_df),
            "split": how,
            "corpora": corpora,
            "files": sorted(set(data["file"])) if "file" in data.columns else [],
        },
        "heldout_metrics": metrics,
        "licence": [licences[c] for c in corpora if c in licences] or [USER_DATA_LICENCE],
    }
    if leave_out:
        card["evaluations"] = {
            f"leave-one-{leave_out}-out": leave_one_out(data, leave_out, params=params, seed=seed, calibrate_by=calibrate_by)
        }
    return model, card, base_rows(pipeline[-1], X, y, groups=_groups(train_df, calibrate_by))


# Rows kept per label when a label has many: its hardest rows in full, plus a
# weighted random sample of the easy ones. On the shipped model this keeps
# ~2,000 of 11,400 training rows (12 MB) and refitting on them alone scores
# as well on the held-out outlets as the original (bench/retrain.py).
HARD_ROWS = 1000
EASY_ROWS = 500


def base_rows(classifier, X, y, *, hard: int = HARD_ROWS, easy: int = EASY_ROWS, seed: int = 0, groups=None):
    """The training rows a linear model's refit depends on: (X, y, weights),
    and their calibration ``groups`` too when given (so that a refit can
    calibrate by corpus as training did).

    A label's rows far on the right side of every boundary barely move an
    SVM; those near or across a boundary (support vectors) decide it. Keep,
    per label, the ``hard`` rows closest to another label in full, and a
    random ``easy`` sample weighted to stand for the rest. Rows keep the
    weight they were fitted with (the classifier's ``sample_weight_``).
    """
    y = np.asarray(y).astype(str)
    fitted = getattr(classifier, "sample_weight_", None)
    fitted = np.ones(len(y)) if fitted is None else np.asarray(fitted, dtype=np.float64)
    classes = list(classifier.classes_)
    S = classifier.decision_function(X)
    if S.ndim == 1:
        S = np.column_stack([-S, S])
    rng = np.random.RandomState(seed)
    keep, weights = [], []
    for k, label in enumerate(classes):
        idx = np.flatnonzero(y == label)
        if len(idx) <= hard + easy:
            keep.append(idx)
            weights.append(fitted[idx])
            continue
        own = S[idx, k]
        rival = np.delete(S[idx], k, axis=1).max(axis=1)
        order = idx[np.argsort(own - rival, kind="stable")]  # hardest first
        rest = order[hard:]
        sample = rng.choice(rest, easy, replace=False)
        keep += [order[:hard], sample]
        weights += [fitted[order[:hard]], fitted[sample] * (fitted[rest].sum() / fitted[sample].sum())]
    keep, weights = np.concatenate(keep), np.concatenate(weights)
    order = np.argsort(keep)
    rows = sp.csr_matrix(X)[keep[order]], y[keep[order]], weights[order]
    if groups is None:
        return rows
    return (*rows, np.asarray(groups, dtype=object)[keep[order]])

"""Held-out metrics: per-label precision/recall/F1, macro-F1, confusion matrix,
and expected calibration error of the top probability."""

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support


def expected_calibration_error(confidence, correct, bins: int = 10) -> float:
    """Expected calibration error of ``confidence`` against ``correct`` over equal-width bins."""
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def metrics_from_proba(y_true, proba, classes, y_pred=None) -> dict:
    """Metrics of the decision ``y_pred`` (default: the most probable label);
    ECE is of the probability the chosen label was given."""
    classes = [str(c) for c in classes]
    y_true = np.asarray(y_true).astype(str)
    if y_pred is None:
        y_pred = np.asarray(classes)[np.argmax(proba, axis=1)]
    y_pred = np.asarray(y_pred).astype(str)
    labels = classes + sorted(set(y_true) - set(classes))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_label = {
        lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, lab in enumerate(labels)
    }
    present = [lab for lab in labels if per_label[lab]["support"] > 0]
    confidence = np.asarray(proba)[np.arange(len(y_pred)), [classes.index(p) for p in y_pred]]
    correct = y_true == y_pred
    return {
        "n": int(len(y_true)),
        "accuracy": float(np.mean(correct)),
        "macro_f1": float(np.mean([per_label[lab]["f1"] for lab in present])) if present else 0.0,
        "per_label": per_label,
        "confusion": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
        "ece": expected_calibration_error(confidence, correct),
        "confidence_bands": confidence_bands(confidence, correct),
        # the same bands for each label given: an article tagged press-freedom at
        # 0.9 is not as safe as one called `other` at 0.9, and the pooled bands,
        # dominated by ordinary news, hide that from whoever reviews the tags
        "confidence_by_label": {
            lab: confidence_bands(confidence[y_pred == lab], correct[y_pred == lab]) for lab in classes
        },
    }


def confidence_bands(confidence, correct, edges=(0.0, 0.5, 0.7, 0.9, 1.0001)) -> list[dict]:
    """Share of articles and accuracy per confidence band: what an analyst
    reviewing everything below a threshold takes on."""
    confidence, correct = np.asarray(confidence), np.asarray(correct)
    bands = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (confidence >= lo) & (confidence < hi)
        bands.append(
            {
                "from": lo,
                "to": min(hi, 1.0),
                "share": float(mask.mean()) if len(mask) else 0.0,
                "n": int(mask.sum()),
                "accuracy": float(correct[mask].mean()) if mask.any() else None,
            }
        )
    return bands


def evaluate(model, texts, labels) -> dict:
    """Metrics of a loaded :class:`~classify.model.predictor.Model` (what ships) on labelled texts."""
    predicted, proba = model.predict_with_proba(list(texts))
    return metrics_from_proba(labels, proba, model.labels, predicted)

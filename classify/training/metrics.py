"""Held-out metrics: per-label precision/recall/F1, macro-F1, confusion matrix,
and expected calibration error of the top probability."""

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support


def expected_calibration_error(confidence, correct, bins: int = 10) -> float:
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
    return {
        "n": int(len(y_true)),
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro_f1": float(np.mean([per_label[lab]["f1"] for lab in present])) if present else 0.0,
        "per_label": per_label,
        "confusion": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
        "ece": expected_calibration_error(confidence, y_true == y_pred),
        "confidence_bands": confidence_bands(confidence, y_true == y_pred),
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
    from ..model.classifier import decide

    proba = model.predict_proba(list(texts))
    return metrics_from_proba(labels, proba, model.classes_, decide(model, proba))


def format_metrics(metrics: dict) -> str:
    """Headline, per-label table and confusion matrix (rows: true, cols: predicted)."""
    lines = [
        f"articles {metrics['n']}   macro-F1 {metrics['macro_f1']:.3f}   accuracy {metrics['accuracy']:.3f}"
        f"   ECE {metrics['ece']:.3f}",
        "",
        f"{'label':<26}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}",
    ]
    for lab, m in metrics["per_label"].items():
        lines.append(f"{lab:<26}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9d}")
    if metrics.get("confidence_bands"):
        lines += ["", f"{'confidence':<26}{'share':>10}{'articles':>10}{'accuracy':>10}"]
        for b in metrics["confidence_bands"]:
            acc = "-" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
            lines.append(f"{b['from']:.1f} to {b['to']:.1f}{'':<16}{b['share']:>10.3f}{b['n']:>10d}{acc:>10}")
    labels = metrics["confusion"]["labels"]
    short = [lab[:12] for lab in labels]
    lines += ["", "confusion (rows true, columns predicted)", " " * 26 + "".join(f"{s:>14}" for s in short)]
    for lab, row in zip(labels, metrics["confusion"]["matrix"]):
        lines.append(f"{lab:<26}" + "".join(f"{v:>14d}" for v in row))
    return "\n".join(lines)

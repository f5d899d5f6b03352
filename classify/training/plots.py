"""PNG plots of a held-out evaluation: reliability diagram, confusion matrix,
per-label precision-recall curves."""

from pathlib import Path

import numpy as np


def save_plots(y_true, proba, classes, y_pred, out_dir: Path) -> list[Path]:
    """Write reliability, confusion and precision-recall PNGs into ``out_dir``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on servers
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    classes = list(classes)
    y_true, y_pred, proba = np.asarray(y_true), np.asarray(y_pred), np.asarray(proba)
    written = []

    conf = proba[np.arange(len(y_pred)), [classes.index(p) for p in y_pred]]
    correct = y_true == y_pred
    edges = np.linspace(0, 1, 11)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, 9)
    mids, accs, counts = [], [], []
    for b in range(10):
        m = idx == b
        if m.any():
            mids.append(conf[m].mean())
            accs.append(correct[m].mean())
            counts.append(int(m.sum()))
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    ax.plot(mids, accs, "o-", label="model")
    for x, y, n in zip(mids, accs, counts):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set(xlabel="confidence of the given label", ylabel="share correct", title="Reliability", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    written.append(_save(fig, out_dir / "reliability.png"))

    labels = classes + sorted(set(y_true) - set(classes))
    fig, ax = plt.subplots(figsize=(6, 5))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=labels, ax=ax, colorbar=False, xticks_rotation=20)
    ax.set_title("Confusion (rows: true)")
    written.append(_save(fig, out_dir / "confusion.png"))

    fig, ax = plt.subplots(figsize=(6, 5))
    for k, label in enumerate(classes):
        if (y_true == label).any():
            PrecisionRecallDisplay.from_predictions(y_true == label, proba[:, k], name=label, ax=ax)
    ax.set_title("Precision-recall per label")
    written.append(_save(fig, out_dir / "precision-recall.png"))
    return written


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

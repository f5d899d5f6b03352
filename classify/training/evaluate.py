"""Measure a model on labelled files: what `classify evaluate` does."""

import json
from pathlib import Path

from .data import evaluation_warnings, load_labelled
from .metrics import metrics_from_proba


def evaluate_files(model, data_paths, *, text_column="text", label_column="label", corpora=None, output=None,
                   plots=None, warn=print) -> dict:
    """Metrics of ``model`` on labelled files; writes them as JSON to
    ``output`` and PNG plots into ``plots`` when given. ``warn`` receives
    what limits the figures (few articles, labels the model does not know)."""
    from ..tagging.write import check_folder, check_target

    # output places are checked before the data is read and predicted
    if output is not None:
        check_target(output)
    if plots is not None:
        check_folder(plots, "--plots")
    frame = load_labelled(data_paths, text_column=text_column, label_column=label_column, corpora_dir=corpora,
                          training=False)
    for warning in evaluation_warnings(frame, model.labels):
        warn(warning)
    labels = frame["label"].to_numpy()
    predicted, proba = model.predict_with_proba(frame["text"].tolist())
    metrics = metrics_from_proba(labels, proba, model.labels, predicted)
    if plots is not None:
        from .plots import save_plots

        metrics["plots"] = [str(p) for p in save_plots(labels, proba, model.labels, predicted, plots)]
    if output is not None:
        Path(output).write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return metrics

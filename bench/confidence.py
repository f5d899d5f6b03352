"""How far out-of-corpus confidence holds on a topic-rich set (issue #14).

    uv run python -m bench.confidence [--predictions bench/results/loco-predictions.csv]

The card's confidence bands pool the leave-one-corpus-out predictions, and
those are nearly all ordinary news, called `other` with ease. Our outside
evaluation is topic-rich, and there confidence at 0.9 held less well. This
reports the same out-of-corpus predictions three ways: pooled (the card's
figure); only the reviewed articles (what a keyword or model search sent to
reading: a topic-rich set, as an analyst's collection may be); and by the
label given. Reads the per-article predictions `python -m bench.categories`
writes (ids, labels and probabilities, no text).
"""

import argparse
from pathlib import Path

import pandas as pd

from bench.common import REPO
from classify.training.metrics import metrics_from_proba

def views(pred: pd.DataFrame) -> dict[str, dict]:
    """Metrics (as the card holds them) of the pooled predictions and of the reviewed ones."""
    labels = sorted(c[2:] for c in pred.columns if c.startswith("p_"))
    out = {}
    for name, part in (("pooled", pred), ("reviewed only", pred[pred["method"] == "reviewed"])):
        proba = part[[f"p_{lab}" for lab in labels]].to_numpy()
        out[name] = metrics_from_proba(part["label"], proba, labels, part["predicted"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", type=Path, default=REPO / "bench" / "results" / "loco-predictions.csv")
    args = ap.parse_args()
    for name, m in views(pd.read_csv(args.predictions)).items():
        counts = ", ".join(f"{lab} {row['support']}" for lab, row in m["per_label"].items())
        print(f"\n{name}: {m['n']} articles ({counts}); ECE {m['ece']:.3f}")
        print("| confidence | all: share, accuracy | " + " | ".join(m["confidence_by_label"]) + " |")
        print("|---|---|" + "---|" * len(m["confidence_by_label"]))
        for k, band in enumerate(m["confidence_bands"]):
            cells = [f"{b[k]['n']:,}: {'-' if b[k]['accuracy'] is None else format(b[k]['accuracy'], '.3f')}"
                     for b in m["confidence_by_label"].values()]
            acc = "-" if band["accuracy"] is None else f"{band['accuracy']:.3f}"
            print(f"| {band['from']:.1f} to {band['to']:.1f} | {band['share']:.1%}, {acc} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

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


def per_corpus(pred: pd.DataFrame) -> list[tuple[str, float, float, float, int]]:
    """Each held-out corpus: (name, ECE of all its articles, ECE of its
    reviewed ones, accuracy of its reviewed ones at 0.9 or above, how many)."""
    labels = sorted(c[2:] for c in pred.columns if c.startswith("p_"))
    out = []
    for corpus, part in pred.groupby("corpus"):
        reviewed = part[part["method"] == "reviewed"]
        m_all, m_rev = (metrics_from_proba(p["label"], p[[f"p_{lab}" for lab in labels]].to_numpy(), labels,
                                           p["predicted"]) for p in (part, reviewed))
        top = m_rev["confidence_bands"][-1]
        out.append((str(corpus), m_all["ece"], m_rev["ece"], top["accuracy"], top["n"]))
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
    print("\n| held-out corpus | ECE, all | ECE, reviewed | reviewed at 0.9 or above: right (articles) |")
    print("|---|---|---|---|")
    for corpus, ece_all, ece_rev, acc, n in per_corpus(pd.read_csv(args.predictions)):
        print(f"| {corpus} | {ece_all:.3f} | {ece_rev:.3f} | {acc:.3f} ({n:,}) |")


if __name__ == "__main__":
    main()

"""How much of a leave-one-corpus-out difference is noise (issue #14).

    uv run python -m bench.compare RUN.csv [OTHER.csv] [--draws 1000]

Reads the per-article out-of-corpus predictions that ``python -m
bench.categories`` writes (ids, labels and predictions, no text). For one
run, each held-out corpus's macro-F1 and the mean over corpora, with a 95%
bootstrap interval: the held-out articles of each corpus drawn again with
replacement, so a label with few articles (ANT Corpus's 11
government-communication ones) widens its corpus's interval as much as it
moves the figure. For two runs on the same articles, the same for the
difference, the articles drawn alike for both (a paired bootstrap): a
difference whose interval holds 0 is not one this proxy can see.
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def macro_f1(y: np.ndarray, pred: np.ndarray, n_labels: int) -> float:
    """Macro-F1 over the labels present in ``y`` or ``pred`` (as scikit-learn's
    f1_score(average="macro") counts them), from integer codes."""
    counts = np.bincount(y * n_labels + pred, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    tp = np.diag(counts).astype(float)
    support, predicted = counts.sum(axis=1), counts.sum(axis=0)
    present = (support + predicted) > 0
    f1 = np.divide(2 * tp, support + predicted, out=np.zeros(n_labels), where=present)
    return float(f1[present].mean())


def intervals(runs: list[pd.DataFrame], draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per held-out corpus and for the mean over corpora: each run's macro-F1,
    and with two runs their difference (second minus first), with 2.5% and
    97.5% bootstrap quantiles."""
    first = runs[0]
    for other in runs[1:]:
        if len(other) != len(first) or not (other["id"].astype(str).to_numpy() == first["id"].astype(str).to_numpy()).all():
            raise SystemExit("the runs do not hold the same held-out articles in the same order")
    labels = sorted(set(first["label"]).union(*(set(r["predicted"]) for r in runs)))
    code = {lab: k for k, lab in enumerate(labels)}
    y = first["label"].map(code).to_numpy()
    preds = [r["predicted"].map(code).to_numpy() for r in runs]
    corpora = sorted(set(first["corpus"]))
    rng = np.random.RandomState(seed)
    n = len(labels)
    point, drawn = {}, {}
    for c in corpora:
        idx = np.flatnonzero(first["corpus"].to_numpy() == c)
        point[c] = [macro_f1(y[idx], p[idx], n) for p in preds]
        samples = rng.randint(0, len(idx), size=(draws, len(idx)))
        drawn[c] = np.array([[macro_f1(y[idx[s]], p[idx[s]], n) for p in preds] for s in samples])
    drawn["mean"] = np.mean([drawn[c] for c in corpora], axis=0)
    point["mean"] = list(np.mean([point[c] for c in corpora], axis=0))
    rows = []
    for name, d in drawn.items():
        row = {"held out": name}
        for k in range(len(runs)):
            row[f"run {k + 1}"] = point[name][k]
            row[f"run {k + 1} low"], row[f"run {k + 1} high"] = np.quantile(d[:, k], [0.025, 0.975])
        if len(runs) == 2:
            diff = d[:, 1] - d[:, 0]
            row["difference"] = point[name][1] - point[name][0]
            row["difference low"], row["difference high"] = np.quantile(diff, [0.025, 0.975])
        rows.append(row)
    return pd.DataFrame(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", type=Path, nargs="+", help="one or two loco-predictions.csv files")
    ap.add_argument("--draws", type=int, default=1000)
    args = ap.parse_args()
    if len(args.runs) > 2:
        raise SystemExit("one run, or two to compare")
    table = intervals([pd.read_csv(p) for p in args.runs], draws=args.draws)
    heads = ["held out"] + [f"run {k + 1} (95% interval)" for k in range(len(args.runs))]
    if len(args.runs) == 2:
        heads.append("run 2 - run 1 (95% interval)")
    print("| " + " | ".join(heads) + " |")
    print("|" + "---|" * len(heads))
    for _, r in table.iterrows():
        cells = [r["held out"]] + [f"{r[f'run {k + 1}']:.3f} ({r[f'run {k + 1} low']:.3f} to {r[f'run {k + 1} high']:.3f})"
                                   for k in range(len(args.runs))]
        if len(args.runs) == 2:
            cells.append(f"{r['difference']:+.3f} ({r['difference low']:+.3f} to {r['difference high']:+.3f})")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

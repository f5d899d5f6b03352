"""Out-of-corpus figures in the error categories our outside evaluation reports (issue #14).

    uv run python -m bench.categories [--model models/default] [--predictions FILE]

The outside evaluation names its errors in LABELS.md's categories (press-freedom
missed: closures, journalists killed or injured, confiscations, spyware,
shutdowns, laws; syndicate business given press-freedom; government
communication missed: state information services, communication centres,
information ministries, spokespersons). This runs leave-one-corpus-out with
the shipped model's settings (the card's params) and reports, for the
reviewed articles whose reader's reason names each category, how many a model
that never saw their corpus gets right. The categories are found from the
readers' reasons (English), not from the article text, so they are rough: a
reason names the headline subject, in a few words.
Needs ../shared/corpora. Writes the per-article predictions to
bench/results/loco-predictions.csv (ids and labels, no text); --predictions
reads such a file instead of refitting (three fits, about 7 minutes).
"""

import argparse
from pathlib import Path

import pandas as pd

from bench.common import DEFAULT_MODEL, REPO, labelled
from classify.model.store import load_model
from classify.training.train import leave_one_out

GC, PF, OTHER = "government-communication", "press-freedom", "other"
# (label, category, pattern over the lower-cased reason); each row's value is
# the share predicted as its label (recall), but for the last row's, where it
# is the share predicted press-freedom: the error the outside evaluation reports
CATEGORIES = [
    (PF, "closing or suspending channels, papers, offices, programmes",
     r"clos|suspen|shut|off (?:the )?air|revok"),
    (PF, "journalists killed or injured", r"kill|injur|wound|shot|murder|died|death"),
    (PF, "confiscated issues", r"confiscat|seiz"),
    (PF, "spyware, hacking, surveillance", r"spyware|pegasus|hack|surveil"),
    (PF, "internet and platform shutdowns, blocked sites", r"block|internet|telegram|youtube|website|platform"),
    (PF, "media, press and cybercrime laws and bills", r"\blaws?\b|\bbill\b|cybercrime|legislat"),
    (GC, "state information services", r"state information|\bsis\b"),
    (GC, "communication centres, media offices, press centres",
     r"communication (?:cent|office)|media (?:cent|office)|press (?:cent|office)"),
    (GC, "information ministers and ministries", r"information minist|minist\w* of information|media minist"),
    (GC, "spokespersons", r"spokes"),
    (OTHER, "syndicate business (its own elections, assemblies, services, events)", r"syndicate"),
]
COUNTED_AS = {OTHER: PF}


def predictions_frame(model_dir: Path) -> pd.DataFrame:
    card = load_model(model_dir).card
    params = dict(card.get("params", {}))
    calibrate_by = params.pop("calibrate_by", None)
    rows: list = []
    leave_one_out(labelled(), "corpus", params=params, calibrate_by=calibrate_by, predictions=rows)
    return pd.concat(rows, ignore_index=True)


def category_table(pred: pd.DataFrame) -> pd.DataFrame:
    """One row per category: articles, and the share a model that never saw
    their corpus gets right (for syndicate business: the share it calls
    press-freedom)."""
    pred = pred[pred["method"] == "reviewed"]
    reason = pred["reason"].fillna("").str.lower()
    corpora = sorted(set(pred["corpus"]))
    rows = []
    for label, name, pattern in CATEGORIES:
        sub = pred[(pred["label"] == label) & reason.str.contains(pattern)]
        counted = COUNTED_AS.get(label, label)
        rows.append({"label": label, "category": name, "articles": len(sub),
                     "measure": "recall" if counted == label else f"given {counted}",
                     "value": (sub["predicted"] == counted).mean(),
                     **sub["corpus"].value_counts().reindex(corpora, fill_value=0)})
    return pd.DataFrame(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--predictions", type=Path, default=None, help="a loco-predictions.csv from an earlier run")
    ap.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "loco-predictions.csv",
                    help="where the out-of-corpus predictions go (two runs at once need two files)")
    args = ap.parse_args()
    if args.predictions:
        pred = pd.read_csv(args.predictions)
    else:
        pred = predictions_frame(args.model)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        pred.drop(columns="file", errors="ignore").to_csv(args.output, index=False)
    table = category_table(pred)
    cols = [c for c in table.columns if c not in ("label", "category", "measure", "articles", "value")]
    print("| label | category | articles | measure | value | " + " | ".join(cols) + " |")
    print("|---|---|---|---|---|" + "---|" * len(cols))
    for _, r in table.iterrows():
        print(f"| {r['label']} | {r['category']} | {r['articles']} | {r['measure']} | {r['value']:.2f} | "
              + " | ".join(str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()

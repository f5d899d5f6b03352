"""Does adding a user's articles from a new outlet help there without hurting elsewhere?

    uv run python bench/retrain.py [--model models/default] [--outlet BBC] [--n 200]

The shipped model never saw the held-out outlets. We take --n labelled articles
of one of them (BBC Arabic by default) as "the user's new data", retrain with
--base on them (using only the model's features.npz, not the corpora), and
measure, before and after:
- on the rest of that outlet's articles: accuracy and macro-F1 (should rise);
- on the original held-out split minus the added articles: macro-F1 (should
  drop by at most 1 point).
Needs ../shared/corpora to read the evaluation articles.
"""

import argparse
import json
from pathlib import Path

from sklearn.model_selection import train_test_split

from bench.common import HELDOUT_OUTLETS, LABEL_FILES, REPO
from classify.model.store import load_model
from classify.training.data import load_labelled
from classify.training.metrics import evaluate
from classify.training.train import retrain, split


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=REPO / "models" / "default")
    ap.add_argument("--outlet", default="BBC")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--weights", default="1,3,10")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "retrain.json")
    args = ap.parse_args()

    data = load_labelled(LABEL_FILES)
    _, test, _ = split(data, test_groups=HELDOUT_OUTLETS)
    outlet = test[test["source"] == args.outlet]
    new, _ = train_test_split(outlet, train_size=args.n, stratify=outlet["label"], random_state=0)
    outlet_rest = outlet.drop(new.index)
    test_rest = test.drop(new.index)

    def measure(model):
        o = evaluate(model, outlet_rest["text"].tolist(), outlet_rest["label"].to_numpy())
        t = evaluate(model, test_rest["text"].tolist(), test_rest["label"].to_numpy())
        return {"outlet_accuracy": o["accuracy"], "outlet_macro_f1": o["macro_f1"], "heldout_macro_f1": t["macro_f1"],
                "outlet_per_label": o["per_label"], "heldout_per_label": t["per_label"]}

    base = load_model(args.model)
    rows = {"base": measure(base)}
    new = new.assign(source="user")
    for w in [float(x) for x in args.weights.split(",")]:
        model, _card, _ = retrain(args.model, new, test_groups=["(none)"], new_weight=w)
        rows[f"base + {len(new)} {args.outlet} articles, weight {w:g}"] = measure(model)

    print(f"new outlet: {args.outlet}; added {len(new)} ({new['label'].value_counts().to_dict()}); "
          f"evaluated on its other {len(outlet_rest)} and on {len(test_rest)} held-out articles")
    print("| model | accuracy, rest of outlet | macro-F1, rest of outlet | macro-F1, held-out split | Δ held-out |")
    print("|---|---|---|---|---|")
    b = rows["base"]["heldout_macro_f1"]
    for name, r in rows.items():
        print(f"| {name} | {r['outlet_accuracy']:.3f} | {r['outlet_macro_f1']:.3f} | {r['heldout_macro_f1']:.3f} | {r['heldout_macro_f1'] - b:+.3f} |")
    for name, r in rows.items():
        print(name, {k: (round(v["precision"], 3), round(v["recall"], 3)) for k, v in r["heldout_per_label"].items()})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

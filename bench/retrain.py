"""Does retraining follow the user's definitions? (issue #15)

    uv run python -m bench.retrain [--model models/default] [--seeds 0,1,2] [--outlet BBC]
                                   [--new sport --other economy --n 60] [--scenario outlet]

The user's set, as in the issue: --n ANT Corpus articles of category `sport`
labelled `sport` and --n of category `economy` labelled `other`, drawn from
the ANT articles that none of our label files uses (the shipped model never
trained or was evaluated on them), from every outlet or from one --outlet.
Retrained with --base on them (the model's features.npz, not the corpora),
under the options in the table, and measured:
- of 20 other `sport` articles of the same pool (none of them the user's),
  how many get `sport`; and the share over up to 500 of them;
- the share of the pool's non-sport articles that get `sport`;
- macro-F1 of the base labels on the shipped model's held-out outlets
  (README "How good is the shipped model": data/labels, HELDOUT_OUTLETS),
  minus any of the user's articles; `sport` counts as `other` there, the
  label it was carved out of;
- the labels of the two example pages in ../shared/examples.
The default rows run `retrain` itself (what `classify train --base` does),
the others `refit` with the options shown. --scenario outlet is the earlier
benchmark: 200 of our labelled BBC articles added, measured on BBC's other
articles and on the held-out split minus the 200.
Needs ../shared/corpora. Prints tables; writes bench/results/retrain.json.
"""

import argparse
import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from bench.common import HELDOUT_OUTLETS, LABEL_FILES, REPO, corpora_dir
from classify.model.predictor import Model
from classify.model.store import load_features, load_model
from classify.training.corpora import article_text
from classify.training.data import load_labelled
from classify.training.export import as_csr, with_classifier
from classify.training.metrics import evaluate
from classify.training.retrain import format_report, refit, retrain
from classify.training.train import split

EXAMPLES = REPO.parent / "shared" / "examples"
EXAMPLE_LABELS = {
    "oman-gov-communication-page.txt": "government-communication",
    "yemen-press-freedom-teaser.txt": "press-freedom",
}


def options(new_weight_grid=(3.0, 10.0)):
    """(name, refit keyword arguments, new_weight); None = run retrain()."""
    rows = []
    for w in (1.0, *new_weight_grid):
        rows.append((f"no overruling, all decision weights re-tuned (before #15), --new-weight {w:g}",
                     {"share": np.inf, "keep": False}, w))
    rows.append(("no overruling, base decision weights kept", {"share": np.inf, "keep": True}, 1.0))
    rows.append(("default: base rows overruled, base decision weights kept", None, 1.0))
    rows.append(("default, --new-weight 3", None, 3.0))
    return rows


def ant_pool(labelled_ids):
    path = corpora_dir() / "antcorpus-multisource.jsonl.gz"
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["id"] not in labelled_ids:
                rows.append({"id": r["id"], "source": r["source"], "category": r["category"], "text": article_text(r)})
    return pd.DataFrame(rows)


def predict_rows(model: Model, X) -> np.ndarray:
    """Labels of feature rows (CSR, as ``model.features`` gives them) by
    ``model``'s scores, calibration and decision weights: one vectorising of
    the articles serves every option."""
    return model.labels_from_scores(X @ model.coef.T + model.intercept)


def carve(args):
    base = load_model(args.model)
    X_base, y_base, w_base, g_base = load_features(args.model, base.card, with_groups=True)
    params = base.card.get("params", {})
    kept = {str(c): float(w) for c, w in zip(base.labels, base.weights)}

    def rows_of(texts):
        return as_csr(base.features(list(texts)))

    data = load_labelled(LABEL_FILES)
    _, test, _ = split(data, test_groups=HELDOUT_OUTLETS)
    pool = ant_pool(set(data.loc[data["corpus"] == "antcorpus-multisource", "id"]))
    X_test = rows_of(test["text"])
    examples = sorted(EXAMPLE_LABELS)
    X_examples = rows_of((EXAMPLES / name).read_text(encoding="utf-8") for name in examples)

    results = []
    for seed in args.seeds:
        rng = np.random.RandomState(seed)
        src = pool if args.outlet is None else pool[pool["source"] == args.outlet]
        new_idx = rng.permutation(src.index[src["category"] == args.new])
        other_idx = rng.permutation(src.index[src["category"] == args.other])
        user = pool.loc[np.r_[new_idx[: args.n], other_idx[: args.n]]]
        user = user.assign(label=[args.new] * args.n + ["other"] * args.n, source="user")
        # Held-out articles of the new label: the same pool, none of the user's.
        rest = src.drop(user.index)
        held = rest.loc[rng.permutation(rest.index[rest["category"] == args.new])[:500]]
        assert not set(held["id"]) & set(user["id"])
        held20 = held.iloc[:20]
        not_new = rest.loc[rng.permutation(rest.index[rest["category"] != args.new])[:1000]]
        base_test = test[~(test["corpus"].eq("antcorpus-multisource") & test["id"].isin(set(user["id"])))]
        X_bt = X_test[np.flatnonzero(test.index.isin(base_test.index))]
        X_held, X_not_new = rows_of(held["text"]), rows_of(not_new["text"])
        X_user = rows_of(user["text"])
        y_user = user["label"].to_numpy()
        base_pred = np.asarray(predict_rows(base, X_user)).astype(str)

        def measure(model):
            pred = predict_rows(model, X_held)
            base_labels = predict_rows(model, X_bt)
            base_labels = np.where(np.isin(base_labels, base.labels), base_labels, "other")
            ex = list(predict_rows(model, X_examples))
            return {
                "new_of_20": int((pred[:20] == args.new).sum()),
                "new_share": float(np.mean(pred == args.new)),
                "new_held": int(len(pred)),
                "new_given_to_others": float(np.mean(predict_rows(model, X_not_new) == args.new)),
                "base_macro_f1": float(f1_score(base_test["label"], base_labels, average="macro")),
                "examples_kept": ex == [EXAMPLE_LABELS[n] for n in examples],
                "examples": ex,
            }

        rows = {"base model": measure(base)}
        for name, opt, w in options():
            if opt is None:
                model, card, _ = retrain(args.model, user, new_weight=w, seed=0)
                rows[name] = measure(model)
                rows[name]["overruled_rows"] = card["data"]["overruled_base_rows"]
                rows[name]["report"] = card["retrain_report"]
                if seed == args.seeds[0]:
                    print(format_report(card["retrain_report"]), "\n", flush=True)
                continue
            clf, _, overruled, _ = refit(
                X_base, y_base, w_base, X_user, y_user, np.full(len(y_user), w), base_pred,
                C=float(params.get("C", 0.1)), folds=5, keep_weights=kept if opt["keep"] else None, random_state=0,
                groups_base=g_base,
                **({"share": opt["share"]} if "share" in opt else {}),
            )
            rows[name] = measure(with_classifier(base, clf))
            rows[name]["overruled_rows"] = int(overruled.sum())
            print(seed, name, {k: v for k, v in rows[name].items() if k != "examples"}, flush=True)
        results.append({"seed": seed, "held20": len(held20), "base_test": len(base_test), "rows": rows})

    where = f"outlet {args.outlet}" if args.outlet else "all ANT outlets"
    print(f"\nuser set: {args.n} `{args.new}` labelled {args.new} + {args.n} `{args.other}` labelled other, "
          f"ANT articles no label file uses, {where}; seeds {','.join(map(str, args.seeds))}; "
          f"base macro-F1 on {results[0]['base_test']} held-out-outlet articles\n")
    print(f"| option | {args.new}: of 20 held-out | {args.new}: share of {results[0]['rows']['base model']['new_held']} "
          f"held-out | {args.new} given to other articles | base macro-F1, held-out outlets | Δ | example pages kept "
          "| base rows overruled |")
    print("|---|---|---|---|---|---|---|---|")
    for name in results[0]["rows"]:
        cells = [r["rows"][name] for r in results]
        b = [r["rows"]["base model"]["base_macro_f1"] for r in results]

        def join(key, fmt):
            return " / ".join(fmt.format(c[key]) for c in cells)

        delta = " / ".join(f"{c['base_macro_f1'] - bb:+.3f}" for c, bb in zip(cells, b))
        kept_pages = " / ".join("yes" if c["examples_kept"] else "NO" for c in cells)
        over = " / ".join(str(c.get("overruled_rows", 0)) for c in cells)
        print(f"| {name} | {join('new_of_20', '{}')} | {join('new_share', '{:.2f}')} | "
              f"{join('new_given_to_others', '{:.3f}')} | {join('base_macro_f1', '{:.3f}')} | {delta} | {kept_pages} | {over} |")
    return results


def outlet(args):
    """The earlier benchmark: our labelled articles of an unseen outlet added."""
    data = load_labelled(LABEL_FILES)
    _, test, _ = split(data, test_groups=HELDOUT_OUTLETS)
    src = test[test["source"] == "BBC"]
    new, _ = train_test_split(src, train_size=200, stratify=src["label"], random_state=0)
    src_rest, test_rest = src.drop(new.index), test.drop(new.index)
    base = load_model(args.model)

    def measure(model):
        o = evaluate(model, src_rest["text"].tolist(), src_rest["label"].to_numpy())
        t = evaluate(model, test_rest["text"].tolist(), test_rest["label"].to_numpy())
        return {"outlet_accuracy": o["accuracy"], "outlet_macro_f1": o["macro_f1"], "heldout_macro_f1": t["macro_f1"]}

    rows = {"base": measure(base)}
    for w in (1.0, 3.0):
        model, card, _ = retrain(args.model, new.assign(source="user"), new_weight=w)
        rows[f"base + 200 BBC articles, --new-weight {w:g}"] = measure(model)
        rows[f"base + 200 BBC articles, --new-weight {w:g}"]["overruled_rows"] = card["data"]["overruled_base_rows"]
    print(f"added 200 BBC articles {new['label'].value_counts().to_dict()}; measured on BBC's other "
          f"{len(src_rest)} and on {len(test_rest)} held-out articles")
    print("| model | accuracy, rest of BBC | macro-F1, rest of BBC | macro-F1, held-out split | Δ held-out | base rows overruled |")
    print("|---|---|---|---|---|---|")
    b = rows["base"]["heldout_macro_f1"]
    for name, r in rows.items():
        print(f"| {name} | {r['outlet_accuracy']:.3f} | {r['outlet_macro_f1']:.3f} | {r['heldout_macro_f1']:.3f} | "
              f"{r['heldout_macro_f1'] - b:+.3f} | {r.get('overruled_rows', '')} |")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=REPO / "models" / "default")
    ap.add_argument("--scenario", choices=("carve", "outlet"), default="carve")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--outlet", default=None, help="draw the user's and the held-out articles from this ANT outlet")
    ap.add_argument("--new", default="sport", help="ANT category carved out as a new label")
    ap.add_argument("--other", default="economy", help="ANT category the user labels `other`")
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "retrain.json")
    args = ap.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    results = carve(args) if args.scenario == "carve" else outlet(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()

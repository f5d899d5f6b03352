"""Our pipeline against three peers on the same outlet-held-out split.

    uv run --extra bench python -m bench.peers [--model models/default]
    uv run --extra bench python -m bench.peers --leave-one-out [--no-fasttext]

``--leave-one-out`` scores the peers leave-one-corpus-out instead (each
fitted on two corpora plus our written articles, measured on the third), next
to the shipped model's own leave-one-corpus-out figures from its card: the
shift our outside evaluation measures, where the outlet split flatters
whatever learns a corpus's own vocabulary.

Peers: the boolean keyword search a media monitor would write; plain
scikit-learn TF-IDF + logistic regression without Arabic normalisation;
fastText supervised. Prints a table and writes bench/results/peers.json.
Needs ../shared/corpora (the label files refer to it by id).
"""

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_MODEL, HELDOUT_OUTLETS, REPO, fasttext_predict, keyword_patterns, labelled
from bench.common import fasttext_model as _fasttext_model
from bench.common import plain_sklearn as _plain_sklearn
from classify.model.store import load_model
from classify.training.metrics import metrics_from_proba
from classify.training.train import split

LABELS = ["government-communication", "other", "press-freedom"]

# What a media monitor would type into a boolean search box: the same broad
# patterns we used to find candidates for reading (data/candidates.py).
_PATTERNS = keyword_patterns()
GOV_COMM, JOURNALIST, PRESS_FREEDOM, RESTRICTION = (_PATTERNS[k] for k in ("GOV_COMM", "JOURNALIST", "PRESS_FREEDOM", "RESTRICTION"))


def onehot(pred):
    out = np.zeros((len(pred), len(LABELS)))
    for i, p in enumerate(pred):
        out[i, LABELS.index(p)] = 1.0
    return out


def keyword_rule(texts):
    pred = []
    for t in texts:
        head = t[:400]  # headline and lead
        pf = re.search(PRESS_FREEDOM, head) or (re.search(JOURNALIST, head) and re.search(RESTRICTION, head))
        pred.append("press-freedom" if pf else "government-communication" if re.search(GOV_COMM, head) else "other")
    return onehot(pred)


def plain_sklearn(train, test):
    model = _plain_sklearn(train["text"], train["label"], max_iter=2000, class_weight="balanced")
    proba = model.predict_proba(test["text"])
    return proba[:, [list(model.classes_).index(lab) for lab in LABELS]]


def fasttext_supervised(train, test):
    # Fair to the peer: fastText's own autotune picks its hyper-parameters on a
    # 15% validation part of the training data (never the test outlets).
    import tempfile

    from bench.common import fasttext_line

    rng = np.random.RandomState(0)
    lines = [f"__label__{lab} {fasttext_line(t)}\n" for t, lab in zip(train["text"], train["label"])]
    rng.shuffle(lines)
    cut = int(len(lines) * 0.85)
    with tempfile.NamedTemporaryFile("w", suffix=".valid", encoding="utf-8", delete=False) as fh:
        fh.write("".join(lines[cut:]))
    texts = [ln.split(" ", 1)[1] for ln in lines[:cut]]
    labels = [ln.split(" ", 1)[0].replace("__label__", "") for ln in lines[:cut]]
    try:
        model = _fasttext_model(texts, labels, autotuneValidationFile=fh.name, autotuneDuration=120,
                                autotuneMetric="f1", thread=2)
    finally:
        Path(fh.name).unlink()
    proba = np.zeros((len(test), len(LABELS)))
    for i, t in enumerate(test["text"]):
        for p, lab in fasttext_predict(model, t, len(LABELS)):
            proba[i, LABELS.index(lab)] = p
    return proba


def print_table(results: dict, base: float) -> None:
    print("| system | macro-F1 | Δ vs ours | F1 gov-comm | recall gov-comm | F1 press-freedom | recall press-freedom | F1 other |")
    print("|---|---|---|---|---|---|---|---|")
    for name, m in results.items():
        pl = m["per_label"]
        g, p, o = pl["government-communication"], pl["press-freedom"], pl["other"]
        print(
            f"| {name} | {m['macro_f1']:.3f} | {m['macro_f1'] - base:+.3f} | {g['f1']:.3f} | {g['recall']:.3f} | "
            f"{p['f1']:.3f} | {p['recall']:.3f} | {o['f1']:.3f} |"
        )


def leave_one_out(model, data, with_fasttext: bool) -> dict:
    """Per held-out corpus, {system: metrics}; ours come from the card (the
    shipped model's leave-one-corpus-out run), the peers are fitted here."""
    ours = model.card.get("evaluations", {}).get("leave-one-corpus-out")
    if not ours:
        sys.exit("the model's card has no leave-one-corpus-out figures (train with --leave-one-out corpus)")
    measurable = data["method"] != "written"
    out = {}
    for corpus in sorted(set(data.loc[measurable, "corpus"])):
        held = data["corpus"] == corpus
        train, test = data[~held], data[held & measurable]
        y = test["label"].to_numpy()
        res = {"classify (shipped settings)": ours[corpus],
               "keyword rules": metrics_from_proba(y, keyword_rule(test["text"]), LABELS),
               "TF-IDF + LR, no normalisation": metrics_from_proba(y, plain_sklearn(train, test), LABELS)}
        if with_fasttext:
            try:
                res["fastText supervised"] = metrics_from_proba(y, fasttext_supervised(train, test), LABELS)
            except ImportError:
                print("fastText not installed: uv sync --extra bench", file=sys.stderr)
        print(f"\nheld out: {corpus}; {len(test)} articles {test['label'].value_counts().to_dict()}")
        print_table(res, res["classify (shipped settings)"]["macro_f1"])
        out[corpus] = res
    means = {name: float(np.mean([out[c][name]["macro_f1"] for c in out])) for name in next(iter(out.values()))}
    print("\nmean macro-F1 over held-out corpora: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
    return {"per_corpus": out, "mean_macro_f1": means}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=None, help="default bench/results/peers[-loco].json")
    ap.add_argument("--leave-one-out", action="store_true", help="leave one corpus out instead of the outlet split")
    ap.add_argument("--no-fasttext", action="store_true", help="skip fastText (its autotune takes 2 min a fit)")
    args = ap.parse_args()

    data = labelled()
    if args.leave_one_out:
        out = args.out or REPO / "bench" / "results" / "peers-loco.json"
        results = leave_one_out(load_model(args.model), data, not args.no_fasttext)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        return
    args.out = args.out or REPO / "bench" / "results" / "peers.json"
    train, test, how = split(data, test_groups=HELDOUT_OUTLETS)
    model = load_model(args.model)
    card = model.card
    if card["data"]["split"] != how:
        sys.exit(f"{args.model} was not evaluated on this split ({card['data']['split']})")
    y = test["label"].to_numpy()

    results = {}
    t = time.perf_counter()
    ours_pred, ours = model.predict_with_proba(test["text"].tolist())
    results["classify (shipped model)"] = (
        metrics_from_proba(y, ours, model.classes_, ours_pred),
        time.perf_counter() - t,
    )
    t = time.perf_counter()
    results["keyword rules"] = (metrics_from_proba(y, keyword_rule(test["text"]), LABELS), time.perf_counter() - t)
    t = time.perf_counter()
    results["TF-IDF + LR, no normalisation"] = (metrics_from_proba(y, plain_sklearn(train, test), LABELS), time.perf_counter() - t)
    if not args.no_fasttext:
        try:
            t = time.perf_counter()
            results["fastText supervised"] = (metrics_from_proba(y, fasttext_supervised(train, test), LABELS), time.perf_counter() - t)
        except ImportError:
            print("fastText not installed: uv sync --extra bench", file=sys.stderr)

    print(f"split: {how}; test articles {len(test)} {test['label'].value_counts().to_dict()}")
    print_table({k: v[0] for k, v in results.items()}, results["classify (shipped model)"][0]["macro_f1"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"split": how, "results": {k: v[0] for k, v in results.items()}}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Our pipeline against three peers on the same outlet-held-out split.

    uv run --extra bench python bench/peers.py [--model models/default]

Peers: the boolean keyword search a media monitor would write; plain
scikit-learn TF-IDF + logistic regression without Arabic normalisation;
fastText supervised. Prints a table and writes bench/results/peers.json.
Needs ../shared/corpora (the label files refer to it by id).
"""

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from classify.training.corpora import HELDOUT_OUTLETS, LABEL_FILES  # noqa: E402
from classify.training.data import load_labelled  # noqa: E402
from classify.training.metrics import metrics_from_proba  # noqa: E402
from classify.model.store import load_model  # noqa: E402
from classify.model.classifier import decide  # noqa: E402
from classify.training.train import split  # noqa: E402

LABELS = ["government-communication", "other", "press-freedom"]

# What a media monitor would type into a boolean search box: the same broad
# patterns we used to find candidates for reading (data/candidates.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "data"))
from candidates import GOV_COMM, JOURNALIST, PRESS_FREEDOM, RESTRICTION  # noqa: E402


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
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )
    model.fit(train["text"], train["label"])
    proba = model.predict_proba(test["text"])
    return proba[:, [list(model.classes_).index(lab) for lab in LABELS]]


def fasttext_supervised(train, test):
    import fasttext

    def line(t):
        return " ".join(t.split())

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        for t, lab in zip(train["text"], train["label"]):
            fh.write(f"__label__{lab} {line(t)}\n")
    # Fair to the peer: fastText's own autotune picks its hyper-parameters on a
    # 15% validation part of the training data (never the test outlets).
    rng = np.random.RandomState(0)
    lines = Path(fh.name).read_text(encoding="utf-8").splitlines(keepends=True)
    rng.shuffle(lines)
    cut = int(len(lines) * 0.85)
    Path(fh.name).write_text("".join(lines[:cut]), encoding="utf-8")
    valid = fh.name + ".valid"
    Path(valid).write_text("".join(lines[cut:]), encoding="utf-8")
    model = fasttext.train_supervised(
        fh.name, autotuneValidationFile=valid, autotuneDuration=120, autotuneMetric="f1", verbose=0, thread=2
    )
    Path(fh.name).unlink()
    Path(valid).unlink()
    proba = np.zeros((len(test), len(LABELS)))
    for i, t in enumerate(test["text"]):
        # model.predict() breaks on NumPy 2 (copy=False); the C++ call does not.
        for p, lab in model.f.predict(line(t), len(LABELS), 0.0, "strict"):
            proba[i, LABELS.index(lab.replace("__label__", ""))] = p
    return proba


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parent.parent / "models" / "default")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "peers.json")
    args = ap.parse_args()

    data = load_labelled(LABEL_FILES)
    train, test, how = split(data, test_groups=HELDOUT_OUTLETS)
    model, card = load_model(args.model)
    if card["data"]["split"] != how:
        sys.exit(f"{args.model} was not evaluated on this split ({card['data']['split']})")
    y = test["label"].to_numpy()

    results = {}
    t = time.perf_counter()
    ours = model.predict_proba(test["text"].tolist())
    results["classify (shipped model)"] = (
        metrics_from_proba(y, ours, model.classes_, decide(model, ours)),
        time.perf_counter() - t,
    )
    t = time.perf_counter()
    results["keyword rules"] = (metrics_from_proba(y, keyword_rule(test["text"]), LABELS), time.perf_counter() - t)
    t = time.perf_counter()
    results["TF-IDF + LR, no normalisation"] = (metrics_from_proba(y, plain_sklearn(train, test), LABELS), time.perf_counter() - t)
    try:
        t = time.perf_counter()
        results["fastText supervised"] = (metrics_from_proba(y, fasttext_supervised(train, test), LABELS), time.perf_counter() - t)
    except ImportError:
        print("fastText not installed: uv sync --extra bench", file=sys.stderr)

    base = results["classify (shipped model)"][0]["macro_f1"]
    print(f"split: {how}; test articles {len(test)} {test['label'].value_counts().to_dict()}")
    print("| system | macro-F1 | Δ vs ours | F1 gov-comm | recall gov-comm | F1 press-freedom | recall press-freedom | F1 other |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (m, _secs) in results.items():
        pl = m["per_label"]
        g, p, o = pl["government-communication"], pl["press-freedom"], pl["other"]
        print(
            f"| {name} | {m['macro_f1']:.3f} | {m['macro_f1'] - base:+.3f} | {g['f1']:.3f} | {g['recall']:.3f} | "
            f"{p['f1']:.3f} | {p['recall']:.3f} | {o['f1']:.3f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"split": how, "results": {k: v[0] for k, v in results.items()}}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

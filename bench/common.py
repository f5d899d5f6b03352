"""What the benchmarks share: our checkout's label files and held-out outlets,
real articles from the corpora, a folder of article files, and the peers
(plain scikit-learn TF-IDF + logistic regression, fastText).

Run the benchmarks as modules from the repository root, e.g.
``uv run python -m bench.speed``; nothing here touches ``sys.path``.
The corpora stay in ``../shared/corpora`` (or ``CLASSIFY_CORPORA``): article
texts are read from there, never copied into the repository.
"""

import ast
import gzip
import json
import os
import sys
import tempfile
from itertools import cycle, islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
LABEL_DIR = REPO / "data" / "labels"
LABEL_FILES = sorted(LABEL_DIR.glob("*.csv"))
# The outlets the shipped model is evaluated on and never trained on (the
# README's `classify train ... --test-groups`).
HELDOUT_OUTLETS = ["BBC", "okaz", "alweeam", "almadina", "bbcarabicnews", "almasryalyoum"]
DEFAULT_MODEL = REPO / "models" / "default"


def corpora_dir() -> Path:
    from classify.training.corpora import default_corpora_dir

    return default_corpora_dir(LABEL_FILES[0] if LABEL_FILES else None)


def corpus_files() -> list[Path]:
    """The JSONL.gz corpora that our label files refer to (data/corpora.json)."""
    from classify.training.corpora import registry

    entries = registry(LABEL_FILES[0]) if LABEL_FILES else {}
    return [corpora_dir() / e["file"] for _name, e in sorted(entries.items()) if "file" in e]


def real_texts(n: int, skip: int = 0) -> list[str]:
    """``n`` real articles (headline first, as training reads them), in corpus
    order after the first ``skip``; past the corpora's ~60k articles they
    cycle through them again."""
    from classify.training.corpora import article_text

    files = corpus_files()
    if not files or not all(f.is_file() for f in files):
        raise SystemExit(f"the corpora are not in {corpora_dir()} (set CLASSIFY_CORPORA)")

    def all_texts():
        for path in files:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    yield article_text(json.loads(line))

    return list(islice(cycle(all_texts()), skip, skip + n))


def write_folder(texts, folder: Path) -> Path:
    """One UTF-8 .txt file per article, named in order."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(texts):
        (folder / f"{i:06d}.txt").write_text(t, encoding="utf-8")
    return folder


def labelled():
    """Our labelled articles (texts resolved from the corpora), as a frame."""
    from classify.training.data import load_labelled

    return load_labelled(LABEL_FILES)


def keyword_patterns() -> dict[str, str]:
    """The broad candidate patterns of data/candidates.py (what a media
    monitor would type into a boolean search box), read from its source
    without running it."""
    tree = ast.parse((REPO / "data" / "candidates.py").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("JOURNALIST", "RESTRICTION", "PRESS_FREEDOM", "GOV_COMM"):
                out[name] = ast.literal_eval(node.value)
    return out


# --- peers ---------------------------------------------------------------------


def plain_sklearn(texts, labels, *, max_iter: int = 1000, class_weight=None):
    """Plain scikit-learn TF-IDF (word 1-2 grams, no Arabic normalisation) +
    logistic regression, fitted; ``predict_proba`` takes raw texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=max_iter, class_weight=class_weight),
    )
    return model.fit(list(texts), list(labels))


def fasttext_line(text: str) -> str:
    """fastText reads one article per line."""
    return " ".join(text.split())


def fasttext_model(texts, labels, **params):
    """fastText supervised, fitted on these articles (``pip install 'classify[bench]'``:
    ImportError without it). ``params`` go to ``train_supervised``."""
    import fasttext

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        for t, lab in zip(texts, labels):
            fh.write(f"__label__{lab} {fasttext_line(t)}\n")
    try:
        return fasttext.train_supervised(fh.name, **{"verbose": 0, **params})
    finally:
        os.unlink(fh.name)


def fasttext_predict(model, text: str, k: int):
    """``[(probability, label), ...]`` for one article. ``model.predict()``
    breaks on NumPy 2 (copy=False); the C++ call does not."""
    return [(p, lab.replace("__label__", "")) for p, lab in model.f.predict(fasttext_line(text), k, 0.0, "strict")]

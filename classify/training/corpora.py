"""Resolve label files that refer to corpus articles by id into texts.

The corpora stay outside the repository (their licences and our data rules);
label files carry ``corpus,id,label,method,reason`` and this module looks the
text up. ``corpus == "written"`` refers to articles the team wrote itself,
kept under ``data/written/`` next to the label files' folder.
"""

import gzip
import json
import os
from pathlib import Path

from ..errors import DataError

REPO = Path(__file__).resolve().parent.parent.parent
CORPUS_FILES = {
    "saudinewsnet": "saudinewsnet.jsonl.gz",
    "antcorpus-multisource": "antcorpus-multisource.jsonl.gz",
}

# The evaluation protocol of the shipped model: these outlets are held out
# entirely (one ANT outlet, three SaudiNewsNet outlets that carry real
# government-communication articles), so its metrics are for unseen outlets.
HELDOUT_OUTLETS = ("BBC", "okaz", "alweeam", "almadina")
LABEL_FILES = tuple(sorted((REPO / "data" / "labels").glob("*.csv")))


def default_corpora_dir() -> Path:
    return Path(os.environ.get("CLASSIFY_CORPORA", REPO.parent / "shared" / "corpora"))


def article_text(record: dict) -> str:
    """Headline first: LABELS.md decides by the headline and first paragraphs."""
    title = (record.get("title") or "").strip()
    body = (record.get("text") or "").strip()
    return f"{title}\n{body}" if title else body


def iter_corpus(name: str, corpora_dir: Path | None = None):
    corpora_dir = Path(corpora_dir or default_corpora_dir())
    if name not in CORPUS_FILES:
        raise DataError(f"unknown corpus '{name}' (known: {', '.join(CORPUS_FILES)})")
    path = corpora_dir / CORPUS_FILES[name]
    if not path.is_file():
        raise DataError(f"{path}: corpus file not found (set --corpora or CLASSIFY_CORPORA)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def resolve(frame, labels_path: Path, corpora_dir: Path | None = None):
    """Add ``text`` and ``source`` to a frame of corpus,id rows."""
    frame = frame.copy()
    frame["id"] = frame["id"].astype(str)
    texts, sources = {}, {}
    for corpus in sorted(set(frame["corpus"])):
        wanted = set(frame.loc[frame["corpus"] == corpus, "id"])
        if corpus == "written":
            root = Path(labels_path).resolve().parent.parent / "written"
            for rid in wanted:
                p = root / rid
                if not p.is_file():
                    raise DataError(f"{labels_path}: written article {p} not found")
                texts[corpus, rid] = p.read_text(encoding="utf-8")
                sources[corpus, rid] = "written"
            continue
        for record in iter_corpus(corpus, corpora_dir):
            rid = str(record["id"])
            if rid in wanted:
                texts[corpus, rid] = article_text(record)
                sources[corpus, rid] = record.get("source", corpus)
        missing = wanted - {r for c, r in texts if c == corpus}
        if missing:
            raise DataError(f"{labels_path}: {len(missing)} ids not in corpus {corpus}, e.g. {sorted(missing)[0]}")
    keys = list(zip(frame["corpus"], frame["id"]))
    frame["text"] = [texts[k] for k in keys]
    frame["source"] = [sources[k] for k in keys]
    return frame

"""Resolve label files that refer to corpus articles by id into texts.

The corpora stay outside the repository (their licences and our data rules);
a label file carries ``corpus,id,label,method,reason`` and this module looks
the text up. Which corpora exist, their file names and licence notes come
from ``corpora.json`` in the folder above the label files (ours:
``data/corpora.json``), so nothing here is tied to this checkout. A corpus
entry with a ``folder`` names articles kept as files there (our written
articles); one with a ``file`` names a JSONL.gz in the corpora folder
(``--corpora``, ``CLASSIFY_CORPORA``, or ``../shared/corpora`` beside the
label files' repository).
"""

import gzip
import json
import os
from pathlib import Path

from ..errors import DataError

REGISTRY_FILE = "corpora.json"


def registry(labels_path: Path) -> dict:
    """The corpus metadata that applies to a label file ({} if there is none)."""
    path = Path(labels_path).resolve().parent.parent / REGISTRY_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: unreadable corpus metadata ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise DataError(f"{path}: expected an object of corpus entries")
    return data


def licence_notes(paths) -> dict[str, str]:
    """corpus -> licence note, from the metadata beside each label file."""
    notes = {}
    for p in paths:
        for name, entry in registry(Path(p)).items():
            if isinstance(entry.get("licence"), str):
                notes[name] = entry["licence"]
    return notes


def default_corpora_dir(labels_path: Path | None = None) -> Path:
    """Where corpus files are: CLASSIFY_CORPORA, else ../shared/corpora beside the label files' repository."""
    env = os.environ.get("CLASSIFY_CORPORA")
    if env:
        return Path(env)
    root = Path(labels_path).resolve().parent.parent.parent if labels_path else Path.cwd()
    return root.parent / "shared" / "corpora"


def article_text(record: dict) -> str:
    """Headline first: LABELS.md decides by the headline and first paragraphs."""
    title = (record.get("title") or "").strip()
    body = (record.get("text") or "").strip()
    return f"{title}\n{body}" if title else body


def iter_corpus(path: Path):
    """The records of one JSONL.gz corpus file."""
    if not Path(path).is_file():
        raise DataError(f"{path}: corpus file not found (set --corpora or CLASSIFY_CORPORA)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def corpus_file(name: str, labels_path: Path, corpora_dir: Path | None = None) -> Path:
    """The file of corpus ``name``, as the registry beside ``labels_path`` names it."""
    entry = registry(labels_path).get(name)
    if entry is None or "file" not in entry:
        raise DataError(f"{labels_path}: unknown corpus '{name}' (not in {REGISTRY_FILE} beside the label files)")
    return Path(corpora_dir or default_corpora_dir(labels_path)) / entry["file"]


def resolve(frame, labels_path: Path, corpora_dir: Path | None = None):
    """Add ``text`` and ``source`` to a frame of corpus,id rows."""
    frame = frame.copy()
    frame["id"] = frame["id"].astype(str)
    entries = registry(labels_path)
    texts, sources = {}, {}
    for corpus in sorted(set(frame["corpus"])):
        wanted = set(frame.loc[frame["corpus"] == corpus, "id"])
        folder = entries.get(corpus, {}).get("folder")
        if folder:
            root = Path(labels_path).resolve().parent.parent / folder
            for rid in wanted:
                p = root / rid
                if not p.is_file():
                    raise DataError(f"{labels_path}: {corpus} article {p} not found")
                texts[corpus, rid] = p.read_text(encoding="utf-8")
                sources[corpus, rid] = corpus
            continue
        for record in iter_corpus(corpus_file(corpus, labels_path, corpora_dir)):
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

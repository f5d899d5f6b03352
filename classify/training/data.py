"""Load labelled data for training and evaluation, and say clearly what is wrong.

Accepted: CSV/TSV/JSONL tables with a text and a label column; a folder with
one sub-folder per label holding .txt files; or label files that refer to
corpus articles by ``corpus,id`` (see :mod:`classify.training.corpora`).
"""

from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..tagging.read import ReadError, decode

MIN_PER_LABEL = 5


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    try:
        text, _ = decode(raw)
    except ReadError as exc:
        raise DataError(f"{path}: {exc}") from None
    from io import StringIO

    try:
        if suffix == ".jsonl":
            return pd.read_json(StringIO(text), lines=True, dtype=False)
        if suffix in (".csv", ".tsv"):
            return pd.read_csv(StringIO(text), sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    except ValueError as exc:
        raise DataError(f"{path}: unreadable {suffix[1:].upper()} ({exc})") from None
    raise DataError(f"{path}: unsupported data file (use .csv, .tsv, .jsonl or a folder of label folders)")


def _read_folder(path: Path) -> pd.DataFrame:
    rows = []
    for label_dir in sorted(p for p in path.iterdir() if p.is_dir()):
        for f in sorted(label_dir.rglob("*.txt")):
            try:
                text, _ = decode(f.read_bytes())
            except OSError as exc:
                raise DataError(f"{f}: {exc.strerror or exc}") from None
            except ReadError as exc:
                raise DataError(f"{f}: {exc}") from None
            rows.append({"text": text, "label": label_dir.name, "source": path.name, "id": str(f)})
    if not rows:
        raise DataError(f"{path}: no <label>/*.txt files found")
    return pd.DataFrame(rows)


def load_labelled(
    paths,
    *,
    text_column: str = "text",
    label_column: str = "label",
    corpora_dir: Path | None = None,
    training: bool = True,
) -> pd.DataFrame:
    """Read and validate labelled data; returns a frame with text, label, source.

    ``training=False`` (evaluation) drops the rules that only training needs:
    at least two labels, MIN_PER_LABEL articles per label, no conflicting
    duplicates; see :func:`evaluation_warnings` for what to tell instead.
    """
    frames = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise DataError(f"{path}: no such file or directory")
        if path.is_dir():
            frame = _read_folder(path)
        else:
            frame = _read_table(path)
            if frame.empty:
                raise DataError(f"{path}: no data rows (only a header?)")
            if text_column not in frame.columns and {"corpus", "id"} <= set(frame.columns):
                from .corpora import resolve

                if label_column not in frame.columns:
                    raise DataError(f"{path}: no '{label_column}' column (columns: {', '.join(map(str, frame.columns))})")
                frame = resolve(frame, path, corpora_dir)
            else:
                for col, flag in ((text_column, "--text-column"), (label_column, "--label-column")):
                    if col not in frame.columns:
                        raise DataError(
                            f"{path}: no '{col}' column (columns: {', '.join(map(str, frame.columns))}; use {flag})"
                        )
                frame = frame.rename(columns={text_column: "text", label_column: "label"})
                if "source" not in frame.columns:
                    frame["source"] = path.name
        frame["file"] = str(path)
        frames.append(frame)
    if not frames:
        raise DataError("no data given")
    data = pd.concat(frames, ignore_index=True)
    data["text"] = data["text"].fillna("").astype(str)
    data["label"] = data["label"].fillna("").astype(str).str.strip()
    validate(data, training=training)
    return data


def validate(data: pd.DataFrame, *, min_per_label: int = MIN_PER_LABEL, training: bool = True) -> None:
    """Raise a one-line DataError for data that cannot be used as given."""
    if data.empty:
        raise DataError("no labelled rows in the data")
    empty = data["text"].str.strip() == ""
    if empty.any():
        first = data.loc[empty].iloc[0]
        raise DataError(f"{first['file']}: {int(empty.sum())} rows with empty text (first at row {first.name + 1})")
    if (data["label"] == "").any():
        first = data.loc[data["label"] == ""].iloc[0]
        raise DataError(f"{first['file']}: rows with no label (first at row {first.name + 1})")
    if not training:
        return
    counts = data["label"].value_counts()
    if len(counts) < 2:
        raise DataError(f"only one label in the data ({counts.index[0]}); a classifier needs at least two")
    rare = counts[counts < min_per_label]
    if len(rare):
        listed = ", ".join(f"{k} ({v})" for k, v in rare.items())
        raise DataError(f"labels with fewer than {min_per_label} examples: {listed}")
    conflicts = data.groupby(data["text"].str.strip())["label"].nunique()
    conflicts = conflicts[conflicts > 1]
    if len(conflicts):
        sample = "; ".join(repr(t[:40]) for t in conflicts.index[:3])
        raise DataError(f"{len(conflicts)} texts appear with conflicting labels: {sample}")


def evaluation_warnings(data: pd.DataFrame, classes) -> list[str]:
    """What to say about labelled data that evaluation runs on but that
    limits what its numbers mean: labels with few articles, labels the model
    does not know (every such article counts as an error)."""
    counts = data["label"].value_counts()
    warnings = []
    rare = counts[counts < MIN_PER_LABEL]
    if len(rare):
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(rare.items()))
        warnings.append(f"labels with fewer than {MIN_PER_LABEL} articles, whose scores say little: {listed}")
    unknown = sorted(set(counts.index) - {str(c) for c in classes})
    if unknown:
        listed = ", ".join(f"{k} ({counts[k]})" for k in unknown)
        warnings.append(f"labels the model does not know, counted as errors: {listed}")
    return warnings

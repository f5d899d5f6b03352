"""The model card: what a model is, what it was trained and measured on, its
licence terms and lineage. Written, read, checked and formatted here only.

``card.json`` is a JSON object with a format version. Required: ``labels``,
``created`` and ``files`` (the sha256 of every other file in the
directory). The rest describes the model for people (``classify info``):
``data``, ``heldout_metrics``, ``evaluations`` (other held-out figures, such
as leave-one-corpus-out), ``pipeline``, ``params``, ``licence``,
``lineage``, ``versions``.
"""

import json
import platform
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ModelError

CARD_FILE = "card.json"
CARD_FORMAT_VERSION = 1


def library_versions() -> dict:
    """Versions of Python and the libraries a model was written with (for the card)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("classify", "numpy", "scikit-learn", "camel-tools"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def now() -> str:
    """The current UTC time as the card writes it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def complete(card: dict, model, files: dict, model_bytes: int) -> dict:
    """The card as written beside ``model``: its labels, files and versions."""
    card = dict(card)
    card["format_version"] = CARD_FORMAT_VERSION
    card["labels"] = list(model.labels)
    card.setdefault("created", now())
    card["files"] = dict(files)
    card["model_bytes"] = int(model_bytes)
    card["versions"] = library_versions()
    return card


def write_card(card: dict, model_dir: Path) -> None:
    """Write ``card`` as the directory's card.json (through a temporary file)."""
    path = Path(model_dir) / CARD_FILE
    tmp = path.with_name(f".{CARD_FILE}.tmp")
    tmp.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


_TYPES = {
    "labels": list,
    "created": str,
    "files": dict,
    "licence": list,
    "lineage": list,
    "data": dict,
    "heldout_metrics": (dict, type(None)),
    "evaluations": dict,
    "versions": dict,
}


def read_card(model_dir: Path) -> dict:
    """The checked card of a model directory."""
    model_dir = Path(model_dir)
    path = model_dir / CARD_FILE
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir}: model directory not found")
    if not path.is_file():
        raise ModelError(f"{model_dir}: not a model directory (no {CARD_FILE})")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable model card ({exc})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{path}: expected a JSON object")
    if card.get("format_version") != CARD_FORMAT_VERSION:
        raise ModelError(
            f"{path}: card format {card.get('format_version')!r}, this classify reads {CARD_FORMAT_VERSION}; "
            "a model from an older classify must be retrained"
        )
    for key in ("labels", "created", "files"):
        if key not in card:
            raise ModelError(f"{path}: missing '{key}'")
    for key, kind in _TYPES.items():
        if key in card and not isinstance(card[key], kind):
            raise ModelError(f"{path}: '{key}' has the wrong type")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in card["files"].items()):
        raise ModelError(f"{path}: 'files' must map file names to sha256 strings")
    return card


def _lineage_figures(step: dict) -> list[str]:
    """Before -> after of one retraining step, each pair on one test set."""

    def f(x):
        return "?" if x is None else f"{x:.3f}"

    lines = [f"macro-F1 {f(step.get('macro_f1_before'))} -> {f(step.get('macro_f1_after'))} on {step.get('test', '?')}"]
    if step.get("base_rows_test"):
        lines.append(
            f"macro-F1 {f(step.get('base_rows_macro_f1_before'))} -> {f(step.get('base_rows_macro_f1_after'))} "
            f"on {step['base_rows_test']}"
        )
    if step.get("overruled_base_rows"):
        lines.append(f"{step['overruled_base_rows']} base rows overruled by the added labels")
    return lines


# The pooled parts of an out-of-corpus evaluation, and what their confidence
# tables are about: a threshold set by the held-out outlets' table (sources
# of corpora the model trained on) promises more than unseen sources give.
POOLED_PARTS = (
    ("pooled", "every held-out article"),
    ("pooled_reviewed", "the held-out articles people read (topic-rich, like a press-freedom archive)"),
)


def format_evaluations(card: dict) -> list[str]:
    """Lines per extra evaluation in the card (e.g. leave-one-corpus-out):
    macro-F1 per group, then the confidence table of each pooled part. An
    indented line continues the one above it."""
    lines = []
    for name, ev in (card.get("evaluations") or {}).items():
        per = ", ".join(f"{g} {m['macro_f1']:.3f}" for g, m in ev.items()
                        if isinstance(m, dict) and not g.startswith("pooled"))
        mean = ev.get("mean_macro_f1")
        lines.append(f"{name}: macro-F1 {per}" + (f"; mean {mean:.3f}" if isinstance(mean, float) else ""))
        for key, what in POOLED_PARTS:
            part = ev.get(key)
            if isinstance(part, dict) and part.get("confidence_bands"):
                lines.append(f"{name}, {what}: {part['n']} articles, ECE {part['ece']:.3f}")
                lines += ["  " + line for line in _band_lines(part["confidence_bands"])]
    return lines


def _band_lines(bands: list[dict]) -> list[str]:
    lines = [f"{'confidence':<26}{'share':>10}{'articles':>10}{'accuracy':>10}"]
    for b in bands:
        acc = "-" if b["accuracy"] is None else f"{b['accuracy']:.3f}"
        lines.append(f"{b['from']:.1f} to {b['to']:.1f}{'':<16}{b['share']:>10.3f}{b['n']:>10d}{acc:>10}")
    return lines


def format_card(card: dict, model_dir) -> str:
    """What `classify info` prints."""
    lines = [
        f"model      {model_dir}",
        f"labels     {', '.join(card.get('labels', []))}",
        f"created    {card.get('created', '?')}",
    ]
    data = card.get("data", {})
    train = data.get("train", {})
    lines.append(f"trained on {json.dumps(train.get('per_label', {}), ensure_ascii=False)}")
    lines.append(f"held-out   {data.get('split', '?')}")
    lines.append("versions   " + ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()))
    lines.append(f"sha256     {card.get('files', {}).get('model.npz', '?')}")
    for note in card.get("licence", []):
        lines.append(f"licence    {note}")
    for step in card.get("lineage", []):
        if "replaced_labels_of" in step:
            lines.append(f"lineage    {step['date']}: trained on new data only, replacing {step['replaced_labels_of']}")
            continue
        added = step.get("added", {})
        lines.append(
            f"lineage    {step['date']}: added {added.get('articles', '?')} articles "
            f"{json.dumps(added.get('per_label', {}), ensure_ascii=False)} to {step['base_model']} "
            f"(sha256 {str(step.get('base_sha256'))[:12]}…)"
        )
        lines += [f"{'':11}{line}" for line in _lineage_figures(step)]
    lines += [f"{'':11}{line}" if line.startswith(" ") else f"evaluation {line}" for line in format_evaluations(card)]
    if card.get("heldout_metrics"):
        lines += ["", format_metrics(card["heldout_metrics"])]
    return "\n".join(lines)


def format_metrics(metrics: dict) -> str:
    """Headline, per-label table and confusion matrix (rows: true, cols: predicted)."""
    lines = [
        f"articles {metrics['n']}   macro-F1 {metrics['macro_f1']:.3f}   accuracy {metrics['accuracy']:.3f}"
        f"   ECE {metrics['ece']:.3f}",
        "",
        f"{'label':<26}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}",
    ]
    for lab, m in metrics["per_label"].items():
        lines.append(f"{lab:<26}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9d}")
    if metrics.get("confidence_bands"):
        lines += ["", *_band_lines(metrics["confidence_bands"])]
    if metrics.get("confidence_by_label"):
        lines += ["", "accuracy by label given and confidence (articles)"]
        by_label = metrics["confidence_by_label"]
        lines.append(f"{'confidence':<26}" + "".join(f"{lab:>26}" for lab in by_label))
        for k, b in enumerate(next(iter(by_label.values()))):
            cells = []
            for bands in by_label.values():
                acc, n = bands[k]["accuracy"], bands[k]["n"]
                cells.append(f"{'-' if acc is None else f'{acc:.3f}':>16}{f'({n})':>10}")
            lines.append(f"{b['from']:.1f} to {b['to']:.1f}{'':<16}" + "".join(cells))
    labels = metrics["confusion"]["labels"]
    short = [lab[:12] for lab in labels]
    lines += ["", "confusion (rows true, columns predicted)", " " * 26 + "".join(f"{s:>14}" for s in short)]
    for lab, row in zip(labels, metrics["confusion"]["matrix"]):
        lines.append(f"{lab:<26}" + "".join(f"{v:>14d}" for v in row))
    return "\n".join(lines)

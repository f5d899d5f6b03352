"""What `classify train` does: read labelled files, train a model or retrain a
base one, write the model directory."""

from pathlib import Path

from ..errors import DataError
from .pipeline import build_pipeline
from .retrain import retrain
from .train import ROW_SETTINGS, train


def check_settings(settings: dict) -> dict:
    """Pipeline settings (``--set``) whose names build_pipeline knows."""
    out = dict(settings or {})
    known = set(build_pipeline.__kwdefaults__) | set(ROW_SETTINGS)
    unknown = sorted(set(out) - known)
    if unknown:
        raise DataError(f"--set: unknown setting {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return out


def train_from_files(
    data_paths, output: Path, *, text_column="text", label_column="label", split_by="source", test_groups=None,
    test_size=0.2, corpora=None, force=False, seed=0, base=None, base_dir=None, new_weight=1.0,
    replace_labels=False, leave_out=None, calibrate_by=None, settings=None,
) -> dict:
    """What `classify train` does: read labelled files, train (or retrain on
    ``base_dir``), write the model directory; returns its card."""
    from ..model.store import STRUCTURE_FILE, save_model
    from .corpora import licence_notes
    from .data import load_labelled

    output = Path(output)
    if (output / STRUCTURE_FILE).exists() and not force:
        raise DataError(f"{output}: already holds a model; choose a new directory or pass --force")
    frame = load_labelled(data_paths, text_column=text_column, label_column=label_column, corpora_dir=corpora)
    groups = [g.strip() for g in test_groups.split(",") if g.strip()] if test_groups else None
    if groups and split_by in frame.columns:
        unknown = set(groups) - set(frame[split_by].astype(str))
        if unknown:
            raise DataError(f"--test-groups not found in column '{split_by}': {', '.join(sorted(unknown))}")
    if base_dir is not None and not replace_labels:
        model, card, features = retrain(
            base_dir, frame, test_groups=groups, split_by=split_by, seed=seed, new_weight=new_weight
        )
    else:
        model, card, features = train(
            frame, test_groups=groups, split_by=split_by, test_size=test_size, seed=seed, params=settings,
            calibrate_by=calibrate_by, licences=licence_notes(data_paths), leave_out=leave_out,
        )
        if base_dir is not None:
            card["lineage"] = [{"replaced_labels_of": str(base), "date": card["created"]}]
    return save_model(model, card, output, force=force, features=features)

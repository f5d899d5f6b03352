"""Model directories: ``model.joblib`` plus ``card.json``.

A joblib file is code to Python's unpickler. We only unpickle a file the user
named (or the shipped default), and only after its sha256 matches the one the
card recorded when the model was written, and its recorded library versions
match the installed ones.
"""

import hashlib
import json
import platform
from datetime import datetime, timezone
from pathlib import Path

import joblib

from ..errors import ModelError

MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"
# The training rows a model's classifier depends on, so that users can add
# their own data to a model without our corpora. Plain arrays: np.load with
# allow_pickle=False runs no code.
FEATURES_FILE = "features.npz"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("scikit-learn", "camel-tools", "classify"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _minor(v: str | None) -> str | None:
    return ".".join(v.split(".")[:2]) if v else v


def read_card(model_dir: Path) -> dict:
    model_dir = Path(model_dir)
    card_path = model_dir / CARD_FILE
    if not model_dir.is_dir():
        raise ModelError(f"{model_dir}: model directory not found")
    if not card_path.is_file():
        raise ModelError(f"{model_dir}: not a model directory (no {CARD_FILE})")
    try:
        return json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{card_path}: unreadable model card ({exc})") from None


def check_versions(card: dict, model_dir: Path) -> None:
    """Refuse a model pickled by another scikit-learn minor version.

    Unpickling across scikit-learn versions can fail or, worse, silently
    predict differently; camel-tools' version is reported as information, the
    normalisation tables travel inside the model.
    """
    recorded = (card.get("versions") or {}).get("scikit-learn")
    installed = library_versions()["scikit-learn"]
    if recorded and _minor(recorded) != _minor(installed):
        raise ModelError(
            f"{model_dir}: saved with scikit-learn {recorded}, this is {installed}; "
            f"retrain it with `classify train` or install scikit-learn=={recorded}"
        )


def load_model(model_dir: Path):
    """Load and check a model directory; returns (pipeline, card)."""
    from sklearn.pipeline import Pipeline

    model_dir = Path(model_dir)
    card = read_card(model_dir)
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{model_dir}: no {MODEL_FILE} next to {CARD_FILE}")
    expected = card.get("model_sha256")
    if not expected:
        raise ModelError(f"{model_dir}: {CARD_FILE} records no model_sha256; refusing to unpickle an unverified file")
    actual = sha256_of(model_path)
    if actual != expected:
        raise ModelError(
            f"{model_path}: sha256 {actual[:12]}… does not match {CARD_FILE} ({expected[:12]}…); "
            "refusing to load a file that was altered or replaced"
        )
    check_versions(card, model_dir)
    _alias_old_module_paths()
    try:
        model = joblib.load(model_path)
    except Exception as exc:  # a corrupt pickle can raise almost anything
        raise ModelError(f"{model_path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, Pipeline) or not hasattr(model, "predict_proba"):
        raise ModelError(f"{model_path}: not a classify pipeline (got {type(model).__name__})")
    return model, card


def _alias_old_module_paths():
    # The shipped model.joblib was pickled before the package was split into
    # model/, tagging/ and training/; until it is rebuilt, its class paths
    # resolve to the moved modules.
    import sys

    from . import classifier, clean, normalize, vectorize

    for old, new in (("pipeline", vectorize), ("classifier", classifier), ("clean", clean), ("normalize", normalize)):
        sys.modules.setdefault(f"classify.{old}", new)


def load_features(model_dir: Path, card: dict):
    """The base model's stored training rows: (X, y, sample weights)."""
    import numpy as np
    import scipy.sparse as sp

    path = Path(model_dir) / FEATURES_FILE
    expected = card.get("features_sha256")
    if not path.is_file() or not expected:
        raise ModelError(f"{model_dir}: has no {FEATURES_FILE} to build on; retrain with --replace-labels")
    if sha256_of(path) != expected:
        raise ModelError(f"{path}: sha256 does not match {CARD_FILE}; refusing an altered file")
    with np.load(path, allow_pickle=False) as z:
        X = sp.csr_matrix((z["data"].astype(np.float32), z["indices"], z["indptr"]), shape=tuple(z["shape"]))
        return X, z["labels"].astype(str), z["weights"].astype(np.float64)


def save_model(model, card: dict, model_dir: Path, *, force: bool = False, features=None) -> dict:
    """Write model.joblib and card.json (and, given ``features`` = (X, y,
    weights), features.npz); never replaces a model unless forced."""
    model_dir = Path(model_dir)
    if (model_dir / MODEL_FILE).exists() and not force:
        raise ModelError(f"{model_dir}: already holds a model; choose a new directory or pass --force")
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path = model_dir / MODEL_FILE
    tmp = model_path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.replace(model_path)
    card = dict(card)
    card["versions"] = library_versions()
    card["model_file"] = MODEL_FILE
    card["model_sha256"] = sha256_of(model_path)
    card["model_bytes"] = model_path.stat().st_size
    card.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if features is not None:
        import numpy as np

        X, y, weights = features
        X = X.tocsr()
        feats = model_dir / FEATURES_FILE
        tmp = model_dir / (FEATURES_FILE + ".tmp.npz")
        np.savez_compressed(
            tmp,
            data=X.data.astype(np.float16),
            indices=X.indices.astype(np.int32),
            indptr=X.indptr.astype(np.int64),
            shape=np.asarray(X.shape),
            labels=np.asarray(y, dtype=str),
            weights=np.asarray(weights, dtype=np.float64),
        )
        tmp.replace(feats)
        card["features_file"] = FEATURES_FILE
        card["features_sha256"] = sha256_of(feats)
    (model_dir / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card

"""Model directories as data, never code.

A model directory holds:

- ``model.json``: structure and settings (format version, labels, the
  camel-tools normalisation tables, each TF-IDF branch's settings, the
  decision weights). Version 2 adds two keys a branch may carry,
  ``stemmer`` (a word branch of roots) and ``scale`` (its rows' weight); a
  model that needs neither is written as version 1, which classify before
  them reads too. Version 3 adds the reported probabilities' own
  calibration (``confidence_a``/``confidence_b`` in ``model.npz``); a model
  without it is written as version 2 or 1, so an older classify reads it
  and refuses (by version) one whose confidences it would misstate;
- ``model.npz``: plain numeric arrays (vocabularies as UTF-8 bytes, idf,
  linear weights, calibration), read with ``allow_pickle=False``;
- ``card.json``: the model card (see :mod:`classify.model.card`), with the
  sha256 of every other file;
- ``features.npz`` (optional): the training rows that ``train --base``
  builds on, plain arrays too.

Loading parses JSON and numeric arrays and checks every key, dtype, shape
and value range, so a model folder from anyone can be loaded without running
anything it contains. The sha256s catch a corrupted or swapped file; they do
not make a hostile folder trustworthy (whoever wrote the folder wrote the
card too), which is why loading must be safe on its own.
"""

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import card as cards
from .normalize import Normalizer
from .predictor import Model
from .vectorize import STEMMERS, Vectorizer

FORMAT = "classify-model"
FORMAT_VERSION = 3
READ_VERSIONS = (1, 2, 3)
STRUCTURE_FILE = "model.json"
ARRAYS_FILE = "model.npz"
FEATURES_FILE = "features.npz"
LEGACY_PICKLE = "model.joblib"

# Bounds far above any real model, so that a malformed file is refused
# before it can exhaust memory.
MAX_FEATURES = 20_000_000
MAX_LABELS = 1_000
MAX_MEMBER_BYTES = 2 << 30
MAX_JSON_BYTES = 64 << 20


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- writing -----------------------------------------------------------------


def _terms_bytes(terms: list[str]) -> np.ndarray:
    if any("\n" in t for t in terms):
        raise ValueError("terms must not contain newlines")
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def save_model(model: Model, card: dict, model_dir: Path, *, force: bool = False, features=None) -> dict:
    """Write a model directory; never replaces a model unless forced.

    ``features`` = (X, y, weights) adds ``features.npz``. Returns the card as
    written (with the files' sha256).
    """
    model_dir = Path(model_dir)
    if (model_dir / STRUCTURE_FILE).exists() and not force:
        raise ModelError(f"{model_dir}: already holds a model; choose a new directory or pass --force")
    model_dir.mkdir(parents=True, exist_ok=True)
    branches = []
    for name, vec in model.branches:
        b = {"name": name, "analyzer": vec.analyzer, "ngram_range": list(vec.ngram_range), "n_features": vec.n_features}
        if vec.stemmer is not None:
            b["stemmer"] = vec.stemmer
        if vec.scale != 1.0:
            b["scale"] = vec.scale
        branches.append(b)
    # version 1 where it says all: an older classify then still reads the
    # model, and refuses (by version) one whose branches it would misread
    extended = any(len(b) > 4 for b in branches)
    confidence = model.conf_a is not None
    structure = {
        "format": FORMAT,
        "format_version": 3 if confidence else 2 if extended else 1,
        "labels": list(model.labels),
        "cleaner": "clean_page",
        "normalizer": model.normalizer.tables,
        # two numbers when nothing is marked: what versions before marked leads read
        "lead": list(model.lead) if model.lead[2:] and model.lead[2] else list(model.lead[:2]),
        "branches": branches,
        "score_columns": int(model.coef.shape[0]),
        "decision_weights": [float(w) for w in model.weights],
    }
    arrays = {"coef": model.coef.astype(np.float32), "intercept": model.intercept, "calib_a": model.calib_a, "calib_b": model.calib_b}
    if confidence:
        arrays.update(confidence_a=model.conf_a, confidence_b=model.conf_b)
    for name, vec in model.branches:
        arrays[f"{name}.terms"] = _terms_bytes(vec.terms)
        arrays[f"{name}.idf"] = vec.idf
    _atomic(model_dir / STRUCTURE_FILE, lambda p: p.write_text(json.dumps(structure, ensure_ascii=False) + "\n", encoding="utf-8"))
    # model.npz stored, not deflated: loading it is on every command's start-up,
    # and inflating three branches' terms and weights took ~40 ms of it (a
    # model of 6 MB deflated, 14 MB stored); git deflates what it keeps anyway,
    # so the repository grows by the same ~6 MB a rebuild either way
    _atomic(model_dir / ARRAYS_FILE, lambda p: np.savez(open(p, "wb"), **arrays))
    files = [STRUCTURE_FILE, ARRAYS_FILE]
    if features is not None:
        X, y, weights, *rest = features
        # each row's calibration group (its corpus; "" for none), when training had them
        groups = {"groups": np.asarray(["" if g is None else str(g) for g in rest[0]], dtype=str)} if rest and rest[0] is not None else {}
        X = X.tocsr()
        _atomic(
            model_dir / FEATURES_FILE,
            lambda p: np.savez_compressed(
                open(p, "wb"),
                data=X.data.astype(np.float16),
                indices=X.indices.astype(np.int32),
                indptr=X.indptr.astype(np.int64),
                shape=np.asarray(X.shape, dtype=np.int64),
                labels=np.asarray(y, dtype=str),
                weights=np.asarray(weights, dtype=np.float64),
                **groups,
            ),
        )
        files.append(FEATURES_FILE)
    elif (model_dir / FEATURES_FILE).exists():
        (model_dir / FEATURES_FILE).unlink()  # it belonged to the model replaced
    (model_dir / LEGACY_PICKLE).unlink(missing_ok=True)
    card = cards.complete(card, model, {f: sha256_of(model_dir / f) for f in files},
                          (model_dir / ARRAYS_FILE).stat().st_size)
    cards.write_card(card, model_dir)
    return card


# --- reading -----------------------------------------------------------------


def _check_file(model_dir: Path, card: dict, name: str) -> Path:
    path = model_dir / name
    expected = card["files"].get(name)
    if not path.is_file():
        raise ModelError(f"{model_dir}: no {name}")
    if not expected:
        raise ModelError(f"{model_dir}: {cards.CARD_FILE} records no sha256 for {name}")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelError(
            f"{path}: sha256 {actual[:12]}… does not match {cards.CARD_FILE} ({expected[:12]}…); "
            "the file was altered, corrupted or replaced"
        )
    return path


def _open_arrays(path: Path):
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.file_size > MAX_MEMBER_BYTES:
                    raise ModelError(f"{path}: member {info.filename} is {info.file_size} bytes; refusing")
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a numpy .npz archive") from None
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ModelError(f"{path}: not a plain-array file ({exc})") from None


def _array(npz, path: Path, key: str, kind: str, ndim: int, shape=None) -> np.ndarray:
    if key not in npz.files:
        raise ModelError(f"{path}: missing array '{key}'")
    try:
        a = npz[key]
    except ValueError as exc:  # object arrays need pickle: refused
        raise ModelError(f"{path}: array '{key}' is not plain data ({exc})") from None
    if a.dtype.kind not in kind:
        raise ModelError(f"{path}: array '{key}' has dtype {a.dtype}, expected kind {kind}")
    if a.ndim != ndim or (shape is not None and tuple(a.shape) != tuple(shape)):
        raise ModelError(f"{path}: array '{key}' has shape {a.shape}, expected {shape or f'{ndim} dimensions'}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ModelError(f"{path}: array '{key}' holds NaN or infinite values")
    return a


def _read_json(path: Path) -> dict:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ModelError(f"{path}: {path.stat().st_size} bytes; refusing so large a JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object")
    return data


def _need(cond: bool, path: Path, what: str) -> None:
    if not cond:
        raise ModelError(f"{path}: {what}")


def _structure(path: Path) -> dict:
    s = _read_json(path)
    _need(s.get("format") == FORMAT, path, f"not a {FORMAT} file")
    version = s.get("format_version")
    _need(version in READ_VERSIONS and not isinstance(version, bool), path,
          f"format version {version!r}; this classify reads versions {', '.join(map(str, READ_VERSIONS))}")
    labels = s.get("labels")
    _need(isinstance(labels, list) and 2 <= len(labels) <= MAX_LABELS and all(isinstance(x, str) and x for x in labels)
          and len(set(labels)) == len(labels), path, "'labels' must be 2 or more distinct label names")
    _need(s.get("cleaner") == "clean_page", path, f"unknown cleaner {s.get('cleaner')!r}")
    _need(isinstance(s.get("normalizer"), dict), path, "'normalizer' tables missing")
    branches = s.get("branches")
    _need(isinstance(branches, list) and len(branches) >= 1, path, "'branches' missing")
    for b in branches:
        _need(isinstance(b, dict) and isinstance(b.get("name"), str) and b.get("analyzer") in ("word", "char_wb")
              and isinstance(b.get("ngram_range"), list) and len(b["ngram_range"]) == 2
              and all(isinstance(n, int) and 1 <= n <= 8 for n in b["ngram_range"])
              and b["ngram_range"][0] <= b["ngram_range"][1]
              and isinstance(b.get("n_features"), int) and 0 < b["n_features"] <= MAX_FEATURES,
              path, f"malformed branch {b!r:.80}")
        extra = set(b) - {"name", "analyzer", "ngram_range", "n_features"}
        _need(not extra or (version >= 2 and extra <= {"stemmer", "scale"}), path,
              f"branch {b['name']!r}: unknown keys {', '.join(sorted(map(str, extra)))} for format version {version}")
        _need("stemmer" not in b or (b["stemmer"] in STEMMERS and b["analyzer"] == "word"), path,
              f"branch {b['name']!r}: unknown stemmer {b.get('stemmer')!r} (known: {', '.join(STEMMERS)}, word branches only)")
        scale = b.get("scale", 1.0)
        _need(isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale <= 1e6, path,
              f"branch {b['name']!r}: 'scale' must be a positive number")
    lead = s.get("lead", [0, 0])
    _need(isinstance(lead, list) and len(lead) in (2, 3)
          and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 10_000 for n in lead)
          and (len(lead) == 2 or lead[2] <= 10),
          path, "'lead' must be two or three small whole numbers (tokens, copies, marked copies)")
    cols = s.get("score_columns")
    _need(cols == (1 if len(labels) == 2 else len(labels)), path, "'score_columns' does not fit the labels")
    w = s.get("decision_weights")
    _need(isinstance(w, list) and len(w) == len(labels) and all(isinstance(x, (int, float)) and x > 0 for x in w),
          path, "'decision_weights' must be one positive number per label")
    return s


def _lead(lead: list) -> tuple[int, int, int]:
    """(tokens, copies, marked copies): a model from before marked leads has none."""
    return (lead[0], lead[1], lead[2] if len(lead) == 3 else 0)


def load_model(model_dir: Path) -> Model:
    """Load and check a model directory. Runs nothing from it."""
    model_dir = Path(model_dir)
    card = cards.read_card(model_dir)
    if not (model_dir / STRUCTURE_FILE).exists() and (model_dir / LEGACY_PICKLE).exists():
        raise ModelError(
            f"{model_dir}: holds only {LEGACY_PICKLE}, the old pickled format, which could run code when loaded; "
            "retrain it with this version of classify"
        )
    s = _structure(_check_file(model_dir, card, STRUCTURE_FILE))
    path = _check_file(model_dir, card, ARRAYS_FILE)
    try:
        normalizer = Normalizer(s["normalizer"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelError(f"{model_dir / STRUCTURE_FILE}: unusable normaliser tables ({exc})") from None
    n_cols = s["score_columns"]
    with _open_arrays(path) as npz:
        branches = []
        for b in s["branches"]:
            raw = _array(npz, path, f"{b['name']}.terms", "u", 1)
            try:
                terms = raw.tobytes().decode("utf-8").split("\n")
            except UnicodeDecodeError:
                raise ModelError(f"{path}: '{b['name']}.terms' is not UTF-8") from None
            _need(len(terms) == b["n_features"], path, f"'{b['name']}.terms' holds {len(terms)} terms, not {b['n_features']}")
            idf = _array(npz, path, f"{b['name']}.idf", "f", 1, (b["n_features"],))
            branches.append((b["name"], Vectorizer(b["analyzer"], b["ngram_range"], terms, idf,
                                                   stemmer=b.get("stemmer"), scale=float(b.get("scale", 1.0)))))
        n_features = sum(b["n_features"] for b in s["branches"])
        coef = _array(npz, path, "coef", "f", 2, (n_cols, n_features)).astype(np.float64)
        intercept = _array(npz, path, "intercept", "f", 1, (n_cols,)).astype(np.float64)
        calib_a = _array(npz, path, "calib_a", "f", 1, (n_cols,)).astype(np.float64)
        calib_b = _array(npz, path, "calib_b", "f", 1, (n_cols,)).astype(np.float64)
        conf = [None, None]
        if s["format_version"] >= 3:
            conf = [_array(npz, path, name, "f", 1, (n_cols,)).astype(np.float64) for name in ("confidence_a", "confidence_b")]
    _need(list(card.get("labels", [])) == s["labels"], model_dir / cards.CARD_FILE, "labels differ from model.json's")
    return Model(s["labels"], normalizer, branches, coef, intercept, calib_a, calib_b,
                 np.asarray(s["decision_weights"], dtype=np.float64), card, _lead(s.get("lead", [0, 0])), *conf)


def load_features(model_dir: Path, card: dict, *, with_groups: bool = False):
    """The base model's stored training rows: (X as scipy CSR, labels, weights),
    and with ``with_groups`` each row's calibration group ("" for none; None
    for a model stored without them). Training only (imports scipy)."""
    import scipy.sparse as sp

    model_dir = Path(model_dir)
    if FEATURES_FILE not in card.get("files", {}) or not (model_dir / FEATURES_FILE).is_file():
        raise ModelError(f"{model_dir}: has no {FEATURES_FILE} to build on; retrain with --replace-labels")
    path = _check_file(model_dir, card, FEATURES_FILE)
    with _open_arrays(path) as z:
        shape = _array(z, path, "shape", "iu", 1, (2,))
        n_rows, n_cols = int(shape[0]), int(shape[1])
        _need(0 < n_rows <= 10_000_000 and 0 < n_cols <= MAX_FEATURES, path, f"absurd shape {tuple(shape)}")
        data = _array(z, path, "data", "f", 1)
        indices = _array(z, path, "indices", "iu", 1, data.shape)
        indptr = _array(z, path, "indptr", "iu", 1, (n_rows + 1,))
        labels = _array(z, path, "labels", "U", 1, (n_rows,))
        weights = _array(z, path, "weights", "f", 1, (n_rows,))
        groups = _array(z, path, "groups", "U", 1, (n_rows,)) if "groups" in z.files else None
    _need(indptr[0] == 0 and indptr[-1] == len(data) and (np.diff(indptr) >= 0).all(), path, "malformed row pointers")
    _need(len(indices) == 0 or (indices.min() >= 0 and indices.max() < n_cols), path, "column index out of range")
    _need((weights > 0).all(), path, "weights must be positive")
    X = sp.csr_matrix((data.astype(np.float32), indices, indptr), shape=(n_rows, n_cols))
    if with_groups:
        return X, labels.astype(str), weights.astype(np.float64), None if groups is None else groups.astype(str)
    return X, labels.astype(str), weights.astype(np.float64)

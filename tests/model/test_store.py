"""Model directories are data: loading one runs nothing, and malformed files
are refused in one line."""

import json
import pickle
import zipfile

import numpy as np
import pytest

from classify.errors import ModelError
from classify.model.card import read_card
from classify.model.store import load_features, load_model, save_model, sha256_of


def test_round_trip_keeps_labels_and_probabilities(tiny_model_dir, tmp_path):
    model = load_model(tiny_model_dir)
    assert model.card["labels"] == model.labels
    assert set(model.card["files"]) == {"model.json", "model.npz", "features.npz"}
    again = save_model(model, model.card, tmp_path / "copy") and load_model(tmp_path / "copy")
    texts = ["نقابة الصحفيين تدين اعتقال مراسل", "مركز التواصل الحكومي يطلق دليلا"]
    assert np.abs(again.predict_proba(texts) - model.predict_proba(texts)).max() < 1e-6


def test_a_marked_lead_is_saved_and_loaded_and_an_unmarked_one_stays_two_numbers(tiny_model_dir, tmp_path):
    model = load_model(tiny_model_dir)
    model.lead = (5, 1, 0)
    save_model(model, model.card, tmp_path / "plain")
    assert json.loads((tmp_path / "plain" / "model.json").read_text())["lead"] == [5, 1]
    assert load_model(tmp_path / "plain").lead == (5, 1, 0)
    model.lead = (5, 1, 1)
    save_model(model, model.card, tmp_path / "marked")
    again = load_model(tmp_path / "marked")
    assert again.lead == (5, 1, 1)
    texts = ["نقابة الصحفيين تدين اعتقال مراسل", "مركز التواصل الحكومي يطلق دليلا"]
    assert np.abs(again.predict_proba(texts) - model.predict_proba(texts)).max() < 1e-6


def test_a_root_branch_and_its_weight_are_saved_and_loaded_as_format_2(tiny_root_model_dir, tiny_model_dir, tmp_path):
    structure = json.loads((tiny_root_model_dir / "model.json").read_text())
    assert structure["format_version"] == 2
    assert [(b["name"], b.get("stemmer"), b.get("scale")) for b in structure["branches"]] == [
        ("words", None, None), ("chars", None, None), ("roots", "isri", 1.5)]
    model = load_model(tiny_root_model_dir)
    roots = dict(model.branches)["roots"]
    assert (roots.stemmer, roots.scale) == ("isri", 1.5)
    again = save_model(model, model.card, tmp_path / "copy") and load_model(tmp_path / "copy")
    texts = ["نقابة الصحافيين تدين اعتقال مراسل", "مركز التواصل الحكومي يطلق دليلا"]
    assert np.abs(again.predict_proba(texts) - model.predict_proba(texts)).max() < 1e-6
    # a model without them stays format 1, which classify before roots reads
    assert json.loads((tiny_model_dir / "model.json").read_text())["format_version"] == 1


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s["branches"][2].update(stemmer="porter"), "unknown stemmer 'porter'"),
        (lambda s: s["branches"][1].update(stemmer="isri"), "unknown stemmer"),  # a char branch
        (lambda s: s["branches"][2].update(scale=-1), "'scale' must be a positive number"),
        (lambda s: s["branches"][2].update(scale="1.5"), "'scale' must be a positive number"),
        (lambda s: s["branches"][2].update(code="os.system"), "unknown keys code"),
        (lambda s: s.update(format_version=1), "unknown keys scale, stemmer for format version 1"),
    ],
)
def test_a_malformed_root_branch_is_refused_in_one_line(tiny_root_model_dir, tmp_path, edit, message):
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(tiny_root_model_dir, copy)
    _edit_structure(copy, edit)
    with pytest.raises(ModelError, match=message) as err:
        load_model(copy)
    assert "\n" not in str(err.value)


def _rehash(model_dir):
    card = json.loads((model_dir / "card.json").read_text())
    for name in card["files"]:
        card["files"][name] = sha256_of(model_dir / name)
    (model_dir / "card.json").write_text(json.dumps(card))


class _Payload:
    """Unpickling this creates the marker file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _hostile(model_dir, marker):
    """Every non-JSON file replaced by a pickle payload, .npz files by object
    arrays under the same names, every recorded hash updated."""
    for path in model_dir.iterdir():
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                names = list(z.files)
            np.savez(open(path, "wb"), **{n: np.array([_Payload(marker)], dtype=object) for n in names})
        elif path.suffix != ".json":
            path.write_bytes(pickle.dumps(_Payload(marker)))
    (model_dir / "model.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(model_dir)


def test_hostile_model_folder_runs_nothing(model_copy, tmp_path):
    marker = tmp_path / "ran"
    _hostile(model_copy, marker)
    with pytest.raises(ModelError, match="not plain data|not a plain-array"):
        load_model(model_copy)
    with pytest.raises(ModelError):
        load_features(model_copy, read_card(model_copy))
    assert not marker.exists()


def test_raw_pickle_in_place_of_the_arrays_is_refused(model_copy, tmp_path):
    marker = tmp_path / "ran"
    (model_copy / "model.npz").write_bytes(pickle.dumps(_Payload(marker)))
    _rehash(model_copy)
    with pytest.raises(ModelError, match="not a numpy .npz"):
        load_model(model_copy)
    assert not marker.exists()


def test_old_pickled_model_is_refused_without_unpickling(model_copy, tmp_path):
    marker = tmp_path / "ran"
    (model_copy / "model.json").unlink()
    (model_copy / "model.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelError, match="old pickled format"):
        load_model(model_copy)
    assert not marker.exists()


def test_tampered_file_is_refused_by_its_hash(model_copy):
    path = model_copy / "model.npz"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256 .* does not match"):
        load_model(model_copy)


def _edit_arrays(model_dir, edit):
    path = model_dir / "model.npz"
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    edit(arrays)
    np.savez(open(path, "wb"), **arrays)
    _rehash(model_dir)


def _edit_structure(model_dir, edit):
    path = model_dir / "model.json"
    s = json.loads(path.read_text())
    edit(s)
    path.write_text(json.dumps(s))
    _rehash(model_dir)


def _nan(a):
    a["coef"] = a["coef"].copy()
    a["coef"][0, 0] = np.nan


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda a: a.pop("coef"), "missing array 'coef'"),
        (lambda a: a.update(coef=a["coef"][:, :-1]), "'coef' has shape"),
        (lambda a: a.update(coef=a["coef"].astype(np.int64)), "'coef' has dtype"),
        (_nan, "NaN"),
        (lambda a: a.update(intercept=np.zeros((2, 2))), "'intercept' has shape"),
        (lambda a: a.update({"words.terms": np.frombuffer(b"a\nb", dtype=np.uint8)}), "'words.terms' holds 2 terms"),
        (lambda a: a.update({"words.terms": np.frombuffer(b"\xff\xfe", dtype=np.uint8)}), "not UTF-8"),
    ],
)
def test_malformed_arrays_are_refused_in_one_line(model_copy, edit, message):
    _edit_arrays(model_copy, edit)
    with pytest.raises(ModelError, match=message) as err:
        load_model(model_copy)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s.update(format_version=99), "format version 99"),
        (lambda s: s.pop("labels"), "'labels'"),
        (lambda s: s.update(decision_weights=[1.0]), "decision_weights"),
        (lambda s: s["branches"][0].update(n_features=10**12), "malformed branch"),
        (lambda s: s["branches"][0].update(analyzer="pickle"), "malformed branch"),
        (lambda s: s.update(normalizer={"version": 1}), "normaliser tables"),
        (lambda s: s.update(score_columns=7), "score_columns"),
        (lambda s: s.update(lead=[60, 1, 1, 1]), "'lead'"),
        (lambda s: s.update(lead=[60, True]), "'lead'"),
    ],
)
def test_malformed_structure_is_refused_in_one_line(model_copy, edit, message):
    _edit_structure(model_copy, edit)
    with pytest.raises(ModelError, match=message) as err:
        load_model(model_copy)
    assert "\n" not in str(err.value)


def test_zip_member_too_large_is_refused_before_reading(model_copy, monkeypatch):
    import classify.model.store as store

    monkeypatch.setattr(store, "MAX_MEMBER_BYTES", 10)
    with pytest.raises(ModelError, match="refusing"):
        load_model(model_copy)


def test_card_problems(model_copy, tmp_path):
    with pytest.raises(ModelError, match="not found"):
        read_card(tmp_path / "nope")
    with pytest.raises(ModelError, match="no card.json"):
        read_card(tmp_path)
    card = json.loads((model_copy / "card.json").read_text())
    del card["files"]["model.npz"]
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="no sha256 for model.npz"):
        load_model(model_copy)
    (model_copy / "card.json").write_text("{")
    with pytest.raises(ModelError, match="unreadable model card"):
        load_model(model_copy)


def test_save_refuses_to_overwrite(tiny_model_dir):
    model = load_model(tiny_model_dir)
    with pytest.raises(ModelError, match="--force"):
        save_model(model, model.card, tiny_model_dir)


def test_a_model_file_names_no_code(tiny_model_dir):
    """Nothing in a model directory names a module or class to import: JSON
    and plain arrays only."""
    for path in tiny_model_dir.iterdir():
        if path.suffix == ".npz":
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    assert info.filename.endswith(".npy")
            with np.load(path, allow_pickle=False) as z:
                assert all(z[k].dtype.kind in "biufU" for k in z.files)
        else:
            assert path.suffix == ".json"
            json.loads(path.read_text())


def test_a_model_loads_and_predicts_where_scikit_learn_cannot_be_imported(tiny_model_dir):
    """Loading is independent of the scikit-learn version: it needs none at
    all (here, importing scikit-learn, scipy or camel-tools fails)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('sklearn', 'scipy', 'camel_tools', 'joblib', 'pandas'):\n"
        "    sys.modules[name] = None  # any import of these now raises ImportError\n"
        "from classify.model.store import load_model\n"
        f"m = load_model({str(tiny_model_dir)!r})\n"
        "print(m.predict(['نقابة الصحفيين تدين اعتقال مراسل'])[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in load_model(tiny_model_dir).labels


def test_a_confidence_calibration_of_its_own_is_saved_as_format_3(tiny_model_dir, tmp_path):
    model = load_model(tiny_model_dir)
    assert model.conf_a is None  # fitted without ordinary-news rows
    texts = ["نقابة الصحفيين تدين اعتقال مراسل", "مركز التواصل الحكومي يطلق دليلا", "الفريق يفوز بالمباراة"]
    labels_before = model.predict(texts)
    model.conf_a, model.conf_b = model.calib_a * 0.5, model.calib_b - 0.3
    save_model(model, model.card, tmp_path / "m")
    assert json.loads((tmp_path / "m" / "model.json").read_text())["format_version"] == 3
    again = load_model(tmp_path / "m")
    assert np.allclose(again.conf_a, model.conf_a) and np.allclose(again.conf_b, model.conf_b)
    # the labels are decided as before; only the reported probabilities move
    labels, proba = again.predict_with_proba(texts)
    assert list(labels) == list(labels_before)
    assert np.abs(proba - load_model(tiny_model_dir).predict_proba(texts)).max() > 0.01
    assert np.allclose(proba.sum(axis=1), 1.0)
    # format 3 without its arrays is refused in one line
    _edit_arrays(tmp_path / "m", lambda a: a.pop("confidence_b"))
    with pytest.raises(ModelError, match="missing array 'confidence_b'") as err:
        load_model(tmp_path / "m")
    assert "\n" not in str(err.value)

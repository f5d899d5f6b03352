import json

import pytest

from classify.errors import ModelError
from classify.model.store import load_model, read_card, save_model


def test_round_trip_predicts_the_same(tiny_model_dir):
    model, card = load_model(tiny_model_dir)
    assert sorted(card["labels"]) == sorted(model.classes_)
    assert len(card["model_sha256"]) == 64


def test_tampered_model_file_is_refused(model_copy):
    path = model_copy / "model.joblib"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256 .* does not match"):
        load_model(model_copy)


def test_foreign_pickle_is_refused_before_unpickling(model_copy, tmp_path):
    import joblib

    marker = tmp_path / "ran"
    joblib.dump({"not": "a model"}, model_copy / "model.joblib")
    with pytest.raises(ModelError, match="sha256"):
        load_model(model_copy)
    assert not marker.exists()


def test_card_without_hash_is_refused(model_copy):
    card = json.loads((model_copy / "card.json").read_text())
    del card["model_sha256"]
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="no model_sha256"):
        load_model(model_copy)


def test_other_scikit_learn_version_is_reported_with_the_fix(model_copy):
    card = json.loads((model_copy / "card.json").read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2.*scikit-learn==0\.24\.2"):
        load_model(model_copy)


def test_hash_matching_non_pipeline_is_refused(model_copy):
    import joblib

    from classify.model.store import sha256_of

    joblib.dump(["a", "list"], model_copy / "model.joblib")
    card = json.loads((model_copy / "card.json").read_text())
    card["model_sha256"] = sha256_of(model_copy / "model.joblib")
    (model_copy / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="not a classify pipeline"):
        load_model(model_copy)


def test_missing_and_non_model_directories(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        read_card(tmp_path / "nope")
    with pytest.raises(ModelError, match="no card.json"):
        read_card(tmp_path)


def test_save_refuses_to_overwrite(tiny_model_dir):
    model, card = load_model(tiny_model_dir)
    with pytest.raises(ModelError, match="--force"):
        save_model(model, card, tiny_model_dir)

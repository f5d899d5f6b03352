import json

import numpy as np
from typer.testing import CliRunner

from classify.cli import app
from classify.training.metrics import confidence_bands, expected_calibration_error, metrics_from_proba
from classify.model.card import format_metrics
from classify.model.explain import explain_text, top_features
from classify.model.store import load_model

from ..helpers import FIXTURES

runner = CliRunner()
PF_PATH = FIXTURES / "press-freedom" / "03.txt"


def test_explanation_words_appear_as_written_in_the_article(tiny_model_dir):
    model = load_model(tiny_model_dir)
    text = PF_PATH.read_text(encoding="utf-8")
    pairs = explain_text(model, text, top=5)
    assert pairs, "a confident prediction has words pushing it"
    weights = [w for _, w in pairs]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    for word, _ in pairs:
        assert word in text  # surface form, not the normalised one


def test_explanation_of_another_label_differs(tiny_model_dir):
    model = load_model(tiny_model_dir)
    text = PF_PATH.read_text(encoding="utf-8")
    assert explain_text(model, text, label="press-freedom") != explain_text(model, text, label="other")


def test_top_features_are_sorted_per_label_and_branch(tiny_model_dir):
    model = load_model(tiny_model_dir)
    feats = top_features(model, top=5)
    assert set(feats) == set(model.labels)
    for branches in feats.values():
        for pairs in branches.values():
            ws = [w for _, w in pairs]
            assert ws == sorted(ws, reverse=True)


def test_cli_explain_in_table_and_jsonl(tiny_model_dir):
    res = runner.invoke(app, ["predict", str(PF_PATH), "--model", str(tiny_model_dir), "--explain"])
    assert res.exit_code == 0 and "because of:" in res.stdout
    res = runner.invoke(app, ["predict", str(PF_PATH), "--model", str(tiny_model_dir), "--explain", "-f", "jsonl"])
    row = json.loads(res.stdout)
    assert row["explanation"] and ":" in row["explanation"]


def test_cli_explain_model(tiny_model_dir):
    res = runner.invoke(app, ["explain-model", "--model", str(tiny_model_dir), "--top", "3"])
    assert res.exit_code == 0
    for label in ("government-communication", "press-freedom", "other"):
        assert label in res.stdout


def test_evaluate_writes_plots(tiny_model_dir, tmp_path):
    res = runner.invoke(
        app, ["evaluate", str(FIXTURES), "--model", str(tiny_model_dir), "--plots", str(tmp_path / "plots")]
    )
    assert res.exit_code == 0, res.output
    for name in ("reliability.png", "confusion.png", "precision-recall.png"):
        data = (tmp_path / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_calibration_measures():
    conf = np.array([0.95, 0.95, 0.6, 0.6, 0.3])
    correct = np.array([1, 1, 1, 0, 0])
    assert abs(expected_calibration_error(conf, correct) - (0.4 * 0.05 + 0.4 * 0.1 + 0.2 * 0.3)) < 1e-9
    bands = confidence_bands(conf, correct)
    assert [b["n"] for b in bands] == [1, 2, 0, 2]
    assert bands[1]["accuracy"] == 0.5 and bands[3]["accuracy"] == 1.0


def test_confidence_bands_for_each_label_given():
    # two confident `other` calls, both right; two confident press-freedom
    # tags, one wrong: pooled the top band is 3 of 4 right, by label 2/2 and 1/2
    classes = ["government-communication", "other", "press-freedom"]
    proba = np.array([[0.02, 0.95, 0.03], [0.03, 0.95, 0.02], [0.02, 0.05, 0.93], [0.03, 0.05, 0.92]])
    truth = ["other", "other", "press-freedom", "other"]
    m = metrics_from_proba(truth, proba, classes)
    assert m["confidence_bands"][3]["n"] == 4 and m["confidence_bands"][3]["accuracy"] == 0.75
    by_label = m["confidence_by_label"]
    assert by_label["other"][3]["accuracy"] == 1.0 and by_label["press-freedom"][3]["accuracy"] == 0.5
    assert by_label["government-communication"][3]["n"] == 0 and by_label["government-communication"][3]["accuracy"] is None
    assert "accuracy by label given" in format_metrics(m)


def test_a_marked_lead_token_is_credited_to_its_word():
    from classify.model.explain import unmarked

    assert unmarked({"\u0640word": 0.5, "word": 0.25, "other": -0.1}) == {"word": 0.75, "other": -0.1}

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from classify.cli import app
from classify.errors import ModelError
from classify.model.store import load_features, load_model, read_card

from .conftest import FIXTURES

runner = CliRunner()

SPORT = [
    "المنتخب يفوز على ضيفه بثلاثة أهداف في الدوري",
    "الهلال يتأهل إلى نهائي كأس آسيا بعد ركلات الترجيح",
    "مدرب الفريق يعلن قائمة اللاعبين لمباراة الديربي",
    "العداء الوطني يحرز ذهبية سباق مئة متر في البطولة العربية",
    "نادي الزمالك يتعاقد مع مهاجم جديد لمدة ثلاثة مواسم",
    "منتخب كرة اليد يخسر أمام نظيره في نصف النهائي",
    "بطولة التنس الدولية تنطلق الأسبوع المقبل بمشاركة عشرين لاعبا",
    "الاتحاد يعاقب اللاعب بالإيقاف أربع مباريات بعد الطرد",
]


def new_data(tmp_path):
    rows = [{"text": t, "label": "sport"} for t in SPORT]
    for path in sorted((FIXTURES / "press-freedom").glob("*.txt")):
        rows.append({"text": path.read_text(encoding="utf-8") + " إضافة", "label": "press-freedom"})
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_base_retraining_learns_a_new_label_and_records_lineage(tiny_model_dir, tmp_path):
    out = tmp_path / "mine-model"
    res = runner.invoke(app, ["train", str(new_data(tmp_path)), "--base", str(tiny_model_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    model, card = load_model(out)
    assert "sport" in model.classes_ and "government-communication" in model.classes_
    base_card = read_card(tiny_model_dir)
    step = card["lineage"][-1]
    assert step["base_sha256"] == base_card["model_sha256"]
    assert step["added"]["per_label"]["sport"] >= 5
    assert card["data"]["base_articles_represented"] == base_card["data"]["train"]["articles"]
    X, y, w = load_features(out, card)
    assert X.shape[0] == len(y) == len(w) == card["data"]["base_rows"] + card["data"]["train"]["articles"]
    res = runner.invoke(app, ["info", "--model", str(out)])
    assert "lineage" in res.stdout and str(tiny_model_dir) in res.stdout
    # the new model answers with the new label on a new sports article
    res = runner.invoke(
        app, ["predict", "-", "--model", str(out), "-f", "jsonl"], input="الفريق يفوز بالمباراة النهائية ويتوج بالكأس"
    )
    assert json.loads(res.stdout)["label"] == "sport"


def test_replace_labels_trains_on_new_data_only(tiny_model_dir, tmp_path):
    out = tmp_path / "only-mine"
    res = runner.invoke(
        app, ["train", str(new_data(tmp_path)), "--base", str(tiny_model_dir), "--replace-labels", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    model, card = load_model(out)
    assert sorted(model.classes_) == ["press-freedom", "sport"]
    assert card["lineage"][0]["replaced_labels_of"] == str(tiny_model_dir)


def test_altered_base_features_are_refused(model_copy, tmp_path):
    (model_copy / "features.npz").write_bytes(b"PK\x03\x04 not the file the card describes")
    res = runner.invoke(app, ["train", str(new_data(tmp_path)), "--base", str(model_copy), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "features.npz: sha256 does not match" in res.stderr


def test_base_without_features_says_what_to_do(model_copy, tmp_path):
    (model_copy / "features.npz").unlink()
    with pytest.raises(ModelError, match="--replace-labels"):
        load_features(model_copy, read_card(model_copy))


def test_binary_data_file_is_reported(tmp_path):
    data = tmp_path / "labels.csv"
    data.write_bytes(b"text,label\n\x00\x01\x02\x03")
    res = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "labels.csv: binary file" in res.stderr


def test_base_rows_keep_hard_rows_and_weights_stand_for_the_rest():
    import numpy as np

    from classify.training.train import base_rows

    class Fake:
        classes_ = np.array(["a", "b"])

        class svm_:
            @staticmethod
            def decision_function(X):
                return np.asarray(X.sum(axis=1)).ravel()  # > 0 means "b"

    import scipy.sparse as sp

    values = np.arange(-50, 50, dtype=float)  # rows of "a": hardest are the largest
    X = sp.csr_matrix(values.reshape(-1, 1))
    y = np.array(["a"] * 100)
    y[-10:] = "b"
    Xk, yk, wk = base_rows(Fake, X, y, hard=20, easy=10)
    a_rows = Xk.toarray().ravel()[yk == "a"]
    assert sum(wk[yk == "a"]) == 90 and sum(wk[yk == "b"]) == 10
    assert set(range(20, 40)) <= set(a_rows.astype(int) + 0)  # the 20 a-rows nearest the boundary
    assert len(a_rows) == 30


def test_data_in_an_unknown_encoding_is_reported(tmp_path):
    import random

    rng = random.Random(1)
    data = tmp_path / "labels.csv"
    data.write_bytes(b"text,label\n" + bytes(rng.randrange(1, 256) for _ in range(400)))
    res = runner.invoke(app, ["train", str(data), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "labels.csv: unknown encoding" in res.stderr


def test_kept_decision_weights_stay_and_only_new_labels_are_tuned():
    from classify.model.classifier import WEIGHT_GRID, CalibratedSVM

    rng = np.random.RandomState(0)
    centres = {"a": 0, "b": 1, "c": 2}
    y = np.repeat(list(centres), 20)
    X = rng.rand(len(y), 6) * 0.5
    X[np.arange(len(y)), [centres[v] for v in y]] += 1.0
    clf = CalibratedSVM(C=1.0, folds=3, keep_weights={"a": 0.75, "b": 3.0}).fit(X, y)
    weights = dict(zip(clf.classes_, clf.weights_))
    assert weights["a"] == 0.75 and weights["b"] == 3.0 and weights["c"] in WEIGHT_GRID
    untuned = CalibratedSVM(C=1.0, folds=3, tune_decision=False, keep_weights={"a": 0.75}).fit(X, y)
    assert list(untuned.weights_) == [0.75, 1.0, 1.0]

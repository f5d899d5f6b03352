import numpy as np
import pandas as pd

import classify
from classify.tagging.read import Article
from classify.tagging.rows import tag_batch

TEXTS = ["نقابة الصحفيين تدين اعتقال مراسل وتطالب بالإفراج عنه", "مركز التواصل الحكومي يطلق دليلا للمتحدثين الرسميين", "", "English only"]


def test_tag_a_list_as_the_cli_rows_do(tiny_model_dir):
    model = classify.load_model(tiny_model_dir)
    rows = classify.tag(TEXTS, model, explain=True)
    assert len(rows) == len(TEXTS)
    cli_rows = tag_batch(model, [Article("x", TEXTS[0]), Article("y", TEXTS[1])], None, True)
    for ours, theirs in zip(rows[:2], cli_rows):
        assert ours["label"] == theirs["label"] and ours["confidence"] == theirs["confidence"]
        assert ours["explanation"] == theirs["explanation"]
        assert abs(sum(v for k, v in ours.items() if k.startswith("p_")) - 1) < 1e-3
    assert rows[2]["error"] == "no text" and rows[3]["error"].startswith("no Arabic")


def test_tag_a_series_keeps_its_index(tiny_model_dir):
    model = classify.load_model(tiny_model_dir)
    series = pd.Series(TEXTS[:2], index=["a", "b"])
    frame = classify.tag(series, model)
    assert list(frame.index) == ["a", "b"]
    assert set(frame["label"]) <= set(model.labels)
    assert np.allclose(frame[[f"p_{c}" for c in model.labels]].sum(axis=1), 1, atol=1e-3)

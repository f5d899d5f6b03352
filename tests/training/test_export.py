"""What ships is the exact image of the fitted scikit-learn pipeline: the
loaded model gives the pipeline's probabilities and explanations."""

import gzip
import json
from itertools import islice

import numpy as np
import pytest

from classify.model.explain import credit, ranked, surface_forms, unmarked
from classify.model.store import load_model, save_model
from classify.training.data import load_labelled
from classify.training.export import as_csr, export
from classify.training.train import fit_pipeline

from ..helpers import FIXTURES, LABEL_FILES, SHARED, needs_corpora


def _pipeline_explanation(pipeline, model, text, label, top=8):
    """explain_text's answer, from the scikit-learn pipeline's own features."""
    cleaned = pipeline.named_steps["clean"].transform([text])[0]
    doc = pipeline.named_steps["normalize"].transform([cleaned])[0]
    rows = []
    union = pipeline.named_steps["features"]
    for name, vec in union.transformer_list:
        row = vec.transform([doc]).tocsr() * (union.transformer_weights or {}).get(name, 1.0)
        rows.append(dict(zip(row.indices.tolist(), row.data.tolist())))
    k = list(pipeline[-1].classes_).index(label)
    coef = pipeline[-1].coef_[0] * (1 if k == 1 else -1) if pipeline[-1].coef_.shape[0] == 1 else pipeline[-1].coef_[k]
    scores = credit(doc.lower().split(), model.branches, rows, coef)
    return ranked(unmarked(scores), surface_forms(cleaned, model.normalizer), top)


def _check(pipeline, texts, tmp_path):
    save_model(export(pipeline), {"created": "test"}, tmp_path / "m")
    model = load_model(tmp_path / "m")
    (ours_pred, ours), theirs = model.predict_with_proba(texts), pipeline.predict_proba(texts)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1e-6
    assert (ours_pred == pipeline.predict(texts)).all()
    # the rows retraining adds to the stored ones: the pipeline's own, branch weights included
    rows, ref = as_csr(model.features(texts[:50])), pipeline[:-1].transform(texts[:50])
    assert abs(rows - ref).max() < 1e-9 and ((rows != 0) != (ref != 0)).nnz == 0
    from classify.model.explain import explain_text

    for text, label in zip(texts[:20], ours_pred[:20]):
        assert explain_text(model, text, label=label) == _pipeline_explanation(pipeline, model, text, label)


@pytest.mark.parametrize("lead", [{}, {"lead_tokens": 5, "lead_repeat": 2}, {"lead_tokens": 5, "lead_repeat": 1, "lead_marked": 1},
                                  {"lead_tokens": 5, "lead_marked": 1, "root_ngrams": [1, 2], "root_weight": 1.5}])
def test_loaded_model_equals_the_fitted_pipeline_on_fixtures(tmp_path, lead):
    data = load_labelled([FIXTURES])
    pipeline, _, _ = fit_pipeline(data, params={"min_df": 1, **lead})
    unseen = ["نقابة الصحفيين تطالب بالإفراج عن مراسل معتقل", "مركز الاتصال الحكومي يطلق دليلا للمتحدثين", "الفريق يفوز"]
    _check(pipeline, data["text"].tolist() + unseen, tmp_path)


@needs_corpora
def test_loaded_model_equals_the_fitted_pipeline_on_2000_held_out_articles(tmp_path):
    data = load_labelled(LABEL_FILES)
    train = data[data["method"] != "rule"].sample(3000, random_state=0)
    # the shipped model's kinds of branch and lead, smaller
    params = {"max_word_features": 50_000, "max_char_features": 50_000, "root_ngrams": [1, 2], "root_weight": 1.5,
              "max_root_features": 50_000, "lead_tokens": 60, "lead_repeat": 1, "lead_marked": 1}
    pipeline, _, _ = fit_pipeline(train, params=params)
    with gzip.open(SHARED / "corpora" / "news-credibility.jsonl.gz", "rt", encoding="utf-8") as fh:
        held = [json.loads(line) for line in islice(fh, 20_000, 22_000)]
    texts = [f"{r['title']}\n{r['text']}" for r in held]
    _check(pipeline, texts, tmp_path)


def test_terms_of_a_single_corpus_are_dropped_with_min_groups(tmp_path):
    data = load_labelled([FIXTURES])
    groups = np.where(np.arange(len(data)) % 2, "a", "b")
    data["corpus"] = groups
    only_a = "بزقطنجسمزب"  # nothing in it that normalisation changes
    data.loc[data["corpus"] == "a", "text"] += " " + only_a
    pipeline, X, _ = fit_pipeline(data, params={"min_df": 1, "min_groups": 2}, calibrate_by="corpus")
    words = pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    assert only_a not in words and len(words) > 0
    full, _, _ = fit_pipeline(data, params={"min_df": 1}, calibrate_by="corpus")
    assert only_a in full.named_steps["features"].transformer_list[0][1].vocabulary_
    _check(pipeline, data["text"].tolist(), tmp_path)


def test_a_confidence_of_its_own_ships_with_the_pipeline(tmp_path):
    data = load_labelled([FIXTURES])
    data["corpus"] = np.where(np.arange(len(data)) % 2, "a", "b")
    # half the `other` articles stand for ordinary news (rule-labelled)
    data["method"] = np.where((data["label"] == "other") & (np.arange(len(data)) % 4 < 2), "rule", "reviewed")
    params = {"min_df": 1, "confidence_on": "candidates"}
    pipeline, _, _ = fit_pipeline(data, params=params, calibrate_by="corpus")
    assert pipeline[-1].conf_a_ is not None
    _check(pipeline, data["text"].tolist(), tmp_path)
    assert load_model(tmp_path / "m").conf_a is not None
    plain, _, _ = fit_pipeline(data, params={"min_df": 1}, calibrate_by="corpus")
    texts = data["text"].tolist()
    assert (plain.predict(texts) == pipeline.predict(texts)).all()


def test_decision_weights_respect_the_ordinary_news_limit():
    from classify.training.classifier import _tune_weights

    rng = np.random.default_rng(0)
    classes = np.array(["other", "topic"])
    y = np.array(["other"] * 900 + ["topic"] * 100)
    # 10 ordinary articles score like the (weak) topic articles: catching every
    # topic article means tagging them
    p_topic = np.concatenate([rng.uniform(0, 0.2, 890), rng.uniform(0.3, 0.5, 10), rng.uniform(0.3, 0.6, 100)])
    proba = np.column_stack([1 - p_topic, p_topic])
    ordinary = np.arange(1000) < 900
    free = _tune_weights(proba, y, classes)
    capped = _tune_weights(proba, y, classes, ordinary, 0.005)
    share = lambda w: np.mean(classes[np.argmax(proba * w, axis=1)][ordinary] != "other")  # noqa: E731
    assert share(free) > 0.005
    assert share(capped) <= 0.005 or np.array_equal(capped, np.ones(2))

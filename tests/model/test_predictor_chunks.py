"""Prediction in chunks of documents gives what one pass gives."""

import numpy as np

from classify.model.predictor import Model, _chunks
from classify.model.store import load_model

from ..helpers import FIXTURES


def test_chunks_cover_every_document_once_within_the_size():
    docs = ["a" * n for n in (5, 1, 30, 2, 2, 2, 0, 9)]
    runs = list(_chunks(docs, 6))
    assert runs[0][0] == 0 and runs[-1][1] == len(docs)
    assert all(a < b and b == c for (a, b), (c, _d) in zip(runs, runs[1:]))
    for a, b in runs:  # within the size, unless one document alone exceeds it
        assert b - a == 1 or sum(map(len, docs[a:b])) <= 6
    assert list(_chunks([], 6)) == []


def test_chunked_probabilities_equal_one_pass(tiny_model_dir, monkeypatch):
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))] + ["", "كلمة"]
    whole = load_model(tiny_model_dir).predict_proba(texts)
    monkeypatch.setattr(Model, "CHUNK_TOKENS", 40)
    chunked = load_model(tiny_model_dir).predict_proba(texts)
    assert np.abs(whole - chunked).max() < 1e-12


def test_batches_split_by_the_kernels_score_as_the_python_path(tiny_model_dir, monkeypatch):
    """Large batches (split and counted by the compiled kernels, in chunks of
    characters) and small ones (Python tokens) give the same probabilities,
    lead emphasis included."""
    from classify.model.vectorize import Vectorizer

    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))] + ["", "كلمة", "Word WORD word"]
    for lead in ((0, 0, 0), (5, 1, 0), (5, 1, 1), (7, 0, 2)):
        monkeypatch.setattr(Vectorizer, "KERNEL_MIN_DOCS", 10**9)
        python = load_model(tiny_model_dir)
        python.lead = lead
        expected = python.predict_proba(texts)
        assert not python._kernels_loaded()
        monkeypatch.setattr(Vectorizer, "KERNEL_MIN_DOCS", 1)
        for chars in (10**6, 300):
            monkeypatch.setattr(Model, "CHUNK_CHARS", chars)
            kernels = load_model(tiny_model_dir)
            kernels.lead = lead
            assert np.abs(kernels.predict_proba(texts) - expected).max() < 1e-12
            assert kernels._kernels_loaded()

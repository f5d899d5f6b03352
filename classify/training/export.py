"""The fitted scikit-learn pipeline -> the :class:`~classify.model.predictor.Model`
that ships: its exact image, in plain arrays (tests/training/test_export.py
checks that both give the same probabilities and explanations)."""

import numpy as np

from ..model.normalize import Normalizer
from ..model.predictor import Model
from ..model.vectorize import Vectorizer


def export(pipeline, card: dict | None = None) -> Model:
    """A Model holding what ``pipeline`` (see :func:`~classify.training.pipeline.build_pipeline`) learned."""
    steps = pipeline.named_steps
    union = steps["features"]
    scales = union.transformer_weights or {}
    branches = [
        (name, Vectorizer(vec.analyzer, vec.ngram_range, vec.terms(), np.asarray(vec.idf_, dtype=np.float64),
                          stemmer=vec.STEMMER, scale=float(scales.get(name, 1.0))))
        for name, vec in union.transformer_list
    ]
    norm = steps["normalize"]
    lead = (int(norm.lead_tokens), int(norm.lead_repeat), int(norm.lead_marked))
    base = Model([], Normalizer(steps["normalize"].tables_), branches, *([None] * 5), card or {}, lead)
    return with_classifier(base, pipeline[-1])


def with_classifier(base: Model, classifier) -> Model:
    """``base``'s cleaner, normaliser and vectorisers with a fitted
    :class:`~classify.training.classifier.CalibratedSVM` (retraining keeps the first three)."""
    return Model(
        [str(c) for c in classifier.classes_],
        base.normalizer,
        base.branches,
        np.asarray(classifier.coef_, dtype=np.float64),
        np.asarray(classifier.intercept_, dtype=np.float64),
        np.asarray(classifier.calib_a_, dtype=np.float64),
        np.asarray(classifier.calib_b_, dtype=np.float64),
        np.asarray(classifier.weights_, dtype=np.float64),
        base.card,
        base.lead,
        *(None if a is None else np.asarray(a, dtype=np.float64) for a in (classifier.conf_a_, classifier.conf_b_)),
    )


def as_csr(features):
    """A :class:`~classify.model.vectorize.Features` as a scipy CSR matrix (training side)."""
    import scipy.sparse as sp

    return sp.csr_matrix((features.values, (features.rows, features.cols)), shape=(features.n_rows, features.n_cols))

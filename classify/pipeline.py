"""The one object that goes from raw page text to label.

clean page -> camel-tools normalisation -> word + character TF-IDF ->
linear SVM with sigmoid-calibrated probabilities. Training, evaluation and
prediction all use what :func:`build_pipeline` returns.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from .clean import PageCleaner
from .normalize import ArabicNormalizer


class PrunedTfidf(TfidfVectorizer):
    """TfidfVectorizer that forgets the terms it pruned.

    scikit-learn keeps every term cut by min_df/max_features in
    ``stop_words_`` (documented as safe to drop); on a news corpus that is
    millions of strings and most of the model file.
    """

    def fit_transform(self, raw_documents, y=None):
        X = super().fit_transform(raw_documents, y)
        if hasattr(self, "stop_words_"):
            del self.stop_words_
        return X

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents, y)
        return self


class Lead(TransformerMixin, BaseEstimator):
    """The first ``tokens`` words of normalised text: the headline and lead,
    which LABELS.md says decide the label, weighted apart from the body."""

    def __init__(self, tokens=60):
        self.tokens = tokens

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        n = self.tokens
        return [" ".join(x.split(" ", n)[:n]) for x in X]


def build_pipeline(
    *,
    word_ngrams=(1, 2),
    char_ngrams=(2, 5),
    max_word_features=150_000,
    max_char_features=150_000,
    min_df=2,
    lead_tokens=0,
    C=0.5,
    calibration_folds=5,
    random_state=0,
) -> Pipeline:
    features = []
    if word_ngrams:
        features.append(
            (
                "words",
                PrunedTfidf(
                    token_pattern=r"\S+",
                    lowercase=True,
                    ngram_range=tuple(word_ngrams),
                    min_df=min_df,
                    max_features=max_word_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            )
        )
    if char_ngrams:
        features.append(
            (
                "chars",
                PrunedTfidf(
                    analyzer="char_wb",
                    lowercase=True,
                    ngram_range=tuple(char_ngrams),
                    min_df=min_df,
                    max_features=max_char_features,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            )
        )
    if lead_tokens:
        features.append(
            (
                "lead",
                Pipeline(
                    [
                        ("select", Lead(lead_tokens)),
                        (
                            "tfidf",
                            PrunedTfidf(
                                token_pattern=r"\S+", ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, dtype=np.float32
                            ),
                        ),
                    ]
                ),
            )
        )
    # class_weight='balanced': the two topical labels are a few percent of
    # news; unweighted, the SVM would trade their recall for accuracy.
    svm = LinearSVC(C=C, class_weight="balanced", random_state=random_state)
    # ensemble=False: one SVM on all data plus a calibrator fitted on
    # cross-validated scores, so the file holds one model, not five.
    classifier = CalibratedClassifierCV(svm, method="sigmoid", cv=calibration_folds, ensemble=False)
    return Pipeline(
        [
            ("clean", PageCleaner()),
            ("normalize", ArabicNormalizer()),
            ("features", FeatureUnion(features)),
            ("classify", classifier),
        ]
    )

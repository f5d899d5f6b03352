"""The one object that goes from raw page text to label.

clean page -> camel-tools normalisation -> word + character TF-IDF ->
linear SVM with calibrated probabilities and a macro-F1-tuned decision. Training, evaluation and
prediction all use what :func:`build_pipeline` returns.
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from .classifier import CalibratedSVM
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


def build_pipeline(
    *,
    word_ngrams=(1, 2),
    char_ngrams=(1, 4),
    max_word_features=150_000,
    max_char_features=150_000,
    min_df=2,
    C=0.1,
    calibration_folds=5,
    tune_decision=True,
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
    classifier = CalibratedSVM(C=C, folds=calibration_folds, tune_decision=tune_decision, random_state=random_state)
    return Pipeline(
        [
            ("clean", PageCleaner()),
            ("normalize", ArabicNormalizer()),
            ("features", FeatureUnion(features)),
            ("classify", classifier),
        ]
    )

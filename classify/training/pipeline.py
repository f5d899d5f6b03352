"""The one object that goes from raw page text to label.

clean page -> camel-tools normalisation -> word + character (+ word-root) TF-IDF ->
linear SVM with calibrated probabilities and a macro-F1-tuned decision. Training
fits what :func:`build_pipeline` returns; what ships is its exact image.
"""

from sklearn.pipeline import FeatureUnion, Pipeline

from .classifier import CalibratedSVM
from .estimators import ArabicNormalizer, CharTfidf, PageCleaner, RootTfidf, WordTfidf


def build_pipeline(
    *,
    word_ngrams=(1, 2),
    char_ngrams=(1, 4),
    max_word_features=150_000,
    max_char_features=150_000,
    root_ngrams=None,
    max_root_features=150_000,
    root_weight=1.0,
    min_df=2,
    C=0.1,
    calibration_folds=5,
    tune_decision=True,
    random_state=0,
    lead_tokens=0,
    lead_repeat=0,
    lead_marked=0,
    max_ordinary_topic=0.005,
    confidence_on="all",
) -> Pipeline:
    """The unfitted scikit-learn pipeline with these settings (the `--set` names)."""
    features = []
    if word_ngrams:
        features.append(
            (
                "words",
                WordTfidf(ngram_range=tuple(word_ngrams), min_df=min_df, max_features=max_word_features),
            )
        )
    if char_ngrams:
        features.append(
            (
                "chars",
                CharTfidf(ngram_range=tuple(char_ngrams), min_df=min_df, max_features=max_char_features),
            )
        )
    if root_ngrams:
        # the same words' roots (صحفي، صحافي، الصحافيين -> صحف), so that one
        # country's spelling teaches another's; root_weight scales the branch
        # against the other two, which stay at unit length
        features.append(
            (
                "roots",
                RootTfidf(ngram_range=tuple(root_ngrams), min_df=min_df, max_features=max_root_features),
            )
        )
    weights = {"roots": float(root_weight)} if root_ngrams and float(root_weight) != 1.0 else None
    classifier = CalibratedSVM(
        C=C, folds=calibration_folds, tune_decision=tune_decision, random_state=random_state,
        max_ordinary_topic=max_ordinary_topic, confidence_on=confidence_on,
    )
    return Pipeline(
        [
            ("clean", PageCleaner()),
            ("normalize", ArabicNormalizer(lead_tokens=lead_tokens, lead_repeat=lead_repeat, lead_marked=lead_marked)),
            ("features", FeatureUnion(features, transformer_weights=weights)),
            ("classify", classifier),
        ]
    )

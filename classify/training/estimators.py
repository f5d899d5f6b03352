"""The scikit-learn estimators of the training pipeline.

They wrap the prediction code of :mod:`classify.model` (so the fitted
pipeline cleans and normalises exactly as a loaded model does) and
scikit-learn's ``TfidfVectorizer`` (so the vocabularies and idf are
scikit-learn's own). :mod:`classify.training.export` turns what they learn
into a model directory's arrays.
"""

from functools import partial

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from ..model.clean import clean_page
from ..model.normalize import Normalizer, build_tables, emphasise_lead
from ..model.vectorize import STEMMERS, WordMemo, char_wb_grams, root_form, word_grams


class PageCleaner(TransformerMixin, BaseEstimator):
    """Pipeline step wrapping :func:`~classify.model.clean.clean_page`; stateless."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [clean_page(x) for x in X]


class ArabicNormalizer(TransformerMixin, BaseEstimator):
    """Normalise with camel-tools' rules and re-join the word tokens with
    single spaces. ``fit`` reads camel-tools' tables (``tables_``), which the
    saved model carries. ``lead_tokens``/``lead_repeat``/``lead_marked``:
    see :func:`~classify.model.normalize.emphasise_lead`."""

    def __init__(self, lead_tokens=0, lead_repeat=0, lead_marked=0):
        self.lead_tokens = lead_tokens
        self.lead_repeat = lead_repeat
        self.lead_marked = lead_marked

    def fit(self, X=None, y=None):
        self.tables_ = build_tables()
        return self

    def transform(self, X):
        normalize = Normalizer(self.tables_)
        return [emphasise_lead(normalize(x), self.lead_tokens, self.lead_repeat, self.lead_marked) for x in X]


class _FixedTfidf(TfidfVectorizer):
    """A TfidfVectorizer whose analyzer a subclass fixes (``FIXED``); only
    sizes stay parameters, which is what our pipelines vary. It forgets the
    terms it pruned: scikit-learn keeps every term cut by min_df/max_features
    in ``stop_words_`` (documented as safe to drop), millions of strings on a
    news corpus."""

    FIXED: dict = {}
    # what a model file calls the branch's stemmer (None: the tokens themselves)
    STEMMER: str | None = None

    def __init__(self, *, ngram_range=(1, 2), min_df=1, max_features=None, vocabulary=None):
        super().__init__(
            lowercase=True, ngram_range=ngram_range, min_df=min_df, max_features=max_features,
            vocabulary=vocabulary, sublinear_tf=True, dtype=np.float64, **self.FIXED,
        )

    # scikit-learn reads __init__'s signature for get_params; ours fixes the
    # rest, so only these are parameters
    @classmethod
    def _get_param_names(cls):
        return ["max_features", "min_df", "ngram_range", "vocabulary"]

    def fit_transform(self, raw_documents, y=None):
        X = super().fit_transform(raw_documents, y)
        if hasattr(self, "stop_words_"):
            del self.stop_words_
        return X

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents, y)
        return self

    def _limit_features(self, X, vocabulary, high=None, low=None, limit=None):
        """scikit-learn's pruning, with the ``max_features`` most frequent
        terms chosen the same way on every machine. scikit-learn ranks them
        with numpy's default argsort, which is not stable and, on CPUs with
        AVX-512, orders equally frequent terms otherwise than elsewhere: the
        same data and code gave 1,289 other word terms of 150,000 on two
        machines. Here ties go to the earlier column (the columns are sorted
        by term when a limit is set), and scikit-learn prunes the rest."""
        if limit is not None and X.shape[1] > limit:
            X = X.tocsr()
            dfs = np.bincount(X.indices, minlength=X.shape[1])
            allowed = np.ones(X.shape[1], dtype=bool)
            if high is not None:
                allowed &= dfs <= high
            if low is not None:
                allowed &= dfs >= low
            if allowed.sum() > limit:
                tfs = np.asarray(X.sum(axis=0)).ravel()
                candidates = np.flatnonzero(allowed)
                keep = np.zeros(X.shape[1], dtype=bool)
                keep[candidates[np.argsort(-tfs[candidates], kind="stable")[:limit]]] = True
                new_index = np.cumsum(keep) - 1
                for term, old in list(vocabulary.items()):
                    if keep[old]:
                        vocabulary[term] = int(new_index[old])
                    else:
                        del vocabulary[term]
                X = X[:, np.flatnonzero(keep)]
        return super()._limit_features(X, vocabulary, high, low, None)

    def terms(self) -> list[str]:
        """The vocabulary in column order."""
        return list(self.get_feature_names_out())


class WordTfidf(_FixedTfidf):
    """Word n-grams of the normaliser's whitespace-separated tokens."""

    FIXED = {"token_pattern": r"\S+"}


class CharTfidf(_FixedTfidf):
    """Character n-grams inside word boundaries (sklearn's ``char_wb``), with
    each word's n-grams memoised while fitting: sklearn slices every word of
    every document again, which was most of the fitting time."""

    FIXED = {"analyzer": "char_wb"}

    def build_analyzer(self):
        lo, hi = self.ngram_range
        grams_of = WordMemo(partial(char_wb_grams, lo=lo, hi=hi), 200_000)

        def analyze(doc):
            out = []
            for word in doc.lower().split():
                out.extend(grams_of(word))
            return out

        return analyze


class RootTfidf(_FixedTfidf):
    """Word n-grams of each whitespace token's ISRI root
    (:func:`~classify.model.vectorize.root_form`), each word stemmed once
    while fitting."""

    FIXED = {"token_pattern": r"\S+"}
    STEMMER = "isri"

    def build_analyzer(self):
        lo, hi = self.ngram_range
        stem = STEMMERS[self.STEMMER]
        root_of = WordMemo(partial(root_form, stem=stem), 500_000)

        def analyze(doc):
            return word_grams([root_of(word) for word in doc.lower().split()], lo, hi)

        return analyze

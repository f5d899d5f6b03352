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

    # A dict of 150,000 strings takes seconds through joblib's pure-Python
    # unpickler; one newline-joined string takes milliseconds. Terms never
    # hold a newline (they come from whitespace-split text).
    def __getstate__(self):
        state = dict(super().__getstate__())  # sklearn may hand back __dict__ itself
        state.pop("_memo", None)
        state.pop("_grams", None)
        vocab = state.get("vocabulary_")
        if isinstance(vocab, dict) and not any("\n" in t for t in vocab):
            terms = [""] * len(vocab)
            for term, j in vocab.items():
                terms[j] = term
            del state["vocabulary_"]
            state["_terms"] = "\n".join(terms)
        return state

    def __setstate__(self, state):
        terms = state.pop("_terms", None)
        super().__setstate__(state)
        if terms is not None:
            self.vocabulary_ = {t: j for j, t in enumerate(terms.split("\n"))}


class _FixedTfidf(PrunedTfidf):
    """A PrunedTfidf whose analyzer a subclass fixes (``FIXED``); only sizes
    and weighting stay parameters, which is what our pipelines vary."""

    FIXED: dict = {}

    def __init__(self, *, ngram_range=(1, 2), min_df=1, max_features=None, sublinear_tf=True, dtype=np.float32):
        super().__init__(
            lowercase=True,
            ngram_range=ngram_range,
            min_df=min_df,
            max_features=max_features,
            sublinear_tf=sublinear_tf,
            dtype=dtype,
            **self.FIXED,
        )

    @classmethod
    def _get_param_names(cls):
        return ["dtype", "max_features", "min_df", "ngram_range", "sublinear_tf"]


class WordTfidf(_FixedTfidf):
    """Word n-grams of whitespace-separated tokens (the normaliser already
    tokenised), counted with one vocabulary lookup per n-gram: the same
    matrix as sklearn's word analyzer with ``token_pattern=r"\\S+"``, at a
    fraction of its per-document overhead (tests compare the two)."""

    FIXED = {"token_pattern": r"\S+"}

    def transform(self, raw_documents):
        self._check_vocabulary()
        get = self.vocabulary_.get
        lo, hi = self.ngram_range
        cols, lengths = [], []
        for doc in raw_documents:
            toks = doc.lower().split()
            found = []
            for n in range(lo, hi + 1):
                grams = toks if n == 1 else map(" ".join, zip(*(toks[i:] for i in range(n))))
                found += [j for j in map(get, grams) if j is not None]
            cols += found
            lengths.append(len(found))
        return self._tfidf.transform(_counts(cols, lengths, len(self.vocabulary_), self.dtype), copy=False)


def _counts(cols, lengths, width, dtype, data=None):
    """Document-term counts from the column indices of each document's terms."""
    import scipy.sparse as sp

    cols = np.asarray(cols, dtype=np.int32) if not isinstance(cols, np.ndarray) else cols
    rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    data = np.ones(len(cols), dtype=dtype) if data is None else data
    # COO -> CSR sums the duplicate (row, column) pairs: the counts.
    return sp.csr_matrix((data, (rows, cols)), shape=(len(lengths), width))


def _evict(memo: dict) -> None:
    """Keep the older half: in news text the frequent words arrive first, so
    this drops mostly rare words, in O(n) and without per-hit bookkeeping."""
    keep = list(memo.items())[: len(memo) // 2]
    memo.clear()
    memo.update(keep)


class CharTfidf(_FixedTfidf):
    """Character n-grams inside word boundaries (sklearn's ``char_wb``),
    memoised per word.

    sklearn slices every word of every document into n-grams in Python and
    looks each one up in the vocabulary; that was 85% of prediction time.
    A word's n-grams, and their feature columns, depend only on the word, and
    news vocabulary is Zipfian, so a bounded per-word memo gives the same
    matrix for a fraction of the work (tests compare with sklearn's output).
    """

    MEMO_WORDS = 100_000  # bounded (~25 MB), so batch memory stays flat

    FIXED = {"analyzer": "char_wb"}

    def _word_grams(self, word: str) -> list[str]:
        lo, hi = self.ngram_range
        w = f" {word} "
        size = len(w)
        # as sklearn's char_wb: every window for n shorter than the padded
        # word, and the padded word itself, once, if some n reaches its length
        grams = [w[i : i + n] for n in range(lo, min(hi, size - 1) + 1) for i in range(size - n + 1)]
        if hi >= size:
            grams.append(w)
        return grams

    def build_analyzer(self):
        grams = self.__dict__.setdefault("_grams", {})

        def analyze(doc):
            out = []
            for word in doc.lower().split():
                g = grams.get(word)
                if g is None:
                    if len(grams) >= self.MEMO_WORDS:
                        _evict(grams)
                    g = grams[word] = self._word_grams(word)
                out.extend(g)
            return out

        return analyze

    def transform(self, raw_documents):
        import scipy.sparse as sp

        self._check_vocabulary()
        vocab = self.vocabulary_
        memo = self.__dict__.setdefault("_memo", {})
        # counts = D @ W: D counts each distinct word of the batch per document,
        # W holds each distinct word's n-gram columns (from the memo). Python
        # touches each token once and each distinct word once per batch; the
        # rest is sparse algebra in C.
        index: dict[str, int] = {}
        word_ids, lengths = [], []
        for doc in raw_documents:
            toks = doc.lower().split()
            word_ids += [index.setdefault(t, len(index)) for t in toks]
            lengths.append(len(toks))
        pieces = []
        for word in index:
            c = memo.get(word)
            if c is None:
                if len(memo) >= self.MEMO_WORDS:
                    _evict(memo)
                c = memo[word] = np.array(
                    [j for j in map(vocab.get, self._word_grams(word)) if j is not None], dtype=np.int32
                ).tobytes()
            pieces.append(c)
        sizes = np.fromiter((len(c) >> 2 for c in pieces), dtype=np.int64, count=len(pieces))
        W = sp.csr_matrix(
            (
                np.ones(int(sizes.sum()), dtype=self.dtype),
                np.frombuffer(b"".join(pieces), dtype=np.int32),
                np.concatenate([[0], np.cumsum(sizes)]),
            ),
            shape=(len(index), len(vocab)),
        )
        D = _counts(np.asarray(word_ids, dtype=np.int32), lengths, len(index), self.dtype)
        return self._tfidf.transform((D @ W).tocsr(), copy=False)


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
    classifier = CalibratedSVM(C=C, folds=calibration_folds, tune_decision=tune_decision, random_state=random_state)
    return Pipeline(
        [
            ("clean", PageCleaner()),
            ("normalize", ArabicNormalizer()),
            ("features", FeatureUnion(features)),
            ("classify", classifier),
        ]
    )

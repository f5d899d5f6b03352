"""Word and character TF-IDF vectorisers: scikit-learn's matrices, computed faster.

They are scikit-learn estimators (fitted in training); the arrays they learn
are what a saved model carries.
"""


import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .ngrams import CharGramIndex, WordGramIndex, batch_tokens


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
        for cache in ("_memo", "_grams", "_word_index", "_char_index"):
            state.pop(cache, None)
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
    tokenised): the same matrix as sklearn's word analyzer with
    ``token_pattern=r"\\S+"`` (tests compare the two), counted through a
    :class:`~classify.model.ngrams.WordGramIndex` for a batch, or with one
    vocabulary lookup per n-gram for a few documents."""

    FIXED = {"token_pattern": r"\S+"}

    # From this many documents on, the batch's n-grams are looked up at once
    # in a WordGramIndex (built once, ~0.13 s); a single article is faster
    # one n-gram at a time.
    INDEX_MIN_DOCS = 32

    def transform(self, raw_documents):
        self._check_vocabulary()
        docs = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
        index = None
        if len(docs) >= self.INDEX_MIN_DOCS:
            index = _index(self, "_word_index", lambda: WordGramIndex(self.vocabulary_))
        if index is not None:
            rows, cols = index.columns(*batch_tokens(docs), self.ngram_range)
        else:
            cols, lengths = self._columns_one_by_one(docs)
            rows = np.repeat(np.arange(len(lengths)), lengths)
        counts = _counts(rows, cols, (len(docs), len(self.vocabulary_)), self.dtype)
        return self._tfidf.transform(counts, copy=False)

    def _columns_one_by_one(self, docs):
        get = self.vocabulary_.get
        lo, hi = self.ngram_range
        cols, lengths = [], []
        for doc in docs:
            toks = doc.lower().split()
            found = []
            for n in range(lo, hi + 1):
                grams = toks if n == 1 else map(" ".join, zip(*(toks[i:] for i in range(n))))
                found += [j for j in map(get, grams) if j is not None]
            cols += found
            lengths.append(len(found))
        return cols, lengths


def _index(vectorizer, name, build):
    """The vectoriser's lookup index, built on first use and never pickled;
    None if this vocabulary cannot be indexed (then lookups go one by one)."""
    if name not in vectorizer.__dict__:
        try:
            vectorizer.__dict__[name] = build()
        except ValueError:
            vectorizer.__dict__[name] = None
    return vectorizer.__dict__[name]


def _counts(rows, cols, shape, dtype):
    """Document-term counts from one (row, column) pair per occurrence."""
    import scipy.sparse as sp

    # COO -> CSR sums the duplicate (row, column) pairs: the counts.
    return sp.csr_matrix((np.ones(len(cols), dtype=dtype), (rows, cols)), shape=shape)


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
    The words a batch misses in the memo are looked up together in a
    :class:`~classify.model.ngrams.CharGramIndex`.
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

    # From this many memo misses in a batch on, their n-grams are looked up
    # at once in a CharGramIndex (built once, ~30 ms); one article's few
    # hundred words are cheaper one by one than building it.
    INDEX_MIN_MISSES = 1000

    def transform(self, raw_documents):
        import scipy.sparse as sp

        self._check_vocabulary()
        memo = self.__dict__.setdefault("_memo", {})
        # counts = D @ W: D counts each distinct word of the batch per document,
        # W holds each distinct word's n-gram columns (from the memo). Python
        # touches each distinct word once per batch; the rest is sparse algebra in C.
        words, word_ids, lengths = batch_tokens(raw_documents)
        pieces = list(map(memo.get, words))
        misses = [i for i, c in enumerate(pieces) if c is None]
        if misses:
            new = self._miss_columns([words[i] for i in misses])
            for i, c in zip(misses, new):
                if len(memo) >= self.MEMO_WORDS:
                    _evict(memo)
                memo[words[i]] = pieces[i] = c
        sizes = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)) >> 2
        W = sp.csr_matrix(
            (
                np.ones(int(sizes.sum()), dtype=self.dtype),
                np.frombuffer(b"".join(pieces), dtype=np.int32),
                np.concatenate([[0], np.cumsum(sizes)]),
            ),
            shape=(len(words), len(self.vocabulary_)),
        )
        D = _counts(np.repeat(np.arange(len(lengths)), lengths), word_ids, (len(lengths), len(words)), self.dtype)
        return self._tfidf.transform((D @ W).tocsr(), copy=False)

    def _miss_columns(self, words: list[str]) -> list[bytes]:
        """Each word's n-gram columns as int32 bytes (the memo's format)."""
        lo, hi = self.ngram_range
        index = None
        if len(words) >= self.INDEX_MIN_MISSES:
            index = _index(self, "_char_index", lambda: CharGramIndex(self.vocabulary_, hi))
        if index is None:
            get = self.vocabulary_.get
            return [
                np.array([j for j in map(get, self._word_grams(w)) if j is not None], dtype=np.int32).tobytes()
                for w in words
            ]
        cols, counts = index.word_columns(words, lo, hi)
        flat = cols.astype(np.int32).tobytes()
        ends = np.cumsum(counts) * 4
        starts = ends - counts * 4
        return [flat[a:b] for a, b in zip(starts.tolist(), ends.tolist())]

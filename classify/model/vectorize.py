"""TF-IDF features of normalised text, in numpy: scikit-learn's numbers without
scikit-learn.

A :class:`Vectorizer` holds what a fitted ``TfidfVectorizer`` learned (its
terms in column order and their idf) and computes the same matrix: word
n-grams of whitespace tokens, or character n-grams inside word boundaries
(sklearn's ``char_wb``), counted per document, ``1 + log(count)`` times idf,
each row scaled to unit length. A word branch may count the n-grams of each
token's root instead (``stemmer="isri"``, :mod:`classify.model.roots`), and a
branch's rows may be multiplied by a weight (``scale``: scikit-learn's
``FeatureUnion`` ``transformer_weights``). ``tests/model/test_vectorize.py`` compares it
with scikit-learn's own output.

Counting is the cost. A batch is counted by the compiled loops of
:mod:`classify.model.kernels` against integer indexes of the vocabulary
(:mod:`classify.model.ngrams`); a few documents, one n-gram at a time in
Python, which needs neither numba nor the indexes (predicting one article
starts in a third of a second).
"""

import operator
from bisect import bisect_left
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice

import numpy as np

from .normalize import TATWEEL
from .roots import isri_root
from .tokens import CodeTokens, Tokens, code_tokens, codepoints

STEMMERS = {"isri": isri_root}


@dataclass
class Features:
    """Sparse rows in coordinate form, sorted by row: ``values[i]`` sits at
    (``rows[i]``, ``cols[i]``) of an ``n_rows`` x ``n_cols`` matrix."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    n_rows: int
    n_cols: int


def char_wb_grams(word: str, lo: int, hi: int) -> list[str]:
    """sklearn's ``char_wb`` n-grams of one word: every window of n
    characters of " word " for n shorter than it, and the padded word itself,
    once, if some n reaches its length."""
    w = f" {word} "
    size = len(w)
    grams = [w[i : i + n] for n in range(lo, min(hi, size - 1) + 1) for i in range(size - n + 1)]
    if hi >= size:
        grams.append(w)
    return grams


def word_grams(tokens: list[str], lo: int, hi: int) -> list[str]:
    """Word n-grams of a token list, as sklearn's word analyzer makes them."""
    out = []
    for n in range(lo, hi + 1):
        out += tokens if n == 1 else [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return out


def root_form(token: str, stem) -> str:
    """A token's root by ``stem``; a marked lead token's root, marked (the
    mark is no part of the word, and the root keeps the lead's weight)."""
    if token.startswith(TATWEEL):
        return TATWEEL + stem(token[1:])
    return stem(token)


class WordMemo:
    """``fn`` of a word, each word's answer kept, all of them forgotten at
    ``limit`` words so that memory stays bounded (text repeats its words).
    Plain data, so a model that holds one can be pickled (``--jobs``, Dask)."""

    def __init__(self, fn, limit: int):
        self.fn, self.limit, self.memo = fn, limit, {}

    def __call__(self, word: str):
        value = self.memo.get(word)
        if value is None:
            if len(self.memo) >= self.limit:
                self.memo.clear()
            value = self.memo[word] = self.fn(word)
        return value


def strictly_sorted(terms: list[str]) -> bool:
    """Whether ``terms`` are in strictly increasing order, as scikit-learn
    lays a vocabulary out (~10 ms for 150,000 terms: the comparisons run in C)."""
    return all(map(operator.lt, terms, islice(terms, 1, None)))


def _tfidf(rows: np.ndarray, counts: np.ndarray, idf_of_entries: np.ndarray, n_rows: int) -> np.ndarray:
    """sklearn's sublinear TF-IDF values of counts in coordinate form, each
    row scaled to unit length."""
    values = (1.0 + np.log(counts)) * idf_of_entries
    norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_rows))
    return values / np.where(norms > 0, norms, 1.0)[rows]


class Vectorizer:
    """One fitted TF-IDF branch (``analyzer`` ``"word"`` or ``"char_wb"``;
    ``stemmer``, a key of :data:`STEMMERS`, for word n-grams of roots;
    ``scale``, the weight its rows are multiplied by)."""

    # From this many documents on, a batch is counted by the compiled kernels
    # (paid once per process: importing numba ~0.3 s, loading the compiled
    # code, building the index ~0.1 s); fewer, one n-gram at a time in
    # Python, unless the index is already built.
    KERNEL_MIN_DOCS = 8
    # A few documents are stemmed in Python (ISRI costs ~10 µs a word), each
    # word's root remembered across calls, up to this many words; batches go
    # to the compiled stemmer of roots_kernel
    ROOT_CACHE_WORDS = 100_000

    def __init__(self, analyzer: str, ngram_range, terms: list[str], idf: np.ndarray, *,
                 stemmer: str | None = None, scale: float = 1.0):
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {analyzer!r}")
        if stemmer is not None and (stemmer not in STEMMERS or analyzer != "word"):
            raise ValueError(f"stemmer {stemmer!r}: only {', '.join(STEMMERS)}, and for word n-grams")
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"scale {scale!r}: must be a positive number")
        if len(terms) != len(idf):
            raise ValueError("terms and idf differ in length")
        self.analyzer = analyzer
        self.stemmer = stemmer
        self.scale = float(scale)
        self._root_of = WordMemo(partial(root_form, stem=STEMMERS[stemmer]), self.ROOT_CACHE_WORDS) if stemmer else None
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.terms = terms
        self.idf = np.asarray(idf, dtype=np.float64)
        self._vocabulary = None
        self._sorted = None
        self._index = None
        self._index_tried = False

    @property
    def n_features(self) -> int:
        """Columns of this branch."""
        return len(self.terms)

    @property
    def vocabulary(self) -> dict[str, int]:
        """term -> column, built on first use (a few hundred ms saved at load)."""
        if self._vocabulary is None:
            self._vocabulary = {t: j for j, t in enumerate(self.terms)}
        return self._vocabulary

    def _column_of(self):
        """``term -> column or None``, for looking n-grams up one at a time.

        scikit-learn lays a vocabulary out in sorted order, so a binary search
        in ``terms`` finds a column without building :attr:`vocabulary` (a
        dict of every term, ~90 ms on a real model: most of predicting one
        article); other orders fall back to the dict.
        """
        if self._vocabulary is None:
            if self._sorted is None:
                self._sorted = strictly_sorted(self.terms)
            if self._sorted:
                terms, n = self.terms, len(self.terms)

                def column(term):
                    j = bisect_left(terms, term)
                    return j if j < n and terms[j] == term else None

                return column
        return self.vocabulary.get

    def token_forms(self, tokens: list[str]) -> list[str]:
        """What this branch makes n-grams of: each token's root, or the tokens."""
        return tokens if self._root_of is None else list(map(self._root_of, tokens))

    def _as_roots(self, tokens: Tokens | CodeTokens) -> Tokens | CodeTokens:
        """The batch with each distinct word replaced by its root, the token
        ids unchanged: two words with one root are then two entries with the
        same text, which every counting path reads as the same n-grams. A
        batch of code points is stemmed by the compiled kernel (no string
        per word), a few documents' strings in Python."""
        if isinstance(tokens, CodeTokens):
            # imported here: numba's import alone costs as much as predicting
            # one article (ISRI is the one stemmer there is)
            from .roots_kernel import isri_roots

            return CodeTokens(*isri_roots(tokens.cps, tokens.starts, tokens.lens, ord(TATWEEL)), tokens.ids,
                              tokens.lengths)
        return Tokens(self.token_forms(tokens.words), tokens.ids, tokens.lengths)

    def grams(self, token: str) -> list[str]:
        """The n-grams this branch counts for one token (char_wb) ."""
        return char_wb_grams(token, *self.ngram_range)

    def _batch_index(self, n_docs: int):
        """The vocabulary index that the kernels count a batch of ``n_docs``
        against, built on first use; None: count one n-gram at a time (a
        small batch, or a vocabulary the index cannot hold, such as word
        trigrams)."""
        if self._index is None and (self._index_tried or n_docs < self.KERNEL_MIN_DOCS):
            return None
        if not self._index_tried:
            self._index_tried = True
            # imported here, not at the top: numba's import alone costs as
            # much as predicting one article
            from .ngrams import CharGramIndex, WordGramIndex

            try:
                # the terms in column order: no dict to build
                if self.analyzer == "word":
                    self._index = WordGramIndex(self.terms)
                else:
                    self._index = CharGramIndex(self.terms, self.ngram_range[1])
            except ValueError:
                self._index = None
        return self._index

    def warm_up(self) -> None:
        """Build the index and load the compiled kernels now (once per
        process), by scoring an empty document, rather than in the first batch."""
        if self._batch_index(self.KERNEL_MIN_DOCS) is not None:
            # a batch as the kernel splits it (read-only code points, as
            # numba tells arrays apart), so that the root branch loads its stemmer too
            none = np.zeros(0, dtype=np.int64)
            empty = CodeTokens(codepoints(""), none, none, np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64))
            self.scores(empty, np.zeros((self.n_features, 1)))

    def counts(self, tokens: Tokens | CodeTokens):
        """A tokenised batch's n-gram counts, as sparse rows ``(offsets, cols,
        counts)``: document ``d``'s distinct columns are
        ``cols[offsets[d] : offsets[d + 1]]``, in no particular order."""
        if self.stemmer is not None:
            tokens = self._as_roots(tokens)
        index = self._batch_index(len(tokens.lengths))
        if index is not None:
            return index.counts(code_tokens(tokens), self.ngram_range, self.n_features)
        return self._counts_one_by_one(tokens.as_tokens() if isinstance(tokens, CodeTokens) else Tokens(*tokens))

    def _counts_one_by_one(self, tokens: Tokens):
        lo, hi = self.ngram_range
        words, n_docs = tokens.words, len(tokens.lengths)
        get = self._column_of()
        ids = tokens.ids.tolist()
        starts = np.concatenate([[0], np.cumsum(tokens.lengths)]).tolist()
        if self.analyzer == "char_wb":  # each distinct word's columns once
            columns = [[j for j in map(get, char_wb_grams(w, lo, hi)) if j is not None] for w in words]
        rows, cols = [], []
        for d in range(n_docs):
            doc = ids[starts[d] : starts[d + 1]]
            if self.analyzer == "char_wb":
                found = list(chain.from_iterable(columns[i] for i in doc))
            else:
                found = [j for j in map(get, word_grams([words[i] for i in doc], lo, hi)) if j is not None]
            cols += found
            rows += [d] * len(found)
        key, counts = np.unique(np.asarray(rows, dtype=np.int64) * self.n_features + np.asarray(cols, dtype=np.int64),
                                return_counts=True)
        offsets = np.searchsorted(key, np.arange(n_docs + 1) * self.n_features)
        return offsets, key % self.n_features, counts.astype(np.float64)

    def transform(self, tokens: Tokens | CodeTokens) -> Features:
        """TF-IDF rows of a tokenised batch (:class:`~classify.model.tokens.Tokens`),
        each row's columns in increasing order."""
        offsets, cols, counts = self.counts(tokens)
        rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        order = np.lexsort((cols, rows))
        rows, cols, counts = rows[order], cols[order].astype(np.int64), counts[order]
        values = _tfidf(rows, counts, self.idf[cols], len(offsets) - 1)
        if self.scale != 1.0:
            values *= self.scale
        return Features(rows, cols, values, len(offsets) - 1, self.n_features)

    def scores(self, tokens: Tokens | CodeTokens, weights: np.ndarray) -> np.ndarray:
        """``transform(tokens) @ weights`` for ``weights`` of n_features x k,
        without making the rows."""
        offsets, cols, counts = self.counts(tokens)
        if self._index is not None:  # the kernels are loaded
            from .kernels import tfidf_scores

            return self._scaled(tfidf_scores(offsets, cols, counts, self.idf, weights))
        rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        values = _tfidf(rows, counts, self.idf[cols], len(offsets) - 1)
        out = np.empty((len(offsets) - 1, weights.shape[1]))
        for j in range(weights.shape[1]):
            out[:, j] = np.bincount(rows, weights=values * weights[cols, j], minlength=len(out))
        return self._scaled(out)

    def _scaled(self, scores: np.ndarray) -> np.ndarray:
        # the rows times scale, then times the weights: the same scores
        return scores * self.scale if self.scale != 1.0 else scores

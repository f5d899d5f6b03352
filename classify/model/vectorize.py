"""TF-IDF features of normalised text, in numpy: scikit-learn's numbers without
scikit-learn.

A :class:`Vectorizer` holds what a fitted ``TfidfVectorizer`` learned (its
terms in column order and their idf) and computes the same matrix: word
n-grams of whitespace tokens, or character n-grams inside word boundaries
(sklearn's ``char_wb``), counted per document, ``1 + log(count)`` times idf,
each row scaled to unit length. ``tests/model/test_vectorize.py`` compares it
with scikit-learn's own output.

Character n-grams depend only on the word they are cut from, and news
vocabulary is Zipfian, so each word's n-gram columns are memoised (bounded),
and the words a batch misses are looked up together in a
:class:`~classify.model.ngrams.CharGramIndex`.
"""

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from .ngrams import CharGramIndex, WordGramIndex, strictly_sorted


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


def _evict(memo: dict) -> None:
    """Keep the older half: in news text the frequent words arrive first, so
    this drops mostly rare words, in O(n) and without per-hit bookkeeping."""
    keep = list(memo.items())[: len(memo) // 2]
    memo.clear()
    memo.update(keep)


def _aggregate(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray | None, n_cols: int):
    """Distinct (row, col) pairs, sorted, with the summed weight of each."""
    key = rows.astype(np.int64) * n_cols + cols
    if weights is None:
        key, counts = np.unique(key, return_counts=True)
        counts = counts.astype(np.float64)
    else:
        key, inverse = np.unique(key, return_inverse=True)
        counts = np.bincount(inverse, weights=weights, minlength=len(key))
    return key // n_cols, key % n_cols, counts


class Vectorizer:
    """One fitted TF-IDF branch (``analyzer`` ``"word"`` or ``"char_wb"``)."""

    MEMO_WORDS = 100_000  # bounded (~25 MB), so batch memory stays flat
    # From this many documents on, a batch's word n-grams are looked up at once
    # in a WordGramIndex (built once, ~0.13 s); from this many memo misses on,
    # character n-grams in a CharGramIndex (~30 ms). One article is cheaper
    # one n-gram at a time than building either.
    WORD_INDEX_MIN_DOCS = 32
    CHAR_INDEX_MIN_MISSES = 1000

    def __init__(self, analyzer: str, ngram_range, terms: list[str], idf: np.ndarray):
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {analyzer!r}")
        if len(terms) != len(idf):
            raise ValueError("terms and idf differ in length")
        self.analyzer = analyzer
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.terms = terms
        self.idf = np.asarray(idf, dtype=np.float64)
        self._vocabulary = None
        self._sorted = None
        self._index = None
        self._index_tried = False
        self._memo: dict[str, bytes] = {}

    @property
    def n_features(self) -> int:
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

    def grams(self, token: str) -> list[str]:
        """The n-grams this branch counts for one token (char_wb) ."""
        return char_wb_grams(token, *self.ngram_range)

    def _lookup_index(self):
        """The batch lookup index, built on first use; None if this vocabulary
        cannot be indexed (then lookups go one by one)."""
        if not self._index_tried:
            self._index_tried = True
            try:
                # the terms in column order: no dict to build
                if self.analyzer == "word":
                    self._index = WordGramIndex(self.terms)
                else:
                    self._index = CharGramIndex(self.terms, self.ngram_range[1])
            except ValueError:
                self._index = None
        return self._index

    def transform(self, tokens) -> Features:
        """TF-IDF rows of a tokenised batch ``(words, ids, lengths)`` (see
        :func:`~classify.model.ngrams.tokenize_batch`)."""
        words, ids, lengths = tokens
        n_docs = len(lengths)
        if self.analyzer == "word":
            rows, cols, counts = self._word_counts(words, ids, lengths)
        else:
            rows, cols, counts = self._char_counts(words, ids, lengths)
        values = (1.0 + np.log(counts)) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_docs))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        return Features(rows, cols, values, n_docs, self.n_features)

    def _word_counts(self, words, ids, lengths):
        lo, hi = self.ngram_range
        index = self._lookup_index() if len(lengths) >= self.WORD_INDEX_MIN_DOCS else None
        if index is not None:
            rows, cols = index.columns(words, ids, lengths, self.ngram_range)
        else:
            get = self._column_of()
            ids_list = ids.tolist()
            starts = np.concatenate([[0], np.cumsum(lengths)]).tolist()
            cols, rows = [], []
            for d in range(len(lengths)):
                toks = [words[i] for i in ids_list[starts[d] : starts[d + 1]]]
                found = [j for j in map(get, word_grams(toks, lo, hi)) if j is not None]
                cols += found
                rows += [d] * len(found)
            rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        return _aggregate(rows, cols, None, self.n_features)

    def _char_counts(self, words, ids, lengths):
        memo = self._memo
        pieces = list(map(memo.get, words))
        misses = [i for i, c in enumerate(pieces) if c is None]
        if misses:
            for i, c in zip(misses, self._miss_columns([words[i] for i in misses])):
                if len(memo) >= self.MEMO_WORDS:
                    _evict(memo)
                memo[words[i]] = pieces[i] = c
        flat = np.frombuffer(b"".join(pieces), dtype=np.int32)
        sizes = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)) >> 2
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        # each distinct (document, word) once, with how often the word occurs
        doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        pair, times = np.unique(doc * max(len(words), 1) + ids, return_counts=True)
        pair_doc, pair_word = pair // max(len(words), 1), pair % max(len(words), 1)
        # ... expanded into the word's n-gram columns
        per_pair = sizes[pair_word]
        out_first = np.concatenate([[0], np.cumsum(per_pair)[:-1]]).astype(np.int64)
        at = np.repeat(first[pair_word] - out_first, per_pair) + np.arange(int(per_pair.sum()), dtype=np.int64)
        return _aggregate(
            np.repeat(pair_doc, per_pair), flat[at].astype(np.int64), np.repeat(times, per_pair).astype(np.float64),
            self.n_features,
        )

    def _miss_columns(self, words: list[str]) -> list[bytes]:
        """Each word's n-gram columns as int32 bytes (the memo's format)."""
        lo, hi = self.ngram_range
        index = self._lookup_index() if len(words) >= self.CHAR_INDEX_MIN_MISSES else None
        if index is None:
            get = self._column_of()
            return [
                np.array([j for j in map(get, char_wb_grams(w, lo, hi)) if j is not None], dtype=np.int32).tobytes()
                for w in words
            ]
        cols, counts = index.word_columns(words, lo, hi)
        flat = cols.astype(np.int32).tobytes()
        ends = np.cumsum(counts) * 4
        starts = ends - counts * 4
        return [flat[a:b] for a, b in zip(starts.tolist(), ends.tolist())]

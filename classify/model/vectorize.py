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

import operator
from bisect import bisect_left
from dataclasses import dataclass
from itertools import chain, compress, islice

import numpy as np

from .ngrams import CharGramIndex, WordGramIndex, as_tokens, strictly_sorted


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
    # deleting the newer half in place: 6 ms a time against 10-12 ms for
    # rebuilding the dict from the older half (30,000 words)
    for word in list(islice(reversed(memo), len(memo) - len(memo) // 2)):
        del memo[word]


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


def _runs(flat: np.ndarray, sizes: np.ndarray, first: np.ndarray, which: np.ndarray):
    """The runs ``flat[first[w] : first[w] + sizes[w]]`` for each ``w`` of
    ``which``, one after another, and the length of each."""
    per = sizes[which]
    total = int(per.sum())
    if total == 0:
        return flat[:0], per
    # positions step by one inside a run and jump at each run's start: one cumsum
    some = per > 0
    src, length = first[which[some]], per[some]
    step = np.ones(total, dtype=np.int64)
    starts = np.cumsum(length) - length
    step[0] = src[0]
    step[starts[1:]] = src[1:] - (src[:-1] + length[:-1] - 1)
    return flat[np.cumsum(step)], per


def _interleave(a: np.ndarray, b: np.ndarray):
    """Where the items of two increasing arrays with no value in common go in
    their merged increasing order: (positions of a's, positions of b's)."""
    at_b = np.searchsorted(a, b) + np.arange(len(b))
    is_b = np.zeros(len(a) + len(b), dtype=bool)
    is_b[at_b] = True
    return np.flatnonzero(~is_b), at_b


def _sum_by_key(key: np.ndarray, weights: np.ndarray):
    """Distinct non-negative keys, sorted, and the summed (integer) weight of each."""
    if not len(key):
        return key, np.zeros(0, dtype=np.float64)
    top = int(key.max())
    if int(weights.max()) < (1 << 20) and top < (1 << 42):
        # weight in the low bits: one plain sort instead of an argsort
        packed = np.sort((key << 20) | weights)
        key = packed >> 20
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        return key[starts], np.add.reduceat(packed & ((1 << 20) - 1), starts).astype(np.float64)
    key, inverse = np.unique(key, return_inverse=True)
    return key, np.bincount(inverse, weights=weights, minlength=len(key))


def _row_sums(rows: np.ndarray, values: np.ndarray, weights: np.ndarray, cols: np.ndarray, n_rows: int) -> np.ndarray:
    """``sum_i values[i] * weights[cols[i]]`` per row: one bincount per
    column of ``weights`` (3.3 times as fast as gathering whole rows of
    weights and summing runs of sorted entries)."""
    out = np.empty((n_rows, weights.shape[1]))
    for j in range(weights.shape[1]):
        out[:, j] = np.bincount(rows, weights=values * weights[cols, j], minlength=n_rows)
    return out


class Vectorizer:
    """One fitted TF-IDF branch (``analyzer`` ``"word"`` or ``"char_wb"``)."""

    # Bounded, so that memory stays flat over a long run: 30,000 words hold
    # ~10 MB; 100,000 cost ~12 MB more of peak memory over 16,000 articles and
    # were not measurably faster (CPU time, alternating runs).
    MEMO_WORDS = 30_000
    # From this many documents on, a batch's word n-grams are looked up at once
    # in a WordGramIndex (built once, ~0.13 s); from this many memo misses on,
    # character n-grams in a CharGramIndex (~30 ms). One article is cheaper
    # one n-gram at a time than building either.
    WORD_INDEX_MIN_DOCS = 32
    WORD_INDEX_MIN_DOCS_BUILT = 2
    CHAR_INDEX_MIN_MISSES = 1000
    CHAR_INDEX_MIN_MISSES_BUILT = 16
    # A batch's character n-gram counts: those of the HOT_COLUMNS most frequent
    # columns (lowest idf: ~85% of the (document, n-gram) entries of news text)
    # are summed in a dense table, at most HOT_MAX_BINS (256 KB) at a time, and
    # only the rest are sorted.
    HOT_COLUMNS = 4096
    HOT_MAX_BINS = 1 << 15

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
        self._hot = None

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

    def _hot_columns(self):
        """The HOT_COLUMNS columns of lowest idf in column order, and each
        column's place among them (-1 for the others); built on first use."""
        if self._hot is None:
            k = min(self.HOT_COLUMNS, self.n_features)
            hot = np.sort(np.argsort(self.idf, kind="stable")[:k])
            rank = np.full(self.n_features, -1, dtype=np.int32)
            rank[hot] = np.arange(k, dtype=np.int32)
            self._hot = hot, rank
        return self._hot

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
        tokens = as_tokens(tokens)
        n_docs = len(tokens.lengths)
        if self.analyzer == "word":
            rows, cols, counts = self._word_counts(*tokens)
        else:
            rows, cols, counts = self._char_counts(tokens)
        values = (1.0 + np.log(counts)) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n_docs))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        return Features(rows, cols, values, n_docs, self.n_features)

    def _word_index(self, n_docs: int):
        """The word index for a batch of ``n_docs`` (once built, for all but
        single documents), or None: look n-grams up one at a time."""
        built = self._index is not None and n_docs >= self.WORD_INDEX_MIN_DOCS_BUILT
        return self._lookup_index() if built or n_docs >= self.WORD_INDEX_MIN_DOCS else None

    def _word_counts(self, words, ids, lengths):
        lo, hi = self.ngram_range
        index = self._word_index(len(lengths))
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

    def _char_parts(self, tokens):
        """A batch's character n-gram counts in two parts: the hot columns as
        dense ``(first document, documents x hot columns table)`` blocks, made
        one at a time as the returned iterator is consumed (so that each block
        is worked on while it is still in cache), and the others as sorted
        ``document * n_features + column`` keys with their counts."""
        words, lengths = tokens.words, tokens.lengths
        n_docs, n_cols = len(lengths), self.n_features
        hot_cols, _rank = self._hot_columns()
        n_hot = max(len(hot_cols), 1)
        memo = self._memo
        pieces = list(map(memo.get, words))
        misses = list(compress(range(len(pieces)), map(operator.not_, pieces)))  # pieces are never empty
        if misses:
            for i, c in zip(misses, self._miss_pieces([words[i] for i in misses])):
                if len(memo) >= self.MEMO_WORDS:
                    _evict(memo)
                memo[words[i]] = pieces[i] = c
        # each word's piece: [h, its h hot columns' places, its other columns]
        flat = np.frombuffer(b"".join(pieces), dtype=np.int32)
        sizes = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)) >> 2
        first = np.cumsum(sizes) - sizes
        n_hot_of = flat[first].astype(np.int64) if len(flat) else np.zeros(len(pieces), dtype=np.int64)
        # each distinct (document, word) once, with how often the word occurs
        pair_doc, pair_word, times = tokens.pairs()
        # the other columns: sorted
        cold, per_pair = _runs(flat, sizes - 1 - n_hot_of, first + 1 + n_hot_of, pair_word)
        c_key, c_counts = _sum_by_key(np.repeat(pair_doc, per_pair) * n_cols + cold, np.repeat(times, per_pair))
        # hot columns: a dense table of documents x hot columns, block by block
        places, per_pair = _runs(flat, n_hot_of, first + 1, pair_word)
        keys = np.repeat(pair_doc * n_hot, per_pair) + places
        weights = np.repeat(times, per_pair)
        ends = np.concatenate([[0], np.cumsum(per_pair)])
        # blocks that fit in a core's cache: with 4,096 hot columns, 8
        # documents (a whole batch of 256 at once, 8 MB, took twice the CPU time)
        block = max(1, self.HOT_MAX_BINS // n_hot)
        bounds = np.searchsorted(pair_doc, np.arange(0, n_docs + block, block)).tolist()

        def blocks():
            for b, d0 in enumerate(range(0, n_docs, block)):
                d1 = min(d0 + block, n_docs)
                e0, e1 = int(ends[bounds[b]]), int(ends[bounds[b + 1]])
                sums = np.bincount(keys[e0:e1] - d0 * n_hot, weights=weights[e0:e1], minlength=(d1 - d0) * n_hot)
                # float even when the block holds no entry (bincount then gives ints)
                yield d0, sums.astype(np.float64, copy=False).reshape(d1 - d0, n_hot)

        return blocks(), c_key, c_counts

    def _char_counts(self, tokens):
        """Distinct (document, column) pairs of a batch's character n-grams,
        sorted, with their counts."""
        n_cols = self.n_features
        hot_cols, _rank = self._hot_columns()
        dense, c_key, c_counts = self._char_parts(tokens)
        h_rows, h_cols, h_counts = [], [], []
        for d0, table in dense:
            found = np.flatnonzero(table)
            h_rows.append(found // table.shape[1] + d0)
            h_cols.append(hot_cols[found % table.shape[1]])
            h_counts.append(table.ravel()[found])
        if not h_rows:
            return c_key // n_cols, c_key % n_cols, c_counts
        h_rows, h_cols = np.concatenate(h_rows), np.concatenate(h_cols)
        at_h, at_c = _interleave(h_rows * n_cols + h_cols, c_key)
        size = len(at_h) + len(at_c)
        rows, cols, counts = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64), np.empty(size)
        rows[at_h], rows[at_c] = h_rows, c_key // n_cols
        cols[at_h], cols[at_c] = h_cols, c_key % n_cols
        counts[at_h], counts[at_c] = np.concatenate(h_counts), c_counts
        return rows, cols, counts

    def scores(self, tokens, weights: np.ndarray) -> np.ndarray:
        """``transform(tokens) @ weights`` for ``weights`` of n_features x k,
        without building the rows of the hot character columns: their TF-IDF
        is taken and multiplied in the dense table (a matrix product), only
        the other columns as sparse entries."""
        tokens = as_tokens(tokens)
        n_docs = len(tokens.lengths)
        out = np.zeros((n_docs, weights.shape[1]))
        square = np.zeros(n_docs)
        if self.analyzer != "char_wb":
            index = self._word_index(n_docs)
            if index is None or self.ngram_range[1] > 2:
                f = self.transform(tokens)
                return _row_sums(f.rows, f.values, weights, f.cols, n_docs)
            self._word_scores(index, tokens, weights, out, square)
            norms = np.sqrt(square)
            return out / np.where(norms > 0, norms, 1.0)[:, None]
        hot_cols, _rank = self._hot_columns()
        dense, c_key, c_counts = self._char_parts(tokens)
        hot_idf, hot_weights = self.idf[hot_cols], weights[hot_cols]
        for d0, table in dense:
            tf = np.zeros_like(table)
            np.log(table, out=tf, where=table > 0)
            tf += table > 0
            tf *= hot_idf
            square[d0 : d0 + len(table)] += np.einsum("ij,ij->i", tf, tf)
            out[d0 : d0 + len(table)] += tf @ hot_weights
        self._add_counts(c_key // self.n_features, c_key % self.n_features, c_counts, weights, out, square)
        norms = np.sqrt(square)
        return out / np.where(norms > 0, norms, 1.0)[:, None]

    def _add_counts(self, rows, cols, counts, weights, out, square) -> None:
        """Add (row, column, count) entries, each pair once, to the unscaled
        scores ``out`` and the squared row lengths ``square``."""
        values = (1.0 + np.log(counts)) * self.idf[cols]
        square += np.bincount(rows, weights=values * values, minlength=len(square))
        out += _row_sums(rows, values, weights, cols, len(square))

    def _word_scores(self, index, tokens, weights, out, square) -> None:
        """The word branch's unscaled scores, unigrams and bigrams apart (no
        column is both, so neither needs merging into the other). A unigram's
        count in a document is its word's, which the batch's (document, word)
        pairs already hold, so only bigram occurrences are sorted."""
        lo, hi = self.ngram_range
        wid = index.word_ids(tokens.words)
        if lo <= 1 <= hi:
            doc, word, times = tokens.pairs()
            cols = index.unigram[wid[word]]
            hit = cols >= 0
            self._add_counts(doc[hit], cols[hit], times[hit].astype(np.float64), weights, out, square)
        if lo <= 2 <= hi:
            docs, cols = index.bigram_occurrences(wid[tokens.ids], tokens.lengths)
            key, counts = _sum_by_key(docs * self.n_features + cols, np.ones(len(cols), dtype=np.int64))
            self._add_counts(key // self.n_features, key % self.n_features, counts, weights, out, square)

    def _miss_pieces(self, words: list[str]) -> list[bytes]:
        """Each word's memo piece, int32 bytes: how many of its n-gram columns
        are hot, their places among the hot columns, then its other columns
        (each part in the order of the word's n-grams)."""
        lo, hi = self.ngram_range
        # the index once it is built (a few misses are still cheaper one by one)
        built = self._index is not None and len(words) >= self.CHAR_INDEX_MIN_MISSES_BUILT
        index = self._lookup_index() if built or len(words) >= self.CHAR_INDEX_MIN_MISSES else None
        if index is None:
            get = self._column_of()
            found = [[j for j in map(get, char_wb_grams(w, lo, hi)) if j is not None] for w in words]
            counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
            cols = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=int(counts.sum()))
        else:
            cols, counts = index.word_columns(words, lo, hi)
        _hot, rank = self._hot_columns()
        owner = np.repeat(np.arange(len(words), dtype=np.int64), counts)
        place = rank[cols]
        hot = place >= 0
        # per word: its hot entries, then its others, each in n-gram order
        order = np.argsort(owner * 2 + ~hot, kind="stable")
        values = np.where(hot, place, cols)[order]
        size = counts + 1
        start = np.cumsum(size) - size
        out = np.empty(int(size.sum()), dtype=np.int32)
        header = np.zeros(len(out), dtype=bool)
        header[start] = True
        out[start] = np.bincount(owner[hot], minlength=len(words))
        out[~header] = values
        data = out.tobytes()
        return [data[a:b] for a, b in zip((start * 4).tolist(), ((start + size) * 4).tolist())]

"""Vocabularies as integer tables, for counting a whole batch's n-grams at once.

The fitted vectorisers in :mod:`classify.model.vectorize` produce exactly
scikit-learn's matrices, but looking n-grams up one Python string at a time
cost more than normalising the text. Here each n-gram becomes an integer key
(its characters, or its words' ids, packed in a fixed base), a vocabulary
becomes a dense table or a hash table (KeyTable), and the compiled loops of
:mod:`classify.model.kernels` count a batch against them. The indexes are
derived from the terms when first needed and are never stored, so model
files do not change.
"""

import numpy as np

from .kernels import GOLDEN, char_counts, char_gram_columns, find_words, probe_all, word_counts, word_table
from .tokens import CodeTokens, codepoints, word_runs


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of consecutive pieces of these lengths begins."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.cumsum(lengths) - lengths


def _vocabulary_arrays(vocabulary) -> tuple[list[str], np.ndarray]:
    """Terms and their columns, from a ``term -> column`` dict or from the
    terms in column order (a list: no dict needs building)."""
    terms = list(vocabulary)
    if isinstance(vocabulary, dict):
        return terms, np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
    return terms, np.arange(len(terms), dtype=np.int64)


class KeyTable:
    """Non-negative integer keys -> columns, as an open-addressing hash table
    in a numpy array (linear probing, at most a quarter full), built here and
    probed by the compiled kernels. Each slot holds its key and column side
    by side, so a probe touches one cache line."""


    def __init__(self, keys: np.ndarray, cols: np.ndarray):
        keys, cols = np.asarray(keys, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if len(keys) and keys.min() < 0:
            raise ValueError("keys must be non-negative")
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1)))) + 2)
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._slots = np.full((1 << bits, 2), -1, dtype=np.int64)  # (key, column); key -1: empty
        self._keys, self._cols = self._slots[:, 0], self._slots[:, 1]
        self.size = len(keys)
        pending, slot = np.arange(len(keys)), self._slot(keys)
        while len(pending):
            # of the keys whose slot is free, the first to want each slot takes it
            free = np.flatnonzero(self._keys[slot] == -1)
            taken, first = np.unique(slot[free], return_index=True)
            winners = pending[free[first]]
            self._keys[taken], self._cols[taken] = keys[winners], cols[winners]
            placed = np.zeros(len(pending), dtype=bool)
            placed[free[first]] = True
            pending, slot = pending[~placed], (slot[~placed] + 1) & self._mask

    def __len__(self) -> int:
        return self.size

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * GOLDEN) >> self._shift).astype(np.int64)

    def lookup(self, wanted: np.ndarray) -> np.ndarray:
        """The column of each wanted key, -1 where the table lacks it."""
        return probe_all(*self.arrays(), np.asarray(wanted, dtype=np.int64))

    def arrays(self):
        """``(slots, shift, mask)``: the table as the kernels probe it."""
        return self._slots, int(self._shift), self._mask


class CharGramIndex:
    """A character n-gram vocabulary as integer keys.

    A gram of up to ``max_n`` characters is ``sum(code_i * base**(max_n-1-i))``
    with codes from 1 (0 pads shorter grams, so lengths never collide; a
    character outside the vocabulary's alphabet gets a code no key holds).
    Grams of up to three characters are found in a dense table (the
    alphabet of normalised Arabic news is ~70 characters: 71**3 entries,
    1.4 MB); longer ones in a KeyTable.
    """

    DENSE_MAX_ENTRIES = 1 << 22

    def __init__(self, vocabulary, max_n: int):
        """``vocabulary``: term -> column, or the terms in column order."""
        terms, cols = _vocabulary_arrays(vocabulary)
        self.max_n = max_n
        self.alphabet = np.unique(codepoints("".join(terms)))
        self.base = len(self.alphabet) + 2
        # each code point's code, in a table up to the alphabet's largest
        # (one gather per character, not a search); the last entry, base - 1,
        # stands for every character the vocabulary never holds
        top = int(self.alphabet[-1]) + 1 if len(self.alphabet) else 0
        self.code_of = np.full(top + 1, self.base - 1, dtype=np.int64)
        self.code_of[self.alphabet] = np.arange(1, len(self.alphabet) + 1)
        if self.base**max_n >= 2**62:
            raise ValueError("alphabet too large for integer n-gram keys")
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        if len(terms) and (lengths.max() > max_n or lengths.min() < 1):
            raise ValueError("vocabulary holds grams outside 1..max_n characters")
        keys = self.encode(terms)
        self.dense_n = 0
        for n in range(min(max_n, 3), 0, -1):
            if self.base**n <= self.DENSE_MAX_ENTRIES:
                self.dense_n = n
                break
        self.dense_div = self.base ** (max_n - self.dense_n)
        self.dense = np.full(self.base**self.dense_n, -1, dtype=np.int32)
        short = lengths <= self.dense_n
        self.dense[keys[short] // self.dense_div] = cols[short]
        self.table = KeyTable(keys[~short], cols[~short])
        # a gram's key is sum(code_i * powers[i])
        self.powers = self.base ** np.arange(max_n - 1, -1, -1, dtype=np.int64)

    def _codes(self, text: str) -> np.ndarray:
        """Each character's code: its place in the alphabet from 1, or
        ``base - 1`` for a character the vocabulary never holds."""
        return self.code_of[np.minimum(codepoints(text), len(self.code_of) - 1)]

    def lookup(self, keys: np.ndarray, n: int) -> np.ndarray:
        """Columns of n-character grams given as keys; -1 where absent."""
        if n <= self.dense_n:
            return self.dense[keys // self.dense_div]
        return self.table.lookup(keys)

    def encode(self, grams: list[str]) -> np.ndarray:
        """The integer key of each gram (of at most ``max_n`` characters)."""
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        codes = self._codes("".join(grams))
        starts = _starts(lengths)
        keys = np.zeros(len(grams), dtype=np.int64)
        for i in range(self.max_n):
            inside = lengths > i
            keys[inside] += codes[starts[inside] + i] * self.base ** (self.max_n - 1 - i)
        return keys

    def word_columns(self, tokens: CodeTokens, lo: int, hi: int):
        """Vocabulary columns of each distinct word's ``char_wb`` n-grams, as
        sparse rows ``(offsets, cols)``: word ``w``'s are ``cols[offsets[w] :
        offsets[w + 1]]``. The grams are sklearn's: every window of n
        characters of " word " for n shorter than it, and the padded word
        itself once if some n reaches its length."""
        if hi > self.max_n:
            raise ValueError("n-grams longer than the index")
        return char_gram_columns(tokens.cps, tokens.starts, tokens.lens, self.code_of, lo, hi, self.powers,
                                 self.dense, self.dense_n, self.dense_div, *self.table.arrays())

    def counts(self, tokens: CodeTokens, ngram_range, n_cols: int):
        """A batch's ``char_wb`` n-gram counts, as sparse rows ``(offsets,
        cols, counts)`` (see :mod:`classify.model.kernels`)."""
        offsets, cols = self.word_columns(tokens, *ngram_range)
        return char_counts(tokens.ids, tokens.lengths, offsets, cols, n_cols)


class WordGramIndex:
    """A word uni/bigram vocabulary as word ids and sorted pair keys."""

    def __init__(self, vocabulary):
        """``vocabulary``: term -> column, or the terms in column order."""
        terms, cols = _vocabulary_arrays(vocabulary)
        n_parts = np.fromiter(map(str.count, terms, [" "] * len(terms)), dtype=np.int64, count=len(terms)) + 1
        if len(terms) and n_parts.max() > 2:
            raise ValueError("only uni- and bigrams are indexed")
        parts = " ".join(terms).split(" ")  # terms' words, term after term
        # every word of some vocabulary term, numbered from 1 (0: not in any term)
        self.ids: dict[str, int] = {w: i for i, w in enumerate(dict.fromkeys(parts), start=1)}
        if "" in self.ids:
            raise ValueError("terms must be words joined by single spaces")
        part_ids = np.fromiter(map(self.ids.__getitem__, parts), dtype=np.int64, count=len(parts))
        first = _starts(n_parts)
        self.width = len(self.ids) + 1
        self.unigram = np.full(self.width, -1, dtype=np.int64)
        uni = n_parts == 1
        self.unigram[part_ids[first[uni]]] = cols[uni]
        keys = part_ids[first[~uni]] * self.width + part_ids[first[~uni] + 1]
        self.table = KeyTable(keys, cols[~uni])
        # the same words as runs of code points in a hash table, for batches
        # that arrive as code points
        self.word_cps, self.word_starts, self.word_lens = word_runs(list(self.ids))
        self.word_table = word_table(self.word_cps, self.word_starts, self.word_lens)

    def counts(self, tokens: CodeTokens, ngram_range, n_cols: int):
        """A batch's word uni- and bigram counts, as sparse rows ``(offsets,
        cols, counts)`` (see :mod:`classify.model.kernels`)."""
        lo, hi = ngram_range
        wid = find_words(tokens.cps, tokens.starts, tokens.lens, self.word_cps, self.word_starts, self.word_lens,
                         self.word_table)
        return word_counts(tokens.ids, tokens.lengths, wid, lo <= 1 <= hi, lo <= 2 <= hi, self.unigram, self.width,
                           *self.table.arrays(), n_cols)

"""Vocabulary lookups for a whole batch of n-grams at once, in numpy.

The fitted vectorisers in :mod:`classify.model.vectorize` produce exactly
scikit-learn's matrices, but looking n-grams up one Python string at a time
cost more than normalising the text. Here each n-gram becomes an integer key
(its characters, or its words' ids, packed in a fixed base), a vocabulary
becomes a dense table or a hash table (KeyTable), and a batch's n-grams are found with a
few numpy calls. The indexes are derived from ``vocabulary_`` when first
needed and are never pickled, so model files do not change.
"""

import operator
from itertools import chain, islice

import numpy as np


class Tokens:
    """A batch's whitespace tokens: ``words``, the distinct (lowercased) words
    in order of first appearance; ``ids``, one int32 id into them per token;
    ``lengths``, the token count of each document. Unpacks as that triple.
    Both vectorisers of a model read the same batch, so what they share
    (:meth:`pairs`) is computed once."""

    __slots__ = ("words", "ids", "lengths", "_pairs")

    def __init__(self, words, ids, lengths):
        self.words, self.ids, self.lengths = words, ids, lengths
        self._pairs = None

    def __iter__(self):
        return iter((self.words, self.ids, self.lengths))

    def pairs(self):
        """``(doc, word, times)``: each distinct (document, word) once, sorted
        by document then word id, with how often the word occurs there."""
        if self._pairs is None:
            width = max(len(self.words), 1)
            doc = np.repeat(np.arange(len(self.lengths), dtype=np.int64), self.lengths)
            pair, times = np.unique(doc * width + self.ids, return_counts=True)
            self._pairs = pair // width, pair % width, times
        return self._pairs


def as_tokens(tokens) -> Tokens:
    """``tokens`` as :class:`Tokens` (a plain ``(words, ids, lengths)`` triple is wrapped)."""
    return tokens if isinstance(tokens, Tokens) else Tokens(*tokens)


def tokenize_batch(docs):
    """Whitespace tokens of each document, as ids into the batch's distinct words.

    Returns ``(words, ids, lengths)``: the distinct words in order of first
    appearance, one int32 id per token, and the token count of each document.
    The per-token work runs in C (split, map); Python touches each distinct
    word once.
    """
    toks = [d.lower().split() for d in docs]
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    flat = list(chain.from_iterable(toks))
    distinct = list(dict.fromkeys(flat))
    index = dict(zip(distinct, range(len(distinct))))
    ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int32, count=len(flat))
    return Tokens(distinct, ids, lengths)


def tokenize_token_lists(token_lists):
    """:func:`tokenize_batch` of documents given as lists of tokens that hold
    no white space (``" ".join(tokens)`` for each): the same ``(words, ids,
    lengths)``, without joining and splitting them again. Tokens are
    lowercased once per distinct token (lowercasing creates no white space
    and, across a space, depends on no neighbour)."""
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    flat = list(chain.from_iterable(token_lists))
    raw = list(dict.fromkeys(flat))
    raw_index = dict(zip(raw, range(len(raw))))
    ids = np.fromiter(map(raw_index.__getitem__, flat), dtype=np.int32, count=len(flat))
    lowered = list(map(str.lower, raw))
    words = list(dict.fromkeys(lowered))
    if len(words) < len(raw):  # forms that lowercase alike ("Ab", "ab") become one word
        index = dict(zip(words, range(len(words))))
        ids = np.fromiter(map(index.__getitem__, lowered), dtype=np.int32, count=len(lowered))[ids]
    return Tokens(words, ids, lengths)


def _codepoints(text: str) -> np.ndarray:
    # surrogatepass: a lone surrogate is still one character, as in Python
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _starts(lengths: np.ndarray) -> np.ndarray:
    """Where each of consecutive pieces of these lengths begins."""
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _vocabulary_arrays(vocabulary) -> tuple[list[str], np.ndarray]:
    """Terms and their columns, from a ``term -> column`` dict or from the
    terms in column order (a list: no dict needs building)."""
    terms = list(vocabulary)
    if isinstance(vocabulary, dict):
        return terms, np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
    return terms, np.arange(len(terms), dtype=np.int64)


def strictly_sorted(terms: list[str]) -> bool:
    """Whether ``terms`` are in strictly increasing order, as scikit-learn
    lays a vocabulary out (~10 ms for 150,000 terms: the comparisons run in C)."""
    return all(map(operator.lt, terms, islice(terms, 1, None)))


class KeyTable:
    """Non-negative integer keys -> columns, as an open-addressing hash table
    in numpy: every query of a batch probes at once, round after round
    (linear probing, the table at most a quarter full, so nearly all finish
    in the first round). 2.6 times as fast as sorting the queries and
    binary-searching sorted keys (70,000 queries against 100,000 keys:
    3.9 ms against 9.9 ms)."""

    _GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads consecutive keys

    def __init__(self, keys: np.ndarray, cols: np.ndarray):
        keys, cols = np.asarray(keys, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if len(keys) and keys.min() < 0:
            raise ValueError("keys must be non-negative")
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1)))) + 2)
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)  # -1: an empty slot
        self._cols = np.full(1 << bits, -1, dtype=np.int64)
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
        return ((keys.astype(np.uint64) * self._GOLDEN) >> self._shift).astype(np.int64)

    def lookup(self, wanted: np.ndarray) -> np.ndarray:
        """The column of each wanted key, -1 where the table lacks it."""
        wanted = np.asarray(wanted, dtype=np.int64)
        out = np.full(len(wanted), -1, dtype=np.int64)
        if not self.size:
            return out
        at, slot = np.arange(len(wanted)), self._slot(wanted)
        while len(at):
            found = self._keys[slot]
            hit = found == wanted
            out[at[hit]] = self._cols[slot[hit]]
            going = (found != -1) & ~hit  # an empty slot ends the search
            at, slot, wanted = at[going], (slot[going] + 1) & self._mask, wanted[going]
        return out


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
        self.alphabet = np.unique(_codepoints("".join(terms)))
        self.base = len(self.alphabet) + 2
        self._code_of = None
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

    def _codes(self, text: str) -> np.ndarray:
        """Each character's code: its place in the alphabet from 1, or
        ``base - 1`` for a character the vocabulary never holds."""
        cps = _codepoints(text)
        if self._code_of is None:
            # a table over code points up to the alphabet's largest: one
            # gather per character instead of a binary search
            top = int(self.alphabet[-1]) + 1 if len(self.alphabet) else 0
            self._code_of = np.full(top + 1, self.base - 1, dtype=np.int64)
            self._code_of[self.alphabet] = np.arange(1, len(self.alphabet) + 1)
        return self._code_of[np.minimum(cps, len(self._code_of) - 1)]

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

    def word_columns(self, words: list[str], lo: int, hi: int):
        """Vocabulary columns of each word's ``char_wb`` n-grams.

        Returns ``(cols, counts)``: all columns, grouped by word in order, and
        how many belong to each word. The grams are sklearn's: every window of
        n characters of " word " for n up to its length, and the padded word
        itself once if the smallest n exceeds it.
        """
        if hi > self.max_n:
            raise ValueError("n-grams longer than the index")
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
        # " w1  w2 ": each word padded with a space on both sides, as sklearn pads
        codes = self._codes(" " + "  ".join(words) + " " if words else "")
        codes = np.concatenate([codes, np.zeros(hi, dtype=np.int64)])  # room past the last word
        owner = np.repeat(np.arange(len(words), dtype=np.int64), sizes)
        starts = _starts(sizes)
        room = np.repeat(starts + sizes, sizes) - np.arange(len(owner))  # chars left in the word
        total = len(owner)
        # one row per position, one column per n: the row-major order of the
        # found columns is then word by word, as the memo needs them
        found = np.full((total, hi - lo + 1), -1, dtype=np.int64)
        key = np.zeros(total, dtype=np.int64)
        for n in range(1, hi + 1):
            key += codes[n - 1 : n - 1 + total] * self.base ** (self.max_n - n)
            if n >= lo:
                fits = np.flatnonzero(room >= n)
                found[fits, n - lo] = self.lookup(key[fits], n)
        hit = found >= 0
        cols = found[hit]
        owners = np.repeat(owner, hit.sum(axis=1))
        short = sizes < lo  # sklearn still counts the whole padded word once
        if short.any():
            which = np.flatnonzero(short)
            whole = self.encode([f" {words[i]} " for i in which])
            extra = np.full(len(which), -1, dtype=np.int64)
            for n in np.unique(sizes[which]).tolist():
                same = sizes[which] == n
                extra[same] = self.lookup(whole[same], n)
            cols = np.concatenate([cols, extra[extra >= 0]])
            owners = np.concatenate([owners, which[extra >= 0]])
            order = np.argsort(owners, kind="stable")
            cols, owners = cols[order], owners[order]
        return cols, np.bincount(owners, minlength=len(words))


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

    def word_ids(self, words) -> np.ndarray:
        """Each word's id among the vocabulary's words (0: in no term)."""
        return np.fromiter(map(self.ids.get, words, [0] * len(words)), dtype=np.int64, count=len(words))

    def bigram_occurrences(self, wid, lengths):
        """``(docs, cols)`` of every bigram occurrence the vocabulary holds,
        sorted by document, for tokens given as vocabulary word ids."""
        doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        if len(wid) < 2 or not len(self.table):
            return doc[:0], doc[:0]
        same = doc[1:] == doc[:-1]  # pairs never cross documents
        a, b = wid[:-1], wid[1:]
        known = np.flatnonzero(same & (a > 0) & (b > 0))
        c = self.table.lookup(a[known] * self.width + b[known])
        hit = c >= 0
        return doc[known[hit]], c[hit]

    def columns(self, words, ids, lengths, ngram_range):
        """``(rows, cols)``: document and vocabulary column of every n-gram
        occurrence that the vocabulary holds, in no particular order."""
        lo, hi = ngram_range
        wid = self.word_ids(words)[ids]
        cols, docs = [], []
        if lo <= 1 <= hi:
            doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            c = self.unigram[wid]
            hit = c >= 0
            cols.append(c[hit])
            docs.append(doc[hit])
        if lo <= 2 <= hi:
            d, c = self.bigram_occurrences(wid, lengths)
            cols.append(c)
            docs.append(d)
        cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        return docs, cols

"""The per-n-gram loops of batch vectorising, compiled with numba.

Counting a batch's n-grams is a few operations per n-gram occurrence: build
its integer key, probe a vocabulary table, add one to a count. In numpy each
of those is a pass over arrays the size of all occurrences (with sorts to
group them), in Python an interpreted step; compiled, the same loop runs in
cache, about four times as fast as the numpy batch code it replaces (issue
#17, bench/stages.py). numba compiles these functions the first time they run
and keeps the machine code on disk (``cache=True``), so later processes load
them in milliseconds.

Importing numba costs ~0.3 s, as much as the rest of predicting one article:
:mod:`classify.model.vectorize` imports this module only for batches, and
counts a few documents in plain Python instead.

Every counting kernel returns a batch's counts as sparse rows: ``offsets``
(where each document's entries start; one more than documents), ``cols``
and ``counts``, each document's columns distinct, in no particular order.
"""

import numpy as np
from numba import njit

# Fibonacci hashing, as classify.model.ngrams.KeyTable lays its slots out
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def _probe(slots, shift, mask, key):
    """The column of ``key`` in a KeyTable's slots, -1 if absent."""
    slot = np.int64((np.uint64(key) * _GOLDEN) >> np.uint64(shift))
    while True:
        found = slots[slot, 0]
        if found == key:
            return slots[slot, 1]
        if found == -1:  # an empty slot ends the search
            return -1
        slot = (slot + 1) & mask


@njit(cache=True)
def probe_all(slots, shift, mask, wanted):
    """The column of each wanted key, -1 where the table lacks it."""
    out = np.empty(len(wanted), dtype=np.int64)
    for i in range(len(wanted)):
        out[i] = _probe(slots, shift, mask, wanted[i])
    return out


@njit(cache=True)
def char_gram_columns(codes, starts, sizes, lo, hi, powers, dense, dense_n, dense_div, slots, shift, mask):
    """Each padded word's ``char_wb`` n-gram columns, as sparse rows (one per
    word, offsets and columns; a column once per occurrence of its gram).

    ``codes[starts[w] : starts[w] + sizes[w]]`` is word ``w`` padded with a
    space on each side, as character codes (classify.model.ngrams.CharGramIndex);
    a gram's key is ``sum(code_i * powers[i])``. The grams are sklearn's: each
    window of n characters for ``lo <= n < size``, and the padded word itself,
    once, if ``size <= hi``. Grams of up to ``dense_n`` characters are found
    in ``dense`` (at ``key // dense_div``), longer ones in the hash table.
    """
    n_words = len(sizes)
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    out = np.empty(int(sizes.sum()) * (hi - lo + 1) + n_words, dtype=np.int32)
    m = 0
    for w in range(n_words):
        first, size = starts[w], sizes[w]
        for p in range(size):
            key = 0
            for n in range(1, min(hi, size - p) + 1):
                key += codes[first + p + n - 1] * powers[n - 1]
                if n >= lo and n < size:
                    c = dense[key // dense_div] if n <= dense_n else _probe(slots, shift, mask, key)
                    if c >= 0:
                        out[m] = c
                        m += 1
        if size <= hi:  # the whole padded word, once
            key = 0
            for n in range(size):
                key += codes[first + n] * powers[n]
            c = dense[key // dense_div] if size <= dense_n else _probe(slots, shift, mask, key)
            if c >= 0:
                out[m] = c
                m += 1
        offsets[w + 1] = m
    return offsets, out[:m]


@njit(cache=True, inline="always")
def _add(col, times, counts, out_cols, m):
    """Count ``times`` more of ``col`` in the current document; a column new
    to it is appended to ``out_cols`` (grown as needed). Returns both."""
    if counts[col] == 0:
        if m == len(out_cols):
            grown = np.empty(2 * len(out_cols), dtype=out_cols.dtype)
            grown[:m] = out_cols
            out_cols = grown
        out_cols[m] = col
        m += 1
    counts[col] += times
    return out_cols, m


@njit(cache=True, inline="always")
def _close(counts, out_cols, out_counts, start, m):
    """Move the current document's counts (entries ``start:m``) out of the
    dense scratch row, leaving it zero for the next."""
    if m > len(out_counts):
        grown = np.empty(len(out_cols), dtype=np.float64)
        grown[: len(out_counts)] = out_counts
        out_counts = grown
    for j in range(start, m):
        out_counts[j] = counts[out_cols[j]]
        counts[out_cols[j]] = 0
    return out_counts


@njit(cache=True)
def char_counts(ids, lengths, word_offsets, word_cols, n_cols):
    """Character n-gram counts of documents given as token ids, from each
    word's columns (:func:`char_gram_columns`): a word that occurs ``k``
    times in a document adds ``k`` to each of its columns."""
    n_docs, n_words = len(lengths), len(word_offsets) - 1
    counts = np.zeros(n_cols, dtype=np.int32)  # the current document, dense (int32: half the cache)
    times = np.zeros(n_words, dtype=np.int64)
    distinct = np.empty(max(len(ids), 1), dtype=np.int64)
    out_cols = np.empty(1024, dtype=np.int64)
    out_counts = np.empty(1024, dtype=np.float64)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    m, t0 = 0, 0
    for d in range(n_docs):
        k = 0
        for t in range(t0, t0 + lengths[d]):  # each distinct word once, with its count
            w = ids[t]
            if times[w] == 0:
                distinct[k] = w
                k += 1
            times[w] += 1
        t0 += lengths[d]
        start = m
        for j in range(k):
            w = distinct[j]
            for g in range(word_offsets[w], word_offsets[w + 1]):
                out_cols, m = _add(word_cols[g], times[w], counts, out_cols, m)
            times[w] = 0
        out_counts = _close(counts, out_cols, out_counts, start, m)
        offsets[d + 1] = m
    return offsets, out_cols[:m], out_counts[:m]


@njit(cache=True)
def word_counts(wid, lengths, unigrams, bigrams, unigram, width, slots, shift, mask, n_cols):
    """Word uni- and bigram counts of documents given as vocabulary word ids
    (0: a word in no term), a document's tokens after another's. ``unigram``:
    a word id's column (-1: none); a bigram ``(a, b)`` has key
    ``a * width + b`` in the hash table. Bigrams never cross documents."""
    n_docs = len(lengths)
    counts = np.zeros(n_cols, dtype=np.int32)  # the current document, dense (int32: half the cache)
    out_cols = np.empty(1024, dtype=np.int64)
    out_counts = np.empty(1024, dtype=np.float64)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    m, t0 = 0, 0
    for d in range(n_docs):
        start, end = m, t0 + lengths[d]
        for t in range(t0, end):
            a = wid[t]
            if a == 0:
                continue
            if unigrams and unigram[a] >= 0:
                out_cols, m = _add(unigram[a], 1, counts, out_cols, m)
            if bigrams and t + 1 < end and wid[t + 1] > 0:
                c = _probe(slots, shift, mask, a * width + wid[t + 1])
                if c >= 0:
                    out_cols, m = _add(c, 1, counts, out_cols, m)
        t0 = end
        out_counts = _close(counts, out_cols, out_counts, start, m)
        offsets[d + 1] = m
    return offsets, out_cols[:m], out_counts[:m]


@njit(cache=True)
def tfidf_scores(offsets, cols, counts, idf, weights):
    """``rows @ weights`` for the TF-IDF rows of these counts (sklearn's
    ``sublinear_tf``: ``(1 + log(count)) * idf``, each row of unit length),
    without making the rows."""
    n_docs, k = len(offsets) - 1, weights.shape[1]
    out = np.zeros((n_docs, k))
    for d in range(n_docs):
        square = 0.0
        for j in range(offsets[d], offsets[d + 1]):
            c = cols[j]
            v = (1.0 + np.log(counts[j])) * idf[c]
            square += v * v
            for q in range(k):
                out[d, q] += v * weights[c, q]
        if square > 0:
            scale = 1.0 / np.sqrt(square)
            for q in range(k):
                out[d, q] *= scale
    return out

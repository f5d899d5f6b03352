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

# Fibonacci hashing (spreads consecutive keys): a key's first slot in a
# table of 2**bits is (key * GOLDEN) >> (64 - bits), here and where
# classify.model.ngrams.KeyTable lays its slots out
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def _probe(slots, shift, mask, key):
    """The column of ``key`` in a KeyTable's slots, -1 if absent."""
    slot = np.int64((np.uint64(key) * GOLDEN) >> np.uint64(shift))
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
def char_gram_columns(cps, starts, lens, code_of, lo, hi, powers, dense, dense_n, dense_div, slots, shift, mask):
    """Each word's ``char_wb`` n-gram columns, as sparse rows (one per word,
    offsets and columns; a column once per occurrence of its gram).

    Word ``w`` is ``cps[starts[w] : starts[w] + lens[w]]`` (code points),
    padded with a space on each side as sklearn pads it. A character's code
    is ``code_of[code point]`` (classify.model.ngrams.CharGramIndex; the last
    code for one past the table) and a gram's key ``sum(code_i * powers[i])``.
    The grams are sklearn's: each window of n characters for ``lo <= n <
    size``, and the padded word itself, once, if ``size <= hi``. Grams of up
    to ``dense_n`` characters are found in ``dense`` (at ``key //
    dense_div``), longer ones in the hash table.
    """
    n_words = len(lens)
    unknown = code_of[len(code_of) - 1]
    space = code_of[32] if len(code_of) > 32 else unknown
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    out = np.empty(int(lens.sum() + 2 * n_words) * (hi - lo + 1) + n_words, dtype=np.int32)
    codes = np.empty(int(lens.max()) + 2 if n_words else 2, dtype=np.int64)
    m = 0
    for w in range(n_words):
        size = lens[w] + 2
        codes[0] = codes[size - 1] = space
        for i in range(lens[w]):
            cp = cps[starts[w] + i]
            codes[i + 1] = code_of[cp] if cp < len(code_of) else unknown
        for p in range(size):
            key = 0
            for n in range(1, min(hi, size - p) + 1):
                key += codes[p + n - 1] * powers[n - 1]
                if n >= lo and n < size:
                    c = dense[key // dense_div] if n <= dense_n else _probe(slots, shift, mask, key)
                    if c >= 0:
                        out[m] = c
                        m += 1
        if size <= hi:  # the whole padded word, once
            key = 0
            for n in range(size):
                key += codes[n] * powers[n]
            c = dense[key // dense_div] if size <= dense_n else _probe(slots, shift, mask, key)
            if c >= 0:
                out[m] = c
                m += 1
        offsets[w + 1] = m
    return offsets, out[:m]


@njit(cache=True, inline="always")
def _hash(cps, start, length):
    """FNV-1a over a run of code points."""
    h = np.uint64(14695981039346656037)
    for i in range(start, start + length):
        h = (h ^ np.uint64(cps[i])) * np.uint64(1099511628211)
    return h


@njit(cache=True, inline="always")
def _same(cps_a, start_a, cps_b, start_b, length):
    for i in range(length):
        if cps_a[start_a + i] != cps_b[start_b + i]:
            return False
    return True


@njit(cache=True)
def split_words(cps, doc_ends, is_sep, lead_tokens, lead_repeat, lead_marked, mark_cp):
    """Tokens of documents laid end to end as code points (document ``d``
    ends at ``doc_ends[d]``): the runs of characters that ``is_sep`` (one
    flag per code point) does not mark. Returns ``(cps, starts, lens, ids,
    lengths)``: the code points the words are runs of; the distinct words in
    order of first appearance, as runs of them; one id per token; each
    document's token count. Each document's first ``lead_tokens`` tokens are
    repeated ``lead_repeat`` times after it, then ``lead_marked`` times with
    ``mark_cp`` in front of each (classify.model.normalize.emphasise_lead):
    a marked word is a word of its own, its code points added after the
    text's, so the returned ``cps`` is ``cps`` itself unless some are."""
    n_docs = len(doc_ends)
    n_tokens, begin = 0, 0  # first, how many tokens: the tables' sizes
    for d in range(n_docs):
        inside = False
        for i in range(begin, doc_ends[d]):
            sep = is_sep[cps[i]] != 0
            if not sep and not inside:
                n_tokens += 1
            inside = not sep
        begin = doc_ends[d]
    bits = 4
    while (1 << bits) < 2 * n_tokens + 2:
        bits += 1
    table = np.full(1 << bits, -1, dtype=np.int64)  # slot -> word
    marks = max(lead_marked, 0)
    # word ids: a marked word per distinct word at most, plain and marked ones interleaved
    n_ids = n_tokens * (1 + min(marks, 1)) + 1
    hashes = np.empty(n_ids, dtype=np.uint64)
    starts = np.empty(n_ids, dtype=np.int64)
    lens = np.empty(n_ids, dtype=np.int64)
    ids = np.empty(n_tokens * (1 + max(lead_repeat, 0) + marks) + 1, dtype=np.int32)
    # the marked words' code points: each distinct word once, plus its mark
    extra = np.empty(len(cps) + n_tokens + 1 if marks else 1, dtype=cps.dtype)
    marked_of = np.full(n_ids if marks else 1, -1, dtype=np.int64)  # word -> its marked word
    n_extra = 0
    lengths = np.zeros(n_docs, dtype=np.int64)
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    n_words, t, begin = 0, 0, 0
    for d in range(n_docs):
        first = t
        i, end = begin, doc_ends[d]
        while i < end:
            if is_sep[cps[i]] != 0:
                i += 1
                continue
            j = i
            while j < end and is_sep[cps[j]] == 0:
                j += 1
            h = _hash(cps, i, j - i)
            slot = np.int64((h * GOLDEN) >> shift)
            while True:
                w = table[slot]
                if w == -1:  # a new word
                    table[slot] = w = n_words
                    hashes[w], starts[w], lens[w] = h, i, j - i
                    n_words += 1
                    break
                if hashes[w] == h and lens[w] == j - i and _same(cps, starts[w], cps, i, j - i):
                    break
                slot = (slot + 1) & mask
            ids[t] = w
            t += 1
            i = j
        lead = min(lead_tokens, t - first) if lead_repeat > 0 or marks > 0 else 0
        for _ in range(lead_repeat if lead > 0 else 0):
            for k in range(first, first + lead):
                ids[t] = ids[k]
                t += 1
        for _ in range(marks if lead > 0 else 0):
            for k in range(first, first + lead):
                w = ids[k]
                m = marked_of[w]
                if m == -1:  # a new marked word
                    m = marked_of[w] = n_words
                    n_words += 1
                    starts[m], lens[m] = len(cps) + n_extra, lens[w] + 1
                    extra[n_extra] = mark_cp
                    extra[n_extra + 1 : n_extra + 1 + lens[w]] = cps[starts[w] : starts[w] + lens[w]]
                    n_extra += lens[w] + 1
                ids[t] = m
                t += 1
        lengths[d] = t - first
        begin = end
    if n_extra:
        cps = np.concatenate((cps, extra[:n_extra]))
    return cps, starts[:n_words], lens[:n_words], ids[:t], lengths


@njit(cache=True)
def word_table(cps, starts, lens):
    """A hash table of distinct words (runs of ``cps``): slot -> word, -1 empty."""
    bits = 4
    while (1 << bits) < 4 * len(lens):
        bits += 1
    table = np.full(1 << bits, -1, dtype=np.int64)
    shift, mask = np.uint64(64 - bits), (1 << bits) - 1
    for w in range(len(lens)):
        slot = np.int64((_hash(cps, starts[w], lens[w]) * GOLDEN) >> shift)
        while table[slot] != -1:
            slot = (slot + 1) & mask
        table[slot] = w
    return table


@njit(cache=True)
def find_words(cps, starts, lens, vocab_cps, vocab_starts, vocab_lens, table):
    """Each word's place among the vocabulary's words (:func:`word_table`)
    from 1; 0 where it is not one of them."""
    bits = 0
    while (1 << bits) < len(table):
        bits += 1
    shift, mask = np.uint64(64 - bits), len(table) - 1
    out = np.zeros(len(lens), dtype=np.int64)
    for w in range(len(lens)):
        slot = np.int64((_hash(cps, starts[w], lens[w]) * GOLDEN) >> shift)
        while True:
            v = table[slot]
            if v == -1:
                break
            if vocab_lens[v] == lens[w] and _same(vocab_cps, vocab_starts[v], cps, starts[w], lens[w]):
                out[w] = v + 1
                break
            slot = (slot + 1) & mask
    return out


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
def word_counts(ids, lengths, wid, unigrams, bigrams, unigram, width, slots, shift, mask, n_cols):
    """Word uni- and bigram counts of documents given as token ids, a
    document's tokens after another's; ``wid``: each word's vocabulary word
    id (0: a word in no term). ``unigram``: a word id's column (-1: none); a
    bigram ``(a, b)`` has key ``a * width + b`` in the hash table. Bigrams
    never cross documents."""
    n_docs = len(lengths)
    counts = np.zeros(n_cols, dtype=np.int32)  # the current document, dense (int32: half the cache)
    out_cols = np.empty(1024, dtype=np.int64)
    out_counts = np.empty(1024, dtype=np.float64)
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    m, t0 = 0, 0
    for d in range(n_docs):
        start, end = m, t0 + lengths[d]
        for t in range(t0, end):
            a = wid[ids[t]]
            if a == 0:
                continue
            if unigrams and unigram[a] >= 0:
                out_cols, m = _add(unigram[a], 1, counts, out_cols, m)
            if bigrams and t + 1 < end and wid[ids[t + 1]] > 0:
                c = _probe(slots, shift, mask, a * width + wid[ids[t + 1]])
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

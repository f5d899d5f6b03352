"""ISRI roots of a whole batch's words at once, compiled with numba.

:func:`classify.model.roots.isri_root` stems one Python string in ~10 µs;
a batch of 2,000 news articles holds ~150,000 distinct words, tens of
thousands of them new to any cache, which made the root branch cost more than
the word and character branches together (bench/stages.py). This is the same
algorithm, rule for rule, over the words' code points, with no string per
word; ``tests/model/test_roots.py`` checks it against ``isri_root`` (and so
against NLTK) on every word of our own articles and on arbitrary words.

Imported for batches only, as :mod:`classify.model.kernels` is.
"""

import numpy as np
from numba import njit

from .roots import _P1, _P2, _P3, _S1, _S2, _S3, _STOP_WORDS

ALEF, WAW, TEH, TEH_MARBUTA, MEEM, NOON, YEH, HAMZA_YEH = 0x0627, 0x0648, 0x062A, 0x0629, 0x0645, 0x0646, 0x064A, 0x0626
SEEN = 0x0633


def _runs(words) -> tuple[np.ndarray, np.ndarray]:
    """Words as a 2-D array of code points (-1 padded) and their lengths."""
    words = sorted(words)
    width = max(map(len, words))
    table = np.full((len(words), width), -1, dtype=np.int64)
    for i, w in enumerate(words):
        table[i, : len(w)] = [ord(c) for c in w]
    return table, np.array([len(w) for w in words], dtype=np.int64)


# the affix lists of classify.model.roots, as code points (one list, two readers)
STOPS, STOP_LENS = _runs(_STOP_WORDS)
P3, _ = _runs(_P3)
P2, _ = _runs(_P2)
S3, _ = _runs(_S3)
S2, _ = _runs(_S2)
S1 = np.array(sorted(map(ord, _S1)), dtype=np.int64)
P1 = np.array(sorted(map(ord, _P1)), dtype=np.int64)


@njit(cache=True, inline="always")
def _in(c, chars):
    for x in chars:
        if x == c:
            return True
    return False


@njit(cache=True, inline="always")
def _remove(buf, n, i):
    """Delete buf[i] (the word is buf[:n]); the new length."""
    for k in range(i, n - 1):
        buf[k] = buf[k + 1]
    return n - 1


@njit(cache=True, inline="always")
def _same_at(buf, at, row, k):
    """Whether buf[at : at + k] is row[:k]."""
    for j in range(k):
        if buf[at + j] != row[j]:
            return False
    return True


@njit(cache=True, inline="always")
def _starts_with_one_of(buf, n, table):
    k = table.shape[1]  # the affixes of one table have one length
    for r in range(table.shape[0]):
        if n >= k and _same_at(buf, 0, table[r], k):
            return True
    return False


@njit(cache=True, inline="always")
def _ends_with_one_of(buf, n, table):
    k = table.shape[1]
    for r in range(table.shape[0]):
        if n >= k and _same_at(buf, n - k, table[r], k):
            return True
    return False


@njit(cache=True, inline="always")
def _is_stop_word(buf, n):
    for r in range(STOPS.shape[0]):
        if STOP_LENS[r] == n and _same_at(buf, 0, STOPS[r], n):
            return True
    return False


@njit(cache=True, inline="always")
def _suf1(buf, n):
    return n - 1 if n > 0 and _in(buf[n - 1], S1) else n


@njit(cache=True, inline="always")
def _pre1(buf, n):
    return _remove(buf, n, 0) if n > 0 and _in(buf[0], P1) else n


@njit(cache=True)
def _pro_w4(b, n):
    if b[0] == MEEM:  # مفعل
        return _remove(b, n, 0)
    if b[1] == ALEF:  # فاعل
        return _remove(b, n, 1)
    if b[2] == ALEF or b[2] == WAW or b[2] == YEH:  # فعال - فعول - فعيل
        return _remove(b, n, 2)
    if b[3] == TEH_MARBUTA:  # فعلة
        return n - 1
    n = _suf1(b, n)
    return _pre1(b, n) if n == 4 else n


@njit(cache=True)
def _pro_w53(b, n):
    if (b[2] == ALEF or b[2] == TEH) and b[0] == ALEF:  # افتعل - افاعل: b1 + b3:
        return _remove(b, _remove(b, n, 2), 0)
    if (b[3] == ALEF or b[3] == YEH or b[3] == WAW) and b[0] == MEEM:  # مفعول: b1 b2 b4
        return _remove(b, _remove(b, n, 3), 0)
    if (b[0] == ALEF or b[0] == TEH or b[0] == MEEM) and b[4] == TEH_MARBUTA:  # مفعلة: b1 b2 b3
        return _remove(b, n - 1, 0)
    if (b[0] == MEEM or b[0] == YEH or b[0] == TEH) and b[2] == TEH:  # مفتعل: b1 + b3:
        return _remove(b, _remove(b, n, 2), 0)
    if (b[0] == MEEM or b[0] == TEH) and b[2] == ALEF:  # مفاعل - تفاعل: b1 + b3:
        return _remove(b, _remove(b, n, 2), 0)
    if (b[2] == ALEF or b[2] == WAW) and b[4] == TEH_MARBUTA:  # فعولة - فعالة: b0 b1 b3
        return _remove(b, n - 1, 2)
    if (b[0] == ALEF or b[0] == MEEM) and b[1] == NOON:  # انفعل - منفعل: b2:
        return _remove(b, _remove(b, n, 0), 0)
    if b[3] == ALEF and b[0] == ALEF:  # افعال: b1 b2 b4
        return _remove(b, _remove(b, n, 3), 0)
    if b[4] == NOON and b[3] == ALEF:  # فعلان: b0 b1 b2
        return 3
    if b[3] == YEH and b[0] == TEH:  # تفعيل: b1 b2 b4
        return _remove(b, _remove(b, n, 3), 0)
    if b[3] == WAW and b[1] == ALEF:  # فاعول: b0 b2 b4
        return _remove(b, _remove(b, n, 3), 1)
    if b[2] == ALEF and b[1] == WAW:  # فواعل: b0 + b3:
        return _remove(b, _remove(b, n, 2), 1)
    if b[3] == HAMZA_YEH and b[2] == ALEF:  # فعائل: b0 b1 b4
        return _remove(b, _remove(b, n, 3), 2)
    if b[4] == TEH_MARBUTA and b[1] == ALEF:  # فاعلة: b0 b2 b3
        return _remove(b, n - 1, 1)
    if b[4] == YEH and b[2] == ALEF:  # فعالي: b0 b1 b3
        return _remove(b, n - 1, 2)
    n = _suf1(b, n)
    return _pre1(b, n) if n == 5 else n


@njit(cache=True)
def _pro_w54(b, n):
    if b[0] == ALEF or b[0] == TEH or b[0] == MEEM:  # تفعلل - افعلل - مفعلل
        return _remove(b, n, 0)
    if b[4] == TEH_MARBUTA:  # فعللة
        return 4
    if b[2] == ALEF:  # فعالل
        return _remove(b, n, 2)
    return n


@njit(cache=True)
def _end_w5(b, n):
    if n == 4:
        return _pro_w4(b, n)
    if n == 5:
        return _pro_w54(b, n)
    return n


@njit(cache=True)
def _pro_w6(b, n):
    if (b[0] == ALEF or b[0] == MEEM) and b[1] == SEEN and b[2] == TEH:  # مستفعل - استفعل
        return _remove(b, _remove(b, _remove(b, n, 0), 0), 0)
    if b[0] == MEEM and b[3] == ALEF and b[5] == TEH_MARBUTA:  # مفعالة: b1 b2 b4
        return _remove(b, _remove(b, n - 1, 3), 0)
    if b[0] == ALEF and b[2] == TEH and b[4] == ALEF:  # افتعال: b1 b3 b5
        return _remove(b, _remove(b, _remove(b, n, 4), 2), 0)
    if b[0] == ALEF and b[3] == WAW and b[2] == b[4]:  # افعوعل: b1 + b4:
        return _remove(b, _remove(b, _remove(b, n, 3), 2), 0)
    if b[0] == TEH and b[2] == ALEF and b[4] == YEH:  # تفاعيل: b1 b3 b5
        return _remove(b, _remove(b, _remove(b, n, 4), 2), 0)
    n = _suf1(b, n)
    return _pre1(b, n) if n == 6 else n


@njit(cache=True)
def _pro_w64(b, n):
    if b[0] == ALEF and b[4] == ALEF:  # افعلال: b1 b2 b3 b5
        return _remove(b, _remove(b, n, 4), 0)
    if b[0] == MEEM and b[1] == TEH:  # متفعلل
        return _remove(b, _remove(b, n, 0), 0)
    return n


@njit(cache=True)
def _end_w6(b, n):
    if n == 5:
        return _end_w5(b, _pro_w53(b, n))
    if n == 6:
        return _pro_w64(b, n)
    return n


@njit(cache=True)
def _stem(b, n):
    """isri_root of buf[:n], in place; the root's length."""
    if _is_stop_word(b, n):
        return n
    # _pre32
    if n >= 6 and _starts_with_one_of(b, n, P3):
        for _ in range(3):
            n = _remove(b, n, 0)
    elif n >= 5 and _starts_with_one_of(b, n, P2):
        for _ in range(2):
            n = _remove(b, n, 0)
    # _suf32
    if n >= 6 and _ends_with_one_of(b, n, S3):
        n -= 3
    elif n >= 5 and _ends_with_one_of(b, n, S2):
        n -= 2
    if n >= 4 and b[0] == WAW and b[1] == WAW:
        n = _remove(b, n, 0)
    if n > 0 and (b[0] == 0x0622 or b[0] == 0x0623 or b[0] == 0x0625):
        b[0] = ALEF
    if n == 4:
        n = _pro_w4(b, n)
    elif n == 5:
        n = _end_w5(b, _pro_w53(b, n))
    elif n == 6:
        n = _end_w6(b, _pro_w6(b, n))
    elif n == 7:
        n = _suf1(b, n)
        if n == 7:
            n = _pre1(b, n)
        if n == 6:
            n = _end_w6(b, _pro_w6(b, n))
    return n


@njit(cache=True)
def isri_roots(cps, starts, lens, mark_cp):
    """Each word's root (:func:`classify.model.vectorize.root_form` with
    ``isri_root``): word ``w`` is ``cps[starts[w] : starts[w] + lens[w]]``; a
    word that begins with ``mark_cp`` keeps it and is stemmed after it.
    Returns ``(cps, starts, lens)`` of the roots, one per word, in order."""
    out = np.empty(max(1, lens.sum()), dtype=cps.dtype)
    out_starts = np.empty(len(lens), dtype=np.int64)
    out_lens = np.empty(len(lens), dtype=np.int64)
    buf = np.empty(max(1, lens.max() if len(lens) else 1), dtype=np.int64)
    m = 0
    for w in range(len(lens)):
        a, end = starts[w], starts[w] + lens[w]
        out_starts[w] = m
        if a < end and cps[a] == mark_cp:
            out[m] = mark_cp
            m += 1
            a += 1
        n = 0
        for i in range(a, end):  # ISRI's first step: short vowels out
            c = cps[i]
            if c < 0x064B or c > 0x0652:
                buf[n] = c
                n += 1
        n = _stem(buf, n)
        for i in range(n):
            out[m + i] = buf[i]
        m += n
        out_lens[w] = m - out_starts[w]
    return out[:m], out_starts, out_lens

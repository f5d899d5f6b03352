"""A batch of documents as tokens: the distinct words once, and one integer
id per token.

Every TF-IDF branch of a model reads the same batch, and every n-gram
lookup downstream works on these ids. A batch comes in two forms: Python
strings (:class:`Tokens`, for a few documents, counted one n-gram at a time)
and runs of code points (:class:`CodeTokens`, what the compiled kernels
read). :func:`split_texts` splits a whole batch of normalised texts straight
into code points, with no string per token.
"""

from itertools import chain
from typing import NamedTuple

import numpy as np


class Tokens(NamedTuple):
    """A batch's whitespace tokens: ``words``, the distinct (lowercased) words
    in order of first appearance; ``ids``, one int32 id into them per token;
    ``lengths``, the token count of each document."""

    words: list[str]
    ids: np.ndarray
    lengths: np.ndarray


class CodeTokens(NamedTuple):
    """:class:`Tokens` with the distinct words as runs of code points: word
    ``w`` is ``cps[starts[w] : starts[w] + lens[w]]``."""

    cps: np.ndarray
    starts: np.ndarray
    lens: np.ndarray
    ids: np.ndarray
    lengths: np.ndarray

    def as_tokens(self) -> Tokens:
        """The same batch with its words as strings."""
        text = self.cps.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
        return Tokens([text[a : a + n] for a, n in zip(self.starts.tolist(), self.lens.tolist())], self.ids, self.lengths)


def codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` (a lone surrogate is one, as in Python)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def word_runs(words: list[str]):
    """``(cps, starts, lens)``: the words end to end as code points, where
    each one starts and how long it is."""
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    return codepoints("".join(words)), np.cumsum(lens) - lens, lens


def code_tokens(tokens) -> CodeTokens:
    """``tokens`` (:class:`Tokens` or :class:`CodeTokens`) as code points."""
    if isinstance(tokens, CodeTokens):
        return tokens
    words, ids, lengths = tokens
    return CodeTokens(*word_runs(words), ids, lengths)


def split_texts(texts: list[str], is_sep: np.ndarray, lead_tokens: int = 0, lead_repeat: int = 0,
                lead_marked: int = 0) -> CodeTokens:
    """:func:`tokenize_batch` of lowercased texts, in one compiled pass over
    their code points: tokens are the runs of characters that ``is_sep``
    (a flag per code point) does not mark, and each text's first
    ``lead_tokens`` tokens follow it ``lead_repeat`` more times, then
    ``lead_marked`` times marked (as
    :func:`~classify.model.normalize.emphasise_lead` adds them)."""
    # imported here: numba's import alone costs as much as predicting one article
    from .kernels import split_words
    from .normalize import TATWEEL

    cps = codepoints("".join(texts))
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
    cps, starts, lens, ids, lengths = split_words(cps, ends, is_sep, lead_tokens, lead_repeat, lead_marked,
                                                  ord(TATWEEL))
    return CodeTokens(cps, starts, lens, ids, lengths)


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

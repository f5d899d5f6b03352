"""A batch of documents as whitespace tokens: the distinct words once, and
one integer id per token.

Both TF-IDF branches of a model read the same batch, and every n-gram
lookup downstream works on these ids, so each distinct word is handled in
Python once per batch and each token only in C (split, map).
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

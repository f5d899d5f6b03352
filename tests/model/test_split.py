"""A batch split into tokens by the compiled kernel holds the tokens that the
Python path finds: the same words, in the same order, with the same ids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.model.normalize import Normalizer, build_tables, mark
from classify.model.tokens import split_texts, tokenize_token_lists

TABLES = build_tables()
NORM = Normalizer(TABLES)
# tables that keep every character camel-tools' arclean deletes (Latin
# capitals with accents, Greek, ...), so that lowercasing has work to do
WIDE = Normalizer(dict(TABLES, arclean_keep=None, arclean_delete=""))

ODD = st.text(alphabet=st.sampled_from([
    "ا", "ب", "A", "a", "İ", "Σ", "σ", "ς", "ß", "'", ".", ":", "،", " ", "\u3000", "\xa0", "\x1c", "\n",
    "\U0001d400", "\U0001f600", "\ud800", "\u0640", "\u064b",
]))


def _python(norm, texts, n, repeat, marked):
    tokens = [norm.tokens(t) for t in texts]
    return tokenize_token_lists([t + t[:n] * repeat + [mark(w) for w in t[:n]] * marked for t in tokens])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), ODD), max_size=6), st.sampled_from([(0, 0, 0), (2, 1, 0), (3, 2, 0), (2, 1, 1), (3, 0, 2)]))
def test_kernel_split_equals_python_tokens(texts, lead):
    for norm in (NORM, WIDE):
        ref = _python(norm, texts, *lead)
        ours = split_texts([norm.lowered(t) for t in texts], norm.separator_flags(), *lead).as_tokens()
        assert ours.words == ref.words
        assert ours.ids.tolist() == ref.ids.tolist() and ours.lengths.tolist() == ref.lengths.tolist()


def test_lowercasing_turns_no_character_into_a_separator_or_out_of_one():
    """What lets a whole text be lowercased before it is split."""
    flags = NORM.separator_flags()
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        lower = chr(cp).lower()
        if lower != chr(cp):
            assert all(flags[ord(c)] == flags[cp] for c in lower), hex(cp)


def test_words_across_document_ends_stay_apart():
    batch = split_texts(["ab", "ab cd", "", "cd"], NORM.separator_flags(), 1, 1).as_tokens()
    assert batch.words == ["ab", "cd"]
    assert batch.lengths.tolist() == [2, 3, 0, 2]
    assert batch.ids.tolist() == [0, 0, 0, 1, 0, 1, 1]
    assert np.array_equal(split_texts([], NORM.separator_flags()).lengths, [])


def test_marked_lead_words_are_words_of_their_own():
    batch = split_texts(["ab cd ef", "cd"], NORM.separator_flags(), 2, 0, 1).as_tokens()
    assert batch.words == ["ab", "cd", "ef", "\u0640ab", "\u0640cd"]
    assert batch.ids.tolist() == [0, 1, 2, 3, 4, 1, 4]
    assert batch.lengths.tolist() == [5, 2]

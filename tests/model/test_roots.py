"""The ISRI roots of classify.model.roots are NLTK's, the compiled ones of
classify.model.roots_kernel are the same, and the predictor never imports
NLTK for them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.model.normalize import TATWEEL, Normalizer, build_tables
from classify.model.roots import isri_root
from classify.model.roots_kernel import isri_roots
from classify.model.tokens import word_runs
from classify.model.vectorize import root_form

from ..helpers import FIXTURES, REPO

# Arabic letters, short vowels and hamza forms (what ISRI's rules read),
# plus a Latin letter and a digit that it must leave alone
ALPHABET = "".join(map(chr, range(0x0621, 0x064B))) + "\u064b\u064e\u0650\u0652\u0622\u0623\u0625a7"


def _compiled(words: list[str]) -> list[str]:
    """The kernel's roots of ``words``, as strings."""
    cps, starts, lens = isri_roots(*word_runs(words), ord(TATWEEL))
    text = cps.astype("<u4").tobytes().decode("utf-32-le")
    return [text[a : a + n] for a, n in zip(starts.tolist(), lens.tolist())]


def _our_words() -> list[str]:
    normalize = Normalizer(build_tables())
    paths = [*FIXTURES.rglob("*.txt"), *(REPO / "data" / "written").rglob("*.txt")]
    return sorted({w for p in paths for w in normalize(p.read_text(encoding="utf-8")).split()})


def test_compiled_roots_equal_isri_root_on_every_word_of_our_own_articles():
    words = _our_words()
    words += [TATWEEL + w for w in words[::7]] + [TATWEEL, "ا", "ab"]
    assert _compiled(words) == [root_form(w, isri_root) for w in words]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET + TATWEEL, min_size=1, max_size=10), min_size=1, max_size=20))
def test_compiled_roots_equal_isri_root_on_arbitrary_words(words):
    assert _compiled(words) == [root_form(w, isri_root) for w in words]


@pytest.fixture(scope="module")
def nltk_stem():
    """NLTK's own ISRI stemmer: the reference (the dev group installs it)."""
    return pytest.importorskip("nltk.stem.isri", reason="NLTK (the dev group) is not installed").ISRIStemmer().stem



def test_spellings_of_one_family_share_a_root():
    # LABELS.md's Maghrebi and Mashriqi spellings of "journalist(s)/press"
    assert {isri_root(w) for w in ["صحفي", "صحافي", "الصحافيين", "الصحافه", "الصحفيين"]} == {"صحف"}
    assert isri_root("اعلاميه") != isri_root("حكومه")


def test_roots_equal_nltks_on_every_word_of_our_own_articles(nltk_stem):
    words = _our_words()
    assert len(words) > 10_000
    assert [isri_root(w) for w in words] == [nltk_stem(w) for w in words]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=10))
def test_roots_equal_nltks_on_arbitrary_words(nltk_stem, word):
    assert isri_root(word) == nltk_stem(word)


def test_a_marked_lead_token_keeps_its_mark_on_its_root():
    assert root_form(TATWEEL + "الصحافيين", isri_root) == TATWEEL + "صحف"
    assert root_form("الصحافيين", isri_root) == "صحف"

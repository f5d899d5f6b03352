"""The ISRI roots of classify.model.roots are NLTK's, and the predictor
never imports NLTK for them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.model.normalize import TATWEEL, Normalizer, build_tables
from classify.model.roots import isri_root
from classify.model.vectorize import root_form

from ..helpers import FIXTURES, REPO

isri = pytest.importorskip("nltk.stem.isri", reason="NLTK (the dev group) is not installed")
NLTK = isri.ISRIStemmer()

# Arabic letters, short vowels and hamza forms (what ISRI's rules read),
# plus a Latin letter and a digit that it must leave alone
ALPHABET = "".join(map(chr, range(0x0621, 0x064B))) + "\u064b\u064e\u0650\u0652\u0622\u0623\u0625a7"


def test_spellings_of_one_family_share_a_root():
    # LABELS.md's Maghrebi and Mashriqi spellings of "journalist(s)/press"
    assert {isri_root(w) for w in ["صحفي", "صحافي", "الصحافيين", "الصحافه", "الصحفيين"]} == {"صحف"}
    assert isri_root("اعلاميه") != isri_root("حكومه")


def test_roots_equal_nltks_on_every_word_of_our_own_articles():
    normalize = Normalizer(build_tables())
    paths = [*FIXTURES.rglob("*.txt"), *(REPO / "data" / "written").rglob("*.txt")]
    words = {w for p in paths for w in normalize(p.read_text(encoding="utf-8")).split()}
    assert len(words) > 10_000
    assert [isri_root(w) for w in sorted(words)] == [NLTK.stem(w) for w in sorted(words)]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=10))
def test_roots_equal_nltks_on_arbitrary_words(word):
    assert isri_root(word) == NLTK.stem(word)


def test_a_marked_lead_token_keeps_its_mark_on_its_root():
    assert root_form(TATWEEL + "الصحافيين", isri_root) == TATWEEL + "صحف"
    assert root_form("الصحافيين", isri_root) == "صحف"

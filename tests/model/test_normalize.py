import gzip
import json
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from classify.model.normalize import Normalizer, build_tables, camel_normalize, camel_tokenize
from classify.training.estimators import ArabicNormalizer

from ..helpers import FIXTURES, SHARED, needs_corpora

TABLES = build_tables()
NORM = Normalizer(TABLES)


def fast_normalize(text, _tables):
    return NORM.normalize(text)


def tokenize(text):
    return NORM.tokenize(text)
SAMPLES = [
    "الإعلامُ الحكوميُّ يُطلِقُ مُبادرةً جديدةً",
    "إِعلان أحمد آمال ٱلرحمن مستشفى علي",
    "كـــتـــاب ﷼ ﷽ ﻻ",
    "Hello, world! ٣٤٥ 2024 ؟،؛",
    "",
]


def test_fast_path_equals_camel_tools_on_samples():
    for text in SAMPLES:
        assert fast_normalize(text, TABLES) == camel_normalize(text)


def test_fixture_articles_normalise_like_camel_tools():
    for path in FIXTURES.rglob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert fast_normalize(text, TABLES) == camel_normalize(text), path


@needs_corpora
def test_fast_path_equals_camel_tools_on_real_articles():
    for name in ("saudinewsnet", "antcorpus-multisource"):
        with gzip.open(SHARED / "corpora" / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
            for line in islice(fh, 300):
                text = json.loads(line)["text"]
                norm = camel_normalize(text)
                assert fast_normalize(text, TABLES) == norm
                assert tokenize(norm) == camel_tokenize(norm)


def test_normaliser_output_is_normalised_tokens():
    out = ArabicNormalizer().fit(None).transform(["الإعلامُ، الحكوميّة!"])
    assert out == ["الاعلام الحكوميه"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_matches_camel_on_arbitrary_unicode(text):
    assert fast_normalize(text, TABLES) == camel_normalize(text)
    tokenize(fast_normalize(text, TABLES))


ASTRAL = st.text(alphabet=st.sampled_from(["ا", "ب", " ", "،", "a", "\U0001f600", "\U00010100", "\U0001d400", "\ud800", "\u0640"]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), ASTRAL))
def test_tokens_are_those_of_the_whole_separator_class(text):
    """The tokeniser's fast path (separators below U+10000 for texts without
    astral characters) finds what the one class of every separator finds."""
    assert NORM.tokenize(text) == NORM._word.findall(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), ASTRAL, st.text(alphabet=st.sampled_from(["ا", "\x1c", "\x1f", " ", "\u3000", "\xa0", "b"]))))
def test_tokens_split_as_the_joined_document(text):
    """What the predictor feeds the vectorisers: the document's whitespace
    split, whatever white space survives normalisation."""
    assert NORM.tokens(text) == NORM(text).split()


def test_tokens_split_on_white_space_the_tokeniser_keeps():
    """Tables under which \x1c (white space to str.split, no separator)
    survives normalisation: tokens are still split where the vectorisers split."""
    tables = dict(TABLES, arclean_keep=(TABLES["arclean_keep"] or "") + "\x1c")
    tables["arclean_delete"] = tables["arclean_delete"].replace("\x1c", "")
    norm = Normalizer(tables)
    text = "اب\x1cجد هو"
    assert "\x1c" in norm.normalize(text)
    assert norm.tokens(text) == norm(text).split() == ["اب", "جد", "هو"]


def test_astral_separators_still_split():
    emoji, math_letter = "\U0001f600", "\U0001d400"  # a symbol (separator), a letter (word)
    assert NORM.tokenize(f"ابc{emoji}د") == ["ابc", "د"]
    assert NORM.tokenize(f"اب{math_letter}د") == [f"اب{math_letter}د"]


def test_tables_are_json_and_survive_a_round_trip():
    import json

    again = Normalizer(json.loads(json.dumps(TABLES)))
    for text in SAMPLES:
        assert again(text) == NORM(text)


def test_camel_tools_internals_the_tables_read_still_exist():
    """build_tables reads CharMapper._charmap/_default and _UNICODE_CHAR_FIX:
    camel-tools has no public accessor. If an upgrade moves them, this fails
    loudly instead of the normaliser silently changing."""
    from camel_tools.utils.charmap import CharMapper
    from camel_tools.utils.normalize import _UNICODE_CHAR_FIX

    arclean = CharMapper.builtin_mapper("arclean")
    assert isinstance(arclean._charmap, dict) and len(arclean._charmap) > 100
    assert arclean._default in ("", None)
    assert isinstance(_UNICODE_CHAR_FIX._charmap, dict)


def test_lead_emphasis_repeats_the_first_tokens():
    from classify.model.normalize import emphasise_lead

    assert emphasise_lead("a b c d", 2, 2) == "a b c d a b a b"
    assert emphasise_lead("a b", 5, 1) == "a b a b"
    assert emphasise_lead("a b", 0, 3) == "a b" and emphasise_lead("", 3, 3) == ""


def test_a_marked_lead_follows_the_copies_each_token_marked():
    from classify.model.normalize import Normalizer, build_tables, emphasise_lead

    assert emphasise_lead("a b c", 2, 1, 1) == "a b c a b \u0640a \u0640b"
    assert emphasise_lead("a b c", 2, 0, 2) == "a b c \u0640a \u0640b \u0640a \u0640b"
    # no normalised token carries the mark, so a marked one cannot be mistaken for a plain one
    assert "\u0640" not in Normalizer(build_tables())("كتـــاب الـصحافة \u0640")

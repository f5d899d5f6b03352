import gzip
import json
from itertools import islice

from hypothesis import given, settings
from hypothesis import strategies as st

from classify.model.normalize import ArabicNormalizer, build_tables, camel_normalize, camel_tokenize, fast_normalize, tokenize

from .conftest import FIXTURES, SHARED, needs_corpora

TABLES = build_tables()
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

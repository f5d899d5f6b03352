import gzip
import json
from itertools import islice

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from classify.model.normalize import ArabicNormalizer
from classify.model.vectorize import CharTfidf

from .conftest import FIXTURES, SHARED, needs_corpora


@pytest.fixture(autouse=True, params=["one-by-one", "indexed"])
def lookup(request, monkeypatch):
    """Every test runs twice: n-grams looked up one at a time, and through
    the numpy indexes of classify.model.ngrams (forced on for any batch size)."""
    from classify.model.vectorize import CharTfidf, WordTfidf

    big = 10**9
    monkeypatch.setattr(CharTfidf, "INDEX_MIN_MISSES", 0 if request.param == "indexed" else big)
    monkeypatch.setattr(WordTfidf, "INDEX_MIN_DOCS", 0 if request.param == "indexed" else big)
    return request.param


def _pair(docs, **kw):
    ours = CharTfidf(ngram_range=(1, 4), min_df=1, **kw).fit(docs)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=1, sublinear_tf=True, dtype=np.float32, **kw)
    return ours, ref.fit(docs)


def _same(a, b, docs):
    assert a.vocabulary_ == b.vocabulary_
    x, y = a.transform(docs), b.transform(docs)
    assert x.shape == y.shape
    assert (x != y).nnz == 0


def test_memoised_char_ngrams_equal_sklearn_char_wb():
    docs = ArabicNormalizer().fit().transform([p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.txt")])
    docs += ["", "ا", "ab", "a b c", "  spaced   out  "]
    ours, ref = _pair(docs)
    _same(ours, ref, docs)
    unseen = ["كلمات جديدة لم ترد في التدريب", "الصحفيين الصحفيين الصحفيين"]
    _same(ours, ref, unseen)


def test_memo_is_bounded_and_not_pickled():
    import pickle

    docs = [f"w{i} x{i}" for i in range(50)]
    ours, ref = _pair(docs)
    ours.MEMO_WORDS = 7
    _same(ours, ref, docs)  # the memo was cleared several times on the way
    assert len(ours._memo) <= 7
    copy = pickle.loads(pickle.dumps(ours)).__dict__
    assert "_memo" not in copy and "_char_index" not in copy


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=6))
def test_equal_on_arbitrary_text(docs):
    if not any(d.split() for d in docs):
        return  # sklearn refuses an empty vocabulary; so do we
    ours, ref = _pair(docs)
    _same(ours, ref, docs)


@needs_corpora
def test_equal_on_real_articles():
    with gzip.open(SHARED / "corpora" / "saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in islice(fh, 400)]
    docs = ArabicNormalizer().fit().transform(texts)
    ours = CharTfidf(ngram_range=(1, 4), min_df=2, max_features=20_000).fit(docs[:300])
    ref = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 4), min_df=2, max_features=20_000, sublinear_tf=True, dtype=np.float32
    ).fit(docs[:300])
    _same(ours, ref, docs[300:])


def test_vocabulary_survives_pickling_and_the_original_is_untouched():
    import pickle

    from classify.model.vectorize import PrunedTfidf

    docs = ["الصحفيين في السجن", "مركز التواصل الحكومي", "الصحفيين والتواصل"]
    for vec in (PrunedTfidf(token_pattern=r"\S+", ngram_range=(1, 2)), CharTfidf(ngram_range=(1, 4))):
        vec.fit(docs)
        before = dict(vec.vocabulary_)
        copy = pickle.loads(pickle.dumps(vec))
        assert vec.vocabulary_ == before and copy.vocabulary_ == before
        assert (copy.transform(docs) != vec.transform(docs)).nnz == 0


def test_word_ngrams_equal_sklearn_word_analyzer():
    from classify.model.vectorize import WordTfidf

    docs = ArabicNormalizer().fit().transform([p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.txt")])
    docs += ["", "ا", "Ab ab AB", "w1 w2 w1 w2 w1"]
    for ngrams in ((1, 1), (1, 2), (2, 3)):
        ours = WordTfidf(ngram_range=ngrams).fit(docs)
        ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32).fit(docs)
        _same(ours, ref, docs + ["كلمات لم ترد", "w2 w1 w2"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="ab ج\n", max_size=30), min_size=1, max_size=6))
def test_word_ngrams_equal_on_arbitrary_text(docs):
    from classify.model.vectorize import WordTfidf

    if not any(d.split() for d in docs):
        return
    ours = WordTfidf(ngram_range=(1, 2)).fit(docs)
    ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit(docs)
    _same(ours, ref, docs)


def test_index_covers_every_term_of_a_real_sized_vocabulary():
    """Both indexes, queried with each vocabulary term, give back its column."""
    from classify.model.ngrams import CharGramIndex, WordGramIndex
    from classify.model.vectorize import WordTfidf

    docs = ArabicNormalizer().fit().transform([p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.txt")])
    chars = CharTfidf(ngram_range=(1, 4)).fit(docs).vocabulary_
    index = CharGramIndex(chars, 4)
    assert index.dense_n == 3 and len(index.keys) > 0  # both lookups are exercised
    keys = dict(zip(chars, index.encode(list(chars)).tolist()))
    assert len(set(keys.values())) == len(chars)  # no two grams share a key
    for term, col in chars.items():
        assert index.lookup(np.array([keys[term]]), len(term))[0] == col
    assert index.lookup(index.encode(["\u2603ab"]), 3)[0] == -1  # a character it never saw

    words = WordTfidf(ngram_range=(1, 2)).fit(docs).vocabulary_
    windex = WordGramIndex(words)
    for term, col in words.items():
        parts = [windex.ids[p] for p in term.split(" ")]
        if len(parts) == 1:
            assert windex.unigram[parts[0]] == col
        else:
            assert windex.cols[np.searchsorted(windex.keys, parts[0] * windex.width + parts[1])] == col


def test_vocabularies_the_index_cannot_hold_fall_back(lookup):
    from classify.model.vectorize import WordTfidf

    docs = ["a b c d", "b c d e", "c d e f"]
    ours = WordTfidf(ngram_range=(1, 3)).fit(docs)  # trigrams: not indexed
    ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32).fit(docs)
    _same(ours, ref, docs)
    if lookup == "indexed":
        assert ours.__dict__["_word_index"] is None


def test_words_shorter_than_the_smallest_n_count_once_as_in_sklearn():
    docs = ["ا ab في الصحفيين", "b من نقابة الصحفيين ab", "abc d"]
    ours = CharTfidf(ngram_range=(4, 5), min_df=1).fit(docs)
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True, dtype=np.float32).fit(docs)
    _same(ours, ref, docs + ["ab ا لم ترد"])

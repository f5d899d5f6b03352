import gzip
import json
from itertools import islice

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from classify.normalize import ArabicNormalizer
from classify.pipeline import CharTfidf

from .conftest import FIXTURES, SHARED, needs_corpora


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
    assert "_memo" not in pickle.loads(pickle.dumps(ours)).__dict__


@settings(max_examples=100, deadline=None)
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

    from classify.pipeline import PrunedTfidf

    docs = ["الصحفيين في السجن", "مركز التواصل الحكومي", "الصحفيين والتواصل"]
    for vec in (PrunedTfidf(token_pattern=r"\S+", ngram_range=(1, 2)), CharTfidf(ngram_range=(1, 4))):
        vec.fit(docs)
        before = dict(vec.vocabulary_)
        copy = pickle.loads(pickle.dumps(vec))
        assert vec.vocabulary_ == before and copy.vocabulary_ == before
        assert (copy.transform(docs) != vec.transform(docs)).nnz == 0


def test_word_ngrams_equal_sklearn_word_analyzer():
    from classify.pipeline import WordTfidf

    docs = ArabicNormalizer().fit().transform([p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.txt")])
    docs += ["", "ا", "Ab ab AB", "w1 w2 w1 w2 w1"]
    for ngrams in ((1, 1), (1, 2), (2, 3)):
        ours = WordTfidf(ngram_range=ngrams).fit(docs)
        ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32).fit(docs)
        _same(ours, ref, docs + ["كلمات لم ترد", "w2 w1 w2"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ab ج\n", max_size=30), min_size=1, max_size=6))
def test_word_ngrams_equal_on_arbitrary_text(docs):
    from classify.pipeline import WordTfidf

    if not any(d.split() for d in docs):
        return
    ours = WordTfidf(ngram_range=(1, 2)).fit(docs)
    ref = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit(docs)
    _same(ours, ref, docs)

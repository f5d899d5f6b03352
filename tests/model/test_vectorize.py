"""The numpy vectoriser gives scikit-learn's TF-IDF matrices."""

import gzip
import json
from itertools import islice

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from classify.model.ngrams import CharGramIndex, WordGramIndex
from classify.model.normalize import TATWEEL
from classify.model.roots import isri_root
from classify.model.tokens import tokenize_batch
from classify.model.vectorize import Vectorizer, root_form, strictly_sorted
from classify.training.estimators import ArabicNormalizer, CharTfidf, RootTfidf, WordTfidf
from classify.training.export import as_csr

from ..helpers import FIXTURES, SHARED, needs_corpora


@pytest.fixture(autouse=True, params=["one-by-one", "indexed"])
def lookup(request, monkeypatch):
    """Every test runs twice: n-grams looked up one at a time in Python, and
    counted by the compiled kernels against the indexes of
    classify.model.ngrams (forced on for any batch size)."""
    monkeypatch.setattr(Vectorizer, "KERNEL_MIN_DOCS", 0 if request.param == "indexed" else 10**9)
    return request.param


def _ref(analyzer, ngrams, **kw):
    extra = {"token_pattern": r"\S+"} if analyzer == "word" else {}
    return TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, **extra, **kw)


def _ours(fitted: TfidfVectorizer) -> Vectorizer:
    return Vectorizer(fitted.analyzer, fitted.ngram_range, list(fitted.get_feature_names_out()), fitted.idf_)


def _same(ref: TfidfVectorizer, docs, vec: Vectorizer | None = None):
    vec = vec or _ours(ref)
    ours = as_csr(vec.transform(tokenize_batch(docs)))
    theirs = ref.transform(docs)
    assert ours.shape == theirs.shape
    assert abs(ours - theirs).max() < 1e-12 if theirs.nnz else ours.nnz == 0
    assert ((ours != 0) != (theirs != 0)).nnz == 0  # the same features, not just close values


def _fixture_docs():
    return ArabicNormalizer().fit().transform([p.read_text(encoding="utf-8") for p in FIXTURES.rglob("*.txt")])


def test_char_ngrams_equal_sklearn_char_wb():
    docs = _fixture_docs() + ["", "ا", "ab", "a b c", "  spaced   out  "]
    ref = _ref("char_wb", (1, 4)).fit(docs)
    _same(ref, docs)
    _same(ref, ["كلمات جديدة لم ترد في التدريب", "الصحفيين الصحفيين الصحفيين"])


def test_a_batch_is_counted_by_the_kernels_only_from_the_threshold_on(monkeypatch):
    """Small batches need neither numba nor the index; once built, the index
    counts every batch."""
    monkeypatch.setattr(Vectorizer, "KERNEL_MIN_DOCS", 3)
    docs = ["w1 x1", "w2 x2", "w3 x1"]
    ref = _ref("char_wb", (1, 4)).fit(docs)
    vec = _ours(ref)
    _same(ref, docs[:2], vec)
    assert vec._index is None and not vec._index_tried
    _same(ref, docs, vec)
    assert vec._index is not None
    _same(ref, docs[:1], vec)


def test_sparse_counts_list_each_column_of_a_document_once():
    docs = ["الصحفيين الصحفيين من", "من"]
    for analyzer, ngrams in (("char_wb", (1, 4)), ("word", (1, 2))):
        vec = _ours(_ref(analyzer, ngrams).fit(docs))
        offsets, cols, counts = vec.counts(tokenize_batch(docs + ["", "من من"]))
        assert offsets.tolist()[0] == 0 and offsets[-1] == len(cols) == len(counts)
        per_doc = [cols[a:b].tolist() for a, b in zip(offsets[:-1], offsets[1:])]
        assert all(len(set(c)) == len(c) for c in per_doc) and per_doc[2] == []
        assert (counts > 0).all()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=6))
def test_char_ngrams_equal_on_arbitrary_text(docs):
    if not any(d.split() for d in docs):
        return  # sklearn refuses an empty vocabulary
    ref = _ref("char_wb", (1, 4)).fit(docs)
    _same(ref, docs)


@needs_corpora
def test_equal_on_real_articles():
    with gzip.open(SHARED / "corpora" / "saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in islice(fh, 400)]
    docs = ArabicNormalizer().fit().transform(texts)
    for analyzer, ngrams in (("char_wb", (1, 4)), ("word", (1, 2))):
        ref = _ref(analyzer, ngrams, min_df=2, max_features=20_000).fit(docs[:300])
        _same(ref, docs[300:])


def test_word_ngrams_equal_sklearn_word_analyzer():
    docs = _fixture_docs() + ["", "ا", "Ab ab AB", "w1 w2 w1 w2 w1"]
    for ngrams in ((1, 1), (1, 2), (2, 3)):
        ref = _ref("word", ngrams).fit(docs)
        _same(ref, docs + ["كلمات لم ترد", "w2 w1 w2"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="ab ج\n", max_size=30), min_size=1, max_size=6))
def test_word_ngrams_equal_on_arbitrary_text(docs):
    if not any(d.split() for d in docs):
        return
    _same(_ref("word", (1, 2)).fit(docs), docs)


def test_training_estimators_learn_sklearns_vocabulary():
    docs = _fixture_docs()
    for ours, ref in ((CharTfidf(ngram_range=(1, 4)), _ref("char_wb", (1, 4))), (WordTfidf(ngram_range=(1, 2)), _ref("word", (1, 2)))):
        ours.fit(docs)
        ref.fit(docs)
        assert ours.vocabulary_ == ref.vocabulary_ and np.array_equal(ours.idf_, ref.idf_)
        assert not hasattr(ours, "stop_words_")


def test_index_covers_every_term_of_a_real_sized_vocabulary():
    """Both indexes, queried with each vocabulary term, give back its column."""
    docs = _fixture_docs()
    chars = CharTfidf(ngram_range=(1, 4)).fit(docs).vocabulary_
    index = CharGramIndex(chars, 4)
    assert index.dense_n == 3 and len(index.table) > 0  # both lookups are exercised
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
            assert windex.table.lookup(np.array([parts[0] * windex.width + parts[1]]))[0] == col


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.integers(0, 2**40), max_size=300), st.lists(st.integers(0, 2**40), max_size=100))
def test_key_table_finds_exactly_its_keys(keys, others):
    """The hash table answers like a dict, collisions and probing included
    (small tables: many keys share a slot)."""
    from classify.model.ngrams import KeyTable

    keys = sorted(keys)
    table = KeyTable(np.array(keys, dtype=np.int64), np.arange(len(keys)) * 7)
    truth = {k: i * 7 for i, k in enumerate(keys)}
    wanted = keys + others
    assert table.lookup(np.array(wanted, dtype=np.int64)).tolist() == [truth.get(k, -1) for k in wanted]


def test_vocabularies_the_index_cannot_hold_fall_back(lookup):
    docs = ["a b c d", "b c d e", "c d e f"]
    ref = _ref("word", (1, 3)).fit(docs)  # trigrams: not indexed
    vec = _ours(ref)
    _same(ref, docs, vec)
    if lookup == "indexed":
        assert vec._index is None and vec._index_tried


def test_words_shorter_than_the_smallest_n_count_once_as_in_sklearn():
    docs = ["ا ab في الصحفيين", "b من نقابة الصحفيين ab", "abc d"]
    ref = _ref("char_wb", (4, 5)).fit(docs)
    _same(ref, docs + ["ab ا لم ترد"])


def test_strictly_sorted():
    base = "الصحفيين" * 3
    assert strictly_sorted([]) and strictly_sorted([base])
    assert strictly_sorted([base, base + "ا", base + "ب", base + "ب" + "x" * 20])
    assert not strictly_sorted([base + "ب", base + "ا"])
    assert not strictly_sorted([base, base])


def test_a_vocabulary_out_of_sorted_order_gives_the_same_matrix():
    """Terms in another column order: the one-by-one path cannot binary-search
    them and uses the dict, the indexes take any order."""
    docs = _fixture_docs() + ["كلمات جديدة لم ترد في التدريب"]
    for analyzer, ngrams in (("char_wb", (1, 4)), ("word", (1, 2))):
        ref = _ref(analyzer, ngrams).fit(docs)
        terms = list(ref.get_feature_names_out())
        perm = np.random.RandomState(0).permutation(len(terms))
        vec = Vectorizer(analyzer, ngrams, [terms[j] for j in perm], ref.idf_[perm])
        ours = as_csr(vec.transform(tokenize_batch(docs)))
        assert vec._vocabulary is not None or vec._index is not None
        theirs = ref.transform(docs)[:, perm]
        assert abs(ours - theirs).max() < 1e-12
        assert ((ours != 0) != (theirs != 0)).nnz == 0


def test_one_by_one_lookups_build_no_dict(lookup):
    docs = _fixture_docs()
    ref = _ref("char_wb", (1, 4)).fit(docs)
    vec = _ours(ref)
    _same(ref, docs, vec)
    if lookup == "one-by-one":
        assert vec._vocabulary is None and vec._sorted


def test_char_ngrams_of_repeated_and_unseen_words_equal_sklearn():
    docs = _fixture_docs() + ["", "ا", "ab", "  spaced   out  ", "الصحفيين الصحفيين الصحفيين"]
    ref = _ref("char_wb", (1, 4)).fit(docs)
    _same(ref, docs)
    _same(ref, ["كلمات جديدة لم ترد في التدريب", ""] + docs[::-1])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from(["a", "A", "b", "ج", "Σ", "ς", "İ", "ß", "\u0301"]), min_size=1, max_size=5), max_size=6), max_size=5))
def test_token_lists_tokenise_as_their_joined_documents(token_lists):
    from classify.model.tokens import tokenize_token_lists

    words, ids, lengths = tokenize_token_lists(token_lists)
    ref_words, ref_ids, ref_lengths = tokenize_batch([" ".join(t) for t in token_lists])
    assert words == ref_words and ids.tolist() == ref_ids.tolist() and lengths.tolist() == ref_lengths.tolist()


@pytest.mark.parametrize(
    "analyzer, ngrams",
    [("char_wb", (1, 4)), ("char_wb", (3, 5)), ("word", (1, 2)), ("word", (1, 1)), ("word", (2, 2)), ("word", (1, 3))],
)
def test_scores_equal_sklearn_matrix_times_weights(analyzer, ngrams):
    """The scoring path (the kernels' TF-IDF times the weights, without
    rows; trigrams one by one) gives scikit-learn's TF-IDF matrix times the
    weights."""
    docs = _fixture_docs() + ["", "ا", "ab", "الصحفيين الصحفيين الصحفيين"]
    ref = _ref(analyzer, ngrams).fit(docs)
    vec = _ours(ref)
    weights = np.random.RandomState(1).normal(size=(vec.n_features, 3))
    for batch in (docs, ["كلمات جديدة لم ترد في التدريب", ""] + docs[::-1], [docs[0]]):
        ours = vec.scores(tokenize_batch(batch), weights)
        assert np.abs(ours - ref.transform(batch) @ weights).max() < 1e-12


def _stemmed(docs):
    """Each document with every token replaced by its root, stemmed here
    word by word: the reference the root branch is compared against."""
    return [" ".join(root_form(w, isri_root) for w in d.lower().split()) for d in docs]


def test_root_ngrams_equal_sklearn_word_ngrams_of_the_stemmed_text():
    docs = _fixture_docs() + ["", "ا", "Ab ab AB", TATWEEL + "الصحافيين الصحفيين " + TATWEEL + "الصحفيين"]
    unseen = ["الصحافيون يحتجون على قانون جديد", ""] + docs[::-1]
    for ngrams in ((1, 1), (1, 2)):
        ref = _ref("word", ngrams).fit(_stemmed(docs))
        vec = Vectorizer("word", ngrams, list(ref.get_feature_names_out()), ref.idf_, stemmer="isri")
        for batch in (docs, unseen):
            ours = as_csr(vec.transform(tokenize_batch(batch)))
            theirs = ref.transform(_stemmed(batch))
            assert abs(ours - theirs).max() < 1e-12
            assert ((ours != 0) != (theirs != 0)).nnz == 0
            weights = np.random.RandomState(2).normal(size=(vec.n_features, 2))
            assert np.abs(vec.scores(tokenize_batch(batch), weights) - theirs @ weights).max() < 1e-12
        # the training estimator learns the same vocabulary from the unstemmed text
        fitted = RootTfidf(ngram_range=ngrams).fit(docs)
        assert fitted.vocabulary_ == ref.vocabulary_ and np.array_equal(fitted.idf_, ref.idf_)
        assert (abs(fitted.transform(unseen) - ref.transform(_stemmed(unseen))) > 1e-12).nnz == 0


def test_spellings_of_one_root_meet_in_one_root_column():
    ref = _ref("word", (1, 1)).fit(_stemmed(["الصحفيين", "حكومه"]))
    vec = Vectorizer("word", (1, 1), list(ref.get_feature_names_out()), ref.idf_, stemmer="isri")
    rows = vec.transform(tokenize_batch(["الصحافيين", "صحافي", "الحكومات"]))
    assert rows.cols[rows.rows == 0].tolist() == rows.cols[rows.rows == 1].tolist() == [vec.vocabulary["صحف"]]


def test_scale_multiplies_a_branchs_rows_and_scores():
    docs = _fixture_docs()
    ref = _ref("word", (1, 2)).fit(docs)
    plain = _ours(ref)
    scaled = Vectorizer("word", (1, 2), plain.terms, plain.idf, scale=1.5)
    a, b = plain.transform(tokenize_batch(docs)), scaled.transform(tokenize_batch(docs))
    assert np.array_equal(a.cols, b.cols) and np.allclose(b.values, 1.5 * a.values, rtol=1e-12)
    weights = np.random.RandomState(3).normal(size=(plain.n_features, 2))
    assert np.allclose(scaled.scores(tokenize_batch(docs), weights), 1.5 * plain.scores(tokenize_batch(docs), weights))


def test_a_stemmer_or_scale_it_cannot_use_is_refused():
    for kwargs in ({"stemmer": "porter"}, {"scale": 0.0}, {"scale": float("nan")}):
        with pytest.raises(ValueError):
            Vectorizer("word", (1, 2), ["a"], np.ones(1), **kwargs)
    with pytest.raises(ValueError):
        Vectorizer("char_wb", (1, 4), ["a"], np.ones(1), stemmer="isri")


def test_a_root_branch_survives_pickling_as_batch_workers_receive_it():
    """--jobs workers load the model; Dask's are sent a pickled copy."""
    import pickle

    docs = _fixture_docs()
    ref = _ref("word", (1, 2)).fit(_stemmed(docs))
    vec = Vectorizer("word", (1, 2), list(ref.get_feature_names_out()), ref.idf_, stemmer="isri", scale=1.5)
    before = as_csr(vec.transform(tokenize_batch(docs)))
    again = pickle.loads(pickle.dumps(vec))
    assert (again.stemmer, again.scale) == ("isri", 1.5)
    assert abs(as_csr(again.transform(tokenize_batch(docs))) - before).max() == 0

"""A loaded model: raw page text -> label, without scikit-learn.

clean page -> camel-tools normalisation (tables carried in the model) ->
word, character and word-root TF-IDF -> linear scores -> sigmoid calibration ->
decision weights tuned for macro-F1. A model may carry a second calibration
of the same scores for the probabilities it reports (``conf_a``/``conf_b``,
see :class:`~classify.training.classifier.CalibratedSVM`): the label is
decided on the first, the confidence read from the second. :class:`Model` is the exact image of
the scikit-learn pipeline that training fitted (``classify.training.export``
builds it, a test checks the two agree on held-out articles), so what was
measured is what runs. Predicting a few articles imports numpy and our own
code only; a batch also loads the compiled kernels of :mod:`.kernels`
(numba, which imports scipy.linalg to look for BLAS).
"""

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .clean import clean_page
from .tokens import split_texts, tokenize_batch, tokenize_token_lists
from .normalize import Normalizer, emphasise_lead, mark
from .vectorize import Features, Vectorizer


def proba_from_scores(scores: np.ndarray, calib_a: np.ndarray, calib_b: np.ndarray) -> np.ndarray:
    """Calibrated probabilities from linear scores (one column per score).

    Each score column goes through its own sigmoid ``1 / (1 + exp(-(a s + b)))``;
    with one column (two labels) it is the second label's probability, with
    several the sigmoids are scaled to sum to one (one-vs-rest), uniform
    where all are zero. Training fits ``a`` and ``b`` and calls this same
    function, so both sides compute probabilities one way.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(len(scores), -1)
    p = 1.0 / (1.0 + np.exp(-(scores * calib_a + calib_b)))
    if p.shape[1] == 1:
        return np.column_stack([1.0 - p[:, 0], p[:, 0]])
    total = p.sum(axis=1, keepdims=True)
    uniform = np.full_like(p, 1.0 / p.shape[1])
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), uniform)


def _chunks(docs: list, max_size: int):
    """``(start, end)`` of consecutive runs of documents (strings or token
    lists) of at most ``max_size`` items together (at least one document each)."""
    start, size = 0, 0
    for i, d in enumerate(docs):
        if i > start and size + len(d) > max_size:
            yield start, i
            start, size = i, 0
        size += len(d)
    if start < len(docs):
        yield start, len(docs)


def reported_proba(scores, calib: tuple, conf: tuple) -> np.ndarray:
    """The probabilities a user is shown: by the reported calibration ``conf``
    (a, b) when the model has one (format 3), else by the decision's ``calib``."""
    return proba_from_scores(scores, *(calib if conf[0] is None else conf))


def decide(labels, weights, proba) -> np.ndarray:
    """The label of each row: the largest probability times its label's
    decision weight (weights tuned for macro-F1; all ones is plain argmax)."""
    return np.asarray(labels)[np.argmax(np.asarray(proba) * np.asarray(weights), axis=1)]


@dataclass
class Model:
    """What a model directory holds, ready to predict."""

    labels: list[str]
    normalizer: Normalizer
    branches: list[tuple[str, Vectorizer]]
    coef: np.ndarray  # (1 if two labels else one row per label) x features
    intercept: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    weights: np.ndarray
    card: dict = field(default_factory=dict)
    # the lead emphasis: (tokens, plain copies, marked copies), see emphasise_lead
    lead: tuple[int, int, int] = (0, 0, 0)
    # the reported probabilities' own calibration; None: calib_a/calib_b's
    conf_a: np.ndarray | None = None
    conf_b: np.ndarray | None = None
    # Documents are vectorised in chunks of at most this many tokens (a
    # document longer than that alone): the arrays of one chunk, ~10 MB, then
    # no longer grow with a batch that happens to hold long articles, so peak
    # memory stays flat over a long run. A chunk's distinct words are cut
    # into n-grams once, so larger chunks share more: 64,000 tokens (~250
    # news articles) took 20-25% less CPU time than 16,000 (bench.stages).
    CHUNK_TOKENS: ClassVar[int] = 64_000
    # The same bound for batches split by the kernels, in characters of
    # normalised text (~6.5 a token in news)
    CHUNK_CHARS: ClassVar[int] = 400_000
    _coef_t: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def classes_(self) -> np.ndarray:
        """The labels as an array, in column order."""
        return np.asarray(self.labels)

    @property
    def n_features(self) -> int:
        """Columns over all branches."""
        return sum(vec.n_features for _, vec in self.branches)

    def prepare(self, texts) -> list[str]:
        """Cleaned, normalised, tokenised text, tokens joined by spaces."""
        normalize = self.normalizer
        if self.lead[0] and (self.lead[1] or self.lead[2]):
            return [emphasise_lead(normalize(clean_page(t)), *self.lead) for t in texts]
        return [normalize(clean_page(t)) for t in texts]

    def branch_features(self, docs: list[str]) -> list[Features]:
        """Each branch's TF-IDF rows for prepared documents."""
        tokens = tokenize_batch(docs)
        return [vec.transform(tokens) for _, vec in self.branches]

    def features(self, texts) -> Features:
        """The feature rows of raw texts, branches side by side (as
        scikit-learn's FeatureUnion lays them out)."""
        parts = self.branch_features(self.prepare(texts))
        offsets = np.cumsum([0] + [f.n_cols for f in parts[:-1]])
        rows = np.concatenate([f.rows for f in parts])
        order = np.argsort(rows, kind="stable")
        return Features(
            rows[order],
            np.concatenate([f.cols + off for f, off in zip(parts, offsets)])[order],
            np.concatenate([f.values for f in parts])[order],
            len(texts),
            self.n_features,
        )

    def decision_function(self, texts) -> np.ndarray:
        """Linear scores of raw texts, one column per score column of ``coef``."""
        texts = list(texts)
        if self._kernels_loaded() or len(texts) >= Vectorizer.KERNEL_MIN_DOCS:
            return self._scores_split_by_kernels(texts)
        # each text's tokens as the vectorisers would split prepare()'s
        # document, without joining and splitting them again
        tokens = [self.normalizer.tokens(clean_page(t)) for t in texts]
        n, repeat, marked = self.lead
        if n and (repeat or marked):  # emphasise_lead, on token lists
            tokens = [t + t[:n] * repeat + list(map(mark, t[:n])) * marked for t in tokens]
        scores = np.empty((len(tokens), self.coef.shape[0]))
        for a, b in _chunks(tokens, self.CHUNK_TOKENS):
            scores[a:b] = self._scores(tokenize_token_lists(tokens[a:b]))
        return scores

    def _scores_split_by_kernels(self, texts: list[str]) -> np.ndarray:
        """:meth:`decision_function` of a batch: each text normalised and
        lowercased as a whole, then split into tokens by the compiled kernel
        (no Python string per token)."""
        docs = [self.normalizer.lowered(clean_page(t)) for t in texts]
        flags = self.normalizer.separator_flags()
        scores = np.empty((len(docs), self.coef.shape[0]))
        for a, b in _chunks(docs, self.CHUNK_CHARS):
            scores[a:b] = self._scores(split_texts(docs[a:b], flags, *self.lead))
        return scores

    def _scores(self, batch) -> np.ndarray:
        return self.intercept + sum(
            vec.scores(batch, block) for (_, vec), block in zip(self.branches, self._branch_weights())
        )

    def _kernels_loaded(self) -> bool:
        return any(vec._index is not None for _, vec in self.branches)

    def warm_up(self) -> None:
        """Get ready for batches now: build the vocabulary indexes and load the
        compiled kernels (~0.7 s once per process, most of it numba's own
        start-up), which the first batch of at least
        ``Vectorizer.KERNEL_MIN_DOCS`` documents would otherwise pay. Batch
        runs call it at start-up, as they load the model."""
        for _, vec in self.branches:
            vec.warm_up()
        split_texts([""], self.normalizer.separator_flags())

    def _branch_weights(self) -> list[np.ndarray]:
        """Each branch's rows of coef transposed: features x score columns."""
        if self._coef_t is None or self._coef_t.shape[0] != self.coef.shape[1]:
            self._coef_t = np.ascontiguousarray(self.coef.T)
        offsets = np.cumsum([0] + [vec.n_features for _, vec in self.branches])
        return [self._coef_t[a:b] for a, b in zip(offsets[:-1], offsets[1:])]

    def predict_proba(self, texts) -> np.ndarray:
        """One row per text, one column per label (in ``labels`` order): the
        probabilities a user is shown."""
        return self.predict_with_proba(texts)[1]

    def predict_with_proba(self, texts) -> tuple[np.ndarray, np.ndarray]:
        """(labels, probabilities) of raw texts, from one pass over them."""
        texts = list(texts)
        if not texts:
            return np.asarray(self.labels)[np.empty(0, dtype=int)], np.empty((0, len(self.labels)))
        scores = self.decision_function(texts)
        return self.labels_from_scores(scores), self.proba_from_scores(scores)

    def proba_from_scores(self, scores) -> np.ndarray:
        """The reported probabilities of linear scores."""
        return reported_proba(scores, (self.calib_a, self.calib_b), (self.conf_a, self.conf_b))

    def labels_from_scores(self, scores) -> np.ndarray:
        """The labels of linear scores: the decision calibration times the decision weights."""
        return decide(self.labels, self.weights, proba_from_scores(scores, self.calib_a, self.calib_b))

    def predict(self, texts) -> np.ndarray:
        """The label of each raw text."""
        return self.predict_with_proba(texts)[0]

    def label_coef(self, label: str) -> np.ndarray:
        """Weights pushing toward ``label`` (two labels: one row, positive
        toward the second)."""
        k = self.labels.index(label)
        if self.coef.shape[0] == 1:
            return self.coef[0] if k == 1 else -self.coef[0]
        return self.coef[k]

"""Why an article got its label, and what a model learned per label.

The decision is linear in the TF-IDF features, so each feature's push toward
a label is its value times the label's weight. Word n-gram features are
credited to their words, root n-grams to the words whose roots they are,
character n-grams to the words they occur in.
Words are shown as written in the article, not in normalised form.
"""

from collections import Counter, defaultdict

import numpy as np

from .clean import clean_page
from .normalize import TATWEEL, emphasise_lead
from .vectorize import char_wb_grams


def credit(tokens: list[str], branches, rows, coef: np.ndarray) -> dict[str, float]:
    """Each token's share of the score ``coef`` gives a document.

    ``branches`` are (name, :class:`~classify.model.vectorize.Vectorizer`)
    pairs, ``rows`` the document's feature values per branch as
    ``{column: value}``, ``coef`` the label's weights over all branches.
    """
    scores: dict[str, float] = defaultdict(float)
    offset = 0
    for (_name, vec), value in zip(branches, rows):
        vocab = vec.vocabulary
        lo, hi = vec.ngram_range
        if vec.analyzer == "char_wb":
            # the branch's own n-grams of each word, so that credit goes to
            # exactly the features it counted
            grams_of = {tok: char_wb_grams(tok, lo, hi) for tok in set(tokens)}
            counts = Counter()
            for tok in tokens:
                counts.update(grams_of[tok])
            for tok in tokens:
                for g in grams_of[tok]:
                    j = vocab.get(g)
                    if j is not None and j in value:
                        scores[tok] += value[j] * coef[offset + j] / counts[g]
        else:
            forms = vec.token_forms(tokens)  # the tokens, or their roots
            counts, grams_at = Counter(), []
            for n in range(lo, hi + 1):
                for i in range(len(tokens) - n + 1):
                    g = " ".join(forms[i : i + n])
                    grams_at.append((g, tokens[i : i + n]))
                    counts[g] += 1
            for g, toks in grams_at:
                j = vocab.get(g)
                if j is not None and j in value:
                    share = value[j] * coef[offset + j] / counts[g] / len(toks)
                    for tok in toks:
                        scores[tok] += share
        offset += vec.n_features
    return scores


def explain_text(model, text: str, top: int = 8, label: str | None = None) -> list[tuple[str, float]]:
    """The ``top`` words that pushed ``text`` toward ``label`` (default: its
    predicted label), as (surface form, weight), strongest first."""
    cleaned = clean_page(text)
    doc = emphasise_lead(model.normalizer(cleaned), *model.lead)
    parts = model.branch_features([doc])
    if label is None:
        label = str(model.predict([text])[0])
    rows = [dict(zip(f.cols.tolist(), f.values.tolist())) for f in parts]
    tokens = doc.lower().split()
    scores = credit(tokens, model.branches, rows, model.label_coef(label))
    return ranked(unmarked(scores), surface_forms(cleaned, model.normalizer), top)


def unmarked(scores: dict[str, float]) -> dict[str, float]:
    """A marked lead token's credit added to its word's (a reader sees one word)."""
    out: dict[str, float] = defaultdict(float)
    for tok, s in scores.items():
        out[tok.removeprefix(TATWEEL)] += s
    return out


def ranked(scores: dict[str, float], surface: dict[str, str], top: int) -> list[tuple[str, float]]:
    """The ``top`` positive scores, strongest first, each token shown as written."""
    best = sorted(((w, t) for t, w in scores.items() if w > 0), reverse=True)[:top]
    return [(surface.get(t, t), round(float(w), 4)) for w, t in best]


def surface_forms(text: str, normalizer) -> dict[str, str]:
    """normalised token -> the first way it was written in the article."""
    out: dict[str, str] = {}
    for word in normalizer.tokenize(text):
        for tok in normalizer.tokenize(normalizer.normalize(word)):
            out.setdefault(tok.lower(), word)
    return out


def format_explanation(pairs) -> str:
    """Explanation pairs as the ``explanation`` column holds them: ``word:weight; ...``."""
    return "; ".join(f"{w}:{s:.3f}" for w, s in pairs)


def top_features(model, top: int = 20) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """Per label and per feature branch, the features with the largest weights."""
    out = {}
    for label in model.labels:
        coef = model.label_coef(label)
        out[label] = {}
        offset = 0
        for name, vec in model.branches:
            w = coef[offset : offset + vec.n_features]
            best = np.argsort(-w)[:top]
            out[label][name] = [(vec.terms[j], round(float(w[j]), 4)) for j in best]
            offset += vec.n_features
    return out


def format_top_features(features: dict) -> str:
    """What `classify explain-model` prints: per label, each branch's terms
    (spaces of word bigrams shown as _) with their weights."""
    lines = []
    for label, branches in features.items():
        lines.append(label)
        for branch, feats in branches.items():
            shown = ", ".join(f"{term.replace(' ', '_')} {w:.2f}" for term, w in feats)
            lines.append(f"  {branch:<6} {shown}")
    return "\n".join(lines)

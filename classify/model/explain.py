"""Why an article got its label, and what a model learned per label.

The decision is linear in the TF-IDF features, so each feature's push toward
a label is its value times the SVM weight. Word features are credited to
their words; character n-grams to the words they occur in. Words are shown as
written in the article, not in normalised form.
"""

from collections import Counter, defaultdict

import numpy as np

from .normalize import _WORD, fast_normalize, tokenize

_INVERSE_CACHE: dict = {}


def _parts(model):
    return model.named_steps["clean"], model.named_steps["normalize"], model.named_steps["features"], model[-1]


def _coef(classifier, label_index: int):
    svm = classifier.svm_
    coef = svm.coef_
    if coef.shape[0] == 1:  # binary: one row, positive toward classes_[1]
        return coef[0] if label_index == 1 else -coef[0]
    return coef[label_index]


def _branches(features):
    """(name, vectorizer, column offset) for each TF-IDF branch of the union."""
    out, offset = [], 0
    for name, vec in features.transformer_list:
        out.append((name, vec, offset))
        offset += len(vec.vocabulary_)
    return out


def explain_text(model, text: str, top: int = 8, label: str | None = None) -> list[tuple[str, float]]:
    """The ``top`` words that pushed ``text`` toward ``label`` (default: its
    predicted label), as (surface form, weight), strongest first."""
    from .classifier import decide

    import scipy.sparse as sp

    clean, normalize, features, classifier = _parts(model)
    cleaned = clean.transform([text])[0]
    normalised = normalize.transform([cleaned])[0]
    branches = _branches(features)
    rows = [vec.transform([normalised]) for _name, vec, _offset in branches]
    classes = list(model.classes_)
    if label is None:
        label = decide(model, classifier.predict_proba(sp.hstack(rows).tocsr()))[0]
    coef = _coef(classifier, classes.index(label))

    tokens = normalised.split()
    scores: dict[str, float] = defaultdict(float)
    for (_name, vec, offset), row in zip(branches, rows):
        vocab = vec.vocabulary_
        value = dict(zip(row.indices, row.data))
        if vec.analyzer == "char_wb":
            # the vectoriser's own n-grams of each word, so credit goes to
            # exactly the features it counted
            grams_of = {tok: vec._word_grams(tok) for tok in set(tokens)}
            counts = Counter()
            for tok in tokens:
                counts.update(grams_of[tok])
            for tok in tokens:
                for g in grams_of[tok]:
                    j = vocab.get(g)
                    if j is not None and j in value:
                        scores[tok] += value[j] * coef[offset + j] / counts[g]
        else:
            lo, hi = vec.ngram_range
            counts = Counter()
            grams_at = []
            for n in range(lo, hi + 1):
                for i in range(len(tokens) - n + 1):
                    g = " ".join(tokens[i : i + n])
                    grams_at.append((g, tokens[i : i + n]))
                    counts[g] += 1
            for g, toks in grams_at:
                j = vocab.get(g)
                if j is not None and j in value:
                    share = value[j] * coef[offset + j] / counts[g] / len(toks)
                    for tok in toks:
                        scores[tok] += share
    surface = _surface_forms(cleaned, normalize.tables_)
    ranked = sorted(((w, t) for t, w in scores.items() if w > 0), reverse=True)[:top]
    return [(surface.get(t, t), round(float(w), 4)) for w, t in ranked]


def _surface_forms(text: str, tables) -> dict[str, str]:
    """normalised token -> the first way it was written in the article."""
    out: dict[str, str] = {}
    for word in _WORD.findall(text):
        for tok in tokenize(fast_normalize(word, tables)):
            out.setdefault(tok, word)
    return out


def format_explanation(pairs) -> str:
    return "; ".join(f"{w}:{s:.3f}" for w, s in pairs)


def top_features(model, top: int = 20) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """Per label and per feature branch, the features with the largest weights."""
    _clean, _normalize, features, classifier = _parts(model)
    out = {}
    for k, label in enumerate(model.classes_):
        coef = _coef(classifier, k)
        out[str(label)] = {}
        for name, vec, offset in _branches(features):
            key = (id(vec), name)
            if key not in _INVERSE_CACHE:
                inv = np.empty(len(vec.vocabulary_), dtype=object)
                for term, j in vec.vocabulary_.items():
                    inv[j] = term
                _INVERSE_CACHE[key] = inv
            inv = _INVERSE_CACHE[key]
            w = coef[offset : offset + len(inv)]
            best = np.argsort(-w)[:top]
            out[str(label)][name] = [(inv[j], round(float(w[j]), 4)) for j in best]
    return out

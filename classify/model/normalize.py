"""Arabic normalisation and tokenisation with camel-tools' rules, made cheap.

The chain is camel-tools' own: ``CharMapper.builtin_mapper('arclean')``,
``normalize_unicode``, ``dediac_ar``, ``normalize_alef_ar``,
``normalize_alef_maksura_ar``, ``normalize_teh_marbuta_ar`` and tatweel
removal. camel-tools applies its character maps one Python-level character at
a time and takes ~0.5 s to import; :class:`ArabicNormalizer` reads the same
maps out of camel-tools once, in ``fit``, and applies them with C-level
``str.translate`` passes. The tables are fitted state, so a saved model
normalises exactly as it did when it was measured, without importing
camel-tools at prediction time. ``tests/test_normalize.py`` checks the fast
path against :func:`camel_normalize` on real and arbitrary text.
"""

import re
import unicodedata

import regex
from sklearn.base import BaseEstimator, TransformerMixin

from .ngrams import Batch

TATWEEL = "\u0640"

# Word tokens as camel-tools' simple_word_tokenize yields them, minus the
# punctuation/symbol tokens, which carry no topic.
_WORD = regex.compile(r"[^\s\p{P}\p{S}]+")


def camel_normalize(text: str) -> str:
    """Reference chain: camel-tools' functions called one after another."""
    from camel_tools.utils.charmap import CharMapper
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    global _ARCLEAN
    try:
        mapper = _ARCLEAN
    except NameError:
        mapper = _ARCLEAN = CharMapper.builtin_mapper("arclean")
    text = mapper(text)
    text = normalize_unicode(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text.replace(TATWEEL, "")


def camel_tokenize(text: str) -> list[str]:
    """Reference tokeniser: camel-tools' simple_word_tokenize, words only."""
    from camel_tools.tokenizers.word import simple_word_tokenize

    return [t for t in simple_word_tokenize(text) if _WORD.fullmatch(t)]


def build_tables() -> dict:
    """Read camel-tools' character maps into compiled patterns and tables."""
    from camel_tools.utils.charmap import CharMapper
    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    from camel_tools.utils.normalize import _UNICODE_CHAR_FIX

    arclean = CharMapper.builtin_mapper("arclean")
    charmap = arclean._charmap  # char -> replacement; None keeps the char
    if arclean._default not in ("", None):
        raise ValueError("arclean's default changed; the fast path assumes deletion")
    # identity entries (the space) need no work; deletions need no callback
    mapped = {c: v for c, v in charmap.items() if v is not None and v != c and v != ""}
    deleted = "".join(sorted(c for c, v in charmap.items() if v == ""))
    return {
        # arclean deletes every character outside its map (default '').
        "arclean_drop": re.compile("[^" + re.escape("".join(sorted(charmap))) + "]")
        if arclean._default == ""
        else None,
        "arclean_delete_re": re.compile("[" + re.escape(deleted) + "]"),
        "arclean_re": re.compile("[" + re.escape("".join(sorted(mapped))) + "]"),
        "arclean": mapped,
        "unicode_fix": {c: v for c, v in _UNICODE_CHAR_FIX._charmap.items() if v is not None},
        # dediac, alef, alef maksura, teh marbuta and tatweel touch disjoint
        # characters and none produces another's input, so their order is free.
        "delete_re": re.compile("[" + re.escape("".join(sorted(AR_DIAC_CHARSET)) + TATWEEL) + "]"),
        "replace": [(c, "\u0627") for c in "\u0625\u0623\u0671\u0622"]
        + [("\u0649", "\u064a"), ("\u0629", "\u0647")],
    }


def fast_normalize(text: str, tables: dict) -> str:
    # Per-character dict lookups (CharMapper, str.translate) cost more than the
    # rest of the pipeline; regex scans and str.replace run in C and only call
    # back into Python for the rare characters arclean rewrites.
    if tables["arclean_drop"] is not None:
        text = tables["arclean_drop"].sub("", text)
    delete = tables.get("arclean_delete_re")  # absent in tables fitted before it existed
    if delete is not None:
        text = delete.sub("", text)
    mapped = tables["arclean"]
    text = tables["arclean_re"].sub(lambda m: mapped[m.group()], text)
    for char, repl in tables["unicode_fix"].items():
        if char in text:
            text = text.replace(char, repl)
    text = unicodedata.normalize("NFKC", text)
    text = tables["delete_re"].sub("", text)
    for char, repl in tables["replace"]:
        text = text.replace(char, repl)
    return text


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text)


class ArabicNormalizer(TransformerMixin, BaseEstimator):
    """Normalise with camel-tools' rules and re-join the word tokens with
    single spaces, so that vectorisers downstream split on whitespace only.
    The result is a :class:`~classify.model.ngrams.Batch`, so the word and the
    character vectoriser share one tokenisation of it."""

    def fit(self, X=None, y=None):
        self.tables_ = build_tables()
        return self

    def transform(self, X):
        tables = self.tables_
        return Batch(" ".join(_WORD.findall(fast_normalize(x, tables))) for x in X)

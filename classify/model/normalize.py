"""Arabic normalisation and tokenisation with camel-tools' rules, made cheap.

The chain is camel-tools' own: ``CharMapper.builtin_mapper('arclean')``,
``normalize_unicode``, ``dediac_ar``, ``normalize_alef_ar``,
``normalize_alef_maksura_ar``, ``normalize_teh_marbuta_ar`` and tatweel
removal, then camel-tools' ``simple_word_tokenize`` minus punctuation and
symbol tokens. camel-tools applies its character maps one Python-level
character at a time and takes ~0.5 s to import; :func:`build_tables` reads the
same maps out of camel-tools once, at training time, into plain strings and
dicts that a model file carries as JSON, and :class:`Normalizer` applies them
with C-level regex and ``str.replace`` passes. So a saved model normalises
exactly as it did when it was measured, without importing camel-tools.
``tests/model/test_normalize.py`` checks the fast path against
:func:`camel_normalize` on real and arbitrary text.
"""

import re
import unicodedata

import numpy as np

TATWEEL = "\u0640"
# Tables written by this code; a model whose tables say otherwise is refused.
TABLES_VERSION = 1


def camel_normalize(text: str) -> str:
    """Reference chain: camel-tools' functions called one after another."""
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    text = _arclean()(text)
    text = normalize_unicode(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text.replace(TATWEEL, "")


def camel_tokenize(text: str) -> list[str]:
    """Reference tokeniser: camel-tools' simple_word_tokenize, words only."""
    import regex
    from camel_tools.tokenizers.word import simple_word_tokenize

    word = regex.compile(r"[^\s\p{P}\p{S}]+")
    return [t for t in simple_word_tokenize(text) if word.fullmatch(t)]


_ARCLEAN = None


def _arclean():
    global _ARCLEAN
    if _ARCLEAN is None:
        from camel_tools.utils.charmap import CharMapper

        _ARCLEAN = CharMapper.builtin_mapper("arclean")
    return _ARCLEAN


def _char_ranges(pattern: str) -> list[list[int]]:
    """The code points a one-character ``regex`` pattern matches, as [lo, hi] runs."""
    import regex

    everything = "".join(map(chr, range(0x110000)))
    points = [m.start() for m in regex.finditer(pattern, everything)]
    runs: list[list[int]] = []
    for cp in points:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return runs


def build_tables() -> dict:
    """camel-tools' character maps and the tokeniser's separators as plain
    JSON-ready data (training time only: imports camel-tools and regex).

    camel-tools offers no public accessor for a CharMapper's table, so this is
    the one place that reads its ``_charmap``/``_default``;
    ``tests/model/test_normalize.py`` fails loudly if that changes.
    """
    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    from camel_tools.utils.normalize import _UNICODE_CHAR_FIX

    arclean = _arclean()
    charmap = arclean._charmap  # char -> replacement; None keeps the char
    if arclean._default not in ("", None):
        raise ValueError("arclean's default changed; the fast path assumes deletion")
    return {
        "version": TABLES_VERSION,
        # arclean deletes every character outside its map when its default is ''
        "arclean_keep": "".join(sorted(charmap)) if arclean._default == "" else None,
        "arclean_delete": "".join(sorted(c for c, v in charmap.items() if v == "")),
        # identity entries (the space) need no work
        "arclean_map": {c: v for c, v in sorted(charmap.items()) if v is not None and v != c and v != ""},
        "unicode_fix": {c: v for c, v in _UNICODE_CHAR_FIX._charmap.items() if v is not None},
        # dediac, alef, alef maksura, teh marbuta and tatweel touch disjoint
        # characters and none produces another's input, so their order is free
        "delete": "".join(sorted(AR_DIAC_CHARSET)) + TATWEEL,
        "replace": [[c, "\u0627"] for c in "\u0625\u0623\u0671\u0622"] + [["\u0649", "\u064a"], ["\u0629", "\u0647"]],
        # word tokens are runs of anything but white space, punctuation and
        # symbols (camel-tools' simple_word_tokenize, minus the punctuation and
        # symbol tokens, which carry no topic); stored as code-point runs so
        # that tokenising needs only the standard library's `re`
        "separators": _char_ranges(r"[\s\p{P}\p{S}]"),
    }


def _charclass(chars: str) -> str:
    return "[" + re.escape(chars) + "]"


def _ranges_class(runs) -> str:
    parts = []
    for lo, hi in runs:
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return "".join(parts)


def emphasise_lead(doc: str, tokens: int, repeat: int, marked: int = 0) -> str:
    """``doc`` followed by ``repeat`` copies of its first ``tokens`` tokens,
    then ``marked`` copies of them with each token marked (:func:`mark`).

    LABELS.md decides by the headline and first paragraphs; repeating them
    lets their words count more than the same words deep in the body (with
    sublinear tf, each copy adds less). A marked copy gives the lead words
    features of their own, so a word can weigh more in the lead than in the
    body, not only count once more."""
    if tokens <= 0 or (repeat <= 0 and marked <= 0):
        return doc
    # split as the vectorisers split (any white space), so that a token list's
    # tokens[:n] is the same lead (the predictor works on token lists)
    words = doc.split(None, tokens)[:tokens]
    if not words:
        return doc
    head = " ".join(words)
    return " ".join([doc] + [head] * max(repeat, 0) + [" ".join(map(mark, words))] * max(marked, 0))


def mark(token: str) -> str:
    """A lead token marked as one: tatweel in front. Normalisation deletes
    every tatweel and the tokeniser does not split on it, so no token of a
    normalised text carries one and a marked token is a word of its own."""
    return TATWEEL + token


class Normalizer:
    """Normalise and tokenise with tables from :func:`build_tables`."""

    def __init__(self, tables: dict):
        if tables.get("version") != TABLES_VERSION:
            raise ValueError(f"normalisation tables of version {tables.get('version')!r}, expected {TABLES_VERSION}")
        self.tables = tables
        keep, delete = tables["arclean_keep"], tables["arclean_delete"]
        if keep is not None:
            # arclean's two deletions in one pass: what it keeps, minus what it maps to ''
            gone = set(delete)
            self._drop = re.compile("[^" + re.escape("".join(c for c in keep if c not in gone)) + "]")
            self._delete_arclean = None
        else:
            self._drop = None
            self._delete_arclean = re.compile(_charclass(delete)) if delete else None
        self._map = tables["arclean_map"]
        self._map_re = re.compile(_charclass("".join(self._map))) if self._map else None
        self._fix = list(tables["unicode_fix"].items())
        self._delete = re.compile(_charclass(tables["delete"]))
        self._replace = [tuple(pair) for pair in tables["replace"]]
        runs = tables["separators"]
        self._word = re.compile("[^" + _ranges_class(runs) + "]+")
        # `re` tests a class that reaches past U+FFFF range by range (~360
        # here, ~0.3 us a character); one within the Basic Multilingual Plane
        # is a table lookup, 7 times as fast. So texts without astral
        # characters (nearly all) use the separators below U+10000 only, the
        # others the whole class: the same tokens either way.
        # white space that str.split() sees but the tokeniser does not split on
        # (none with camel-tools' tables: \x1c-\x1f, which arclean deletes)
        split_on = [chr(c) for c in range(0x3100) if chr(c).isspace()]  # all lie below U+3100
        self._split_on = split_on
        self._flags = None
        inside = [c for c in split_on if not any(lo <= ord(c) <= hi for lo, hi in runs)]
        self._unsplit_space = inside
        if any(hi > 0xFFFF for _lo, hi in runs):
            bmp = [[lo, min(hi, 0xFFFF)] for lo, hi in runs if lo <= 0xFFFF]
            self._word_bmp = re.compile("[^" + _ranges_class(bmp) + "]+")
        else:
            self._word_bmp = self._word

    def normalize(self, text: str) -> str:
        # Per-character dict lookups (CharMapper, str.translate) cost more than
        # the rest of the pipeline; regex scans and str.replace run in C and only
        # call back into Python for the rare characters arclean rewrites.
        if self._drop is not None:
            text = self._drop.sub("", text)
        if self._delete_arclean is not None:
            text = self._delete_arclean.sub("", text)
        if self._map_re is not None:
            mapped = self._map
            text = self._map_re.sub(lambda m: mapped[m.group()], text)
        for char, repl in self._fix:
            if char in text:
                text = text.replace(char, repl)
        text = unicodedata.normalize("NFKC", text)
        text = self._delete.sub("", text)
        for char, repl in self._replace:
            text = text.replace(char, repl)
        return text

    def tokenize(self, text: str) -> list[str]:
        """Word tokens of already normalised text."""
        # UTF-16 takes 4 bytes for an astral character and 2 for any other
        if self._word_bmp is self._word or len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
            return self._word.findall(text)
        return self._word_bmp.findall(text)

    def tokens(self, text: str) -> list[str]:
        """The word tokens of raw text, split as the vectorisers split
        ``self(text)`` (before lowercasing): usually the tokeniser's own."""
        return self._tokens_of(self.normalize(text))

    def _tokens_of(self, norm: str) -> list[str]:
        tokens = self.tokenize(norm)
        if any(c in norm for c in self._unsplit_space):
            tokens = " ".join(tokens).split()
        return tokens

    def separator_flags(self) -> np.ndarray:
        """One flag per code point: 1 where tokens split (the tokeniser's
        separators and the white space that ``str.split`` splits on), for
        splitting :meth:`lowered` text in one compiled pass. Built on first use."""
        if self._flags is None:
            flags = np.zeros(0x110000, dtype=np.uint8)
            for lo, hi in self.tables["separators"]:
                flags[lo : hi + 1] = 1
            flags[[ord(c) for c in self._split_on]] = 1
            self._flags = flags
        return self._flags

    def lowered(self, text: str) -> str:
        """Normalised, lowercased raw text whose runs of characters outside
        :meth:`separator_flags` are the vectorisers' tokens: the same as
        lowercasing :meth:`tokens` (lowercasing turns no character into a
        separator or out of one; ``tests/model/test_normalize.py`` checks
        every code point). Only Greek capital sigma lowercases by its
        neighbours, which may lie across a separator: text holding it is
        tokenised first."""
        norm = self.normalize(text)
        if "\u03a3" in norm:
            return " ".join(self._tokens_of(norm)).lower()
        return norm.lower()

    def __call__(self, text: str) -> str:
        """Normalised word tokens joined by single spaces, what the
        vectorisers read (they split on white space only)."""
        return " ".join(self.tokenize(self.normalize(text)))

"""Arabic word roots by the ISRI stemmer, for the root branch of a model.

صحفي، صحافي، الصحافيين and الصحافة share the root صحف: the spellings differ
by country (LABELS.md's Maghrebi registers), the root does not, so a branch
of root n-grams lets what one corpus taught carry to another's spelling.

The algorithm is NLTK's ``nltk.stem.isri.ISRIStemmer`` (Taghva, Elkhoury and
Coombs 2005), copied here from NLTK 3.10.4 (Apache License 2.0, Copyright (C)
2001-2026 NLTK Project; author Hosam Algasaier) rather than imported: importing
any part of NLTK runs ``nltk/__init__``, 1.8 s of CPU on the 2-core machine,
several times what predicting one article costs. The rules and their order
are NLTK's; only the data structures changed (sets and tuples for the lists
of one-letter affixes and stop words, which gives the same answers because
the affixes tried in one loop all have the same length).
``tests/model/test_roots.py`` checks every answer against NLTK's own.
"""

import re

# ISRI's affixes and patterns, in NLTK's order
_P3 = ("\u0643\u0627\u0644", "\u0628\u0627\u0644", "\u0648\u0644\u0644", "\u0648\u0627\u0644")
_P2 = ("\u0627\u0644", "\u0644\u0644")
_P1 = frozenset("\u0644\u0628\u0641\u0633\u0648\u064a\u062a\u0646\u0627")
_S3 = ("\u062a\u0645\u0644", "\u0647\u0645\u0644", "\u062a\u0627\u0646", "\u062a\u064a\u0646", "\u0643\u0645\u0644")
_S2 = ("\u0648\u0646", "\u0627\u062a", "\u0627\u0646", "\u064a\u0646", "\u062a\u0646", "\u0643\u0645", "\u0647\u0646",
       "\u0646\u0627", "\u064a\u0627", "\u0647\u0627", "\u062a\u0645", "\u0643\u0646", "\u0646\u064a", "\u0648\u0627",
       "\u0645\u0627", "\u0647\u0645")
_S1 = frozenset("\u0629\u0647\u064a\u0643\u062a\u0627\u0646")
_PR4 = ("\u0645", "\u0627", "\u0627\u0648\u064a", "\u0629")
_PR53 = ("\u0627\u062a", "\u0627\u064a\u0648", "\u0627\u062a\u0645", "\u0645\u064a\u062a", "\u0645\u062a",
         "\u0627\u0648", "\u0627\u0645")

_SHORT_VOWELS = re.compile(r"[\u064B-\u0652]")
_INITIAL_HAMZA = re.compile(r"^[\u0622\u0623\u0625]")

# ISRI's 60 stop words, left unstemmed
_STOP_WORDS = frozenset((
    "\u064a\u0643\u0648\u0646", "\u0648\u0644\u064a\u0633", "\u0648\u0643\u0627\u0646", "\u0643\u0630\u0644\u0643",
    "\u0627\u0644\u062a\u064a", "\u0648\u0628\u064a\u0646", "\u0639\u0644\u064a\u0647\u0627", "\u0645\u0633\u0627\u0621",
    "\u0627\u0644\u0630\u064a", "\u0648\u0643\u0627\u0646\u062a", "\u0648\u0644\u0643\u0646",
    "\u0648\u0627\u0644\u062a\u064a", "\u062a\u0643\u0648\u0646", "\u0627\u0644\u064a\u0648\u0645",
    "\u0627\u0644\u0644\u0630\u064a\u0646", "\u0639\u0644\u064a\u0647", "\u0643\u0627\u0646\u062a",
    "\u0644\u0630\u0644\u0643", "\u0623\u0645\u0627\u0645", "\u0647\u0646\u0627\u0643", "\u0645\u0646\u0647\u0627",
    "\u0645\u0627\u0632\u0627\u0644", "\u0644\u0627\u0632\u0627\u0644", "\u0644\u0627\u064a\u0632\u0627\u0644",
    "\u0645\u0627\u064a\u0632\u0627\u0644", "\u0627\u0635\u0628\u062d", "\u0623\u0635\u0628\u062d",
    "\u0623\u0645\u0633\u0649", "\u0627\u0645\u0633\u0649", "\u0623\u0636\u062d\u0649", "\u0627\u0636\u062d\u0649",
    "\u0645\u0627\u0628\u0631\u062d", "\u0645\u0627\u0641\u062a\u0626", "\u0645\u0627\u0627\u0646\u0641\u0643",
    "\u0644\u0627\u0633\u064a\u0645\u0627", "\u0648\u0644\u0627\u064a\u0632\u0627\u0644",
    "\u0627\u0644\u062d\u0627\u0644\u064a", "\u0627\u0644\u064a\u0647\u0627", "\u0627\u0644\u0630\u064a\u0646",
    "\u0641\u0627\u0646\u0647", "\u0648\u0627\u0644\u0630\u064a", "\u0648\u0647\u0630\u0627", "\u0644\u0647\u0630\u0627",
    "\u0641\u0643\u0627\u0646", "\u0633\u062a\u0643\u0648\u0646", "\u0627\u0644\u064a\u0647", "\u064a\u0645\u0643\u0646",
    "\u0628\u0647\u0630\u0627", "\u0627\u0644\u0630\u0649",
))


def isri_root(token: str) -> str:
    """The ISRI stem of one word (NLTK's ``ISRIStemmer().stem``)."""
    token = _SHORT_VOWELS.sub("", token)
    if token in _STOP_WORDS:
        return token
    token = _suf32(_pre32(token))
    if len(token) >= 4 and token[:2] == "\u0648\u0648":  # connective و before a word beginning with و
        token = token[1:]
    token = _INITIAL_HAMZA.sub("\u0627", token)
    n = len(token)
    if n == 4:
        token = _pro_w4(token)
    elif n == 5:
        token = _end_w5(_pro_w53(token))
    elif n == 6:
        token = _end_w6(_pro_w6(token))
    elif n == 7:
        token = _suf1(token)
        if len(token) == 7:
            token = _pre1(token)
        if len(token) == 6:
            token = _end_w6(_pro_w6(token))
    return token


def _pre32(word):
    if len(word) >= 6 and word.startswith(_P3):
        return word[3:]
    if len(word) >= 5 and word.startswith(_P2):
        return word[2:]
    return word


def _suf32(word):
    if len(word) >= 6 and word.endswith(_S3):
        return word[:-3]
    if len(word) >= 5 and word.endswith(_S2):
        return word[:-2]
    return word


def _suf1(word):
    return word[:-1] if word and word[-1] in _S1 else word


def _pre1(word):
    return word[1:] if word and word[0] in _P1 else word


def _pro_w4(word):
    if word[0] in _PR4[0]:  # مفعل
        return word[1:]
    if word[1] in _PR4[1]:  # فاعل
        return word[:1] + word[2:]
    if word[2] in _PR4[2]:  # فعال - فعول - فعيل
        return word[:2] + word[3]
    if word[3] in _PR4[3]:  # فعلة
        return word[:-1]
    word = _suf1(word)
    return _pre1(word) if len(word) == 4 else word


def _pro_w53(word):
    if word[2] in _PR53[0] and word[0] == "\u0627":  # افتعل - افاعل
        return word[1] + word[3:]
    if word[3] in _PR53[1] and word[0] == "\u0645":  # مفعول - مفعال - مفعيل
        return word[1:3] + word[4]
    if word[0] in _PR53[2] and word[4] == "\u0629":  # مفعلة - تفعلة - افعلة
        return word[1:4]
    if word[0] in _PR53[3] and word[2] == "\u062a":  # مفتعل - يفتعل - تفتعل
        return word[1] + word[3:]
    if word[0] in _PR53[4] and word[2] == "\u0627":  # مفاعل - تفاعل
        return word[1] + word[3:]
    if word[2] in _PR53[5] and word[4] == "\u0629":  # فعولة - فعالة
        return word[:2] + word[3]
    if word[0] in _PR53[6] and word[1] == "\u0646":  # انفعل - منفعل
        return word[2:]
    if word[3] == "\u0627" and word[0] == "\u0627":  # افعال
        return word[1:3] + word[4]
    if word[4] == "\u0646" and word[3] == "\u0627":  # فعلان
        return word[:3]
    if word[3] == "\u064a" and word[0] == "\u062a":  # تفعيل
        return word[1:3] + word[4]
    if word[3] == "\u0648" and word[1] == "\u0627":  # فاعول
        return word[0] + word[2] + word[4]
    if word[2] == "\u0627" and word[1] == "\u0648":  # فواعل
        return word[0] + word[3:]
    if word[3] == "\u0626" and word[2] == "\u0627":  # فعائل
        return word[:2] + word[4]
    if word[4] == "\u0629" and word[1] == "\u0627":  # فاعلة
        return word[0] + word[2:4]
    if word[4] == "\u064a" and word[2] == "\u0627":  # فعالي
        return word[:2] + word[3]
    word = _suf1(word)
    return _pre1(word) if len(word) == 5 else word


def _pro_w54(word):
    if word[0] in _PR53[2]:  # تفعلل - افعلل - مفعلل
        return word[1:]
    if word[4] == "\u0629":  # فعللة
        return word[:4]
    if word[2] == "\u0627":  # فعالل
        return word[:2] + word[3:]
    return word


def _end_w5(word):
    if len(word) == 4:
        return _pro_w4(word)
    if len(word) == 5:
        return _pro_w54(word)
    return word


def _pro_w6(word):
    if word.startswith(("\u0627\u0633\u062a", "\u0645\u0633\u062a")):  # مستفعل - استفعل
        return word[3:]
    if word[0] == "\u0645" and word[3] == "\u0627" and word[5] == "\u0629":  # مفعالة
        return word[1:3] + word[4]
    if word[0] == "\u0627" and word[2] == "\u062a" and word[4] == "\u0627":  # افتعال
        return word[1] + word[3] + word[5]
    if word[0] == "\u0627" and word[3] == "\u0648" and word[2] == word[4]:  # افعوعل
        return word[1] + word[4:]
    if word[0] == "\u062a" and word[2] == "\u0627" and word[4] == "\u064a":  # تفاعيل
        return word[1] + word[3] + word[5]
    word = _suf1(word)
    return _pre1(word) if len(word) == 6 else word


def _pro_w64(word):
    if word[0] == "\u0627" and word[4] == "\u0627":  # افعلال
        return word[1:4] + word[5]
    if word.startswith("\u0645\u062a"):  # متفعلل
        return word[2:]
    return word


def _end_w6(word):
    if len(word) == 5:
        return _end_w5(_pro_w53(word))
    if len(word) == 6:
        return _pro_w64(word)
    return word

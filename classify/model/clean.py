"""Strip scraped-page furniture so that only the main article is classified.

LABELS.md: the label follows the main article; date lines, source lines,
keyword lines and "read also" teasers of other articles do not count.
"""

import re

# Tolerant of hamza/alef variants, tanween, tatweel and taa marbuta written
# as haa, since scrapers and outlets spell these markers every which way.
_A = "[اأإآ]"
_T = "[ةه]"
# what may stand before a marker at the start of its line
_BULLETS = r"[ \t\u200f\u200e*•\-–—#>|]*"
# Markers that start a block of other articles, followed by a teaser headline
# on the same line or the next ("اقرأ أيضا: ..."; ANT Corpus's "قد يهمك| ...").
_TEASER_INLINE = (
    rf"{_A}قر{_A}ـ*\s*{_A}يضـ*[اًٌ]*[اًٌ]*|{_A}قر{_A}\s+كذلك|طالع\s+{_A}يض[اًٌ]*|"
    rf"(?:مواضيع|موضوعات|مقالات|{_A}خبار|ال{_A}خبار|قصص|مواد|روابط|تقارير)\s+"
    rf"(?:ذات\s+صل{_T}|ذات\s+علاق{_T}|مشابه{_T}|مقترح{_T}|(?:ال)?متعلق{_T}|قد\s+تهمك)|"
    rf"صور\s+متعلق{_T}|{_A}قر{_A}\s+{_A}لمزيد|(?:شاهد|تابع)\s+{_A}يض[اًٌ]*|قد\s+يهمك|يهمك\s+{_A}يض[اًٌ]*|"
    rf"(?:قد|ربما)\s+(?:يعجبك|يهمك)|ربما\s+فاتك"
)
# Markers that are ordinary words too ("the most read", "we chose for you"):
# a teaser block only when they stand alone on their line, as a heading.
_TEASER_HEADING = (
    rf"ال{_A}كثر\s+(?:قراء{_T}|مشاهد{_T}|تداولا?)(?:\s+(?:اليوم|الآن|{_A}سبوعيا|هذا\s+ال{_A}سبوع))?|"
    rf"{_A}خترنا\s+لك[مي]?|ذات\s+صل{_T}|(?:{_A}خر|{_A}حدث)\s+ال{_A}خبار|"
    rf"(?:ال)?مزيد\s+من\s+(?:ال{_A}خبار|القصص|المقالات|المواضيع|الموضوعات)"
)
# A marker at the start of a line; group "rest" is what follows it there.
_TEASER_LINE = re.compile(
    rf"^{_BULLETS}(?:(?:{_TEASER_INLINE})|(?:{_TEASER_HEADING})(?=[ \t]*[:：.…]?[ \t]*$))"
    rf"[ \t\u00a0]*[:：.…|/\-–—]*[ \t\u00a0]*(?P<rest>.*)$"
)
_FURNITURE_LINE = re.compile(
    rf"^{_BULLETS}(?:تاريخ\s+النشر|{_A}خر\s+تحديث|تاريخ\s+التحديث|"
    rf"المصدر|كلمات\s+دلالية|الكلمات\s+الدلالية|الوسوم|وسوم|"
    rf"{_A}قر{_A}\s+{_A}يض[اًٌ]*\s*$)\s*[:：\-–]",
)


def clean_page(text: str) -> str:
    """Return the main article of a scraped page.

    A teaser marker alone on its line heads a block of other articles, and
    everything from it on is dropped. A marker with a headline after it on
    the same line ("اقرأ أيضا: ...", "قد يهمك أيضا: ...") is a link set into
    the article: that line and the headline-like lines right under it go,
    and the article goes on. Date, source and keyword lines are dropped. A
    page that consists of nothing but a teaser keeps its text, so that
    something is classified.
    """
    if not text:
        return ""
    kept, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = _TEASER_LINE.match(lines[i])
        if match is None or not any(ln.strip() for ln in kept):
            kept.append(lines[i])
            i += 1
        elif not match.group("rest").strip():
            break  # a heading: other articles follow
        else:
            i += 1
            while i < len(lines) and _headline_like(lines[i]):
                i += 1
    lines = [ln for ln in kept if not _FURNITURE_LINE.match(ln)]
    return "\n".join(lines).strip()


def _headline_like(line: str) -> bool:
    # more of a related-links list: short, not a sentence of the article
    line = line.strip(" \t\u00a0\u200f\u200e")
    return not line or (len(line) < 120 and not line.endswith((".", "。", "!", "؟", "?", "»", '"')))

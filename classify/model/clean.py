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
    rf"(?:مواضيع|مقالات|{_A}خبار|ال{_A}خبار)\s+(?:ذات\s+صل{_T}|مشابه{_T}|مقترح{_T}|(?:ال)?متعلق{_T})|"
    rf"صور\s+متعلق{_T}|{_A}قر{_A}\s+{_A}لمزيد|شاهد\s+{_A}يض[اًٌ]*|قد\s+يهمك|ربما\s+(?:يعجبك|يهمك)"
)
# Markers that are ordinary words too ("the most read", "we chose for you"):
# a teaser block only when they stand alone on their line, as a heading.
_TEASER_HEADING = rf"ال{_A}كثر\s+(?:قراء{_T}|مشاهد{_T}|تداولا?)|{_A}خترنا\s+لك[مي]?|ذات\s+صل{_T}"
_TEASER = re.compile(
    rf"(?:^|\n){_BULLETS}(?:(?:{_TEASER_INLINE})\s*[:：.…]?|(?:{_TEASER_HEADING})\s*[:：.…]?[ \t]*(?=\n|$))",
)
_FURNITURE_LINE = re.compile(
    rf"^{_BULLETS}(?:تاريخ\s+النشر|{_A}خر\s+تحديث|تاريخ\s+التحديث|"
    rf"المصدر|كلمات\s+دلالية|الكلمات\s+الدلالية|الوسوم|وسوم|"
    rf"{_A}قر{_A}\s+{_A}يض[اًٌ]*\s*$)\s*[:：\-–]",
)


def clean_page(text: str) -> str:
    """Return the main article of a scraped page.

    Everything from the first "read also" / "related topics" block on is
    dropped, as are date, source and keyword lines. A page that consists of
    nothing but a teaser keeps its text, so that something is classified.
    """
    if not text:
        return ""
    match = _TEASER.search(text)
    if match is not None and text[: match.start()].strip():
        text = text[: match.start()]
    lines = [ln for ln in text.splitlines() if not _FURNITURE_LINE.match(ln)]
    return "\n".join(lines).strip()

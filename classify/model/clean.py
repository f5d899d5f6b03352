"""Strip scraped-page furniture so that only the main article is classified.

LABELS.md: the label follows the main article; date lines, source lines,
keyword lines and "read also" teasers of other articles do not count.
"""

import re

# Tolerant of hamza/alef variants, tanween and tatweel, since scrapers and
# outlets spell these markers every which way.
_A = "[اأإآ]"
_TEASER = re.compile(
    rf"(?:^|\n)[ \t\u200f\u200e*•\-–—#>|]*"
    rf"(?:{_A}قر{_A}ـ*\s*{_A}يضـ*[اًٌ]*[اًٌ]*|مواضيع\s+ذات\s+صلة|{_A}خبار\s+ذات\s+صلة|مقالات\s+ذات\s+صلة|"
    rf"{_A}قر{_A}\s+{_A}لمزيد|شاهد\s+{_A}يض[اًٌ]*)"
    rf"\s*[:：.…]?",
)
_FURNITURE_LINE = re.compile(
    rf"^[ \t\u200f\u200e*•\-–—#>|]*(?:تاريخ\s+النشر|{_A}خر\s+تحديث|تاريخ\s+التحديث|"
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

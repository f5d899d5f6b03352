"""bench.furniture's pages: what the cleaner and the HTML reader are meant to
remove comes back off exactly, and what they cannot see (headlines with no
marker, a menu) stays, so the benchmark's rows measure what they name."""

import random

from bench.furniture import OTHER, PF, variants
from classify.model.clean import clean_page

ARTICLE = (
    "الوزارة تطلق خطة جديدة للتواصل مع المواطنين\n"
    "أعلنت الوزارة اليوم خطة جديدة للتواصل مع المواطنين عبر منصاتها الرسمية.\n"
    "وقال المتحدث الرسمي باسم الوزارة إن الخطة تبدأ الشهر المقبل.\n"
    "وأضاف أن الوزارة ستنشر تقارير دورية عن الشائعات وتفنيدها."
)
HEADLINES = {
    PF: [f"اعتقال الصحفي رقم {i} بسبب مقال في صحيفة محلية" for i in range(8)],
    OTHER: [f"افتتاح معرض الكتاب في دورته رقم {i}" for i in range(8)],
}


def test_known_markers_links_and_named_html_blocks_come_off_and_the_rest_stays():
    dressed = {name: dress(ARTICLE) for name, dress in variants(HEADLINES, random.Random(0)).items()}
    clean = clean_page(ARTICLE)
    removed = [n for n in dressed if " under " in n and "no marker" not in n or n.startswith(("a link", "HTML"))]
    kept = [n for n in dressed if "no marker" in n or n.startswith("menu")]
    assert len(removed) == 9 and len(kept) == 3
    for name in removed:
        assert clean_page(dressed[name]) == clean, name
    for name in kept:
        assert clean_page(dressed[name]) != clean and clean in clean_page(dressed[name]), name

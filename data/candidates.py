"""Keyword candidates for review, and the rule-labelled `other` sample.

How data/labels/ was built (see data/README.md):
1. `python data/candidates.py review DIR` writes the keyword candidates
   (title + lead) that readers then read and labelled: round 1 ->
   labels/reviewed.csv; round 2, with the broader patterns below, over all
   three corpora and skipping what round 1 read -> labels/reviewed-news-credibility.csv
   and labels/reviewed-broader-patterns.csv.
2. `python data/candidates.py rule-other` samples articles that match none of
   the candidate patterns and labels them `other` by rule -> labels/rule-other-<corpus>.csv
   (round-1 samples for saudinewsnet and antcorpus-multisource, minus the rows
   round 2 then read; round 2's sample for news-credibility).
The patterns are deliberately broad: they decide what gets read, not labels.
"""

import csv
import json
import random
import re
import sys
from pathlib import Path

from classify.training.corpora import corpus_file, iter_corpus

LABELS_DIR = Path(__file__).resolve().parent / "labels"
ROUND1_CORPORA = ("saudinewsnet", "antcorpus-multisource")
ALL_CORPORA = ROUND1_CORPORA + ("news-credibility",)


def records(corpus):
    return iter_corpus(corpus_file(corpus, LABELS_DIR / "reviewed.csv"))

JOURNALIST = r"(صحف[يى]|صحاف[يى]|الصحفي|الصحافي|صحفيين|صحافيين|صحفيون|صحافيون|صحفية|صحافية|مراسل|إعلامي|اعلامي|الإعلاميين|مدون|ناشط)"
RESTRICTION = r"(اعتقال|اعتقل|احتجاز|احتجز|توقيف|أوقف|اختطاف|خطف|مختطف|اغتيال|مقتل|قتل|إصابة|سجن|حبس|محاكمة|حكم|منع|حظر|حجب|رقابة|مصادرة|إغلاق|اغلاق|ترحيل|تهديد|الإفراج|الافراج|إطلاق سراح|اعتداء|تعذيب|اختفاء)"
PRESS_FREEDOM = r"(مراسلون بلا حدود|حماية الصحفيين|حماية الصحافيين|حرية الصحافة|حرية الصحافه|حرية التعبير|حرية الرأي|نقابة الصحفيين|نقابة الصحافيين|اتحاد الصحفيين|الاتحاد الدولي للصحفيين|حجب موقع|حجب مواقع|حرية الإعلام|الحريات الصحفية|الحريات الإعلامية|اليوم العالمي لحرية)"
GOV_COMM = r"(وزارة الإعلام|وزير الإعلام|وزيرة الإعلام|الثقافة والإعلام|التواصل الحكومي|الاتصال الحكومي|الإعلام الحكومي|الإعلام الرسمي|الشائعات|شائعات|إشاعة|إشاعات|الاستعلامات|الخطة الإعلامية|الاستراتيجية الإعلامية|السياسة الإعلامية|المتحدثين الرسميين|الناطقين الرسميين|متحدث رسمي|ناطق رسمي|المركز الإعلامي|المكتب الإعلامي|الأخبار الكاذبة|الأخبار المغلوطة|الأخبار المضللة|مكافحة الشائعات|تضليل إعلامي|الإعلام الخارجي)"
MEDIA_TITLE = r"(المتحدث الرسمي|الناطق الرسمي|المتحدث باسم|الناطق باسم|مؤتمر صحفي|مؤتمرا صحفيا|مؤتمر صحافي|صحيفة|جائزة|قناة|تلفزيون|مسلسل|برنامج|إعلام|الإعلام|فيلم|وثائقي|الإعلامية|الإعلامي|تويتر|فيسبوك|مراسل)"


# Round 2 (issue 14): Maghrebi spellings, regulators, closures and
# suspensions, confiscation, shutdowns, information ministries, state
# information services, media offices, state broadcasters.
JOURNALIST_PERSON = r"(صحف[يى]|صحاف[يى]|الصحفي|الصحافي|صحفيين|صحافيين|صحفيون|صحافيون|صحفية|صحافية|مراسل|إعلامي|اعلامي|الإعلاميين|الاعلاميين|مدون|مصور|المصورين)"
MEDIA_OUTLET = r"(صحيفة|جريدة|قناة|فضائية|الصحف|جرائد|قنوات|الفضائيات|موقع إخباري|المواقع الإخبارية|إذاعة)"
HARM = r"(اعتقال|اعتقل|احتجاز|احتجز|توقيف|أوقف|اختطاف|خطف|مختطف|اغتيال|مقتل|قتل|استشهاد|إصابة|سجن|حبس|محاكمة|منع|حظر|حجب|رقابة|مصادرة|ترحيل|تهديد|الإفراج|الافراج|إطلاق سراح|اعتداء|الاعتداء|تعذيب|اختفاء|استهداف|ملاحقة|استدعاء|التحقيق مع|بلاغ|سحل|ضرب)"
OUTLET_ACTION = r"(إغلاق|اغلاق|غلق|إيقاف|ايقاف|وقف بث|تعليق|سحب ترخيص|مداهمة|اقتحام|حجب|مصادرة|منع|حظر|حصار|محاصرة|بلاغ|التحقيق)"
PRESS_FREEDOM_2 = PRESS_FREEDOM[:-1] + r"|نقيب الصحفيين|نقيب الصحافيين|اتحاد الصحافيين|المجلس الأعلى للصحافة|المجلس الأعلى للإعلام|هيئة الإعلام|الهيئة العليا المستقلة للاتصال|الهايكا|مصادرة عدد|مصادرة العدد|مصادرة نسخ|قطع الإنترنت|قطع الانترنت|قطع خدمة|برامج تجسس|برنامج تجسس|بيغاسوس|الجرائم الإلكترونية|الجرائم المعلوماتية|قانون الإعلام|قانون الصحافة|قانون المطبوعات|حبس الصحفيين|حبس الصحافيين|ميثاق الشرف الإعلامي|إغلاق قناة|غلق قناة|إغلاق القناة|وقف برنامج|إيقاف برنامج|باسم يوسف|مدينة الإنتاج الإعلامي|حصار مدينة الإنتاج)"
GOV_COMM_2 = GOV_COMM[:-1] + r"|وزارة الاعلام|وزير الاعلام|وزارة الاتصال|وزير الاتصال|الإستراتيجية الإعلامية|متحدثا رسميا|ناطقا رسميا|متحدثا باسم|ناطقا باسم|مركز الاتصال الوطني|المركز الوطني للإعلام|اتحاد الإذاعة والتلفزيون|اتحاد الإذاعة والتليفزيون|ماسبيرو|التلفزيون الرسمي|التليفزيون الرسمي|التلفزيون المصري|التليفزيون المصري|وكالة الأنباء الرسمية|الإعلام الدولي|المكاتب الإعلامية|الإعلام الأمني)"


def pool(record) -> str | None:
    """Which round-1 review pool an article falls in, or None."""
    head = record["title"] + " " + record["text"][:300]
    if re.search(PRESS_FREEDOM, record["title"] + " " + record["text"]) or (
        re.search(JOURNALIST, head) and re.search(RESTRICTION, head)
    ):
        return "press-freedom-candidate"
    if re.search(GOV_COMM, head):
        return "government-communication-candidate"
    if re.search(MEDIA_TITLE, record["title"]):
        return "media-headline"
    return None


def pool2(record) -> str | None:
    """Which round-2 review pool an article falls in, or None."""
    title = record["title"]
    head = title + " " + record["text"][:400]
    if (
        re.search(PRESS_FREEDOM_2, head)
        or (re.search(JOURNALIST_PERSON, title) and re.search(HARM, head))
        or (re.search(MEDIA_OUTLET, title) and re.search(OUTLET_ACTION, title))
        or (re.search(JOURNALIST_PERSON, head) and re.search(HARM, title))
    ):
        return "press-freedom-candidate"
    if re.search(GOV_COMM_2, head):
        return "government-communication-candidate"
    return None


def rule_other(out_dir: Path, per_corpus: int = 5000, seed: int = 7) -> None:
    for corpus in ROUND1_CORPORA:
        ids = [r["id"] for r in records(corpus) if pool(r) is None]
        chosen = sorted(random.Random(seed).sample(ids, min(per_corpus, len(ids))), key=lambda s: int(s.split("-")[-1]))
        with open(out_dir / f"rule-other-{corpus}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["corpus", "id", "label", "method", "reason"])
            w.writerows([corpus, rid, "other", "rule", "no candidate keyword"] for rid in chosen)


def review(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "candidates.jsonl", "w", encoding="utf-8") as fh:
        for corpus in ALL_CORPORA:
            for r in records(corpus):
                p = pool(r) if corpus in ROUND1_CORPORA else None
                p = p or pool2(r)
                if p:
                    lead = re.sub(r"\s+", " ", r["text"][:900])
                    item = {"corpus": corpus, "id": r["id"], "source": r["source"], "pool": p, "title": r["title"], "lead": lead}
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["rule-other"]:
        rule_other(Path(__file__).resolve().parent / "labels")
    elif sys.argv[1:2] == ["review"] and len(sys.argv) == 3:
        review(Path(sys.argv[2]))
    else:
        sys.exit("usage: python data/candidates.py rule-other | review OUT_DIR")

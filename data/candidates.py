"""Keyword candidates for review, and the rule-labelled `other` sample.

How data/labels/ was built (see data/README.md):
1. `python data/candidates.py review DIR` writes the keyword candidates
   (title + lead) that people then read and labelled -> labels/reviewed.csv.
2. `python data/candidates.py rule-other` samples articles that match none of
   the candidate patterns and labels them `other` by rule -> labels/rule-other-<corpus>.csv.
The patterns are deliberately broad: they decide what gets read, not labels.
"""

import csv
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from classify.training.corpora import CORPUS_FILES, iter_corpus  # noqa: E402

JOURNALIST = r"(صحف[يى]|صحاف[يى]|الصحفي|الصحافي|صحفيين|صحافيين|صحفيون|صحافيون|صحفية|صحافية|مراسل|إعلامي|اعلامي|الإعلاميين|مدون|ناشط)"
RESTRICTION = r"(اعتقال|اعتقل|احتجاز|احتجز|توقيف|أوقف|اختطاف|خطف|مختطف|اغتيال|مقتل|قتل|إصابة|سجن|حبس|محاكمة|حكم|منع|حظر|حجب|رقابة|مصادرة|إغلاق|اغلاق|ترحيل|تهديد|الإفراج|الافراج|إطلاق سراح|اعتداء|تعذيب|اختفاء)"
PRESS_FREEDOM = r"(مراسلون بلا حدود|حماية الصحفيين|حماية الصحافيين|حرية الصحافة|حرية الصحافه|حرية التعبير|حرية الرأي|نقابة الصحفيين|نقابة الصحافيين|اتحاد الصحفيين|الاتحاد الدولي للصحفيين|حجب موقع|حجب مواقع|حرية الإعلام|الحريات الصحفية|الحريات الإعلامية|اليوم العالمي لحرية)"
GOV_COMM = r"(وزارة الإعلام|وزير الإعلام|وزيرة الإعلام|الثقافة والإعلام|التواصل الحكومي|الاتصال الحكومي|الإعلام الحكومي|الإعلام الرسمي|الشائعات|شائعات|إشاعة|إشاعات|الاستعلامات|الخطة الإعلامية|الاستراتيجية الإعلامية|السياسة الإعلامية|المتحدثين الرسميين|الناطقين الرسميين|متحدث رسمي|ناطق رسمي|المركز الإعلامي|المكتب الإعلامي|الأخبار الكاذبة|الأخبار المغلوطة|الأخبار المضللة|مكافحة الشائعات|تضليل إعلامي|الإعلام الخارجي)"
MEDIA_TITLE = r"(المتحدث الرسمي|الناطق الرسمي|المتحدث باسم|الناطق باسم|مؤتمر صحفي|مؤتمرا صحفيا|مؤتمر صحافي|صحيفة|جائزة|قناة|تلفزيون|مسلسل|برنامج|إعلام|الإعلام|فيلم|وثائقي|الإعلامية|الإعلامي|تويتر|فيسبوك|مراسل)"


def pool(record) -> str | None:
    """Which review pool an article falls in, or None for the rule sample."""
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


def rule_other(out_dir: Path, per_corpus: int = 5000, seed: int = 7) -> None:
    for corpus in CORPUS_FILES:
        ids = [r["id"] for r in iter_corpus(corpus) if pool(r) is None]
        chosen = sorted(random.Random(seed).sample(ids, min(per_corpus, len(ids))), key=lambda s: int(s.split("-")[-1]))
        with open(out_dir / f"rule-other-{corpus}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["corpus", "id", "label", "method", "reason"])
            w.writerows([corpus, rid, "other", "rule", "no candidate keyword"] for rid in chosen)


def review(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "candidates.jsonl", "w", encoding="utf-8") as fh:
        for corpus in CORPUS_FILES:
            for r in iter_corpus(corpus):
                p = pool(r)
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

"""How far page furniture moves the labels (issue #14: the outside evaluation's articles are web pages).

    uv run python -m bench.furniture [--model models/default] [--seed 0]

Our corpora hold article texts; the archives users tag are scraped pages, with
menus, share buttons, footers and blocks of other articles' headlines under
"read also"-like markers. This tags a sample of our labelled articles (400
press-freedom, 200 government-communication and 400 `other` that people read,
300 rule-labelled ordinary articles; texts read from ../shared/corpora at run
time) once as they are and once per kind of furniture, and counts the labels
that change. The furniture is composed here; the headlines in the blocks are
other corpus articles' headlines, of press-freedom articles (what could turn
an ordinary article into a topic) or of ordinary ones (what could dilute a
topical one); a link is one such headline set into the article after its
first paragraph, the article going on after it; an HTML page puts the
block inside its article element, named by its class, and is read as
`classify predict page.html` reads it. A block under a marker that the cleaner knows
(classify/model/clean.py) should change nothing; a block with no marker is
what the cleaner cannot see. The articles are among the shipped model's
training articles, so the accuracy column says how far furniture moves a
label, not how good the model is.
"""

import argparse
import html
import random

import numpy as np
import pandas as pd

from bench.common import DEFAULT_MODEL, labelled
from classify.model.store import load_model
from classify.tagging.read import html_to_text

PF, GC, OTHER = "press-freedom", "government-communication", "other"
SAMPLE = [("reviewed", PF, 400), ("reviewed", GC, 200), ("reviewed", OTHER, 400), ("rule", OTHER, 300)]
MENU = "الرئيسية\nأخبار محلية\nعربي ودولي\nاقتصاد\nرياضة\nثقافة وفنون\nمنوعات\nفيديو\nاتصل بنا"
SHARE = "شارك\nفيسبوك\nتويتر\nواتساب\nتيليجرام\nنسخ الرابط"
FOOTER = "جميع الحقوق محفوظة © 2024\nمن نحن\nسياسة الخصوصية\nأعلن معنا\nتابعونا على مواقع التواصل الاجتماعي"
COMMENTS = "التعليقات\nأضف تعليقك\nالاسم\nالبريد الإلكتروني\nأرسل التعليق"
# markers the cleaner knows (a line of their own, or followed by the first headline), and none
MARKERS = ["اقرأ أيضا:", "موضوعات متعلقة..", "الأكثر قراءة اليوم", ""]
HEADLINES = 5


def sample(data: pd.DataFrame, seed: int) -> pd.DataFrame:
    parts = [data[(data["method"] == m) & (data["label"] == lab)].sample(n, random_state=seed) for m, lab, n in SAMPLE]
    return pd.concat(parts, keys=[f"{lab} ({m})" for m, lab, _ in SAMPLE], names=["group", None])


def variants(headlines: dict, rng: random.Random) -> dict:
    def block(marker, label):
        lines = rng.sample(headlines[label], HEADLINES)
        return "\n".join([marker, *lines] if marker else lines)

    out = {
        "menu above, share buttons and footer below": lambda t: f"{MENU}\n{t}\n{SHARE}\n{FOOTER}",
        "comment form below": lambda t: f"{t}\n{COMMENTS}",
    }
    for label in (PF, OTHER):
        # a link set into the article after its headline and first paragraph, as
        # many outlets print them ("اقرأ أيضا: <headline>"), the article going on
        name = f"a link to {'an' if label == OTHER else 'a'} {label} headline after the first paragraph"
        out[name] = (lambda lab: lambda t: _after_lead(t, f"اقرأ أيضا: {rng.choice(headlines[lab])}"))(label)
    # an HTML page whose related list sits inside the article element, named by its class
    name = f"HTML page, {HEADLINES} press-freedom headlines in <div class=\"related-posts\"> inside <article>"
    out[name] = lambda t: html_to_text(_page(t, rng.sample(headlines[PF], HEADLINES)))
    for marker in MARKERS:
        for label in (PF, OTHER):
            name = f"{HEADLINES} {label} headlines under {marker or 'no marker'}"
            out[name] = (lambda m, lab: lambda t: f"{t}\n{block(m, lab)}")(marker, label)
    return out


def _page(text: str, related: list[str]) -> str:
    head, _, body = text.partition("\n")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
    items = "".join(f"<li><a href=\"#\">{html.escape(h)}</a></li>" for h in related)
    return (f"<html><body><article><h1>{html.escape(head)}</h1>{paragraphs}"
            f"<div class=\"related-posts\"><ul>{items}</ul></div></article></body></html>")


def _after_lead(text: str, line: str) -> str:
    lines = text.split("\n")
    return "\n".join([*lines[:2], line, *lines[2:]])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    data = labelled()
    data = data[data["method"] != "written"]
    headlines = {lab: [t.split("\n", 1)[0][:150] for t in data.loc[data["label"] == lab, "text"]] for lab in (PF, OTHER)}
    articles = sample(data, args.seed)
    groups = articles.index.get_level_values("group").to_numpy()
    texts, gold = articles["text"].tolist(), articles["label"].to_numpy().astype(str)
    model = load_model(args.model)
    base = model.predict(texts)
    names = list(dict.fromkeys(groups))
    print(f"| furniture | labels changed | {' | '.join(names)} | accuracy |")
    print("|---|---|" + "---|" * len(names) + "---|")
    print(f"| none | 0 | {' | '.join('0' for _ in names)} | {np.mean(base == gold):.3f} |")
    for name, dress in variants(headlines, random.Random(args.seed)).items():
        pred = model.predict([dress(t) for t in texts])
        changed = pred != base
        per = " | ".join(str(int(changed[groups == g].sum())) for g in names)
        print(f"| {name} | {int(changed.sum())} of {len(texts)} | {per} | {np.mean(pred == gold):.3f} |")


if __name__ == "__main__":
    main()

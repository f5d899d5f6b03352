"""Retraining on a base model (classify train --base): the user's labels win, the report, the stored rows."""

import json
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from classify.cli import app
from classify.errors import ModelError
from classify.model.card import read_card
from classify.model.store import load_features, load_model

from ..helpers import FIXTURES

runner = CliRunner()

SPORT = [
    "المنتخب يفوز على ضيفه بثلاثة أهداف في الدوري",
    "الهلال يتأهل إلى نهائي كأس آسيا بعد ركلات الترجيح",
    "مدرب الفريق يعلن قائمة اللاعبين لمباراة الديربي",
    "العداء الوطني يحرز ذهبية سباق مئة متر في البطولة العربية",
    "نادي الزمالك يتعاقد مع مهاجم جديد لمدة ثلاثة مواسم",
    "منتخب كرة اليد يخسر أمام نظيره في نصف النهائي",
    "بطولة التنس الدولية تنطلق الأسبوع المقبل بمشاركة عشرين لاعبا",
    "الاتحاد يعاقب اللاعب بالإيقاف أربع مباريات بعد الطرد",
]


def new_data(tmp_path):
    rows = [{"text": t, "label": "sport"} for t in SPORT]
    for path in sorted((FIXTURES / "press-freedom").glob("*.txt")):
        rows.append({"text": path.read_text(encoding="utf-8") + " إضافة", "label": "press-freedom"})
    path = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_base_retraining_learns_a_new_label_and_records_lineage(tiny_model_dir, tmp_path):
    out = tmp_path / "mine-model"
    res = runner.invoke(app, ["train", str(new_data(tmp_path)), "--base", str(tiny_model_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    model = load_model(out)
    card = model.card
    assert "sport" in model.classes_ and "government-communication" in model.classes_
    base_card = read_card(tiny_model_dir)
    step = card["lineage"][-1]
    assert step["base_sha256"] == base_card["files"]["model.npz"]
    assert step["added"]["per_label"]["sport"] >= 5
    data = card["data"]
    assert data["base_articles_represented"] + data["overruled_base_articles"] == base_card["data"]["train"]["articles"]
    X, y, w = load_features(out, card)
    assert X.shape[0] == len(y) == len(w) == data["base_rows"] + data["train"]["articles"]
    # before and after on one test set, rounded
    assert step["test"].startswith("your 14 articles")
    for key in ("macro_f1_before", "macro_f1_after"):
        assert step[key] == round(step[key], 3)
    assert step["macro_f1_before"] < step["macro_f1_after"]  # the base cannot say `sport`
    res = runner.invoke(app, ["info", "--model", str(out)])
    assert "lineage" in res.stdout and str(tiny_model_dir) in res.stdout
    assert f"macro-F1 {step['macro_f1_before']:.3f} -> {step['macro_f1_after']:.3f} on your 14 articles" in res.stdout
    # the new model answers with the new label on a new sports article
    res = runner.invoke(
        app, ["predict", "-", "--model", str(out), "-f", "jsonl"], input="الفريق يفوز بالمباراة النهائية ويتوج بالكأس"
    )
    assert json.loads(res.stdout)["label"] == "sport"


def test_replace_labels_trains_on_new_data_only(tiny_model_dir, tmp_path):
    out = tmp_path / "only-mine"
    res = runner.invoke(
        app, ["train", str(new_data(tmp_path)), "--base", str(tiny_model_dir), "--replace-labels", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    model = load_model(out)
    card = model.card
    assert sorted(model.classes_) == ["press-freedom", "sport"]
    assert card["lineage"][0]["replaced_labels_of"] == str(tiny_model_dir)


def test_altered_base_features_are_refused(model_copy, tmp_path):
    (model_copy / "features.npz").write_bytes(b"PK\x03\x04 not the file the card describes")
    res = runner.invoke(app, ["train", str(new_data(tmp_path)), "--base", str(model_copy), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and re.search(r"features.npz: sha256 \S+ does not match", res.stderr)


def test_base_without_features_says_what_to_do(model_copy, tmp_path):
    (model_copy / "features.npz").unlink()
    with pytest.raises(ModelError, match="--replace-labels"):
        load_features(model_copy, read_card(model_copy))


SPORT_POOL = [
    *SPORT,
    "الفريق الأول لكرة القدم يواصل تدريباته استعدادا لمباراة الأسبوع المقبل في الدوري",
    "اللاعب الدولي يغيب عن المباراة بسبب الإصابة ويخضع لبرنامج علاجي",
    "المنتخب الوطني يتعادل مع ضيفه في التصفيات المؤهلة لكأس العالم",
    "النادي يعلن تعيين مدرب جديد للفريق بعد سلسلة من الهزائم في الدوري",
    "حارس المرمى يتألق ويقود فريقه إلى الفوز في نصف نهائي الكأس",
    "الجماهير تملأ الملعب في المباراة النهائية لبطولة الدوري",
    "الفريق يفوز بالمباراة النهائية ويتوج بالكأس",
    "المهاجم يسجل هدفين ويقود المنتخب إلى الفوز في المباراة",
    "المدرب يشيد بأداء اللاعبين بعد الفوز في مباراة الدوري",
    "السباح الأولمبي يحطم الرقم القياسي في سباق مئتي متر حرة",
    "نادي الاتحاد يفوز على النصر ويتصدر جدول الدوري",
    "اللاعب ينتقل إلى فريق أوروبي في صفقة قياسية",
    "المنتخب الأولمبي يبدأ معسكره الإعدادي استعدادا للدورة الآسيوية",
    "الفارس السعودي يحقق المركز الأول في بطولة القفز على الحواجز",
    "الأهلي يعلن إصابة قائده بقطع في الرباط الصليبي",
]
# Sports reports share their vocabulary beyond the headline: one of three
# composed closing sentences for each.
CLOSINGS = [
    "وقال المدرب بعد المباراة إن اللاعبين قدموا أداء جيدا أمام الجماهير، وإن الفريق يستعد للجولة المقبلة من الدوري.",
    "ويحتل الفريق المركز الثالث في ترتيب الدوري هذا الموسم، ويلعب مباراته المقبلة على ملعبه أمام جماهيره.",
    "وسجل اللاعبون هدفين في الشوط الثاني، وأشاد المدرب بروح الفريق قبل مباراة الأسبوع المقبل في البطولة.",
]
SPORT_POOL = [f"{head}\n{CLOSINGS[i // 3 % 3]}" for i, head in enumerate(SPORT_POOL)]
BASE_SPORT = SPORT_POOL[0::3]  # in the base model's data, labelled `other`
HELD_SPORT = [SPORT_POOL[i] for i in (1, 8, 13, 17)]  # never trained on
USER_SPORT = [t for t in SPORT_POOL if t not in BASE_SPORT and t not in HELD_SPORT]
# The rest of the base model's `other`: sport is a small part of it.
BASE_OTHER = [
    "ارتفاع أسعار النفط في الأسواق العالمية\nارتفعت أسعار خام برنت في تعاملات اليوم مع تراجع المخزونات.",
    "افتتاح مهرجان المسرح العربي في دورته الجديدة\nتشارك في المهرجان عروض من عشر دول عربية على مدى أسبوع.",
    "وزارة الصحة تطلق حملة للتطعيم ضد الإنفلونزا\nتستهدف الحملة كبار السن والأطفال في المراكز الصحية.",
    "انخفاض درجات الحرارة مع نهاية الأسبوع\nتتوقع هيئة الأرصاد أجواء باردة ورياحا نشطة على المناطق الشمالية.",
    "البورصة تغلق على ارتفاع بدعم من أسهم البنوك\nارتفع المؤشر العام بنسبة واحد في المئة وسط تداولات نشطة.",
    "إطلاق هاتف ذكي جديد بكاميرا متطورة\nأعلنت الشركة عن هاتفها الجديد الذي يصل إلى الأسواق الشهر المقبل.",
    "افتتاح طريق سريع يربط العاصمة بالمدن الساحلية\nيختصر الطريق الجديد زمن الرحلة إلى النصف.",
    "جامعة وطنية تعلن عن برامج دراسات عليا جديدة\nتشمل البرامج تخصصات في الهندسة والطب وعلوم الحاسب.",
    "معرض للفنون التشكيلية يستقطب الزوار\nيضم المعرض أكثر من مئة لوحة لفنانين شباب من مختلف المدن.",
    "ارتفاع معدلات التضخم خلال الربع الأخير\nأظهرت البيانات الرسمية ارتفاع أسعار الغذاء والسكن.",
    "قمة إقليمية تبحث التعاون الاقتصادي\nيناقش القادة مشاريع الطاقة والنقل وتسهيل التجارة بين دول المنطقة.",
    "تحذيرات من موجة غبار على المناطق الشرقية\nدعت الجهات المختصة السكان إلى تجنب الخروج.",
]
USER_OTHER = [
    "ارتفاع أسعار الذهب في الأسواق المحلية مع تراجع الدولار",
    "البنك المركزي يبقي أسعار الفائدة دون تغيير",
    "افتتاح معرض الكتاب الدولي بمشاركة مئات دور النشر",
    "هيئة الأرصاد تتوقع طقسا حارا ورياحا نشطة",
    "وزارة التعليم تعلن موعد بدء العام الدراسي الجديد",
]


@pytest.fixture(scope="module")
def sport_as_other_base(tmp_path_factory):
    from classify.model.store import save_model
    from classify.training.data import load_labelled
    from classify.training.train import train

    data = load_labelled([FIXTURES])
    composed = pd.DataFrame({"text": BASE_SPORT + BASE_OTHER, "label": "other", "source": "composed", "file": "composed"})
    data = pd.concat([data, composed], ignore_index=True)
    model, card, features = train(data, test_size=0.2, params={"min_df": 1})
    out = tmp_path_factory.mktemp("models") / "sport-as-other"
    save_model(model, card, out, features=features)
    return out, data


def _user_csv(tmp_path):
    rows = [{"text": t, "label": "sport"} for t in USER_SPORT] + [{"text": t, "label": "other"} for t in USER_OTHER]
    path = tmp_path / "sport.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_label_carved_out_of_other_is_learned_where_base_rows_disagree(sport_as_other_base, tmp_path):
    from classify.training.export import as_csr
    from classify.training.retrain import refit

    base_dir, _ = sport_as_other_base
    base = load_model(base_dir)
    base_card = base.card
    assert list(base.predict(HELD_SPORT)) == ["other"] * len(HELD_SPORT)
    out = tmp_path / "mine"
    res = runner.invoke(app, ["train", str(_user_csv(tmp_path)), "--base", str(base_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    model = load_model(out)
    card = model.card
    assert sum(model.predict(HELD_SPORT) == "sport") >= len(HELD_SPORT) - 1
    assert card["data"]["overruled_base_rows"] >= 3
    # the base's own labels still hold on its articles (but for the one
    # `other` fixture about a match, which is sport now)
    for label in ("government-communication", "press-freedom", "other"):
        texts = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / label).glob("*.txt"))]
        texts = [t for t in texts if "المنتخب الوطني لكرة القدم" not in t]
        assert sum(model.predict(texts) == label) >= len(texts) - 1
    # the printed report: the base model and the new one on the user's articles
    report = card["retrain_report"]["your_articles"]
    assert report["before"]["per_label"]["sport"]["recall"] == 0.0
    assert report["after"]["per_label"]["sport"]["recall"] > 0
    assert "before   after" in res.stdout and "Your labels won" in res.stdout

    # The same fit without overruling: the base rows outvote the user's.
    X_base, y_base, w_base = load_features(base_dir, base_card)
    X_new = as_csr(base.features(USER_SPORT + USER_OTHER))
    y_new = np.array(["sport"] * len(USER_SPORT) + ["other"] * len(USER_OTHER))
    fit = {"C": 0.1, "folds": 5, "keep_weights": dict(zip(base.labels, base.weights))}
    args = (X_base, y_base, w_base, X_new, y_new, np.ones(len(y_new)), base.predict(USER_SPORT + USER_OTHER))
    held = as_csr(base.features(HELD_SPORT))
    with_overruling = refit(*args, **fit)[0]
    without = refit(*args, share=np.inf, **fit)[0]
    k = list(with_overruling.classes_).index("sport")
    # outvoted: without overruling the held-out sport articles sit near the
    # decision line; with it the model is sure of them
    p_with, p_without = with_overruling.predict_proba(held)[:, k], without.predict_proba(held)[:, k]
    assert p_with.mean() > p_without.mean() + 0.2
    assert sum(with_overruling.predict(held) == "sport") >= len(HELD_SPORT) - 1


def test_labels_none_of_the_users_articles_dispute_keep_the_base_scorers(sport_as_other_base, tmp_path):
    from classify.training.export import as_csr
    from classify.training.retrain import base_scorers, refit

    base_dir, _ = sport_as_other_base
    base = load_model(base_dir)
    X_base, y_base, w_base = load_features(base_dir, base.card)
    texts = USER_SPORT + USER_OTHER
    X_new = as_csr(base.features(texts))
    y_new = np.array(["sport"] * len(USER_SPORT) + ["other"] * len(USER_OTHER))
    said = base.predict(texts)
    fit = {"C": 0.1, "folds": 5, "keep_weights": dict(zip(base.labels, base.weights)), "scorers": base_scorers(base)}
    clf = refit(X_base, y_base, w_base, X_new, y_new, np.ones(len(y_new)), said, **fit)[0]
    topics = ["government-communication", "press-freedom"]
    assert set(said) == {"other"} and sorted(clf.kept_labels_) == topics
    for label in clf.classes_:
        i = list(clf.classes_).index(label)
        if label in topics:  # the very scorer that was measured
            j = list(base.labels).index(label)
            assert np.array_equal(clf.coef_[i], base.coef[j]) and clf.calib_b_[i] == base.calib_b[j]
        elif label == "other":  # sport was carved out of it: refitted
            assert not np.allclose(clf.coef_[i], base.coef[list(base.labels).index("other")])
    # a user who calls two articles press-freedom that the base calls other
    # disputes press-freedom: it is refitted too
    texts = USER_SPORT[:2] + USER_OTHER
    relabel = np.array(["press-freedom"] * 2 + ["other"] * len(USER_OTHER))
    X_re = as_csr(base.features(texts))
    clf = refit(X_base, y_base, w_base, X_re, relabel, np.ones(len(relabel)), base.predict(texts), **fit)[0]
    assert sorted(clf.kept_labels_) == ["government-communication"]
    assert clf.conf_a_ is None  # the base reports its decision's probabilities: so does the refit
    # a base whose confidence has its own calibration: the kept labels keep
    # it, the refitted ones report their only calibration's
    base.conf_a, base.conf_b = base.calib_a * 0.5, base.calib_b - 0.3
    clf = refit(X_base, y_base, w_base, X_re, relabel, np.ones(len(relabel)), base.predict(texts),
                **{**fit, "scorers": base_scorers(base)})[0]
    for i, label in enumerate(clf.classes_):
        if label in base.labels and label in clf.kept_labels_:
            j = list(base.labels).index(label)
            assert (clf.conf_a_[i], clf.conf_b_[i]) == (base.conf_a[j], base.conf_b[j])
        else:
            assert (clf.conf_a_[i], clf.conf_b_[i]) == (clf.calib_a_[i], clf.calib_b_[i])


def test_a_label_is_disputed_by_any_article_the_base_labels_otherwise():
    from classify.training.retrain import disputed_labels

    assert disputed_labels(["other", "press-freedom"], ["other", "press-freedom"]) == set()
    # one correction is enough: the user retrains for it
    assert disputed_labels(["other", "other"], ["other", "press-freedom"]) == {"other", "press-freedom"}
    # an example of a new label disputes the label the base gave it
    assert disputed_labels(["sport", "other"], ["other", "other"]) == {"sport", "other"}
    # base rows overruled: their label is disputed
    assert disputed_labels(["other"], ["other"], overruled_labels={"government-communication"}) == {
        "government-communication"}


def test_overruled_rows_are_the_base_rows_like_the_contested_examples(sport_as_other_base):
    from classify.training.export import as_csr
    from classify.training.retrain import overruled_rows

    base_dir, data = sport_as_other_base
    base = load_model(base_dir)
    X_base, y_base = as_csr(base.features(data["text"].tolist())), data["label"].to_numpy()
    # the composed sport rows, and a fixture `other` article about a match
    sportlike = (data["text"].isin(BASE_SPORT) | data["text"].str.contains("المنتخب الوطني لكرة القدم")).to_numpy()
    assert sportlike.sum() == len(BASE_SPORT) + 1
    X_new = as_csr(base.features(USER_SPORT + USER_OTHER))
    y_new = np.array(["sport"] * len(USER_SPORT) + ["other"] * len(USER_OTHER))
    mask, found = overruled_rows(X_base, y_base, X_new, y_new, base.predict(USER_SPORT + USER_OTHER))
    assert mask.sum() >= 4 and not (mask & ~sportlike).any()
    assert found["sport"]["against"] == ["other"] and found["sport"]["rows"] == mask.sum()
    # examples the base model labels as the user does overrule nothing
    mask, found = overruled_rows(X_base, y_base, X_new, y_new, y_new)
    assert not mask.any() and found == {}


def test_contested_examples_that_form_no_kind_of_article_overrule_nothing():
    from classify.training.retrain import MIN_CONTESTED, overruled_rows

    rng = np.random.RandomState(0)

    def rows(n, cols=slice(0, 300)):
        X = sp.lil_matrix((n, 300))
        X[:, cols] = sp.random(n, 300, density=0.05, random_state=rng, data_rvs=rng.rand).toarray()[:, cols]
        return X.tocsr()

    y_base = np.array(["other"] * 40 + ["news"] * 20)
    y_new = np.array(["sport"] * 12 + ["other"] * 12)
    said = np.array(["other"] * 24)  # the base says `other` to all of them
    # scattered: the user's sport examples are like everything else
    mask, found = overruled_rows(rows(60), y_base, rows(24), y_new, said)
    assert not mask.any() and found["sport"]["separation_auc"] < 0.8
    # a kind of article (words of its own), but too few examples to set a bar by
    X_new = sp.vstack([rows(MIN_CONTESTED - 1, slice(250, 300)), rows(12)]).tocsr()
    y_new = np.array(["sport"] * (MIN_CONTESTED - 1) + ["other"] * 12)
    mask, found = overruled_rows(rows(60), y_base, X_new, y_new, np.array(["other"] * len(y_new)))
    assert not mask.any() and found["sport"]["contested_examples"] == MIN_CONTESTED - 1


def test_kept_decision_weights_stay_and_only_new_labels_are_tuned():
    from classify.training.classifier import WEIGHT_GRID, CalibratedSVM

    rng = np.random.RandomState(0)
    centres = {"a": 0, "b": 1, "c": 2}
    y = np.repeat(list(centres), 20)
    X = rng.rand(len(y), 6) * 0.5
    X[np.arange(len(y)), [centres[v] for v in y]] += 1.0
    clf = CalibratedSVM(C=1.0, folds=3, keep_weights={"a": 0.75, "b": 3.0}).fit(X, y)
    weights = dict(zip(clf.classes_, clf.weights_))
    assert weights["a"] == 0.75 and weights["b"] == 3.0 and weights["c"] in WEIGHT_GRID
    untuned = CalibratedSVM(C=1.0, folds=3, tune_decision=False, keep_weights={"a": 0.75}).fit(X, y)
    assert list(untuned.weights_) == [0.75, 1.0, 1.0]


def test_report_warns_when_a_label_is_found_poorly():
    from classify.training.retrain import format_report, retrain_report

    y_new = np.array(["sport"] * 10 + ["other"] * 10)
    classes = np.array(["other", "sport"])
    found_sport = np.r_[np.ones(4), np.zeros(6)]  # 4 of the 10 sport articles
    p_sport = np.r_[found_sport * 0.9 + 0.05, np.full(10, 0.05)]
    cv = {
        "new_proba": np.column_stack([1 - p_sport, p_sport]),
        "new_pred": np.where(p_sport > 0.5, "sport", "other"),
        "classes": classes,
        "base_after": None,
        "base_before": None,
    }
    base_proba = np.column_stack([np.ones(20), np.zeros(20)])
    kw = {"k": 5, "y_base": np.array(["other"] * 3), "w_base": np.ones(3), "overruled": np.zeros(3, bool), "found": {}}
    report = retrain_report(y_new, base_proba, np.array(["other"]), np.array(["other"] * 20), cv, **kw)
    assert report["your_articles"]["after"]["per_label"]["sport"]["recall"] == 0.4
    assert report["your_articles"]["before"]["per_label"]["sport"]["recall"] == 0.0
    (warning,) = report["warnings"]
    assert warning.startswith("sport: the new model finds 40% of your 10 sport articles") and "--new-weight" in warning
    assert "warning: sport" in format_report(report)
    cv["new_pred"] = np.array(["sport"] * 10 + ["other"] * 10)  # all found: no warning
    assert retrain_report(y_new, base_proba, np.array(["other"]), np.array(["other"] * 20), cv, **kw)["warnings"] == []


def test_a_refit_calibrates_by_the_corpora_the_base_was_calibrated_by(tmp_path, monkeypatch):
    """A base trained with --calibrate-by stores each row's group; retraining
    calibrates on those groups plus pseudo-groups of the user's articles
    (not on random folds), and a second retraining names its user's apart."""
    from classify.model.store import save_model
    from classify.training.classifier import CalibratedSVM
    from classify.training.data import load_labelled
    from classify.training.retrain import retrain
    from classify.training.train import train

    data = load_labelled([FIXTURES])
    data["corpus"] = [("north", "south", "east")[i % 3] for i in range(len(data))]
    model, card, features = train(data, test_size=0.2, params={"min_df": 1}, calibrate_by="corpus")
    base = tmp_path / "base"
    save_model(model, card, base, features=features)
    *_, groups = load_features(base, read_card(base), with_groups=True)
    assert len(set(groups)) >= 2 and set(groups) <= {"north", "south", "east"}

    seen = []
    fit = CalibratedSVM.fit

    def spy(self, X, y, sample_weight=None, groups=None, ordinary=None):
        seen.append(None if groups is None else {str(g) for g in groups})
        return fit(self, X, y, sample_weight=sample_weight, groups=groups, ordinary=ordinary)

    monkeypatch.setattr(CalibratedSVM, "fit", spy)
    mine = load_labelled([new_data(tmp_path)])
    _, card1, rows1 = retrain(base, mine)
    assert seen and all(g is not None and g & {"north", "south", "east"} for g in seen)
    assert any(any(x.startswith("yours-") for x in g) for g in seen)
    once = tmp_path / "once"
    save_model(_, card1, once, features=rows1)
    *_, stored = load_features(once, read_card(once), with_groups=True)
    assert {g for g in stored if g.startswith("yours-")} and set(stored) - {"yours-0", "yours-1"}

    seen.clear()
    retrain(once, mine)
    assert any(any(x.startswith("yours2-") for x in g) for g in seen)


def test_a_base_trained_without_calibration_groups_stores_none(tiny_model_dir):
    """(Retraining such a base, which the other tests do, calibrates on random folds.)"""
    *_, groups = load_features(tiny_model_dir, read_card(tiny_model_dir), with_groups=True)
    assert groups is None
    assert "groups" not in np.load(tiny_model_dir / "features.npz", allow_pickle=False).files

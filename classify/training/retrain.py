"""Add a user's labelled articles to a model without our training corpora.

A model directory carries the TF-IDF rows that its classifier depends on
(features.npz: see :func:`classify.training.train.base_rows`; numbers, no
text). The base model's cleaner, normaliser and vectorisers are kept as they
are, the user's articles are vectorised with them, and the classifier is
fitted again on base rows plus new rows, the user's labels winning where the
two disagree (:func:`overruled_rows`, :func:`refit`); the labels that none of
the user's articles dispute keep the base's scorers (:func:`keep_scorers`).
Those functions take matrices, labels and weights only; :func:`retrain` is
the part that reads model directories, :func:`format_report` what training
prints after it.
"""

import textwrap
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ..errors import DataError
from ..model import card as cards
from ..model.store import load_features, load_model
from .classifier import CalibratedSVM
from .export import as_csr, with_classifier
from .metrics import evaluate, metrics_from_proba
from .train import describe_data, split

# The stored base rows often include articles of the kind a user relabels (the
# shipped rows hold ~100 sport articles labelled `other`, standing for ~1,200);
# refitted together with a user's few dozen examples they outvote them. The
# user retrains to make the model follow their definitions, so where the two
# disagree the user's labels win: the base rows of the kind the user labelled
# otherwise are left out (overruled_rows). Settings measured with
# bench/retrain.py (README, "Retraining").
OVERRULE_C = 1.0
OVERRULE_ROWS = 1500
OVERRULE_SHARE = 0.4
MIN_SEPARATION = 0.8
# Fewer contested examples than this are scored too low out of fold to set a
# bar by (5 sport examples: 337 rows cleared it, 10 to 60: 102 to 124).
MIN_CONTESTED = 10
REPORT_FOLDS = 5
LOW_RECALL = 0.75  # below this cross-validated recall a user's label gets a warning
BASE_LOSS = 0.02  # F1 lost by a base label on the base rows that gets a warning


def overruled_rows(X_base, y_base, X_new, y_new, base_pred, *, C=OVERRULE_C, share=OVERRULE_SHARE, folds=5, seed=0):
    """Base rows of the kind of article the user labelled otherwise.

    Returns (mask over the base rows, {label: what was found}).

    A user's example is *contested* when the base model gives it another label
    (``base_pred``) than the user does: every example of a new label, and the
    examples of a kind of article the user relabels. For each label L with
    contested examples, a logistic regression separates them from the base
    rows of the labels the base gave them (and from the user's own examples
    of other labels, which say what is not L in the user's terms, and keep
    the regression from learning an outlet's style). Scored out of fold, a
    base row that scores at least ``share`` times the mean score of the
    user's held-out contested examples looks like them (after Elkan and
    Noto's positive-unlabelled estimate, 2008, whose bar is half; 0.4 was
    measured to find more of the sport rows of the shipped model's stored
    rows without taking much else), provided it also scores above 95% of the
    user's examples of other labels: its label is the one the user disagrees
    with. Nothing is overruled for a label with fewer than ``MIN_CONTESTED``
    contested examples, or whose contested examples the regression does not
    tell from the user's other examples (or, without any, from the rows):
    out-of-fold AUC below ``MIN_SEPARATION``.
    """
    y_base, y_new, base_pred = (np.asarray(a).astype(str) for a in (y_base, y_new, base_pred))
    X_base, X_new = sp.csr_matrix(X_base), sp.csr_matrix(X_new)
    mask = np.zeros(len(y_base), dtype=bool)
    found = {}
    if not np.isfinite(share):
        return mask, found
    for label in np.unique(y_new):
        pos = np.flatnonzero((y_new == label) & (base_pred != label))
        against = [str(a) for a in sorted(set(base_pred[pos]))]
        rows = np.flatnonzero(np.isin(y_base, against))
        neg = np.flatnonzero(y_new != label)
        if len(pos) < MIN_CONTESTED or not len(rows):
            if len(pos):
                found[str(label)] = {"contested_examples": int(len(pos)), "against": against, "rows": 0,
                                     "separation_auc": None}
            continue
        k = min(folds, len(pos), len(rows) + len(neg))
        X = sp.vstack([X_new[pos], X_base[rows], X_new[neg]]).tocsr()
        target = np.r_[np.ones(len(pos)), np.zeros(len(rows) + len(neg))]
        score = np.zeros(len(target))
        # C was measured with ~1,500 rows or more; fewer rows get less
        # regularisation in proportion, the same per row (with C=1, 40 rows
        # score alike and most clear the bar)
        c = C * max(1.0, OVERRULE_ROWS / len(target))
        for fit_idx, test_idx in StratifiedKFold(k, shuffle=True, random_state=seed).split(X, target):
            lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear")
            score[test_idx] = lr.fit(X[fit_idx], target[fit_idx]).predict_proba(X[test_idx])[:, 1]
        pos_score, row_score, neg_score = np.split(score, [len(pos), len(pos) + len(rows)])
        # The regression must tell the contested examples from what is not L:
        # the user's own examples of other labels if any (the rows may hold
        # many of L's kind), else the rows. 5 to 60 examples of a carved-out
        # topic: AUC 0.97 to 1.0; the base model's scattered errors are no
        # kind of article (3 press-freedom articles of a new outlet, below
        # MIN_CONTESTED anyway: 0.34).
        other = neg_score if len(neg) else row_score
        separation = roc_auc_score(np.r_[np.ones(len(pos)), np.zeros(len(other))], np.r_[pos_score, other])
        found[str(label)] = {
            "contested_examples": int(len(pos)),
            "against": against,
            "separation_auc": round(float(separation), 3),
            "rows": 0,
        }
        if separation < MIN_SEPARATION:
            continue
        bar = share * pos_score.mean()
        if len(neg):  # and score above nearly all of the user's own examples of other labels
            bar = max(bar, np.percentile(neg_score, 95))
        hits = np.flatnonzero(row_score >= bar)
        mask[rows[hits]] = True
        found[str(label)]["rows"] = int(len(hits))
    return mask, found


def user_groups(y_new, folds: int, seed: int = 0, prefix: str = "yours") -> np.ndarray:
    """Calibration groups for the user's articles when the base rows have
    corpora as groups: stratified pseudo-groups, so that every label of
    theirs, new ones included, is scored out of fold."""
    y_new = np.asarray(y_new).astype(str)
    k = int(min(folds, np.unique(y_new, return_counts=True)[1].min()))
    groups = np.full(len(y_new), "", dtype=object)
    if k >= 2:
        for i, (_, test) in enumerate(StratifiedKFold(k, shuffle=True, random_state=seed).split(y_new, y_new)):
            groups[test] = f"{prefix}-{i}"
    return groups


def disputed_labels(y_new, base_pred, overruled_labels=()) -> set:
    """The base labels a user's articles dispute: both labels of every
    article the base labels otherwise than the user does (a new label is
    carved out of the label the base gives its examples), and the labels of
    overruled base rows. Even one article counts: it is a correction the
    user made, and what they retrain for.
    """
    disputed = {str(x) for x in overruled_labels}
    for mine, said in zip(np.asarray(y_new).astype(str), np.asarray(base_pred).astype(str)):
        if mine != said:
            disputed |= {mine, said}
    return disputed


def base_scorers(model) -> dict | None:
    """Each label's (coef row, intercept, calibration a, b, reported
    probabilities' calibration a, b or None) of a multi-label base model (a
    loaded :class:`~classify.model.predictor.Model`), for :func:`refit` to
    keep; None for a two-label model (one score column serves both labels)."""
    return _scorers(model.labels, model.coef, model.intercept, model.calib_a, model.calib_b, model.conf_a, model.conf_b)


def _scorers(labels, coef, intercept, calib_a, calib_b, conf_a=None, conf_b=None) -> dict | None:
    if len(labels) < 3 or len(coef) != len(labels):
        return None
    conf = [(None, None)] * len(labels) if conf_a is None else list(zip(conf_a, conf_b))
    return {str(c): (coef[k], intercept[k], calib_a[k], calib_b[k], *conf[k]) for k, c in enumerate(labels)}


def keep_scorers(classifier, scorers: dict, disputed: set) -> list[str]:
    """Put the base's scorers back into ``classifier`` for every base label
    not ``disputed``; returns those labels.

    Why: refitting on the stored base rows (15% of the shipped model's training rows)
    plus a user's few dozen articles moves every label's boundary a little,
    and on the shipped model that cost the base labels 0.8 to 1.4 points of
    held-out macro-F1 when a user only carved `sport` out of `other` (README,
    "Retraining"). One-vs-rest, a label's scorer depends on its own rows; a
    label nobody disputed keeps the one that was measured. The decision
    weights of the refit were tuned on the refit's own out-of-fold scores,
    the nearest estimate there is of the mixed model's.
    """
    kept = []  # scorers come from a model of three labels or more (base_scorers), so one row per label here
    if classifier.conf_a_ is None and any(v[4] is not None for v in scorers.values()):
        # a kept label reports the confidence it was measured with; a
        # refitted one, its only calibration's
        classifier.conf_a_, classifier.conf_b_ = classifier.calib_a_.copy(), classifier.calib_b_.copy()
    for k, label in enumerate(classifier.classes_):
        label = str(label)
        if label in scorers and label not in disputed:
            coef, intercept, a, b, conf_a, conf_b = scorers[label]
            classifier.coef_[k], classifier.intercept_[k] = coef, intercept
            classifier.calib_a_[k], classifier.calib_b_[k] = a, b
            if classifier.conf_a_ is not None:
                classifier.conf_a_[k], classifier.conf_b_[k] = (a, b) if conf_a is None else (conf_a, conf_b)
            kept.append(label)
    return kept


def refit(X_base, y_base, w_base, X_new, y_new, w_new, base_pred, *, C, folds, keep_weights, random_state=0,
          share=OVERRULE_SHARE, groups_base=None, scorers=None):
    """Fit a classifier on base rows plus the user's, the user's labels
    winning where they disagree. ``keep_weights``: the base model's decision
    weights, kept; only labels new to the base are tuned (None: all are).
    ``share``: see :func:`overruled_rows` (``np.inf`` overrules nothing).
    ``groups_base``: the base rows' calibration groups (their corpora), if
    the base model stored them: the refit then calibrates as the base was
    calibrated, on out-of-corpus scores, the user's articles in
    :func:`user_groups` (without them it calibrates on random folds, which
    makes it surer of itself on the base's own corpora).
    ``scorers``: the base model's (:func:`base_scorers`); the labels the
    user's articles do not dispute keep them (:func:`keep_scorers`, listed
    in the classifier's ``kept_labels_``).

    Returns (classifier, (X, y, weights, calibration groups or None) it was
    fitted on, overruled mask over the base rows, what was overruled per label).
    """
    y_base, y_new = np.asarray(y_base).astype(str), np.asarray(y_new).astype(str)
    overruled, found = overruled_rows(X_base, y_base, X_new, y_new, base_pred, share=share, seed=random_state)
    keep = ~overruled
    X = sp.vstack([sp.csr_matrix(X_base)[keep], sp.csr_matrix(X_new)]).tocsr()
    y = np.concatenate([y_base[keep], y_new])
    w = np.concatenate([np.asarray(w_base, dtype=float)[keep], np.asarray(w_new, dtype=float)])
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise DataError(f"label {labels[counts.argmin()]} has fewer than 2 training examples; add data")
    classifier = CalibratedSVM(
        C=C, folds=int(min(folds, counts.min())), keep_weights=keep_weights, random_state=random_state
    )
    groups = None
    if groups_base is not None:
        groups_base = np.asarray(groups_base, dtype=object)
        # a model retrained before holds its user's groups: this user's get other names
        earlier = {str(g).rsplit("-", 1)[0] for g in groups_base if str(g).startswith("yours")}
        mine = user_groups(y_new, folds, random_state, prefix=f"yours{len(earlier) + 1}" if earlier else "yours")
        groups = np.concatenate([groups_base[keep], mine])
    classifier.fit(X, y, sample_weight=w, groups=groups)
    classifier.kept_labels_ = []
    if scorers:
        disputed = disputed_labels(y_new, base_pred, set(y_base[overruled]))
        classifier.kept_labels_ = keep_scorers(classifier, scorers, disputed)
    return classifier, (X, y, w, groups), overruled, found


def cross_validate(X_base, y_base, w_base, X_new, y_new, w_new, base_pred, *, k, C, folds, keep_weights,
                   random_state=0, n_jobs=None, groups_base=None, scorers=None):
    """Out-of-fold scores for the retraining report.

    The user's articles and the base rows are each split into ``k``
    stratified folds; the models of fold i are fitted without fold i of
    either. Returns a dict: ``new_proba`` and ``new_pred`` (user rows,
    scored by refit models that did not see them), ``classes``,
    ``base_after`` (base rows' labels from the same models) and
    ``base_before`` (from the base rows alone, refitted with the base
    decision weights: what the base model does on rows it did not see). None
    for the base rows when a base label has too few rows for k folds. With
    ``scorers`` (see :func:`refit`), a fold keeps the undisputed labels of a
    model that did not see its test rows: the base model's when only the
    user's articles are split, else that fold's base-rows-alone fit. The
    folds run in ``n_jobs`` threads (default: one per CPU, up to k).
    """
    from joblib import Parallel, delayed

    y_base, y_new = np.asarray(y_base).astype(str), np.asarray(y_new).astype(str)
    X_base, X_new = sp.csr_matrix(X_base), sp.csr_matrix(X_new)
    w_base, w_new = np.asarray(w_base, dtype=float), np.asarray(w_new, dtype=float)
    base_pred = np.asarray(base_pred).astype(str)
    new_folds = list(StratifiedKFold(k, shuffle=True, random_state=random_state).split(X_new, y_new))
    smallest = int(np.unique(y_base, return_counts=True)[1].min())
    # each base label in every test fold, and in every fit part twice (for its calibration folds)
    with_base = smallest >= k and smallest - -(-smallest // k) >= 2
    if with_base:
        base_folds = list(StratifiedKFold(k, shuffle=True, random_state=random_state).split(X_base, y_base))
    else:
        base_folds = [(np.arange(len(y_base)), np.array([], dtype=int))] * k

    def before(b_fit):
        smallest = np.unique(y_base[b_fit], return_counts=True)[1].min()
        clf = CalibratedSVM(C=C, folds=int(min(folds, smallest)), keep_weights=keep_weights, random_state=random_state)
        groups = None if groups_base is None else groups_base[b_fit]
        return clf.fit(X_base[b_fit], y_base[b_fit], sample_weight=w_base[b_fit], groups=groups)

    def fold(n_fit, n_test, b_fit, b_test):
        alone = before(b_fit) if with_base else None
        kept = scorers
        if scorers and alone is not None:
            kept = _scorers(alone.classes_, alone.coef_, alone.intercept_, alone.calib_a_, alone.calib_b_,
                            alone.conf_a_, alone.conf_b_)
        clf, *_ = refit(
            X_base[b_fit], y_base[b_fit], w_base[b_fit], X_new[n_fit], y_new[n_fit], w_new[n_fit], base_pred[n_fit],
            C=C, folds=folds, keep_weights=keep_weights, random_state=random_state,
            groups_base=None if groups_base is None else groups_base[b_fit], scorers=kept,
        )
        pred, proba = clf.predict_with_proba(X_new[n_test])
        base_after = base_before = None
        if len(b_test):
            base_after, base_before = clf.predict(X_base[b_test]), alone.predict(X_base[b_test])
        return clf.classes_, proba, pred, base_after, base_before

    tasks = [delayed(fold)(*n, *b) for n, b in zip(new_folds, base_folds)]
    if n_jobs is None:
        import os

        n_jobs = min(len(tasks), os.cpu_count() or 1)
    # liblinear releases the GIL: threads share the matrices instead of copying them
    results = Parallel(n_jobs=n_jobs, backend="threading")(tasks)
    classes = results[0][0]
    new_proba = np.zeros((len(y_new), len(classes)))
    new_pred = np.empty(len(y_new), dtype=object)
    base_after = np.empty(len(y_base), dtype=object)
    base_before = np.empty(len(y_base), dtype=object)
    for (n_fit, n_test), (b_fit, b_test), (fold_classes, proba, pred, b_after, b_before) in zip(
            new_folds, base_folds, results):
        # every fold's training part holds every label (stratified, k <= smallest label)
        new_proba[n_test] = proba[:, [list(fold_classes).index(c) for c in classes]]
        new_pred[n_test] = pred
        if with_base:
            base_after[b_test], base_before[b_test] = b_after, b_before
    return {
        "new_proba": new_proba,
        "new_pred": new_pred.astype(str),
        "classes": classes,
        "base_after": base_after.astype(str) if with_base else None,
        "base_before": base_before.astype(str) if with_base else None,
    }


def _r(x):
    return None if x is None else round(float(x), 3)


def _summary(metrics: dict) -> dict:
    """Rounded headline and per-label figures of a metrics dict."""
    return {
        "n": metrics["n"],
        "macro_f1": _r(metrics["macro_f1"]),
        "accuracy": _r(metrics["accuracy"]),
        "per_label": {
            lab: {"precision": _r(m["precision"]), "recall": _r(m["recall"]), "f1": _r(m["f1"]), "support": m["support"]}
            for lab, m in metrics["per_label"].items()
            if m["support"] > 0
        },
    }


def weighted_scores(y_true, y_pred, weights, labels) -> dict:
    """Precision, recall and F1 per label counting each row as ``weights``
    articles; macro-F1 over ``labels``."""
    p, r, f, s = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), sample_weight=weights, zero_division=0
    )
    per_label = {
        str(lab): {"precision": _r(p[i]), "recall": _r(r[i]), "f1": _r(f[i]), "articles": int(round(s[i]))}
        for i, lab in enumerate(labels)
    }
    return {"macro_f1": _r(np.mean(f)), "per_label": per_label}


def retrain_report(y_new, base_proba, base_classes, base_pred, cv, *, k, y_base, w_base, overruled, found, heldout=None,
                   kept=None):
    """Before and after on the same test sets, and warnings: rounded numbers
    for the card and for printing.

    ``cv`` is :func:`cross_validate`'s result; ``base_proba``/``base_pred``
    are the base model's on the user's articles. ``heldout``: optionally
    (description, before metrics, after metrics) of the user's held-out
    outlets. ``kept``: the base labels kept as they were (see :func:`keep_scorers`).
    """
    y_new = np.asarray(y_new).astype(str)
    y_base, w_base = np.asarray(y_base).astype(str), np.asarray(w_base, dtype=float)
    after = metrics_from_proba(y_new, cv["new_proba"], cv["classes"], cv["new_pred"])
    report = {
        "your_articles": {
            "test": f"your {len(y_new)} articles, {k}-fold cross-validated",
            "note": "each scored by a model fitted without it; the base model never saw them",
            "before": _summary(metrics_from_proba(y_new, base_proba, base_classes, base_pred)),
            "after": _summary(after),
        },
        "heldout": None,
        "base_rows": None,
        "overruled": {
            "rows": int(overruled.sum()),
            "articles": int(round(float(w_base[overruled].sum()))),
            "per_label": found,
        },
        "kept": [str(label) for label in kept or []],
        "warnings": [],
    }
    if heldout is not None:
        how, before_m, after_m = heldout
        report["heldout"] = {"test": how, "before": _summary(before_m), "after": _summary(after_m)}
    if cv["base_after"] is not None:
        # The overruled rows are left out: the user relabelled them.
        keep = ~overruled
        labels = sorted(set(y_base))
        report["base_rows"] = {
            "test": f"the base model's {int(keep.sum())} stored rows, {k}-fold cross-validated",
            "note": f"weighted to stand for the {int(round(w_base[keep].sum()))} training articles they sample "
            "(each counted with its weight in the base's fit); "
            "the rows your labels overruled are left out; before = refitted on base rows alone, with the base "
            "decision weights. Same outlets as the base's training data: higher than figures on new outlets",
            "before": weighted_scores(y_base[keep], cv["base_before"][keep], w_base[keep], labels),
            "after": weighted_scores(y_base[keep], cv["base_after"][keep], w_base[keep], labels),
        }
    warnings = report["warnings"]
    for label, m in report["your_articles"]["after"]["per_label"].items():
        if m["recall"] < LOW_RECALL:
            warnings.append(
                f"{label}: the new model finds {m['recall']:.0%} of your {m['support']} {label} articles "
                f"(cross-validated). More examples of {label} help most (tens more, like the ones it misses); "
                f"--new-weight 3 makes each of yours count as three base articles."
            )
    for label, f in found.items():
        if f["rows"] == 0 and f["contested_examples"] >= 5:
            why = (f"fewer than {MIN_CONTESTED}" if f["separation_auc"] is None
                   else "they could not be told apart from your other articles")
            warnings.append(
                f"{label}: the base model labels {f['contested_examples']} of your {label} examples "
                f"{' or '.join(f['against'])}; {why}, so its rows of that kind still count against yours. "
                f"Tens of examples of the kind of {label} article you mean help, or --new-weight 3."
            )
    if report["base_rows"]:
        before, after_b = report["base_rows"]["before"]["per_label"], report["base_rows"]["after"]["per_label"]
        lost = [lab for lab in before if before[lab]["f1"] - after_b[lab]["f1"] > BASE_LOSS]
        if lost:
            warnings.append(
                "F1 on the base rows fell for "
                + ", ".join(f"{lab} ({before[lab]['f1']:.3f} -> {after_b[lab]['f1']:.3f})" for lab in lost)
                + ". Your examples may overlap with "
                + ("that label: check them against its definition, or add examples of it"
                   if len(lost) == 1 else "those labels: check them against their definitions, or add examples of them")
                + " the way you see it. (With few stored rows, "
                "one row moves these figures.)"
            )
    return report


def format_report(report: dict) -> str:
    """The retraining report as printed after `classify train --base`."""
    mine = report["your_articles"]
    lines = [f"Base model (before) and new model (after) on {mine['test']} ({mine['note']}):", ""]
    lines += _before_after_table(mine["before"], mine["after"], "articles")
    if report.get("heldout"):
        lines += ["", f"On your held-out part ({report['heldout']['test']}):", ""]
        lines += _before_after_table(report["heldout"]["before"], report["heldout"]["after"], "articles")
    if report.get("base_rows"):
        rows = report["base_rows"]
        lines += ["", f"The base labels, on {rows['test']} ({rows['note']}):", ""]
        lines += _before_after_table(rows["before"], rows["after"], "articles")
    over = report["overruled"]
    if over["rows"]:
        for label, f in over["per_label"].items():
            if f["rows"]:
                lines += [
                    "",
                    f"Your labels won: {f['rows']} stored base rows labelled {' or '.join(f['against'])} look like "
                    f"your {label} examples that the base model labels otherwise, and were left out "
                    f"({over['articles']} base articles in all).",
                ]
    if report.get("kept"):
        lines += ["", "Kept as the base model had them (none of your articles disputes them): "
                  + ", ".join(report["kept"]) + "."]
    for w in report["warnings"]:
        lines += ["", f"warning: {w}"]
    return "\n".join(textwrap.fill(line, 100) if len(line) > 100 else line for line in lines)


def _before_after_table(before: dict, after: dict, unit: str) -> list[str]:
    labels = list(dict.fromkeys([*after["per_label"], *before["per_label"]]))
    lines = [
        f"{'label':<26}{'recall':>16}{'precision':>18}{'F1':>16}{unit:>10}",
        f"{'':<26}{'before   after':>16}{'before   after':>18}{'before   after':>16}",
    ]
    for lab in labels:
        b, a = before["per_label"].get(lab), after["per_label"].get(lab)
        ref = a or b
        cells = []
        for key in ("recall", "precision", "f1"):
            bv = "-" if b is None else f"{b[key]:.3f}"
            av = "-" if a is None else f"{a[key]:.3f}"
            cells.append(f"{bv:>8}{av:>8}")
        count = ref.get("support", ref.get("articles"))
        lines.append(f"{lab:<26}{cells[0]:>16}{cells[1]:>18}{cells[2]:>16}{count:>10}")
    lines.append(f"{'macro-F1':<26}{'':>34}{before['macro_f1']:>8.3f}{after['macro_f1']:>8.3f}")
    return lines


def retrain(base_dir: Path, data, *, test_groups=None, split_by="source", seed=0, new_weight=1.0,
            folds=REPORT_FOLDS):
    """Add ``data`` to the base model in ``base_dir``. Returns (model, card,
    features) for save_model; ``card["retrain_report"]`` is the report.

    All of the user's articles are trained on, except the outlets in
    ``test_groups``; the figures are cross-validated (:func:`cross_validate`)
    and, with ``test_groups``, measured on those outlets too, base model and
    new model on the same articles.
    """
    base = load_model(base_dir)
    base_card = base.card
    X_base, y_base, w_base, g_base = load_features(base_dir, base_card, with_groups=True)
    if test_groups:
        train_df, test_df, how = split(data, test_groups=test_groups, split_by=split_by)
    else:
        train_df, test_df, how = data, data.iloc[:0], None
    if not len(train_df):
        raise DataError("no articles left to train on after holding out --test-groups")
    texts = train_df["text"].tolist()
    X_new = as_csr(base.features(texts))
    y_new = train_df["label"].to_numpy().astype(str)
    w_new = np.full(len(y_new), float(new_weight))
    keep_weights = {str(c): float(w) for c, w in zip(base.labels, base.weights)}
    base_pred, base_proba = base.predict_with_proba(texts)
    base_pred = np.asarray(base_pred).astype(str)
    params = base_card.get("params", {})
    fit = {"C": float(params.get("C", 0.1)), "folds": 5, "keep_weights": keep_weights, "random_state": seed,
           "groups_base": g_base, "scorers": base_scorers(base)}
    classifier, rows, overruled, found = refit(X_base, y_base, w_base, X_new, y_new, w_new, base_pred, **fit)
    kept = list(classifier.kept_labels_)
    model = with_classifier(base, classifier)

    k = int(min(folds, np.unique(y_new, return_counts=True)[1].min()))
    if k < 2:
        raise DataError("every label needs at least 2 of your articles to cross-validate; add data")
    cv = cross_validate(X_base, y_base, w_base, X_new, y_new, w_new, base_pred, k=k, **fit)
    heldout = None
    if len(test_df):
        texts, y_test = test_df["text"].tolist(), test_df["label"].to_numpy()
        heldout = (how, evaluate(base, texts, y_test), evaluate(model, texts, y_test))
    report = retrain_report(y_new, base_proba, base.labels, base_pred, cv, k=k, y_base=y_base, w_base=w_base,
                            overruled=overruled, found=found, heldout=heldout, kept=kept)
    cv_metrics = metrics_from_proba(y_new, cv["new_proba"], cv["classes"], cv["new_pred"])

    now = cards.now()
    mine = report["heldout"] or report["your_articles"]
    base_side = report["base_rows"] or {}
    step = {
        "date": now,
        "base_model": str(base_dir),
        "base_sha256": (base_card.get("files") or {}).get("model.npz"),
        "added": describe_data(train_df),
        "added_files": sorted(set(data["file"])) if "file" in data.columns else [],
        "new_weight": float(new_weight),
        "test": mine["test"],
        "macro_f1_before": mine["before"]["macro_f1"],
        "macro_f1_after": mine["after"]["macro_f1"],
        "base_rows_test": base_side.get("test"),
        "base_rows_macro_f1_before": (base_side.get("before") or {}).get("macro_f1"),
        "base_rows_macro_f1_after": (base_side.get("after") or {}).get("macro_f1"),
        "overruled_base_rows": report["overruled"]["rows"],
        "kept_base_labels": sorted(kept),
    }
    card = {
        "name": "classify model",
        "created": cards.now(),
        "params": params,
        "pipeline": base_card.get("pipeline", {}),
        "data": {
            "train": describe_data(train_df),
            "test": describe_data(test_df) if len(test_df) else {"articles": 0, "per_label": {}},
            "split": how or report["your_articles"]["test"],
            "files": sorted(set(data["file"])) if "file" in data.columns else [],
            # base rows carried into this model (features.npz holds them and
            # the user's), and the ones the user's labels overruled; articles
            # are counted in the base fit's weights (a written article
            # written_weight times)
            "base_rows": int((~overruled).sum()),
            "base_articles_represented": int(round(w_base[~overruled].sum())),
            "base_per_label": {str(k): int(v) for k, v in zip(*np.unique(y_base[~overruled], return_counts=True))},
            "overruled_base_rows": report["overruled"]["rows"],
            "overruled_base_articles": report["overruled"]["articles"],
            "new_weight": float(new_weight),
        },
        # With held-out outlets, the figures on them; otherwise the
        # cross-validated ones on the user's articles.
        "heldout_metrics": heldout[2] if heldout else cv_metrics,
        "retrain_report": report,
        "lineage": base_card.get("lineage", []) + [step],
        "licence": base_card.get("licence", [])
        + ["Retrained with user-supplied data: its licence terms apply too."],
    }
    return model, card, rows

"""The `classify` command: a thin typer layer over plain functions.

User errors print one line on stderr and exit 1; see errors.py for the exit
codes of `predict`.
"""

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import ClassifyError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Tag Arabic news articles: government-communication, press-freedom or other.",
)


def _fail(message: str, code: int = 1):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _model_dir(model: Optional[Path]) -> Path:
    from .paths import default_model_dir

    return model if model is not None else default_model_dir()


def _load(model: Optional[Path]):
    from .model.store import load_model

    model_dir = _model_dir(model)
    return (*load_model(model_dir), model_dir)


@app.command()
def predict(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive), glob patterns, or - for stdin."),
    format: Optional[str] = typer.Option(None, "--format", "-f", help="table, csv, jsonl or parquet (default: from --output's suffix, else table)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write rows here (atomically) instead of stdout."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory (default: the shipped model)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output."),
    resume: bool = typer.Option(False, "--resume", help="Keep the rows already in --output and tag only new paths."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="Mark rows below this confidence as uncertain."),
    pattern: str = typer.Option("*.txt", "--pattern", help="File patterns inside folders, comma-separated, e.g. '*.txt,*.html,*.jsonl'."),
    text_column: str = typer.Option("text", "--text-column", help="Text field of JSONL/CSV collections."),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="Id field of JSONL/CSV collections."),
    from_list: Optional[Path] = typer.Option(None, "--from-list", help="A file with one input path per line."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help="Skip (and report) files larger than this."),
    explain: bool = typer.Option(False, "--explain", help="Add the words that pushed each article to its label."),
    engine: str = typer.Option("local", "--engine", help="local, or dask to run on a Dask cluster (pip install 'classify[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: scheduler address (default: a local cluster of --jobs workers)."),
):
    """Tag articles; one row per input, unreadable ones with their reason."""
    from .tagging.run import run
    from .tagging.write import FORMATS, format_for

    fmt = format_for(output, format)
    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt} (choose {', '.join(FORMATS)})", 2)
    if fmt == "parquet" and output is None:
        _fail("--format parquet needs --output FILE", 2)
    if resume and output is None:
        _fail("--resume needs --output FILE", 2)
    if engine not in ("local", "dask"):
        _fail(f"unknown --engine {engine} (choose local or dask)", 2)
    if scheduler and engine != "dask":
        _fail("--scheduler goes with --engine dask", 2)
    paths = list(paths)
    if from_list is not None:
        try:
            paths += [ln.strip() for ln in from_list.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except OSError as exc:
            _fail(f"{from_list}: {exc.strerror or exc}")
    try:
        pipeline, _card, model_dir = _load(model)
        summary = run(
            pipeline, model_dir, paths, output=output, fmt=fmt, force=force, resume=resume, jobs=jobs,
            min_confidence=min_confidence, pattern=pattern, text_column=text_column, id_column=id_column,
            max_bytes=max_bytes, progress=sys.stderr.isatty() and output is not None, explain=explain,
            engine=engine, scheduler=scheduler,
        )
    except ClassifyError as exc:
        _fail(str(exc))
    if output is not None or summary.tagged + sum(summary.failed.values()) > 1:
        typer.echo(summary.line(), err=True)
    raise typer.Exit(summary.exit_code)


@app.command()
def train(
    data: List[Path] = typer.Argument(..., help="CSV/TSV/JSONL with text and label columns, label files (corpus,id,label), or a folder of <label>/*.txt."),
    output: Path = typer.Option(..., "--output", "-o", help="New model directory."),
    text_column: str = typer.Option("text", "--text-column"),
    label_column: str = typer.Option("label", "--label-column"),
    split_by: str = typer.Option("source", "--split-by", help="Column naming each article's outlet."),
    test_groups: Optional[str] = typer.Option(None, "--test-groups", help="Comma-separated outlets held out for evaluation."),
    test_size: float = typer.Option(0.2, "--test-size", min=0.05, max=0.5, help="Random held-out share when no --test-groups (with --base: cross-validation instead)."),
    corpora: Optional[Path] = typer.Option(None, "--corpora", help="Folder of the corpora that label files refer to."),
    force: bool = typer.Option(False, "--force", help="Replace a model already in --output."),
    seed: int = typer.Option(0, "--seed"),
    base: Optional[str] = typer.Option(None, "--base", help="Add DATA to what this model learned ('default' = the shipped model); our corpora are not needed."),
    new_weight: float = typer.Option(1.0, "--new-weight", min=0.01, help="With --base: weight of each new article relative to a base article."),
    replace_labels: bool = typer.Option(False, "--replace-labels", help="With --base: ignore what it learned and train on DATA alone."),
):
    """Train a model, print held-out metrics, write the model and its card."""
    from .model.store import save_model
    from .training.data import load_labelled
    from .training.metrics import format_metrics
    from .training.train import train as train_model

    try:
        if (output / "model.joblib").exists() and not force:
            _fail(f"{output}: already holds a model; choose a new directory or pass --force")
        frame = load_labelled(data, text_column=text_column, label_column=label_column, corpora_dir=corpora)
        groups = [g.strip() for g in test_groups.split(",")] if test_groups else None
        if groups and split_by in frame.columns:
            unknown = set(groups) - set(frame[split_by].astype(str))
            if unknown:
                _fail(f"--test-groups not found in column '{split_by}': {', '.join(sorted(unknown))}")
        if base is not None and not replace_labels:
            from .training.train import retrain

            base_dir = _model_dir(None) if base == "default" else Path(base)
            pipeline, card, features = retrain(
                base_dir, frame, test_groups=groups, split_by=split_by, seed=seed, new_weight=new_weight
            )
        else:
            pipeline, card, features = train_model(
                frame, test_groups=groups, split_by=split_by, test_size=test_size, seed=seed
            )
            if base is not None:
                card["lineage"] = [{"replaced_labels_of": base, "date": card["created"]}]
        card = save_model(pipeline, card, output, force=force, features=features)
    except ClassifyError as exc:
        _fail(str(exc))
    if card.get("retrain_report"):
        from .training.train import format_report

        typer.echo(format_report(card["retrain_report"]))
    else:
        typer.echo(f"held-out: {card['data']['split']}")
        if card["heldout_metrics"]:
            typer.echo(format_metrics(card["heldout_metrics"]))
    typer.echo(f"model written to {output}")


@app.command()
def evaluate(
    data: List[Path] = typer.Argument(..., help="Labelled data the model has not seen."),
    model: Optional[Path] = typer.Option(None, "--model", "-m"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the metrics as JSON."),
    text_column: str = typer.Option("text", "--text-column"),
    label_column: str = typer.Option("label", "--label-column"),
    corpora: Optional[Path] = typer.Option(None, "--corpora"),
    plots: Optional[Path] = typer.Option(None, "--plots", help="Write reliability, confusion and precision-recall PNGs here."),
):
    """Per-label precision/recall/F1 and the confusion matrix on labelled data."""
    from .model.classifier import decide
    from .training.data import load_labelled
    from .training.metrics import format_metrics, metrics_from_proba

    try:
        pipeline, _card, _dir = _load(model)
        frame = load_labelled(data, text_column=text_column, label_column=label_column, corpora_dir=corpora)
        labels = frame["label"].to_numpy()
        proba = pipeline.predict_proba(frame["text"].tolist())
        predicted = decide(pipeline, proba)
        metrics = metrics_from_proba(labels, proba, pipeline.classes_, predicted)
        if plots is not None:
            from .training.plots import save_plots

            for path in save_plots(labels, proba, pipeline.classes_, predicted, plots):
                typer.echo(f"wrote {path}", err=True)
        if output is not None:
            output.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except ClassifyError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{output}: {exc.strerror or exc}")
    typer.echo(format_metrics(metrics))


@app.command()
def info(model: Optional[Path] = typer.Option(None, "--model", "-m")):
    """Show a model's card: labels, data, held-out metrics, versions, licence."""
    from .model.store import read_card
    from .training.metrics import format_metrics

    model_dir = _model_dir(model)
    try:
        card = read_card(model_dir)
    except ClassifyError as exc:
        _fail(str(exc))
    typer.echo(f"model      {model_dir}")
    typer.echo(f"labels     {', '.join(card.get('labels', []))}")
    typer.echo(f"created    {card.get('created', '?')}")
    data = card.get("data", {})
    typer.echo(f"trained on {json.dumps(data.get('train', {}).get('per_label', {}), ensure_ascii=False)}")
    typer.echo(f"held-out   {data.get('split', '?')}")
    versions = card.get("versions", {})
    typer.echo("versions   " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    typer.echo(f"sha256     {card.get('model_sha256', '?')}")
    for note in card.get("licence", []):
        typer.echo(f"licence    {note}")
    for step in card.get("lineage", []):
        if "base_model" in step:
            typer.echo(
                f"lineage    {step['date']}: added {step['added']['articles']} articles "
                f"{json.dumps(step['added']['per_label'], ensure_ascii=False)} to {step['base_model']} "
                f"(sha256 {str(step['base_sha256'])[:12]}…)"
            )
            for line in _lineage_figures(step):
                typer.echo(f"{'':11}{line}")
        else:
            typer.echo(f"lineage    {step['date']}: trained on new data only, replacing {step['replaced_labels_of']}")
    if card.get("heldout_metrics"):
        typer.echo("")
        typer.echo(format_metrics(card["heldout_metrics"]))


def _lineage_figures(step: dict) -> list:
    """Before -> after of one retraining step, each pair on one test set."""
    def f(x):
        return "?" if x is None else f"{x:.3f}"

    if "macro_f1_before" not in step:  # written before both sides had the same test set
        return [
            f"macro-F1 {f(step.get('base_heldout_macro_f1'))} (base, on its held-out set), "
            f"{f(step.get('heldout_macro_f1'))} (new, on a part of the added data): different test sets"
        ]
    lines = [f"macro-F1 {f(step['macro_f1_before'])} -> {f(step['macro_f1_after'])} on {step['test']}"]
    if step.get("base_rows_test"):
        lines.append(
            f"macro-F1 {f(step['base_rows_macro_f1_before'])} -> {f(step['base_rows_macro_f1_after'])} "
            f"on {step['base_rows_test']}"
        )
    if step.get("overruled_base_rows"):
        lines.append(f"{step['overruled_base_rows']} base rows overruled by the added labels")
    return lines


@app.command("explain-model")
def explain_model(
    model: Optional[Path] = typer.Option(None, "--model", "-m"),
    top: int = typer.Option(15, "--top", min=1, help="Features per label and kind."),
):
    """The strongest features per label: check that a label learned its topic,
    not an outlet's boilerplate. Features are shown normalised."""
    from .model.explain import top_features

    try:
        pipeline, _card, _dir = _load(model)
    except ClassifyError as exc:
        _fail(str(exc))
    for label, branches in top_features(pipeline, top).items():
        typer.echo(label)
        for branch, feats in branches.items():
            shown = ", ".join(f"{term.replace(' ', '_')} {w:.2f}" for term, w in feats)
            typer.echo(f"  {branch:<6} {shown}")


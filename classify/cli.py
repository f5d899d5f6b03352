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
from .tagging.read import DEFAULT_PATTERN

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
    return load_model(model_dir), model_dir


@app.command()
def predict(
    paths: Optional[List[str]] = typer.Argument(None, help="Files, folders (recursive), glob patterns, or - for stdin."),
    format: Optional[str] = typer.Option(None, "--format", "-f", help="table, csv, jsonl or parquet (default: from --output's suffix, else table)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write rows here (atomically) instead of stdout."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Model directory (default: the shipped model)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --output."),
    resume: bool = typer.Option(False, "--resume", help="Keep the complete rows already written to --output (even by a killed run) and tag only the rest."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="Mark rows below this confidence as uncertain."),
    pattern: str = typer.Option(DEFAULT_PATTERN, "--pattern", help="File patterns inside folders, comma-separated, any case, e.g. '*.txt,*.html,*.jsonl'."),
    text_column: str = typer.Option("text", "--text-column", help="Text field of JSONL/CSV collections."),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="Id field of JSONL/CSV collections."),
    from_list: Optional[Path] = typer.Option(None, "--from-list", help="A UTF-8 file with one input path per line (with or without PATH arguments)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", min=1, help="Skip (and report) files larger than this."),
    explain: bool = typer.Option(False, "--explain", help="Add the words that pushed each article to its label."),
    engine: str = typer.Option("local", "--engine", help="local, or dask to run on a Dask cluster (pip install 'classify[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: scheduler address (default: a local cluster of --jobs workers)."),
):
    """Tag articles; one row per input, unreadable ones with their reason."""
    from .tagging.run import run
    from .tagging.write import FORMATS, format_for, sidecar_of

    if format is not None and format not in FORMATS:
        _fail(f"unknown --format {format} (choose {', '.join(FORMATS)})", 2)
    if format == "parquet" and output is None:
        _fail("--format parquet needs --output FILE", 2)
    if resume and output is None:
        _fail("--resume needs --output FILE", 2)
    if engine not in ("local", "dask"):
        _fail(f"unknown --engine {engine} (choose local or dask)", 2)
    if scheduler and engine != "dask":
        _fail("--scheduler goes with --engine dask", 2)
    if not paths and from_list is None:
        _fail("nothing to tag: give PATH..., - for stdin, or --from-list FILE", 2)
    paths = list(paths or [])
    if from_list is not None:
        try:
            paths += [ln.strip() for ln in from_list.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except OSError as exc:
            _fail(f"{from_list}: {exc.strerror or exc}")
        except UnicodeDecodeError:
            _fail(f"{from_list}: not UTF-8; --from-list needs a UTF-8 file of paths")
    try:
        fmt = format_for(output, format)
        loaded, model_dir = _load(model)
        summary = run(
            loaded, model_dir, paths, output=output, fmt=fmt, force=force, resume=resume, jobs=jobs,
            min_confidence=min_confidence, pattern=pattern, text_column=text_column, id_column=id_column,
            max_bytes=max_bytes, progress=sys.stderr.isatty() and output is not None, explain=explain,
            engine=engine, scheduler=scheduler,
        )
    except ClassifyError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        kept = output is not None and sidecar_of(output).exists()
        _fail(
            f"interrupted; the rows written so far are kept in {sidecar_of(output)}: "
            "run the same command with --resume to go on" if kept else "interrupted",
            130,
        )
    if output is not None or summary.has_news:
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
    test_size: float = typer.Option(0.2, "--test-size", min=0.05, max=0.5, help="Random held-out share when no --test-groups."),
    corpora: Optional[Path] = typer.Option(None, "--corpora", help="Folder of the corpora that label files refer to."),
    force: bool = typer.Option(False, "--force", help="Replace a model already in --output."),
    seed: int = typer.Option(0, "--seed"),
    base: Optional[str] = typer.Option(None, "--base", help="Add DATA to what this model learned ('default' = the shipped model); our corpora are not needed."),
    new_weight: float = typer.Option(1.0, "--new-weight", min=0.01, help="With --base: weight of each new article relative to a base article."),
    replace_labels: bool = typer.Option(False, "--replace-labels", help="With --base: ignore what it learned and train on DATA alone."),
    leave_out: Optional[str] = typer.Option(None, "--leave-one-out", help="Also fit without each group of this column (e.g. corpus) and measure on it; the card records the figures."),
    calibrate_by: Optional[str] = typer.Option(None, "--calibrate-by", help="Column whose groups (e.g. corpus) are held out in turn to calibrate confidence and tune the decision."),
):
    """Train a model, print held-out metrics, write the model and its card."""
    from .model.store import save_model
    from .training.data import load_labelled
    from .training.metrics import format_metrics
    from .training.train import train as train_model

    try:
        if (output / "model.json").exists() and not force:
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
            trained, card, features = retrain(
                base_dir, frame, test_groups=groups, split_by=split_by, test_size=test_size, seed=seed,
                new_weight=new_weight,
            )
        else:
            from .training.corpora import licence_notes

            trained, card, features = train_model(
                frame, test_groups=groups, split_by=split_by, test_size=test_size, seed=seed,
                calibrate_by=calibrate_by, licences=licence_notes(data), leave_out=leave_out,
            )
            if base is not None:
                card["lineage"] = [{"replaced_labels_of": base, "date": card["created"]}]
        card = save_model(trained, card, output, force=force, features=features)
    except ClassifyError as exc:
        _fail(str(exc))
    for name, ev in (card.get("evaluations") or {}).items():
        per = ", ".join(f"{g} {m['macro_f1']:.3f}" for g, m in ev.items() if isinstance(m, dict) and g != "pooled")
        typer.echo(f"{name}: macro-F1 {per}; mean {ev['mean_macro_f1']:.3f}")
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
    """Per-label precision/recall/F1 and the confusion matrix on labelled data.

    Any number of articles per label will do (a small set is measured and
    warned about); labels the model does not know count as errors."""
    from .tagging.write import check_folder, check_target
    from .training.data import evaluation_warnings, load_labelled
    from .training.metrics import format_metrics, metrics_from_proba

    try:
        # output places are checked before the data is read and predicted
        if output is not None:
            check_target(output)
        if plots is not None:
            check_folder(plots, "--plots")
        loaded, _dir = _load(model)
        frame = load_labelled(
            data, text_column=text_column, label_column=label_column, corpora_dir=corpora, training=False
        )
        for warning in evaluation_warnings(frame, loaded.labels):
            typer.echo(f"warning: {warning}", err=True)
        labels = frame["label"].to_numpy()
        proba = loaded.predict_proba(frame["text"].tolist())
        predicted = loaded.decide(proba)
        metrics = metrics_from_proba(labels, proba, loaded.labels, predicted)
        if plots is not None:
            from .training.plots import save_plots

            for path in save_plots(labels, proba, loaded.labels, predicted, plots):
                typer.echo(f"wrote {path}", err=True)
        if output is not None:
            output.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except ClassifyError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or output or plots}: {exc.strerror or exc}")
    typer.echo(format_metrics(metrics))


@app.command()
def info(model: Optional[Path] = typer.Option(None, "--model", "-m")):
    """Show a model's card: labels, data, held-out metrics, versions, licence."""
    from .model.card import format_card, read_card

    model_dir = _model_dir(model)
    try:
        card = read_card(model_dir)
    except ClassifyError as exc:
        _fail(str(exc))
    typer.echo(format_card(card, model_dir))


@app.command("explain-model")
def explain_model(
    model: Optional[Path] = typer.Option(None, "--model", "-m"),
    top: int = typer.Option(15, "--top", min=1, help="Features per label and kind."),
):
    """The strongest features per label: check that a label learned its topic,
    not an outlet's boilerplate. Features are shown normalised."""
    from .model.explain import top_features

    try:
        loaded, _dir = _load(model)
    except ClassifyError as exc:
        _fail(str(exc))
    for label, branches in top_features(loaded, top).items():
        typer.echo(label)
        for branch, feats in branches.items():
            shown = ", ".join(f"{term.replace(' ', '_')} {w:.2f}" for term, w in feats)
            typer.echo(f"  {branch:<6} {shown}")


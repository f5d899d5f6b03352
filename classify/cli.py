"""The `classify` command: a thin typer layer over plain functions.

Each command parses its options, calls one function and prints. Errors are
turned into one line on stderr and an exit code in one place
(:func:`_command`); the codes are named in :mod:`classify.errors`.
"""

import functools
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .errors import EXIT_USER_ERROR, ClassifyError, Interrupted, UsageError
from .tagging.read import DEFAULT_PATTERN

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # plain click messages: a usage error is "Error: ..." text, not a drawn box
    rich_markup_mode=None,
    help="Tag Arabic news articles: government-communication, press-freedom or other.",
)


class Format(str, Enum):
    """Output formats of `predict --format`."""
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class Engine(str, Enum):
    """Where `predict` runs: this machine, or a Dask cluster."""
    local = "local"
    dask = "dask"


def _command(fn):
    """Register ``fn`` as a command whose errors end in one line and an exit code."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ClassifyError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # a file the command was told to write or read
            typer.echo(f"error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except KeyboardInterrupt:
            typer.echo("error: interrupted", err=True)
            raise typer.Exit(Interrupted.exit_code) from None

    return app.command(fn.__name__.replace("_", "-"))(run)


def _model_dir(model: Optional[Path]) -> Path:
    from .paths import default_model_dir

    return model if model is not None else default_model_dir()


def _load(model: Optional[Path]):
    from .model.store import load_model

    return load_model(_model_dir(model))


def _paths(paths, from_list: Optional[Path]) -> list[str]:
    paths = list(paths or [])
    if from_list is not None:
        try:
            paths += [ln.strip() for ln in from_list.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except UnicodeDecodeError:
            raise ClassifyError(f"{from_list}: not UTF-8; --from-list needs a UTF-8 file of paths") from None
    return paths


def _pairs(pairs, option: str) -> dict:
    """KEY=VALUE option values (``--set``, ``--storage-option``); a value that
    reads as JSON (true, 3, {"region_name": "eu-west-1"}) is taken as such,
    else as a string."""
    import json

    options = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {pair!r}: needs KEY=VALUE")
        try:
            options[key.strip()] = json.loads(value)
        except ValueError:
            options[key.strip()] = value
    return options


@_command
def predict(
    paths: Optional[List[str]] = typer.Argument(None, help="Files, folders (recursive), glob patterns, URLs (s3://bucket/prefix, gs://, abfs://, hdfs://, file://), or - for stdin."),
    format: Optional[Format] = typer.Option(None, "--format", "-f", help="Default: from --output's suffix, else table."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write rows here (atomically) instead of stdout; a path or a URL."),
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
    engine: Engine = typer.Option(Engine.local, "--engine", help="dask runs on a Dask cluster (pip install 'classify[dask]')."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --engine dask: scheduler address (default: a local cluster of --jobs workers)."),
    storage_option: Optional[List[str]] = typer.Option(None, "--storage-option", help="KEY=VALUE for the file system of URL inputs and outputs (e.g. endpoint_url=http://..., anon=true); repeatable."),
):
    """Tag articles; one row per input, unreadable ones with their reason."""
    from .tagging.run import run
    from .tagging.outputs import kept_rows_at
    from .tagging.write import format_for

    if format == Format.parquet and output is None:
        raise UsageError("--format parquet needs --output FILE")
    if resume and output is None:
        raise UsageError("--resume needs --output FILE")
    if scheduler and engine != Engine.dask:
        raise UsageError("--scheduler goes with --engine dask")
    if not paths and from_list is None:
        raise UsageError("nothing to tag: give PATH..., - for stdin, or --from-list FILE")
    inputs = _paths(paths, from_list)
    options = _pairs(storage_option, "--storage-option")
    fmt = format_for(output, format.value if format else None)
    model_dir = _model_dir(model)
    loaded = _load(model)
    try:
        summary = run(
            loaded, model_dir, inputs, output=output, fmt=fmt, force=force, resume=resume, jobs=jobs,
            min_confidence=min_confidence, pattern=pattern, text_column=text_column, id_column=id_column,
            max_bytes=max_bytes, progress=sys.stderr.isatty() and output is not None, explain=explain,
            engine=engine.value, scheduler=scheduler, storage_options=options,
        )
    except KeyboardInterrupt:
        kept = kept_rows_at(output, options) if output is not None else None
        if kept:
            raise Interrupted(
                f"interrupted; the rows written so far are kept in {kept}: "
                "run the same command with --resume to go on"
            ) from None
        raise
    if output is not None or summary.has_news:
        typer.echo(summary.line(), err=True)
    raise typer.Exit(summary.exit_code)


@_command
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
    leave_out: Optional[str] = typer.Option(None, "--leave-one-out", help="Also fit without each group of this column (e.g. corpus) and measure on it; the card records the figures."),
    calibrate_by: Optional[str] = typer.Option(None, "--calibrate-by", help="Column whose groups (e.g. corpus) are held out in turn to calibrate confidence and tune the decision."),
    settings: Optional[List[str]] = typer.Option(None, "--set", help="Pipeline setting KEY=VALUE (e.g. C=0.1, lead_tokens=60, min_groups=2, written_weight=3: each row with method=written counts three times); repeatable."),
):
    """Train a model, print held-out metrics, write the model and its card."""
    from .model.card import format_evaluations, format_metrics
    from .training.files import check_settings, train_from_files

    base_dir = None if base is None else (_model_dir(None) if base == "default" else Path(base))
    card = train_from_files(
        data, output, text_column=text_column, label_column=label_column, split_by=split_by,
        test_groups=test_groups, test_size=test_size, corpora=corpora, force=force, seed=seed, base=base,
        base_dir=base_dir, new_weight=new_weight, replace_labels=replace_labels, leave_out=leave_out,
        calibrate_by=calibrate_by, settings=check_settings(_pairs(settings, "--set")),
    )
    if card.get("retrain_report"):
        from .training.retrain import format_report

        typer.echo(format_report(card["retrain_report"]))
    else:
        for line in format_evaluations(card):
            typer.echo(line)
        typer.echo(f"held-out: {card['data']['split']}")
        if card["heldout_metrics"]:
            typer.echo(format_metrics(card["heldout_metrics"]))
    typer.echo(f"model written to {output}")


@_command
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
    from .training.evaluate import evaluate_files
    from .model.card import format_metrics

    metrics = evaluate_files(
        _load(model), data, text_column=text_column, label_column=label_column, corpora=corpora, output=output,
        plots=plots, warn=lambda w: typer.echo(f"warning: {w}", err=True),
    )
    for path in metrics.get("plots", []):
        typer.echo(f"wrote {path}", err=True)
    typer.echo(format_metrics(metrics))


@_command
def info(model: Optional[Path] = typer.Option(None, "--model", "-m")):
    """Show a model's card: labels, data, held-out metrics, versions, licence."""
    from .model.card import format_card, read_card

    model_dir = _model_dir(model)
    typer.echo(format_card(read_card(model_dir), model_dir))


@_command
def explain_model(
    model: Optional[Path] = typer.Option(None, "--model", "-m"),
    top: int = typer.Option(15, "--top", min=1, help="Features per label and kind."),
):
    """The strongest features per label: check that a label learned its topic,
    not an outlet's boilerplate. Features are shown normalised."""
    from .model.explain import format_top_features, top_features

    typer.echo(format_top_features(top_features(_load(model), top)))

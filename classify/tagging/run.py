"""One batch run: inputs -> model -> output file, with a summary; in batches,
optionally over processes.

Exit status contract (documented in the README): 0 every input was tagged,
3 some inputs could not be read (each has a row with its reason), 1 a user
error stopped the run before it began, 2 bad command-line usage.
"""

import glob
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import EXIT_OK, EXIT_SOME_FAILED, ClassifyError
from .inputs import expand, iter_articles, path_of, read_refs
from .outputs import open_writer
from .read import COLLECTION_SUFFIXES, DEFAULT_PATTERN, Listing
from .rows import BATCH, batches, columns, tag, tag_batch
from .urls import as_local, is_url


@dataclass
class Summary:
    """Counts of one run, for its summary line and exit code."""

    per_label: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    skipped: int = 0
    seconds: float = 0.0
    listing: Listing = field(default_factory=Listing)

    @property
    def tagged(self) -> int:
        """Articles that got a label."""
        return sum(self.per_label.values())

    @property
    def exit_code(self) -> int:
        """The command's exit code: some articles failed, or none did."""
        return EXIT_SOME_FAILED if self.failed else EXIT_OK

    def line(self) -> str:
        """The one-line summary printed on stderr after a batch run."""
        rate = self.tagged / self.seconds if self.seconds > 0 else 0.0
        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.per_label.items())) or "none"
        text = f"tagged {self.tagged} ({labels})"
        if self.failed:
            text += "; failed " + str(sum(self.failed.values())) + " ("
            text += ", ".join(f"{k}: {v}" for k, v in self.failed.most_common()) + ")"
        if self.skipped:
            text += f"; skipped {self.skipped} already in the output"
        if self.listing.not_matched:
            counts = ", ".join(f"{n} {suffix}" for suffix, n in self.listing.not_matched.most_common())
            text += f"; not matched: {counts} (add them with --pattern)"
        if self.listing.links_not_followed:
            n = self.listing.links_not_followed
            text += f"; {n} symlinked folder{'s' if n != 1 else ''} already listed, not followed again"
        return text + f"; {self.seconds:.1f} s, {rate:.0f} articles/s"

    @property
    def has_news(self) -> bool:
        """Whether the summary says more than one row's own output does."""
        rows = self.tagged + sum(self.failed.values())
        return rows > 1 or bool(self.skipped or self.listing.not_matched or self.listing.links_not_followed)


def run(
    model,
    model_dir,
    paths,
    *,
    output: Path | None = None,
    fmt: str = "table",
    force: bool = False,
    resume: bool = False,
    jobs: int = 1,
    min_confidence: float | None = None,
    pattern: str = DEFAULT_PATTERN,
    text_column: str = "text",
    id_column: str | None = None,
    max_bytes: int | None = None,
    progress: bool = False,
    stdin=None,
    batch_size: int = BATCH,
    explain: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    storage_options: dict | None = None,
) -> Summary:
    """Tag every input into ``output`` (or stdout); returns the summary.

    The output is checked and opened before any article is read. With
    ``resume``, the complete rows already written (see :mod:`.write`) are
    kept and only the other inputs are tagged; the local engine then writes
    the rows in input order, as a clean run would.

    Inputs and ``output`` may be fsspec URLs (s3://, gs://, ...; see
    :mod:`.storage`), opened with ``storage_options``.
    """
    summary = Summary()
    if _many(paths):
        model.warm_up()  # start-up, like loading the model: not tagging time
    started = time.perf_counter()
    cols = columns(model.labels, explain)
    output = as_local(output)
    if output is not None and not is_url(output):
        output = Path(output)
    kwargs = {"pattern": pattern, "text_column": text_column, "id_column": id_column, "stdin": stdin}
    if storage_options:
        kwargs["storage_options"] = storage_options
    if max_bytes is not None:
        kwargs["max_bytes"] = max_bytes
    order = None
    if engine == "dask":
        from .dask_engine import check_inputs, tag_on_dask, write_partitioned

        files = list(expand(paths, pattern, summary.listing, storage_options))
        check_inputs(files)
        reader = {k: v for k, v in kwargs.items() if k not in ("pattern", "stdin")}
        if fmt == "parquet" and output is not None and not Path(str(output).rstrip("/")).suffix:
            # a folder: the workers write one Parquet file per partition
            if resume:
                raise ClassifyError("--resume is not supported for a partitioned Parquet folder")
            per_label, errors = write_partitioned(
                model, files, output, cols, force=force, scheduler=scheduler, workers=jobs,
                reader_options=reader, min_confidence=min_confidence, explain=explain, batch_size=batch_size,
            )
            summary.per_label.update(per_label)
            summary.failed.update(_reason(e) for e in errors)
            summary.seconds = time.perf_counter() - started
            return summary
        writer = open_writer(output, fmt, cols, force=force, resume=resume, storage_options=storage_options)
        done = writer.done
        if done:
            summary.skipped = sum(path_of(f) in done for f in files)
            files = [f for f in files if path_of(f) not in done]
        rows = tag_on_dask(
            model, files, scheduler=scheduler, workers=jobs, reader_options=reader,
            min_confidence=min_confidence, explain=explain, batch_size=batch_size,
        )
        if done:  # records of collections (file#id) already in the output
            rows = _skip_rows(rows, done, summary)
    else:
        writer = open_writer(output, fmt, cols, force=force, resume=resume, storage_options=storage_options)
        done = writer.done
        # with several processes, the workers read the files they tag
        articles = iter_articles(paths, **kwargs, defer_files=jobs > 1, listing=summary.listing)
        if done:
            order = []
            articles = _skip(_recorded(articles, order), done, summary)
        if jobs > 1:
            rows = tag_parallel(
                model_dir, articles, jobs=jobs, model=model, min_confidence=min_confidence, explain=explain,
                batch_size=batch_size,
            )
        else:
            rows = tag(model, articles, min_confidence=min_confidence, explain=explain, batch_size=batch_size)
    bar = _progress() if progress else None
    try:
        for row in rows:
            writer.write(row)
            if row["error"]:
                summary.failed[_reason(row["error"])] += 1
            else:
                summary.per_label[row["label"]] += 1
            if bar is not None:
                bar[0].advance(bar[1])
        writer.close(order)
    except BaseException:
        writer.abort()
        raise
    finally:
        if bar is not None:
            bar[0].stop()
    summary.seconds = time.perf_counter() - started
    return summary


def _many(paths) -> bool:
    """Whether the inputs may hold many articles: several paths, a folder, a
    glob, a URL or a collection file (not one article file, nor stdin)."""
    if len(paths) != 1:
        return True
    name = str(paths[0])
    if name == "-":
        return False
    if is_url(name) or glob.has_magic(name):  # a glob, as expand() tells one
        return True
    path = Path(name)
    return path.is_dir() or path.suffix.lower() in COLLECTION_SUFFIXES


def _recorded(articles, order: list):
    # the paths of a clean run, in input order, for the resumed output
    for art in articles:
        order.append(art.path)
        yield art


def _skip_rows(rows, done, summary):
    for row in rows:
        if row["path"] in done:
            summary.skipped += 1
        else:
            yield row


def _skip(articles, done, summary):
    for art in articles:
        if art.path in done:
            summary.skipped += 1
        else:
            yield art


def _reason(error: str) -> str:
    # "file is 123 bytes, over the ..." -> group by the reason, not the number
    return error.split(" (")[0] if not error.startswith("file is ") else "over --max-bytes"


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("tagging"), BarColumn(), TextColumn("{task.completed} articles"), TimeElapsedColumn(),
        console=Console(file=sys.stderr), transient=True,
    )
    progress.start()
    return progress, progress.add_task("tag", total=None)


# --- several processes: each loads the model once, batches keep input order.
_WORKER_MODEL = None


def _init_worker(model_dir):
    global _WORKER_MODEL
    from ..model.store import load_model

    _WORKER_MODEL = load_model(model_dir)
    _WORKER_MODEL.warm_up()


def _work(args):
    batch, min_confidence, explain = args
    batch = read_refs(batch)
    return tag_batch(_WORKER_MODEL, batch, min_confidence, explain)


def tag_parallel(
    model_dir, articles, *, jobs: int, model=None, min_confidence=None, explain=False, batch_size=BATCH
) -> Iterator[dict]:
    """As :func:`tag`, over ``jobs`` processes; ``articles`` may hold
    FileRefs, which the workers read."""
    import multiprocessing as mp

    global _WORKER_MODEL
    fork = mp.get_start_method(allow_none=True) != "spawn"
    ctx = mp.get_context("fork" if fork else "spawn")
    pending = batches(articles, batch_size)
    if fork and model is not None:
        # forked workers share the parent's loaded model (copy-on-write),
        # with its indexes and compiled kernels (run() loaded them), instead
        # of each spending a cold start loading them again
        _WORKER_MODEL, init = model, None
    else:
        init = _init_worker
    with ctx.Pool(jobs, initializer=init, initargs=(str(model_dir),) if init else ()) as pool:
        work = ((b, min_confidence, explain) for b in pending)
        for rows in pool.imap(_work, work, chunksize=1):
            yield from rows

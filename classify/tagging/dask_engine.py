"""Batch tagging on a Dask cluster (``--engine dask``), for archives past one machine.

The same readers, model and row builder as the local path run on the
workers: the client only lists the input files and writes the rows, in input
order, through the same atomic writer. The model is scattered to each worker
once; partitions that were running on a worker that died are recomputed by
Dask (and a partition's rows are written once, from its one result), so a lost
worker neither loses nor duplicates rows. Local files must be readable by
the workers at the same paths (a shared or network file system); objects
behind URLs (s3://, gs://, ...) are fetched by the workers themselves: the
client lists the keys and sends those, never the bytes.
"""

import shutil
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import ClassifyError
from .inputs import iter_articles
from .outputs import write_parquet_part
from .rows import tag
from .storage import RemoteDataset
from .urls import is_url


def _tag_partition(paths: list[str], model, reader_options: dict, min_confidence, explain, rows_per_batch) -> list[dict]:
    # the client listed them: files and error rows, no folders or globs
    articles = iter_articles(paths, **reader_options, listed=True)
    return list(tag(model, articles, min_confidence=min_confidence, explain=explain, batch_size=rows_per_batch))


def _tag_partition_to_parquet(paths, part, model, reader_options, min_confidence, explain, rows_per_batch, columns):
    rows = _tag_partition(paths, model, reader_options, min_confidence, explain, rows_per_batch)
    write_parquet_part(rows, columns, part, reader_options.get("storage_options"))
    return Counter(r["label"] for r in rows if not r["error"]), [r["error"] for r in rows if r["error"]]


@contextmanager
def _connect(scheduler: str | None, workers: int):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClassifyError("--engine dask needs Dask: pip install 'classify[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise ClassifyError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            yield client


def check_inputs(files):
    """Refuse, before any work, inputs the workers cannot read."""
    if "-" in files:
        raise ClassifyError("--engine dask reads files on the workers; stdin (-) is not supported")


def _submit(client, func, model, files, batch_size, **kwargs):
    model_on_workers = client.scatter(model, broadcast=True)  # once per worker
    partitions = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
    # client.map keeps `batch_size` for itself, hence rows_per_batch
    return client.map(
        func, partitions, *kwargs.pop("per_partition", []), model=model_on_workers, rows_per_batch=batch_size,
        retries=3, pure=False, **kwargs,
    )


def tag_on_dask(
    model,
    files: list[str],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    reader_options: dict | None = None,
    min_confidence=None,
    explain: bool = False,
    batch_size: int = 256,
) -> Iterator[dict]:
    """Rows for ``files`` (already expanded), in order, from the cluster at
    ``scheduler`` or from a local cluster of ``workers`` processes."""
    check_inputs(files)
    with _connect(scheduler, workers) as client:
        futures = _submit(
            client, _tag_partition, model, files, batch_size,
            reader_options=reader_options or {}, min_confidence=min_confidence, explain=explain,
        )
        for future in futures:  # input order, whatever order they finish in
            yield from future.result()
            future.release()


def write_partitioned(
    model,
    files: list[str],
    out_dir,
    columns: list[str],
    *,
    force: bool = False,
    scheduler: str | None = None,
    workers: int = 2,
    reader_options: dict | None = None,
    min_confidence=None,
    explain: bool = False,
    batch_size: int = 256,
):
    """Workers write ``part-NNNNN.parquet`` files (one per partition, in input
    order) into a hidden folder that is renamed to ``out_dir`` when all are
    done. Returns (tagged per label, error messages). At a URL, see
    :class:`~.storage.RemoteDataset`."""
    check_inputs(files)
    if is_url(out_dir):
        return _write_partitioned_url(
            model, files, out_dir, columns, force=force, scheduler=scheduler, workers=workers,
            reader_options=reader_options or {}, min_confidence=min_confidence, explain=explain,
            batch_size=batch_size,
        )
    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise ClassifyError(f"{out_dir}: already exists; pass --force to replace it")
    if out_dir.exists() and not out_dir.is_dir():
        raise ClassifyError(f"{out_dir}: is a file; a partitioned Parquet output is a folder")
    if not out_dir.parent.is_dir():
        raise ClassifyError(f"{out_dir}: folder {out_dir.parent} does not exist")
    # a fixed name, so a crashed run's leftover is replaced; made with
    # os.mkdir, whose mode follows the umask (mkdtemp's is always 0700)
    tmp = out_dir.with_name(f".{out_dir.name}.part")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        tmp.mkdir()
    except OSError as exc:
        raise ClassifyError(f"{out_dir}: cannot write in {out_dir.parent} ({exc.strerror or exc})") from None
    per_label, errors = Counter(), []
    try:
        with _connect(scheduler, workers) as client:
            n = (len(files) + batch_size - 1) // batch_size
            parts = [str(tmp / f"part-{i:05d}.parquet") for i in range(n)]
            futures = _submit(
                client, _tag_partition_to_parquet, model, files, batch_size, per_partition=[parts],
                reader_options=reader_options or {}, min_confidence=min_confidence, explain=explain,
                columns=columns,
            )
            for future in futures:
                labels, errs = future.result()
                per_label.update(labels)
                errors += errs
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.replace(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return per_label, errors


def _write_partitioned_url(model, files, url, columns, *, force, scheduler, workers, reader_options, **kwargs):
    dataset = RemoteDataset(url, reader_options.get("storage_options"), force)
    per_label, errors = Counter(), []
    batch_size = kwargs.pop("batch_size")
    try:
        with _connect(scheduler, workers) as client:
            n = (len(files) + batch_size - 1) // batch_size
            parts = [dataset.part_url(i) for i in range(n)]
            futures = _submit(
                client, _tag_partition_to_parquet, model, files, batch_size, per_partition=[parts],
                reader_options=reader_options, columns=columns, **kwargs,
            )
            for future in futures:
                labels, errs = future.result()
                per_label.update(labels)
                errors += errs
        dataset.publish(n)
    finally:
        dataset.cleanup()
    return per_label, errors

"""Batch tagging on a Dask cluster (``--engine dask``), for archives past one machine.

The same readers, model and row builder as the local path run on the
workers: the client only lists the input files and writes the rows, in input
order, through the same atomic writer. The model is scattered to each worker
once; partitions that were running on a worker that died are recomputed by
Dask (and a partition's rows are written once, from its one result), so a lost
worker neither loses nor duplicates rows. Files must be readable by the
workers at the same paths (a shared or network file system).
"""

from typing import Iterator

from .errors import ClassifyError


def _tag_partition(paths: list[str], model, reader_options: dict, min_confidence, explain, rows_per_batch) -> list[dict]:
    from .inputs import iter_articles
    from .predict import tag

    articles = iter_articles(paths, **reader_options)
    return list(tag(model, articles, min_confidence=min_confidence, explain=explain, batch_size=rows_per_batch))


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
    client=None,
) -> Iterator[dict]:
    """Rows for ``files`` (already expanded), in order. ``client`` lets a
    caller bring its own; otherwise connect to ``scheduler`` or start a local
    cluster of ``workers`` processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClassifyError("--engine dask needs Dask: pip install 'classify[dask]'") from None
    if "-" in files:
        raise ClassifyError("--engine dask reads files on the workers; stdin (-) is not supported")
    own_client = cluster = None
    if client is None:
        if scheduler:
            try:
                client = own_client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ClassifyError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        else:
            cluster = LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = own_client = Client(cluster)
    try:
        model_on_workers = client.scatter(model, broadcast=True)
        partitions = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
        futures = client.map(
            _tag_partition,
            partitions,
            model=model_on_workers,
            reader_options=reader_options or {},
            min_confidence=min_confidence,
            explain=explain,
            rows_per_batch=batch_size,  # client.map keeps `batch_size` for itself
            retries=3,
            pure=False,
        )
        for future in futures:  # input order, whatever order they finish in
            yield from future.result()
            future.release()
    finally:
        if own_client is not None:
            own_client.close()
        if cluster is not None:
            cluster.close()

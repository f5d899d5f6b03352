"""Where a run writes: a local file (or stdout) through write.py, an object
behind a URL through storage.py, chosen by the output's name."""

from pathlib import Path

from . import storage
from .urls import as_local, is_url
from .write import AtomicWriter, parquet_table, sidecar_of, write_parquet_file


def open_writer(path, fmt: str, columns: list[str], *, force=False, resume=False, storage_options=None):
    """The writer for ``path``: :class:`~.write.AtomicWriter` for a local path
    (or stdout), :class:`~.storage.RemoteWriter` for a URL."""
    path = as_local(path)
    if is_url(path):
        return storage.RemoteWriter(path, fmt, columns, force=force, resume=resume, options=storage_options)
    return AtomicWriter(path, fmt, columns, force=force, resume=resume)


def kept_rows_at(path, storage_options=None) -> str | None:
    """Where an interrupted run writing ``path`` kept its rows, if it kept any."""
    path = as_local(path)
    if is_url(path):
        return storage.remote_sidecar(path, storage_options)
    part = sidecar_of(Path(path))
    return str(part) if part.exists() else None


def write_parquet_part(rows: list[dict], columns: list[str], path, storage_options=None) -> None:
    """One file of a partitioned Parquet output, written whole: a local file
    under a temporary name and renamed, so a re-run task replaces it whole,
    or one object at a URL."""
    table = parquet_table(rows, columns)
    if is_url(path):
        storage.write_parquet_url(table, path, storage_options)
    else:
        write_parquet_file(table, path)

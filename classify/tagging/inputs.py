"""What a run reads: the names the user gave (files, folders, globs, collections,
"-" for stdin, URLs) in order, as articles.

Each name goes to the reader of its kind: local files and folders to read.py,
objects behind URLs to storage.py, which decodes them with read.py's code. A
URL's objects are fetched many at a time; with ``--jobs`` single-article files
come as references (:class:`FileRef`) that the worker tagging them reads.
Storage functions are called through the module (``storage.read_urls``), looked
up at each call, so that what replaces one (tests/test_storage.py) is what runs.
"""

import glob
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from . import storage
from .read import (
    COLLECTION_SUFFIXES, DEFAULT_MAX_BYTES, DEFAULT_PATTERN, Article, Listing, read_collection, read_file,
    read_stdin, walk_folder,
)
from .urls import as_local, is_url


@dataclass
class FileRef:
    """A single-article file not read yet: with ``--jobs``, the worker that
    tags it reads it, so the parent process only lists and writes. A URL's
    ref carries the storage options it is read with."""

    path: str
    max_bytes: int
    storage_options: dict | None = None

    def read(self) -> Article:
        """The article this ref points at, read now (errors in ``Article.error``)."""
        if is_url(self.path):
            return read_refs([self])[0]
        return read_file(Path(self.path), self.max_bytes)


def read_refs(batch: list) -> list:
    """A batch with its FileRefs read; URL objects are fetched together
    (concurrently), local files one by one as before."""
    urls = [i for i, a in enumerate(batch) if isinstance(a, FileRef) and is_url(a.path)]
    if not urls:
        return [a.read() if isinstance(a, FileRef) else a for a in batch]
    out = [a.read() if isinstance(a, FileRef) and not is_url(a.path) else a for a in batch]
    ref = batch[urls[0]]
    for i, art in zip(urls, storage.read_urls([batch[i].path for i in urls], ref.max_bytes, ref.storage_options)):
        out[i] = art
    return out


def expand(
    paths: Iterable[str],
    pattern: str = DEFAULT_PATTERN,
    listing: Listing | None = None,
    storage_options: dict | None = None,
) -> Iterator:
    """Paths, folders (recursive, by pattern) and globs, in a stable order.

    ``pattern`` may list several globs separated by commas ("*.txt,*.html");
    they match file names whatever their case. Yields paths (str), and an
    :class:`Article` with the reason for a folder that cannot be listed or a
    glob that matches nothing. What folders hold but no pattern matches is
    counted in ``listing``. URLs (s3://, gs://, ...) are listed through
    fsspec (see :mod:`.storage`): a prefix is a folder; file:// URLs are
    the local paths they name.
    """
    patterns = [p.strip() for p in pattern.split(",") if p.strip()]
    listing = listing if listing is not None else Listing()
    for raw in paths:
        if isinstance(raw, Article) or raw == "-":
            yield raw
            continue
        raw = as_local(raw)
        if is_url(raw):
            yield from storage.expand_url(raw, patterns, listing, storage_options)
            continue
        p = Path(raw)
        if p.is_dir():
            yield from walk_folder(raw, patterns, listing)
        elif not p.exists() and not p.is_symlink() and glob.has_magic(raw):
            matched = sorted(glob.glob(raw, recursive=True))
            if not matched:
                yield Article(raw, error="no file matches this pattern")
            for m in matched:
                yield from walk_folder(m, patterns, listing) if os.path.isdir(m) else [m]
        else:
            yield raw


def path_of(item) -> str:
    """The path of what :func:`expand` or :func:`iter_articles` yields."""
    return item if isinstance(item, str) else item.path


def iter_articles(
    paths: Iterable[str],
    *,
    pattern: str = DEFAULT_PATTERN,
    text_column: str = "text",
    id_column: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin=None,
    defer_files: bool = False,
    listing: Listing | None = None,
    storage_options: dict | None = None,
    listed: bool = False,
) -> Iterator[Article | FileRef]:
    """Every article of the inputs, in order, unreadable ones with their
    reason; with ``defer_files``, single-article files come as FileRefs.
    With ``listed``, ``paths`` are what :func:`expand` gave (files, not
    folders or globs), as a Dask worker receives them."""
    items = paths if listed else expand(paths, pattern, listing, storage_options)
    pending: list[str] = []  # URL objects, fetched together
    for raw in items:
        url = isinstance(raw, str) and is_url(raw)
        collection = url and _suffix(raw) in COLLECTION_SUFFIXES
        if pending and not (url and not collection and not defer_files):
            yield from _read_pending(pending, max_bytes, storage_options)
        if url:
            if collection:
                yield from storage.read_collection_url(raw, text_column, id_column, max_bytes, storage_options)
            elif defer_files:
                yield FileRef(raw, max_bytes, storage_options)
            else:
                pending.append(raw)
                if len(pending) >= storage.FETCH_BATCH:
                    yield from _read_pending(pending, max_bytes, storage_options)
            continue
        if isinstance(raw, Article):
            yield raw
            continue
        if raw == "-":
            yield read_stdin(stdin if stdin is not None else sys.stdin)
            continue
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            yield Article(raw, error=_missing(path))
        elif path.suffix.lower() in COLLECTION_SUFFIXES:
            yield from read_collection(path, text_column, id_column, max_bytes)
        elif defer_files:
            yield FileRef(raw, max_bytes)
        else:
            yield read_file(path, max_bytes)
    if pending:
        yield from _read_pending(pending, max_bytes, storage_options)


def _read_pending(pending: list, max_bytes, storage_options):
    urls = pending[:]
    pending.clear()
    yield from storage.read_urls(urls, max_bytes, storage_options)


def _suffix(url: str) -> str:
    return os.path.splitext(url.rsplit("/", 1)[-1])[1].lower()


def _missing(path: Path) -> str:
    # "Not a directory" when a part of the path is a file, not "no such file"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno not in (None, 2):
            return (exc.strerror or str(exc)).lower()
    return "no such file or directory"

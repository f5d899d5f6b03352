"""Articles and outputs in object storage: fsspec URLs (s3://, gs://, abfs://,
hdfs://, ...) beside local paths.

Only URLs come here (inputs.py and outputs.py send them). A local path, and a
file:// URL (turned into one by :func:`.urls.as_local`), takes the local code
of read.py and write.py; this module reads and writes objects with that same
code (decoders, formats, the sidecar).
fsspec and the store's package (s3fs, gcsfs, adlfs) are imported at the
first URL; when one is missing, the error names what to install.

Credentials and endpoints come from where the store's library looks (for S3:
AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_ENDPOINT_URL, ~/.aws, ...), from fsspec's
configuration (FSSPEC_S3_*, ~/.config/fsspec), and from ``--storage-option
KEY=VALUE``, which is passed to the file system (and so to Dask workers).

Errors are sorted in two kinds. An error of the store as a whole (no
credentials, credentials refused, endpoint unreachable, missing package) stops
the run with one line (:class:`StorageError`). An error of one input (a
missing bucket or key, a key the policy denies, a prefix that cannot be
listed) becomes that input's row, as a missing or unreadable local file does,
and the batch goes on.

Objects are fetched many at a time (``cat_ranges``, concurrent on async
stores such as S3), each with one ranged GET of at most ``max_bytes + 1``
bytes: a size check needs no extra request.
"""

import json
import re
import tempfile
from pathlib import PurePosixPath

from ..errors import ClassifyError
from .read import (
    HTML_SUFFIXES, Article, ReadError, check_text, collection_articles, decode_text, html_to_text, matches_any,
    parquet_articles,
)
from .write import FILE_FORMATS, AtomicWriter, complete_lines, convert_lines, read_rows

# what to install for a protocol, for the one-line error
_EXTRAS = {
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "gs": ("gcsfs", "gcs"),
    "gcs": ("gcsfs", "gcs"),
    "abfs": ("adlfs", "azure"),
    "abfss": ("adlfs", "azure"),
    "az": ("adlfs", "azure"),
    "adl": ("adlfs", "azure"),
    "hdfs": ("fsspec and pyarrow with libhdfs", "hdfs"),
}
# objects read at once (concurrently on async stores)
FETCH_BATCH = 128
# the bucket sidecar: a chunk object every this many rows or seconds
REMOTE_FLUSH_ROWS = 4096
REMOTE_FLUSH_SECONDS = 5.0
# error codes of credentials the store refused (S3's), a store-wide error
_REFUSED = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired"}


class StorageError(ClassifyError):
    """The store cannot be used at all: one line, before or instead of work."""


def scheme(url: str) -> str:
    """The protocol of ``url``, lowercased (of a chained URL such as
    ``simplecache::s3://...``, the last: the store itself)."""
    return url.split("://", 1)[0].split("::")[-1].lower()


def _needs(url: str) -> str:
    package, extra = _EXTRAS.get(scheme(url), ("fsspec and the package for this protocol", None))
    how = f"pip install 'classify[{extra}]'" if extra else "pip install fsspec and the protocol's package"
    return f"{url}: {scheme(url)}:// URLs need {package}: {how} (in this checkout: uv sync --extra {extra or 's3'})"


class Store:
    """A file system and how its stripped paths become URLs again."""

    def __init__(self, fs, prefix: str):
        self.fs, self.prefix = fs, prefix

    def url(self, path: str) -> str:
        """The URL of a path of this store."""
        return self.prefix + path


def open_store(url: str, options: dict | None = None) -> tuple[Store, str]:
    """(store, path in the store) for ``url``; fsspec caches the file
    system, so this is cheap to call again."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise StorageError(_needs(url)) from None
    try:
        fs, path = url_to_fs(url, **(options or {}))
    except ImportError:
        raise StorageError(_needs(url)) from None
    except (ValueError, TypeError) as exc:
        raise StorageError(f"{url}: cannot open this URL ({exc})") from None
    except OSError as exc:  # a file system that connects when made (hdfs: Java, libhdfs)
        err = fatal(exc, url)
        hint = "; hdfs:// needs Java and libhdfs (pyarrow's HadoopFileSystem)" if scheme(url) == "hdfs" else ""
        raise err or StorageError(f"{url}: cannot open the file system ({_message(exc)}){hint}") from None
    bare, stripped = url.rstrip("/"), path.rstrip("/")
    if stripped and bare.endswith(stripped):
        prefix = bare[: len(bare) - len(stripped)]
    else:
        prefix = url.split("://", 1)[0] + "://"
    return Store(fs, prefix), path


def _code(exc) -> str:
    cause = exc.__cause__ or exc.__context__
    response = getattr(cause, "response", None) or getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def fatal(exc: BaseException, url: str) -> StorageError | None:
    """The one-line error when ``exc`` concerns the store as a whole (no
    usable credentials, an endpoint that cannot be reached), else None."""
    name = type(exc).__name__
    code = _code(exc)
    where = scheme(url)
    if "Credential" in name or code in _REFUSED:
        if where in ("s3", "s3a"):
            how = (
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass "
                "--storage-option key=... --storage-option secret=..."
            )
        else:
            how = "see the store's credential settings, or pass them with --storage-option"
        what = "credentials refused" if code in _REFUSED else "no usable credentials"
        return StorageError(f"{url}: {what} for {where}:// ({_message(exc)}); {how}")
    if "EndpointConnection" in name or "ConnectTimeout" in name or "ClientConnector" in name or isinstance(exc, ConnectionError):
        return StorageError(f"{url}: cannot reach the store ({_message(exc)}); check AWS_ENDPOINT_URL or --storage-option endpoint_url=...")
    if isinstance(exc, ImportError):
        return StorageError(_needs(url))
    return None


def _message(exc) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def reason(exc: BaseException, url: str) -> str:
    """The row's error for an input that could not be read (raises the
    store-wide errors instead)."""
    err = fatal(exc, url)
    if err is not None:
        raise err
    if isinstance(exc, FileNotFoundError):
        if _code(exc) == "NoSuchBucket" or "bucket does not exist" in str(exc).lower():
            return f"no such bucket ({_bucket(url)})"
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return f"Permission denied ({_message(exc)})"
    if isinstance(exc, OSError):
        return exc.strerror or _message(exc)
    return _message(exc)


def _bucket(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


# --- listing -------------------------------------------------------------


def expand_url(raw: str, patterns: list[str], listing, options: dict | None):
    """As read.expand for one URL: an object, a prefix (a folder: every
    object under it whose name matches ``patterns``; the rest counted in
    ``listing``), or a glob. Yields URLs, and Articles with the reason for
    what cannot be listed or matches nothing."""
    import glob

    store, path = open_store(raw, options)
    fs = store.fs
    try:
        info = fs.info(path)
    except FileNotFoundError as exc:
        info = None
        missing = exc
    except PermissionError as exc:
        # a HEAD's 403 has no body to say why (a denied key, a missing key
        # without the right to list, refused credentials); a listing says
        try:
            entries = fs.ls(path, detail=True)
        except Exception as listed:  # noqa: BLE001
            yield Article(raw, error=reason(listed, raw))
            return
        if not entries:
            yield Article(raw, error=reason(exc, raw))
            return
        alone = len(entries) == 1 and entries[0].get("name", "").rstrip("/") == path.rstrip("/")
        info = entries[0] if alone else {"type": "directory"}
    except Exception as exc:  # noqa: BLE001 -- sorted by reason()
        yield Article(raw, error=reason(exc, raw))
        return
    if info is None:
        if not glob.has_magic(path):
            yield Article(raw, error=reason(missing, raw))
            return
        try:
            matched = fs.glob(path, detail=True)
        except Exception as exc:  # noqa: BLE001
            yield Article(raw, error=reason(exc, raw))
            return
        if not matched:
            yield Article(raw, error="no file matches this pattern")
        for name in sorted(matched):
            if matched[name].get("type") == "directory":
                yield from _walk_url(store, name, store.url(name), patterns, listing)
            elif not name.endswith("/"):
                yield store.url(name)
        return
    if info.get("type") == "directory":
        yield from _walk_url(store, path, raw, patterns, listing)
    else:
        yield raw


def _walk_url(store: Store, path: str, raw: str, patterns, listing):
    try:
        found = store.fs.find(path, detail=True)
    except Exception as exc:  # noqa: BLE001
        yield Article(raw, error=f"cannot list folder ({reason(exc, raw)})")
        return
    urls = []
    for name, info in found.items():
        # "folder/" marker objects (a console's empty folders) are no articles
        if name.endswith("/") or info.get("type", "file") != "file":
            continue
        base = name.rsplit("/", 1)[-1]
        if matches_any(base, patterns):
            urls.append(store.url(name))
        else:
            listing.not_matched[PurePosixPath(base).suffix.lower() or "no suffix"] += 1
    yield from sorted(urls)


# --- reading -------------------------------------------------------------


def fetch(urls: list[str], max_bytes: int, options: dict | None) -> list:
    """The bytes of each URL, in order, or the ReadError/exception that
    stopped it; objects of one store are fetched together."""
    out: list = [None] * len(urls)
    groups: dict = {}
    for i, url in enumerate(urls):
        # one file system per protocol: only the first URL is parsed in full
        key = url.split("://", 1)[0]
        if key not in groups:
            groups[key] = (open_store(url, options)[0], [])
        store, items = groups[key]
        items.append((i, url, store.fs._strip_protocol(url)))
    for store, items in groups.values():
        fs = store.fs
        for at in range(0, len(items), FETCH_BATCH):
            chunk = items[at : at + FETCH_BATCH]
            got = fs.cat_ranges([p for _, _, p in chunk], 0, max_bytes + 1, on_error="return")
            for (i, url, path), data in zip(chunk, got):
                if isinstance(data, BaseException):
                    err = fatal(data, url)
                    if err is not None:
                        raise err
                    if not isinstance(data, (FileNotFoundError, PermissionError)):
                        # a range past the end of an empty object is refused
                        # by S3 (416): ask for its size
                        data = _empty_or(fs, path, data)
                elif len(data) == 0:
                    data = ReadError("empty file")
                elif len(data) > max_bytes:
                    size = _size(fs, path)
                    data = ReadError(f"file is {size} bytes, over the --max-bytes limit of {max_bytes}")
                out[i] = data
    return out


def _empty_or(fs, path, exc):
    try:
        if fs.info(path).get("size") == 0:
            return ReadError("empty file")
    except Exception:  # noqa: BLE001 -- the first error says more
        pass
    return exc


def _size(fs, path):
    try:
        return fs.info(path)["size"]
    except Exception:  # noqa: BLE001
        return "more than --max-bytes"


def read_urls(urls: list[str], max_bytes: int, options: dict | None) -> list:
    """One Article per URL of a .txt/.html object: the local path's
    decoding, HTML extraction and checks on the fetched bytes."""
    articles = []
    for url, data in zip(urls, fetch(urls, max_bytes, options)):
        if isinstance(data, ReadError):
            articles.append(Article(url, error=str(data)))
        elif isinstance(data, BaseException):
            articles.append(Article(url, error=reason(data, url)))
        else:
            articles.append(article_from_bytes(url, data))
    return articles


def article_from_bytes(name: str, data: bytes):
    """As read.read_file, on bytes already fetched."""
    try:
        text, encoding, note = decode_text(data)
        if PurePosixPath(name).suffix.lower() in HTML_SUFFIXES:
            text = html_to_text(text)
        return Article(name, check_text(text), encoding, note=note)
    except ReadError as exc:
        return Article(name, error=str(exc))


def read_collection_url(url: str, text_column, id_column, max_bytes, options):
    """As read.read_collection, for an object."""
    suffix = PurePosixPath(url).suffix.lower()
    if suffix == ".parquet":
        store, path = open_store(url, options)
        try:
            source = store.fs.open(path, "rb")
        except Exception as exc:  # noqa: BLE001
            yield Article(url, error=reason(exc, url))
            return
        with source:
            yield from parquet_articles(url, text_column, id_column, source=source)
        return
    (data,) = fetch([url], max_bytes, options)
    if isinstance(data, ReadError):
        yield Article(url, error=str(data))
        return
    if isinstance(data, BaseException):
        yield Article(url, error=reason(data, url))
        return
    yield from collection_articles(url, suffix, data, text_column, id_column)


# --- writing -------------------------------------------------------------


def _sibling(path: str, name: str) -> str:
    head = path.rsplit("/", 1)[0] if "/" in path else ""
    return f"{head}/{name}" if head else name


def _base(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def check_output_url(url: str, options: dict | None, what: str = "--output"):
    """(store, path) for an output URL, refused (one line) when its bucket
    is missing or when it names a folder. Exists-checks are the caller's."""
    store, path = open_store(url, options)
    if not path.strip("/") or "/" not in path.strip("/") and _is_bucket_store(store.fs):
        raise StorageError(f"{url}: {what} needs an object name inside the bucket")
    return store, path


def _is_bucket_store(fs) -> bool:
    return hasattr(fs, "split_path")  # s3fs, gcsfs, adlfs: the first part is a bucket


def _exists(store: Store, path: str, url: str):
    """'file', 'directory' or None; store-wide errors raised."""
    try:
        return store.fs.info(path).get("type")
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001
        err = fatal(exc, url)
        if err is not None:
            raise err
        return None  # a denied look-up: the probe write says more


def _probe(store: Store, path: str, data: bytes, url: str, what: str):
    """Write a small object to learn, before any work, that the run can
    write there (bucket present, writes allowed, credentials usable)."""
    try:
        store.fs.pipe_file(path, data)
    except Exception as exc:  # noqa: BLE001
        raise _write_error(exc, url, what) from None


def _write_error(exc, url, what="--output"):
    err = fatal(exc, url)
    if err is not None:
        return err
    if isinstance(exc, FileNotFoundError):
        if _code(exc) == "NoSuchBucket" or "bucket" in str(exc).lower():
            return StorageError(f"{url}: bucket {_bucket(url)} does not exist")
        return StorageError(f"{url}: folder does not exist ({_message(exc)})")
    if isinstance(exc, PermissionError):
        return StorageError(f"{url}: cannot write there, permission denied ({_message(exc)})")
    return StorageError(f"{url}: cannot write {what} ({_message(exc)})")


def remote_sidecar(url: str, options: dict | None = None) -> str | None:
    """The URL of the rows kept for --resume of ``url``, if any were written."""
    try:
        store, path = open_store(url, options)
        part = _sibling(path, f".{_base(path)}.part")
        store.fs.invalidate_cache(part)
        if any(_chunk_index(n) is not None for n in store.fs.ls(part, detail=False)):
            return store.url(part) + "/"
    except Exception:  # noqa: BLE001 -- only for a message after Ctrl-C
        return None
    return None


def _chunk_index(name: str):
    m = re.fullmatch(r"rows-(\d{8})\.jsonl\.part", _base(name))
    return int(m.group(1)) if m else None


class RemoteWriter(AtomicWriter):
    """Rows to an output URL, by the local writer's protocol (see write.py)
    adapted to a store that has no append and no rename.

    The sidecar is a prefix beside the target, ``.NAME.part/``, of JSONL
    chunk objects ``rows-00000000.jsonl.part``, ... (named so that a folder
    pattern for JSONL inputs does not take them) each written whole (an object
    PUT is atomic) every REMOTE_FLUSH_ROWS rows or REMOTE_FLUSH_SECONDS
    seconds. ``--resume`` reads the chunks' complete lines (and a finished
    target's rows). At close, the rows (mirrored in a local temporary file)
    are converted to the target's format, uploaded as ``.NAME.tmp``, moved
    to NAME (server-side copy) and the sidecar removed: NAME only ever holds
    a complete output. Before any work, the writer writes
    ``.NAME.part/header.part``: a missing bucket, denied writes or unusable
    credentials stop the run then, with one line.

    Unlike a local output, two runs writing one URL at once are not detected.
    """

    def __init__(self, url, fmt, columns, *, force=False, resume=False, options=None):
        import time

        self.url, self.fmt, self.columns, self.options = url, fmt, columns, options
        self.done: set[str] = set()
        self.kept = 0
        self.store, self.key = check_output_url(url, options)
        fs = self.store.fs
        kind = _exists(self.store, self.key, url)
        if kind == "directory":
            raise StorageError(f"{url}: is a folder; --output needs a file name")
        if kind == "file" and not (force or resume):
            raise StorageError(f"{url}: already exists; pass --force to overwrite or --resume to continue")
        if resume and fmt not in FILE_FORMATS:
            raise ClassifyError(f"--resume needs a csv, jsonl or parquet --output, not {fmt}")
        name = _base(self.key)
        self.part = _sibling(self.key, f".{name}.part")
        self.tmp = _sibling(self.key, f".{name}.tmp")
        # the local mirror of every row the sidecar holds, for the conversion
        self._file = tempfile.TemporaryFile("w+b")
        self._next = 0
        chunks = self._chunks()
        if resume:
            for chunk in chunks:
                self._file.write(self._read_chunk(chunk, complete_lines))
            self._next = max((_chunk_index(c) for c in chunks), default=-1) + 1
            rows, end = complete_lines(self._file)
            self._file.truncate(end)
            self._file.seek(end)
            self.done = {r["path"] for r in rows}
            self.kept = len(rows)
        elif chunks:
            self._remove(chunks)  # a crash's leftover: a run without --resume starts afresh
        self._flushed = self._file.tell()
        _probe(self.store, f"{self.part}/header.part", json.dumps({"format": fmt, "columns": columns}).encode(), url, "--output")
        if resume and kind == "file":

            with tempfile.TemporaryDirectory() as tmp:
                local = f"{tmp}/{name}"
                try:
                    fs.get_file(self.key, local)
                except Exception as exc:  # noqa: BLE001
                    raise _write_error(exc, url) from None
                for row in read_rows(local, fmt, columns):
                    if row["path"] not in self.done:
                        self._append(row)
                        self.done.add(row["path"])
                        self.kept += 1
            self._flush()
        self._since_flush, self._flushed_at = 0, time.monotonic()

    def _chunks(self) -> list[str]:
        fs = self.store.fs
        try:
            fs.invalidate_cache(self.part)
            names = fs.ls(self.part, detail=False)
        except FileNotFoundError:
            return []
        except Exception as exc:  # noqa: BLE001
            raise _write_error(exc, self.url) from None
        return sorted((n for n in names if _chunk_index(n) is not None), key=_chunk_index)

    def _read_chunk(self, chunk, complete_lines) -> bytes:
        import io

        try:
            data = self.store.fs.cat_file(chunk)
        except Exception as exc:  # noqa: BLE001
            raise _write_error(exc, self.url) from None
        # a torn chunk (possible on a store whose writes are not atomic)
        # keeps its complete lines
        _rows, end = complete_lines(io.BytesIO(data))
        return data[:end]

    def _remove(self, names):
        try:
            self.store.fs.rm(list(names))
        except FileNotFoundError:
            pass

    def write(self, row: dict) -> None:
        """Add one output row; rows go up as a chunk object every
        REMOTE_FLUSH_ROWS rows or REMOTE_FLUSH_SECONDS seconds."""
        import time

        self._append(row)
        self._since_flush += 1
        if self._since_flush >= REMOTE_FLUSH_ROWS or time.monotonic() - self._flushed_at >= REMOTE_FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        """The rows since the last chunk, as one new chunk object."""
        import time

        end = self._file.tell()
        if end > self._flushed:
            self._file.seek(self._flushed)
            data = self._file.read(end - self._flushed)
            name = f"{self.part}/rows-{self._next:08d}.jsonl.part"
            try:
                self.store.fs.pipe_file(name, data)
            except Exception as exc:  # noqa: BLE001
                raise _write_error(exc, self.url) from None
            self._next += 1
            self._flushed = end
        self._since_flush, self._flushed_at = 0, time.monotonic()

    def close(self, order: list[str] | None = None) -> None:
        """Write the output object under its name, complete (rows in
        ``order`` of paths when given), and remove the chunk objects."""
        import os

        self._flush()
        fs = self.store.fs
        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, _base(self.key))
            from pathlib import Path

            convert_lines(self._lines(order), Path(local), self.fmt, self.columns)
            try:
                fs.put_file(local, self.tmp)
                fs.mv(self.tmp, self.key)
            except Exception as exc:  # noqa: BLE001
                raise _write_error(exc, self.url) from None
        self._file.close()
        self._file = None
        self._remove(self._chunks() + [f"{self.part}/header.part"])

    def abort(self) -> None:
        """An interrupted run: the rows not yet in a chunk go to one, so that
        --resume keeps them (or the sidecar goes when it holds none)."""
        if self._file is None:
            return
        try:
            self._flush()
        except Exception:  # noqa: BLE001 -- keep the first error
            pass
        finally:
            self._file.close()
            self._file = None
        try:
            if not self._chunks():
                self._remove([f"{self.part}/header.part"])
        except Exception:  # noqa: BLE001
            pass

    @property
    def sidecar(self) -> str:
        """Where the chunk objects of this output go (what --resume reads)."""
        return self.store.url(self.part) + "/"


# --- partitioned Parquet in a bucket (the Dask engine) --------------------


def write_parquet_url(table, url: str, options: dict | None) -> None:
    """One part of a partitioned output, written whole (a re-run task
    replaces it)."""
    import pyarrow.parquet as pq

    store, path = open_store(url, options)
    with store.fs.open(path, "wb") as fh:
        pq.write_table(table, fh)


class RemoteDataset:
    """A partitioned Parquet output at a URL: the workers write
    ``.NAME.part/part-NNNNN.parquet``; :meth:`publish` moves each part under
    ``NAME/`` and writes ``NAME/_SUCCESS`` last. A store has no rename of a
    folder: the marker says the dataset is complete."""

    def __init__(self, url: str, options: dict | None, force: bool):
        self.url, self.options = url.rstrip("/"), options
        self.store, self.key = check_output_url(self.url, options)
        self.key = self.key.rstrip("/")
        kind = _exists(self.store, self.key, self.url)
        if kind == "file":
            raise StorageError(f"{self.url}: is a file; a partitioned Parquet output is a folder")
        if kind == "directory" and not force:
            raise StorageError(f"{self.url}: already exists; pass --force to replace it")
        self.replace = kind == "directory"
        self.part = _sibling(self.key, f".{_base(self.key)}.part")
        fs = self.store.fs
        try:
            if fs.exists(self.part):
                fs.rm(self.part, recursive=True)  # a crashed run's leftover
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001
            raise _write_error(exc, self.url) from None
        _probe(self.store, f"{self.part}/_started", b"", self.url, "--output")

    def part_url(self, i: int) -> str:
        """The URL a worker writes partition ``i`` to, under the hidden prefix."""
        return self.store.url(f"{self.part}/part-{i:05d}.parquet")

    def publish(self, n: int) -> None:
        """Move the ``n`` partitions into place, then write ``_SUCCESS`` last."""
        fs = self.store.fs
        try:
            if self.replace:
                fs.rm(self.key, recursive=True)
            for i in range(n):
                fs.mv(f"{self.part}/part-{i:05d}.parquet", f"{self.key}/part-{i:05d}.parquet")
            fs.pipe_file(f"{self.key}/_SUCCESS", b"")
        except Exception as exc:  # noqa: BLE001
            raise _write_error(exc, self.url) from None
        self.cleanup()

    def cleanup(self) -> None:
        """Remove the hidden prefix and whatever is left in it."""
        try:
            self.store.fs.rm(self.part, recursive=True)
        except Exception:  # noqa: BLE001 -- nothing left to remove, or the first error matters
            pass

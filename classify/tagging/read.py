"""Find articles and read them, whatever encoding or format they come in.

Every input yields exactly one :class:`Article`: either its text or the
reason it could not be read, so a batch never loses the rest to one bad file.
"""

import csv
import glob
import json
import os
from fnmatch import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import regex

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HTML_SUFFIXES = {".html", ".htm"}
COLLECTION_SUFFIXES = {".jsonl", ".json", ".csv", ".tsv", ".parquet"}

_ARABIC = regex.compile(r"\p{Arabic}")
# Candidate legacy encodings of Arabic archives, tried after UTF-8.
_LEGACY = ("cp1256", "iso8859_6")


@dataclass
class Article:
    path: str
    text: str = ""
    encoding: str = ""
    error: str = ""


@dataclass
class FileRef:
    """A single-article file not read yet: with ``--jobs``, the worker that
    tags it reads it, so the parent process only lists and writes."""

    path: str
    max_bytes: int

    def read(self) -> Article:
        return read_file(Path(self.path), self.max_bytes)


class ReadError(Exception):
    pass


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
        except UnicodeDecodeError:
            raise ReadError("not valid UTF-16 despite its byte-order mark") from None
    if b"\x00" in data[:8192]:
        raise ReadError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_LEGACY)).best()
    if best is not None:
        return str(best), best.encoding
    raise ReadError("unknown encoding (not UTF-8, UTF-16, Windows-1256 or ISO-8859-6)")


def html_to_text(html: str) -> str:
    """Main text of an HTML page, one block element per line."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript, nav, header, footer, aside, form, iframe, svg"):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return ""
    title = tree.css_first("h1")
    text = root.text(separator="\n", strip=True)
    if title is not None and root.css_first("h1") is None:
        text = title.text(strip=True) + "\n" + text
    return text


def check_text(text: str) -> str:
    if not text.strip():
        raise ReadError("no text")
    if not _ARABIC.search(text):
        raise ReadError("no Arabic text; not classified")
    return text


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if path.is_symlink() and not path.exists():
        raise ReadError("broken symbolic link")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file")
    if size > max_bytes:
        raise ReadError(f"file is {size} bytes, over the --max-bytes limit of {max_bytes}")
    with open(path, "rb") as fh:
        return fh.read()


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read one .txt/.html article file."""
    try:
        text, encoding = decode(_read_bytes(path, max_bytes))
        if path.suffix.lower() in HTML_SUFFIXES:
            text = html_to_text(text)
        return Article(str(path), check_text(text), encoding)
    except ReadError as exc:
        return Article(str(path), error=str(exc))
    except OSError as exc:
        return Article(str(path), error=exc.strerror or str(exc))


def read_collection(
    path: Path, text_column: str = "text", id_column: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article]:
    """Each record of a JSONL/JSON/CSV/TSV/Parquet file is an article: ``file#id``."""
    if path.suffix.lower() == ".parquet":
        yield from _parquet_articles(path, text_column, id_column)
        return
    try:
        text, encoding = decode(_read_bytes(path, max_bytes))
    except ReadError as exc:
        yield Article(str(path), error=str(exc))
        return
    except OSError as exc:
        yield Article(str(path), error=exc.strerror or str(exc))
        return
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            records = _jsonl_records(text)
        elif suffix == ".json":
            data = json.loads(text)
            records = iter(data if isinstance(data, list) else [data])
        else:
            records = csv.DictReader(text.splitlines(), delimiter="\t" if suffix == ".tsv" else ",")
        for n, record in enumerate(records, 1):
            yield _record_article(path, n, record, text_column, id_column, encoding)
    except (json.JSONDecodeError, csv.Error) as exc:
        yield Article(f"{path}", error=f"unreadable {suffix[1:].upper()} ({exc})")


def _parquet_articles(path: Path, text_column, id_column) -> Iterator[Article]:
    import pyarrow.parquet as pq

    n = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for record in batch.to_pylist():
                n += 1
                yield _record_article(path, n, record, text_column, id_column, "parquet")
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        yield Article(str(path) if n == 0 else f"{path}#{n + 1}", error=f"unreadable Parquet ({exc})")


def _jsonl_records(text: str):
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadError(f"line {n} is not JSON ({exc.msg})")


def _record_article(path, n, record, text_column, id_column, encoding) -> Article:
    if isinstance(record, ReadError):
        return Article(f"{path}#{n}", error=str(record))
    if not isinstance(record, dict):
        return Article(f"{path}#{n}", error="record is not an object")
    # without --id-column, an "id" field is used when records have one
    key = record.get(id_column or "id")
    ref = f"{path}#{key if key not in (None, '') else n}"
    value = record.get(text_column)
    if text_column not in record:
        return Article(ref, error=f"no '{text_column}' field (use --text-column)")
    try:
        return Article(ref, check_text(str(value or "")), encoding)
    except ReadError as exc:
        return Article(ref, error=str(exc))


def expand(paths: Iterable[str], pattern: str = "*.txt") -> Iterator[str]:
    """Paths, folders (recursive, by pattern) and globs, in a stable order.

    ``pattern`` may list several globs separated by commas ("*.txt,*.html").
    """
    patterns = [p.strip() for p in pattern.split(",") if p.strip()]
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        p = Path(raw)
        if p.is_dir():
            found = []
            for root, _dirs, files in os.walk(p, followlinks=False):
                for name in files:
                    if any(fnmatch(name, pat) for pat in patterns):
                        found.append(os.path.join(root, name))
            yield from sorted(found)
        elif not p.exists() and not p.is_symlink() and glob.has_magic(raw):
            yield from sorted(glob.glob(raw, recursive=True))
        else:
            yield raw


def iter_articles(
    paths: Iterable[str],
    *,
    pattern: str = "*.txt",
    text_column: str = "text",
    id_column: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin=None,
    defer_files: bool = False,
) -> Iterator[Article | FileRef]:
    """Every article of the inputs, in order, unreadable ones with their
    reason; with ``defer_files``, single-article files come as FileRefs."""
    for raw in expand(paths, pattern):
        if raw == "-":
            stream = stdin if stdin is not None else sys.stdin
            data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            try:
                text, encoding = decode(data) if data else ("", "")
                yield Article("-", check_text(text), encoding)
            except ReadError as exc:
                yield Article("-", error=str(exc))
            continue
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            yield Article(raw, error="no such file or directory")
        elif path.suffix.lower() in COLLECTION_SUFFIXES:
            yield from read_collection(path, text_column, id_column, max_bytes)
        elif defer_files:
            yield FileRef(raw, max_bytes)
        else:
            yield read_file(path, max_bytes)

"""Read local articles, whatever encoding or format they come in, and list local folders.

Every input yields exactly one :class:`Article`: either its text or the
reason it could not be read, so a batch never loses the rest to one bad file.
Objects behind URLs are read by storage.py with the same decoders;
inputs.py sends each name the user gave to one or the other.
"""

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterator

import regex

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HTML_SUFFIXES = {".html", ".htm"}
COLLECTION_SUFFIXES = {".jsonl", ".json", ".csv", ".tsv", ".parquet"}
# What a folder gives by default: every single-article format we read.
DEFAULT_PATTERN = "*.txt,*.html,*.htm"

_ARABIC = regex.compile(r"\p{Arabic}")
_LETTER = regex.compile(r"\p{L}")
_ARABIC_LETTER = regex.compile(r"[\p{Arabic}&&\p{L}]", regex.V1)
# What charset-normalizer chooses from.
_LEGACY = ("cp1256", "iso8859_6")
# Arabic legacy encodings, tried in this order when detection finds nothing:
# most common first (Windows, ISO), then Mac (whose letters are ISO's, so it
# reads ISO text with stray bytes), then the DOS code pages.
LEGACY_ENCODINGS = ("cp1256", "iso8859_6", "mac_arabic", "cp720", "cp864")
# "Mostly Arabic": share of the letters that are Arabic for a guessed decoding.
MOSTLY_ARABIC = 0.5
# A decoding with replacements is accepted up to this share of the bytes.
MAX_REPLACED = 0.01
# Binary: more than this share of control bytes. Text, even damaged, has
# well under 1%; random or compressed bytes about 11%, executables and
# images far more.
BINARY_CONTROL_SHARE = 0.05
# C0 controls but tab, LF, VT, FF, CR; and DEL. None of these bytes is part of
# a multi-byte UTF-8 sequence or a character of a single-byte code page, so
# they can be dropped before decoding.
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32), 127])
_CONTROL_CHARS = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Signatures filetype does not name from a short header.
_EXTRA_SIGNATURES = {b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "OLE2 (old Office document)"}


@dataclass
class Article:
    """One article as read: its text, or the one-line reason it could not be
    read (``error``), never both; ``encoding`` names how its bytes were decoded."""

    path: str
    text: str = ""
    encoding: str = ""
    error: str = ""
    # what was done to the text to read it (control characters dropped,
    # bytes replaced); empty when nothing was
    note: str = ""


class ReadError(Exception):
    """A file that cannot be tagged; its message is the reason in the output's ``error`` column."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding name). See
    :func:`decode_text`, which also says what was dropped or replaced."""
    text, encoding, _note = decode_text(data)
    return text, encoding


def decode_text(data: bytes) -> tuple[str, str, str]:
    """Decode an article's bytes; returns (text, encoding, note).

    Raises :class:`ReadError` for a binary file (a known signature, or a high
    share of control bytes) and for bytes no encoding reads. Stray control
    characters (a trailing NUL, a ^Z) are dropped and counted in ``note``.
    """
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _strict_or_replaced(data[3:], "utf-8", notes), "utf-8-sig"
    elif data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        encoding = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
        try:
            text = data[2:].decode(encoding)
        except UnicodeDecodeError:
            raise ReadError("not valid UTF-16 despite its byte-order mark") from None
    else:
        # Padding after the text (NULs, a DOS end-of-file ^Z) is not content;
        # it must not decide that a file is binary.
        body = data.rstrip(b"\x00\x1a")
        kind = binary_signature(body)
        if kind:
            raise ReadError(f"binary file ({kind})")
        clean = body.translate(None, _CONTROL_BYTES)
        if len(body) - len(clean) > BINARY_CONTROL_SHARE * len(body):
            found = _utf16_without_bom(data)
            if found is None:
                share = (len(body) - len(clean)) / len(body)
                raise ReadError(f"binary file ({share:.0%} control bytes)")
            text, encoding = found
        else:
            if len(clean) != len(data):
                notes.append(_dropped(data))
            text, encoding = _decode_plain(clean, notes)
    stray = _CONTROL_CHARS.findall(text)
    if stray:
        text = _CONTROL_CHARS.sub("", text)
        notes.append(_dropped_chars(stray))
    return text, encoding, "; ".join(notes)


def binary_signature(data: bytes) -> str:
    """What a binary file is, from its first bytes ('' when no known binary
    format): PDF, ZIP and Office files, images, executables, archives, media.

    A signature counts only with a control byte in the first kilobyte (every
    binary header has one; text does not), or for PDF, so a text that happens
    to start with "BM" or "MZ" is not taken for a bitmap or an executable.
    """
    head = data[:8192]
    has_control = len(head[:1024].translate(None, _CONTROL_BYTES)) < len(head[:1024])
    if not has_control and not head.startswith(b"%PDF"):
        return ""  # the common case, a text: no need to ask filetype
    for magic, name in _EXTRA_SIGNATURES.items():
        if head.startswith(magic):
            return name
    import filetype

    kind = filetype.guess(head)
    if kind is None or (kind.extension != "pdf" and not has_control):
        return ""
    return f"{kind.extension.upper()}, {kind.mime}"


def _decode_plain(data: bytes, notes: list) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes: legacy Arabic text is never that (its
    # letter bytes are not valid UTF-8 sequences, so nearly all would break)
    found = _with_replacements(data, "utf-8")
    if found is not None:
        notes.append(_replaced_note(found[2]))
        return found[0], found[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_LEGACY)).best()
    detected = (str(best), best.encoding) if best is not None else None
    if detected is not None and plausible_arabic(detected[0]):
        return detected
    found = legacy_decode(data)
    if found is not None:
        text, encoding, replaced = found
        if replaced:
            notes.append(_replaced_note(replaced))
        return text, encoding
    if detected is not None:  # a text, though not an Arabic one
        return detected
    raise ReadError(
        "unknown encoding (not UTF-8, UTF-16 or an Arabic legacy encoding: "
        + ", ".join(LEGACY_ENCODINGS)
        + ")"
    )


def _replaced_note(n: int) -> str:
    return f"{n} undecodable byte{'s' if n != 1 else ''} replaced"


def legacy_decode(data: bytes) -> tuple[str, str, int] | None:
    """Decode with an Arabic legacy encoding when detection found none:
    each one strictly first, then each with at most 1% of the bytes
    replaced; the first, in the order of LEGACY_ENCODINGS, whose text is
    mostly Arabic letters (:func:`plausible_arabic`) is taken. Returns
    (text, encoding, bytes replaced) or None."""
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausible_arabic(text):
            return text, encoding, 0
    for encoding in LEGACY_ENCODINGS:
        found = _with_replacements(data, encoding)
        if found is not None:
            return found
    return None


def _with_replacements(data: bytes, encoding: str) -> tuple[str, str, int] | None:
    text = data.decode(encoding, "replace")
    replaced = text.count("\ufffd")
    if replaced <= MAX_REPLACED * len(data) and plausible_arabic(text):
        return text, encoding, replaced
    return None


def arabic_share(text: str, sample: int = 65536) -> float:
    """Share of the letters (in the first ``sample`` characters) that are Arabic."""
    head = text[:sample]
    letters = len(_LETTER.findall(head))
    return len(_ARABIC_LETTER.findall(head)) / letters if letters else 0.0


def plausible_arabic(text: str, sample: int = 65536) -> bool:
    """Whether a guessed decoding reads as Arabic: mostly Arabic letters,
    and none of the marks of a wrong code page, which gives Arabic letters
    too: words mixing Arabic and Latin letters (over 2% of words), or
    symbols such as box-drawing characters (over 5% of the characters)."""
    head = text[:sample]
    if arabic_share(head) < MOSTLY_ARABIC:
        return False
    words = len(_WORD.findall(head))
    if words and len(_MIXED_WORD.findall(head)) > 0.02 * words:
        return False
    visible = len(head) - sum(c.isspace() for c in head)
    return len(_SYMBOL.findall(head)) <= 0.05 * max(visible, 1)


_WORD = regex.compile(r"\w*\p{L}\w*")
_MIXED_WORD = regex.compile(r"(?=\w*[\p{Arabic}&&\p{L}])(?=\w*\p{Latin})\w+", regex.V1)
_SYMBOL = regex.compile(r"\p{S}")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    # Arabic in UTF-16 has a 0x06 byte in every other place: many control
    # bytes, but text. Taken only when it decodes strictly to mostly Arabic.
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if arabic_share(text) >= MOSTLY_ARABIC:
            return text, encoding
    return None


def _strict_or_replaced(data: bytes, encoding: str, notes: list) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, "replace")
        replaced = text.count("\ufffd")
        if replaced > MAX_REPLACED * len(data):
            raise ReadError(f"not valid {encoding.upper()} despite its byte-order mark") from None
        notes.append(_replaced_note(replaced))
        return text


def _control_name(code: int) -> str:
    return "NUL" if code == 0 else f"U+{code:04X}"


def _dropped(data: bytes) -> str:
    counts = {b: data.count(bytes([b])) for b in _CONTROL_BYTES}
    return _dropped_note({b: n for b, n in counts.items() if n})


def _dropped_chars(chars: list[str]) -> str:
    from collections import Counter

    return _dropped_note({ord(c): n for c, n in sorted(Counter(chars).items())})


def _dropped_note(counts: dict[int, int]) -> str:
    total = sum(counts.values())
    what = ", ".join(_control_name(c) if n == 1 and len(counts) == 1 else f"{_control_name(c)} {n}" for c, n in counts.items())
    return f"dropped {total} control character{'s' if total != 1 else ''} ({what})"


def html_to_text(html: str) -> str:
    """Main text of an HTML page, one block element per line."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style, noscript, nav, header, footer, aside, form, iframe, svg"):
        node.decompose()
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    if root is None:
        return ""
    _drop_page_blocks(root)
    title = tree.css_first("h1")
    text = root.text(separator="\n", strip=True)
    if title is not None and root.css_first("h1") is None:
        text = title.text(strip=True) + "\n" + text
    return text


# Blocks that pages set inside the article element too, named by their class
# or id: related and most-read lists, share buttons, tags, comments, ads. A
# list of other articles' headlines there turns an ordinary article into a
# topic (bench/furniture.py: 5 press-freedom headlines change 41% of `other`
# labels), and unlike a text page an HTML page says what the block is.
_BLOCK_NAME = regex.compile(
    r"(?:^|[-_])(?:related|share|sharing|social|comments?|tags|breadcrumbs?|newsletter|sidebar|popular|"
    r"recommended|most-?read|mostviewed|read-?(?:also|more)|more-?news|ads|advert\w*|promo)(?:$|[-_])",
    regex.IGNORECASE,
)


def _drop_page_blocks(root) -> None:
    """Remove the named blocks under ``root``, but never one holding the
    headline, nor one holding most of the text that is not mostly links (a
    wrapper called "with-sidebar" around the article; a related list is
    mostly links, however short the article above it)."""
    whole = len(root.text(strip=True))
    chosen = []
    for node in root.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}".split()
        if not any(_BLOCK_NAME.search(name) for name in names) or node.css_first("h1") is not None:
            continue
        size = len(node.text(strip=True))
        links = sum(len(a.text(strip=True)) for a in node.css("a"))
        if size * 2 > whole and links * 2 <= size:
            continue
        chosen.append(node)
    # decided on the whole tree first: a removed block's nodes are freed, so
    # only the outermost chosen blocks are removed, and nothing is read after
    ids = {node.mem_id for node in chosen}
    outermost = [node for node in chosen if not any(a.mem_id in ids for a in _ancestors(node))]
    for node in outermost:
        node.decompose()


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def looks_like_html(text: str) -> bool:
    """Whether text (read from stdin, which has no suffix) is an HTML page:
    it starts with a tag and has one of a page's usual elements."""
    return text.lstrip()[:1] == "<" and _HTML_TAG.search(text[:65536]) is not None


_HTML_TAG = regex.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|title|meta)\b", regex.IGNORECASE)


def check_text(text: str) -> str:
    """``text``, if there is something Arabic to classify in it; else ReadError."""
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
        text, encoding, note = decode_text(_read_bytes(path, max_bytes))
        if path.suffix.lower() in HTML_SUFFIXES:
            text = html_to_text(text)
        return Article(str(path), check_text(text), encoding, note=note)
    except ReadError as exc:
        return Article(str(path), error=str(exc))
    except OSError as exc:
        return Article(str(path), error=exc.strerror or str(exc))


def read_stdin(stream) -> Article:
    """The article piped on stdin ("-"): text or, when it looks like one, an
    HTML page, whose main text is extracted as for a .html file."""
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if not data:
            raise ReadError("no text")
        text, encoding, note = decode_text(data)
        if looks_like_html(text):
            text = html_to_text(text)
            note = "; ".join(filter(None, ["read as HTML", note]))
        return Article("-", check_text(text), encoding, note=note)
    except ReadError as exc:
        return Article("-", error=str(exc))


def read_collection(
    path: Path,
    text_column: str = "text",
    id_column: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article]:
    """Each record of a local JSONL/JSON/CSV/TSV/Parquet file is an article:
    ``file#id`` (an object's: :func:`.storage.read_collection_url`)."""
    if path.suffix.lower() == ".parquet":
        yield from parquet_articles(path, text_column, id_column)
        return
    try:
        data = _read_bytes(path, max_bytes)
    except ReadError as exc:
        yield Article(str(path), error=str(exc))
        return
    except OSError as exc:
        yield Article(str(path), error=exc.strerror or str(exc))
        return
    yield from collection_articles(path, path.suffix.lower(), data, text_column, id_column)


def collection_articles(path, suffix: str, data: bytes, text_column, id_column) -> Iterator[Article]:
    """The records of a JSONL/JSON/CSV/TSV collection's bytes, as articles."""
    try:
        text, encoding, note = decode_text(data)
    except ReadError as exc:
        yield Article(str(path), error=str(exc))
        return
    try:
        if suffix == ".jsonl":
            records = _jsonl_records(text)
        elif suffix == ".json":
            data = json.loads(text)
            records = iter(data if isinstance(data, list) else [data])
        else:
            records = csv.DictReader(text.splitlines(), delimiter="\t" if suffix == ".tsv" else ",")
        for n, record in enumerate(records, 1):
            art = _record_article(path, n, record, text_column, id_column, encoding)
            art.note = note
            yield art
    except (json.JSONDecodeError, csv.Error) as exc:
        yield Article(f"{path}", error=f"unreadable {suffix[1:].upper()} ({exc})")


def parquet_articles(path, text_column, id_column, source=None) -> Iterator[Article]:
    import pyarrow.parquet as pq

    n = 0
    try:
        for batch in pq.ParquetFile(path if source is None else source).iter_batches(batch_size=1024):
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


@dataclass
class Listing:
    """What listing folders left out, for the run's summary: files that
    match no pattern (by suffix), and symlinked folders not followed because
    they were already listed (a loop, or two links to one folder)."""

    not_matched: Counter = field(default_factory=Counter)
    links_not_followed: int = 0


def matches_any(name: str, patterns: list[str]) -> bool:
    # Case-insensitive: Windows export tools write ARTICLE.TXT.
    name = name.lower()
    return any(fnmatchcase(name, pat.lower()) for pat in patterns)


def walk_folder(top: str, patterns: list[str], listing: Listing) -> list:
    """The files under folder ``top`` whose names match ``patterns``, sorted, and
    an :class:`Article` with the reason for each folder that cannot be listed."""
    found: list = []

    def unlistable(exc: OSError):
        found.append(Article(exc.filename or top, error=f"cannot list folder ({exc.strerror or exc})"))

    seen = set()
    try:
        st = os.stat(top)
        seen.add((st.st_dev, st.st_ino))
    except OSError as exc:
        unlistable(exc)
        return found
    # Symlinked folders are followed; each real folder is listed once, so a
    # link back to a parent (a loop) or a second link to a folder adds nothing.
    for root, dirs, files in os.walk(top, followlinks=True, onerror=unlistable):
        keep = []
        # real folders before links, by name: which of two ways to one
        # folder is listed does not depend on the file system's order
        for d in sorted(dirs, key=lambda d: (os.path.islink(os.path.join(root, d)), d)):
            try:
                st = os.stat(os.path.join(root, d))
            except OSError as exc:
                unlistable(exc)
                continue
            if (st.st_dev, st.st_ino) in seen:
                listing.links_not_followed += 1
                continue
            seen.add((st.st_dev, st.st_ino))
            keep.append(d)
        dirs[:] = keep
        for name in files:
            if matches_any(name, patterns):
                found.append(os.path.join(root, name))
            else:
                listing.not_matched[Path(name).suffix.lower() or "no suffix"] += 1
    return sorted(found, key=lambda f: f.path if isinstance(f, Article) else f)

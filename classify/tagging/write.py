"""Write tagged rows as CSV, JSONL, Parquet or a table, so that an
interrupted run never leaves a half-written output and can be resumed.

Rows go, as JSON lines, to a sidecar beside the target, ``.NAME.part`` (a
fixed name, so that the next run finds it). Complete rows are flushed to it
every FLUSH_ROWS rows or FLUSH_SECONDS seconds, whichever comes first: a
process killed at any point, kill -9 included, leaves complete lines and at
most one torn last line. When the batch is complete the sidecar is
converted to the target's format under ``.NAME.tmp``, synced, renamed over
the target and removed; so a completed run leaves no temporary file, and
the target's name only ever holds a complete output. (A fresh CSV run
writes ``.NAME.tmp`` as the rows arrive, beside the sidecar, so that the
end of the run is only the sync and the rename.)

The sidecar is JSONL whatever the target's format: after a crash a JSON
line is plainly complete or not, which a CSV row (quoted newlines) or a
Parquet file (its footer is written at close) cannot tell.

``--resume`` keeps the complete rows of the sidecar (a torn last line is
dropped) and of a finished target, and the run tags only the other inputs.
A sidecar left by a crash is reused by ``--resume`` and emptied by any
other run; a ``.tmp`` left by a crash during conversion is replaced.
"""

import csv
import json
import os
import sys
import time
from pathlib import Path

from ..errors import ClassifyError
from .urls import is_url

FORMATS = ("table", "csv", "jsonl", "parquet")
# Suffixes that name a format, for --output without --format.
FILE_FORMATS = ("csv", "jsonl", "parquet")
FLUSH_ROWS = 256
FLUSH_SECONDS = 1.0
PARQUET_ROWS = 4096  # rows per Parquet row group


def format_for(path: Path | None, fmt: str | None) -> str:
    """The output format: ``fmt`` when given, else from ``path``'s suffix,
    else a table on stdout. An output suffix that names no format is an
    error (a table in a file named .xlsx helps nobody)."""
    if fmt:
        return fmt
    if path is None:
        return "table"
    if not is_url(path) and Path(path).is_dir():
        raise ClassifyError(f"{path}: is a folder; --output needs a file name")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FILE_FORMATS:
        return suffix
    named = f"suffix .{suffix}" if suffix else "no suffix"
    raise ClassifyError(
        f"{path}: {named} names no output format; use .csv, .jsonl or .parquet, or pass --format"
    )


def sidecar_of(path: Path) -> Path:
    """Where the rows of a run writing ``path`` go until it completes."""
    return path.with_name(f".{path.name}.part")


def _tmp_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def check_target(path: Path, what: str = "--output") -> None:
    """Refuse, before any work, an output path that cannot be a file: an
    existing folder, or one whose folder is missing or is a file."""
    path = Path(path)
    if path.is_dir():
        raise ClassifyError(f"{path}: is a folder; {what} needs a file name")
    directory = path.parent
    if not directory.is_dir():
        for part in (directory, *directory.parents):
            if part.exists() and not part.is_dir():
                raise ClassifyError(f"{path}: {part} is a file, not a folder")
        raise ClassifyError(f"{path}: folder {directory} does not exist")


def check_folder(path: Path, what: str) -> None:
    """Refuse, before any work, a folder to write into (created if missing)
    that is a file, or that a file stands in the way of."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ClassifyError(f"{path}: is a file; {what} needs a folder")
    for part in path.parents:
        if part.exists() and not part.is_dir():
            raise ClassifyError(f"{path}: {part} is a file, not a folder")


def read_rows(path: Path, fmt: str, columns: list[str]) -> list[dict]:
    """Rows of a finished output, typed as the run wrote them, for --resume."""
    try:
        if fmt == "csv":
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        elif fmt == "jsonl":
            with open(path, encoding="utf-8") as fh:
                rows = [json.loads(line) for line in fh if line.strip()]
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            rows = pq.read_table(path).to_pylist()
        else:
            raise ClassifyError(f"--resume needs a csv, jsonl or parquet --output, not {fmt}")
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise ClassifyError(f"{path}: cannot read it to resume ({exc})") from None
    return [typed(r, columns) for r in rows]


def typed(row: dict, columns: list[str]) -> dict:
    """A row with the run's column types (CSV gives strings; an older
    output may lack a column)."""
    out = {}
    for c in columns:
        v = row.get(c)
        if c == "confidence" or c.startswith("p_"):
            v = None if v in (None, "") else float(v)
        elif c == "uncertain":
            v = None if v in (None, "") else (v if isinstance(v, bool) else str(v) == "True")
        else:
            v = "" if v is None else str(v)
        out[c] = v
    return out


def complete_lines(fh) -> tuple[list[dict], int]:
    """The rows of a sidecar's complete lines and the byte offset where they
    end; a torn or unreadable line ends them (only the last one can be)."""
    rows, end = [], 0
    fh.seek(0)
    for line in fh:
        if not line.endswith(b"\n"):
            break
        try:
            row = json.loads(line)
        except ValueError:
            break
        if not isinstance(row, dict) or "path" not in row:
            break
        rows.append(row)
        end += len(line)
    return rows, end


class AtomicWriter:
    """Rows to ``path`` in ``fmt`` through the sidecar (see the module), or
    straight to stdout when ``path`` is None.

    All checks that can fail (folder, existing output, a second run writing
    the same output) are made here, before any article is read. With
    ``resume``, :attr:`done` holds the paths whose rows are kept.
    """

    _direct = _direct_csv = None  # a fresh CSV run's target, written as rows arrive

    def __init__(self, path: Path | None, fmt: str, columns: list[str], *, force: bool = False, resume: bool = False):
        self.path, self.fmt, self.columns = (Path(path) if path else None), fmt, columns
        self.done: set[str] = set()
        self.kept = 0
        self._file = None
        if self.path is None:
            self._stream = sys.stdout
            if fmt == "csv":
                self._csv = csv.writer(sys.stdout)
                self._csv.writerow(columns)
            return
        check_target(self.path)
        if self.path.exists() and not (force or resume):
            raise ClassifyError(f"{self.path}: already exists; pass --force to overwrite or --resume to continue")
        if resume and fmt not in FILE_FORMATS:
            raise ClassifyError(f"--resume needs a csv, jsonl or parquet --output, not {fmt}")
        self._sidecar = sidecar_of(self.path)
        try:
            # os.open with 0o666: the file's mode follows the umask
            fd = os.open(self._sidecar, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ClassifyError(f"{self.path}: cannot write in {self.path.parent} ({exc.strerror or exc})") from None
        self._file = os.fdopen(fd, "r+b")
        self._lock()
        _tmp_of(self.path).unlink(missing_ok=True)  # a crash's leftover
        if resume:
            rows, end = complete_lines(self._file)
            self._file.truncate(end)  # drop a torn last line
            self._file.seek(end)
            self.done = {r["path"] for r in rows}
            self.kept = len(rows)
            if self.path.exists():
                for row in read_rows(self.path, fmt, columns):
                    if row["path"] not in self.done:
                        self._append(row)
                        self.done.add(row["path"])
                        self.kept += 1
                self._file.flush()
        else:
            self._file.truncate(0)
        self._since_flush, self._flushed_at = 0, time.monotonic()
        # A fresh CSV run also writes its target's temporary file as rows
        # arrive, so that closing is a rename: converting the sidecar at the
        # end was the serial tail of every run (6% of a 16,000-file --jobs 2
        # run). A resumed run reorders rows at the end, through the sidecar.
        if fmt == "csv" and not resume:
            self._direct = open(_tmp_of(self.path), "w", newline="", encoding="utf-8")
            self._direct_csv = csv.writer(self._direct)
            self._direct_csv.writerow(columns)

    def _lock(self):
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; runs must not overlap
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            raise ClassifyError(f"{self.path}: another classify run is writing it ({self._sidecar} is in use)") from None

    def _append(self, row: dict) -> None:
        line = json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n"
        self._file.write(line.encode("utf-8"))

    def write(self, row: dict) -> None:
        """Add one row; rows reach the sidecar in complete lines, flushed
        every FLUSH_ROWS rows or FLUSH_SECONDS seconds."""
        if self._file is None:
            _write_row(self._stream, self.fmt, self.columns, row, getattr(self, "_csv", None))
            return
        self._append(row)
        if self._direct_csv is not None:
            self._direct_csv.writerow(_csv_values(row, self.columns))
        self._since_flush += 1
        if self._since_flush >= FLUSH_ROWS or time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self._file.flush()
            self._since_flush, self._flushed_at = 0, time.monotonic()

    def close(self, order: list[str] | None = None) -> None:
        """Finish: write the target from the sidecar (a fresh CSV run's is
        already written) and remove the sidecar. With ``order`` (the paths
        of a clean run, in input order), rows are put in that order; rows of
        other paths follow, as they came."""
        if self._file is None:
            self._stream.flush()
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        tmp = _tmp_of(self.path)
        written = self._direct is not None and order is None
        if written:
            self._direct.flush()
            os.fsync(self._direct.fileno())
            self._direct.close()
            self._direct = self._direct_csv = None
        else:  # rows to reorder (none when fresh): through the sidecar after all
            self._discard_direct()
        if not written and not (self.fmt == "jsonl" and order is None):
            try:
                convert_lines(self._lines(order), tmp, self.fmt, self.columns)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        # closed before it is renamed or removed, which Windows needs
        self._file.close()
        self._file = None
        if self.fmt == "jsonl" and order is None:
            os.replace(self._sidecar, self.path)  # the sidecar is the output, byte for byte
        else:
            os.replace(tmp, self.path)
            self._sidecar.unlink()

    def _discard_direct(self) -> None:
        if self._direct is not None:
            self._direct.close()
            self._direct = self._direct_csv = None
            _tmp_of(self.path).unlink(missing_ok=True)

    def _lines(self, order):
        self._file.seek(0)
        if order is None:
            for line in self._file:
                yield line
            return
        offsets: dict[str, list[int]] = {}
        at = 0
        for line in self._file:
            offsets.setdefault(json.loads(line)["path"], []).append(at)
            at += len(line)
        used: dict[str, int] = {}
        for path in order:
            offs = offsets.get(path)
            if not offs:
                continue
            k = used.get(path, 0)
            used[path] = k + 1
            # a path given twice has one kept row: it is written twice, as a clean run would
            self._file.seek(offs[min(k, len(offs) - 1)])
            yield self._file.readline()
        rest = sorted(at for path, offs in offsets.items() for at in offs[used.get(path, 0):])
        for at in rest:
            self._file.seek(at)
            yield self._file.readline()

    def abort(self) -> None:
        """An interrupted run: keep the complete rows in the sidecar for
        --resume (or remove it if it holds none)."""
        if self._file is None:
            return
        self._discard_direct()  # the sidecar holds the rows; the target's copy goes
        try:
            self._file.flush()
            empty = os.fstat(self._file.fileno()).st_size == 0
        finally:
            self._file.close()
            self._file = None
        if empty:
            self._sidecar.unlink(missing_ok=True)

    @property
    def sidecar(self) -> Path | None:
        """The JSONL file of rows written so far (what --resume reads), if any."""
        return getattr(self, "_sidecar", None)


def convert_lines(lines, target: Path, fmt: str, columns: list[str]) -> None:
    rows = (json.loads(line) for line in lines)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = parquet_schema(columns)
        with open(target, "wb") as fh:
            # a file object, not a path: the file's mode follows the umask
            with pq.ParquetWriter(fh, schema) as writer:
                chunk = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= PARQUET_ROWS:
                        writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                        chunk = []
                if chunk:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            fh.flush()
            os.fsync(fh.fileno())
        return
    with open(target, "w", newline="", encoding="utf-8") as fh:
        if fmt == "csv":
            # rows as lists, in column order: a third of DictWriter's time,
            # and this part of a run is serial, after every article is tagged
            writer = csv.writer(fh)
            writer.writerow(columns)
            writer.writerows(_csv_values(row, columns) for row in rows)
        else:
            for row in rows:
                _write_row(fh, fmt, columns, row)
        fh.flush()
        os.fsync(fh.fileno())


def _csv_values(row: dict, columns: list[str]) -> list:
    """A row's CSV fields in column order (None as empty)."""
    return [("" if (v := row.get(c)) is None else v) for c in columns]


def _write_row(stream, fmt, columns, row, csv_writer=None) -> None:
    if fmt == "csv":
        csv_writer.writerow(_csv_values(row, columns))
    elif fmt == "jsonl":
        stream.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
    else:
        stream.write(_table_line(row) + "\n")


def parquet_schema(columns):
    """The Parquet types of the output columns: probabilities and confidence
    as floats, ``uncertain`` as a boolean, the rest as strings."""
    import pyarrow as pa

    types = {"confidence": pa.float64(), "uncertain": pa.bool_()}
    return pa.schema([(c, pa.float64() if c.startswith("p_") else types.get(c, pa.string())) for c in columns])


def parquet_table(rows: list[dict], columns: list[str]):
    """Rows as a pyarrow table of :func:`parquet_schema`."""
    import pyarrow as pa

    return pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=parquet_schema(columns))


def write_parquet_file(table, path) -> None:
    """One local file of a partitioned Parquet output, written under a
    temporary name and renamed, so a re-run task replaces it whole."""
    import pyarrow.parquet as pq

    tmp = f"{path}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _table_line(row: dict) -> str:
    if row.get("error"):
        return f"{'error':<26} {'':>6}  {row['path']}: {row['error']}"
    mark = " (uncertain)" if row.get("uncertain") else ""
    note = f"  [{row['note']}]" if row.get("note") else ""
    line = f"{row['label']:<26} {row['confidence']:>6.3f}  {row['path']}{mark}{note}"
    if row.get("explanation"):
        words = row["explanation"].split("; ")
        line += "\n    because of: " + ", ".join(w.replace(":", " ") for w in words)
    return line

"""Write tagged rows as CSV, JSONL or Parquet, atomically.

Rows go to a temporary file beside the target, renamed over it only when the
batch is complete: an interrupted run leaves either no output or the previous
one, never a half-written file that looks complete.
"""

import csv
import json
import os
import sys
from pathlib import Path

from ..errors import ClassifyError

FORMATS = ("table", "csv", "jsonl", "parquet")


def format_for(path: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path is not None:
        suffix = Path(path).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
    return "table"


def done_paths(path: Path, fmt: str) -> list[dict]:
    """Rows of an existing output, for --resume."""
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise ClassifyError(f"--resume needs a csv, jsonl or parquet --output, not {fmt}")


class AtomicWriter:
    def __init__(self, path: Path | None, fmt: str, columns: list[str], *, force: bool = False):
        self.path, self.fmt, self.columns = (Path(path) if path else None), fmt, columns
        self._tmp = None
        if self.path is not None:
            if self.path.exists() and not force:
                raise ClassifyError(f"{self.path}: already exists; pass --force to overwrite or --resume to continue")
            directory = self.path.parent if str(self.path.parent) else Path(".")
            if not directory.is_dir():
                raise ClassifyError(f"{self.path}: folder {directory} does not exist")
            import tempfile  # only for a file: printing to stdout needs none

            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=directory)
            os.close(fd)
            self._tmp = Path(tmp)
            stream = open(self._tmp, "w", newline="", encoding="utf-8") if fmt != "parquet" else None
        else:
            stream = sys.stdout
        self._stream = stream
        self._pending = []
        self._parquet = None
        if fmt == "csv":
            self._csv = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore")
            self._csv.writeheader()

    def write(self, row: dict) -> None:
        if self.fmt == "csv":
            self._csv.writerow({k: ("" if v is None else v) for k, v in row.items()})
        elif self.fmt == "jsonl":
            self._stream.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        elif self.fmt == "parquet":
            self._pending.append({c: row.get(c) for c in self.columns})
            if len(self._pending) >= 4096:
                self._flush_parquet()
        else:
            self._stream.write(_table_line(row) + "\n")

    def _flush_parquet(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._pending:
            return
        table = pa.Table.from_pylist(self._pending, schema=self._schema())
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp, table.schema)
        self._parquet.write_table(table)
        self._pending = []

    def _schema(self):
        return parquet_schema(self.columns)

    def close(self) -> None:
        if self.fmt == "parquet":
            self._flush_parquet()
            if self._parquet is None:  # no rows: still a valid, empty file
                import pyarrow.parquet as pq

                pq.write_table(self._schema().empty_table(), self._tmp)
            else:
                self._parquet.close()
        if self._tmp is not None:
            if self._stream is not None:
                self._stream.flush()
                os.fsync(self._stream.fileno())
                self._stream.close()
            self._tmp.replace(self.path)
            self._tmp = None
        else:
            self._stream.flush()

    def abort(self) -> None:
        if self._tmp is not None:
            if self._stream is not None:
                self._stream.close()
            if self._parquet is not None:
                self._parquet.close()
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def parquet_schema(columns):
    import pyarrow as pa

    types = {"confidence": pa.float64(), "uncertain": pa.bool_()}
    return pa.schema([(c, pa.float64() if c.startswith("p_") else types.get(c, pa.string())) for c in columns])


def write_parquet_part(rows: list[dict], columns: list[str], path) -> None:
    """One file of a partitioned Parquet output, written under a temporary
    name and renamed, so a re-run task replaces it whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=parquet_schema(columns))
    tmp = f"{path}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _table_line(row: dict) -> str:
    if row.get("error"):
        return f"{'error':<26} {'':>6}  {row['path']}: {row['error']}"
    mark = " (uncertain)" if row.get("uncertain") else ""
    line = f"{row['label']:<26} {row['confidence']:>6.3f}  {row['path']}{mark}"
    if row.get("explanation"):
        words = row["explanation"].split("; ")
        line += "\n    because of: " + ", ".join(w.replace(":", " ") for w in words)
    return line

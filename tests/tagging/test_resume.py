"""--resume after any interruption, kill -9 included: every complete row
already written is kept, only the rest is tagged, and a completed run leaves
no temporary file."""

import csv
import json
import os
import sys

import pyarrow.parquet as pq
import pytest

from classify.errors import ClassifyError
from classify.model.store import load_model
from classify.tagging.run import run
from classify.tagging.write import AtomicWriter, sidecar_of

from ..helpers import article_folder, kill_when

def make_folder(root, n):
    return article_folder(root, n)


def rows_of(path, fmt):
    if fmt == "csv":
        return list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_kill_9_then_resume_gives_a_clean_runs_rows(tiny_model_dir, tmp_path, fmt):
    folder = make_folder(tmp_path / "in", 6000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"tags.{fmt}"
    part = sidecar_of(out)
    cmd = [sys.executable, "-m", "classify", "predict", str(folder), "--model", str(tiny_model_dir), "-o", str(out)]
    # killed as soon as some complete rows are flushed to the sidecar
    kill_when(cmd, lambda: part.exists() and part.read_bytes().count(b"\n") >= 256,
              why="the run ended before any rows were flushed")
    assert not out.exists()  # killed mid-run: nothing under the output's name
    flushed = part.read_bytes().count(b"\n")
    assert 256 <= flushed < 6001

    model = load_model(tiny_model_dir)
    summary = run(model, tiny_model_dir, [str(folder)], output=out, fmt=fmt, resume=True)
    assert summary.skipped == flushed  # the kept rows were not tagged again
    assert summary.tagged + sum(summary.failed.values()) == 6001 - flushed
    clean = tmp_path / f"clean.{fmt}"
    run(model, tiny_model_dir, [str(folder)], output=clean, fmt=fmt)
    resumed = rows_of(out, fmt)
    assert len({r["path"] for r in resumed}) == len(resumed) == 6001
    assert resumed == rows_of(clean, fmt)  # same rows, same order
    assert leftovers(out_dir) == []


@pytest.mark.parametrize("fmt, jobs", [("csv", 1), ("parquet", 1), ("jsonl", 2)])
def test_torn_last_line_is_dropped_and_tagged_again(tiny_model_dir, tmp_path, fmt, jobs):
    folder = make_folder(tmp_path / "in", 40)
    model = load_model(tiny_model_dir)
    clean = tmp_path / f"clean.{fmt}"
    run(model, tiny_model_dir, [str(folder)], output=clean, fmt=fmt)
    # what a killed run leaves: 10 complete lines (in a shuffled order, as
    # an earlier resume may have written them) and half of the next one
    out = tmp_path / f"tags.{fmt}"
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows_of(clean, "jsonl" if fmt == "jsonl" else fmt)]
    if fmt == "csv":  # the sidecar holds typed JSON rows whatever the target
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in _typed_rows(model, folder)]
    kept = lines[20:25] + lines[3:8]
    sidecar_of(out).write_text("".join(kept) + lines[30][: len(lines[30]) // 2], encoding="utf-8")
    summary = run(model, tiny_model_dir, [str(folder)], output=out, fmt=fmt, resume=True, jobs=jobs, batch_size=8)
    assert summary.skipped == 10
    assert rows_of(out, fmt) == rows_of(clean, fmt)
    assert leftovers(tmp_path) == []


def _typed_rows(model, folder):
    from classify.tagging.inputs import iter_articles
    from classify.tagging.run import tag

    return list(tag(model, iter_articles([str(folder)])))


def test_resume_after_a_crash_between_rename_and_cleanup(tiny_model_dir, tmp_path):
    # the output is complete and the sidecar still there: both are read,
    # nothing is tagged twice or lost
    folder = make_folder(tmp_path / "in", 12)
    model = load_model(tiny_model_dir)
    out = tmp_path / "tags.csv"
    run(model, tiny_model_dir, [str(folder)], output=out, fmt="csv")
    expected = rows_of(out, "csv")
    sidecar_of(out).write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _typed_rows(model, folder)[:5]), encoding="utf-8"
    )
    summary = run(model, tiny_model_dir, [str(folder)], output=out, fmt="csv", resume=True)
    assert summary.skipped == 13 and summary.tagged == 0
    assert rows_of(out, "csv") == expected and leftovers(tmp_path) == []


def test_a_crashs_leftovers_are_cleaned_up_by_a_new_run(tiny_model_dir, tmp_path):
    folder = make_folder(tmp_path / "in", 12)
    model = load_model(tiny_model_dir)
    out = tmp_path / "tags.parquet"
    sidecar_of(out).write_text('{"path": "stale", "label": "other"}\n{"path": "torn', encoding="utf-8")
    (tmp_path / ".tags.parquet.tmp").write_bytes(b"half a parquet file")
    run(model, tiny_model_dir, [str(folder)], output=out, fmt="parquet")  # no --resume: start afresh
    rows = rows_of(out, "parquet")
    assert len(rows) == 13 and "stale" not in {r["path"] for r in rows}
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_output_permissions_follow_the_umask(tiny_model_dir, tmp_path, umask, mode, fmt):
    folder = make_folder(tmp_path / "in", 3)
    model = load_model(tiny_model_dir)
    out = tmp_path / f"tags.{fmt}"
    old = os.umask(umask)
    try:
        run(model, tiny_model_dir, [str(folder)], output=out, fmt=fmt)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == mode


def test_two_runs_cannot_write_one_output(tmp_path):
    out = tmp_path / "tags.csv"
    first = AtomicWriter(out, "csv", ["path", "error"])
    try:
        with pytest.raises(ClassifyError, match="another classify run is writing it"):
            AtomicWriter(out, "csv", ["path", "error"], resume=True)
    finally:
        first.abort()
    assert leftovers(tmp_path) == []  # a sidecar with no rows is not kept

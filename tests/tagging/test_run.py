"""Batch runs over a folder mixing encodings, formats and broken inputs."""

import csv
import json
import signal
import subprocess
import sys
import time

import pytest

from classify.tagging import rows as rows_mod
from classify.tagging import run as predict_mod
from classify.tagging.run import EXIT_SOME_FAILED, run
from classify.model.store import load_model

from ..helpers import FIXTURES

PF = (FIXTURES / "press-freedom" / "02.txt").read_text(encoding="utf-8")
GC = (FIXTURES / "government-communication" / "02.txt").read_text(encoding="utf-8")


@pytest.fixture
def mixed(tmp_path):
    root = tmp_path / "archive"
    (root / "deep" / "deeper").mkdir(parents=True)
    files = {
        "utf8.txt": PF.encode("utf-8"),
        "bom.txt": b"\xef\xbb\xbf" + PF.encode("utf-8"),
        "utf16le.txt": b"\xff\xfe" + PF.encode("utf-16-le"),
        "deep/utf16be.txt": b"\xfe\xff" + PF.encode("utf-16-be"),
        "deep/cp1256.txt": PF.encode("cp1256"),
        "deep/deeper/page.html": f"<html><body><article><h1>خبر</h1><p>{GC}</p></article></body></html>".encode(),
        "items.jsonl": (json.dumps({"id": "a", "text": GC}, ensure_ascii=False) + "\n" + '{"id": "b"}\n').encode(),
        "rows.csv": f'text\n"{GC}"\n""\n'.encode(),
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "english.txt": b"No Arabic here, only English words.",
        "huge.txt": PF.encode("utf-8") * 200,
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "dangling.txt").symlink_to(root / "gone.txt")
    return root


def test_batch_inputs_load_the_kernels_at_start_up_and_one_file_does_not(tiny_model_dir, mixed, tmp_path):
    """A folder's run builds the indexes and loads the compiled kernels before
    its clock starts (start-up, like loading the model); one article file
    needs neither."""
    folder = tmp_path / "two"  # fewer articles than a batch counted by the kernels
    folder.mkdir()
    (folder / "a.txt").write_text(PF, encoding="utf-8")
    (folder / "b.txt").write_text(GC, encoding="utf-8")
    one = load_model(tiny_model_dir)
    run(one, tiny_model_dir, [str(folder / "a.txt")], output=tmp_path / "one.csv", fmt="csv")
    assert all(vec._index is None for _, vec in one.branches)
    many = load_model(tiny_model_dir)
    run(many, tiny_model_dir, [str(folder)], output=tmp_path / "many.csv", fmt="csv")
    assert all(vec._index is not None for _, vec in many.branches)


def test_every_input_gets_exactly_one_row(tiny_model_dir, mixed, tmp_path):
    model = load_model(tiny_model_dir)
    out = tmp_path / "tags.csv"
    summary = run(
        model, tiny_model_dir, [str(mixed)], output=out, fmt="csv", pattern="*.txt,*.html,*.jsonl,*.csv", max_bytes=50_000
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    by_name = {r["path"].replace(str(mixed) + "/", ""): r for r in rows}
    # 13 files, two collections with two records each: 15 rows
    assert len(rows) == 15 and len(by_name) == 15
    readable = ["utf8.txt", "bom.txt", "utf16le.txt", "deep/utf16be.txt", "deep/cp1256.txt", "deep/deeper/page.html"]
    for name in readable + ["items.jsonl#a", "rows.csv#1"]:
        assert by_name[name]["label"] and not by_name[name]["error"], name
    reasons = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "english.txt": "no Arabic text",
        "huge.txt": "--max-bytes",
        "dangling.txt": "broken symbolic link",
        "items.jsonl#b": "no 'text' field",
        "rows.csv#2": "no text",
    }
    for name, reason in reasons.items():
        assert reason in by_name[name]["error"] and not by_name[name]["label"], name
    same = {by_name[n]["p_press-freedom"] for n in readable[:5]}
    assert len(same) == 1  # every encoding of the same article, the same answer
    assert summary.exit_code == EXIT_SOME_FAILED and sum(summary.failed.values()) == 7 and summary.tagged == 8


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])  # a fresh CSV run also writes its target as it goes
def test_interrupted_batch_keeps_its_complete_rows_for_resume(tiny_model_dir, mixed, tmp_path, monkeypatch, fmt):
    model = load_model(tiny_model_dir)
    clean = tmp_path / f"clean.{fmt}"
    run(model, tiny_model_dir, [str(mixed)], output=clean, fmt=fmt, pattern="*.txt", batch_size=2)
    real = rows_mod.tag_batch

    def dies_on_second_batch(model, batch, min_confidence=None, explain=False, _calls=[0]):
        _calls[0] += 1
        if _calls[0] == 2:
            raise KeyboardInterrupt
        return real(model, batch, min_confidence, explain)

    monkeypatch.setattr(rows_mod, "tag_batch", dies_on_second_batch)
    out = tmp_path / f"tags.{fmt}"
    with pytest.raises(KeyboardInterrupt):
        run(model, tiny_model_dir, [str(mixed)], output=out, fmt=fmt, pattern="*.txt", batch_size=2)
    assert not out.exists()  # never a half-written file under the output's name
    kept = [json.loads(line) for line in (tmp_path / f".tags.{fmt}.part").read_text(encoding="utf-8").splitlines()]
    assert len(kept) == 2  # the first batch, complete
    monkeypatch.setattr(rows_mod, "tag_batch", real)
    summary = run(model, tiny_model_dir, [str(mixed)], output=out, fmt=fmt, pattern="*.txt", resume=True)
    assert summary.skipped == 2
    assert out.read_text(encoding="utf-8") == clean.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", f"clean.{fmt}", f"tags.{fmt}"]


def test_killed_process_leaves_output_absent_or_complete(tiny_model_dir, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3000):
        (folder / f"{i:05d}.txt").write_text(PF if i % 2 else GC, encoding="utf-8")
    out = tmp_path / "tags.csv"
    cmd = [sys.executable, "-m", "classify", "predict", str(folder), "--model", str(tiny_model_dir), "-o", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if out.exists():  # finished before the kill: then it must be whole
        assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3000
    # the temporary file, if any, is hidden and never carries the output's name
    assert all(p.name.startswith(".tags.csv.") for p in tmp_path.iterdir() if p.name not in ("many", "tags.csv"))


def test_workers_that_load_the_model_themselves_read_deferred_files(tiny_model_dir, mixed):
    # the path taken where processes are spawned (macOS, Windows): no shared
    # model, each worker loads it and reads the FileRefs it is sent
    from classify.tagging.inputs import FileRef, iter_articles

    deferred = list(iter_articles([mixed], pattern="*", defer_files=True))
    assert any(isinstance(a, FileRef) for a in deferred)
    model = load_model(tiny_model_dir)
    expected = list(predict_mod.tag(model, iter_articles([mixed], pattern="*"), batch_size=2))
    got = list(predict_mod.tag_parallel(tiny_model_dir, deferred, jobs=2, model=None, batch_size=2))
    assert got == expected and len(got) == len(deferred)

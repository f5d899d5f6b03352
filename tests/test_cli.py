import csv
import io
import json

import pytest
from typer.testing import CliRunner

from classify.cli import app

from .helpers import FIXTURES, SHARED, SHIPPED, needs_shared

runner = CliRunner()
GC_TEXT = (FIXTURES / "government-communication" / "03.txt").read_text(encoding="utf-8")
PF_TEXT = (FIXTURES / "press-freedom" / "01.txt").read_text(encoding="utf-8")


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "gc.txt").write_text(GC_TEXT, encoding="utf-8")
    (tmp_path / "in" / "sub" / "pf.txt").write_bytes(PF_TEXT.encode("cp1256"))
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    return tmp_path / "in"


def test_predict_one_file_table(tiny_model_dir):
    res = invoke("predict", FIXTURES / "press-freedom" / "02.txt", "--model", tiny_model_dir)
    assert res.exit_code == 0, res.output
    label, confidence, path = res.stdout.split(maxsplit=2)
    assert label in ("government-communication", "press-freedom", "other")
    assert 0.0 <= float(confidence) <= 1.0
    assert path.strip().endswith("02.txt")


def test_predict_stdin(tiny_model_dir):
    res = invoke("predict", "-", "--model", tiny_model_dir, "--format", "jsonl", input=PF_TEXT)
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["path"] == "-" and row["error"] == ""
    assert abs(sum(row[f"p_{c}"] for c in ("government-communication", "press-freedom", "other")) - 1) < 1e-3


def test_predict_folder_csv_one_row_per_file_and_failure_exit_code(tiny_model_dir, folder, tmp_path):
    out = tmp_path / "tags.csv"
    res = invoke("predict", folder, "--model", tiny_model_dir, "--output", out)
    assert res.exit_code == 3, res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["path"].rsplit("/", 1)[1] for r in rows] == ["empty.txt", "gc.txt", "pf.txt"]
    assert rows[0]["error"] == "empty file" and rows[0]["label"] == ""
    assert rows[2]["encoding"] == "cp1256" and rows[2]["label"]
    assert {"path", "label", "confidence", "p_press-freedom", "error"} <= set(rows[0])
    assert "failed 1 (empty file: 1)" in res.stderr


def test_cp1256_copy_gets_the_same_answer_as_utf8(tiny_model_dir, tmp_path):
    (tmp_path / "u.txt").write_text(PF_TEXT, encoding="utf-8")
    (tmp_path / "w.txt").write_bytes(PF_TEXT.encode("cp1256"))
    res = invoke("predict", tmp_path / "u.txt", tmp_path / "w.txt", "--model", tiny_model_dir, "-f", "jsonl")
    a, b = (json.loads(line) for line in res.stdout.splitlines())
    assert (a["label"], a["confidence"]) == (b["label"], b["confidence"])


def test_refuses_to_overwrite_without_force_and_resumes(tiny_model_dir, folder, tmp_path):
    out = tmp_path / "tags.jsonl"
    out.write_text("keep me\n")
    res = invoke("predict", folder, "--model", tiny_model_dir, "--output", out)
    assert res.exit_code == 1 and "--force" in res.stderr and out.read_text() == "keep me\n"
    assert invoke("predict", folder / "gc.txt", "--model", tiny_model_dir, "-o", out, "--force").exit_code == 0
    res = invoke("predict", folder, "--model", tiny_model_dir, "-o", out, "--resume")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 and len({r["path"] for r in rows}) == 3
    assert "skipped 1" in res.stderr


def test_parquet_output(tiny_model_dir, folder, tmp_path):
    import pandas as pd

    out = tmp_path / "tags.parquet"
    invoke("predict", folder, "--model", tiny_model_dir, "--output", out)
    frame = pd.read_parquet(out)
    assert len(frame) == 3 and frame["error"].tolist().count("") == 2


def test_jobs_two_gives_the_same_rows_in_the_same_order(tiny_model_dir, folder, tmp_path):
    # with --jobs the workers read single files; collections, stdin and
    # missing paths are still read by the parent: mix them all
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "a", "text": GC_TEXT}) + "\n{broken\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01" * 50)
    inputs = (folder, records, tmp_path / "missing.txt", folder / "gc.txt")
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    for n, out in ((1, one), (2, two)):
        invoke("predict", *inputs, "--model", tiny_model_dir, "-o", out, "--jobs", n)
    rows = [json.loads(line) for line in one.read_text().splitlines()]
    assert one.read_text() == two.read_text()
    assert len(rows) == 8 and sum(bool(r["error"]) for r in rows) == 4


def test_min_confidence_marks_uncertain(tiny_model_dir):
    res = invoke("predict", "-", "--model", tiny_model_dir, "-f", "jsonl", "--min-confidence", "1.0", input=GC_TEXT)
    assert json.loads(res.stdout)["uncertain"] is True


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["predict", "nothing-here.txt"], 3, "no such file"),
        (["predict", "-", "--format", "xml"], 2, "unknown --format"),
        (["predict", "-", "--resume"], 2, "--resume needs --output"),
        (["predict", "-", "--engine", "spark"], 2, "unknown --engine"),
        (["predict", "-", "--scheduler", "tcp://127.0.0.1:1"], 2, "--scheduler goes with --engine dask"),
        (["predict", "-", "--engine", "dask"], 1, "stdin (-) is not supported"),
        (["predict", "-", "--model", "/no/such/model"], 1, "model directory not found"),
        (["info", "--model", "/no/such/model"], 1, "model directory not found"),
        (["train", "/no/such.csv", "-o", "/tmp/x"], 1, "no such file"),
        (["evaluate", "/no/such.csv"], 1, "no such file"),
    ],
)
def test_errors_are_one_line_without_traceback(tiny_model_dir, args, code, message):
    if "--model" not in args and args[0] in ("predict", "evaluate"):
        args = args + ["--model", str(tiny_model_dir)]
    res = invoke(*args, input="")
    assert res.exit_code == code, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_tampered_model_is_refused_from_the_cli(model_copy):
    (model_copy / "model.npz").write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    res = invoke("predict", "-", "--model", model_copy, input=GC_TEXT)
    assert res.exit_code == 1
    assert "does not match card.json" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_train_table_and_evaluate_and_info(tmp_path):
    rows = []
    for path in sorted(FIXTURES.rglob("*.txt")):
        rows.append({"body": path.read_text(encoding="utf-8"), "topic": path.parent.name})
    data = tmp_path / "labelled.csv"
    import pandas as pd

    pd.DataFrame(rows).to_csv(data, index=False)
    out = tmp_path / "m"
    res = invoke("train", data, "-o", out, "--text-column", "body", "--label-column", "topic")
    assert res.exit_code == 0, res.output
    assert "macro-F1" in res.stdout and "confusion" in res.stdout
    card = json.loads((out / "card.json").read_text())
    assert card["data"]["train"]["articles"] + card["data"]["test"]["articles"] == len(rows)
    assert "random" in card["data"]["split"]
    metrics = tmp_path / "metrics.json"
    res = invoke("evaluate", data, "--model", out, "--text-column", "body", "--label-column", "topic", "-o", metrics)
    assert res.exit_code == 0, res.output
    assert json.loads(metrics.read_text())["n"] == len(rows)
    res = invoke("info", "--model", out)
    assert res.exit_code == 0 and card["files"]["model.npz"] in res.stdout
    res = invoke("train", data, "-o", out, "--text-column", "body", "--label-column", "topic")
    assert res.exit_code == 1 and "--force" in res.stderr


def test_train_from_label_folders(tmp_path):
    res = invoke("train", FIXTURES, "-o", tmp_path / "m")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    "content, message",
    [
        ("text,label\nنص عربي,other\n", "only one label"),
        ("body,label\nنص,other\n", "no 'text' column"),
        ("text,label\n" + "نص,a\n" * 5 + "كلام,b\n" * 2, "fewer than 5 examples: b (2)"),
        ("text,label\n,a\n" + "نص,b\n" * 5, "empty text"),
        ("text,label\n" + "".join(f"نص {i},a\nكلام {i},b\n" for i in range(5)) + "نص 1,b\n", "conflicting labels"),
    ],
)
def test_train_validation_messages(tmp_path, content, message):
    data = tmp_path / "d.csv"
    data.write_text(content, encoding="utf-8")
    res = invoke("train", data, "-o", tmp_path / "m")
    assert res.exit_code == 1
    assert message in res.stderr


@needs_shared
@pytest.mark.skipif(not (SHIPPED / "card.json").is_file(), reason="no shipped model")
@pytest.mark.parametrize(
    "name, label",
    [("oman-gov-communication-page.txt", "government-communication"), ("yemen-press-freedom-teaser.txt", "press-freedom")],
)
def test_shipped_model_on_the_example_pages(name, label):
    res = invoke("predict", SHARED / "examples" / name, "-f", "jsonl")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["label"] == label


@pytest.mark.skipif(not (SHIPPED / "card.json").is_file(), reason="no shipped model")
def test_shipped_model_info_and_own_samples():
    res = invoke("info")
    assert res.exit_code == 0 and "held-out" in res.stdout
    res = invoke("predict", SHIPPED.parent.parent / "data" / "samples", "-f", "jsonl")
    rows = [json.loads(line) for line in io.StringIO(res.stdout)]
    assert rows and all(r["label"] == r["path"].rsplit("/", 1)[1].split(".")[0] for r in rows)

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from classify.cli import app

from .helpers import FIXTURES, SHARED, SHIPPED, interrupt_on_batch, needs_shared

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


def test_csv_on_stdout_is_the_csv_file(tiny_model_dir, folder, tmp_path):
    # the two are written by different code paths (rows as they come to a
    # file, rows to a stream); a user piping one must get the other's rows
    out = tmp_path / "tags.csv"
    invoke("predict", folder, "--model", tiny_model_dir, "-o", out)
    res = invoke("predict", folder, "--model", tiny_model_dir, "-f", "csv")
    assert res.exit_code == 3, res.output
    file_rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert len(file_rows) == 4 and list(csv.reader(io.StringIO(res.stdout))) == file_rows


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
        (["predict", "-", "--format", "xml"], 2, "is not one of"),
        (["predict", "-", "--resume"], 2, "--resume needs --output"),
        (["predict", "-", "--engine", "spark"], 2, "is not one of"),
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
    # the out-of-corpus confidence, all held-out articles and the topic-rich ones
    assert "every held-out article" in res.stdout and "people read" in res.stdout
    res = invoke("predict", SHIPPED.parent.parent / "data" / "samples", "-f", "jsonl")
    rows = [json.loads(line) for line in io.StringIO(res.stdout)]
    assert rows and all(r["label"] == r["path"].rsplit("/", 1)[1].split(".")[0] for r in rows)


# --- issue 12: one-line errors, raised before any work where that can be known


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if tagging or measuring starts."""
    from classify.tagging import rows as rows_mod
    from classify.training import metrics

    def started(*args, **kwargs):
        raise AssertionError("work started before the error")

    monkeypatch.setattr(rows_mod, "tag_batch", started)
    monkeypatch.setattr(metrics, "metrics_from_proba", started)


def _labelled_csv(path, per_label=6, extra=""):
    rows = ["text,label"]
    for label in ("government-communication", "press-freedom", "other"):
        for p in sorted((FIXTURES / label).glob("*.txt"))[:per_label]:
            rows.append('"' + p.read_text(encoding="utf-8").replace('"', "'") + f'",{label}')
    path.write_text("\n".join(rows) + "\n" + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "case, code, message",
    [
        ("output-under-a-file", 1, "is a file, not a folder"),
        ("output-in-proc", 1, "cannot write in /proc"),
        ("output-is-a-folder-with-force", 1, "is a folder; --output needs a file name"),
        ("output-is-a-folder-with-format", 1, "is a folder; --output needs a file name"),
        ("output-exists", 1, "already exists; pass --force"),
        ("output-xlsx", 1, "suffix .xlsx names no output format"),
        ("output-no-suffix", 1, "no suffix names no output format"),
        ("from-list-not-utf8", 1, "not UTF-8"),
        ("from-list-missing", 1, "No such file"),
        ("no-inputs", 2, "nothing to tag"),
        ("train-header-only", 1, "no data rows (only a header?)"),
        ("train-split-by-missing-column", 1, "no 'outlet' column to split by"),
        ("evaluate-plots-is-a-file", 1, "is a file; --plots needs a folder"),
        ("evaluate-output-folder-missing", 1, "does not exist"),
        ("evaluate-header-only", 1, "no data rows"),
    ],
)
def test_user_errors_are_one_line_exit_1_before_any_work(tiny_model_dir, folder, tmp_path, no_work, case, code, message):
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x", encoding="utf-8")
    header_only = tmp_path / "header.csv"
    header_only.write_text("text,label\n", encoding="utf-8")
    labelled = _labelled_csv(tmp_path / "labelled.csv")
    model = ["--model", tiny_model_dir]
    out_folder = tmp_path / "tags.csv"
    out_folder.mkdir()
    existing = tmp_path / "done.csv"
    existing.write_text("path\n", encoding="utf-8")
    cp1256_list = tmp_path / "list.txt"
    cp1256_list.write_bytes(str(folder / "مقال.txt").encode("cp1256"))
    args = {
        "output-under-a-file": ["predict", folder, *model, "-o", a_file / "tags.csv"],
        "output-in-proc": ["predict", folder, *model, "-o", "/proc/tags.csv"],
        "output-is-a-folder-with-force": ["predict", folder, *model, "-o", out_folder, "--force"],
        "output-is-a-folder-with-format": ["predict", folder, *model, "-o", out_folder, "-f", "jsonl", "--force"],
        "output-exists": ["predict", folder, *model, "-o", existing],
        "output-xlsx": ["predict", folder, *model, "-o", tmp_path / "tags.xlsx"],
        "output-no-suffix": ["predict", folder, *model, "-o", tmp_path / "tags"],
        "from-list-not-utf8": ["predict", *model, "--from-list", cp1256_list],
        "from-list-missing": ["predict", *model, "--from-list", tmp_path / "nope.txt"],
        "no-inputs": ["predict", *model],
        "train-header-only": ["train", header_only, "-o", tmp_path / "m"],
        "train-split-by-missing-column": ["train", labelled, "-o", tmp_path / "m", "--split-by", "outlet", "--test-groups", "x"],
        "evaluate-plots-is-a-file": ["evaluate", labelled, *model, "--plots", a_file],
        "evaluate-output-folder-missing": ["evaluate", labelled, *model, "-o", tmp_path / "no" / "m.json"],
        "evaluate-header-only": ["evaluate", header_only, *model],
    }[case]
    res = invoke(*args)
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "work started" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], res.stderr
    assert not list(tmp_path.glob(".*.part"))  # nothing half-started left behind


def test_from_list_alone(tiny_model_dir, folder, tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(f"{folder / 'gc.txt'}\n\n{folder / 'sub' / 'pf.txt'}\n", encoding="utf-8")
    res = invoke("predict", "--from-list", listing, "--model", tiny_model_dir, "-f", "jsonl")
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["path"] for line in res.stdout.splitlines()] == [
        str(folder / "gc.txt"), str(folder / "sub" / "pf.txt")
    ]


def test_an_unknown_suffix_is_written_when_format_is_given(tiny_model_dir, folder, tmp_path):
    out = tmp_path / "tags.xlsx"
    res = invoke("predict", folder, "--model", tiny_model_dir, "-o", out, "--format", "csv")
    assert res.exit_code == 3, res.output
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 3


def test_html_on_stdin_is_extracted(tiny_model_dir):
    page = (
        "<html><head><style>p {color: red}</style></head><body><nav>الرئيسية</nav>"
        f"<article><p>{GC_TEXT}</p><p>&quot;بيان&quot; &amp; تصريح</p></article></body></html>"
    )
    res = invoke("predict", "-", "--model", tiny_model_dir, "-f", "jsonl", "--explain", input=page)
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["note"] == "read as HTML" and row["label"]
    assert "quot" not in row["explanation"] and "color" not in row["explanation"]


def test_interrupt_keeps_rows_and_says_how_to_go_on(tiny_model_dir, tmp_path, monkeypatch):
    from classify.tagging import rows as rows_mod

    src = tmp_path / "in"
    src.mkdir()
    for i in range(600):
        (src / f"{i:04d}.txt").write_text(GC_TEXT if i % 2 else PF_TEXT, encoding="utf-8")
    real = interrupt_on_batch(monkeypatch, 3)
    out = tmp_path / "tags.csv"
    res = invoke("predict", src, "--model", tiny_model_dir, "-o", out)
    assert res.exit_code == 130 and "--resume" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not out.exists() and (tmp_path / ".tags.csv.part").read_text().count("\n") == 512
    monkeypatch.setattr(rows_mod, "tag_batch", real)
    res = invoke("predict", src, "--model", tiny_model_dir, "-o", out, "--resume")
    assert res.exit_code == 0 and "skipped 512 already in the output" in res.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["path"] for r in rows] == sorted(str(p) for p in src.iterdir())


def test_evaluate_a_small_set_warns_instead_of_refusing(tiny_model_dir, tmp_path):
    data = _labelled_csv(tmp_path / "small.csv", per_label=2, extra=f'"{GC_TEXT}",sports\n')
    res = invoke("evaluate", data, "--model", tiny_model_dir)
    assert res.exit_code == 0, res.output
    warnings = [line for line in res.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert "fewer than 5 articles" in warnings[0] and "press-freedom (2)" in warnings[0]
    assert "labels the model does not know, counted as errors: sports (1)" in warnings[1]
    assert "articles 7" in res.stdout and "sports" in res.stdout

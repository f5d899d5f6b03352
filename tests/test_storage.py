"""Archives in object storage (#18): a real S3 API on loopback (moto's server,
started here), read and written through fsspec by both engines.

The rows of a bucket prefix must be those of the same files in a local
folder (paths aside), Windows-1256 and broken files included; outputs appear
under their name only when complete; a store-wide problem is one line.
"""

import csv
import io
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from classify.cli import app
from classify.model.store import load_model
from classify.tagging import storage, urls
from classify.tagging.run import run

from . import s3
from .helpers import FIXTURES, interrupt_on_batch, kill_a_worker_when_busy, kill_when

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BUCKET = "archive"
ALL = "*.txt,*.html,*.htm,*.jsonl,*.csv,*.parquet"


@pytest.fixture(scope="module")
def moto():
    with pytest.MonkeyPatch.context() as mp:
        with s3.moto_s3(mp) as (endpoint, client):
            client.create_bucket(Bucket=BUCKET)
            yield endpoint, client


@pytest.fixture
def env(moto):
    """The moto environment again for each test (a test may change it)."""
    with pytest.MonkeyPatch.context() as mp:
        s3.set_env(s3.isolated_aws_env(moto[0]), mp)
        yield moto
    s3.forget_file_systems()


def make_archive(root, n=30):
    """The kinds of input a scraped archive has, as in the local tests."""
    (root / "2012" / "sub").mkdir(parents=True)
    (root / "empty-folder").mkdir()
    for i in range(n):
        (root / "2012" / f"{i:04d}.txt").write_text(TEXTS[i % len(TEXTS)], encoding="utf-8")
    (root / "2012" / "sub" / "legacy.txt").write_bytes(TEXTS[3].encode("cp1256") + b"\x00")
    (root / "page.html").write_text(f"<html><body><nav>menu</nav><article><h1>x</h1><p>{TEXTS[5]}</p></article></body></html>", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "image.txt").write_bytes(PNG)
    (root / "english.txt").write_text("no arabic at all here", encoding="utf-8")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not matched")
    records = [{"id": f"r{i}", "text": TEXTS[i]} for i in range(4)] + [{"id": "r4", "body": "no text field"}]
    (root / "shard.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\nnot json\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist([{"id": f"p{i}", "text": TEXTS[-1 - i]} for i in range(3)]), root / "shard.parquet")
    return root


def rows(data: bytes, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    if fmt == "jsonl":
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]
    return pq.read_table(io.BytesIO(data)).to_pylist()


def as_local(found, url_prefix, folder):
    return [{**r, "path": r["path"].replace(url_prefix, str(folder), 1)} for r in found]


def summary_text(summary) -> str:
    return summary.line().rsplit(";", 1)[0]  # without the time and rate


@pytest.fixture(scope="module")
def archive(moto, tmp_path_factory):
    folder = make_archive(tmp_path_factory.mktemp("archive") / "in")
    s3.upload(moto[1], folder, BUCKET, "in")
    return folder


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_bucket_prefix_gives_the_local_folders_rows(tiny_model_dir, tmp_path, env, archive, jobs, fmt):
    client = env[1]
    model = load_model(tiny_model_dir)
    local = tmp_path / f"local.{fmt}"
    want = run(model, tiny_model_dir, [str(archive)], output=local, fmt=fmt, jobs=jobs, pattern=ALL, batch_size=8)
    out = f"out-{jobs}-{fmt}/tags.{fmt}"
    got = run(model, tiny_model_dir, [f"s3://{BUCKET}/in"], output=f"s3://{BUCKET}/{out}", fmt=fmt, jobs=jobs, pattern=ALL, batch_size=8)
    expected = rows(local.read_bytes(), fmt)
    found = as_local(rows(s3.get(client, BUCKET, out), fmt), f"s3://{BUCKET}/in", archive)
    assert found == expected and len(found) == 35 + 6 + 3  # files, JSONL lines, Parquet rows
    legacy = next(r for r in found if r["path"].endswith("legacy.txt"))
    assert legacy["encoding"] == "cp1256" and legacy["label"] and "NUL" in legacy["note"]
    assert summary_text(got) == summary_text(want) and "not matched: 1 .pdf" in summary_text(got)
    assert got.exit_code == want.exit_code == 3
    assert s3.keys(client, BUCKET, out.split("/")[0]) == [out]  # no sidecar or temporary key left


def test_trailing_slash_glob_and_file_url(tiny_model_dir, tmp_path, env, archive):
    model = load_model(tiny_model_dir)
    local = tmp_path / "local.jsonl"
    run(model, tiny_model_dir, [str(archive / "2012")], output=local, fmt="jsonl")
    for n, inputs in enumerate([[f"s3://{BUCKET}/in/2012/"], [f"s3://{BUCKET}/in/201*"]]):
        out = tmp_path / f"got{n}.jsonl"
        run(model, tiny_model_dir, inputs, output=out, fmt="jsonl")
        assert as_local(rows(out.read_bytes(), "jsonl"), f"s3://{BUCKET}/in/2012", archive / "2012") == rows(local.read_bytes(), "jsonl")
    out = tmp_path / "file-url.jsonl"
    run(model, tiny_model_dir, [f"file://{archive / '2012'}"], output=f"file://{out}", fmt="jsonl")
    assert out.read_bytes() == local.read_bytes()  # a file:// URL is the local path
    summary = run(model, tiny_model_dir, [f"s3://{BUCKET}/in/nothing-*.txt"], output=tmp_path / "none.jsonl", fmt="jsonl")
    assert rows((tmp_path / "none.jsonl").read_bytes(), "jsonl")[0]["error"] == "no file matches this pattern"
    assert summary.exit_code == 3


def test_dask_workers_fetch_the_objects_themselves(tiny_model_dir, tmp_path, env, archive, monkeypatch):
    model = load_model(tiny_model_dir)
    local = tmp_path / "local.jsonl"
    want = run(model, tiny_model_dir, [str(archive)], output=local, fmt="jsonl", pattern=ALL, batch_size=8)

    def no_fetching_here(*args, **kwargs):
        raise AssertionError("the client read an object")

    # the workers are other processes: only the client is patched
    monkeypatch.setattr(storage, "fetch", no_fetching_here)
    monkeypatch.setattr(storage, "read_collection_url", no_fetching_here)
    got = run(
        model, tiny_model_dir, [f"s3://{BUCKET}/in"], output=f"s3://{BUCKET}/dask/tags.jsonl", fmt="jsonl",
        pattern=ALL, batch_size=8, engine="dask", jobs=2,
    )
    found = as_local(rows(s3.get(env[1], BUCKET, "dask/tags.jsonl"), "jsonl"), f"s3://{BUCKET}/in", archive)
    assert found == rows(local.read_bytes(), "jsonl")
    assert summary_text(got) == summary_text(want)
    assert s3.keys(env[1], BUCKET, "dask/") == ["dask/tags.jsonl"]


def test_dask_partitioned_parquet_in_a_bucket_has_its_marker_last(tiny_model_dir, tmp_path, env, archive):
    import pandas as pd

    client = env[1]
    model = load_model(tiny_model_dir)
    local = tmp_path / "local.parquet"
    run(model, tiny_model_dir, [str(archive)], output=local, fmt="parquet", batch_size=8)
    summary = run(
        model, tiny_model_dir, [f"s3://{BUCKET}/in"], output=f"s3://{BUCKET}/parts/tags", fmt="parquet",
        batch_size=8, engine="dask", jobs=2,
    )
    names = s3.keys(client, BUCKET, "parts/")
    # 35 files in partitions of 8, then the marker; no temporary prefix left
    assert names == sorted([f"parts/tags/part-{i:05d}.parquet" for i in range(5)] + ["parts/tags/_SUCCESS"])
    got = pd.read_parquet(f"s3://{BUCKET}/parts/tags", storage_options={"endpoint_url": env[0]})
    want = pd.read_parquet(local)
    got["path"] = got["path"].str.replace(f"s3://{BUCKET}/in", str(archive), regex=False)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    assert summary.tagged == 32 and sum(summary.failed.values()) == 3 and summary.exit_code == 3


def test_killed_worker_loses_and_duplicates_nothing_reading_a_bucket(tiny_model_dir, tmp_path, env):
    from distributed import Client, LocalCluster

    client = env[1]
    model = load_model(tiny_model_dir)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(800):
        (folder / f"{i:05d}.txt").write_text(TEXTS[i % len(TEXTS)], encoding="utf-8")
    (folder / "w1256.txt").write_bytes(TEXTS[7].encode("cp1256"))
    (folder / "empty.txt").write_bytes(b"")
    s3.upload(client, folder, BUCKET, "many")
    local = tmp_path / "local.csv"
    run(model, tiny_model_dir, [str(folder)], output=local, fmt="csv", batch_size=10)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with Client(c) as dask_client:
            killer, killed = kill_a_worker_when_busy(dask_client)
            run(
                model, tiny_model_dir, [f"s3://{BUCKET}/many"], output=f"s3://{BUCKET}/killed/tags.csv", fmt="csv",
                batch_size=10, engine="dask", scheduler=c.scheduler_address,
            )
            killer.join()
    assert killed, "a worker was killed while tasks were running"
    got = as_local(rows(s3.get(client, BUCKET, "killed/tags.csv"), "csv"), f"s3://{BUCKET}/many", folder)
    want = rows(local.read_bytes(), "csv")
    assert len(got) == len(want) == 802 and len({r["path"] for r in got}) == 802
    assert got == want
    assert next(r for r in got if r["path"].endswith("w1256.txt"))["encoding"] == "cp1256"


def test_kill_9_then_resume_in_the_bucket_gives_a_clean_runs_rows(tiny_model_dir, tmp_path, env):
    client = env[1]
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(1200):
        (folder / f"{i:05d}.txt").write_text(TEXTS[i % len(TEXTS)], encoding="utf-8")
    s3.upload(client, folder, BUCKET, "resume/in")
    out = f"s3://{BUCKET}/resume/out/tags.csv"
    # the CLI with a small chunk size, so that a chunk is written early
    code = (
        "import sys, classify.tagging.storage as s; s.REMOTE_FLUSH_ROWS = 64; "
        "from classify.cli import app; sys.argv[0] = 'classify'; app()"
    )
    cmd = [sys.executable, "-c", code, "predict", f"s3://{BUCKET}/resume/in", "--model", str(tiny_model_dir), "-o", out]
    kill_when(
        cmd,
        lambda: any(k.endswith("rows-00000002.jsonl.part") for k in s3.keys(client, BUCKET, "resume/out/.tags.csv.part/")),
        why="the run ended before rows were flushed to the bucket", poll=0.05,
    )
    left = s3.keys(client, BUCKET, "resume/out/")
    assert "resume/out/tags.csv" not in left  # killed mid-run: nothing under the output's name
    flushed = sum(s3.get(client, BUCKET, k).count(b"\n") for k in left if "/rows-" in k)
    assert 64 * 3 <= flushed < 1200

    model = load_model(tiny_model_dir)
    summary = run(model, tiny_model_dir, [f"s3://{BUCKET}/resume/in"], output=out, fmt="csv", resume=True)
    assert summary.skipped == flushed and summary.tagged == 1200 - flushed
    clean = tmp_path / "clean.csv"
    run(model, tiny_model_dir, [str(folder)], output=clean, fmt="csv")
    resumed = as_local(rows(s3.get(client, BUCKET, "resume/out/tags.csv"), "csv"), f"s3://{BUCKET}/resume/in", folder)
    assert resumed == rows(clean.read_bytes(), "csv")  # same rows, same order
    assert s3.keys(client, BUCKET, "resume/out/") == ["resume/out/tags.csv"]
    # a finished output is kept too, and nothing is tagged again
    again = run(model, tiny_model_dir, [f"s3://{BUCKET}/resume/in"], output=out, fmt="csv", resume=True)
    assert again.skipped == 1200 and again.tagged == 0


# --- one line for what stops a run; a row for what stops one input ---------

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def one_error_line(res, *words):
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_missing_bucket_and_denied_key_are_rows_and_the_rest_is_tagged(tiny_model_dir, env, archive):
    client = env[1]
    client.create_bucket(Bucket="guarded")
    client.put_object(Bucket="guarded", Key="open/a.txt", Body=TEXTS[0].encode())
    client.put_object(Bucket="guarded", Key="open/b.txt", Body=TEXTS[1].encode())
    client.put_object(Bucket="guarded", Key="secret/c.txt", Body=TEXTS[2].encode())
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::guarded/secret/*"}
    client.put_bucket_policy(Bucket="guarded", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    res = invoke("predict", "s3://guarded", "s3://no-such-bucket-here/in", "--model", tiny_model_dir, "-f", "jsonl")
    assert res.exit_code == 3, res.output
    got = {r["path"]: r for r in map(json.loads, res.stdout.splitlines())}
    assert got["s3://guarded/open/a.txt"]["label"] and got["s3://guarded/open/b.txt"]["label"]
    assert got["s3://guarded/secret/c.txt"]["error"].startswith("Permission denied")
    assert got["s3://no-such-bucket-here/in"]["error"] == "no such bucket (no-such-bucket-here)"
    assert "failed 2 (Permission denied: 1, no such bucket: 1)" in res.stderr


def test_missing_output_bucket_is_one_line_before_any_work(tiny_model_dir, env, archive):
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", "s3://no-such-bucket-here/tags.csv")
    assert res.exit_code == 1
    one_error_line(res, "s3://no-such-bucket-here/tags.csv", "bucket no-such-bucket-here does not exist")


def test_denied_output_is_one_line_and_writes_nothing(tiny_model_dir, env, archive):
    client = env[1]
    client.create_bucket(Bucket="read-only")
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::read-only/*"}
    client.put_bucket_policy(Bucket="read-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", "s3://read-only/out/tags.csv")
    assert res.exit_code == 1
    one_error_line(res, "s3://read-only/out/tags.csv", "permission denied")
    assert s3.keys(client, "read-only") == []


def test_missing_credentials_are_one_line(tiny_model_dir, env, monkeypatch, tmp_path):
    s3.set_env(s3.isolated_aws_env(env[0], credentials=False), monkeypatch)
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", tmp_path / "tags.csv")
    assert res.exit_code == 1
    one_error_line(res, f"s3://{BUCKET}/in/2012", "no usable credentials", "AWS_ACCESS_KEY_ID")
    res = invoke("predict", FIXTURES / "other" / "01.txt", "--model", tiny_model_dir, "-o", f"s3://{BUCKET}/x/tags.csv")
    assert res.exit_code == 1
    one_error_line(res, f"s3://{BUCKET}/x/tags.csv", "no usable credentials")
    assert not (tmp_path / "tags.csv").exists() and not list(tmp_path.iterdir())


def test_refused_credentials_are_one_line(tiny_model_dir, env, monkeypatch):
    from moto import settings

    # moto checks keys against its IAM users from now on; ours is none of them
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-f", "jsonl")
    assert res.exit_code == 1
    one_error_line(res, f"s3://{BUCKET}/in/2012", "credentials refused")
    assert res.stdout == ""


def test_existing_output_in_the_bucket_needs_force(tiny_model_dir, env, archive):
    client = env[1]
    client.put_object(Bucket=BUCKET, Key="keep/tags.csv", Body=b"keep me\n")
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", f"s3://{BUCKET}/keep/tags.csv")
    assert res.exit_code == 1
    one_error_line(res, "already exists", "--force")
    assert s3.get(client, BUCKET, "keep/tags.csv") == b"keep me\n"
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", f"s3://{BUCKET}/keep/tags.csv", "--force")
    assert res.exit_code == 0, res.output
    assert len(rows(s3.get(client, BUCKET, "keep/tags.csv"), "csv")) == 31 and s3.keys(client, BUCKET, "keep/") == ["keep/tags.csv"]


def test_storage_option_sets_the_endpoint(tiny_model_dir, env, monkeypatch, archive):
    endpoint = env[0]
    s3.set_env(s3.isolated_aws_env(None), monkeypatch)  # no AWS_ENDPOINT_URL
    res = invoke(
        "predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-f", "jsonl",
        "--storage-option", f"endpoint_url={endpoint}", "--storage-option", "use_ssl=false",
    )
    assert res.exit_code == 0, res.output
    assert len(res.stdout.splitlines()) == 31
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "--storage-option", "endpoint_url")
    assert res.exit_code == 2 and "KEY=VALUE" in res.output


@pytest.mark.parametrize("protocol, package, extra", [("s3", "s3fs", "s3"), ("gs", "gcsfs", "gcs"), ("abfs", "adlfs", "azure")])
def test_without_the_stores_package_a_url_says_what_to_install(tiny_model_dir, monkeypatch, protocol, package, extra):
    from fsspec.registry import _registry

    monkeypatch.setitem(sys.modules, package, None)  # importing it now fails, installed or not
    if protocol in _registry:
        monkeypatch.delitem(_registry, protocol)
    res = invoke("predict", f"{protocol}://some-bucket/in", "--model", tiny_model_dir)
    assert res.exit_code == 1
    one_error_line(res, f"{protocol}://some-bucket/in", package, f"pip install 'classify[{extra}]'")


def test_urls_are_only_what_has_a_scheme():
    assert urls.is_url("s3://b/k") and urls.is_url("gs://b") and urls.is_url("simplecache::s3://b/k")
    assert not urls.is_url("/tmp/a.txt") and not urls.is_url("C:\\x\\a.txt") and not urls.is_url("file:///tmp/a")
    assert not urls.is_url("c://odd") and not urls.is_url("-")
    assert urls.as_local("file:///tmp/a%20b.txt") == "/tmp/a b.txt" and urls.as_local("s3://b/k") == "s3://b/k"


def test_interrupt_keeps_rows_in_the_bucket_and_says_how_to_go_on(tiny_model_dir, env, archive, monkeypatch):
    from classify.tagging import rows as rows_mod

    client = env[1]
    real = interrupt_on_batch(monkeypatch, 3)
    out = f"s3://{BUCKET}/ctrl-c/tags.jsonl"
    summary = None
    try:
        run(load_model(tiny_model_dir), tiny_model_dir, [f"s3://{BUCKET}/in/2012"], output=out, fmt="jsonl", batch_size=4)
    except KeyboardInterrupt:
        summary = "interrupted"
    assert summary == "interrupted"
    kept = [k for k in s3.keys(client, BUCKET, "ctrl-c/") if "/rows-" in k]
    assert kept and sum(s3.get(client, BUCKET, k).count(b"\n") for k in kept) == 8  # two batches of 4
    assert "ctrl-c/tags.jsonl" not in s3.keys(client, BUCKET, "ctrl-c/")
    monkeypatch.setattr(rows_mod, "tag_batch", real)
    res = invoke("predict", f"s3://{BUCKET}/in/2012", "--model", tiny_model_dir, "-o", out, "--resume")
    assert res.exit_code == 0 and "skipped 8 already in the output" in res.stderr, res.output
    assert [json.loads(line)["path"] for line in s3.get(client, BUCKET, "ctrl-c/tags.jsonl").splitlines()] == sorted(
        f"s3://{BUCKET}/in/2012/{p.relative_to(archive / '2012').as_posix()}" for p in (archive / "2012").rglob("*.txt")
    )
    assert s3.keys(client, BUCKET, "ctrl-c/") == ["ctrl-c/tags.jsonl"]


def test_interrupted_cli_names_the_bucket_sidecar(tiny_model_dir, env, archive, monkeypatch):
    real, calls = storage.RemoteWriter.write, []

    def interrupted_at_the_tenth_row(self, row):
        calls.append(1)
        if len(calls) == 10:
            raise KeyboardInterrupt
        return real(self, row)

    monkeypatch.setattr(storage.RemoteWriter, "write", interrupted_at_the_tenth_row)
    res = invoke("predict", f"s3://{BUCKET}/in", "--model", tiny_model_dir, "-o", f"s3://{BUCKET}/ctrl-c-cli/tags.csv")
    assert res.exit_code == 130
    one_error_line(res, f"kept in s3://{BUCKET}/ctrl-c-cli/.tags.csv.part/", "--resume")
    kept = [k for k in s3.keys(env[1], BUCKET, "ctrl-c-cli/") if "/rows-" in k]
    assert sum(s3.get(env[1], BUCKET, k).count(b"\n") for k in kept) == 9

"""The Dask engine gives the local path's rows, and survives a killed worker."""

import csv

import pytest

distributed = pytest.importorskip("distributed")

from classify.tagging.run import run  # noqa: E402
from classify.model.store import load_model  # noqa: E402

from ..helpers import FIXTURES, article_folder, kill_a_worker_when_busy  # noqa: E402

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]


def make_folder(root, n):
    return article_folder(root, n, non_arabic=True)


def rows_of(path):
    return list(csv.DictReader(path.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with Client(c) as client:
            yield c, client


def test_dask_rows_equal_local_rows(tiny_model_dir, tmp_path, cluster):
    model = load_model(tiny_model_dir)
    folder = make_folder(tmp_path / "in", 60)
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    s1 = run(model, tiny_model_dir, [str(folder)], output=local, fmt="csv", batch_size=8)
    s2 = run(
        model, tiny_model_dir, [str(folder)], output=remote, fmt="csv", batch_size=8,
        engine="dask", scheduler=cluster[0].scheduler_address,
    )
    assert rows_of(local) == rows_of(remote) and len(rows_of(local)) == 62
    assert s1.per_label == s2.per_label and s1.failed == s2.failed and s2.exit_code == 3


def test_killed_worker_loses_and_duplicates_nothing(tiny_model_dir, tmp_path):
    from distributed import Client, LocalCluster

    model = load_model(tiny_model_dir)
    folder = make_folder(tmp_path / "in", 1500)
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    run(model, tiny_model_dir, [str(folder)], output=local, fmt="csv", batch_size=10)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with Client(c) as client:
            killer, killed = kill_a_worker_when_busy(client)
            run(
                model, tiny_model_dir, [str(folder)], output=remote, fmt="csv", batch_size=10,
                engine="dask", scheduler=c.scheduler_address,
            )
            killer.join()
    assert killed, "a worker was killed while tasks were running"
    got, want = rows_of(remote), rows_of(local)
    assert len(got) == len(want) == 1502
    assert len({r["path"] for r in got}) == 1502
    assert got == want


def test_resume_on_dask_skips_records_already_written(tiny_model_dir, tmp_path, cluster):
    import json

    model = load_model(tiny_model_dir)
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps({"id": f"r{i}", "text": TEXTS[i % len(TEXTS)]}, ensure_ascii=False) for i in range(6)]
    (folder / "a.jsonl").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run(model, tiny_model_dir, [str(folder)], output=out, fmt="jsonl", pattern="*.jsonl")
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run(
        model, tiny_model_dir, [str(folder)], output=out, fmt="jsonl", pattern="*.jsonl", resume=True,
        engine="dask", scheduler=cluster[0].scheduler_address,
    )
    paths = [json.loads(line)["path"].rsplit("#", 1)[1] for line in out.read_text().splitlines()]
    assert paths == [f"r{i}" for i in range(6)] and summary.skipped == 3


def test_partitioned_parquet_folder_equals_local_rows(tiny_model_dir, tmp_path, cluster):
    import pandas as pd

    model = load_model(tiny_model_dir)
    folder = make_folder(tmp_path / "in", 40)
    local, parts = tmp_path / "local.parquet", tmp_path / "tags"
    run(model, tiny_model_dir, [str(folder)], output=local, fmt="parquet", batch_size=8)
    summary = run(
        model, tiny_model_dir, [str(folder)], output=parts, fmt="parquet", batch_size=8,
        engine="dask", scheduler=cluster[0].scheduler_address,
    )
    files = sorted(p.name for p in parts.iterdir())
    assert files == [f"part-{i:05d}.parquet" for i in range(6)]  # 42 inputs in partitions of 8
    got = pd.read_parquet(parts)
    want = pd.read_parquet(local)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    assert summary.tagged == 40 and sum(summary.failed.values()) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tags.")]

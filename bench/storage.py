"""Tagging an archive in a bucket against the same files in a local folder.

    uv run python -m bench.storage [--n 8000] [--rounds 2] [--model DIR]

Starts moto's S3 server as its own process on a loopback port (so the
numbers are those of loopback moto on this machine, not of a real store),
uploads N articles to s3://bench/in/ and writes the same files to a local
folder, then times whole `classify predict` commands (start-up included)
for each engine, reading the folder into a local CSV and the bucket into a
CSV in the bucket, alternating local and bucket runs. Also measures fetching
alone: objects/s of the batched concurrent fetch the reader uses against
one GET at a time.

Articles: ../shared/corpora when present, else data/written/ cycled. Model:
--model, else the shipped model if it loads, else one trained here on
data/written/ (named in the output).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests import s3  # noqa: E402  (the tests' loopback S3 helpers)

PY = sys.executable
BUCKET = "bench"


def texts(n: int) -> tuple[list[str], str]:
    try:
        sys.path.insert(0, str(REPO / "bench"))
        from speed import real_texts

        return real_texts(n), "SaudiNewsNet and ANT Corpus articles (../shared/corpora)"
    except (OSError, ImportError):
        written = sorted((REPO / "data" / "written").rglob("*.txt"))
        got = [p.read_text(encoding="utf-8") for p in written]
        return list(islice(cycle(got), n)), f"our {len(got)} written articles (data/written), cycled"


def model_dir(given: Path | None, tmp: Path) -> tuple[Path, str]:
    if given:
        return given, str(given)
    from classify.errors import ClassifyError
    from classify.model.store import load_model, save_model
    from classify.paths import default_model_dir

    try:
        load_model(default_model_dir())
        return default_model_dir(), "the shipped model"
    except ClassifyError:
        from classify.training.data import load_labelled
        from classify.training.train import train

        model, card, features = train(load_labelled([REPO / "data" / "written"]), test_size=0.2)
        out = tmp / "model"
        save_model(model, card, out, features=features)
        return out, "a model trained on data/written (the shipped model did not load)"


def start_moto() -> tuple[subprocess.Popen, str]:
    port = s3.free_port()
    proc = subprocess.Popen(
        [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return proc, endpoint
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("moto's server did not start") from None
            time.sleep(0.2)


def predict(args, env) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([PY, "-m", "classify", "predict", *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    found = re.search(r"tagged (\d+).*?([\d.]+) articles/s", proc.stderr)
    if found is None:
        raise RuntimeError(f"classify predict failed: {proc.stderr.strip()}")
    return {"seconds": wall, "tagged": int(found.group(1)), "tagging_aps": float(found.group(2))}


def fetch_rates(n: int, env: dict, server_pid: int) -> dict:
    """Objects/s of storage.fetch on n keys, batches of FETCH_BATCH at once
    against one object at a time, and the CPU time per object of the
    fetching process and of moto's server (from /proc)."""
    code = (
        "import json, sys, time; from classify.tagging import storage;"
        "from classify.tagging.read import Listing;"
        f"urls = list(storage.expand_url('s3://{BUCKET}/in', ['*.txt'], Listing(), None))[:{n}];"
        "print('go', flush=True); sys.stdin.readline();"
        "c = time.process_time(); t = time.perf_counter(); storage.fetch(urls, 1 << 24, None);"
        "batched, cpu = time.perf_counter() - t, time.process_time() - c;"
        "print(json.dumps({'objects': len(urls), 'batched': len(urls) / batched, 'client_ms': 1000 * cpu / len(urls)}), flush=True);"
        "sys.stdin.readline();"
        "t = time.perf_counter(); [storage.fetch([u], 1 << 24, None) for u in urls]; single = time.perf_counter() - t;"
        "print(json.dumps({'one_at_a_time': len(urls) / single}), flush=True)"
    )
    proc = subprocess.Popen([PY, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "go"
    before = _cpu_seconds(server_pid)
    proc.stdin.write("\n")
    proc.stdin.flush()
    out = json.loads(proc.stdout.readline())
    out["server_ms"] = 1000 * (_cpu_seconds(server_pid) - before) / out["objects"]
    proc.stdin.write("\n")
    proc.stdin.flush()
    out.update(json.loads(proc.stdout.readline()))
    proc.wait()
    return out


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--fetch-only", action="store_true", help="measure fetching alone, no commands")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "storage.json")
    args = ap.parse_args()
    arts, source = texts(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model, model_name = model_dir(args.model, tmp)
        folder = tmp / "in"
        folder.mkdir()
        for i, t in enumerate(arts):
            (folder / f"{i:06d}.txt").write_text(t, encoding="utf-8")
        # the same articles as JSONL shards of 1,000 records: one GET each
        shards = tmp / "shards"
        shards.mkdir()
        for k in range(0, args.n, 1000):
            lines = [json.dumps({"id": i, "text": arts[i]}, ensure_ascii=False) for i in range(k, min(k + 1000, args.n))]
            (shards / f"shard-{k // 1000:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        server, endpoint = start_moto()
        try:
            env = s3.isolated_aws_env(endpoint)
            import boto3

            client = boto3.client(
                "s3", endpoint_url=endpoint, aws_access_key_id=s3.ACCESS_KEY, aws_secret_access_key=s3.SECRET_KEY,
                region_name="us-east-1",
            )
            client.create_bucket(Bucket=BUCKET)
            t = time.perf_counter()
            s3.upload(client, folder, BUCKET, "in")
            upload = args.n / (time.perf_counter() - t)
            s3.upload(client, shards, BUCKET, "shards")
            env = {**os.environ, **env}
            jsonl = ["--pattern", "*.jsonl"]
            cases = [
                ("--jobs 1", ["--jobs", "1"], folder, "in", []),
                ("--jobs 2", ["--jobs", "2"], folder, "in", []),
                ("dask, 2 workers", ["--engine", "dask", "--jobs", "2"], folder, "in", []),
                ("--jobs 1, JSONL shards", ["--jobs", "1"], shards, "shards", jsonl),
                ("dask, 2 workers, JSONL shards", ["--engine", "dask", "--jobs", "2"], shards, "shards", jsonl),
            ]
            results = []
            for name, extra, local, prefix, pattern in [] if args.fetch_only else cases:
                runs = {"folder": [], "bucket": []}
                for _ in range(args.rounds):
                    runs["folder"].append(predict(
                        [str(local), *pattern, "--model", str(model), "-o", str(tmp / "out.csv"), "--force", *extra], env,
                    ))
                    runs["bucket"].append(predict(
                        [f"s3://{BUCKET}/{prefix}", *pattern, "--model", str(model), "-o", f"s3://{BUCKET}/out/tags.csv",
                         "--force", *extra], env,
                    ))
                for where in ("folder", "bucket"):
                    assert all(r["tagged"] == args.n for r in runs[where]), runs[where]
                    results.append({
                        "engine": name, "input": where, "files": args.n,
                        "seconds": statistics.median(r["seconds"] for r in runs[where]),
                        "tagging_aps": statistics.median(r["tagging_aps"] for r in runs[where]),
                        "rounds": runs[where],
                    })
            fetch = fetch_rates(min(args.n, 2000), env, server.pid)
        finally:
            server.terminate()
            server.wait()
    print(f"articles: {source}; model: {model_name}; moto on loopback, this machine ({os.cpu_count()} cores)")
    print(f"upload (boto3, 8 threads): {upload:.0f} objects/s")
    print(f"fetch alone, {fetch['objects']} objects: {fetch['batched']:.0f} objects/s batched, "
          f"{fetch['one_at_a_time']:.0f} objects/s one at a time; CPU per object (batched): "
          f"client {fetch['client_ms']:.2f} ms, moto's server {fetch['server_ms']:.2f} ms")
    if args.fetch_only:
        return
    print()
    print("| engine | input -> output | files | whole command, s | articles/s, whole command | tagging rate (summary line) | bucket / folder |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        base = next(x for x in results if x["engine"] == r["engine"] and x["input"] == "folder")
        where = "local -> local CSV" if r["input"] == "folder" else "bucket -> CSV in the bucket"
        print(
            f"| {r['engine']} | {where} | {r['files']} | {r['seconds']:.1f} | {r['files'] / r['seconds']:.0f} | "
            f"{r['tagging_aps']:.0f} | {base['seconds'] / r['seconds']:.2f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"source": source, "model": model_name, "upload": upload, "fetch": fetch, "runs": results}, indent=2))


if __name__ == "__main__":
    main()

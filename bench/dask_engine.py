"""The Dask engine against the --jobs path, on the same files, in one run.

    uv run python -m bench.dask_engine [--n 16000] [--small 100]

Reports articles/s of `classify predict` with --jobs 1 and 2 (local processes)
and with --engine dask on a local cluster of 1 and 2 worker processes, and the
engine's overhead on a small batch (cluster start-up and model shipping
included, as a user would see them). Needs ../shared/corpora.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, real_texts, write_folder


def timed(args) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classify", "predict", *args], check=False, capture_output=True)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=16000)
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "dask_engine.json")
    args = ap.parse_args()
    texts = real_texts(args.n)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = write_folder(texts, tmp / "big")
        small = write_folder(texts[: args.small], tmp / "small")
        for folder, n in ((big, args.n), (small, args.small)):
            for name, extra in (
                ("--jobs 1", ["--jobs", "1"]),
                ("--jobs 2", ["--jobs", "2"]),
                ("dask, 1 worker", ["--engine", "dask", "--jobs", "1"]),
                ("dask, 2 workers", ["--engine", "dask", "--jobs", "2"]),
            ):
                secs = timed([str(folder), "-o", str(tmp / "out.csv"), "--force", *extra])
                rows.append({"files": n, "engine": name, "seconds": secs, "aps": n / secs})
    print("| files | engine | seconds | articles/s | vs --jobs 1 (same files) |")
    print("|---|---|---|---|---|")
    for r in rows:
        base = next(x for x in rows if x["files"] == r["files"] and x["engine"] == "--jobs 1")
        print(f"| {r['files']} | {r['engine']} | {r['seconds']:.1f} | {r['aps']:.0f} | {r['aps'] / base['aps']:.2f} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

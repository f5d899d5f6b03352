"""Speed and memory of classify, each against a baseline measured in the same run.

    uv run --extra bench python -m bench.speed [--model DIR]          # full: up to 64k articles
    uv run --extra bench python -m bench.speed --quick                # smaller sizes
    uv run --extra bench python -m bench.speed --skip-training        # prediction only

Reports (table on stdout, JSON in bench/results/speed.json); every ratio
compares two figures of this run, taken in alternating rounds on this noisy
machine, and the median round counts:
- cold start of `classify predict one.txt` (median of 5 after a warm-up)
  against `python -c "import numpy"`, with imports, model load and
  prediction split apart, and the model load alone (median of 5 processes);
- in-process throughput on the same articles: camel-tools' reference
  normalisation alone (classify.model.normalize.camel_normalize, the floor),
  our prediction, and the peers' predict (plain scikit-learn TF-IDF + LR,
  fastText with `--extra bench`);
- `classify predict FOLDER --output x.csv` (reading, cleaning, normalising,
  vectorising, classifying, writing) against the floor over the same articles;
- `--jobs 2` against `--jobs 1`;
- peak memory at the largest size against the smallest;
- training time at growing sizes; model file size.
Needs ../shared/corpora for real articles. Point --model at a model of the
current format (model.json + model.npz + card.json).
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
from pathlib import Path

from bench.common import DEFAULT_MODEL, PY, REPO, fasttext_model, fasttext_predict, labelled, plain_sklearn, real_texts, write_folder


def _classify_cmd() -> list[str]:
    """The console script users run (`classify`), else the module."""
    script = Path(PY).parent / "classify"
    return [str(script)] if script.is_file() else [PY, "-m", "classify"]


def _wall(cmd, **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True, **kw)
    return time.perf_counter() - t


def rate(fn, texts) -> float:
    t = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - t)


def floor(texts) -> None:
    from classify.model.normalize import camel_normalize

    for t in texts:
        camel_normalize(t)


# --- cold start ----------------------------------------------------------------

SPLIT_PROBE = """
import json, sys, time
t0 = time.perf_counter()
import classify.cli, classify.model.store, classify.tagging.run
t1 = time.perf_counter()
m = classify.model.store.load_model(sys.argv[1])
t2 = time.perf_counter()
m.predict_proba([open(sys.argv[2], encoding="utf-8").read()])
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "model_load": t2 - t1, "predict": t3 - t2}))
"""

LOAD_PROBE = """
import sys, time
import numpy, classify.model.store
t = time.perf_counter()
classify.model.store.load_model(sys.argv[1])
print(time.perf_counter() - t)
"""


def cold_start(model_dir: Path, one: Path, runs: int = 5) -> dict:
    """`classify predict one.txt` and `python -c "import numpy"` alternate,
    one warm-up round dropped; medians of ``runs``."""
    predict = _classify_cmd() + ["predict", str(one), "--model", str(model_dir)]
    numpy_only = [PY, "-c", "import numpy"]
    whole, base, parts, loads = [], [], [], []
    for r in range(runs + 1):
        w, b = _wall(predict), _wall(numpy_only)
        p = json.loads(subprocess.run([PY, "-c", SPLIT_PROBE, str(model_dir), str(one)], capture_output=True, text=True, check=True).stdout)
        load = float(subprocess.run([PY, "-c", LOAD_PROBE, str(model_dir)], capture_output=True, text=True, check=True).stdout)
        if r:
            whole.append(w), base.append(b), parts.append(p), loads.append(load)
    out = {
        "predict_one_median_s": statistics.median(whole),
        "predict_one_runs_s": whole,
        "import_numpy_median_s": statistics.median(base),
        "model_load_alone_median_s": statistics.median(loads),
        **{k + "_median_s": statistics.median(p[k] for p in parts) for k in ("imports", "model_load", "predict")},
    }
    out["predict_one_over_import_numpy"] = out["predict_one_median_s"] / out["import_numpy_median_s"]
    return out


# --- throughput ----------------------------------------------------------------


def in_process(model_dir: Path, texts: list[str], rounds: int = 3) -> dict:
    """Floor and our prediction alternate over ``rounds`` rounds of fresh
    articles; the median of the per-round ratios is reported. The peers
    predict the first round's articles."""
    from classify.model.store import load_model

    model = load_model(model_dir)
    model.warm_up()  # one-time costs: the indexes and the compiled kernels, as batch runs load them
    size = len(texts) // rounds
    floors, ours = [], []
    for r in range(rounds):
        part = texts[r * size : (r + 1) * size]
        floors.append(rate(floor, part))
        ours.append(rate(lambda ts: [model.predict_proba(ts[i : i + 256]) for i in range(0, len(ts), 256)], part))
    ratios = sorted(o / f for o, f in zip(ours, floors))
    out = {
        "articles_per_round": size,
        "floor_aps": statistics.median(floors),
        "ours_aps": statistics.median(ours),
        "ours_over_floor": statistics.median(ratios),
        "ours_over_floor_rounds": ratios,
    }
    # peers, fitted on a sample of our labelled articles, timed on the same articles
    data = labelled().sample(3000, random_state=0)
    part = texts[:size]
    plain = plain_sklearn(data["text"], data["label"])
    out["peer_sklearn_tfidf_lr_aps"] = rate(plain.predict_proba, part)
    try:
        ft = fasttext_model(data["text"], data["label"], epoch=5, wordNgrams=2, thread=1)
        out["peer_fasttext_aps"] = rate(lambda ts: [fasttext_predict(ft, t, 3) for t in ts], part)
        out["ours_same_round_aps"] = rate(lambda ts: [model.predict_proba(ts[i : i + 256]) for i in range(0, len(ts), 256)], part)
    except ImportError:
        out["peer_fasttext_aps"] = None
    return out


PEAK_PROBE = (
    "import runpy, sys, atexit;"
    "hwm = lambda: int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]);"
    "atexit.register(lambda: print('PEAK_KB', hwm(), file=sys.stderr));"
    "sys.argv = ['classify'] + sys.argv[1:]; runpy.run_module('classify', run_name='__main__')"
)


def run_batch(folder: Path, model_dir: Path, jobs: int, out: Path) -> dict:
    """Wall time, the command's own tagging rate and the main process's peak
    memory of one `classify predict FOLDER --output out.csv`."""
    # VmHWM is this process's own peak RSS; ru_maxrss would also carry the
    # benchmark's, which Linux keeps across fork and exec.
    cmd = [PY, "-c", PEAK_PROBE, "predict", str(folder), "--model", str(model_dir), "-o", str(out), "--force", "--jobs", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"classify predict failed: {proc.stderr[-2000:]}")
    peak = int([ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")][-1].split()[1])
    # the command's summary line: its rate leaves out start-up (imports,
    # model load), which the cold-start rows measure
    tagging = float(re.search(r"([\d.]+) articles/s", proc.stderr).group(1))
    n = sum(1 for _ in folder.iterdir())
    return {"files": n, "jobs": jobs, "seconds": wall, "aps": n / wall, "tagging_aps": tagging, "peak_rss_mb": peak / 1024}


def command_vs_floor(folder: Path, model_dir: Path, out: Path, rounds: int = 3) -> dict:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())]
    floor(texts[:10])  # camel-tools' import and tables
    rows = []
    for _ in range(rounds):
        f = rate(floor, texts)
        b = run_batch(folder, model_dir, 1, out)
        rows.append({"floor_aps": f, **b, "tagging_over_floor": b["tagging_aps"] / f, "whole_over_floor": b["aps"] / f})
    rows.sort(key=lambda r: r["tagging_over_floor"])
    return {"rounds": rows, "median": rows[len(rows) // 2]}


def jobs_ratio(folder: Path, model_dir: Path, out: Path, rounds: int = 3) -> dict:
    pairs = [[run_batch(folder, model_dir, j, out) for j in (1, 2)] for _ in range(rounds)]
    ratios = [b["tagging_aps"] / a["tagging_aps"] for a, b in pairs]
    mid = sorted(range(rounds), key=ratios.__getitem__)[rounds // 2]
    return {
        "rounds": pairs, "jobs2_over_jobs1_rounds": sorted(ratios), "jobs2_over_jobs1": ratios[mid],
        "median_round": pairs[mid], "jobs2_over_jobs1_whole_command": pairs[mid][1]["aps"] / pairs[mid][0]["aps"],
    }


# --- training ------------------------------------------------------------------


def training_growth(sizes) -> list[dict]:
    from classify.training.train import fit_pipeline

    data = labelled().sample(frac=1.0, random_state=0)
    out = []
    for n in sizes:
        part = data.iloc[:n]
        t = time.perf_counter()
        fit_pipeline(part)
        secs = time.perf_counter() - t
        out.append({"articles": n, "seconds": secs, "ms_per_article": 1000 * secs / n})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=Path(os.environ.get("CLASSIFY_MODEL", DEFAULT_MODEL)))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-training", action="store_true")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "speed.json")
    args = ap.parse_args()
    if not (args.model / "model.json").is_file():
        raise SystemExit(f"{args.model}: not a model of the current format (no model.json); pass --model")
    small, large = (1000, 8000) if args.quick else (1000, 64000)
    batch_size = 4000 if args.quick else 16000
    train_sizes = (1000, 2000, 4000) if args.quick else (1000, 2000, 4000, 8000, 13780)

    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "model": str(args.model)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        texts = real_texts(max(large, batch_size, 12000))
        one = tmp / "one.txt"
        one.write_text(texts[0], encoding="utf-8")
        results["cold_start"] = cold_start(args.model, one)
        print(json.dumps(results["cold_start"], indent=1), flush=True)

        results["in_process"] = in_process(args.model, texts[:12000])
        print(json.dumps(results["in_process"], indent=1), flush=True)

        folder = write_folder(texts[:batch_size], tmp / f"n{batch_size}")
        out_csv = tmp / "out.csv"
        results["command_vs_floor"] = command_vs_floor(folder, args.model, out_csv)
        print(json.dumps(results["command_vs_floor"]["median"], indent=1), flush=True)
        results["jobs"] = jobs_ratio(folder, args.model, out_csv)
        print(json.dumps(results["jobs"]["median_round"], indent=1), flush=True)

        mem = []
        for n in (small, large):
            f = folder if n == batch_size else write_folder(texts[:n], tmp / f"n{n}")
            mem.append(run_batch(f, args.model, 1, out_csv))
        results["batch_memory"] = mem
        results["peak_memory_large_over_small"] = mem[1]["peak_rss_mb"] / mem[0]["peak_rss_mb"]
        print(json.dumps(mem, indent=1), flush=True)

    if not args.skip_training:
        results["training"] = training_growth(train_sizes)
        t = results["training"]
        results["training_ms_per_article_last_over_first"] = t[-1]["ms_per_article"] / t[0]["ms_per_article"]
    results["model_file_mb"] = (args.model / "model.npz").stat().st_size / 1e6
    features = args.model / "features.npz"
    results["features_file_mb"] = features.stat().st_size / 1e6 if features.is_file() else None

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_table(results)


def print_table(results: dict) -> None:
    cs, ip, cf, jb = results["cold_start"], results["in_process"], results["command_vs_floor"]["median"], results["jobs"]
    print()
    print("| measure | value | baseline in the same run | ratio |")
    print("|---|---|---|---|")
    print(f"| cold start, `classify predict one.txt`, median of 5 after a warm-up | {cs['predict_one_median_s']:.3f} s | "
          f"`python -c \"import numpy\"` {cs['import_numpy_median_s']:.3f} s | {cs['predict_one_over_import_numpy']:.2f} |")
    print(f"| ... split (probe, medians): imports, model load, predict | {cs['imports_median_s']:.3f} s, "
          f"{cs['model_load_median_s']:.3f} s, {cs['predict_median_s']:.3f} s | | |")
    print(f"| model load alone (numpy imported), median of 5 processes | {cs['model_load_alone_median_s']:.3f} s | | |")
    print(f"| our prediction in process, 1 core, median of 3 rounds of {ip['articles_per_round']} fresh articles "
          f"(rounds {', '.join(f'{r:.2f}' for r in ip['ours_over_floor_rounds'])}) | {ip['ours_aps']:.0f} articles/s | "
          f"camel-tools normalisation alone (the floor) {ip['floor_aps']:.0f} articles/s | {ip['ours_over_floor']:.2f} |")
    print(f"| peer: plain scikit-learn TF-IDF + LR predict | {ip['peer_sklearn_tfidf_lr_aps']:.0f} articles/s | the floor | "
          f"{ip['peer_sklearn_tfidf_lr_aps'] / ip['floor_aps']:.2f} |")
    if ip.get("peer_fasttext_aps"):
        print(f"| peer: fastText predict, same articles | {ip['peer_fasttext_aps']:.0f} articles/s | ours on them "
              f"{ip['ours_same_round_aps']:.0f} articles/s | {ip['peer_fasttext_aps'] / ip['ours_same_round_aps']:.2f} |")
    rounds = ", ".join(f"{r['tagging_over_floor']:.2f}" for r in results["command_vs_floor"]["rounds"])
    print(f"| `classify predict FOLDER -o x.csv`, {cf['files']} files, tagging rate (its summary line), median of 3 rounds "
          f"({rounds}) | {cf['tagging_aps']:.0f} articles/s | "
          f"the floor over the same articles {cf['floor_aps']:.0f} articles/s | {cf['tagging_over_floor']:.2f} |")
    print(f"| ... whole command, start-up included | {cf['aps']:.0f} articles/s | the floor | {cf['whole_over_floor']:.2f} |")
    a, b = jb["median_round"]
    print(f"| `--jobs 2`, {b['files']} files, tagging rate, median of 3 alternating rounds "
          f"({', '.join(f'{r:.2f}' for r in jb['jobs2_over_jobs1_rounds'])}) | {b['tagging_aps']:.0f} articles/s | "
          f"`--jobs 1` {a['tagging_aps']:.0f} articles/s | {jb['jobs2_over_jobs1']:.2f} |")
    print(f"| ... whole command | {b['aps']:.0f} articles/s | `--jobs 1` {a['aps']:.0f} articles/s | {jb['jobs2_over_jobs1_whole_command']:.2f} |")
    m0, m1 = results["batch_memory"]
    print(f"| peak memory, {m1['files']} articles, `--jobs 1` | {m1['peak_rss_mb']:.0f} MB | {m0['files']} articles "
          f"{m0['peak_rss_mb']:.0f} MB | {results['peak_memory_large_over_small']:.2f} |")
    if "training" in results:
        t = results["training"]
        print(f"| training, {t[-1]['articles']} articles | {t[-1]['seconds']:.0f} s ({t[-1]['ms_per_article']:.1f} ms/article) | "
              f"{t[0]['articles']} articles {t[0]['ms_per_article']:.1f} ms/article | {results['training_ms_per_article_last_over_first']:.2f} |")
    extra = f" (+ {results['features_file_mb']:.1f} MB features.npz)" if results["features_file_mb"] else ""
    print(f"| model file model.npz | {results['model_file_mb']:.1f} MB{extra} | | |")


if __name__ == "__main__":
    main()

"""Speed and memory of classify, each against a baseline measured in the same run.

    uv run --extra bench python bench/speed.py            # full: up to 64k articles
    uv run --extra bench python bench/speed.py --quick    # smaller sizes, a few minutes

Reports (table on stdout, JSON in bench/results/speed.json):
- in-process throughput on the same texts: camel-tools normalisation alone (the
  floor), our pipeline, plain scikit-learn TF-IDF+LR, fastText predict; ratios to the floor;
- batch throughput of the `classify predict` command, --jobs 1 and --jobs 2
  (three alternating rounds), both its own tagging rate and the whole command;
- cold start of `classify predict one.txt` (median of 5), split into imports,
  model load and prediction, beside importing the scikit-learn modules alone;
- training time at growing sizes (must grow linearly);
- peak memory of a batch at the smallest and largest size (must stay flat);
- model file size.
Needs ../shared/corpora for real articles.
"""

import argparse
import gzip
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
from classify.training.corpora import CORPUS_FILES, LABEL_FILES, article_text, default_corpora_dir  # noqa: E402

PY = sys.executable
CLASSIFY = [PY, "-m", "classify"]


def real_texts(n: int) -> list[str]:
    def all_texts():
        for fname in CORPUS_FILES.values():
            with gzip.open(default_corpora_dir() / fname, "rt", encoding="utf-8") as fh:
                for line in fh:
                    yield article_text(json.loads(line))

    # the corpora hold ~60k articles; larger sizes cycle through them again
    return list(islice(cycle(all_texts()), n))


def rate(fn, texts) -> float:
    t = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - t)


def in_process(model_dir: Path, texts: list[str]) -> dict:
    from classify.model.normalize import camel_normalize
    from classify.model.store import load_model

    model, _ = load_model(model_dir)
    out = {"articles_per_round": len(texts) // 3}
    model.predict_proba(["نص قصير"])  # first call pays one-time costs
    # Floor and pipeline alternate, three rounds, and the median of the
    # per-round ratios is reported: the machine's speed drifts between rounds.
    # Each round takes new articles, so the pipeline's word memo never holds
    # exactly the words being measured (only what a long batch would hold).
    floors, pipes = [], []
    size = len(texts) // 3
    for r in range(3):
        part = texts[r * size : (r + 1) * size]
        floors.append(rate(lambda ts: [camel_normalize(t) for t in ts], part))
        pipes.append(rate(lambda ts: [model.predict_proba(ts[i : i + 256]) for i in range(0, len(ts), 256)], part))
    ratios = sorted(p / f for p, f in zip(pipes, floors))
    out["floor_camel_normalise_aps"] = statistics.median(floors)
    out["pipeline_aps"] = statistics.median(pipes)
    out["pipeline_over_floor"] = ratios[1]
    out["pipeline_over_floor_rounds"] = ratios

    # peers, fitted on a slice of labelled data, timed on the same texts
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from classify.training.data import load_labelled

    data = load_labelled(LABEL_FILES).sample(3000, random_state=0)
    plain = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), LogisticRegression(max_iter=1000))
    plain.fit(data["text"], data["label"])
    texts = texts[:size]
    out["peer_sklearn_tfidf_lr_aps"] = rate(plain.predict_proba, texts)
    try:
        import fasttext

        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
            for t, lab in zip(data["text"], data["label"]):
                fh.write(f"__label__{lab} {' '.join(t.split())}\n")
        ft = fasttext.train_supervised(fh.name, epoch=5, wordNgrams=2, verbose=0, thread=1)
        os.unlink(fh.name)
        out["peer_fasttext_aps"] = rate(lambda ts: [ft.f.predict(" ".join(t.split()), 3, 0.0, "strict") for t in ts], texts)
    except ImportError:
        out["peer_fasttext_aps"] = None
    return out


def write_folder(texts, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(texts):
        (folder / f"{i:06d}.txt").write_text(t, encoding="utf-8")
    return folder


def run_batch(folder: Path, model_dir: Path, jobs: int, out: Path) -> dict:
    """Wall time and peak memory (main process) of one `classify predict` run."""
    # VmHWM is this process's own peak RSS; ru_maxrss would also carry the
    # benchmark's (large) peak, which Linux keeps across fork and exec.
    probe = (
        "import runpy, sys, atexit;"
        "hwm = lambda: int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]);"
        "atexit.register(lambda: print('MAXRSS', hwm(), 0, file=sys.stderr));"
        "sys.argv = ['classify'] + sys.argv[1:]; runpy.run_module('classify', run_name='__main__')"
    )
    cmd = [PY, "-c", probe, "predict", str(folder), "--model", str(model_dir), "-o", str(out), "--force", "--jobs", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MAXRSS")][-1].split()
    # the command's own summary line: its rate leaves out start-up (imports,
    # model load), which the cold-start rows measure
    tagging = float(re.search(r"([\d.]+) articles/s", proc.stderr).group(1))
    n = len(list(folder.iterdir()))
    return {
        "files": n, "jobs": jobs, "seconds": wall, "aps": n / wall, "tagging_aps": tagging,
        "peak_rss_mb": max(int(line[1]), int(line[2])) / 1024,
    }


def cold_start(model_dir: Path, one: Path, runs: int = 5) -> dict:
    split_probe = (
        "import time, json; t0 = time.perf_counter();"
        "import classify.cli, classify.model.store, classify.tagging.run;"
        "t1 = time.perf_counter(); m, _ = classify.model.store.load_model(%r); t2 = time.perf_counter();"
        "m.predict_proba([open(%r, encoding='utf-8').read()]); t3 = time.perf_counter();"
        "print(json.dumps({'imports': t1 - t0, 'model_load': t2 - t1, 'predict': t3 - t2}))"
    ) % (str(model_dir), str(one))
    whole, parts = [], []
    for _ in range(runs + 1):  # the first run warms the file cache and is dropped
        t = time.perf_counter()
        subprocess.run(CLASSIFY + ["predict", str(one), "--model", str(model_dir)], capture_output=True, check=True)
        whole.append(time.perf_counter() - t)
        parts.append(json.loads(subprocess.run([PY, "-c", split_probe], capture_output=True, text=True, check=True).stdout))
    whole, parts = whole[1:], parts[1:]
    def median_run(code):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([PY, "-c", code], check=True)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    return {
        "whole_process_median_s": statistics.median(whole),
        "python_startup_s": median_run("pass"),
        # what unpickling the pipeline must import before any of our code runs
        "sklearn_import_median_s": median_run("import sklearn.pipeline, sklearn.feature_extraction.text, sklearn.svm, sklearn.calibration"),
        **{k + "_median_s": statistics.median(p[k] for p in parts) for k in ("imports", "model_load", "predict")},
    }


def training_growth(sizes) -> list[dict]:
    from classify.training.data import load_labelled
    from classify.model.vectorize import build_pipeline

    data = load_labelled(LABEL_FILES).sample(frac=1.0, random_state=0)
    out = []
    for n in sizes:
        part = data.iloc[:n]
        t = time.perf_counter()
        build_pipeline(calibration_folds=min(5, int(part["label"].value_counts().min()))).fit(part["text"].tolist(), part["label"].to_numpy())
        secs = time.perf_counter() - t
        out.append({"articles": n, "seconds": secs, "ms_per_article": 1000 * secs / n})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=REPO / "models" / "default")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "speed.json")
    args = ap.parse_args()
    small, large = (1000, 8000) if args.quick else (1000, 64000)
    jobs_size = 4000 if args.quick else 16000
    train_sizes = (1000, 2000, 4000) if args.quick else (1000, 2000, 4000, 8000, 13780)

    results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    texts = real_texts(max(large, jobs_size))
    results["in_process"] = in_process(args.model, texts[:12000])
    print(json.dumps(results["in_process"], indent=1), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        one = tmp / "one.txt"
        one.write_text(texts[0], encoding="utf-8")
        results["cold_start"] = cold_start(args.model, one)
        print(json.dumps(results["cold_start"], indent=1), flush=True)

        folder = write_folder(texts[:jobs_size], tmp / f"n{jobs_size}")
        # --jobs 1 and --jobs 2 alternate over three rounds; the median round
        # is reported, as the machine's speed drifts between runs
        rounds = [[run_batch(folder, args.model, j, tmp / "out.csv") for j in (1, 2)] for _ in range(3)]
        ratios = [b["tagging_aps"] / a["tagging_aps"] for a, b in rounds]
        median = sorted(range(3), key=ratios.__getitem__)[1]
        results["batch_jobs"] = rounds[median]
        results["jobs2_over_jobs1"] = ratios[median]
        results["jobs2_over_jobs1_rounds"] = sorted(ratios)
        results["jobs2_over_jobs1_whole_command"] = rounds[median][1]["aps"] / rounds[median][0]["aps"]
        print(json.dumps(rounds, indent=1), flush=True)

        mem = []
        for n in (small, large):
            f = folder if n == jobs_size else write_folder(texts[:n], tmp / f"n{n}")
            mem.append(run_batch(f, args.model, 1, tmp / "out.csv"))
        results["batch_memory"] = mem
        results["peak_memory_large_over_small"] = mem[1]["peak_rss_mb"] / mem[0]["peak_rss_mb"]
        print(json.dumps(mem, indent=1), flush=True)

    results["training"] = training_growth(train_sizes)
    t = results["training"]
    results["training_ms_per_article_last_over_first"] = t[-1]["ms_per_article"] / t[0]["ms_per_article"]
    results["model_file_mb"] = (args.model / "model.joblib").stat().st_size / 1e6

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    ip, cs = results["in_process"], results["cold_start"]
    print()
    print("| measure | value | baseline in the same run | ratio |")
    print("|---|---|---|---|")
    print(f"| pipeline, in process, 1 core | {ip['pipeline_aps']:.0f} articles/s | camel-tools normalisation alone {ip['floor_camel_normalise_aps']:.0f} articles/s | {ip['pipeline_over_floor']:.2f} |")
    print(f"| plain sklearn TF-IDF+LR (peer) | {ip['peer_sklearn_tfidf_lr_aps']:.0f} articles/s | floor | {ip['peer_sklearn_tfidf_lr_aps'] / ip['floor_camel_normalise_aps']:.2f} |")
    if ip["peer_fasttext_aps"]:
        print(f"| fastText predict (peer) | {ip['peer_fasttext_aps']:.0f} articles/s | floor | {ip['peer_fasttext_aps'] / ip['floor_camel_normalise_aps']:.2f} |")
    b1, b2 = results["batch_jobs"]
    print(f"| `classify predict` {b1['files']} files, --jobs 1, tagging rate (its summary line) | {b1['tagging_aps']:.0f} articles/s | floor | {b1['tagging_aps'] / ip['floor_camel_normalise_aps']:.2f} |")
    print(f"| `classify predict` {b2['files']} files, --jobs 2, tagging rate (median of 3 alternating rounds: {', '.join(f'{r:.2f}' for r in results['jobs2_over_jobs1_rounds'])}) | {b2['tagging_aps']:.0f} articles/s | --jobs 1 | {results['jobs2_over_jobs1']:.2f} |")
    print(f"| `classify predict` {b2['files']} files, --jobs 2, whole command with start-up | {b2['aps']:.0f} articles/s | --jobs 1 {b1['aps']:.0f} articles/s | {results['jobs2_over_jobs1_whole_command']:.2f} |")
    print(f"| cold start, one file (median of 5) | {cs['whole_process_median_s']:.2f} s | bare `python -c pass` {cs['python_startup_s']:.2f} s | imports {cs['imports_median_s']:.2f} s, model load {cs['model_load_median_s']:.2f} s, predict {cs['predict_median_s']:.3f} s |")
    print(f"| importing the scikit-learn modules the model needs, nothing else (median of 5) | {cs['sklearn_import_median_s']:.2f} s | cold start | {cs['sklearn_import_median_s'] / cs['whole_process_median_s']:.2f} |")
    m0, m1 = results["batch_memory"]
    print(f"| `classify predict` {m1['files']} files, --jobs 1, tagging rate | {m1['tagging_aps']:.0f} articles/s | {b1['files']} files {b1['tagging_aps']:.0f} articles/s | {m1['tagging_aps'] / b1['tagging_aps']:.2f} |")
    print(f"| peak memory, {m1['files']} articles | {m1['peak_rss_mb']:.0f} MB | {m0['files']} articles {m0['peak_rss_mb']:.0f} MB | {results['peak_memory_large_over_small']:.2f} |")
    print(f"| training, {t[-1]['articles']} articles | {t[-1]['seconds']:.0f} s ({t[-1]['ms_per_article']:.1f} ms/article) | {t[0]['articles']} articles {t[0]['ms_per_article']:.1f} ms/article | {results['training_ms_per_article_last_over_first']:.2f} |")
    print(f"| model file | {results['model_file_mb']:.1f} MB | | |")


if __name__ == "__main__":
    main()

"""Predicting one article imports none of the training-side libraries.

Cold start is a target (issue 13): a fresh process that loads a model and
tags one article must not pay for scikit-learn, SciPy, pandas, joblib,
matplotlib, camel-tools or NLTK (nor pyarrow or Dask, which only Parquet output and
--engine dask need, nor numba, whose compiled kernels only batches use). Each probe runs in its own interpreter, so what the test
session itself imported does not count. An import test, not a timing test.
"""

import json
import subprocess
import sys

from ..helpers import FIXTURES

HEAVY = ("sklearn", "scipy", "pandas", "joblib", "matplotlib", "camel_tools", "pyarrow", "dask", "distributed", "numba", "nltk",
         "llvmlite")

ARTICLE = FIXTURES / "press-freedom" / "01.txt"

_REPORT = "print('MODULES', json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"

API_PROBE = f"""
import json, sys
from classify.model.store import load_model
model = load_model(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
print('LABEL', model.predict([text])[0])
{_REPORT}
"""

CLI_PROBE = f"""
import json, sys
from classify.cli import app
try:
    app(["predict", sys.argv[2], "--model", sys.argv[1]], prog_name="classify")
except SystemExit as exc:
    assert exc.code == 0, exc.code
{_REPORT}
"""


def _modules(probe: str, model_dir) -> tuple[set[str], str]:
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(model_dir), str(ARTICLE)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES ")][-1]
    return set(json.loads(line.split(" ", 1)[1])), proc.stdout


def test_loading_a_model_and_predicting_imports_no_training_library(tiny_model_dir):
    modules, out = _modules(API_PROBE, tiny_model_dir)
    assert "LABEL " in out and "numpy" in modules
    assert sorted(modules & set(HEAVY)) == []


def test_classify_predict_one_file_imports_no_training_library(tiny_model_dir):
    modules, out = _modules(CLI_PROBE, tiny_model_dir)
    assert str(ARTICLE) in out  # the command's own row
    assert sorted(modules & set(HEAVY)) == []


def test_a_model_with_a_root_branch_predicts_one_article_without_numba_or_nltk(tiny_root_model_dir):
    modules, out = _modules(API_PROBE, tiny_root_model_dir)
    assert "LABEL " in out
    assert sorted(modules & set(HEAVY)) == []


WARM_PROBE = """
import sys
from classify.model.store import load_model
from classify.model import roots_kernel
model = load_model(sys.argv[1])
model.warm_up()
before = len(roots_kernel.isri_roots.signatures)
model.predict_proba(["نقابة الصحافيين تدين اعتقال مراسل"] * 20)
print('SIGNATURES', before, len(roots_kernel.isri_roots.signatures))
"""


def test_warm_up_loads_the_compiled_stemmer_that_batches_use(tiny_root_model_dir):
    """A batch run pays the stemmer's start-up at warm_up, not in its first
    batch: the first batch adds no compiled version of the kernel."""
    proc = subprocess.run([sys.executable, "-c", WARM_PROBE, str(tiny_root_model_dir)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("SIGNATURES ")][-1]
    assert line.split()[1:] == ["1", "1"]

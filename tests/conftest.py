import os
import shutil
import tempfile

# The compiled kernels check every index in tests (an out-of-bounds read
# raises IndexError instead of crashing the run), compiled apart from the
# unchecked machine code that users run. Set before numba is first imported;
# subprocesses inherit both.
os.environ.setdefault("NUMBA_BOUNDSCHECK", "1")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "classify-tests-numba"))

import pytest  # noqa: E402

from classify.model.store import save_model  # noqa: E402
from classify.training.data import load_labelled  # noqa: E402
from classify.training.train import train  # noqa: E402

from .helpers import FIXTURES  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    # Tests never read the user's model choice from the environment.
    monkeypatch.delenv("CLASSIFY_MODEL", raising=False)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A real model trained on our own fixture articles (small, fast)."""
    data = load_labelled([FIXTURES])
    model, card, features = train(data, test_size=0.2, params={"min_df": 1})
    out = tmp_path_factory.mktemp("models") / "tiny"
    save_model(model, card, out, features=features)
    return out


@pytest.fixture(scope="session")
def tiny_root_model_dir(tmp_path_factory):
    """The same, with the branch of root n-grams weighted 1.5 and a marked
    lead, as the shipped model has them."""
    data = load_labelled([FIXTURES])
    params = {"min_df": 1, "root_ngrams": [1, 2], "root_weight": 1.5, "lead_tokens": 5, "lead_marked": 1}
    model, card, _ = train(data, test_size=0.2, params=params)
    out = tmp_path_factory.mktemp("models") / "tiny-roots"
    save_model(model, card, out)
    return out


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    """A private copy that a test may damage."""
    dst = tmp_path / "model"
    shutil.copytree(tiny_model_dir, dst)
    return dst

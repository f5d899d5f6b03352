import shutil

import pytest

from classify.model.store import save_model
from classify.training.data import load_labelled
from classify.training.train import train

from .helpers import FIXTURES


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


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    """A private copy that a test may damage."""
    dst = tmp_path / "model"
    shutil.copytree(tiny_model_dir, dst)
    return dst

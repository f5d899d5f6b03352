"""Paths and skip markers shared by the tests (fixtures live in conftest.py)."""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "articles"
REPO = HERE.parent
SHARED = REPO.parent / "shared"
SHIPPED = REPO / "models" / "default"
LABEL_FILES = sorted((REPO / "data" / "labels").glob("*.csv"))

needs_shared = pytest.mark.skipif(not (SHARED / "examples").is_dir(), reason="../shared is not present")
needs_corpora = pytest.mark.skipif(
    not (SHARED / "corpora" / "saudinewsnet.jsonl.gz").is_file(), reason="../shared/corpora is not present"
)

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


def article_folder(root: Path, n: int, *, non_arabic: bool = False) -> Path:
    """A folder of ``n`` fixture articles (cycled), an empty file and, with
    ``non_arabic``, a text with no Arabic: inputs with known rows."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
    root.mkdir()
    for i in range(n):
        (root / f"{i:05d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    if non_arabic:
        (root / "latin1.txt").write_bytes("no arabic".encode())
    return root

"""Paths and skip markers shared by the tests (fixtures live in conftest.py)."""

import signal
import subprocess
import time
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


def kill_a_worker_when_busy(client):
    """Start a thread that SIGKILLs one worker of a Dask ``client`` as soon
    as the cluster is processing; returns (thread, list of killed pids)."""
    import os
    import signal
    import threading
    import time

    pids = list(client.run(os.getpid).values())
    killed = []

    def kill_one_when_busy():
        deadline = time.time() + 60
        while time.time() < deadline:
            if any(client.processing().values()):
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_when_busy)
    killer.start()
    return killer, killed


def interrupt_on_batch(monkeypatch, n: int = 3):
    """Make the batch runner raise KeyboardInterrupt (Ctrl-C) on its n-th
    batch; returns the real batch function, to put back."""
    from classify.tagging import rows as rows_mod

    real, calls = rows_mod.tag_batch, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(rows_mod, "tag_batch", interrupted)
    return real


def kill_when(cmd: list[str], ready, *, why: str, timeout: float = 120, poll: float = 0.02) -> None:
    """Run ``cmd`` from the repository and SIGKILL it as soon as ``ready()``
    is true: the crash a resumed run must recover from. Fails if the run ends
    first (``why`` says what it should have done by then) or takes over
    ``timeout`` seconds."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            assert proc.poll() is None, why
            assert time.monotonic() < deadline
            time.sleep(poll)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

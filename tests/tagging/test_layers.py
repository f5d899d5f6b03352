"""Imports in classify/tagging run one way, down the list in docs/design.md.

The local readers and writers know nothing of buckets, and nothing below the
batch run knows of it: a module imports (at its top or inside a function)
only modules listed after it. Read from the source, nothing is run.
"""

import ast
from pathlib import Path

import classify.tagging

TAGGING = Path(classify.tagging.__file__).parent
# top first: each may import only what comes after it
LAYERS = ["run", "dask_engine", "inputs", "outputs", "storage", "rows", "read", "write", "urls"]


def _tagging_imports(module: str) -> set[str]:
    tree = ast.parse((TAGGING / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .read import ...
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import storage
                found.update(a.name for a in node.names)
            elif (node.module or "").startswith("classify.tagging."):
                found.add(node.module.split(".")[2])
    return found & set(LAYERS)


def test_every_tagging_module_is_in_the_layer_list():
    modules = {p.stem for p in TAGGING.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_tagging_imports_run_down_the_layers():
    upward = {m: sorted(i for i in _tagging_imports(m) if LAYERS.index(i) <= LAYERS.index(m)) for m in LAYERS}
    assert {m: up for m, up in upward.items() if up} == {}

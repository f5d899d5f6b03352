"""Benchmarks: run from the repository root as modules, e.g. `uv run python -m bench.speed`."""

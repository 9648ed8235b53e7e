"""Benchmark scripts: run one with `python -m benchmarks.<name> [--results FILE]`."""

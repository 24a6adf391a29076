"""Benchmarks: `python bench/run.py` runs them all and writes bench/RESULTS.md."""

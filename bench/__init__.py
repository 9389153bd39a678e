"""The benchmark suite: ``python -m bench.run`` (see "Running the benchmarks" in docs/performance.md)."""

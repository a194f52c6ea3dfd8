"""Benchmarks: run by command, print ratios measured in the same run (see docs/performance.md)."""

"""Benchmarks: each figure is printed beside a peer measured in the same run."""

"""Benchmarks and the learned cutter's training scripts (each prints JSON); not shipped."""

"""Benchmarks that start the real processes and print figures (`make benchmark`)."""

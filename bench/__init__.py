"""Benchmarks: they print numbers; nothing here runs as a timed test."""

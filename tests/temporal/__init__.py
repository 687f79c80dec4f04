"""Fixtures of the Temporal tests: a dev server, workers in threads or processes."""

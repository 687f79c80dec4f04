"""Benchmarks for keitaro-node: throughput, per-item CPU cost, start-up time and paged exports.

Run from the repository root with ``python -m bench`` (or ``python bench/run.py``);
``python -m bench --help`` lists the options. Every server the benchmark talks to runs in a
separate process on 127.0.0.1, so its CPU time never counts as the client's.
"""

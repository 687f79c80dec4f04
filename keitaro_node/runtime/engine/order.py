"""n8n's order of things that are not in the graph: which sibling runs first.

In execution order v1, after a node runs n8n sorts the nodes it feeds by canvas position and
puts them on the front of its stack one by one, so the node placed highest (then leftmost)
runs first and its branch runs to its end before the next one starts. n8n's comparison is
not symmetric for nodes on one row, so the result depends on how V8 sorts; `n8n_sibling_order`
follows V8's algorithm (a binary insertion sort after the first run, for the short lists
that siblings are) so that even ties come out as in n8n.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def compare_positions(a: tuple[float, float], b: tuple[float, float]) -> int:
    """n8n's comparison of two canvas positions (x, y): lower y first, then larger x first."""
    if a[1] < b[1]:
        return 1
    if a[1] > b[1]:
        return -1
    if a[0] > b[0]:
        return -1
    return 0


def v8_sort(values: Sequence[T], compare: Callable[[T, T], int]) -> list[T]:
    """Sort as V8's Array.prototype.sort does with this comparison function."""
    work = list(values)
    length = len(work)
    if length < 2:
        return work
    if length >= 64:  # V8 merges runs beyond this size; siblings never get here in practice
        return sorted(work, key=functools.cmp_to_key(compare))
    run = _count_and_make_run(work, compare)
    _binary_insertion_sort(work, run, compare)
    return work


def _count_and_make_run(work: list[T], compare: Callable[[T, T], int]) -> int:
    high = len(work)
    if high == 1:
        return 1
    run = 2
    descending = compare(work[1], work[0]) < 0
    previous = work[1]
    for index in range(2, high):
        order = compare(work[index], previous)
        if (descending and order >= 0) or (not descending and order < 0):
            break
        previous = work[index]
        run += 1
    if descending:
        work[:run] = work[:run][::-1]
    return run


def _binary_insertion_sort(work: list[T], start: int, compare: Callable[[T, T], int]) -> None:
    for index in range(start, len(work)):
        pivot = work[index]
        left, right = 0, index
        while left < right:
            middle = left + ((right - left) >> 1)
            if compare(pivot, work[middle]) < 0:
                right = middle
            else:
                left = middle + 1
        work[left + 1 : index + 1] = work[left:index]
        work[left] = pivot


def n8n_add_order(siblings: Sequence[T], position: Callable[[T], tuple[float, float]]) -> list[T]:
    """The order in which n8n v1 adds the nodes one node feeds (`siblings` in connection
    order) to the front of its stack: the last one added runs first."""
    return v8_sort(siblings, lambda a, b: compare_positions(position(a), position(b)))

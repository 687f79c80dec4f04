"""Hard limits on one expression's work, so a workflow file cannot hang or exhaust the process.

Every `{{ }}` block starts with a fresh budget: MAX_STEPS units of work (a function call, an
element visited by an array method, a character of a regular expression's input), calls nested
at most MAX_CALL_DEPTH deep, syntax nested at most MAX_NESTING deep, no text longer than
MAX_STRING characters, no array or object with more than MAX_ITEMS entries, and no regular
expression working longer than MAX_MATCH_SECONDS. Breaking a limit raises an ExpressionError
that names the limit; it fails the item.

Evaluation is synchronous (no await inside an expression), so the budget is module state:
BUDGET, which the block runner refills before each block (Template, in __init__.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_STEPS = 250_000
MAX_CALL_DEPTH = 64
MAX_NESTING = 100
MAX_STRING = 10_000_000
MAX_ITEMS = 1_000_000
MAX_MATCH_SECONDS = 0.5  # one regular-expression operation (the `regex` module stops it)


class Budget:
    """What the running block may still spend: steps left, and calls open right now."""

    __slots__ = ("calls", "steps")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.calls = 0


BUDGET = Budget()


def _error(message: str) -> Exception:
    from .values import ExpressionError

    return ExpressionError(message)


def reset() -> None:
    """Start a fresh budget (each `{{ }}` block).

    Only the steps need refilling: every call that enters also leaves, even when it fails.
    """
    BUDGET.steps = MAX_STEPS


def charge(steps: int = 1) -> None:
    BUDGET.steps -= steps
    if BUDGET.steps < 0:
        BUDGET.steps = 0
        raise _error(
            f"the expression needs more than {MAX_STEPS:,} steps (the step limit); "
            "it would take too long"
        )


def enter_call() -> None:
    charge()
    if BUDGET.calls >= MAX_CALL_DEPTH:
        raise _error(f"functions call each other more than {MAX_CALL_DEPTH} deep (the depth limit)")
    BUDGET.calls += 1


def leave_call() -> None:
    BUDGET.calls -= 1


def check_string(text: str) -> str:
    if len(text) > MAX_STRING:
        raise size_error()
    return text


def size_error() -> Exception:
    return _error(f"the text built is longer than {MAX_STRING:,} characters (the size limit)")


def check_length(count: int | float, what: str = "array") -> int:
    if count > MAX_ITEMS:
        raise _error(f"the {what} built has more than {MAX_ITEMS:,} entries (the size limit)")
    return int(count)


def depth_error() -> Exception:
    return _error(f"the expression is nested more than {MAX_NESTING} levels deep (the depth limit)")


def data_depth_error() -> Exception:
    return _error("the data is nested too deeply to handle (the depth limit)")


def time_limited(action: Callable[..., Any], *args: Any) -> Any:
    """`action(*args)`, a `regex` module operation, stopped after MAX_MATCH_SECONDS."""
    try:
        return action(*args, timeout=MAX_MATCH_SECONDS)
    except TimeoutError:
        raise _error(
            f"the regular expression took longer than {MAX_MATCH_SECONDS} s (the time limit)"
        ) from None

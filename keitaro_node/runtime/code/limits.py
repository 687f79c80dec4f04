"""How long and how big one Code node execution may get, from engine options or the environment.

One execution is one run of the code: the whole node in "Run Once for All Items" mode, one item
in "Run Once for Each Item" mode (and in Function Item). The defaults are generous for data
work and small enough that a runaway loop or allocation ends with an error, not a stuck run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_JS_MEMORY_MB = 256
DEFAULT_PYTHON_MEMORY_MB = 1024

TIMEOUT_OPTION = "codeTimeout"
MEMORY_OPTION = "codeMemoryMb"
TIMEOUT_ENV = "KEITARO_NODE_CODE_TIMEOUT"
MEMORY_ENV = "KEITARO_NODE_CODE_MEMORY_MB"


@dataclass(frozen=True, slots=True)
class CodeLimits:
    """The limits of one execution: wall-clock seconds and memory in MB (None: the default)."""

    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int | None = None

    @property
    def js_memory_bytes(self) -> int:
        return (self.memory_mb or DEFAULT_JS_MEMORY_MB) * 1024 * 1024

    @property
    def python_memory_bytes(self) -> int:
        return (self.memory_mb or DEFAULT_PYTHON_MEMORY_MB) * 1024 * 1024

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> CodeLimits:
        """Engine options win over the environment; bad values are refused with their name."""
        env = os.environ if environ is None else environ
        timeout = _number(options.get(TIMEOUT_OPTION), TIMEOUT_OPTION)
        if timeout is None:
            timeout = _number(env.get(TIMEOUT_ENV), TIMEOUT_ENV)
        memory = _number(options.get(MEMORY_OPTION), MEMORY_OPTION)
        if memory is None:
            memory = _number(env.get(MEMORY_ENV), MEMORY_ENV)
        return cls(
            timeout_seconds=DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout,
            memory_mb=None if memory is None else max(16, int(memory)),
        )


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not number > 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return number

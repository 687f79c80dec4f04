"""Sandboxed runners for Code, Function and Function Item nodes.

JavaScript runs in an embedded V8 isolate (the optional mini-racer package), Python in a
separate interpreter process; both get the run's data as JSON, give results back as JSON, and
run under a time and a memory limit (limits.py).
"""

from .errors import CodeError
from .limits import CodeLimits

__all__ = ["CodeError", "CodeLimits"]

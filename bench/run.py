"""``python bench/run.py``: the same as ``python -m bench``, for running the file directly."""

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main())

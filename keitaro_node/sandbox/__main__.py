"""``python -m keitaro_node.sandbox``: serve a sandbox until interrupted."""

import sys

from .command import main

sys.exit(main())

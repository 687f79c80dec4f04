"""Settings of one sandbox instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

DEFAULT_API_KEY = "sandbox-api-key"
API_BASE = "/admin_api/v1"
CONTROL_BASE = "/__sandbox__"


@dataclass
class SandboxConfig:
    """Everything that changes how a sandbox behaves.

    ``validation_status`` exists because trackers disagree: the 2022 spec and 9.x answer
    validation failures with 406, recent trackers with 422.
    """

    api_key: str = DEFAULT_API_KEY
    db_path: str | None = None
    seed: int = 42
    dataset_clicks: int = 2000
    latency_ms: float = 0.0
    # synthetic lines per log type (0: empty logs)
    log_lines: int = 300
    validation_status: int = 422
    # the last day of the synthetic dataset and the day interval presets count from;
    # None: the current UTC day when the app is created (pin it for reproducible reports)
    today: date | None = None
    # /__sandbox__/ control endpoints ask for the API key too (set for non-loopback hosts)
    control_needs_key: bool = False

    def dataset_day(self) -> date:
        return self.today or datetime.now(UTC).date()

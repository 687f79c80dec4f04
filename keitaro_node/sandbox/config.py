"""Settings of one sandbox instance."""

from __future__ import annotations

from dataclasses import dataclass

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
    validation_status: int = 422

"""Typed keys under which the app keeps its config, store, fault plan and counters."""

from __future__ import annotations

from aiohttp import web

from .config import SandboxConfig
from .dataset import Dataset
from .faults import FaultPlan
from .stats import RequestStats
from .store import Store

CONFIG = web.AppKey("sandbox_config", SandboxConfig)
STORE = web.AppKey("sandbox_store", Store)
FAULTS = web.AppKey("sandbox_faults", FaultPlan)
STATS = web.AppKey("sandbox_stats", RequestStats)
DATASET = web.AppKey("sandbox_dataset", Dataset)


def store_of(request: web.Request) -> Store:
    return request.app[STORE]


def dataset_of(request: web.Request) -> Dataset:
    """The synthetic dataset, generated on first use."""
    dataset = request.app[DATASET]
    dataset.ensure()
    return dataset

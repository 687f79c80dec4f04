"""What a worker process loads once: the plugin host (every installed node) and its settings.

The workflow code reads the host from here instead of loading plugins inside Temporal's
sandbox: this module is passed through the sandbox, so the workflow sees the host the worker
made at start (descriptions read from files once, no file access while a workflow replays).
"""

from __future__ import annotations

from keitaro_node.runtime.plugins import PluginHost

_host: PluginHost | None = None


def set_host(host: PluginHost) -> None:
    global _host
    _host = host


def host() -> PluginHost:
    if _host is None:
        from keitaro_node.app import plugin_host

        set_host(plugin_host())
    assert _host is not None
    return _host

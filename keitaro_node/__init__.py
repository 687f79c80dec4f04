"""keitaro-node: an n8n-style node runtime with a node for the Keitaro Admin API v1.

Importing the package stays cheap: heavy modules (aiohttp, jsonschema, pydantic models)
load only when a workflow runs.
"""

__version__ = "0.1.0"

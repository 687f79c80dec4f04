"""The Model Context Protocol server: the tool service behind the `mcp` package's low-level
Server, over stdio (for a client that starts it) or streamable HTTP (for one that connects).

`keitaro-node mcp` (keitaro_node/cli.py) builds it; `pip install "keitaro-node[mcp]"`
brings the `mcp` package.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keitaro_node import __version__
from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore

from .credentials import CredentialSet
from .service import ServerOptions, ToolService

INSTRUCTIONS = (
    "Tools for Keitaro trackers (and any other node with resources): one tool per resource, "
    "its `operation` argument says what to do. Reads are always offered; writes only when the "
    "server was started with --allow-write, destructive ones also need confirm: true, and "
    "dry_run: true shows the request without sending it. Several trackers: pass `credential`."
)


def _require_mcp() -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise RuntimeError(
            "the MCP server needs the mcp package: pip install 'keitaro-node[mcp]'"
        ) from None


def build_server(service: ToolService) -> Any:
    """A low-level mcp Server whose tools are the service's."""
    _require_mcp()
    import mcp_types as types
    from mcp.server.lowlevel import Server

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=view.name,
                    title=view.title,
                    description=view.description,
                    input_schema=view.input_schema,
                    annotations=types.ToolAnnotations(
                        title=view.title,
                        read_only_hint=view.read_only,
                        destructive_hint=view.destructive and not view.read_only,
                        open_world_hint=True,
                    ),
                )
                for view in service.tools()
            ]
        )

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        answer = await service.call(params.name, params.arguments)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=answer.text)], is_error=answer.is_error
        )

    return Server(
        "keitaro-node",
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


@dataclass
class McpSettings:
    """What `keitaro-node mcp` was asked for."""

    credentials: Path | None = None
    allow_write: bool = False
    workflows: Path | None = None
    tool_style: str = "resource"
    max_result_chars: int = 100_000
    sandbox: bool = False
    http: bool = False
    host: str = "127.0.0.1"
    port: int = 8000


@contextlib.asynccontextmanager
async def running_service(settings: McpSettings) -> AsyncIterator[ToolService]:
    """The tool service with its credentials (and the sandbox, when asked), closed on exit."""
    host = plugin_host()
    store = (
        CredentialStore.from_file(settings.credentials)
        if settings.credentials
        else CredentialStore()
    )
    credentials = CredentialSet(store, host.credential_types.values())
    async with contextlib.AsyncExitStack() as stack:
        if settings.sandbox:
            from keitaro_node.testing import Sandbox

            sandbox = await stack.enter_async_context(Sandbox())
            sandbox.seed_campaign("Sandbox campaign")
            credentials.add("sandbox", {"domain": sandbox.url, "apiKey": sandbox.api_key})
            print(f"sandbox tracker at {sandbox.url} (credential 'sandbox')", file=sys.stderr)
        if settings.workflows is not None and not settings.workflows.is_dir():
            raise FileNotFoundError(f"no workflow folder {settings.workflows}")
        options = ServerOptions(
            allow_write=settings.allow_write,
            tool_style="operation" if settings.tool_style == "operation" else "resource",
            max_result_chars=settings.max_result_chars,
            workflows=settings.workflows,
        )
        service = ToolService(host, credentials, options)
        stack.push_async_callback(service.aclose)
        yield service


async def serve_stdio(settings: McpSettings) -> None:
    from mcp.server.stdio import stdio_server

    async with running_service(settings) as service:
        server = build_server(service)
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())


async def serve_http(settings: McpSettings) -> None:
    import uvicorn

    async with running_service(settings) as service:
        server = build_server(service)
        app = server.streamable_http_app(streamable_http_path="/mcp", host=settings.host)
        listener = socket.create_server((settings.host, settings.port))
        port = listener.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        print(f"MCP server: http://{settings.host}:{port}/mcp", file=sys.stderr, flush=True)
        if settings.host not in ("127.0.0.1", "localhost", "::1"):
            print(
                "warning: the MCP server has no authentication; anyone who reaches this "
                "address can use its tools",
                file=sys.stderr,
            )
        await uvicorn.Server(config).serve(sockets=[listener])


async def serve(settings: McpSettings) -> None:
    _require_mcp()
    if settings.http:
        await serve_http(settings)
    else:
        await serve_stdio(settings)

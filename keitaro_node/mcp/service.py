"""What the MCP server does, without the protocol: list tools, carry out a call, word errors.

Read-only unless told otherwise: a server started without `allow_write` offers only the
operations that read and refuses the others by name; with it, writes run, destructive ones
only with `confirm: true` (the node refuses them otherwise), and `dry_run: true` shows the
request instead of sending it. Every answer, error or not, passes through the credentials'
mask, and is cut to `max_result_chars` characters with a note saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from keitaro_node.runtime.errors import NodeError, WorkflowError
from keitaro_node.runtime.plugins import PluginError, PluginHost
from keitaro_node.runtime.workflow import WorkflowFormatError

from .backends import Backend, backends_for
from .budget import Budget, as_text, fit
from .credentials import CredentialSet
from .tools import ToolSpec, ToolStyle, allowed, build_tools
from .workflows import TOOL_NAME, WorkflowLibrary

log = logging.getLogger("keitaro_node.mcp")

READ_ONLY_HELP = "this server is read-only; start it with --allow-write to allow writes"


@dataclass(frozen=True)
class ServerOptions:
    allow_write: bool = False
    tool_style: ToolStyle = "resource"
    max_result_chars: int = 100_000
    workflows: Path | None = None


@dataclass(frozen=True)
class ToolView:
    """A tool as the protocol lists it."""

    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    read_only: bool
    destructive: bool


@dataclass(frozen=True)
class Answer:
    text: str
    is_error: bool = False
    data: Any = field(default=None, repr=False)


class Refused(Exception):
    """A call the server will not make; the message says why and what to do."""


class InvalidArguments(Exception):
    """Arguments that do not fit the tool's schema; the message lists the problems."""


class ToolService:
    """The tools of every node with resources (and saved workflows), and how calls run."""

    def __init__(
        self, host: PluginHost, credentials: CredentialSet, options: ServerOptions
    ) -> None:
        self.host = host
        self.credentials = credentials
        self.options = options
        self.backends: list[Backend] = backends_for(host, credentials)
        self.every_tool = {
            t.name: t for t in build_tools(self.backends, options.tool_style, credentials.names)
        }
        self.offered: dict[str, ToolSpec] = {}
        for name, tool in self.every_tool.items():
            shown = allowed(tool, options.allow_write)
            if shown is not None:
                self.offered[name] = shown
        self.workflows = (
            WorkflowLibrary(options.workflows, host, self.backends) if options.workflows else None
        )

    # ------------------------------------------------------------ listing

    def tools(self) -> list[ToolView]:
        views = [
            ToolView(t.name, t.title, t.description, t.input_schema, t.read_only, t.destructive)
            for t in self.offered.values()
        ]
        if self.workflows is not None:
            schema = self.workflows.schema(self.credentials.names, self.options.allow_write)
            if schema is not None:
                views.append(
                    ToolView(
                        TOOL_NAME,
                        "Run a saved workflow",
                        f"Run one of the n8n workflows saved in {self.workflows.folder} on the "
                        "given items and return its final items"
                        + ("" if self.options.allow_write else " (read-only workflows only)"),
                        schema,
                        read_only=not self.options.allow_write,
                        destructive=self.options.allow_write,
                    )
                )
        return views

    # ------------------------------------------------------------ calling

    async def call(self, name: str, arguments: Mapping[str, Any] | None) -> Answer:
        args = dict(arguments or {})
        try:
            if name == TOOL_NAME and self.workflows is not None:
                data = await self._run_workflow(args)
            else:
                data = await self._call_tool(name, args)
        except Refused as exc:
            return self._error(f"refused: {exc}")
        except InvalidArguments as exc:
            return self._error(f"invalid arguments: {exc}")
        except NodeError as exc:
            return self._error(f"{exc.kind}: {exc}")
        except WorkflowError as exc:
            return self._error(f"{type(exc.error).__name__}: {exc}")
        except (WorkflowFormatError, PluginError, FileNotFoundError, ValueError) as exc:
            return self._error(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug: say so, keep serving, keep the key out
            log.exception("tool %s failed", name)
            return self._error(f"unexpected {type(exc).__name__}: {exc}")
        return self._answer(data)

    def _error(self, text: str) -> Answer:
        return Answer(self.credentials.mask(text), is_error=True)

    def _answer(self, data: Any) -> Answer:
        limit = self.options.max_result_chars
        shown, cut = fit(data, limit)
        if cut:
            shown = {
                "result": shown,
                "truncated": True,
                "note": f"the answer was cut to about {limit} characters; ask for less "
                "(a limit, filters, a shorter period)",
            }
        return Answer(self.credentials.mask(as_text(shown)), data=shown)

    def _check(self, schema: Mapping[str, Any], args: Mapping[str, Any]) -> None:
        problems = sorted(Draft202012Validator(schema).iter_errors(args), key=lambda e: e.path)
        if problems:
            lines = []
            for problem in problems[:10]:
                where = ".".join(str(p) for p in problem.absolute_path) or "arguments"
                lines.append(f"{where}: {problem.message}")
            raise InvalidArguments("; ".join(lines))

    async def _call_tool(self, name: str, args: dict[str, Any]) -> Any:
        tool = self.every_tool.get(name)
        if tool is None:
            known = ", ".join(self.offered) or "none"
            raise Refused(f"there is no tool {name!r} (tools: {known})")
        op = tool.operation(args.get("operation"))
        offered = self.offered.get(name)
        if op is not None and op.effect != "read" and not self.options.allow_write:
            raise Refused(f"{op.title} changes the tracker ({op.effect}); {READ_ONLY_HELP}")
        if offered is None:
            raise Refused(f"{name} changes the tracker; {READ_ONLY_HELP}")
        self._check(offered.input_schema, args)
        op = offered.operation(args.pop("operation", None))
        assert op is not None  # the schema's enum admits only the tool's operations
        credential = self.credentials.choose(args.pop("credential", None))
        if args.pop("dry_run", False):
            return offered.backend.preview(op, args, credential)
        # room for what goes around streamed records: the answer's other fields, a note
        limit = self.options.max_result_chars
        budget = Budget(max(limit // 2, limit - 2000))
        return await offered.backend.run(op, args, credential, budget)

    async def _run_workflow(self, args: dict[str, Any]) -> Any:
        assert self.workflows is not None
        saved = self.workflows.find(str(args.get("workflow")))
        if saved is None:
            known = ", ".join(self.workflows.load()) or "none"
            raise Refused(f"there is no saved workflow {args.get('workflow')!r} (saved: {known})")
        if saved.effect != "read" and not self.options.allow_write:
            writers = [n["node"] for n in saved.nodes if n["effect"] != "read"]
            raise Refused(
                f"workflow {saved.name!r} may change the tracker (nodes: {', '.join(writers)}); "
                + READ_ONLY_HELP
            )
        schema = self.workflows.schema(self.credentials.names, self.options.allow_write)
        assert schema is not None
        self._check(schema, args)
        credential = self.credentials.choose(args.get("credential"))
        if args.get("dry_run"):
            return self.workflows.preview(saved)
        return await self.workflows.run(
            saved, args.get("items"), credential, self.credentials.store
        )

    async def aclose(self) -> None:
        for backend in self.backends:
            await backend.aclose()

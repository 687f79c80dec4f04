"""The HTTP side of the workflow server (aiohttp.web).

- `/webhook/<path>` (and `/webhook-test/<path>`): Webhook nodes, answered as n8n answers;
- `POST /run/{workflow}`: run a workflow on the items in the body, answer its output items
  (as `keitaro-node run` prints them; `?output=json`: only each item's json);
- `GET /workflows`: what is served; `GET /healthz`: liveness (no token needed, tells nothing).

Everything but webhooks and /healthz needs the API token when one is set
(`Authorization: Bearer TOKEN`). Every request is one JSON line in the log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiohttp import web

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.items import Item, items_from_json
from keitaro_node.runtime.nodes.webhook import METHOD_OPTION, WebhookSpec
from keitaro_node.runtime.plugins import PluginHost

from .config import ServeConfig
from .executions import Busy, Executions, Outcome, ShuttingDown, error_fields
from .logs import EventLog
from .registry import ServedWorkflow, webhook_routes
from .scheduler import Scheduler
from .webhook_guard import check as check_webhook
from .webhook_item import BodyError, build_item

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATE: web.AppKey[ServerState] = web.AppKey("state")
# The workflow a request reached, for its log line (handlers run in the middleware's context).
_WORKFLOW: ContextVar[str | None] = ContextVar("serve_workflow", default=None)


class ServerState:
    """What the handlers share: the served workflows, their routes, runs and schedules."""

    def __init__(
        self,
        config: ServeConfig,
        host: PluginHost,
        credentials: CredentialStore,
        executions: Executions,
        log: EventLog,
    ) -> None:
        self.config = config
        self.host = host
        self.credentials = credentials
        self.executions = executions
        self.log = log
        self.scheduler = Scheduler(executions, log)
        self.stopping = False
        self.workflows: dict[str, ServedWorkflow] = {}
        self.routes: dict[tuple[str, str], tuple[ServedWorkflow, WebhookSpec]] = {}
        self.dynamic: list[tuple[ServedWorkflow, WebhookSpec]] = []

    def serve(self, workflows: dict[str, ServedWorkflow]) -> None:
        self.workflows = workflows
        self.routes = webhook_routes(workflows.values())
        self.dynamic = [
            (served, spec)
            for served in workflows.values()
            for spec in served.webhooks
            if spec.dynamic
        ]

    def find_webhook(
        self, method: str, path: str
    ) -> tuple[ServedWorkflow, WebhookSpec] | list[str]:
        """The workflow and node for this request, or the methods the path does listen to."""
        found = self.routes.get((method, path))
        if found is not None:
            return found
        segments = path.split("/")
        for served, spec in self.dynamic:
            template = spec.path.split("/")
            if (
                len(template) == len(segments)
                and all(
                    t.startswith(":") or t == s for t, s in zip(template, segments, strict=True)
                )
                and method in spec.methods
            ):
                return served, spec
        methods = sorted({m for (m, p) in self.routes if p == path})
        return methods


# --- middlewares ----------------------------------------------------------------------------


@web.middleware
async def access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    _WORKFLOW.set(None)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        state = request.app[STATE]
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "remote": request.remote,
        }
        if request.query:
            fields["query_keys"] = sorted(set(request.query.keys()))
        workflow = _WORKFLOW.get()
        if workflow is not None:
            fields["workflow"] = workflow
        state.log.write("request", **fields)


@web.middleware
async def errors_as_json(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own refusals (413, 405, ...) as JSON; a bug as a 500 without a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        message = {413: "the request body is larger than the server accepts"}.get(
            exc.status, exc.reason
        )
        body: dict[str, Any] = {"code": exc.status, "message": message}
        if exc.status == 413:
            body["limit"] = request.app[STATE].config.max_body
        return web.json_response(body, status=exc.status, headers=_kept_headers(exc))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        state = request.app[STATE]
        state.log.write(
            "error",
            path=request.path,
            error=state.executions.secrets.mask(f"{type(exc).__name__}: {exc}"),
        )
        return web.json_response({"code": 500, "message": "internal server error"}, status=500)


def _kept_headers(exc: web.HTTPException) -> dict[str, str]:
    return {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}


@web.middleware
async def token_check(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.app[STATE].config.token
    open_path = request.path == "/healthz" or request.path.startswith(
        ("/webhook/", "/webhook-test/")
    )
    if token and not open_path:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), token.encode()
        ):
            return web.json_response(
                {
                    "code": 401,
                    "message": "missing or wrong API token (Authorization: Bearer TOKEN)",
                },
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="keitaro-node"'},
            )
    return await handler(request)


# --- the API --------------------------------------------------------------------------------


async def healthz(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.stopping:
        return web.json_response({"status": "stopping"}, status=503)
    return web.json_response({"status": "ok"})


async def list_workflows(request: web.Request) -> web.Response:
    state = request.app[STATE]
    base = _base_url(request)
    out = []
    for served in state.workflows.values():
        out.append(
            {
                "name": served.name,
                "file": served.path.name,
                "workflowName": served.workflow.name,
                "run": f"{base}/run/{served.name}",
                "running": state.executions.running.get(served.name, 0),
                "webhooks": [
                    {
                        "node": spec.node_name,
                        "methods": list(spec.methods),
                        "url": f"{base}/webhook/{spec.path}",
                        "responseMode": spec.response_mode,
                        "authentication": spec.authentication,
                    }
                    for spec in served.webhooks
                ],
                "schedules": [
                    {
                        "node": node_name,
                        "rules": [rule.describe() for rule in schedule.rules],
                        "timezone": schedule.zone.key,
                        "nextRun": _iso(state.scheduler.next_runs.get((served.name, node_name))),
                    }
                    for node_name, schedule in served.schedules.items()
                ],
            }
        )
    return web.json_response(out)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


async def run_endpoint(request: web.Request) -> web.Response:
    state = request.app[STATE]
    name = request.match_info["workflow"]
    _WORKFLOW.set(name)
    served = state.workflows.get(name)
    if served is None:
        known = ", ".join(sorted(state.workflows)) or "none"
        return web.json_response(
            {"code": 404, "message": f"no workflow '{name}' is served (served: {known})"},
            status=404,
        )
    raw = await request.read()
    items: list[Item] | None = None
    if raw.strip():
        try:
            items = items_from_json(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:
            return web.json_response(
                {
                    "code": 400,
                    "message": f"the body must be a JSON array of items or one object: {exc}",
                },
                status=400,
            )
    try:
        task = state.executions.start(name, served.workflow, items, "run")
    except Busy as exc:
        return _busy(exc)
    except ShuttingDown:
        return _stopping()
    outcome = await _outcome(task)
    if outcome.result is not None:
        final = outcome.result.final_items()
        if request.query.get("output") == "json":  # plain objects, one per item (n8n, Make)
            return web.json_response([item.json for item in final], dumps=_dumps)
        return web.json_response([item.to_json() for item in final], dumps=_dumps)
    if outcome.error is not None:
        body = {
            "code": 422,
            "message": str(outcome.error),
            **error_fields(outcome.error),
            "completed": [item.to_json() for item in outcome.error.completed],
        }
        text = state.executions.secrets.mask(_dumps(body))
        return web.Response(status=422, text=text, content_type="application/json")
    return _crashed(outcome)


async def _outcome(task: asyncio.Task[Outcome]) -> Outcome:
    """The run's outcome; the run goes on if the request is cancelled (a client hung up)."""
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if task.cancelled() or task.done():
            return Outcome(crash=asyncio.CancelledError("cancelled: the server stopped"))
        raise


def _crashed(outcome: Outcome) -> web.Response:
    if isinstance(outcome.crash, asyncio.CancelledError):
        return _stopping("the server stopped before the run finished")
    return web.json_response(
        {"code": 500, "message": "the run failed unexpectedly; the server log has the error"},
        status=500,
    )


def _busy(exc: Busy) -> web.Response:
    return web.json_response(
        {"code": 429, "message": str(exc)}, status=429, headers={"Retry-After": "1"}
    )


def _stopping(message: str = "the server is shutting down") -> web.Response:
    return web.json_response(
        {"code": 503, "message": message}, status=503, headers={"Connection": "close"}
    )


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def _base_url(request: web.Request) -> str:
    configured = request.app[STATE].config.public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.scheme}://{request.host}"


# --- webhooks -------------------------------------------------------------------------------


async def webhook(request: web.Request) -> web.StreamResponse:
    from .webhook_answers import answer_last_node, answer_on_received, cors_headers

    state = request.app[STATE]
    test_mode = request.path.startswith("/webhook-test/")
    path = request.match_info["path"].strip("/")
    method = request.method
    if method == "OPTIONS":
        wanted = request.headers.get("Access-Control-Request-Method", "").upper()
        found = state.find_webhook(wanted, path) if wanted else state.find_webhook("GET", path)
        headers = cors_headers(request, state, path, found)
        return web.Response(status=204, headers=headers)
    found = state.find_webhook(method, path)
    if isinstance(found, list):
        return _not_found(method, path, found)
    served, spec = found
    _WORKFLOW.set(served.name)
    headers = cors_headers(request, state, path, found)
    if state.stopping:
        return _stopping()
    refusal = check_webhook(request, spec, state.credentials, state.host.credential_types)
    if refusal is not None:
        refusal.headers.update(headers)
        return refusal
    headers.update(dict(spec.response_headers))
    prefix = "webhook-test" if test_mode else "webhook"
    url = f"{_base_url(request)}/{prefix}/{spec.path}"
    try:
        item = await build_item(request, spec, path, url, test_mode)
    except BodyError as exc:
        return web.json_response(
            {"code": 422, "message": str(exc), "hint": exc.hint}, status=422, headers=headers
        )
    try:
        task = state.executions.start(
            served.name,
            served.starting_at(spec.node_name),
            [item],
            f"webhook:{spec.node_name}",
            {METHOD_OPTION: method, "startNode": spec.node_name},
        )
    except Busy as exc:
        return _busy(exc)
    except ShuttingDown:
        return _stopping()
    if spec.response_mode == "onReceived":
        return answer_on_received(spec, headers)
    outcome = await _outcome(task)
    return answer_last_node(spec, outcome, headers)


def _not_found(method: str, path: str, methods: list[str]) -> web.Response:
    if methods:
        listed = methods[0] if len(methods) == 1 else f"{', '.join(methods[:-1])} or {methods[-1]}"
        message = (
            f"This webhook is not registered for {method} requests. "
            f"Did you mean to make a {listed} request?"
        )
        hint = None
    else:
        message = f'The requested webhook "{method} {path}" is not registered.'
        hint = "No served workflow has a Webhook node with this path; GET /workflows lists them."
    body: dict[str, Any] = {"code": 404, "message": message}
    if hint:
        body["hint"] = hint
    return web.json_response(body, status=404)


def make_app(state: ServerState) -> web.Application:
    app = web.Application(
        client_max_size=state.config.max_body,
        middlewares=[access_log, errors_as_json, token_check],
    )
    app[STATE] = state
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/workflows", list_workflows)
    app.router.add_post("/run/{workflow}", run_endpoint)
    for prefix in ("/webhook/", "/webhook-test/"):
        app.router.add_route("*", prefix + "{path:.*}", webhook)
    return app

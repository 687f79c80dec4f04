"""HTTP handlers for /campaigns."""

from __future__ import annotations

from aiohttp import web

from .campaign_model import (
    campaign_out,
    campaign_row,
    campaigns_out,
    clone_campaign,
    create_campaign,
    set_campaign_state,
    update_campaign,
)
from .config import API_BASE
from .errors import BadRequest, NotFound
from .state import store_of
from .stream_model import campaign_streams
from .wire import Handler, body_object, ok, path_id, query_flag, query_int, success

_ID = r"{id:\d{1,18}}"


async def list_campaigns(request: web.Request) -> web.Response:
    """Non-archived campaigns; ``offset``/``limit`` as on newer trackers, ``active`` as 9.x."""
    store = store_of(request)
    offset = query_int(request, "offset", 0) or 0
    limit = query_int(request, "limit")
    if offset < 0 or (limit is not None and limit < 0):
        raise BadRequest("Params 'offset' and 'limit' must not be negative")
    where = "state = 'active'" if query_flag(request, "active") else "state != 'deleted'"
    rows = store.all(
        f"SELECT * FROM campaigns WHERE {where} ORDER BY position, id LIMIT ? OFFSET ?",
        (-1 if limit is None else limit, offset),
    )
    return ok(campaigns_out(store, rows, extended=query_flag(request, "extended")))


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    campaign_id = create_campaign(store, await body_object(request))
    return ok(campaign_out(store, campaign_id))


async def get(request: web.Request) -> web.Response:
    store = store_of(request)
    row = campaign_row(store, path_id(request))
    with_streams = query_flag(request, "withStreams")
    return ok(campaigns_out(store, [row], with_streams=with_streams)[0])


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    campaign_id = path_id(request)
    update_campaign(store, campaign_id, await body_object(request))
    return ok(campaign_out(store, campaign_id, with_streams=True))


async def archive(request: web.Request) -> web.Response:
    """Moves to the archive; answers an array of the archived campaign, as trackers do."""
    store = store_of(request)
    campaign_id = path_id(request)
    campaign_row(store, campaign_id)
    set_campaign_state(store, campaign_id, "deleted")
    return ok([campaign_out(store, campaign_id)])


async def deleted(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = store.all("SELECT * FROM campaigns WHERE state = 'deleted' ORDER BY id")
    return ok(campaigns_out(store, rows))


async def restore(request: web.Request) -> web.Response:
    store = store_of(request)
    campaign_id = path_id(request)
    row = campaign_row(store, campaign_id, archived_ok=True)
    if row["state"] == "deleted":
        set_campaign_state(store, campaign_id, "active")
    return ok([campaign_out(store, campaign_id)])


def _switch(state: str) -> Handler:
    """Enable/disable: answer the Campaign object (the spec's shape); archived ones stay."""

    async def handler(request: web.Request) -> web.Response:
        store = store_of(request)
        campaign_id = path_id(request)
        row = campaign_row(store, campaign_id, archived_ok=True)
        if row["state"] != "deleted":
            set_campaign_state(store, campaign_id, state)
        return ok(campaign_out(store, campaign_id))

    return handler


async def clone(request: web.Request) -> web.Response:
    """Answers an array with the clone at index 0, as trackers do."""
    store = store_of(request)
    new_id = clone_campaign(store, path_id(request))
    return ok([campaign_out(store, new_id)])


async def streams(request: web.Request) -> web.Response:
    store = store_of(request)
    campaign_id = path_id(request)
    if store.get("campaigns", campaign_id) is None:
        raise NotFound("Campaign", campaign_id)
    return ok(campaign_streams(store, campaign_id))


async def clean_archive(request: web.Request) -> web.Response:
    """Deletes every archived campaign for good, with its flows and postbacks."""
    store = store_of(request)
    with store.tx():
        doomed = "SELECT id FROM campaigns WHERE state = 'deleted'"
        flows = f"SELECT id FROM streams WHERE campaign_id IN ({doomed})"
        for table in (
            "stream_filters",
            "stream_triggers",
            "stream_landings",
            "stream_offers",
            "stream_events",
        ):
            store.execute(f"DELETE FROM {table} WHERE stream_id IN ({flows})")
        store.execute(f"DELETE FROM streams WHERE campaign_id IN ({doomed})")
        store.execute(f"DELETE FROM campaign_postbacks WHERE campaign_id IN ({doomed})")
        store.execute("DELETE FROM campaigns WHERE state = 'deleted'")
    return success()


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/campaigns"
    return [
        web.get(base, list_campaigns),
        web.post(base, create),
        web.get(f"{base}/deleted", deleted),
        web.post(f"{base}/clean_archive", clean_archive),
        web.get(f"{base}/{_ID}", get),
        web.put(f"{base}/{_ID}", update),
        web.delete(f"{base}/{_ID}", archive),
        web.post(f"{base}/{_ID}/restore", restore),
        web.post(f"{base}/{_ID}/enable", _switch("active")),
        web.post(f"{base}/{_ID}/disable", _switch("disabled")),
        web.post(f"{base}/{_ID}/clone", clone),
        web.get(f"{base}/{_ID}/streams", streams),
    ]

"""HTTP Request: each credential type reaches the service as it should, its secrets never show
(outputs, errors, logs), and no credential follows a redirect to another host."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from http_request_support import Service, http_workflow, running_service, serving
from support import dump, run

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.sandbox import Sandbox

TOKEN = "tok-7a1f9e2d4c6b8a0f"
PASSWORD = "pw-3e5d7c9b1a2f4e6d"


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


@pytest.fixture
async def other() -> AsyncIterator[Service]:
    """A second service on another port: another origin."""
    async with running_service() as running:
        yield running


def generic(kind: str, url: str, **parameters: Any) -> dict[str, Any]:
    return http_workflow(
        {
            "url": url,
            "authentication": "genericCredentialType",
            "genericAuthType": kind,
            **parameters,
        },
        credentials={kind: {"id": "1", "name": "my credential"}},
    )


def store(kind: str, **values: Any) -> CredentialStore:
    return CredentialStore({"my credential": values}, environ={})


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("httpHeaderAuth", {"name": "X-Api-Key", "value": TOKEN}, TOKEN),
    ("httpBearerAuth", {"token": TOKEN}, TOKEN),
    ("httpQueryAuth", {"name": "api_key", "value": TOKEN}, TOKEN),
    ("httpBasicAuth", {"user": "alice", "password": PASSWORD}, PASSWORD),
    ("httpCustomAuth", {"json": json.dumps({"headers": {"X-Custom": TOKEN}})}, TOKEN),
]


async def test_header_auth(service: Service) -> None:
    kind, values, _ = CASES[0]
    await run(generic(kind, f"{service.url}/echo"), [{}], store(kind, **values))
    assert service.last("/echo").headers["X-Api-Key"] == TOKEN


async def test_bearer_auth(service: Service) -> None:
    await run(generic("httpBearerAuth", f"{service.url}/echo"), [{}], store("", token=TOKEN))
    assert service.last("/echo").headers["Authorization"] == f"Bearer {TOKEN}"


async def test_query_auth_is_added_to_the_query(service: Service) -> None:
    await run(
        generic(
            "httpQueryAuth",
            f"{service.url}/echo?a=1",
            sendQuery=True,
            queryParameters={"parameters": [{"name": "b", "value": "2"}]},
        ),
        [{}],
        store("", name="api_key", value=TOKEN),
    )
    assert service.last("/echo").query == [("a", "1"), ("b", "2"), ("api_key", TOKEN)]


async def test_basic_auth(service: Service) -> None:
    await run(
        generic("httpBasicAuth", f"{service.url}/echo"),
        [{}],
        store("", user="alice", password=PASSWORD),
    )
    expected = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert service.last("/echo").headers["Authorization"] == f"Basic {expected}"


async def test_digest_auth_answers_the_challenge(service: Service) -> None:
    user, password = service.digest_user
    result = await run(
        generic("httpDigestAuth", f"{service.url}/digest"),
        [{}],
        store("", user=user, password=password),
    )
    assert [i.json for i in result.items("HTTP")] == [{"digest": "ok"}]
    assert service.count("/digest") == 2  # the challenge, then the answer


async def test_custom_auth_sets_headers_query_and_body(service: Service) -> None:
    custom = {
        "headers": {"X-Custom": TOKEN},
        "qs": {"k": "v-secret-123"},
        "body": {"sig": "s-1234567"},
    }
    result = await run(
        generic("httpCustomAuth", f"{service.url}/echo", method="POST"),
        [{}],
        store("", json=json.dumps(custom)),
    )
    seen = service.last("/echo")
    assert seen.headers["X-Custom"] == TOKEN and ("k", "v-secret-123") in seen.query
    assert json.loads(seen.body) == {"sig": "s-1234567"}
    echoed = dump(result)
    assert TOKEN not in echoed and "v-secret-123" not in echoed and "s-1234567" not in echoed


async def test_a_predefined_credential_type_is_applied_as_it_declares(tracker: Sandbox) -> None:
    # keitaroApi declares an Api-Key header: HTTP Request reaches the Admin API with it
    workflow = http_workflow(
        {
            "url": f"{tracker.api_url}/campaigns",
            "authentication": "predefinedCredentialType",
            "nodeCredentialType": "keitaroApi",
        },
        credentials={"keitaroApi": {"id": "1", "name": "tracker"}},
    )
    credentials = CredentialStore(
        {"tracker": {"domain": tracker.url, "apiKey": tracker.api_key}}, environ={}
    )
    result = await run(workflow, [{}], credentials)
    names = [i.json["name"] for i in result.items("HTTP")]
    assert "Test campaign" in names
    assert tracker.request_count("GET", "/admin_api/v1/campaigns") == 1


async def test_missing_credentials_say_how_to_supply_them(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(
            generic("httpBearerAuth", f"{service.url}/echo"), [{}], CredentialStore({}, environ={})
        )
    assert "Bearer Auth credentials are missing token" in str(caught.value.error)
    assert service.count() == 0


@pytest.mark.parametrize("kind", ["oAuth2Api", "oAuth1Api"])
async def test_oauth_is_refused_clearly(service: Service, kind: str) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(generic(kind, f"{service.url}/echo"), [{}], CredentialStore({}, environ={}))
    assert "not supported" in caught.value.error.message and service.count() == 0


# ------------------------------------------------------------------ secrets never show


@pytest.mark.parametrize(("kind", "values", "secret"), CASES, ids=[c[0] for c in CASES])
async def test_echoed_secrets_are_masked_in_output_items(
    service: Service, kind: str, values: dict[str, Any], secret: str
) -> None:
    # /leak answers with every credential it got, in its body and in a header
    options = {"response": {"response": {"fullResponse": True}}}
    result = await run(
        generic(kind, f"{service.url}/leak", options=options), [{}], store(kind, **values)
    )
    item = result.items("HTTP")[0]
    assert secret not in dump(result)
    assert "***" in json.dumps(item.json)
    assert service.count("/leak") == 1


@pytest.mark.parametrize(("kind", "values", "secret"), CASES, ids=[c[0] for c in CASES])
async def test_secrets_are_masked_in_errors_and_logs(
    service: Service,
    kind: str,
    values: dict[str, Any],
    secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"{service.url}/status/404?text=no+such+thing+for+{secret}"
    with caplog.at_level(logging.DEBUG), pytest.raises(WorkflowError) as caught:
        await run(generic(kind, url), [{}], store(kind, **values))
    error = caught.value.error
    texts = [str(error), repr(error), json.dumps(error.to_json()), caplog.text]
    assert all(secret not in text for text in texts)
    assert error.message == "The resource you are requesting could not be found"
    assert "***" in str(error)


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize(("kind", "values", "secret"), CASES, ids=[c[0] for c in CASES])
async def test_no_credential_follows_a_redirect_to_another_host(
    service: Service, other: Service, kind: str, values: dict[str, Any], secret: str
) -> None:
    target = f"{other.url}/echo"
    result = await run(
        generic(kind, f"{service.url}/redirect?to={target}", method="GET"),
        [{}],
        store(kind, **values),
    )
    assert service.count("/redirect") == 1 and other.count("/echo") == 1
    arrived = other.last("/echo")
    assert secret not in json.dumps(arrived.headers) and secret not in json.dumps(arrived.query)
    assert "Authorization" not in arrived.headers
    assert result.items("HTTP")[0].json["path"] == "/echo"


@pytest.mark.parametrize(("kind", "values", "secret"), CASES[:4], ids=[c[0] for c in CASES[:4]])
async def test_credentials_follow_a_redirect_on_the_same_host(
    service: Service, kind: str, values: dict[str, Any], secret: str
) -> None:
    await run(generic(kind, f"{service.url}/redirect?to=/echo"), [{}], store(kind, **values))
    arrived = service.last("/echo")
    carried = json.dumps(arrived.headers)
    if kind == "httpQueryAuth":  # the query is the redirect's own: the key is not in it
        assert secret not in json.dumps(arrived.query)
    else:
        assert secret in carried or base64.b64encode(f"alice:{secret}".encode()).decode() in carried


async def test_a_credential_header_of_the_users_own_stays_on_its_host(
    service: Service, other: Service
) -> None:
    workflow = http_workflow(
        {
            "url": f"{service.url}/redirect?to={other.url}/echo",
            "sendHeaders": True,
            "headerParameters": {
                "parameters": [{"name": "Authorization", "value": "Bearer mine-123"}]
            },
        }
    )
    await run(workflow, [{}])
    assert "Authorization" not in other.last("/echo").headers


async def test_another_host_on_another_name_is_another_origin(service: Service) -> None:
    # localhost and 127.0.0.1 are the same machine but not the same origin
    port = service.url.rsplit(":", 1)[1]
    await run(
        generic("httpBearerAuth", f"{service.url}/redirect?to=http://localhost:{port}/echo"),
        [{}],
        store("", token=TOKEN),
    )
    assert "Authorization" not in service.last("/echo").headers


async def test_a_redirect_to_a_server_that_records_everything(service: Service) -> None:
    # the same check with a hand-made server: nothing secret in what it received at all
    received: list[bytes] = []

    from aiohttp import web

    async def anything(request: web.Request) -> web.Response:
        received.append(
            f"{request.method} {request.path_qs}\n{dict(request.headers)}\n".encode()
            + await request.read()
        )
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    async with serving(app) as elsewhere:
        await run(
            generic(
                "httpHeaderAuth",
                f"{service.url}/redirect?to={elsewhere}/landing&code=307",
                method="POST",
            ),
            [{}],
            store("", name="X-Api-Key", value=TOKEN),
        )
    assert len(received) == 1 and TOKEN.encode() not in received[0]
    assert received[0].startswith(b"POST /landing")

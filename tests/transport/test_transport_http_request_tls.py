"""HTTP Request over TLS: certificates are verified, and the option Ignore SSL Issues
(allowUnauthorizedCerts) reaches a service with a self-signed certificate."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from support import chain, node, run
from transport_support import TlsFiles, serving

from keitaro_node.runtime.errors import WorkflowError


@pytest.fixture
async def tls_service(tls_files: TlsFiles) -> AsyncIterator[tuple[str, list[str]]]:
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"secure": True})

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_files.cert, tls_files.key)
    async with serving(app, ssl_context=context) as url:
        yield url, seen


def workflow(url: str, insecure: bool) -> dict[str, object]:
    options = {"allowUnauthorizedCerts": True} if insecure else {}
    http = node("HTTP", "n8n-nodes-base.httpRequest", {"url": url, "options": options})
    http["typeVersion"] = 4.2
    return chain(node("Start", "n8n-nodes-base.manualTrigger"), http)


async def test_a_certificate_nobody_trusts_is_refused(tls_service: tuple[str, list[str]]) -> None:
    url, seen = tls_service
    with pytest.raises(WorkflowError) as caught:
        await run(workflow(f"{url}/x", insecure=False), [{}])
    error = caught.value.error
    assert error.message == "SSL Issue: consider using the 'Ignore SSL issues' option"
    assert error.description is not None
    assert error.description.startswith("the server's TLS certificate was not accepted")
    assert seen == []


async def test_ignore_ssl_issues_reaches_it(tls_service: tuple[str, list[str]]) -> None:
    url, seen = tls_service
    result = await run(workflow(f"{url}/x", insecure=True), [{}])
    assert [i.json for i in result.items("HTTP")] == [{"secure": True}]
    assert seen == ["/x"]

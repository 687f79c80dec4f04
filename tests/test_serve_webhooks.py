"""Webhook nodes served over real HTTP: the item n8n builds, both response modes, auth."""

from __future__ import annotations

import base64
from pathlib import Path

from test_serve_helpers import manual, serving, set_node, webhook_node, workflow

POSTBACK = workflow(
    webhook_node("postback", responseMode="lastNode"),
    set_node(
        "Conversion",
        {"subid": "={{ $json.query.subid }}", "status": "={{ $json.query.status }}"},
    ),
)


async def test_a_keitaro_postback_starts_the_workflow_and_gets_its_output(tmp_path: Path) -> None:
    async with serving(tmp_path, {"postback": POSTBACK}) as s:
        answer = await s.session.get(f"{s.url}/webhook/postback?subid=7a3f&status=lead")
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("application/json")
        assert await answer.json() == {"subid": "7a3f", "status": "lead"}


async def test_the_item_has_n8ns_shape(tmp_path: Path) -> None:
    echo = workflow(webhook_node("echo", responseMode="lastNode", httpMethod="POST"))
    async with (
        serving(tmp_path, {"echo": echo}) as s,
        s.session.post(
            f"{s.url}/webhook/echo/?a=1&a=2&b[c]=3",
            json={"campaign": 5},
            headers={"X-Tracker": "keitaro"},
        ) as answer,
    ):
        item = await answer.json()
    assert list(item) == ["headers", "params", "query", "body", "webhookUrl", "executionMode"]
    assert item["headers"]["x-tracker"] == "keitaro"
    assert item["headers"]["content-type"] == "application/json"
    assert item["params"] == {}
    assert item["query"] == {"a": ["1", "2"], "b": {"c": "3"}}
    assert item["body"] == {"campaign": 5}
    assert item["webhookUrl"] == f"{s.url}/webhook/echo"
    assert item["executionMode"] == "production"


async def test_bodies_by_content_type(tmp_path: Path) -> None:
    echo = workflow(webhook_node("echo", responseMode="lastNode", httpMethod="POST"))
    async with serving(tmp_path, {"echo": echo}) as s:
        url = f"{s.url}/webhook/echo"
        async with s.session.post(url, data={"subid": "x", "payout": "1.5"}) as answer:
            assert (await answer.json())["body"] == {"subid": "x", "payout": "1.5"}
        async with s.session.post(
            url, data="hello", headers={"Content-Type": "text/plain"}
        ) as answer:
            assert (await answer.json())["body"] == "hello"
        xml = "<Conversion id='3'><Status>lead</Status></Conversion>"
        async with s.session.post(
            url, data=xml, headers={"Content-Type": "application/xml"}
        ) as answer:
            assert (await answer.json())["body"] == {
                "conversion": {"$": {"id": "3"}, "status": "lead"}
            }
        async with s.session.post(
            url, data="{broken", headers={"Content-Type": "application/json"}
        ) as answer:
            assert answer.status == 422
            assert (await answer.json())["message"] == "Failed to parse request body"
        async with s.session.get(f"{s.url}/webhook/echo") as answer:
            assert answer.status == 404
            assert "not registered for GET requests" in (await answer.json())["message"]


async def test_a_file_body_becomes_binary_data(tmp_path: Path) -> None:
    files = workflow(
        webhook_node(
            "upload", responseMode="lastNode", httpMethod="POST", responseData="firstEntryBinary"
        )
    )
    async with (
        serving(tmp_path, {"files": files}) as s,
        s.session.post(
            f"{s.url}/webhook/upload",
            data=b"%PDF-1.4 tiny",
            headers={"Content-Type": "application/pdf"},
        ) as answer,
    ):
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "application/pdf"
        assert await answer.read() == b"%PDF-1.4 tiny"


async def test_immediately_answers_before_the_run_ends(tmp_path: Path) -> None:
    started = workflow(webhook_node("started"), set_node("Mark", {"seen": "yes"}))
    async with serving(tmp_path, {"started": started}) as s:
        async with s.session.get(f"{s.url}/webhook/started?subid=1") as answer:
            assert answer.status == 200
            assert await answer.json() == {"message": "Workflow was started"}
        runs = await s.wait_for("run.succeeded")
        assert runs[0]["workflow"] == "started"
        assert runs[0]["trigger"] == "webhook:Webhook"


async def test_response_code_headers_and_custom_text(tmp_path: Path) -> None:
    custom = workflow(
        webhook_node(
            "custom",
            options={
                "responseData": "OK",
                "responseCode": {"values": {"responseCode": "customCode", "customCode": 202}},
                "responseHeaders": {"entries": [{"name": "X-Handled-By", "value": "keitaro-node"}]},
            },
        )
    )
    async with serving(tmp_path, {"custom": custom}) as s:
        answer = await s.session.get(f"{s.url}/webhook/custom")
        assert answer.status == 202
        assert answer.headers["X-Handled-By"] == "keitaro-node"
        assert await answer.text() == "OK"


async def test_all_entries_and_a_failing_run_in_last_node_mode(tmp_path: Path) -> None:
    entries = workflow(webhook_node("all", responseMode="lastNode", responseData="allEntries"))
    failing = workflow(
        webhook_node("fails", responseMode="lastNode"),
        {
            "name": "Number",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"id": "1", "name": "n", "value": "={{ $json.query.n }}", "type": "number"}
                    ]
                },
                "options": {},
            },
        },
    )
    async with serving(tmp_path, {"all": entries, "fails": failing}) as s:
        async with s.session.get(f"{s.url}/webhook/all?x=1") as answer:
            body = await answer.json()
            assert isinstance(body, list) and body[0]["query"] == {"x": "1"}
        async with s.session.get(f"{s.url}/webhook/fails?n=abc") as answer:
            assert answer.status == 500
            assert await answer.json() == {"message": "Error in workflow"}
        failed = await s.wait_for("run.failed")
        assert failed[0]["node"] == "Number" and failed[0]["item"] == 0


async def test_several_methods_go_to_their_own_outputs(tmp_path: Path) -> None:
    both = workflow(
        webhook_node(
            "both", responseMode="lastNode", multipleMethods=True, httpMethod=["GET", "POST"]
        ),
        set_node("Read", {"via": "GET"}),
        set_node("Write", {"via": "POST"}),
        edges=[("Webhook", "Read", 0), ("Webhook", "Write", 1)],
    )
    async with serving(tmp_path, {"both": both}) as s:
        async with s.session.get(f"{s.url}/webhook/both") as answer:
            assert await answer.json() == {"via": "GET"}
        async with s.session.post(f"{s.url}/webhook/both") as answer:
            assert await answer.json() == {"via": "POST"}


async def test_path_parameters_and_other_triggers_left_out(tmp_path: Path) -> None:
    data = workflow(
        manual(),
        webhook_node("offer/:id", responseMode="lastNode"),
        set_node("Id", {"id": "={{ $json.params.id }}"}),
        edges=[("Start", "Id", 0), ("Webhook", "Id", 0)],
    )
    async with serving(tmp_path, {"offer": data}) as s:
        url = f"{s.url}/webhook/4f1c2a9e-0000-4000-8000-000000000001/offer/42"
        async with s.session.get(url) as answer:
            assert await answer.json() == {"id": "42"}  # one item: the Manual Trigger did not run


HEADER_AUTH = workflow(
    {
        **webhook_node("secured", responseMode="lastNode", authentication="headerAuth"),
        "credentials": {"httpHeaderAuth": {"id": "1", "name": "Postback secret"}},
    }
)
BASIC_AUTH = workflow(
    {
        **webhook_node("basic", responseMode="lastNode", authentication="basicAuth"),
        "credentials": {"httpBasicAuth": {"id": "2", "name": "Partner login"}},
    }
)
CREDENTIALS = {
    "Postback secret": {"name": "X-Postback-Key", "value": "pb-9f8e7d6c5b"},
    "Partner login": {"user": "partner", "password": "pw-1a2b3c4d"},
}


async def test_header_auth_refuses_a_wrong_secret(tmp_path: Path) -> None:
    async with serving(tmp_path, {"secured": HEADER_AUTH}, credentials=CREDENTIALS) as s:
        url = f"{s.url}/webhook/secured?subid=1"
        async with s.session.get(url, headers={"X-Postback-Key": "guess"}) as answer:
            assert answer.status == 403
            assert await answer.text() == "Authorization data is wrong!"
        async with s.session.get(url) as answer:
            assert answer.status == 403
        async with s.session.get(url, headers={"X-Postback-Key": "pb-9f8e7d6c5b"}) as answer:
            assert answer.status == 200
            assert (await answer.json())["query"] == {"subid": "1"}
        assert not s.events("run.failed")
        assert len(s.events("run.succeeded")) == 1  # refused requests start nothing
        assert "pb-9f8e7d6c5b" not in s.text.getvalue()


async def test_basic_auth_asks_refuses_and_accepts(tmp_path: Path) -> None:
    def basic(user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    async with serving(tmp_path, {"basic": BASIC_AUTH}, credentials=CREDENTIALS) as s:
        url = f"{s.url}/webhook/basic"
        async with s.session.get(url) as answer:
            assert answer.status == 401
            assert answer.headers["WWW-Authenticate"] == 'Basic realm="Webhook"'
            assert await answer.text() == "Authorization is required!"
        async with s.session.get(url, headers=basic("partner", "wrong")) as answer:
            assert answer.status == 403
        async with s.session.get(url, headers=basic("partner", "pw-1a2b3c4d")) as answer:
            assert answer.status == 200


async def test_missing_credentials_and_the_ip_allow_list(tmp_path: Path) -> None:
    only_other = workflow(webhook_node("office", options={"ipWhitelist": "10.1.2.3, 10.1.2.4"}))
    only_me = workflow(webhook_node("local", options={"ipWhitelist": "127.0.0.1"}))
    async with serving(
        tmp_path, {"secured": HEADER_AUTH, "office": only_other, "local": only_me}
    ) as s:
        async with s.session.get(f"{s.url}/webhook/secured") as answer:
            assert answer.status == 500
            assert await answer.text() == "No authentication data defined on node!"
        async with s.session.get(f"{s.url}/webhook/office") as answer:
            assert answer.status == 403
            assert await answer.text() == "IP is not whitelisted to access the webhook!"
        async with s.session.get(f"{s.url}/webhook/local") as answer:
            assert answer.status == 200


async def test_cors_for_browsers(tmp_path: Path) -> None:
    limited = workflow(
        webhook_node(
            "form",
            httpMethod="POST",
            options={"allowedOrigins": "https://a.example,https://b.example"},
        )
    )
    async with serving(tmp_path, {"form": limited}) as s:
        async with s.session.options(
            f"{s.url}/webhook/form",
            headers={"Origin": "https://b.example", "Access-Control-Request-Method": "POST"},
        ) as answer:
            assert answer.status == 204
            assert answer.headers["Access-Control-Allow-Origin"] == "https://b.example"
            assert answer.headers["Access-Control-Allow-Methods"] == "OPTIONS, POST"
        async with s.session.post(
            f"{s.url}/webhook/form", headers={"Origin": "https://evil.example"}
        ) as answer:
            assert answer.headers["Access-Control-Allow-Origin"] == "https://a.example"


async def test_unknown_webhook(tmp_path: Path) -> None:
    async with serving(tmp_path, {"postback": POSTBACK}) as s:
        answer = await s.session.get(f"{s.url}/webhook/nothing-here")
        assert answer.status == 404
        body = await answer.json()
        assert body["message"] == 'The requested webhook "GET nothing-here" is not registered.'

"""Landing pages and offers: CRUD, archive, clone, restore and the file API."""

from __future__ import annotations

import base64
import io
import zipfile

from .conftest import Client


def _zip(files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return base64.b64encode(buffer.getvalue()).decode()


async def test_landing_round_trip_and_clone(client: Client) -> None:
    status, body = await client.call("POST", "/landing_pages", json_body={})
    assert status == 422 and body == {"name": ["Name is required"]}
    landing = await client.ok(
        "POST", "/landing_pages", json_body={"name": "Quiz", "group_id": "3", "notes": "n"}
    )
    assert landing["landing_type"] == "local" and landing["action_type"] == "local_file"
    assert landing["group_id"] == 3 and landing["state"] == "active"
    lid = landing["id"]
    updated = await client.ok("PUT", f"/landing_pages/{lid}", json_body={"name": "Quiz 2"})
    assert updated["name"] == "Quiz 2" and updated["notes"] == "n"
    assert (await client.ok("GET", f"/landing_pages/{lid}"))["name"] == "Quiz 2"
    clone = await client.ok("PUT", f"/landing_pages/{lid}/clone")
    assert isinstance(clone, dict) and clone["name"] == "Copy of Quiz 2" and clone["id"] != lid
    files = await client.ok("GET", f"/landing_pages/{clone['id']}/get_structure")
    assert [c["name"] for c in files["children"]] == ["index.html"]
    archived = await client.ok("DELETE", f"/landing_pages/{lid}")
    assert archived["state"] == "deleted"
    assert lid not in [x["id"] for x in await client.ok("GET", "/landing_pages")]
    assert (await client.call("DELETE", f"/landing_pages/{lid}"))[0] == 404
    assert (await client.call("POST", f"/landing_pages/{lid}/clone"))[0] == 400


async def test_external_landing_uses_url(client: Client) -> None:
    landing = await client.ok(
        "POST",
        "/landing_pages",
        json_body={"name": "Ext", "landing_type": "external", "url": "https://lp.example"},
    )
    assert landing["action_type"] == "http" and landing["action_payload"] == "https://lp.example"
    assert landing["local_path"] == ""


async def test_file_api_and_zip_download(client: Client) -> None:
    archive = _zip({"index.html": "<h1>hi</h1>", "css/site.css": "body{}", "js/a.js": "1"})
    landing = await client.ok(
        "POST", "/landing_pages", json_body={"name": "Zipped", "archive": archive}
    )
    lid = landing["id"]
    tree = await client.ok("GET", f"/landing_pages/{lid}/get_structure")
    assert tree["type"] == "directory"
    names = [(c["name"], c["type"]) for c in tree["children"]]
    assert names == [("css", "directory"), ("js", "directory"), ("index.html", "file")]
    assert tree["children"][0]["children"][0] == {
        "name": "site.css",
        "type": "file",
        "ext": "css",
        "path": "css/site.css",
    }
    base = f"/landing_pages/{lid}"
    assert await client.ok("GET", f"{base}/get_file", params={"path": "index.html"}) == {
        "data": "<h1>hi</h1>"
    }
    assert await client.ok("POST", f"{base}/add_file", params={"path": "new/page.html"}) == {
        "path": "new/page.html"
    }
    status, body = await client.call("POST", f"{base}/add_file", params={"path": "new/page.html"})
    assert status == 422 and "path" in body
    saved = await client.ok(
        "PUT", f"{base}/update_file", params={"path": "new/page.html", "data": "<p>x</p>"}
    )
    assert saved == {"path": "new/page.html"}
    assert (await client.ok("GET", f"{base}/get_file", params={"path": "new/page.html"}))[
        "data"
    ] == "<p>x</p>"
    assert await client.ok("DELETE", f"{base}/remove_file", params={"path": "js"}) == {
        "success": True
    }
    assert (await client.call("GET", f"{base}/get_file", params={"path": "js/a.js"}))[0] == 404
    for bad in ("../etc/passwd", "a/../../b", ".."):
        status, body = await client.call("GET", f"{base}/get_file", params={"path": bad})
        assert status == 422 and body == {"path": ["Path is invalid"]}
    assert (await client.call("GET", f"{base}/get_file"))[0] == 400
    assert (await client.call("PUT", f"{base}/update_file", params={"path": "x"}))[0] == 400
    async with client.session.get(f"/admin_api/v1{base}/download") as resp:
        assert resp.status == 200 and resp.content_type == "application/octet-stream"
        data = await resp.read()
    with zipfile.ZipFile(io.BytesIO(data)) as downloaded:
        assert sorted(downloaded.namelist()) == ["css/site.css", "index.html", "new/page.html"]
        assert downloaded.read("new/page.html") == b"<p>x</p>"
    status, body = await client.call(
        "POST", "/landing_pages", json_body={"name": "Bad", "archive": _zip({"../x": "1"})}
    )
    assert status == 422 and "archive" in body
    assert (await client.call("GET", "/landing_pages/999/get_structure"))[0] == 404


async def test_offer_round_trip_archive_restore_clone(client: Client) -> None:
    network = await client.ok("POST", "/affiliate_networks", json_body={"name": "Net"})
    offer = await client.ok(
        "POST",
        "/offers",
        json_body={
            "name": "Offer A",
            "action_payload": "https://offer.example/?s={subid}",
            "affiliate_network_id": network["id"],
            "payout_value": 12.5,
            "country": ["Romania"],
        },
    )
    assert offer["affiliate_network"] == "Net" and offer["payout_value"] == 12.5
    assert offer["payout_type"] == "CPA" and offer["country"] == ["Romania"]
    oid = offer["id"]
    updated = await client.ok("PUT", f"/offers/{oid}", json_body={"payout_value": 15})
    assert updated["payout_value"] == 15 and updated["name"] == "Offer A"
    status, body = await client.call("PUT", f"/offers/{oid}", json_body={"payout_type": "CPM"})
    assert status == 422 and "payout_type" in body
    clone = await client.ok("POST", f"/offers/{oid}/clone")
    assert clone["name"] == "Copy of Offer A"
    assert (await client.ok("GET", f"/affiliate_networks/{network['id']}"))["offers"] == 2
    assert (await client.call("DELETE", f"/offers/{oid}"))[0] == 400
    archived = await client.ok("DELETE", f"/offers/{oid}/archive")
    assert archived["state"] == "deleted"
    assert [o["id"] for o in await client.ok("GET", "/offers/deleted")] == [oid]
    assert oid not in [o["id"] for o in await client.ok("GET", "/offers")]
    restored = await client.ok("POST", f"/offers/{oid}/restore")
    assert restored["state"] == "active"
    await client.ok("POST", f"/offers/{oid}/add_file", params={"path": "index.php"})
    structure = await client.ok("GET", f"/offers/{oid}/get_structure")
    assert structure["children"][0]["path"] == "index.php"

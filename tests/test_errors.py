"""The HTTP contract's common ground: problem+json errors, the OpenAPI document, paging and search."""

from __future__ import annotations

import re

import pytest

from tests.helpers import assert_problem


@pytest.fixture
def reader(api):
    return api("picker")


# --- problem+json for routing errors and unreadable bodies -----------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_api_route_is_a_404_problem(client, reader, method):
    for headers in ({}, reader.headers()):
        body = assert_problem(client.open("/api/no-such-thing", method=method, headers=headers), 404, "not_found")
        assert body["type"] == "/problems/not-found"
        assert body["title"]


def test_wrong_method_is_a_405_problem(client, reader):
    r = client.delete("/api/scan", headers=reader.headers())
    assert_problem(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]


@pytest.mark.parametrize("data, content_type", [
    ("A-01-1", "text/plain"),
    ("code=A-01-1", "application/x-www-form-urlencoded"),
    ("{not json", "application/json"),
    ('["A-01-1"]', "application/json"),
    ('"A-01-1"', "application/json"),
    (b"\xff\xfe\x00", "application/json"),
], ids=["text", "form", "broken-json", "json-array", "json-string", "binary"])
def test_non_json_scan_body_is_a_4xx_problem_not_a_500(reader, data, content_type):
    r = reader.client.post("/api/scan", data=data, content_type=content_type, headers=reader.headers())
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
    assert_problem(r, r.status_code)


# --- the OpenAPI document --------------------------------------------------------------------------

def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_openapi_document_is_public_openapi_3_with_bearer_auth(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.get_json(force=True)
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] and doc["info"]["version"]
    assert {"/api/scan", "/api/items", "/api/locations"} <= set(doc["paths"])

    schemes = doc["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer
    assert any(name in req for req in doc["paths"]["/api/scan"]["post"]["security"] for name in bearer)
    assert not doc["paths"]["/api/auth/login"]["post"].get("security")

    for ref in set(_refs(doc)):
        _resolve(doc, ref)  # every reference points at something
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert op.get("responses"), f"{method} {path} documents no response"


def test_openapi_document_lists_every_api_endpoint(app, client):
    doc = client.get("/api/openapi.json").get_json(force=True)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api") or rule.rule == "/api/openapi.json":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method.lower()) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


# --- query validation ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/items", "/api/locations"])
@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-1", "offset")])
def test_bad_paging_parameters_are_422_naming_the_parameter(reader, path, query, field):
    assert_problem(reader.get(f"{path}?{query}"), 422, "invalid_input", field=field)


# --- paging and search -----------------------------------------------------------------------------

@pytest.fixture
def catalogue(app):
    """Five 'Bolt' items and a few others, committed."""
    from server.catalog import services
    from server.http import run_in_transaction

    bolts = [f"BOLT-{n}" for n in (3, 1, 5, 2, 4)]

    def create():
        for sku in bolts:
            services.create_item(sku, f"Bolt size {sku[-1]}")
        services.create_item("NUT-1", "Hex nut", barcodes=["6291041500213"])
        services.create_item("WASHER-1", "Flat washer (fits bolts)")

    run_in_transaction(create)
    return {"bolts": sorted(bolts)}


def test_items_search_matches_sku_name_and_barcode_case_insensitively(reader, catalogue):
    by_sku = reader.get("/api/items?q=bolt-").json
    assert [i["sku"] for i in by_sku["items"]] == catalogue["bolts"]
    assert by_sku["total"] == len(catalogue["bolts"])

    by_name = reader.get("/api/items?q=BOLTS").json
    assert [i["sku"] for i in by_name["items"]] == ["WASHER-1"]

    by_barcode = reader.get("/api/items?q=1041500").json
    assert [i["sku"] for i in by_barcode["items"]] == ["NUT-1"]
    assert by_barcode["items"][0]["barcodes"] == ["06291041500213"]
    assert by_barcode["items"][0]["name"] == "Hex nut"


def test_items_page_with_limit_and_offset_and_report_the_total(reader, catalogue):
    bolts = catalogue["bolts"]
    seen = []
    for offset in range(0, len(bolts) + 2, 2):
        page = reader.get(f"/api/items?q=bolt-&limit=2&offset={offset}").json
        assert page["total"] == len(bolts)
        assert len(page["items"]) == len(bolts[offset:offset + 2])
        seen += [i["sku"] for i in page["items"]]
    assert seen == bolts
    everything = reader.get("/api/items").json
    assert everything["total"] == len(bolts) + 2
    assert len(everything["items"]) == everything["total"]


@pytest.fixture
def racks(app):
    """Bins C-01-1..4 in zone C, a tote and a cart standing in C-01-2, and a dock."""
    from server.http import run_in_transaction
    from server.inventory import locations

    bins = [f"C-01-{n}" for n in (4, 2, 1, 3)]

    def create():
        zone = locations.get_or_create_zone("C")
        made = {code: locations.create_location(code, zone=zone) for code in bins}
        locations.create_location("TOTE-C9", kind="tote", parent=made["C-01-2"])
        locations.create_location("CART-C1", kind="cart", parent=made["C-01-2"])
        locations.create_location("DOCK-C", kind="dock")

    run_in_transaction(create)
    return {"bins": sorted(bins)}


def test_locations_search_by_code_case_insensitively(reader, racks):
    page = reader.get("/api/locations?q=c-01-").json
    assert [loc["code"] for loc in page["locations"]] == racks["bins"]
    assert page["total"] == len(racks["bins"])
    assert {loc["zone"] for loc in page["locations"]} == {"C"}
    assert {loc["kind"] for loc in page["locations"]} == {"bin"}


def test_locations_report_the_parent_code_of_containers(reader, racks):
    page = reader.get("/api/locations?q=-C").json
    by_code = {loc["code"]: loc for loc in page["locations"]}
    assert by_code["TOTE-C9"]["parent"] == "C-01-2"
    assert by_code["TOTE-C9"]["kind"] == "tote"
    assert by_code["CART-C1"]["parent"] == "C-01-2"
    assert by_code["DOCK-C"]["parent"] is None


def test_locations_page_with_limit_and_offset_and_report_the_total(reader, racks):
    bins = racks["bins"]
    first = reader.get("/api/locations?q=C-01&limit=3").json
    rest = reader.get("/api/locations?q=C-01&limit=3&offset=3").json
    assert first["total"] == rest["total"] == len(bins)
    assert [loc["code"] for loc in first["locations"] + rest["locations"]] == bins
    assert len(first["locations"]) == 3

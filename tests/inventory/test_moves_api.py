"""POST /api/moves, GET /api/stock and the ledger invariants through the HTTP contract."""

import pytest

from server.http import run_in_transaction
from tests.factories import FloorPlan, build_floor, make_stock, place, sku

# Two bins, one dock, an item with 5 units in bin A (entered through the ledger).
FLOOR = FloorPlan(locations=(place("A-01-01", zone="A", seq=1), place("A-01-02", zone="A", seq=2),
                             place("DOCK-1", "dock")),
                  items=(sku("SKU-1001", "Blue mug", barcodes=["4006381333931"]),),
                  stock=(("SKU-1001", "A-01-01", 5),))


def test_move_shifts_stock_and_answers_the_movement(api, floor):
    r = api("picker").post("/api/moves", {"item": "4006381333931", "qty": 3, "from": "a-01-01", "to": "A-01-02"})
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "move" and r.json["qty"] == 3
    assert r.json["from"] == "A-01-01" and r.json["to"] == "A-01-02"
    stock = api("picker").get("/api/stock?item=SKU-1001").json
    assert stock["on_hand"] == 5
    assert {line["location"]: line["qty"] for line in stock["locations"]} == {"A-01-01": 2, "A-01-02": 3}


def test_moving_more_than_available_is_a_409_and_changes_nothing(api, floor):
    r = api("picker").post("/api/moves", {"item": "SKU-1001", "qty": 6, "from": "A-01-01", "to": "A-01-02"})
    assert r.status_code == 409
    assert r.mimetype == "application/problem+json"
    assert r.json["code"] == "insufficient_stock"
    assert "5" in r.json["detail"] and r.json["field"] == "qty"
    stock = api("picker").get("/api/stock?item=SKU-1001").json
    assert stock["locations"] == [{"location": "A-01-01", "qty": 5, "reserved": 0, "lot": None, "expiry": None}]


@pytest.mark.parametrize("body, field", [
    ({"item": "SKU-1001", "qty": 0, "from": "A-01-01", "to": "A-01-02"}, "qty"),
    ({"item": "SKU-1001", "qty": 1.5, "from": "A-01-01", "to": "A-01-02"}, "qty"),
    ({"item": "SKU-1001", "qty": "2", "from": "A-01-01", "to": "A-01-02"}, "qty"),
    ({"item": "SKU-1001", "qty": 1, "to": "A-01-02"}, "from"),
])
def test_invalid_move_bodies_are_422_naming_the_field(api, floor, body, field):
    r = api("picker").post("/api/moves", body)
    assert r.status_code == 422
    assert r.json["field"] == field


@pytest.mark.parametrize("body, field", [
    ({"item": "NOPE", "qty": 1, "from": "A-01-01", "to": "A-01-02"}, "item"),
    ({"item": "SKU-1001", "qty": 1, "from": "Z-99", "to": "A-01-02"}, "from"),
    ({"item": "SKU-1001", "qty": 1, "from": "A-01-01", "to": "Z-99"}, "to"),
])
def test_unknown_targets_are_404_naming_the_field(api, floor, body, field):
    r = api("picker").post("/api/moves", body)
    assert r.status_code == 404
    assert r.json["field"] == field


def test_same_or_virtual_locations_are_refused(api, floor):
    same = api("picker").post("/api/moves", {"item": "SKU-1001", "qty": 1, "from": "A-01-01", "to": "A-01-01"})
    virtual = api("picker").post("/api/moves", {"item": "SKU-1001", "qty": 1, "from": "A-01-01", "to": "CUSTOMER"})
    assert same.status_code == 422 and virtual.status_code == 422
    assert virtual.json["field"] == "to"


def test_replayed_key_returns_the_first_answer_and_moves_once(api, floor):
    client = api("picker")
    body = {"item": "SKU-1001", "qty": 2, "from": "A-01-01", "to": "A-01-02"}
    first = client.post("/api/moves", body, key="scan-1")
    again = client.post("/api/moves", dict(reversed(list(body.items()))), key="scan-1")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = client.post("/api/moves", {**body, "qty": 1}, key="scan-1")
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    stock = client.get("/api/stock?item=SKU-1001").json
    assert {line["location"]: line["qty"] for line in stock["locations"]} == {"A-01-01": 3, "A-01-02": 2}


def test_a_refusal_is_stored_under_its_key_too(api, floor):
    client = api("picker")
    body = {"item": "SKU-1001", "qty": 9, "from": "A-01-01", "to": "A-01-02"}
    first = client.post("/api/moves", body, key="k-409")
    run_in_transaction(make_stock, "SKU-1001", "A-01-01", 10, reason="found")
    again = client.post("/api/moves", body, key="k-409")
    assert first.status_code == again.status_code == 409
    assert again.json == first.json


def test_verify_is_clean_after_moves(app, api, floor):
    from server.inventory.queries import verify_ledger
    api("picker").post("/api/moves", {"item": "SKU-1001", "qty": 4, "from": "A-01-01", "to": "A-01-02"})
    assert verify_ledger() == []


def test_an_unexpanded_upc_e_finds_its_upc_a_item_for_stock_and_moves(api, app):
    """Many scanners send UPC-E as 8 digits: 04252614 stands for UPC-A 042100005264 (CONTRACT.md, Scanning)."""
    build_floor(FloorPlan(locations=(place("A-01-01", zone="A"), place("A-01-02", zone="A")),
                          items=(sku("SKU-UPC", "Soup can", barcodes=["042100005264"]),),
                          stock=(("SKU-UPC", "A-01-01", 4),)))
    assert api("picker").get("/api/stock?item=04252614").json["item"] == "SKU-UPC"
    r = api("picker").post("/api/moves", {"item": "04252614", "qty": 1, "from": "A-01-01", "to": "A-01-02"})
    assert r.status_code == 201, r.json
    assert r.json["item"] == "SKU-UPC"
    assert api("picker").get("/api/stock?item=04252615").status_code == 404  # wrong check digit: no item

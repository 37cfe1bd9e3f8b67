"""Returns over the API: found by order, tracking number or RMA; graded; disposed through the ledger; refunds."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import FloorPlan, make_order, place, sku
from tests.helpers import assert_problem

pytestmark = pytest.mark.rollback

MUG, BOWL = "SKU-RMUG", "SKU-RBOWL"


def _order(floor):
    from server.catalog.models import Item
    from server.extensions import db
    from server.packing.models import Package
    import sqlalchemy as sa

    mug = db.session.scalar(sa.select(Item).where(Item.sku == MUG))
    order = make_order((mug, 3))
    order.lines[0].channel_line_id = "LINE-1"
    db.session.add(Package(order_id=order.id, number=1, tracking_number="1ZRETURN0000000001"))
    db.session.flush()
    return {"order": order.channel_order_id, "order_id": order.id}


FLOOR = FloorPlan(
    locations=(place("R-01", zone="R"), place("R-QUAR", "staging", blocked=True), place("R-OPEN", "staging")),
    items=(sku(MUG, "Returned mug"), sku(BOWL, "Bowl")),
    stock=((MUG, "R-01", 2),),
    extra=_order)


def on_hand(api, item: str) -> dict:
    r = api("picker").get(f"/api/stock?item={item}")
    assert r.status_code == 200, r.json
    return {ln["location"]: ln["qty"] for ln in r.json["locations"]}


def start(api, **body):
    return api("receiver").post("/api/returns", body)


def add(api, ret: int, **body):
    return api("receiver").post(f"/api/returns/{ret}/lines", body)


def test_a_return_by_tracking_number_graded_sellable_is_restocked_in_stock_and_ledger(api, floor):
    r = start(api, code="1ZRETURN0000000001")
    assert r.status_code == 201, r.json
    assert (r.json["order_id"], r.json["tracking_number"]) == (floor.order_id, "1ZRETURN0000000001")
    line = add(api, r.json["id"], item=MUG, qty=2, condition="sellable", disposition="restock", location="R-01")
    assert line.status_code == 201, line.json
    assert on_hand(api, MUG) == {"R-01": 4}
    moves = api("supervisor").get(f"/api/movements?item={MUG}").json["movements"]
    back = next(m for m in moves if m["id"] == line.json["movement_id"])
    assert (back["kind"], back["from"], back["to"], back["qty"]) == ("return", "CUSTOMER", "R-01", 2)


def test_a_scrapped_return_adds_no_stock_but_is_in_the_ledger(api, floor):
    ret = start(api, code=floor.order).json["id"]
    line = add(api, ret, item=MUG, qty=1, condition="damaged", disposition="scrap")
    assert line.status_code == 201, line.json
    assert on_hand(api, MUG) == {"R-01": 2}
    moves = api("supervisor").get(f"/api/movements?item={MUG}").json["movements"]
    scrap = next(m for m in moves if m["id"] == line.json["movement_id"])
    assert (scrap["kind"], scrap["from"], scrap["to"]) == ("scrap", "CUSTOMER", "SCRAP")


def test_quarantine_goes_only_into_a_blocked_location_and_is_not_sellable(api, floor):
    ret = start(api, code=str(floor.order_id)).json["id"]
    refused = add(api, ret, item=MUG, qty=1, condition="defective", disposition="quarantine", location="R-OPEN")
    assert_problem(refused, 422, field="location")
    line = add(api, ret, item=MUG, qty=1, condition="defective", disposition="quarantine", location="R-QUAR")
    assert line.status_code == 201, line.json
    assert on_hand(api, MUG) == {"R-01": 2, "R-QUAR": 1}


def test_only_sellable_units_are_restocked_and_only_items_of_the_order_up_to_its_quantity(api, floor):
    ret = start(api, code=floor.order).json["id"]
    assert_problem(add(api, ret, item=MUG, qty=1, condition="damaged", disposition="restock", location="R-01"),
                   422, field="disposition")
    assert_problem(add(api, ret, item=BOWL, qty=1, condition="sellable", disposition="scrap"), 422, field="item")
    assert_problem(add(api, ret, item=MUG, qty=4, condition="sellable", disposition="scrap"), 422, field="qty")
    assert on_hand(api, MUG) == {"R-01": 2}


def test_unknown_order_or_tracking_is_a_clear_404_and_nothing_scanned_a_422(api, floor):
    assert_problem(start(api, code="1ZNOSUCHPACKAGE"), 404, "not_found", field="code")
    assert_problem(start(api, code=""), 422, field="code")


def test_an_rma_only_return_is_opened_once(api, floor):
    first = start(api, rma="RMA-77")
    assert first.status_code == 201, first.json
    assert first.json["order_id"] is None
    again = start(api, code="RMA-77")
    assert again.json["id"] == first.json["id"]
    line = add(api, first.json["id"], item=BOWL, qty=1, condition="sellable", disposition="restock",
               location="R-01")
    assert line.status_code == 201, line.json
    assert on_hand(api, BOWL) == {"R-01": 1}


def test_a_replayed_line_counts_once(api, floor):
    ret = start(api, code=floor.order).json["id"]
    body = {"item": MUG, "qty": 1, "condition": "sellable", "disposition": "restock", "location": "R-01"}
    one = api("receiver").post(f"/api/returns/{ret}/lines", body, key="return-line-1")
    two = api("receiver").post(f"/api/returns/{ret}/lines", body, key="return-line-1")
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json["id"] == two.json["id"]
    assert on_hand(api, MUG) == {"R-01": 3}
    assert len(api("receiver").get(f"/api/returns/{ret}").json["lines"]) == 1


def test_refund_ready_lines_are_exported_once_as_csv(api, floor):
    ret = start(api, code=floor.order).json["id"]
    add(api, ret, item=MUG, qty=2, condition="sellable", disposition="restock", location="R-01")
    assert [ln["qty"] for ln in api("supervisor").get("/api/returns/refunds").json["lines"]] == [2]
    assert_problem(api("receiver").post("/api/returns/refunds/export"), 403)
    export = api("supervisor").post("/api/returns/refunds/export")
    assert export.status_code == 200, export.json
    rows = list(csv.DictReader(io.StringIO(export.json["csv"])))
    assert [(r["order_id"], r["order_item_id"], r["sku"], r["qty"]) for r in rows] == [
        (floor.order, "LINE-1", MUG, "2")]
    assert api("supervisor").get("/api/returns/refunds").json["lines"] == []
    assert api("supervisor").post("/api/returns/refunds/export").json["count"] == 0


def test_the_returns_page_lists_a_return_and_exports_its_refund_once(api, app, users, floor):
    from tests.supervisor.web import csrf_token, csv_rows, login, rows

    ret = start(api, code=floor.order).json["id"]
    add(api, ret, item=MUG, qty=1, condition="damaged", disposition="scrap")
    page = app.test_client()
    assert login(page, users["supervisor"].username).status_code == 302
    listing = page.get("/returns")
    assert listing.status_code == 200
    assert str(ret) in rows(listing.text, "return")
    assert page.post("/returns/refunds/export", data={}).status_code == 400  # no form token
    exported = csv_rows(page.post("/returns/refunds/export", data={"csrf_token": csrf_token(listing.text)}))
    assert exported[0][3:9] == ["order_id", "order_item_id", "sku", "qty", "condition", "disposition"]
    assert [r[3:9] for r in exported[1:]] == [[floor.order, "LINE-1", MUG, "1", "damaged", "scrap"]]
    again = csv_rows(page.post("/returns/refunds/export", data={"csrf_token": csrf_token(listing.text)}))
    assert again[1:] == []

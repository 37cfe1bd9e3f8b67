"""Demand history → parameters; the low-stock list; the channel quantity feed never promises what can't be picked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.http import run_in_transaction
from tests.factories import make_actor, make_item, make_location, make_order, make_receipt, make_stock

pytestmark = pytest.mark.rollback

TODAY = date(2026, 3, 20)


def _ship(item, qty: int, day: date, *, kind: str = "ship", to_customer: bool = True):
    """A movement out to the customer on that day, written straight into the ledger table (demand is read
    from the movements alone)."""
    from server.extensions import db
    from server.inventory.codes import MoveKind, VirtualLocation
    from server.inventory.ledger import virtual
    from server.inventory.ledger_models import StockMove
    src = virtual(VirtualLocation.ADJUSTMENT)
    dst = virtual(VirtualLocation.CUSTOMER) if to_customer else virtual(VirtualLocation.SCRAP)
    db.session.add(StockMove(kind=MoveKind(kind), item_id=item.id, qty=qty, src_id=src.id, dst_id=dst.id,
                             created_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                             + timedelta(hours=15)))
    db.session.flush()


def test_compute_params_from_shipments_gives_the_reference_example(app):
    from server.replenishment.services import compute_params, set_lead_time
    item, other = make_item(), make_item()
    set_lead_time(item, lead_time_days=5, lead_time_sd_days=1.5, service_level=0.95)
    for offset, qty in zip(range(3, -1, -1), (14, 26, 14, 26)):  # d̄ = 20, σ_d = 6 over the last 4 days
        _ship(item, qty, TODAY - timedelta(days=offset))
    _ship(item, 500, TODAY - timedelta(days=4))                 # before the window
    _ship(item, 500, TODAY, kind="pick")                        # not a shipment
    _ship(item, 500, TODAY, kind="scrap", to_customer=False)    # not to a customer
    params = {p.item_id: p for p in compute_params([item, other], days=4, today=TODAY)}
    p = params[item.id]
    assert (p.daily_demand, p.daily_demand_sd) == (20.0, 6.0)
    assert (p.safety_stock, p.reorder_point) == (55, 155)
    q = params[other.id]  # no demand, default lead time: nothing to keep
    assert (q.daily_demand, q.safety_stock, q.reorder_point, q.lead_time_days) == (0.0, 0, 0, 7.0)


def test_low_stock_lists_items_at_or_below_their_reorder_point_counting_reserved_and_on_order(app):
    from server.replenishment.queries import low_stock
    from server.replenishment.services import compute_params, set_lead_time
    bin_, held = make_location(), make_location(blocked=True)
    low, fine, ordered = make_item(), make_item(), make_item()
    for item in (low, fine, ordered):
        set_lead_time(item, lead_time_days=5)
        _ship(item, 10, TODAY)  # 10 units in 2 days: d̄ = 5, σ_d = 5, SS = ⌈1.645·5·√5⌉ = 19, ROP = 25 + 19 = 44
    make_stock(low, bin_, 50)
    make_stock(low, held, 100)   # quarantined units are not part of the position
    make_stock(fine, bin_, 45)
    make_stock(ordered, bin_, 30)
    make_receipt([(ordered.sku, 20)])  # on order: position 50
    assert {p.reorder_point for p in compute_params([low, fine, ordered], days=2, today=TODAY)} == {44}
    order = make_order((low, 7))
    from server.inventory.reservations import reserve
    reserve(order_line_id=order.lines[0].id, item=low, qty=7, actor=make_actor())  # position 43
    rows = low_stock()
    assert [(r.sku, r.on_hand, r.reserved, r.on_order, r.position, r.below_by) for r in rows] == [
        (low.sku, 50, 7, 0, 43, 1)]


def test_the_quantity_feed_never_promises_reserved_quarantined_or_unpickable_units(app, api):
    def stock_the_floor():
        from server.inventory.reservations import reserve
        bin_ = make_location()
        quarantine = make_location(kind="staging", blocked=True, pickable=False)
        tote = make_location(kind="tote", pickable=False)
        in_held_bin = make_location(parent=make_location(kind="staging", blocked=True, pickable=False))
        sells, reserved_all, held_only, inactive = make_item(), make_item(), make_item(), make_item()
        make_stock(sells, bin_, 10)
        make_stock(sells, tote, 4)
        make_stock(sells, quarantine, 6)
        make_stock(reserved_all, bin_, 3)
        make_stock(held_only, quarantine, 9)
        make_stock(held_only, in_held_bin, 2)
        make_stock(inactive, bin_, 5)
        inactive.active = False  # delisted: never offered, whatever is on the shelf
        order = make_order((sells, 3), (reserved_all, 3))
        for line in order.lines:
            reserve(order_line_id=line.id, item=line.item_id, qty=3, actor=make_actor())
        return sells.sku, reserved_all.sku, held_only.sku, inactive.sku

    sells, reserved_all, held_only, inactive = run_in_transaction(stock_the_floor)
    r = api("supervisor").get("/api/channel/quantity-feed.txt")
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0] == "sku\tprice\tquantity"
    feed = {cells[0]: cells[1:] for cells in (line.split("\t") for line in lines[1:])}
    assert feed[sells] == ["", "7"]
    assert feed[reserved_all] == ["", "0"]
    assert feed[held_only] == ["", "0"]
    assert feed[inactive] == ["", "0"]
    assert api("picker").get("/api/channel/quantity-feed.txt").status_code == 403


def test_the_page_recomputes_lists_exports_and_offers_the_feed(app, users):
    from tests.supervisor.web import csrf_token, csv_rows, flashes, login, rows

    def stock_the_floor():
        from server.replenishment.services import set_lead_time
        item = make_item()
        set_lead_time(item, lead_time_days=5)
        make_stock(item, make_location(), 3)
        _ship(item, 40, datetime.now(UTC).date())  # whatever the day: within the last 90 days, so ROP > 3
        return item.sku

    low = run_in_transaction(stock_the_floor)
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    page = client.get("/replenishment").text
    assert low not in rows(page, "sku")  # no reorder point computed yet
    r = client.post("/replenishment/compute", data={"days": 90, "csrf_token": csrf_token(page)})
    assert r.status_code == 302
    page = client.get("/replenishment").text
    assert any("Reorder points computed" in f for f in flashes(page))
    assert low in rows(page, "sku")
    lines = csv_rows(client.get("/replenishment/low-stock.csv"))
    assert lines[0][:3] == ["sku", "name", "on_hand"]
    assert [line[2] for line in lines[1:] if line[0] == low] == ["3"]
    feed = client.get("/replenishment/quantity-feed.txt")
    assert feed.mimetype == "text/tab-separated-values" and f"{low}\t\t3\n" in feed.get_data(as_text=True)


def test_a_supervisor_sets_an_item_s_lead_time_and_its_reorder_point_follows(app, api, users):
    from tests.supervisor.web import csrf_token, flashes, login

    def shipped_item():
        item = make_item()
        for offset, qty in zip(range(3, -1, -1), (14, 26, 14, 26)):  # d̄ = 20, σ_d = 6 over the last 4 days
            _ship(item, qty, datetime.now(UTC).date() - timedelta(days=offset))
        return item.sku

    sku = run_in_transaction(shipped_item)
    # The API: the item's inputs are stored and its parameters recomputed at once (90 days of demand: 80 units) ...
    r = api("supervisor").put(f"/api/replenishment/items/{sku}",
                              {"lead_time_days": 5, "lead_time_sd_days": 1.5, "service_level": 0.95})
    assert r.status_code == 200, r.text
    assert r.json["daily_demand"] == pytest.approx(80 / 90, abs=1e-3)  # zero-demand days count too
    assert r.json["lead_time_days"] == 5.0 and r.json["service_level"] == 0.95 and r.json["reorder_point"] > 0
    rop_at_5_days = r.json["reorder_point"]
    # ... refused for a picker, an unknown SKU, a lead time of 0 or a service level of 1.
    assert api("picker").put(f"/api/replenishment/items/{sku}", {"lead_time_days": 5}).status_code == 403
    assert api("supervisor").put("/api/replenishment/items/NOPE-1", {"lead_time_days": 5}).status_code == 404
    for bad in ({"lead_time_days": 0}, {"lead_time_days": 5, "service_level": 1.0}):
        r = api("supervisor").put(f"/api/replenishment/items/{sku}", bad)
        assert r.status_code == 422 and r.mimetype == "application/problem+json"

    # The page's form: a longer lead time raises the reorder point.
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    page = client.get("/replenishment").text
    r = client.post("/replenishment/lead-time", data={"sku": sku, "lead_time_days": "10", "lead_time_sd_days": "0",
                                                      "service_level": "0.95", "csrf_token": csrf_token(page)})
    assert r.status_code == 302
    said = flashes(client.get("/replenishment").text)
    assert any(f.startswith(f"{sku}: reorder point ") for f in said), said
    rop = api("supervisor").put(f"/api/replenishment/items/{sku}", {"lead_time_days": 10}).json["reorder_point"]
    assert rop > rop_at_5_days

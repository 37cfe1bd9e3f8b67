"""Order pages: the list's filters (status, channel, urgency at its edges, flags, search), its CSV export, an
order's page (lines, reservations, shortage, picks, history) and the supervisor's actions on an order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.factories import FloorPlan, place, sku
from tests.supervisor.web import csrf_token, csv_rows, flashes, rows, table

pytestmark = pytest.mark.rollback

FLOOR = FloorPlan(
    locations=(place("A-01", zone="A", seq=1), place("A-02", zone="A", seq=2), place("DOCK-1", "dock", seq=9)),
    items=(sku("MUG-1", "Blue mug"), sku("TEA-1", "Green tea")),
    stock=(("MUG-1", "A-01", 5), ("TEA-1", "A-02", 1), ("TEA-1", "DOCK-1", 6)))



@pytest.fixture
def floor_plan():
    """This module's own floor, not the folder's stocked one."""
    return FLOOR


# 11:00 in Berlin (CET): the warehouse day ends at 2026-03-14 23:00 UTC.
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 3, 14, 23, 0, tzinfo=UTC)


def make_order(ref: str, *, ship_by: datetime | None = None, status: str = "open", channel: str = "amazon",
           lines=(("MUG-1", 1),), name: str = "Ana Díaz", customer: str | None = None, short: int = 0,
           cancel_requested: bool = False) -> int:
    """An order written straight to its tables (the read side needs no import path)."""
    from server.catalog.queries import item_by_sku
    from server.extensions import db
    from server.orders.models import Order, OrderLine, OrderStatus

    def add():
        order = Order(channel=channel, channel_order_id=ref, status=OrderStatus(status), ship_to_name=name,
                      customer_name=customer, ship_to_address1="Calle Mayor 1", ship_to_city="Madrid",
                      ship_to_postal_code="28013", ship_to_country="ES", ordered_at=NOW - timedelta(days=1),
                      ship_by=ship_by, short_units=short,
                      channel_cancel_requested_at=NOW if cancel_requested else None,
                      channel_cancel_note="Buyer cancelled" if cancel_requested else None)
        for n, (code, qty) in enumerate(lines, start=1):
            order.lines.append(OrderLine(item_id=item_by_sku(code).id, qty=qty, channel_line_id=f"{ref}-{n}"))
        db.session.add(order)
        db.session.flush()
        return order.id

    return run_in_transaction(add)


@pytest.fixture
def berlin(app, monkeypatch):
    """The warehouse is in Berlin and the pages' clock stands at NOW."""
    monkeypatch.setitem(app.config, "WAREHOUSE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setattr("server.supervisor.orders.now", lambda: NOW)


def _listed(client, **args) -> list[str]:
    r = client.get("/orders", query_string=args)
    assert r.status_code == 200, r.text[:300]
    return rows(r.text, "order")


# --- the list --------------------------------------------------------------------------------------------

def test_the_list_shows_orders_not_closed_by_ship_by_and_the_dashboard_card_leads_there(floor, supervisor, berlin):
    make_order("O-LATE", ship_by=NOW + timedelta(hours=30))
    make_order("O-NONE")
    make_order("O-SOON", ship_by=NOW + timedelta(hours=1), status="allocated")
    make_order("O-SHIPPED", ship_by=NOW - timedelta(hours=5), status="shipped")
    make_order("O-CANCELLED", ship_by=NOW - timedelta(hours=4), status="cancelled")
    assert _listed(supervisor) == ["O-SOON", "O-LATE", "O-NONE"]
    assert _listed(supervisor, status="all") == ["O-SHIPPED", "O-CANCELLED", "O-SOON", "O-LATE", "O-NONE"]
    assert _listed(supervisor, status="cancelled") == ["O-CANCELLED"]
    assert _listed(supervisor, status="no-such-status") == ["O-SOON", "O-LATE", "O-NONE"]
    dashboard = supervisor.get("/dashboard").text
    assert '<a class="card stat" id="card-open-orders" href="/orders">' in dashboard
    page = supervisor.get("/orders").text
    cells = {row[0]: row for row in table(page, "orders-table")}
    # Ship-by in Berlin time, with its urgency; the lines and units of the order.
    assert cells["O-SOON"][6] == "2026-03-14 12:00 Due within 2 h"
    assert cells["O-SOON"][5] == "Allocated"
    assert cells["O-LATE"][6] == "2026-03-15 17:00 Later"
    assert cells["O-NONE"][6] == "—"


def test_the_urgency_filters_split_the_orders_at_the_two_hour_edge_and_the_end_of_the_day(floor, supervisor,
                                                                                            berlin):
    from server.orders.urgency import urgency

    deadlines = {"O-OVERDUE": NOW - timedelta(minutes=1), "O-NOW": NOW,
                 "O-2H-MINUS": NOW + timedelta(hours=2) - timedelta(seconds=1), "O-2H": NOW + timedelta(hours=2),
                 "O-2H-PLUS": NOW + timedelta(hours=2, minutes=1), "O-DAY-END": TOMORROW - timedelta(seconds=1),
                 "O-TOMORROW": TOMORROW, "O-NONE": None}
    for ref, ship_by in deadlines.items():
        make_order(ref, ship_by=ship_by)
    expected = {"overdue": ["O-OVERDUE"], "due_2h": ["O-NOW", "O-2H-MINUS"],
                "due_today": ["O-2H", "O-2H-PLUS", "O-DAY-END"], "later": ["O-TOMORROW", "O-NONE"]}
    for u, refs in expected.items():
        assert _listed(supervisor, urgency=u) == refs, u
        # The filter and the badge are the one rule (orders/urgency.py).
        assert all(urgency(deadlines[ref], now=NOW, tz="Europe/Berlin").value == u for ref in refs)
    shown = {row[0]: row[6] for row in table(supervisor.get("/orders").text, "orders-table")}
    assert shown["O-2H-MINUS"].endswith("Due within 2 h") and shown["O-2H"].endswith("Due today")
    assert shown["O-NOW"].endswith("Due within 2 h") and shown["O-OVERDUE"].endswith("Overdue")


def test_the_filters_by_channel_flags_and_search_find_exactly_their_orders(floor, supervisor, berlin):
    make_order("114-0000001", channel="amazon", name="Иван Петров", ship_by=NOW + timedelta(hours=3))
    make_order("114-0000002", channel="amazon", name="王小明", short=2, ship_by=NOW + timedelta(hours=4))
    make_order("SHOP-7", channel="shop", name="Giulia Rossi", customer="Marco Rossi", cancel_requested=True,
           ship_by=NOW + timedelta(hours=5))
    assert _listed(supervisor, channel="shop") == ["SHOP-7"]
    assert _listed(supervisor, channel="amazon") == ["114-0000001", "114-0000002"]
    assert _listed(supervisor, short="1") == ["114-0000002"]
    assert _listed(supervisor, cancel_requests="1") == ["SHOP-7"]
    assert _listed(supervisor, q="0000001") == ["114-0000001"]
    assert _listed(supervisor, q="Петров") == ["114-0000001"]
    assert _listed(supervisor, q="小明") == ["114-0000002"]
    assert _listed(supervisor, q="marco") == ["SHOP-7"]  # the buyer, not only the recipient
    assert _listed(supervisor, q="100%") == []  # a LIKE wildcard is a character like any other
    assert _listed(supervisor, channel="amazon", short="1", q="114") == ["114-0000002"]
    flags = table(supervisor.get("/orders").text, "orders-table")
    assert [row[7] for row in flags] == ["", "short 2", "cancel requested"]
    # A value no select offers (a hand-edited or stale link) is not applied, and the page says so.
    page = supervisor.get("/orders", query_string={"urgency": "nope", "channel": "amazon", "metric": "lsr_99"}).text
    assert _listed(supervisor, urgency="nope", channel="amazon") == ["114-0000001", "114-0000002"]
    assert 'id="filters-ignored"' in page and "urgency=nope" in page and "metric=lsr_99" in page
    assert 'id="filters-ignored"' not in supervisor.get("/orders", query_string={"urgency": "overdue"}).text


def test_the_export_holds_every_order_the_filters_select(floor, supervisor, berlin):
    make_order("O-1", ship_by=NOW + timedelta(minutes=30), lines=(("MUG-1", 2), ("TEA-1", 1)), name="=cmd()")
    make_order("O-2", ship_by=NOW + timedelta(minutes=45), channel="shop")
    make_order("O-3", ship_by=NOW + timedelta(days=3))
    lines = csv_rows(supervisor.get("/orders/export.csv", query_string={"urgency": "due_2h"}))
    header, body = lines[0], lines[1:]
    assert header[:4] == ["channel", "channel_order_id", "status", "customer"]
    assert [r[1] for r in body] == ["O-1", "O-2"]
    first = dict(zip(header, body[0]))
    assert first["ship_to_name"] == "'=cmd()"  # a formula is written as text
    assert first["ship_by"] == "2026-03-14T11:30:00+01:00"
    assert (first["urgency"], first["lines"], first["units"], first["status"]) == ("due_2h", "2", "3", "open")
    same = csv_rows(supervisor.get("/orders", query_string={"urgency": "due_2h", "channel": "shop",
                                                             "format": "csv"}))
    assert [r[1] for r in same[1:]] == ["O-2"]


# --- one order -------------------------------------------------------------------------------------------

def _reserved_units(sku_code: str) -> int:
    from server.catalog.queries import item_by_sku
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.sum(StockBalance.reserved))
                             .where(StockBalance.item_id == item_by_sku(sku_code).id)) or 0


def _post(client, page: str, action: str, data: dict | None = None):
    return client.post(action, data={**(data or {}), "csrf_token": csrf_token(client.get(page).text)})


def test_allocate_now_reserves_the_stock_and_the_page_shows_lines_reservations_shortage_and_history(
        floor, supervisor, users, berlin):
    order_id = make_order("O-ALLOC", ship_by=NOW + timedelta(hours=6), lines=(("MUG-1", 2), ("TEA-1", 3)),
                      name="李华", customer="李华")
    page = f"/orders/{order_id}"
    r = _post(supervisor, page, f"{page}/allocate")
    assert r.status_code == 302 and r.location == page
    assert _reserved_units("MUG-1") == 2 and _reserved_units("TEA-1") == 1
    detail = supervisor.get(page).text
    assert flashes(detail) == ["Order O-ALLOC is short of 2 units."]
    assert 'id="order-status" data-status="open"' in detail and "李华" in detail
    assert table(detail, "order-lines") == [["MUG-1", "Blue mug", "2", "0", "2", "0"],
                                            ["TEA-1", "Green tea", "3", "0", "1", "2"]]
    assert table(detail, "order-reservations") == [["MUG-1", "A-01", "", "", "2"], ["TEA-1", "A-02", "", "", "1"]]
    # The missing tea is on the dock: receiving it would cover the order.
    assert table(detail, "order-shortage") == [["TEA-1", "Green tea", "2", "DOCK-1 (6)"]]
    assert rows(detail, "sku") == ["MUG-1", "TEA-1", "TEA-1"]  # lines, then the shortage

    short_free = make_order("O-FULL", ship_by=NOW + timedelta(hours=7), lines=(("MUG-1", 3),))
    _post(supervisor, f"/orders/{short_free}", f"/orders/{short_free}/allocate")
    full = supervisor.get(f"/orders/{short_free}").text
    assert flashes(full) == ["Order O-FULL allocated."]
    by = f"{users['supervisor'].username} supervisor-web"
    assert table(full, "order-history")[0][1:4] == ["Open", "Allocated", by]
    assert "order-allocate" not in full  # an allocated order has nothing more to allocate


def test_the_page_lists_the_order_s_picks_with_batch_tote_and_picker(floor, supervisor, users, berlin):
    from server.extensions import db
    from server.inventory.locations import find_location
    from server.orders.models import OrderLine
    from server.picking.models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus

    order_id = make_order("O-PICK", ship_by=NOW + timedelta(hours=6), status="picking", lines=(("MUG-1", 2),))

    def batch():
        line = db.session.scalar(sa.select(OrderLine).where(OrderLine.order_id == order_id))
        b = PickBatch(status=BatchStatus.PICKING, picker_id=users["picker"].id)
        b.orders.append(BatchOrder(order_id=order_id, tote_number=1))
        b.tasks.append(PickTask(order_line_id=line.id, item_id=line.item_id, location_id=find_location("A-01").id,
                                qty=2, qty_picked=2, tote_number=1, sequence=1, status=TaskStatus.PICKED,
                                picked_by=users["picker"].id, picked_at=NOW))
        db.session.add(b)
        db.session.flush()
        return b.id

    batch_id = run_in_transaction(batch)
    code = f"B{batch_id:06d}"
    detail = supervisor.get(f"/orders/{order_id}").text
    assert table(detail, "order-picks") == [[code, "1", "A-01", "MUG-1", "2", "2", "Picked", "#1",
                                             users["picker"].username, "2026-03-14 11:00:00"]]
    listed = {row[0]: row for row in table(supervisor.get("/orders").text, "orders-table")}
    assert listed["O-PICK"][8] == code


def test_a_supervisor_cancels_an_order_with_a_reason_and_its_reservations_are_released(floor, supervisor, users,
                                                                                      berlin):
    order_id = make_order("O-CXL", ship_by=NOW + timedelta(hours=6), lines=(("MUG-1", 2),))
    page = f"/orders/{order_id}"
    _post(supervisor, page, f"{page}/allocate")
    assert _reserved_units("MUG-1") == 2
    refused = _post(supervisor, page, f"{page}/cancel", {"reason": "", "source": "seller"})
    assert refused.status_code == 302 and _reserved_units("MUG-1") == 2
    assert flashes(supervisor.get(page).text) == ["Enter the reason."]

    r = _post(supervisor, page, f"{page}/cancel", {"reason": "Out of stock at the supplier", "source": "seller"})
    assert r.status_code == 302 and r.location == page
    detail = supervisor.get(page).text
    assert flashes(detail) == ["Order O-CXL cancelled."]
    assert 'data-status="cancelled"' in detail and "cancel-form" not in detail
    assert _reserved_units("MUG-1") == 0
    last = table(detail, "order-history")[-1]
    assert last[1:4] == ["Allocated", "Cancelled", f"{users['supervisor'].username} supervisor-web"]
    assert "Out of stock at the supplier" in last[4]


@pytest.mark.parametrize("decision, status", [("keep", "open"), ("cancel", "cancelled")])
def test_a_supervisor_decides_the_channel_s_cancel_request(floor, supervisor, berlin, decision, status):
    order_id = make_order("O-REQ", ship_by=NOW + timedelta(hours=6), cancel_requested=True)
    page = f"/orders/{order_id}"
    assert "channel-cancel-form" in supervisor.get(page).text
    r = _post(supervisor, page, f"{page}/channel-cancel", {"decision": decision, "reason": "Asked the buyer"})
    assert r.status_code == 302
    detail = supervisor.get(page).text
    assert f'id="order-status" data-status="{status}"' in detail
    assert "channel-cancel-form" not in detail  # answered
    assert _listed(supervisor, cancel_requests="1", status="all") == []


ACTIONS = ("cancel", "channel-cancel", "allocate")


def floor_session(app, user):
    """A browser holding a valid session of a floor worker (as if one had slipped past the sign-in) and a form
    token of its session → (client, token)."""
    from server.auth import services
    from server.extensions import db

    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    session_id = run_in_transaction(lambda: services.start_web_session(db.session.merge(user), timedelta(hours=1)))
    with client.session_transaction() as s:
        s["uid"], s["sid"] = user.id, session_id
    return client, token


def test_the_order_actions_refuse_a_post_without_the_form_token_and_from_a_picker(floor, app, supervisor, users,
                                                                                  subtests):
    order_id = make_order("O-GUARD", lines=(("MUG-1", 1),), cancel_requested=True)
    picker, token = floor_session(app, users["picker"])
    assert picker.get(f"/orders/{order_id}").status_code == 403
    data = {"reason": "x", "source": "seller", "decision": "cancel"}
    for action in ACTIONS:
        with subtests.test(action=action):
            assert supervisor.post(f"/orders/{order_id}/{action}", data=data).status_code == 400
            assert picker.post(f"/orders/{order_id}/{action}", data={**data, "csrf_token": token}).status_code == 403
    page = supervisor.get(f"/orders/{order_id}").text
    assert 'data-status="open"' in page and "channel-cancel-form" in page
    assert _reserved_units("MUG-1") == 0


def test_an_unknown_order_is_a_404_page(supervisor):
    assert supervisor.get("/orders/999999").status_code == 404


def test_an_address_s_city_line_reads_as_the_country_s_post_writes_it(app):
    with app.test_request_context():
        city_line = app.jinja_env.get_template("supervisor/_macros.html").module.city_line
        assert str(city_line("Phoenix", "AZ", "85001", "US")) == "Phoenix, AZ 85001"
        assert str(city_line("Toronto", "ON", "M5H 2N2", "CA")) == "Toronto, ON M5H 2N2"
        assert str(city_line("Madrid", None, "28013", "ES")) == "28013 Madrid"

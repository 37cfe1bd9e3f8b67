"""Allocation by ship-by priority (server/picking/allocation.py), in a rolled-back transaction each."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.factories import make_actor, make_item, make_location, make_order, make_stock, make_user, unique

pytestmark = pytest.mark.rollback

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(app, tx):
    return tx


@pytest.fixture
def actor(session):
    return make_actor(make_user("supervisor"), device_id="desk-1")


def a_bin(**kw):
    return make_location(unique("AL-"), zone="AL", **kw)


def reserved(order) -> int:
    from server.inventory.reservations import reserved_by_line
    return sum(reserved_by_line(line.id for line in order.lines).values())


def clean() -> None:
    from server.inventory.queries import verify_ledger
    assert verify_ledger() == []


def test_the_most_urgent_order_gets_the_last_unit_over_an_older_one_due_later(session, actor):
    from server.orders.models import OrderEvent
    from server.picking.allocation import allocate

    item = make_item()
    make_stock(item, a_bin(), 1)
    older = make_order((item, 1), ship_by=NOW + timedelta(days=2), ordered_at=NOW - timedelta(days=3))
    urgent = make_order((item, 1), ship_by=NOW + timedelta(hours=3), ordered_at=NOW - timedelta(hours=1))

    result = allocate(actor=actor)
    assert (result.allocated, result.short, result.reserved_units) == ([urgent.id], [older.id], 1)
    assert (urgent.status.value, urgent.short_units, reserved(urgent)) == ("allocated", 0, 1)
    assert (older.status.value, older.short_units, reserved(older)) == ("open", 1, 0)
    event = session.scalar(sa.select(OrderEvent).where(OrderEvent.order_id == urgent.id))
    assert (event.from_status.value, event.to_status.value, event.user_id, event.device_id) == (
        "open", "allocated", actor.user_id, "desk-1")
    clean()


def test_ties_go_by_purchase_time_and_orders_without_a_deadline_come_last(session, actor):
    from server.picking.allocation import allocate

    item = make_item()
    make_stock(item, a_bin(), 2)
    due = NOW + timedelta(days=1)
    undated = make_order((item, 1), ship_by=None, ordered_at=NOW - timedelta(days=9))
    later_bought = make_order((item, 1), ship_by=due, ordered_at=NOW - timedelta(hours=2))
    first_bought = make_order((item, 1), ship_by=due, ordered_at=NOW - timedelta(hours=5))
    allocate(actor=actor)
    assert [o.short_units for o in (first_bought, later_bought, undated)] == [0, 0, 1]


def test_a_short_order_keeps_what_it_got_and_running_again_reserves_nothing_more(session, actor):
    from server.orders.models import OrderEvent
    from server.picking.allocation import allocate

    one, two = make_item(), make_item()
    make_stock(one, a_bin(), 5)
    make_stock(two, a_bin(), 1)
    order = make_order((one, 2), (two, 3), ship_by=NOW)
    full = make_order((one, 3), ship_by=NOW + timedelta(hours=1))
    first = allocate(actor=actor)
    assert (order.short_units, reserved(order), first.reserved_units) == (2, 3, 6)
    events = session.scalar(sa.select(sa.func.count()).select_from(OrderEvent))

    again = allocate(actor=actor)
    assert (again.reserved_units, again.allocated, again.short) == (0, [], [order.id])
    assert (order.short_units, reserved(order), reserved(full), full.status.value) == (2, 3, 3, "allocated")
    assert session.scalar(sa.select(sa.func.count()).select_from(OrderEvent)) == events
    clean()


def test_stock_put_away_later_completes_a_short_order_on_the_next_run(session, actor):
    from server.inventory.moves import move_stock
    from server.picking.allocation import allocate, shortage

    item = make_item(name="Caffettiera")
    dock, shelf = make_location(unique("DOCK-"), kind="dock"), a_bin()
    make_stock(item, dock, 4)  # received, not yet put away
    order = make_order((item, 3), ship_by=NOW)
    allocate(actor=actor)
    assert order.short_units == 3
    assert shortage(order) == [{"sku": item.sku, "name": "Caffettiera", "missing": 3,
                                "elsewhere": [{"location": dock.code, "kind": "dock", "qty": 4}]}]

    move_stock(item_code=item.sku, qty=4, from_code=dock.code, to_code=shelf.code, lot=None, actor=actor)
    result = allocate(actor=actor)
    assert (result.allocated, order.status.value, order.short_units, shortage(order)) == (
        [order.id], "allocated", 0, [])
    clean()


def test_shortage_adds_up_lines_of_one_item_and_lists_blocked_bins_and_containers(session, actor):
    from server.picking.allocation import allocate, shortage

    item = make_item()
    blocked = a_bin(blocked=True)
    pallet = make_location(unique("PAL-"), kind="pallet", parent=make_location(unique("STG-"), kind="staging"))
    make_stock(item, blocked, 2)
    make_stock(item, pallet, 5)
    order = make_order((item, 1), (item, 2), ship_by=NOW)
    allocate(actor=actor)
    (row,) = shortage(order)
    assert row["missing"] == 3
    assert row["elsewhere"] == [{"location": pallet.code, "kind": "pallet", "qty": 5},
                                {"location": blocked.code, "kind": "bin", "qty": 2}]


def test_only_the_orders_named_and_only_open_ones(session, actor):
    from server.picking.allocation import allocate

    item = make_item()
    make_stock(item, a_bin(), 10)
    named = make_order((item, 1), ship_by=NOW + timedelta(days=1))
    other = make_order((item, 1), ship_by=NOW)
    cancelled = make_order((item, 1), ship_by=NOW, status="cancelled")
    result = allocate([named.id, cancelled.id], actor=actor)
    assert result.allocated == [named.id] and result.orders == 1
    assert (reserved(other), reserved(cancelled), cancelled.status.value) == (0, 0, "cancelled")
    assert allocate([], actor=actor).orders == 0


def test_release_order_gives_the_stock_back_and_reopens_the_order(session, actor):
    from server.orders.errors import InvalidTransition
    from server.orders.models import OrderStatus
    from server.picking.allocation import allocate, release_order

    item = make_item()
    shelf = a_bin()
    make_stock(item, shelf, 3)
    order = make_order((item, 2), ship_by=NOW)
    allocate(actor=actor)
    assert release_order(order, actor=actor) == 2
    assert (order.status.value, order.short_units, reserved(order)) == ("open", 0, 0)
    assert order.events[-1].note == "Stock released"

    allocate(actor=actor)
    order.status = OrderStatus.PICKING  # a batch has it: its totes hold picked units
    with pytest.raises(InvalidTransition):
        release_order(order, actor=actor)
    assert reserved(order) == 2
    clean()


def test_reallocate_line_after_a_short_pick_avoids_the_bin_and_keeps_picked_units(session, actor):
    from server.inventory.reservations import pick_reserved, reservations_of, shrink
    from server.picking.allocation import allocate, reallocate_line

    item = make_item()
    near, far = a_bin(pick_sequence=1), a_bin(pick_sequence=2)
    make_stock(item, near, 5)
    make_stock(item, far, 1)
    tote = make_location(unique("TOTE-"), kind="tote")
    order = make_order((item, 4), ship_by=NOW)
    allocate(actor=actor)
    (line,) = order.lines
    (in_near,) = reservations_of([line.id])
    # The picker finds 1 unit in `near` instead of 4: picks it, the rest of the promise there is dropped.
    pick_reserved(in_near, qty=1, to=tote, actor=actor)
    shrink(in_near, to_qty=0, actor=actor)

    new = reallocate_line(line, exclude_location_ids=[near.id], actor=actor)
    assert [(r.qty, r.balance_id) for r in new] == [(1, new[0].balance_id)]
    assert order.short_units == 2  # 4 ordered: 1 in the tote, 1 from `far`, 2 nowhere to be had
    assert reallocate_line(line, exclude_location_ids=[near.id], actor=actor) == []
    assert reallocate_line(line, actor=actor)[0].qty == 2  # without the exclusion `near` serves again
    assert order.short_units == 0
    clean()


@contextlib.contextmanager
def counted(session):
    """Count the statements sent to the database inside the block."""
    seen = []
    engine = session.get_bind().engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_allocating_many_orders_costs_no_more_statements_than_a_few(session, actor):
    """Batched reads and writes: the statements of a run do not grow with the number of orders."""
    from server.picking.allocation import allocate

    items = [make_item() for _ in range(3)]
    for item in items:
        make_stock(item, a_bin(), 100)
        make_stock(item, a_bin(), 1)

    def run(n: int) -> int:
        for k in range(n):
            make_order((items[k % 3], 1 + k % 2), (items[(k + 1) % 3], 1), ship_by=NOW + timedelta(minutes=k))
        session.flush()
        with counted(session) as seen:
            result = allocate(actor=actor)
        assert len(result.allocated) == n
        return seen

    # Reads and updates are batched; SQLite's driver inserts row by row (reservations, history), PostgreSQL's
    # sends one INSERT a table.
    few, many = run(3), run(40)
    assert len([s for s in many if not s.startswith("INSERT")]) == len([s for s in few if not s.startswith("INSERT")])
    assert len({s for s in many if s.startswith("INSERT")}) <= 2
    clean()

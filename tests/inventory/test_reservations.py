"""The stock rule for promises (server/inventory/reservations.py): where reservations come from, that they never
exceed what is there, and that picking carries them into the tote. Each test in a rolled-back transaction."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import make_actor, make_item, make_location, make_order, make_stock, unique

pytestmark = pytest.mark.rollback


@pytest.fixture
def session(app, tx):
    return tx


def order_line(item, qty: int = 1):
    """An order of one line of item (the inventory names it by line id only)."""
    return make_order((item, qty)).lines[0]


def bins(*specs):
    """make_location for each (code suffix, kwargs); → the locations, in pick sequence as given."""
    zone = unique("Z")
    return [make_location(unique(f"{zone}-"), zone=zone, pick_sequence=n, **kw) for n, kw in enumerate(specs, 1)]


def where(reservations) -> dict[tuple[str, str], int]:
    """{(location code, lot): qty} of these reservations."""
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance
    from server.inventory.models import Location

    out: dict = {}
    for r in reservations:
        balance = db.session.get(StockBalance, r.balance_id)
        key = (db.session.get(Location, balance.location_id).code, balance.lot)
        out[key] = out.get(key, 0) + r.qty
    return out


def balance(item, loc, lot: str = ""):
    from server.extensions import db
    from server.inventory.ledger_models import StockBalance

    return db.session.scalar(sa.select(StockBalance).where(
        StockBalance.item_id == item.id, StockBalance.location_id == loc.id, StockBalance.lot == lot)
        .execution_options(populate_existing=True))


def verify():
    from server.inventory.queries import verify_ledger
    return verify_ledger()


ACTOR = make_actor()


# --- where promises come from ------------------------------------------------------------------------------

def test_one_bin_that_covers_the_line_beats_two_earlier_bins(session):
    from server.inventory.reservations import reserve

    item = make_item()
    a, b, c = bins({}, {}, {})
    make_stock(item, a, 2)
    make_stock(item, b, 2)
    make_stock(item, c, 5)
    got = reserve(order_line_id=order_line(item, 4).id, item=item, qty=4, actor=ACTOR)
    assert where(got) == {(c.code, ""): 4}  # one stop, not two
    assert balance(item, c).reserved == 4 and balance(item, a).reserved == 0
    assert verify() == []


def test_when_no_bin_covers_it_the_biggest_comes_first_then_walking_order(session):
    from server.inventory.reservations import reserve

    item = make_item()
    a, b, c = bins({}, {}, {})
    make_stock(item, a, 2)
    make_stock(item, b, 3)
    make_stock(item, c, 2)
    got = reserve(order_line_id=order_line(item, 6).id, item=item, qty=6, actor=ACTOR)
    assert where(got) == {(b.code, ""): 3, (a.code, ""): 2, (c.code, ""): 1}


def test_expiring_items_go_first_expiry_first_even_over_a_bin_that_covers_more(session):
    from server.inventory.reservations import reserve

    item = make_item(tracks_lot=True, tracks_expiry=True)
    near, far = bins({}, {})
    make_stock(item, near, 10, lot="LATE", expiry=date(2028, 1, 1))
    make_stock(item, far, 2, lot="EARLY", expiry=date(2027, 6, 1))
    make_stock(item, near, 2, lot="MID", expiry=date(2027, 9, 1))
    got = reserve(order_line_id=order_line(item, 5).id, item=item, qty=5, actor=ACTOR)
    # Each reservation names its lot: the balance row is per lot.
    assert where(got) == {(far.code, "EARLY"): 2, (near.code, "MID"): 2, (near.code, "LATE"): 1}
    assert verify() == []


def test_docks_staging_totes_blocked_inactive_and_unpickable_places_are_never_a_source(session):
    from server.inventory.reservations import reserve, stock_elsewhere

    item = make_item()
    dock = make_location(unique("DOCK-"), kind="dock")
    staging = make_location(unique("STG-"), kind="staging")
    cart = make_location(unique("CART-"), kind="cart", parent=staging)
    tote = make_location(unique("TOTE-"), kind="tote", parent=cart)
    blocked, unpickable, retired, in_blocked_room = bins({"blocked": True}, {"pickable": False}, {}, {})
    room = make_location(unique("ROOM-"), kind="staging", blocked=True)
    for n, loc in enumerate((dock, staging, tote, blocked, unpickable, retired, in_blocked_room), 1):
        make_stock(item, loc, n)
    retired.active = False
    in_blocked_room.parent = room
    line = order_line(item, 3)
    assert reserve(order_line_id=line.id, item=item, qty=3, actor=ACTOR) == []
    # ... they are where the stock might be, most units first
    assert stock_elsewhere([item.id])[item.id] == [
        {"location": loc.code, "kind": loc.kind.value, "qty": n} for n, loc in
        reversed(list(enumerate((dock, staging, tote, blocked, unpickable, retired, in_blocked_room), 1)))]


def test_excluded_locations_are_passed_over(session):
    from server.inventory.reservations import reserve

    item = make_item()
    a, b = bins({}, {})
    make_stock(item, a, 5)
    make_stock(item, b, 1)
    got = reserve(order_line_id=order_line(item, 3).id, item=item, qty=3, exclude_location_ids=[a.id],
                  actor=ACTOR)
    assert where(got) == {(b.code, ""): 1}  # what there is elsewhere, no more


def test_never_more_than_available_and_a_later_line_gets_only_the_rest(session):
    from server.inventory.ledger_models import StockBalance
    from server.inventory.reservations import reserve

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 3)
    first = reserve(order_line_id=order_line(item, 2).id, item=item, qty=2, actor=ACTOR)
    second = reserve(order_line_id=order_line(item, 5).id, item=item, qty=5, actor=ACTOR)
    third = reserve(order_line_id=order_line(item, 1).id, item=item, qty=1, actor=ACTOR)
    assert (sum(r.qty for r in first), sum(r.qty for r in second), third) == (2, 1, [])
    row = balance(item, a)
    assert (row.qty, row.reserved, row.available) == (3, 3, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(StockBalance).where(
        StockBalance.reserved > StockBalance.qty)) == 0
    assert verify() == []


def test_reserving_again_for_the_same_line_tops_up_its_reservation(session):
    from server.inventory.reservations import reservations_of, reserve

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 3)
    line = order_line(item, 3)
    reserve(order_line_id=line.id, item=item, qty=1, actor=ACTOR)
    reserve(order_line_id=line.id, item=item, qty=2, actor=ACTOR)
    assert [r.qty for r in reservations_of([line.id])] == [3]


def test_reserved_units_are_not_available_to_a_plain_move(session):
    from server.inventory.errors import InsufficientStock
    from server.inventory.moves import move_stock
    from server.inventory.reservations import reserve

    item = make_item()
    a, b = bins({}, {})
    make_stock(item, a, 3)
    reserve(order_line_id=order_line(item, 2).id, item=item, qty=2, actor=ACTOR)
    with pytest.raises(InsufficientStock):
        move_stock(item_code=item.sku, qty=2, from_code=a.code, to_code=b.code, lot=None, actor=ACTOR)
    move_stock(item_code=item.sku, qty=1, from_code=a.code, to_code=b.code, lot=None, actor=ACTOR)
    assert (balance(item, a).qty, balance(item, a).reserved) == (2, 2)


# --- releasing and shrinking -------------------------------------------------------------------------------

def test_release_by_reservation_and_by_order_lines(session):
    from server.inventory.reservations import release, reservations_of, reserve

    item = make_item()
    a, b = bins({}, {})
    make_stock(item, a, 2)
    make_stock(item, b, 2)
    one, two = order_line(item, 3), order_line(item, 1)
    mine = reserve(order_line_id=one.id, item=item, qty=3, actor=ACTOR)
    reserve(order_line_id=two.id, item=item, qty=1, actor=ACTOR)
    assert release(mine[:1], actor=ACTOR) == 2
    assert release(order_line_ids=[one.id, two.id], actor=ACTOR) == 2
    assert reservations_of([one.id, two.id]) == []
    assert balance(item, a).reserved == balance(item, b).reserved == 0
    assert release(order_line_ids=[one.id], actor=ACTOR) == 0
    assert verify() == []


def test_shrink_releases_the_difference_and_deletes_at_zero(session):
    from server.inventory.reservations import reservations_of, reserve, shrink

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 5)
    line = order_line(item, 4)
    (res,) = reserve(order_line_id=line.id, item=item, qty=4, actor=ACTOR)
    assert shrink(res, to_qty=1, actor=ACTOR) == 3
    assert shrink(res, to_qty=2, actor=ACTOR) == 0  # never grows
    assert balance(item, a).reserved == 1
    assert shrink(res, to_qty=0, actor=ACTOR) == 1
    assert reservations_of([line.id]) == [] and balance(item, a).reserved == 0
    assert verify() == []


# --- picking carries the promise into the tote ---------------------------------------------------------------

@pytest.fixture
def cart_tote(session):
    staging = make_location(unique("STG-"), kind="staging")
    cart = make_location(unique("CART-"), kind="cart", parent=staging)
    return make_location(unique("TOTE-"), kind="tote", parent=cart)


def test_pick_reserved_moves_the_units_and_their_reservation_into_the_tote(session, cart_tote):
    from server.inventory.codes import MoveKind
    from server.inventory.reservations import pick_reserved, reservations_of, reserve, reserved_by_line

    item = make_item(tracks_lot=True)
    (a,) = bins({})
    make_stock(item, a, 5, lot="L1")
    line, other = order_line(item, 3), order_line(item, 2)
    (res,) = reserve(order_line_id=line.id, item=item, qty=3, actor=ACTOR)
    reserve(order_line_id=other.id, item=item, qty=2, actor=ACTOR)

    moves = pick_reserved(res, qty=2, to=cart_tote, actor=ACTOR, ref_id=77)
    assert [(m.kind, m.qty, m.lot, m.src_id, m.dst_id, m.ref_type, m.ref_id) for m in moves] == [
        (MoveKind.PICK, 2, "L1", a.id, cart_tote.id, "pick_task", 77)]
    assert where(reservations_of([line.id])) == {(a.code, "L1"): 1, (cart_tote.code, "L1"): 2}
    assert reserved_by_line([line.id], picked=True) == {line.id: 2}
    assert reserved_by_line([line.id], picked=False) == {line.id: 1}
    bin_row, tote_row = balance(item, a, "L1"), balance(item, cart_tote, "L1")
    assert (bin_row.qty, bin_row.reserved, tote_row.qty, tote_row.reserved) == (3, 3, 2, 2)

    pick_reserved(res, qty=1, to=cart_tote, actor=ACTOR, ref_id=78)  # the rest: the bin's reservation ends
    assert where(reservations_of([line.id])) == {(cart_tote.code, "L1"): 3}
    assert len(reservations_of([line.id])) == 1  # one row per line and tote
    assert verify() == []


def test_picking_more_than_is_still_reserved_moves_nothing(session, cart_tote):
    from server.inventory.errors import InsufficientStock
    from server.inventory.reservations import pick_reserved, reserve, shrink

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 5)  # 3 of them free: picking must not take them on this reservation's account
    (res,) = reserve(order_line_id=order_line(item, 2).id, item=item, qty=2, actor=ACTOR)
    with pytest.raises(InsufficientStock) as refused:
        pick_reserved(res, qty=3, to=cart_tote, actor=ACTOR)
    assert refused.value.expected == "at most 2"
    shrink(res, to_qty=0, actor=ACTOR)
    with pytest.raises(InsufficientStock):
        pick_reserved(res, qty=1, to=cart_tote, actor=ACTOR)
    assert (balance(item, a).qty, balance(item, a).reserved) == (5, 0)
    assert balance(item, cart_tote) is None or balance(item, cart_tote).qty == 0
    assert verify() == []


def test_a_reservation_picked_whole_cannot_be_picked_again_even_when_its_id_is_reused(session, cart_tote):
    """SQLite gives the deleted bin reservation's id to the one re-created in the tote; a second device holding
    the old reservation must not take the bin's free units on its account."""
    from server.inventory.errors import InsufficientStock
    from server.inventory.ledger_models import Reservation
    from server.inventory.reservations import pick_reserved, reserve

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 6)
    (res,) = reserve(order_line_id=order_line(item, 3).id, item=item, qty=3, actor=ACTOR)
    stale = (res.id, res.balance_id, res.order_line_id)
    pick_reserved(res, qty=3, to=cart_tote, actor=ACTOR)
    again = Reservation(id=stale[0], balance_id=stale[1], order_line_id=stale[2], qty=3)  # as the device had it
    with pytest.raises(InsufficientStock):
        pick_reserved(again, qty=3, to=cart_tote, actor=ACTOR)
    assert (balance(item, a).qty, balance(item, cart_tote).qty) == (3, 3)
    assert verify() == []


# --- verify ----------------------------------------------------------------------------------------------------

def test_verify_reports_reservations_that_do_not_add_up_or_exceed_the_stock(session):
    from server.inventory.ledger_models import Reservation
    from server.inventory.reservations import reserve

    item = make_item()
    (a,) = bins({})
    make_stock(item, a, 2)
    (res,) = reserve(order_line_id=order_line(item, 2).id, item=item, qty=2, actor=ACTOR)
    session.execute(sa.update(Reservation).where(Reservation.id == res.id).values(qty=3))
    problems = verify()
    assert problems == [{"item_id": item.id, "location_id": a.id, "lot": "", "reservations": 3, "reserved": 2,
                         "balance": 2}]

"""Building pick batches: urgency, one batch per order, the walking route, sort-later, zones, release."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.picking import batching, routing, services
from server.picking.errors import BatchStateError, NothingToBatch
from server.picking.models import BatchStatus, PickTask
from tests.factories import make_actor
from tests.picking.pickfloor import FLOOR, NOW, allocated, make_order  # noqa: F401  (FLOOR: the floor fixture)

pytestmark = pytest.mark.rollback


@pytest.fixture
def boss(users):
    return make_actor(users["supervisor"])


def build(boss, **kw):
    return batching.build_batch(actor=boss, now=NOW, **{"size": 8, **kw})


def test_tasks_follow_the_walking_route_and_a_bins_lines_are_consecutive(floor, boss):
    """The sequence is route_order over the bins' coordinates; both lines at one bin come together; bins
    without coordinates come last; route_m is the route's length and never longer than S-shape."""
    allocated(make_order([("PK-A", 2), ("PK-D", 1)]), make_order([("PK-B", 1), ("PK-A", 1)]),
              make_order([("PK-C", 2), ("PK-B", 10)]), actor=boss)  # 9 + 1 from PN-NOXY
    batch = build(boss)
    tasks = sorted(batch.tasks, key=lambda t: t.sequence)
    codes = [t.location.code for t in tasks]
    assert [t.sequence for t in tasks] == list(range(1, len(tasks) + 1))
    assert codes[-1] == "PN-NOXY"  # no coordinates: after the routed bins
    visits = [c for i, c in enumerate(codes) if i == 0 or codes[i - 1] != c]
    assert len(visits) == len(set(codes))  # every bin visited once: its lines are consecutive
    routed = [c for c in visits if c != "PN-NOXY"]
    points = [next((t.location.x, t.location.y) for t in tasks if t.location.code == c) for c in routed]
    layout = routing.layout_from_points(points)
    stops = routing.stops_from_points(layout, points)
    walked = routing.route_length(layout, stops, range(len(stops)))
    assert batch.route_m == pytest.approx(walked, abs=0.1)
    assert walked <= routing.route_length(layout, stops, routing.s_shape_order(layout, stops)) + 1e-6
    assert walked == pytest.approx(routing.route_length(layout, stops, routing.exact_order(layout, stops)), abs=0.1)


def test_the_most_urgent_orders_go_first_and_no_order_is_on_two_active_batches(floor, boss):
    late = make_order([("PK-A", 1)], hours=48)
    soon = make_order([("PK-B", 1)], hours=2)
    mid = make_order([("PK-C", 1)], hours=10)
    allocated(late, soon, mid, actor=boss)
    first = build(boss, size=2)
    assert [bo.order_id for bo in first.orders] == [soon.id, mid.id]
    assert [bo.tote_number for bo in first.orders] == [1, 2]
    second = build(boss, size=2)
    assert [bo.order_id for bo in second.orders] == [late.id]
    with pytest.raises(NothingToBatch):
        build(boss)
    services.cancel_batch(second, actor=boss)  # a cancelled batch frees its orders for the next one
    assert [bo.order_id for bo in build(boss).orders] == [late.id]


def test_open_orders_are_allocated_when_a_batch_is_built(floor, boss):
    order = make_order([("PK-B", 2)])
    batch = build(boss)
    assert [bo.order_id for bo in batch.orders] == [order.id]
    assert order.status == "allocated"  # picking starts when a picker scans the cart


def test_a_sort_later_batch_takes_single_unit_orders_into_tote_1(floor, boss):
    single_a, multi, single_b = make_order([("PK-A", 1)]), make_order([("PK-B", 2)]), make_order([("PK-C", 1)])
    allocated(single_a, multi, single_b, actor=boss)
    batch = build(boss, sort_later=True)
    assert batch.sort_later
    assert sorted(bo.order_id for bo in batch.orders) == sorted([single_a.id, single_b.id])
    assert {bo.tote_number for bo in batch.orders} == {1} and {t.tote_number for t in batch.tasks} == {1}


def test_a_zone_batch_holds_only_its_zones_lines_and_the_other_zone_gets_the_rest(floor, boss):
    from server.inventory.models import Zone
    from server.extensions import db

    zone = {z.code: z.id for z in db.session.scalars(sa.select(Zone).where(Zone.code.in_(["PA", "PB"])))}
    order = make_order([("PK-B", 1), ("PK-D", 11)])  # PK-D: 10 in PA-2-9 and 1 from PB-1-1
    allocated(order, actor=boss)
    a = build(boss, zone_id=zone["PA"])
    assert {t.location.code for t in a.tasks} == {"PA-2-2", "PA-2-9"}
    b = build(boss, zone_id=zone["PB"])
    assert [(t.location.code, t.qty) for t in b.tasks] == [("PB-1-1", 1)]
    with pytest.raises(NothingToBatch):  # an order on zone batches is on no whole-order batch
        build(boss)


def test_release_follows_the_setting_and_only_a_draft_is_released(floor, boss, app):
    allocated(make_order([("PK-A", 1)]), make_order([("PK-B", 1)]), actor=boss)
    draft = build(boss, size=1)
    assert draft.status == BatchStatus.DRAFT and draft.released_at is None
    services.release_batch(draft, actor=boss)
    assert draft.status == BatchStatus.RELEASED
    with pytest.raises(BatchStateError):
        services.release_batch(draft, actor=boss)
    app.config["PICK_RELEASE"] = "auto"
    try:
        assert build(boss, size=1).status == BatchStatus.RELEASED
    finally:
        app.config["PICK_RELEASE"] = "manual"


def test_a_task_is_one_reservation_of_one_line(floor, boss):
    from server.extensions import db
    from server.inventory.ledger_models import Reservation

    order = make_order([("PK-A", 12)])  # 10 in PA-1-8 and 2 in PA-3-4
    allocated(order, actor=boss)
    batch = build(boss)
    reserved = {r.id: r.qty for r in db.session.scalars(sa.select(Reservation))
                if r.order_line_id == order.lines[0].id}
    assert {t.reservation_id: t.qty for t in batch.tasks} == reserved
    assert db.session.scalar(sa.select(sa.func.sum(PickTask.qty)).where(PickTask.batch_id == batch.id)) == 12

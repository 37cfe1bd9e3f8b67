"""The dashboard's floor sections (server/dashboard/floor.py), each on a small constructed state: orders by status
and by urgency (as many as the order list shows behind each), today's shipped and late orders on the edges of a
New York day, goods waiting on docks and in staging, pending count variances, printers, low stock, jobs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.dashboard import floor
from server.http import run_in_transaction
from tests.factories import make_actor, make_item, make_location, make_order, make_stock
from tests.supervisor.web import login, total

pytestmark = pytest.mark.rollback

NY = ZoneInfo("America/New_York")
TICK = timedelta(microseconds=1)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def shipped(order, at, *, status="shipped"):
    from server.extensions import db
    from server.shipping.models import Shipment, ShipmentStatus
    db.session.add(Shipment(order_id=order.id, carrier="local", service="standard", status=ShipmentStatus(status),
                            label_created_at=at, shipped_at=at if status == "shipped" else None))
    db.session.flush()


def test_orders_by_status_counts_each_status_and_names_them_all(app):
    from server.orders.models import OrderStatus
    statuses = ["open", "open", "allocated", "shipped", "cancelled", "shipped", "shipped"]
    for status in statuses:
        make_order(status=status)
    assert floor.orders_by_status() == {s.value: Counter(statuses)[s.value] for s in OrderStatus}


def test_orders_by_urgency_are_the_counts_of_the_order_lists_urgency_filter(app, users, monkeypatch):
    """11:00 in New York: the local day ends at midnight EDT (04:00 UTC); every class edge is taken."""
    from server.orders.urgency import Urgency, urgency
    now = local(2026, 3, 14, 11, 0)
    midnight = local(2026, 3, 15, 0, 0)
    ship_bys = [now - TICK, now, now + timedelta(hours=2) - TICK, now + timedelta(hours=2), midnight - TICK,
                midnight, None, now - timedelta(days=3)]
    monkeypatch.setitem(app.config, "WAREHOUSE_TIMEZONE", "America/New_York")
    monkeypatch.setattr("server.supervisor.orders.now", lambda: now)

    def orders():
        for ship_by in ship_bys:
            make_order(ship_by=ship_by, status="allocated")
        make_order(ship_by=now - TICK, status="shipped")  # closed: in no urgency count
        make_order(ship_by=now, status="cancelled")

    run_in_transaction(orders)
    counts = floor.orders_by_urgency(now, NY)
    assert counts == {u.value: 0 for u in Urgency} | Counter(urgency(s, now=now, tz=NY).value for s in ship_bys)
    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    listed = {u: total(client.get("/orders", query_string={"urgency": u}).text) for u in counts}
    assert listed == counts


def test_shipped_today_counts_first_confirmations_within_the_local_day_and_the_late_ones(app):
    """8 March 2026 in New York is 23 hours long (clocks go forward): 05:00 UTC to 04:00 UTC the next day."""
    now = local(2026, 3, 8, 23, 0)
    start, end = local(2026, 3, 8, 0, 0), local(2026, 3, 9, 0, 0)
    assert end - start == timedelta(hours=23)
    shipped(make_order(ship_by=start + timedelta(hours=5)), start)  # the day's first instant: on time
    shipped(make_order(ship_by=start), end - TICK)  # its last instant, after the ship-by: late
    shipped(make_order(), start + timedelta(hours=1))  # no ship-by: never late
    shipped(make_order(ship_by=start), start - TICK)  # yesterday
    twice = make_order(ship_by=end)
    shipped(twice, start - timedelta(hours=3))  # first confirmed yesterday; its second shipment doesn't count
    shipped(twice, start + timedelta(hours=3))
    shipped(make_order(ship_by=start - timedelta(days=1)), start + timedelta(hours=2), status="voided")
    shipped(make_order(ship_by=start), end)  # tomorrow's first instant

    assert floor.shipped_today(now, NY) == {"shipped": 3, "late": 1}
    assert floor.shipped_today(now, "UTC") != floor.shipped_today(now, NY)


def test_goods_waiting_on_docks_and_staging_with_their_units_and_oldest_arrival(app):
    """Units left on a location are the last ones in (first in, first out); a pallet's count where it stands."""
    import sqlalchemy as sa

    from server.extensions import db
    from server.inventory.codes import MoveKind
    from server.inventory.ledger import post_move
    from server.inventory.ledger_models import StockMove

    t0 = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    dock1, dock2, stage = (make_location(kind="dock"), make_location(kind="dock"), make_location(kind="staging"))
    make_location(kind="dock")  # empty: not listed
    pallet, tote = make_location(kind="pallet", parent=dock2), make_location(kind="tote", parent=stage)
    bin_ = make_location()
    mug, tea = make_item(), make_item()

    def arrive(item, where, qty, at):
        for move in make_stock(item, where, qty):
            db.session.execute(sa.update(StockMove).where(StockMove.id == move.id).values(created_at=at))

    def leave(item, where, qty):
        post_move(kind=MoveKind.PUTAWAY, item=item, qty=qty, src=where, dst=bin_, actor=make_actor())

    arrive(mug, dock1, 10, t0)
    arrive(mug, dock1, 5, t0 + timedelta(hours=1))
    leave(mug, dock1, 10)  # the 5 left are exactly the ones that came at t0 + 1 h
    arrive(tea, dock1, 4, t0 + timedelta(hours=2))
    arrive(mug, stage, 10, t0 + timedelta(minutes=30))
    leave(mug, stage, 4)  # 6 of the first 10 are left
    arrive(tea, pallet, 7, t0 - timedelta(hours=1))
    arrive(tea, dock2, 2, t0 + timedelta(hours=3))
    arrive(tea, tote, 9, t0 - timedelta(hours=5))  # picks in a tote parked in staging: not waiting goods
    arrive(tea, bin_, 9, t0 - timedelta(hours=5))

    now = t0 + timedelta(hours=4)
    assert floor.goods_waiting(now) == [
        {"location": dock2.code, "kind": "dock", "units": 9, "oldest_at": t0 - timedelta(hours=1), "minutes": 300},
        {"location": stage.code, "kind": "staging", "units": 6, "oldest_at": t0 + timedelta(minutes=30),
         "minutes": 210},
        {"location": dock1.code, "kind": "dock", "units": 9, "oldest_at": t0 + timedelta(hours=1), "minutes": 180},
    ]


def test_open_variances_count_and_value_only_those_waiting_for_approval(app):
    from server.counts.models import CountTask, CountTaskReason, CountTaskStatus, CountVariance, VarianceStatus
    from server.extensions import db

    item, loc = make_item(), make_location()
    values = {"pending": [1250, 399], "approved": [5000], "rejected": [700], "within": [0]}
    task = CountTask(location_id=loc.id, reason=CountTaskReason.AD_HOC, status=CountTaskStatus.APPROVAL)
    db.session.add(task)
    db.session.flush()
    for status, cents in values.items():
        for n, value in enumerate(cents):
            db.session.add(CountVariance(task_id=task.id, item_id=item.id, lot=f"{status}-{n}", expected_qty=5,
                                         counted_qty=3, delta=-2, value_cents=value,
                                         status=VarianceStatus(status)))
    db.session.flush()
    assert floor.open_variances() == {"count": len(values["pending"]), "value_cents": sum(values["pending"])}


def test_printers_say_what_stops_them_in_words_with_their_queues(app):
    from server.printing import services
    from server.printing.models import PrintJobStatus
    from server.printing.worker import flag_words

    ready, jammed, off, new = (services.create_printer(name, host="10.0.0.9") for name in ("A", "B", "C", "D"))
    services.update_printer(services.create_printer("E", host="10.0.0.9"), active=False)
    services.record_status(ready.id, {"ready": True}, online=True)
    services.record_status(jammed.id, {"paper_out": True, "head_open": True, "paused": False}, online=True)
    services.record_status(off.id, {"error": "timed out", "ready": False}, online=False)
    for printer, jobs in ((ready, 2), (off, 1)):
        for _ in range(jobs):
            services.submit_print(printer=printer, payload=b"^XA^XZ", kind="bin")
    printed = services.submit_print(printer=jammed, payload=b"^XA^XZ", kind="bin")
    printed.status = PrintJobStatus.PRINTED

    words = flag_words()
    assert floor.printers() == [
        {"name": "A", "online": True, "status": "ready", "problems": [], "queue": 2},
        {"name": "B", "online": True, "status": "problem", "problems": [words["paper_out"], words["head_open"]],
         "queue": 0},
        {"name": "C", "online": False, "status": "offline", "problems": ["offline"], "queue": 1},
        {"name": "D", "online": None, "status": "unknown", "problems": [], "queue": 0},
    ]


def test_low_stock_counts_every_item_at_or_below_its_reorder_point_and_lists_the_first(app):
    from server.extensions import db
    from server.replenishment.models import ReplenishmentParams

    bin_ = make_location()
    stocked = {"far": (1, 20), "near": (5, 8), "at": (6, 6), "fine": (9, 3)}  # on hand, reorder point
    items = {}
    for name, (qty, reorder_point) in stocked.items():
        items[name] = make_item(name=name)
        make_stock(items[name], bin_, qty)
        db.session.add(ReplenishmentParams(item_id=items[name].id, daily_demand=1.0, reorder_point=reorder_point))
    db.session.flush()

    low = floor.low_stock(2)
    assert low["count"] == 3
    assert [(r["sku"], r["below_by"]) for r in low["rows"]] == [(items["far"].sku, 19), (items["near"].sku, 3)]


def test_jobs_running_are_the_queued_and_running_ones_with_their_progress(app):
    from server.jobs import services
    from server.jobs.models import JobStatus

    queued = services.submit("import_orders", total=100)
    running = services.submit("import_items", total=40)
    running.status, running.done = JobStatus.RUNNING, 10
    for status in (JobStatus.DONE, JobStatus.FAILED):
        services.submit("import_items").status = status
    assert [(j["id"], j["status"], j["done"], j["total"]) for j in floor.jobs_running()] == [
        (queued.id, "queued", 0, 100), (running.id, "running", 10, 40)]
    assert floor.jobs_running()[0]["label"] == str(queued.kind_label)

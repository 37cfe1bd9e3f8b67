"""The demo at first start: shipped orders whose labels are queued for the Virtual Zebra (issue 9, item 8), and a
past (issue 12) — a month of shipped orders behind the seller metrics, this morning's work behind the people and
handhelds, counts behind the IRA chart. The demo is seeded once for the module (it takes seconds), on a database
of its own; the tests only read it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import _new_app, clone_template


@pytest.fixture(scope="module")
def demo_app(template_db, tmp_path_factory, request):
    from server.demo import seed_demo
    from server.extensions import db
    from server.http import run_in_transaction

    app = _new_app(clone_template(template_db, request, tmp_path_factory.mktemp("demo"), "demo"))
    with app.app_context():
        assert run_in_transaction(seed_demo) is True
        yield app
        db.session.remove()
        db.engine.dispose()
    if template_db["backend"] != "sqlite":
        request.getfixturevalue("pg_server").drop_database("demo")


@pytest.fixture
def app(demo_app):
    """Every test of this module reads the one demo warehouse."""
    return demo_app


def test_the_demo_ships_a_few_orders_with_printed_labels(app, api):
    from server.demo import BOX_TYPES, PACK_STATIONS, VIRTUAL_PRINTER, seed_demo
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory.queries import verify_ledger
    from server.printing.models import PrintJob
    from server.printing.services import printer_for_station

    assert run_in_transaction(seed_demo) is False  # safe to run twice

    assert {printer_for_station(code).name for code in PACK_STATIONS} == {VIRTUAL_PRINTER}
    assert printer_for_station("PACK-1").dpi == 203
    shipments = api().get("/api/shipments?limit=3").json["shipments"]  # the newest: shipped as the demo ran
    assert [s["status"] for s in shipments] == ["shipped"] * 3
    numbers = [n for s in shipments for n in s["tracking_numbers"]]
    assert "1Z5R89390357567127" in numbers and len(numbers) > 3  # one order went in several packages
    for shipment in shipments:
        r = api().get(f"/api/shipments/{shipment['id']}/labels.zpl")
        assert r.status_code == 200
        zpl = r.get_data()
        assert zpl.count(b"^XA") == len(shipment["tracking_numbers"]) and b"^PW812" in zpl
        assert all(n.encode() in zpl for n in shipment["tracking_numbers"])
    # Only theirs wait for the printer: the month's and this morning's labels are not queued again.
    labels = db.session.scalars(sa.select(PrintJob).where(PrintJob.kind == "shipping_label")).all()
    assert len(labels) == len(numbers) and {j.status.value for j in labels} == {"queued"}
    assert len(BOX_TYPES) == 5
    assert verify_ledger() == []


def test_a_month_of_orders_gives_every_seller_metric_its_window(app):
    """Hundreds of orders in each window; about 1.5 % late, two seller cancellations last week, one mistyped
    tracking number: green, none red."""
    from server.dashboard.metrics import seller_metrics
    from server.db import utcnow

    metrics = {m.key: m for m in seller_metrics(utcnow())}
    assert all(m.denominator >= 100 for m in metrics.values()), metrics
    assert metrics["lsr_30"].denominator > 2 * metrics["lsr_10"].denominator
    assert 0.005 <= metrics["lsr_30"].rate <= 0.02 and metrics["lsr_10"].numerator >= 1
    assert metrics["cancel_7"].numerator == 2
    assert metrics["vtr_30"].misses == 1
    assert {m.status for m in metrics.values()} == {"green"}


def _moves_of(order):
    """The order's movements by kind and the kinds of their locations, per line, in booking order."""
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    from server.inventory.models import Location
    from server.packing.models import Package
    from server.picking.models import PickTask
    from server.shipping.models import Shipment

    src, dst = sa.orm.aliased(Location), sa.orm.aliased(Location)
    refs = sa.or_(
        sa.and_(StockMove.ref_type == "pick_task", StockMove.ref_id.in_(
            sa.select(PickTask.id).where(PickTask.order_line_id.in_([ln.id for ln in order.lines])))),
        sa.and_(StockMove.ref_type == "package",
                StockMove.ref_id.in_(sa.select(Package.id).where(Package.order_id == order.id))),
        sa.and_(StockMove.ref_type == "shipment",
                StockMove.ref_id.in_(sa.select(Shipment.id).where(Shipment.order_id == order.id))))
    rows = db.session.execute(sa.select(StockMove.item_id, StockMove.kind, src.kind, dst.kind, StockMove.created_at)
                              .join(src, src.id == StockMove.src_id).join(dst, dst.id == StockMove.dst_id)
                              .where(refs).order_by(StockMove.created_at, StockMove.id)).all()
    return {line.item_id: [(r[1].value, r[2].value, r[3].value) for r in rows if r[0] == line.item_id]
            for line in order.lines}, [r[4] for r in rows]


def _shape(order_id: int) -> dict:
    """What an order shipped by the floor looks like, without its ids, times, items or quantities."""
    from server.extensions import db
    from server.inventory.models import Location
    from server.orders.models import Order
    from server.packing.models import Package
    from server.picking.models import BatchOrder, PickBatch, PickTask
    from server.shipping.models import Shipment
    from server.shipping.tracking import validate_tracking

    order = db.session.get(Order, order_id)
    moves, move_times = _moves_of(order)
    tasks = db.session.scalars(sa.select(PickTask).where(PickTask.order_line_id.in_([ln.id for ln in order.lines])))
    batches = db.session.scalars(sa.select(PickBatch).join(BatchOrder).where(BatchOrder.order_id == order.id))
    packages = db.session.scalars(sa.select(Package).where(Package.order_id == order.id)).all()
    shipments = db.session.scalars(sa.select(Shipment).where(Shipment.order_id == order.id)).all()
    times = [order.ordered_at, *(e.created_at for e in order.events[1:])]
    return {
        "status": order.status.value,
        "lines": {(ln.qty_picked == ln.qty, tuple(moves[ln.item_id])) for ln in order.lines},
        "events": [(e.from_status and e.from_status.value, e.to_status.value, re.sub(r"\d+", "#", e.note or ""))
                   for e in order.events],
        "in time order": times == sorted(times) and move_times == sorted(move_times),
        "tasks": {(t.status.value, t.qty_picked == t.qty, t.picked_by is not None, t.reservation_id) for t in tasks},
        "batches": {(b.status.value, db.session.get(Location, b.cart_id).kind.value, b.picker_id is not None,
                     b.started_at <= b.finished_at) for b in batches},
        "packages": {(p.status.value, db.session.get(Location, p.container_id).kind.value,
                      db.session.get(Location, p.container_id).parent_id == p.station_id,
                      db.session.get(Location, p.container_id).code == f"PKG-{p.id}", len(p.sscc),
                      p.weight_g > 0, p.box_type_id is not None or p.length_mm > 0, p.packed_by is not None)
                     for p in packages},
        "shipments": {(s.status.value, s.ship_by_met == (s.shipped_at <= order.ship_by),
                       all(validate_tracking(s.carrier, p.tracking_number) for p in packages if p.shipment_id == s.id),
                       s.label_created_at <= s.shipped_at) for s in shipments},
    }


def test_a_month_old_order_looks_like_one_shipped_through_the_services(app):
    """The month is written straight into the tables: the rows must be the ones the pick, pack and ship
    services leave (the order shipped last went through them as the demo ran)."""
    from server.extensions import db
    from server.orders.models import Order, OrderStatus
    from server.shipping.models import Shipment

    oldest = db.session.scalar(sa.select(sa.func.min(Order.id)).where(Order.status == OrderStatus.SHIPPED))
    newest = db.session.scalar(sa.select(Shipment.order_id).order_by(Shipment.id.desc()).limit(1))
    past, now = _shape(oldest), _shape(newest)
    assert past == now
    assert past["in time order"] and past["status"] == "shipped"


def test_this_morning_shows_people_and_handhelds_and_the_counts_a_supervisor_approves(app):
    from server.counts.queries import ira_by_week, pending_variance_totals
    from server.dashboard.people import devices_now, throughput_today
    from server.db import utcnow
    from server.supervisor.clock import day_start, local, today

    now, tz = utcnow(), app.config["WAREHOUSE_TIMEZONE"]
    people = {p["user"]: p for p in throughput_today(now, tz)}
    assert people["ana"]["picked_units"] > 0 and people["ben"]["picked_units"] > 0
    assert people["cleo"]["packed_units"] >= people["ben"]["picked_units"]
    assert all(p["scans"] > 0 for p in people.values()) and sum(p["error_scans"] for p in people.values()) >= 3
    devices = {d["device_id"]: d for d in devices_now(now)}
    assert devices["demo-hh-1"]["queued"] == 1 and devices["demo-hh-1"]["user"] == "ana"
    assert devices["demo-hh-2"]["queued"] == 0
    assert pending_variance_totals()["count"] == 1
    weeks = [w for w in ira_by_week(today(), day_start, local) if w["all"]["counts"]]
    assert len(weeks) >= 3 and any(w["all"]["hits"] < w["all"]["counts"] for w in weeks)


def test_nothing_in_the_demo_happened_in_the_future(app):
    """Work dated after it was done (demo_history.happened_between) stays in the past; deadlines may be ahead."""
    from server.db import Base, UTCDateTime, utcnow
    from server.extensions import db

    deadlines = {"ship_by", "deliver_by", "expires_at", "locked_until"}
    now = utcnow() + timedelta(seconds=1)
    ahead = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime) and column.name not in deadlines:
                latest = db.session.scalar(sa.select(sa.func.max(column)))
                if latest is not None and latest > now:
                    ahead[f"{table.name}.{column.name}"] = latest
    assert ahead == {}

"""Picking pages: allocate, build, release and cancel a batch; a batch's route and totes; who is picking what;
picks per hour per picker (today and a chosen day); the CSV of each table; the actions' guards."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.factories import FloorPlan, place, sku
from tests.supervisor.test_orders_pages import NOW, make_order
from tests.supervisor.web import csrf_token, csv_rows, flashes, rows, table

pytestmark = pytest.mark.rollback

FLOOR = FloorPlan(
    locations=(place("A-01", zone="A", seq=1, x=2.0, y=1.0), place("A-02", zone="A", seq=2, x=2.0, y=9.0),
               place("B-01", zone="B", seq=3, x=8.0, y=2.0)),
    items=(sku("MUG-1", "Blue mug"), sku("TEA-1", "Green tea")),
    stock=(("MUG-1", "A-01", 10), ("TEA-1", "A-02", 10), ("MUG-1", "B-01", 10)))
PAST_DAY = date(2026, 3, 13)


@pytest.fixture
def floor_plan():
    """This module's own floor, not the folder's stocked one."""
    return FLOOR


def _post(client, action: str, data: dict | None = None, page: str = "/picking"):
    return client.post(action, data={**(data or {}), "csrf_token": csrf_token(client.get(page).text)})


def _status(batch_id: int) -> str:
    from server.extensions import db
    from server.picking.models import PickBatch
    db.session.expire_all()
    return db.session.get(PickBatch, batch_id).status.value


def _order_statuses(*refs: str) -> list[str]:
    from server.extensions import db
    from server.orders.models import Order
    db.session.expire_all()
    by_ref = dict(db.session.execute(sa.select(Order.channel_order_id, Order.status)
                                     .where(Order.channel_order_id.in_(refs))).all())
    return [by_ref[ref].value for ref in refs]


def test_a_supervisor_allocates_builds_releases_and_cancels_a_batch(floor, supervisor):
    make_order("O-LATER", ship_by=NOW + timedelta(hours=9), lines=(("MUG-1", 1),))
    make_order("O-FIRST", ship_by=NOW + timedelta(hours=1), lines=(("MUG-1", 2), ("TEA-1", 1)))
    make_order("O-SECOND", ship_by=NOW + timedelta(hours=2), lines=(("TEA-1", 1),))
    r = _post(supervisor, "/picking/allocate")
    assert r.status_code == 302
    assert flashes(supervisor.get("/picking").text) == ["Orders allocated: 3; still short: 0."]
    assert _order_statuses("O-FIRST", "O-SECOND", "O-LATER") == ["allocated"] * 3

    r = _post(supervisor, "/picking/batches", {"size": "2", "zone": ""})
    assert r.status_code == 302 and r.location.startswith("/picking/batches/")
    batch_id = int(r.location.rsplit("/", 1)[1])
    code = f"B{batch_id:06d}"
    page = supervisor.get(r.location).text
    assert flashes(page) == [f"Batch {code} built with 2 orders."]
    assert 'id="batch-status" data-status="draft"' in page
    # One tote per order, the most urgent first; the route visits each bin once, in walking order.
    assert [row[2] for row in table(page, "batch-totes")] == ["O-FIRST", "O-SECOND"]
    tasks = table(page, "batch-tasks")
    assert [row[0] for row in tasks] == [str(n) for n in range(1, len(tasks) + 1)]
    assert sorted((row[1], row[2], row[7]) for row in tasks) == [
        ("A-01", "MUG-1", "O-FIRST"), ("A-02", "TEA-1", "O-FIRST"), ("A-02", "TEA-1", "O-SECOND")]
    listed = supervisor.get("/picking").text
    assert rows(listed, "batch") == [code]
    assert table(listed, "batches-table")[0][1:4] == ["Draft", "2", "0 / 3"]

    r = _post(supervisor, f"/picking/batches/{batch_id}/release", page=f"/picking/batches/{batch_id}")
    assert r.status_code == 302 and _status(batch_id) == "released"
    assert flashes(supervisor.get(r.location).text) == [f"Batch {code} released."]
    r = _post(supervisor, f"/picking/batches/{batch_id}/release", page=f"/picking/batches/{batch_id}")
    assert "only a draft batch can be released" in flashes(supervisor.get(r.location).text)[0]

    r = _post(supervisor, f"/picking/batches/{batch_id}/cancel", page=f"/picking/batches/{batch_id}")
    assert r.status_code == 302 and _status(batch_id) == "cancelled"
    assert rows(supervisor.get("/picking").text, "batch") == []
    assert rows(supervisor.get("/picking?status=cancelled").text, "batch") == [code]
    assert _order_statuses("O-FIRST", "O-SECOND") == ["allocated", "allocated"]

    exported = csv_rows(supervisor.get("/picking/batches.csv?status=all"))
    assert exported[0][:6] == ["batch", "status", "orders", "tasks_done", "tasks_total", "units"]
    assert exported[1][:6] == [code, "cancelled", "2", "0", "0", "0"]  # its tasks were cancelled with it


def test_building_with_nothing_allocated_says_so(floor, supervisor):
    r = _post(supervisor, "/picking/batches", {"size": "8"})
    assert r.status_code == 302 and r.location == "/picking"
    assert flashes(supervisor.get("/picking").text) == ["No allocated orders are waiting for a batch."]


def _picking_floor(users) -> dict:
    """Two pickers: ana signed in on a handheld and picking a batch (2 of 3 picked today); ben signed out,
    who picked 4 lines on PAST_DAY from 09:00 to 11:00 with 2 refused scans."""
    from server.auth.models import ApiToken, TokenKind
    from server.extensions import db
    from server.inventory.locations import find_location
    from server.orders.models import OrderLine
    from server.picking.models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus
    from server.scanning.models import ScanLog
    from server.supervisor import clock

    ana, ben = users["picker"], users["packer"]
    order_id = make_order("O-ANA", lines=(("MUG-1", 3), ("TEA-1", 1)), status="picking")
    past_id = make_order("O-BEN", lines=(("MUG-1", 4), ("TEA-1", 4), ("MUG-1", 1), ("TEA-1", 1)), status="picked")
    now = datetime.now(UTC)
    today = clock.day_start(clock.today())
    past = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)

    def build():
        def token(user, device, expires):
            digest = hashlib.sha256(f"{user.id}{device}".encode()).hexdigest()
            db.session.add(ApiToken(user_id=user.id, kind=TokenKind.DEVICE, name=device, token_hash=digest,
                                    device_id=device, created_at=now - timedelta(hours=1), expires_at=expires))

        token(ana, "HH-1", now + timedelta(hours=9))
        token(ben, "HH-2", now - timedelta(minutes=1))  # his shift's sign-in ran out
        lines = db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order_id)
                                   .order_by(OrderLine.id)).all()
        batch = PickBatch(status=BatchStatus.PICKING, picker_id=ana.id, started_at=today)
        batch.orders.append(BatchOrder(order_id=order_id, tote_number=1))
        a01, a02 = find_location("A-01").id, find_location("A-02").id
        for seq, (line, loc, qty, picked, at) in enumerate(
                ((lines[0], a01, 2, 2, today + timedelta(hours=8)), (lines[1], a02, 1, 1, today + timedelta(hours=9)),
                 (lines[0], a01, 1, 0, None)), start=1):
            batch.tasks.append(PickTask(order_line_id=line.id, item_id=line.item_id, location_id=loc, qty=qty,
                                        qty_picked=picked, tote_number=1, sequence=seq, picked_at=at,
                                        picked_by=ana.id if at else None,
                                        status=TaskStatus.PICKED if at else TaskStatus.OPEN))
        old = PickBatch(status=BatchStatus.DONE, picker_id=ben.id)
        old.orders.append(BatchOrder(order_id=past_id, tote_number=1))
        past_lines = db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id == past_id)
                                        .order_by(OrderLine.id)).all()
        for seq, line in enumerate(past_lines, start=1):
            old.tasks.append(PickTask(order_line_id=line.id, item_id=line.item_id, location_id=a01, qty=line.qty,
                                      qty_picked=line.qty, tote_number=1, sequence=seq, status=TaskStatus.PICKED,
                                      picked_by=ben.id, picked_at=past + timedelta(minutes=40 * (seq - 1))))
        db.session.add_all([batch, old])
        for outcome, minutes in (("wrong_item", 10), ("wrong_location", 50), ("ok", 20)):
            db.session.add(ScanLog(user_id=ben.id, device_id="HH-2", code="X", outcome=outcome,
                                   at=past + timedelta(minutes=minutes)))
        db.session.add(ScanLog(user_id=ben.id, device_id="HH-2", code="X", outcome="wrong_item",
                               at=past - timedelta(days=1)))  # another day
        db.session.flush()
        return {"batch": batch.id, "today": today}

    return run_in_transaction(build)


def test_who_is_picking_what_and_picks_per_hour_today_and_on_a_chosen_day(floor, supervisor, users):
    from server.supervisor import clock

    seeded = _picking_floor(users)
    ana, ben = users["picker"], users["packer"]
    code = f"B{seeded['batch']:06d}"
    page = supervisor.get("/picking", query_string={"day": PAST_DAY.isoformat()}).text
    assert rows(page, "user")[:1] == [ana.username]  # who is picking what: ana only (ben's sign-in ended)
    who = table(page, "pickers-table")
    assert len(who) == 1 and who[0][2:4] == [code, "1"]
    today = seeded["today"].astimezone(UTC)
    assert who[0][4].endswith((today + timedelta(hours=9)).strftime("%H:%M:%S"))

    today_rates = table(page, f"rates-{clock.today().isoformat()}")
    assert [r[1:3] + r[5:] for r in today_rates] == [["3", "2", "2", "0"]]  # 2 lines in 1 h
    past = table(page, f"rates-{PAST_DAY.isoformat()}")
    assert [r[1:] for r in past] == [["10", "4", "09:00:00", "11:00:00", "2", "2"]]

    exported = csv_rows(supervisor.get("/picking/rates.csv", query_string={"day": PAST_DAY.isoformat()}))
    assert exported == [["day", "user", "name", "units", "lines", "first_pick", "last_pick", "lines_per_hour",
                         "errors"],
                        [PAST_DAY.isoformat(), ben.username, ben.display_name, "10", "4", "2026-03-13T09:00:00+00:00",
                         "2026-03-13T11:00:00+00:00", "2.0", "2"]]
    pickers = csv_rows(supervisor.get("/picking/pickers.csv"))
    assert pickers[0] == ["user", "name", "signed_in_at", "batch", "picks_left", "last_pick_at"]
    assert [r[0] for r in pickers[1:]] == [ana.username] and pickers[1][3:5] == [code, "1"]


ACTIONS = ("/picking/allocate", "/picking/batches", "/picking/batches/1/release", "/picking/batches/1/cancel")


def test_the_picking_actions_refuse_a_post_without_the_form_token_and_from_a_picker(floor, app, supervisor, users,
                                                                                    subtests):
    from tests.supervisor.test_orders_pages import floor_session

    make_order("O-GUARD", lines=(("MUG-1", 1),))
    picker, token = floor_session(app, users["picker"])
    assert picker.get("/picking").status_code == 403
    for action in ACTIONS:
        with subtests.test(action=action):
            assert supervisor.post(action, data={"size": "2"}).status_code == 400
            assert picker.post(action, data={"csrf_token": token, "size": "2"}).status_code == 403
    assert _order_statuses("O-GUARD") == ["open"]
    assert rows(supervisor.get("/picking?status=all").text, "batch") == []

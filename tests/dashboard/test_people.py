"""People and devices on the dashboard (issue 12, 4): units and scans per person and per local hour, error scans
counted once, active hours, and the handhelds' last reports — on constructed histories in America/New_York."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.dashboard.people import devices_now, hourly_today, throughput_today
from tests.factories import make_item, make_location, make_order, make_user

pytestmark = pytest.mark.rollback

NY = ZoneInfo("America/New_York")


def local(*args) -> datetime:
    """A New York wall-clock time as an aware UTC datetime."""
    return datetime(*args, tzinfo=NY).astimezone(UTC)


@pytest.fixture
def history(tx):
    """Two bins, an item, a picker, a packer; add(...) books events at chosen times."""
    from server.extensions import db
    from server.inventory.codes import MoveKind
    from server.inventory.ledger_models import StockMove
    from server.packing.models import Package, PackageLine, PackageStatus
    from server.scanning.models import ScanLog

    item = make_item()
    bin_, tote = make_location(), make_location(kind="tote")
    picker, packer = make_user("picker", display_name="Ana Picker"), make_user("packer", display_name="Cleo Packer")

    class History:
        def pick(self, user, at, qty=1, *, reverses=None):
            move = StockMove(kind=MoveKind.PICK, item_id=item.id, qty=qty, src_id=bin_.id, dst_id=tote.id,
                             user_id=user.id, created_at=at, reverses_id=reverses.id if reverses else None)
            db.session.add(move)
            db.session.flush()
            return move

        def pack(self, user, at, *qtys):
            """One package closed by user at `at`, with a line of each qty (one order line each)."""
            order = make_order(*((item, q) for q in qtys))
            db.session.add(Package(order_id=order.id, number=1, status=PackageStatus.PACKED, packed_by=user.id,
                                   packed_at=at, lines=[PackageLine(order_line_id=line.id, item_id=item.id,
                                                                    qty=line.qty) for line in order.lines]))
            db.session.flush()

        def scan(self, user, at, outcome="ok", *, kind="item", expected=None, screen="pick"):
            db.session.add(ScanLog(user_id=user.id, device_id="HH-1", code="X", kind=kind, outcome=outcome,
                                   screen=screen, expected=expected, at=at))
            db.session.flush()

    h = History()
    h.picker, h.packer = picker, packer
    return h


def by_user(rows):
    return {row["user"]: row for row in rows}


def test_hours_are_local_and_their_edges_belong_to_the_hour_they_start(history):
    now = local(2026, 6, 15, 10, 30)
    p = history.picker
    history.pick(p, local(2026, 6, 14, 23, 59, 59, 999000), 100)  # yesterday, local: not today
    history.pick(p, local(2026, 6, 15, 0, 0), 1)                  # local midnight: hour 0
    history.pick(p, local(2026, 6, 15, 8, 59, 59, 999000), 2)     # the last instant of hour 8
    history.pick(p, local(2026, 6, 15, 9, 0), 4)                   # the first of hour 9
    history.pick(p, now - timedelta(microseconds=1), 8)            # just before now: hour 10
    history.pick(p, now, 1000)                                     # at now: not yet
    hours = {h["hour"]: h["picked_units"] for h in hourly_today(now, NY)}
    assert sorted(hours) == list(range(24))
    assert {h: n for h, n in hours.items() if n} == {0: 1, 8: 2, 9: 4, 10: 8}


def test_hourly_counts_packed_units_scans_and_errors_in_their_hours(history):
    now = local(2026, 6, 15, 12, 0)
    history.pack(history.packer, local(2026, 6, 15, 11, 15), 3, 2)
    history.scan(history.picker, local(2026, 6, 15, 7, 5))
    history.scan(history.picker, local(2026, 6, 15, 7, 6), "unknown_code", kind=None)
    by_hour = {h["hour"]: h for h in hourly_today(now, NY)}
    assert (by_hour[11]["packed_units"], by_hour[7]["scans"], by_hour[7]["error_scans"]) == (5, 2, 1)
    assert sum(h["packed_units"] + h["scans"] for h in by_hour.values()) == 7


def test_the_repeated_hour_of_the_autumn_change_is_one_hour_of_the_day(history):
    """1 November 2026: New York's clocks go from 01:59:59 EDT back to 01:00 EST; the day has 25 hours."""
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NY)             # EDT (fold 0)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)    # EST, an hour later
    history.pick(history.picker, first.astimezone(UTC), 1)
    history.pick(history.picker, second.astimezone(UTC), 2)
    history.pick(history.picker, local(2026, 11, 1, 2, 0), 4)
    hours = {h["hour"]: h["picked_units"] for h in hourly_today(local(2026, 11, 1, 3, 0), NY)}
    assert (hours[1], hours[2], len(hours)) == (3, 4, 24)


def test_the_missing_hour_of_the_spring_change_stays_empty(history):
    """8 March 2026: 02:00 EST is 03:00 EDT; a pick an instant before the change is in hour 1, at it in hour 3."""
    change = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    history.pick(history.picker, change - timedelta(seconds=1), 1)
    history.pick(history.picker, change, 2)
    hours = {h["hour"]: h["picked_units"] for h in hourly_today(change + timedelta(hours=1), NY)}
    assert (hours[1], hours[2], hours[3]) == (1, 0, 2)


def test_throughput_per_person_with_units_scans_errors_and_rates(history):
    p, k = history.picker, history.packer
    day = (2026, 6, 15)
    first = history.pick(p, local(*day, 8, 0), 3)
    history.pick(p, local(*day, 8, 10), 2)                          # the same task picked in a second part
    history.pick(p, local(*day, 8, 25), 4)
    history.pick(k, local(*day, 9, 10), 3, reverses=first)         # a correction: no one's work
    history.scan(p, local(*day, 8, 5), kind="location")            # /api/scan: ok …
    history.scan(p, local(*day, 8, 5), "wrong_location", kind="location", expected="A-01-02")  # … the screen: no
    history.scan(p, local(*day, 8, 6), "wrong_location", kind=None, expected="A-01-02")  # judged offline
    history.pack(k, local(*day, 9, 0), 4)
    history.pack(k, local(*day, 9, 20), 2, 1)
    rows = by_user(throughput_today(local(*day, 10, 0), NY))
    assert set(rows) == {p.username, k.username}
    ana, cleo = rows[p.username], rows[k.username]
    assert (ana["name"], ana["role"], cleo["role"]) == ("Ana Picker", "picker", "packer")
    assert (ana["picked_units"], ana["packed_units"], ana["scans"], ana["error_scans"]) == (9, 0, 2, 2)
    assert (cleo["picked_units"], cleo["packed_units"], cleo["scans"], cleo["error_scans"]) == (0, 7, 0, 0)
    # Ana: 08:00 → 08:25 without a long pause = 25 min; Cleo: 09:00 and 09:20, 20 min apart = a quarter hour.
    assert (ana["hours_active"], cleo["hours_active"]) == (round(25 / 60, 2), 0.25)
    assert (ana["units_per_hour"], ana["scans_per_hour"]) == (round(9 / (25 / 60), 1), round(2 / (25 / 60), 1))
    assert cleo["units_per_hour"] == round(7 / 0.25, 1)
    assert list(rows) == [p.username, k.username]  # most units first


def test_active_hours_leave_out_pauses_longer_than_a_quarter_hour(history):
    p, day = history.picker, (2026, 6, 15)
    for at in ((8, 0), (8, 10), (8, 25)):          # 10 and exactly 15 minutes apart: working
        history.pick(p, local(*day, *at), 1)
    history.scan(p, local(*day, 8, 40, 0, 1000))   # 15 min and a millisecond: a pause
    history.scan(p, local(*day, 8, 45))            # 5 more minutes
    history.scan(p, local(*day, 11, 0))            # after lunch: one more event adds nothing by itself
    (ana,) = throughput_today(local(*day, 12, 0), NY)
    assert ana["hours_active"] == round(30 / 60, 2)  # 10 + 15 + 5 minutes


def test_one_event_is_a_quarter_hour_of_work(history):
    history.scan(history.picker, local(2026, 6, 15, 8, 0))
    (ana,) = throughput_today(local(2026, 6, 15, 9, 0), NY)
    assert (ana["hours_active"], ana["scans"], ana["scans_per_hour"]) == (0.25, 1, 4.0)


def test_a_refused_scan_counts_once_as_a_scan_and_once_as_an_error(app, api, users):
    """Through the API: a bin scanned where the pick screen wanted another, online (POST /api/scan said "ok",
    then the screen logged its refusal) and offline (only the refusal); and a code nobody knows."""
    from server.db import utcnow
    from server.http import run_in_transaction

    run_in_transaction(lambda: make_location("A-09-09"))
    picker = api("picker")
    assert picker.scan("A-09-09").status_code == 200
    refusal = {"code": "A-09-09", "screen": "pick", "expected": "A-01-02", "reason": "wrong_location"}
    assert picker.post("/api/scans/refusals", {**refusal, "kind": "location"}).status_code == 201
    assert picker.post("/api/scans/refusals", refusal).status_code == 201  # judged offline
    assert picker.scan("NO-SUCH-CODE").status_code == 404
    now = utcnow() + timedelta(seconds=1)
    ana = by_user(throughput_today(now, UTC))[users["picker"].username]
    assert (ana["scans"], ana["error_scans"]) == (3, 3)
    assert sum(h["scans"] for h in hourly_today(now, UTC)) == 3


def test_nobody_worked_yet_at_local_midnight(history):
    history.pick(history.picker, local(2026, 6, 14, 23, 0), 1)
    midnight = local(2026, 6, 15, 0, 0)
    assert throughput_today(midnight, NY) == []
    assert all(h["picked_units"] == 0 for h in hourly_today(midnight, NY))


# --- devices ---------------------------------------------------------------------------------------

def _report(device, user, *, at, queued=0, refused=0, screen="pick", batch=None):
    from server.devices.models import DeviceReport
    from server.extensions import db
    db.session.add(DeviceReport(device_id=device, user_id=user.id, screen=screen, batch_id=batch, queued=queued,
                                refused=refused, reported_at=at))
    db.session.flush()


def _device_token(user, device, *, expires_at=None, revoked_at=None):
    from server.auth import services
    from server.auth.models import TokenKind
    _plain, token = services.issue_token(user, kind=TokenKind.DEVICE, name="badge login", device_id=device)
    token.expires_at, token.revoked_at = expires_at, revoked_at


def test_devices_with_refused_then_waiting_writes_come_first_then_the_newest(tx):
    now = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
    ana, ben = make_user("picker", display_name="Ana"), make_user("picker", display_name="Ben")
    _report("HH-QUIET-OLD", ana, at=now - timedelta(hours=2))
    _report("HH-QUIET-NEW", ben, at=now - timedelta(minutes=1), batch=17)
    _report("HH-WAITING", ana, at=now - timedelta(hours=3), queued=4)
    _report("HH-REFUSED", ben, at=now - timedelta(hours=5), queued=1, refused=1)
    _report("HH-LAST-NIGHT", ana, at=now - timedelta(hours=12, seconds=1), refused=3)  # beyond 12 h
    rows = devices_now(now)
    assert [r["device_id"] for r in rows] == ["HH-REFUSED", "HH-WAITING", "HH-QUIET-NEW", "HH-QUIET-OLD"]
    newest = rows[2]
    assert (newest["user"], newest["name"], newest["screen"], newest["batch"]) == (ben.username, "Ben", "pick", 17)
    assert (rows[0]["queued"], rows[0]["refused"], rows[0]["reported_at"]) == (1, 1, now - timedelta(hours=5))


def test_a_device_is_signed_in_while_it_holds_a_live_device_token(tx):
    now = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)
    ana = make_user("picker")
    devices = {"HH-LIVE": {"expires_at": now + timedelta(hours=1)},
               "HH-EXPIRED": {"expires_at": now},
               "HH-REVOKED": {"expires_at": now + timedelta(hours=1), "revoked_at": now - timedelta(minutes=5)},
               "HH-NONE": None}
    for device, token in devices.items():
        _report(device, ana, at=now - timedelta(minutes=10))
        if token is not None:
            _device_token(ana, device, **token)
    _device_token(ana, "HH-NONE-OTHER", expires_at=now + timedelta(hours=1))  # another device's sign-in
    signed = {r["device_id"]: r["signed_in"] for r in devices_now(now)}
    assert signed == {"HH-LIVE": True, "HH-EXPIRED": False, "HH-REVOKED": False, "HH-NONE": False}

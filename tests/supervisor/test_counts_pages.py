"""Counts pages: the open tasks, the approval queue (approve posts one adjustment; refusals without a form token
or for a floor role), IRA by class and by week from a constructed history (exact arithmetic), the value of the
adjustments by week, and the CSV of each table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.supervisor.web import csrf_token, csv_rows, flashes, rows, table

pytestmark = pytest.mark.rollback

NOW = datetime.now(UTC)


def _ids(*codes: str) -> dict[str, int]:
    from server.catalog.models import Item
    from server.extensions import db
    from server.inventory.models import Location
    found = dict(db.session.execute(sa.select(Location.code, Location.id).where(Location.code.in_(codes))).all())
    found |= dict(db.session.execute(sa.select(Item.sku, Item.id).where(Item.sku.in_(codes))).all())
    return found


def _count(user_id: int, *, cls: str, ago: timedelta, hit: bool = True, reason: str = "scheduled",
           status: str | None = None, item: str = "MUG-1", location: str = "A-01", expected: int = 10,
           counted: int | None = None, recount_of: int | None = None, variance_status: str | None = None):
    """One finished count as finish_task leaves it: the task, its entry and its variance."""
    from server.counts.models import CountEntry, CountTask, CountVariance
    from server.extensions import db
    ids = _ids(item, location)
    at = NOW - ago
    counted = counted if counted is not None else expected if hit else expected - 3
    task = CountTask(location_id=ids[location], item_id=ids[item], reason=reason, abc_class=cls,
                     status=status or ("posted" if hit else "recount"), recount_of_id=recount_of,
                     created_at=at - timedelta(minutes=5), closed_at=at)
    db.session.add(task)
    db.session.flush()
    db.session.add(CountEntry(task_id=task.id, user_id=user_id, item_id=ids[item], qty=counted, ledger_mark=0,
                              counted_at=at))
    variance = CountVariance(task_id=task.id, item_id=ids[item], expected_qty=expected, counted_qty=counted,
                             delta=counted - expected, value_cents=abs(counted - expected) * 250,
                             status=variance_status or ("within" if hit else "recount"), created_at=at)
    db.session.add(variance)
    db.session.flush()
    return task, variance


def _history(users):
    """Class A: 2 days ago a hit and a miss (its recount excluded), 20 days a hit, 60 days a miss, 100 days a
    hit (outside every window); class B: 20 days a hit; an open task (not counted yet)."""
    from server.counts.models import CountTask
    from server.extensions import db
    picker = users["picker"].id
    day = timedelta(days=1)

    def build():
        _count(picker, cls="A", ago=2 * day)
        first, _v = _count(picker, cls="A", ago=2 * day, hit=False)
        _count(users["packer"].id, cls="A", ago=2 * day, reason="recount", recount_of=first.id)  # not a first count
        _count(picker, cls="A", ago=20 * day)
        _count(picker, cls="A", ago=60 * day, hit=False)
        _count(picker, cls="A", ago=100 * day)
        _count(picker, cls="B", ago=20 * day, item="TEA-1", location="A-02")
        db.session.add(CountTask(location_id=_ids("B-01")["B-01"], reason="ad_hoc", abc_class="C"))

    run_in_transaction(build)


def test_ira_by_class_counts_first_counts_within_tolerance_over_7_30_90_days(floor, supervisor, users):
    _history(users)
    page = supervisor.get("/counts").text
    assert rows(page, "class") == ["A", "B", "C", "all"]
    assert table(page, "ira-by-class") == [
        ["A", "50.0 % (1/2)", "66.7 % (2/3)", "50.0 % (2/4)"],
        ["B", "— (0/0)", "100.0 % (1/1)", "100.0 % (1/1)"],
        ["C", "— (0/0)", "— (0/0)", "— (0/0)"],
        ["All", "50.0 % (1/2)", "75.0 % (3/4)", "60.0 % (3/5)"]]
    csv = csv_rows(supervisor.get("/counts/ira.csv"))
    assert csv[0][:4] == ["class", "hits_7d", "counts_7d", "pct_7d"]
    assert csv[4] == ["all", "1", "2", "50.0", "3", "4", "75.0", "3", "5", "60.0"]


def _monday(moment: datetime) -> str:
    day = moment.date()  # the tests' warehouse runs on UTC
    return (day - timedelta(days=day.weekday())).isoformat()


def test_ira_and_adjustment_value_by_week(floor, supervisor, users):
    from server.extensions import db
    from server.inventory.codes import MoveKind
    from server.inventory.ledger_models import StockMove
    _history(users)

    def adjusted(ago: timedelta, value_cents: int):
        ids = _ids("MUG-1", "A-01", "B-01")
        move = StockMove(kind=MoveKind.COUNT, item_id=ids["MUG-1"], qty=1, src_id=ids["B-01"], dst_id=ids["A-01"],
                         created_at=NOW - ago)
        db.session.add(move)
        db.session.flush()
        _task, variance = _count(users["picker"].id, cls="C", ago=ago, reason="recount", status="posted",
                               variance_status="approved")
        variance.value_cents, variance.adjustment_move_id = value_cents, move.id

    def build():
        adjusted(timedelta(days=2), 1250)
        adjusted(timedelta(days=2), 300)
        adjusted(timedelta(days=60), 999)
        adjusted(timedelta(days=200), 5000)  # before the weeks shown
        db.session.flush()

    run_in_transaction(build)
    page = supervisor.get("/counts").text
    weeks = {row[0]: row for row in table(page, "ira-by-week")}
    assert len(weeks) == 12
    recent, older = _monday(NOW - timedelta(days=2)), _monday(NOW - timedelta(days=60))
    # The week of 2 days ago holds A's hit and miss (the approved recounts are not first counts).
    assert weeks[recent][1:] == ["50.0 % (1/2)", "— (0/0)", "— (0/0)", "50.0 % (1/2)"]
    assert weeks[older][1:] == ["0.0 % (0/1)", "— (0/0)", "— (0/0)", "0.0 % (0/1)"]
    assert sum(int(row[4].split("(")[1].split("/")[1].rstrip(")")) for row in weeks.values()) == 5
    value = {row[0]: row[1:] for row in table(page, "adjustment-value")}
    assert value[recent] == ["2", "15.50"] and value[older] == ["1", "9.99"]
    assert sum(int(n) for n, _v in value.values()) == 3
    assert 'id="ira-chart"' in page and "<rect" in page
    csv = csv_rows(supervisor.get("/counts/adjustments.csv"))
    assert csv[0] == ["week", "adjustments", "value_cents"]
    assert [recent, "2", "1550"] in csv and [older, "1", "999"] in csv


def _pending(users):
    """A bin counted 7 (expected 5), recounted 8 by someone else: the recount's variance waits for approval."""
    def build():
        first, _v = _count(users["picker"].id, cls="A", ago=timedelta(hours=2), expected=5, counted=7)
        recount, variance = _count(users["packer"].id, cls="A", ago=timedelta(hours=1), reason="recount",
                                   status="approval", expected=5, counted=8, recount_of=first.id,
                                   variance_status="pending")
        return variance.id
    return run_in_transaction(build)


def _adjustments(variance_id: int) -> list[tuple[int, str]]:
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    db.session.expire_all()
    return db.session.execute(sa.select(StockMove.qty, StockMove.kind).where(
        StockMove.ref_type == "count_variance", StockMove.ref_id == variance_id)).all()


def test_the_approval_queue_shows_expected_and_both_counts_and_approve_posts_one_adjustment(floor, supervisor,
                                                                                              users):
    variance_id = _pending(users)
    page = supervisor.get("/counts").text
    assert rows(page, "variance") == [str(variance_id)]
    assert table(page, "count-approvals")[0][:8] == ["A-01", "MUG-1", "", "5", "7", "8", "+3", "7.50"]
    assert csv_rows(supervisor.get("/counts/approvals.csv"))[1][6:11] == ["5", "7", "8", "3", "750"]
    token = csrf_token(page)
    r = supervisor.post(f"/counts/variances/{variance_id}/approve", data={"csrf_token": token})
    assert r.status_code == 302
    assert flashes(supervisor.get("/counts").text) == ["Variance approved: the stock is adjusted."]
    assert [(qty, kind.value) for qty, kind in _adjustments(variance_id)] == [(3, "count")]
    # Approved twice (a second tab): refused, still one adjustment; the queue is empty.
    supervisor.post(f"/counts/variances/{variance_id}/approve", data={"csrf_token": token})
    page = supervisor.get("/counts").text
    assert flashes(page) == ["This variance was decided already."]
    assert len(_adjustments(variance_id)) == 1 and rows(page, "variance") == []


def test_approve_is_refused_without_a_form_token_and_for_a_floor_role(app, floor, supervisor, users):
    from server.auth import services
    from server.extensions import db
    variance_id = _pending(users)
    assert supervisor.post(f"/counts/variances/{variance_id}/approve").status_code == 400
    floor_client = app.test_client()
    token = csrf_token(floor_client.get("/login").text)
    session_id = run_in_transaction(lambda: services.start_web_session(db.session.merge(users["picker"]),
                                                                       timedelta(hours=1)))
    with floor_client.session_transaction() as s:
        s["uid"], s["sid"] = users["picker"].id, session_id
    assert floor_client.get("/counts").status_code == 403
    assert floor_client.post(f"/counts/variances/{variance_id}/approve",
                             data={"csrf_token": token}).status_code == 403
    assert _adjustments(variance_id) == []


def test_the_task_list_and_an_ad_hoc_count(floor, supervisor, users):
    _history(users)
    page = supervisor.get("/counts").text
    tasks = table(page, "count-tasks")
    # Open work only (to count, waiting for a recount): the posted counts of earlier days are not listed.
    assert sorted((t[1], t[2], t[3], t[5]) for t in tasks) == [
        ("A-01", "MUG-1", "A", "Waiting for a recount"), ("A-01", "MUG-1", "A", "Waiting for a recount"),
        ("B-01", "whole bin", "C", "To count")]
    r = supervisor.post("/counts/tasks", data={"location": "B-01", "item": "CUP-9", "csrf_token": csrf_token(page)})
    assert r.status_code == 302
    page = supervisor.get("/counts").text
    assert flashes(page) == ["Count of B-01 asked for."]
    assert ["B-01", "CUP-9", "Supervisor request", "To count"] in [[t[1], t[2], t[4], t[5]]
                                                                  for t in table(page, "count-tasks")]
    assert len(csv_rows(supervisor.get("/counts/tasks.csv"))) == 1 + 4
    r = supervisor.post("/counts/tasks", data={"location": "NOPE-9", "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and len(flashes(supervisor.get(r.location).text)) == 1
    assert len(table(supervisor.get("/counts").text, "count-tasks")) == 4  # nothing asked for an unknown bin


def test_reject_sends_the_bin_back_for_a_recount_and_posts_nothing(floor, supervisor, users):
    variance_id = _pending(users)
    r = supervisor.post(f"/counts/variances/{variance_id}/reject",
                        data={"csrf_token": csrf_token(supervisor.get("/counts").text)})
    assert r.status_code == 302
    page = supervisor.get("/counts").text
    assert flashes(page) == ["Variance rejected: the bin is recounted."]
    assert _adjustments(variance_id) == [] and rows(page, "variance") == []
    assert ["A-01", "MUG-1", "Recount", "To count"] in [[t[1], t[2], t[4], t[5]] for t in table(page, "count-tasks")]


def test_build_todays_list_and_classify_from_the_page(floor, supervisor):
    token = csrf_token(supervisor.get("/counts").text)
    assert supervisor.post("/counts/classify", data={"csrf_token": token}).status_code == 302
    assert flashes(supervisor.get("/counts").text)[0].startswith("Items classified: A ")
    assert supervisor.post("/counts/list", data={"target_minutes": "30", "csrf_token": token}).status_code == 302
    page = supervisor.get("/counts").text
    assert flashes(page) == ["Today's count list is built for 30 minutes."]
    assert "Today's list: 30 minutes." in page
    r = supervisor.post("/counts/list", data={"target_minutes": "0", "csrf_token": token})
    assert r.status_code == 302 and len(flashes(supervisor.get("/counts").text)) == 1

"""The counts API (docs/counts-api.md): blind answers to the counter, the recount refused to the first counter,
the supervisor's approval posting once."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.factories import make_actor, make_item, make_location, make_stock, make_token, make_user
from tests.helpers import ApiClient, assert_problem

pytestmark = pytest.mark.rollback

EXPECTED = 7319  # a number no id or code in this test reaches: its absence from an answer means something
BLIND_KEYS = {"expected", "expected_qty", "delta", "variance", "balance", "on_hand", "value_cents"}


def _keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def _blind(r):
    """The answer hides the record: no expected quantity by any name, and not the number itself."""
    assert r.status_code < 500, r.get_data(as_text=True)
    body = r.get_json(force=True)
    assert not BLIND_KEYS & set(_keys(body)), body
    assert str(EXPECTED) not in json.dumps(body)
    return body


def test_blind_count_recount_and_approval_over_http(api, users, client):
    from server.counts.models import CountVariance, ItemClass
    from server.extensions import db
    from server.http import run_in_transaction

    def setup():
        item = make_item(value_cents=250, barcodes=["4006381333931"])
        db.session.add(ItemClass(item_id=item.id, abc_class="A"))
        bin_ = make_location()
        make_stock(item, bin_, EXPECTED)
        return item.sku, bin_.code, make_user()
    sku, bin_code, other = run_in_transaction(setup)
    first, second = api("picker"), ApiClient(client, make_token(other))

    r = api("supervisor").post("/api/counts/tasks", json={"location": bin_code})
    assert r.status_code == 201, r.json
    task_id = _blind(r)["id"]
    task = _blind(first.get("/api/counts/next"))
    assert (task["id"], task["location"], task["entries"]) == (task_id, bin_code, [])
    # Scan once (the barcode: one unit), then scan and type the rest.
    _blind(first.post(f"/api/counts/tasks/{task_id}/entries", json={"item": "4006381333931"}))
    body = _blind(first.post(f"/api/counts/tasks/{task_id}/entries", json={"item": sku, "qty": 7000}))
    assert [e["qty"] for e in body["entries"]] == [1, 7000]
    done = _blind(first.post(f"/api/counts/tasks/{task_id}/finish", json={}))
    assert done["status"] == "recount" and done["next"] is None  # never their own recount

    assert_problem(first.get("/api/counts/next"), 404, "no_count_task")
    recount = _blind(second.get("/api/counts/next"))
    assert recount["reason"] == "recount" and recount["location"] == bin_code
    assert_problem(first.post(f"/api/counts/tasks/{recount['id']}/entries", json={"item": sku, "qty": 1}),
                   409, "recount_excluded")
    _blind(second.post(f"/api/counts/tasks/{recount['id']}/entries", json={"item": sku, "qty": 7001}))
    assert _blind(second.post(f"/api/counts/tasks/{recount['id']}/finish", json={}))["status"] == "approval"

    variance_id = db.session.scalar(sa.select(CountVariance.id).where(CountVariance.task_id == recount["id"]))
    assert_problem(first.post(f"/api/counts/variances/{variance_id}/approve", json={}), 403)
    r = api("supervisor").post(f"/api/counts/variances/{variance_id}/approve", json={})
    assert r.status_code == 200, r.json
    assert (r.json["expected_qty"], r.json["counted_qty"], r.json["delta"]) == (EXPECTED, 7001, 7001 - EXPECTED)
    assert r.json["status"] == "approved" and r.json["adjustment_move_id"]
    assert_problem(api("supervisor").post(f"/api/counts/variances/{variance_id}/approve", json={}),
                   409, "variance_decided")
    stock = api("supervisor").get(f"/api/stock?item={sku}")
    assert stock.status_code == 200 and "7001" in stock.get_data(as_text=True)


def test_counter_refusals(api, users):
    from server.http import run_in_transaction
    bin_code = run_in_transaction(lambda: make_location().code)
    counter = api("picker")
    r = api("supervisor").post("/api/counts/tasks", json={"location": bin_code})
    task_id = r.json["id"]
    assert_problem(counter.post(f"/api/counts/tasks/{task_id}/finish", json={}), 409, "nothing_counted")
    assert_problem(counter.post(f"/api/counts/tasks/{task_id}/entries", json={"item": "NO-SUCH-THING", "qty": 1}),
                   404)
    assert_problem(counter.post(f"/api/counts/tasks/{task_id}/entries", json={"item": "X", "qty": -1}), 422)
    assert counter.post(f"/api/counts/tasks/{task_id}/empty", json={}).json["empty_confirmed"] is True
    assert counter.post(f"/api/counts/tasks/{task_id}/finish", json={}).json["status"] == "posted"
    assert_problem(counter.post(f"/api/counts/tasks/{task_id}/empty", json={}), 409, "task_closed")
    assert_problem(counter.post("/api/counts/tasks", json={"location": bin_code}), 403)

"""The picking API's contract (docs/picking-api.md): shapes, roles, problems with `expected`, idempotent picks."""

from __future__ import annotations

import pytest

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.helpers import assert_problem
from tests.picking.pickfloor import CASE, FLOOR, allocated, make_order  # noqa: F401  (FLOOR: the floor fixture)

pytestmark = pytest.mark.rollback


@pytest.fixture
def two_orders(floor, users):
    """Two allocated orders: PK-A x2 + PK-B x1, and PK-CASE x12."""
    boss = make_actor(users["supervisor"])
    return run_in_transaction(lambda: [o.id for o in allocated(make_order([("PK-A", 2), ("PK-B", 1)]),
                                                              make_order([("PK-CASE", 12)], hours=30), actor=boss)])


@pytest.fixture
def started(api, two_orders):
    """A released batch of both orders, bound to PCART-1 by the picker → the batch answer."""
    r = api("supervisor").post("/api/picking/batches", json={"size": 8})
    assert r.status_code == 201, r.json
    assert api("supervisor").post(f"/api/picking/batches/{r.json['id']}/release").status_code == 200
    r = api("picker").post("/api/picking/cart", json={"cart": "PCART-1"})
    assert r.status_code == 200, r.json
    return r.json


def body_for(task, **kw):
    return {"location": task["location"], "item": task["item"]["sku"], "qty": task["qty_left"],
            "tote": task["tote"]} | kw


def test_the_batch_answer_has_tasks_in_route_order_with_barcodes_totes_and_progress(started, api, two_orders):
    batch = started
    assert batch["status"] == "picking" and batch["cart"] == "PCART-1" and batch["code"].startswith("B")
    assert [t["sequence"] for t in batch["tasks"]] == sorted(t["sequence"] for t in batch["tasks"])
    assert batch["next"] == batch["tasks"][0]
    case_task = next(t for t in batch["tasks"] if t["item"]["sku"] == "PK-CASE")
    assert {"code": CASE, "units": 12} in case_task["item"]["barcodes"]
    assert case_task["tote"] == "PT-12" and case_task["tote_number"] == 2
    assert case_task["order"]["id"] == two_orders[1] and case_task["order"]["channel"] == "test"
    assert [(t["number"], t["code"], t["done"]) for t in batch["totes"]] == [(1, "PT-11", False), (2, "PT-12", False)]
    assert batch["progress"] == {"tasks": 3, "tasks_left": 3, "units": 15, "units_left": 15, "totes": 2,
                                 "totes_done": 0}
    assert api("picker").get("/api/picking/current").json == batch
    assert api("picker").get(f"/api/picking/batches/{batch['id']}").json == batch


def test_a_pick_answers_the_task_the_next_one_and_progress(started, api):
    task = started["tasks"][0]
    r = api("picker").post(f"/api/picking/tasks/{task['id']}/pick", json=body_for(task),
                           headers={"X-Scanned-At": "2026-11-30T09:30:00+01:00", "X-Device-Id": "HH-TEST-01"})
    assert r.status_code == 200, r.json
    assert r.json["task"]["status"] == "picked" and r.json["task"]["qty_left"] == 0
    assert r.json["next"]["id"] == started["tasks"][1]["id"]
    assert r.json["progress"]["tasks_left"] == 2
    assert r.json["batch"] == {"id": started["id"], "status": "picking"}
    assert r.json["order_status"] == "picking"


def test_wrong_scans_are_problems_naming_what_was_expected(started, api):
    task = next(t for t in started["tasks"] if t["item"]["sku"] == "PK-A")
    url = f"/api/picking/tasks/{task['id']}/pick"
    cases = [({"location": "PB-1-1"}, "wrong_location", "location", task["location"]),
             ({"item": "PK-D"}, "wrong_item", "item", "PK-A"),
             ({"tote": "PT-12"}, "wrong_tote", "tote", "PT-11"),
             ({"qty": 3}, "too_many", "qty", "at most 2")]
    for change, code, field, expected in cases:
        body = assert_problem(api("picker").post(url, json=body_for(task, **change)), 409, code, field=field)
        assert body["expected"] == expected
    assert_problem(api("picker").post(url, json=body_for(task, item="NOPE-404")), 404, "unknown_code")
    assert_problem(api("picker").post(url, json=body_for(task, qty=0)), 422, "invalid_input")
    assert_problem(api("picker").post("/api/picking/tasks/999999/pick", json=body_for(task)), 404, "not_found")


def test_a_replayed_pick_counts_once(started, api):
    """The handheld's offline queue sends the same Idempotency-Key again: the stored answer, nothing moves."""
    task = next(t for t in started["tasks"] if t["item"]["sku"] == "PK-A")
    url = f"/api/picking/tasks/{task['id']}/pick"
    first = api("picker").post(url, json=body_for(task, qty=1), key="pick-once-1")
    again = api("picker").post(url, json=body_for(task, qty=1), key="pick-once-1")
    assert first.status_code == again.status_code == 200 and again.json == first.json
    assert first.json["task"]["qty_picked"] == 1
    stock = api("picker").get("/api/stock?item=PK-A").json
    assert {x["location"]: x["qty"] for x in stock["locations"]}["PT-11"] == 1


def test_a_case_pack_scan_without_qty_picks_the_case(started, api):
    task = next(t for t in started["tasks"] if t["item"]["sku"] == "PK-CASE")
    body = {"location": task["location"], "item": CASE, "tote": "PT-12"}
    r = api("picker").post(f"/api/picking/tasks/{task['id']}/pick", json=body)
    assert r.status_code == 200, r.json
    assert r.json["task"]["qty_picked"] == 12 and r.json["order_status"] == "picked"
    assert r.json["progress"]["totes_done"] == 1


def test_short_and_skip(started, api):
    task = next(t for t in started["tasks"] if t["item"]["sku"] == "PK-A")
    skipped = api("picker").post(f"/api/picking/tasks/{task['id']}/skip", json={})
    assert skipped.status_code == 200 and skipped.json["task"]["status"] == "skipped"
    assert skipped.json["task"]["sequence"] == 4 and skipped.json["next"]["id"] != task["id"]
    r = api("picker").post(f"/api/picking/tasks/{task['id']}/short", json={"found": 1, "tote": "PT-11"})
    assert r.status_code == 200, r.json
    assert r.json["task"]["status"] == "short" and r.json["task"]["qty_picked"] == 1
    [new] = r.json["new_tasks"]
    assert (new["location"], new["qty"], new["tote"], new["sequence"]) == ("PA-3-4", 1, "PT-11", 5)
    assert r.json["missing"] == 0
    assert r.json["count_request"]["location"] == task["location"] and r.json["count_request"]["item"] == "PK-A"
    assert_problem(api("picker").post(f"/api/picking/tasks/{task['id']}/short", json={"found": 0}), 409,
                   "task_closed")


def test_supervisor_routes_and_roles(api, two_orders):
    assert_problem(api("picker").post("/api/picking/batches", json={}), 403)
    assert_problem(api("picker").get("/api/picking/batches"), 403)
    assert_problem(api("packer").post("/api/picking/cart", json={"cart": "PCART-1"}), 403)
    assert_problem(api("picker").get("/api/picking/current"), 404, "no_batch")
    assert_problem(api("picker").post("/api/picking/cart", json={"cart": "PCART-1"}), 404, "nothing_to_pick")
    assert_problem(api("supervisor").post("/api/picking/batches", json={"zone": "ZZ"}), 404, field="zone")
    made = api("supervisor").post("/api/picking/batches", json={"size": 1, "zone": "pa"})
    assert made.status_code == 201 and made.json["status"] == "draft" and made.json["zone"] == "PA"
    listed = api("supervisor").get("/api/picking/batches?status=draft").json["batches"]
    assert [b["id"] for b in listed] == [made.json["id"]] and "tasks" not in listed[0]
    cancelled = api("supervisor").post(f"/api/picking/batches/{made.json['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert_problem(api("supervisor").post(f"/api/picking/batches/{made.json['id']}/release"), 409, "batch_status")
    api("supervisor").post("/api/picking/batches", json={})
    assert_problem(api("supervisor").post("/api/picking/batches", json={}), 409, "nothing_to_batch")

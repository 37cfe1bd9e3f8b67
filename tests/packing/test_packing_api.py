"""The packing API's contract: the pack state's shape, refusals as problems with `expected`, roles, a scale's
reading as the weight, and a replayed scan (same Idempotency-Key) packing once."""

from __future__ import annotations

import pytest

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.helpers import assert_problem
from tests.packing.packfloor import CASE, FLOOR, MUG_GTIN, make_order, picked, tote_of

pytestmark = pytest.mark.rollback


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def order(floor, users):
    def setup():
        made = make_order([("KP-MUG", 2), ("KP-CAN", 12)])
        picked(made, boss=make_actor(users["supervisor"]), picker=make_actor(users["picker"]))
        return made.id, tote_of(made)
    return run_in_transaction(setup)


def test_start_answers_the_pack_state_with_package_1_open(api, order):
    order_id, tote = order
    r = api("packer").post("/api/packing/start", {"code": tote, "station": "KPACK-1"})
    assert r.status_code == 200, r.json
    state = r.json
    assert (state["id"], state["status"], state["open_package"], state["all_packed"]) == (order_id, "picked", 1, False)
    assert [(x["sku"], x["qty"], x["picked"], x["packed"], x["left"], x["short"]) for x in state["lines"]] == \
        [("KP-MUG", 2, 2, 0, 2, 0), ("KP-CAN", 12, 12, 0, 12, 0)]
    assert state["lines"][1]["barcodes"] == [{"code": CASE, "units": 12}]
    (package,) = state["packages"]
    assert (package["number"], package["status"], package["station"], package["units"]) == (1, "open", "KPACK-1", 0)
    assert package["container"].startswith("PKG-")
    assert state["units"] == {"ordered": 14, "picked": 14, "packed": 0, "left": 14}
    assert api("packer").get(f"/api/packing/orders/{order_id}").json == state


def test_scans_pack_units_and_refuse_loudly_with_what_is_expected(api, order):
    order_id, tote = order
    packer = api("packer")
    packer.post("/api/packing/start", {"code": tote, "station": "KPACK-1"})
    r = packer.post(f"/api/packing/orders/{order_id}/scan", {"code": CASE})
    assert r.status_code == 200 and r.json["last"] == {"sku": "KP-CAN", "qty": 12, "package": 1}
    assert r.json["packages"][0]["suggested_box"]["code"] == "BX-M"  # 12 cans: 6 l
    body = assert_problem(packer.post(f"/api/packing/orders/{order_id}/scan", {"code": "KP-BOOK"}), 409,
                          "wrong_item", field="code")
    assert body["expected"] == "KP-MUG ×2"
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/scan", {"code": "KP-CAN"}), 409,
                   "nothing_left_of_item")
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/scan", {"code": MUG_GTIN, "qty": 3}), 409,
                   "too_many")
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/scan", {"code": MUG_GTIN, "package": 7}), 422)
    assert_problem(packer.post("/api/packing/orders/999999/scan", {"code": MUG_GTIN}), 404)


def test_a_replayed_scan_packs_once(api, order):
    order_id, tote = order
    packer = api("packer")
    packer.post("/api/packing/start", {"code": tote})
    first = packer.post(f"/api/packing/orders/{order_id}/scan", {"code": MUG_GTIN}, key="scan-1")
    again = packer.post(f"/api/packing/orders/{order_id}/scan", {"code": MUG_GTIN}, key="scan-1")
    assert first.status_code == again.status_code == 200 and again.json == first.json
    state = packer.get(f"/api/packing/orders/{order_id}").json
    assert state["units"]["packed"] == 1


def test_two_packages_closed_by_box_and_by_scale_pack_the_order(api, order):
    order_id, tote = order
    packer = api("packer")
    packer.post("/api/packing/start", {"code": tote, "station": "KPACK-1"})
    packer.post(f"/api/packing/orders/{order_id}/scan", {"code": CASE})
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/packages/1/close", {"box": "BX-M"}), 422,
                   field="weight_g")
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/packages/1/close",
                               {"box": "BX-M", "weight": "heavy"}), 422, field="weight")
    assert_problem(packer.post(f"/api/packing/orders/{order_id}/packages/1/close",
                               {"box": "NOPE", "weight_g": 10}), 404, "unknown_box")
    r = packer.post(f"/api/packing/orders/{order_id}/packages/1/close", {"box": "bx-m", "weight": "4.62 kg"})
    assert r.status_code == 200, r.json
    assert (r.json["packages"][0]["status"], r.json["packages"][0]["weight_g"], r.json["open_package"]) == \
        ("packed", 4620, None)
    r = packer.post(f"/api/packing/orders/{order_id}/packages", {})
    assert r.status_code == 201 and r.json["open_package"] == 2
    packer.post(f"/api/packing/orders/{order_id}/scan", {"code": MUG_GTIN, "qty": 2})
    r = packer.post(f"/api/packing/orders/{order_id}/packages/2/close",
                    {"length_mm": 200, "width_mm": 150, "height_mm": 100, "weight_g": 760})
    assert (r.json["status"], r.json["ready_to_ship"], r.json["all_packed"]) == ("packed", True, True)
    assert [p["number"] for p in r.json["packages"]] == [1, 2]


def test_override_is_for_supervisors_and_needs_a_reason(api, order):
    order_id, tote = order
    api("packer").post("/api/packing/start", {"code": tote})
    assert_problem(api("packer").post(f"/api/packing/orders/{order_id}/override", {"reason": "ok"}), 403)
    assert_problem(api("supervisor").post(f"/api/packing/orders/{order_id}/override", {}), 422, field="reason")
    r = api("supervisor").post(f"/api/packing/orders/{order_id}/override", {"reason": "cans recalled"})
    assert r.status_code == 200 and r.json["override"]["reason"] == "cans recalled"


def test_send_back_returns_the_order_to_open(api, order):
    order_id, tote = order
    api("packer").post("/api/packing/start", {"code": tote})
    r = api("packer").post(f"/api/packing/orders/{order_id}/send-back", {"reason": "address unknown"})
    assert r.status_code == 200 and r.json["status"] == "open" and r.json["packages"] == []


def test_pickers_and_receivers_may_not_pack(api, order):
    _order_id, tote = order
    for role in ("picker", "receiver"):
        assert_problem(api(role).post("/api/packing/start", {"code": tote}), 403)

"""Stock rules the ledger owns for every writer: lot choice, blocked locations, reason codes per kind.

Issue 6, defects A1 (lots chosen silently), A2 (blocked bins accept stock), A3 (free-text reasons).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import FloorPlan, place, sku
from tests.helpers import assert_problem

# Rules, checked through the API's answers: each test in a rolled-back transaction (tests/conftest.py).
pytestmark = pytest.mark.rollback

YOG, YOG_GTIN = "SKU-YOG", "09501101530003"
MUG = "SKU-MUG"


# Bins A-01 (two yoghurt lots), A-02 (one lot), A-03 (empty), A-04 (6 mugs, no lot), BLOCKED (blocked, empty),
# a dock holding two lots and a blocked dock. A-01: L-LATE 4 units expiring 2027-09-30, L-EARLY 3 expiring
# 2027-03-31; A-02: L-ONE 5; DOCK-1: 5 of L-EARLY, 2 of L-LATE.
FLOOR = FloorPlan(
    locations=(*(place(code, zone="A", seq=n + 1) for n, code in enumerate(("A-01", "A-02", "A-03", "A-04"))),
               place("BLOCKED", zone="A", seq=9, blocked=True), place("DOCK-1", "dock"),
               place("DOCK-X", "dock", blocked=True)),
    items=(sku(YOG, "Yoghurt", barcodes=[YOG_GTIN], tracks_lot=True, tracks_expiry=True), sku(MUG, "Blue mug")),
    stock=((YOG, "A-01", 4, "L-LATE", date(2027, 9, 30)), (YOG, "A-01", 3, "L-EARLY", date(2027, 3, 31)),
           (YOG, "A-02", 5, "L-ONE", date(2027, 5, 1)), (YOG, "DOCK-1", 5, "L-EARLY", date(2027, 3, 31)),
           (YOG, "DOCK-1", 2, "L-LATE", date(2027, 9, 30)), (MUG, "A-04", 6)))


def stock(api, item: str) -> dict:
    r = api("picker").get(f"/api/stock?item={item}")
    assert r.status_code == 200, r.json
    return {(ln["location"], ln["lot"]): ln["qty"] for ln in r.json["locations"]}


BEFORE = {("A-01", "L-EARLY"): 3, ("A-01", "L-LATE"): 4, ("A-02", "L-ONE"): 5, ("DOCK-1", "L-EARLY"): 5,
          ("DOCK-1", "L-LATE"): 2}


# --- A1: a bin with two lots asks which ---------------------------------------------------------------

def test_a_move_by_plain_gtin_out_of_a_two_lot_bin_asks_for_the_lot(api, floor):
    r = api("picker").post("/api/moves", {"item": YOG_GTIN, "qty": 2, "from": "A-01", "to": "A-03"})
    body = assert_problem(r, 422, "lot_required", field="lot")
    assert "A-01" in body["detail"] and "lot" in body["detail"]
    assert body["lots"] == [
        {"lot": "L-EARLY", "expiry": "2027-03-31", "qty": 3, "available": 3, "first_expiry": True},
        {"lot": "L-LATE", "expiry": "2027-09-30", "qty": 4, "available": 4, "first_expiry": False},
    ]
    assert stock(api, YOG) == BEFORE


def test_a_location_lists_its_lots_first_expiry_first_with_the_first_marked(api, floor):
    """The handheld shows the same choice before the write as the ledger would ask for."""
    held = api("picker").get("/api/locations/A-01/stock").json["items"]
    assert [(x["lot"], x["expiry"], x["first_expiry"]) for x in held] == [
        ("L-EARLY", "2027-03-31", True), ("L-LATE", "2027-09-30", False)]
    mugs = api("picker").get("/api/locations/A-04/stock").json["items"]
    assert [(x["item"], x["lot"], x["first_expiry"]) for x in mugs] == [(MUG, None, False)]


def test_the_chosen_lot_moves(api, floor):
    r = api("picker").post("/api/moves", {"item": YOG_GTIN, "qty": 2, "from": "A-01", "to": "A-03",
                                          "lot": "L-LATE"})
    assert r.status_code == 201, r.json
    assert (r.json["lot"], r.json["expiry"], r.json["qty"]) == ("L-LATE", "2027-09-30", 2)
    assert stock(api, YOG)[("A-01", "L-LATE")] == 2 and stock(api, YOG)[("A-03", "L-LATE")] == 2


def test_a_single_lot_bin_moves_its_lot_without_asking(api, floor):
    r = api("picker").post("/api/moves", {"item": YOG, "qty": 2, "from": "A-02", "to": "A-03"})
    assert r.status_code == 201, r.json
    assert r.json["lot"] == "L-ONE"
    assert stock(api, YOG)[("A-03", "L-ONE")] == 2


def test_fefo_true_takes_lots_first_expiry_first(api, floor):
    r = api("picker").post("/api/moves", {"item": YOG, "qty": 5, "from": "A-01", "to": "A-03", "fefo": True})
    assert r.status_code == 201, r.json
    assert [(p["lot"], p["qty"]) for p in r.json["parts"]] == [("L-EARLY", 3), ("L-LATE", 2)]
    assert stock(api, YOG)[("A-03", "L-EARLY")] == 3 and stock(api, YOG)[("A-03", "L-LATE")] == 2


def test_units_without_a_lot_are_chosen_with_an_explicit_null(api, floor):
    sup = api("supervisor")
    assert sup.post("/api/adjustments", {"item": MUG, "location": "A-04", "qty": 2, "reason": "found",
                                         "lot": "M1", "expiry": "2028-01-31"}).status_code == 201
    asked = api("picker").post("/api/moves", {"item": MUG, "qty": 1, "from": "A-04", "to": "A-03"})
    body = assert_problem(asked, 422, "lot_required")
    assert [(x["lot"], x["qty"], x["first_expiry"]) for x in body["lots"]] == [("M1", 2, True), (None, 6, False)]
    plain = api("picker").post("/api/moves", {"item": MUG, "qty": 1, "from": "A-04", "to": "A-03", "lot": None})
    assert plain.status_code == 201, plain.json
    assert plain.json["lot"] is None
    assert stock(api, MUG) == {("A-03", None): 1, ("A-04", "M1"): 2, ("A-04", None): 5}


def test_a_putaway_from_a_two_lot_dock_asks_for_the_lot(api, floor):
    r = api("receiver").post("/api/putaways", {"item": YOG, "qty": 1, "from": "DOCK-1", "to": "A-03",
                                               "reason": "other"})
    body = assert_problem(r, 422, "lot_required", field="lot")
    assert [x["lot"] for x in body["lots"]] == ["L-EARLY", "L-LATE"]
    chosen = api("receiver").post("/api/putaways", {"item": YOG, "qty": 1, "from": "DOCK-1", "to": "A-03",
                                                    "reason": "other", "lot": "L-EARLY"})
    assert chosen.status_code == 201, chosen.json
    assert chosen.json["lot"] == "L-EARLY"


def test_a_negative_adjustment_of_a_two_lot_bin_asks_for_the_lot(api, floor):
    sup = api("supervisor")
    assert sup.post("/api/adjustments", {"item": MUG, "location": "A-04", "qty": 2, "reason": "found",
                                         "lot": "M1"}).status_code == 201
    r = sup.post("/api/adjustments", {"item": MUG, "location": "A-04", "qty": -1, "reason": "lost"})
    assert_problem(r, 422, "lot_required", field="lot")
    assert stock(api, MUG) == {("A-04", "M1"): 2, ("A-04", None): 6}


# --- A2: nothing arrives in a blocked location --------------------------------------------------------

def test_a_move_into_a_blocked_bin_is_refused(api, floor):
    r = api("picker").post("/api/moves", {"item": YOG, "qty": 1, "from": "A-02", "to": "BLOCKED"})
    body = assert_problem(r, 409, "location_blocked", field="to")
    assert "BLOCKED" in body["detail"]
    assert stock(api, YOG) == BEFORE


def test_a_putaway_into_a_blocked_bin_is_refused_even_with_a_reason(api, floor):
    for reason in (None, "other"):
        r = api("receiver").post("/api/putaways", {"item": YOG, "qty": 1, "from": "DOCK-1", "to": "BLOCKED",
                                                   "lot": "L-EARLY", "reason": reason, "suggested": "BLOCKED"})
        assert_problem(r, 409, "location_blocked", field="to")
    assert stock(api, YOG) == BEFORE


def _receipt(api) -> int:
    r = api("receiver").post("/api/receipts/blind", {})
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_receiving_into_a_blocked_dock_or_a_plate_on_it_is_refused(api, floor):
    from server.scanning.gs1 import gs1_check_digit

    receipt = _receipt(api)
    r = api("receiver").post(f"/api/receipts/{receipt}/receive", {"code": MUG, "qty": 1, "location": "DOCK-X"})
    assert_problem(r, 409, "location_blocked", field="location")
    base = "03761234000000077"
    plate = base + str(gs1_check_digit(base))
    r = api("receiver").post(f"/api/receipts/{receipt}/receive", {"code": MUG, "qty": 1, "location": "DOCK-X",
                                                                  "license_plate": plate})
    assert_problem(r, 409, "location_blocked", field="location")
    assert api("picker").get(f"/api/locations/{plate}/stock").status_code == 404
    assert api("receiver").get(f"/api/receipts/{receipt}").json["lines"] == []


def test_a_container_cannot_move_into_a_blocked_location_nor_stock_into_it(api, floor):
    sup = api("supervisor")
    assert sup.post("/api/locations", {"code": "TOTE-1", "kind": "tote", "parent": "A-03"}).status_code == 201
    assert sup.post("/api/locations", {"code": "TOTE-2", "kind": "tote", "parent": "BLOCKED"}).status_code == 201
    moved = api("picker").post("/api/container-moves", {"container": "TOTE-1", "to": "BLOCKED"})
    assert_problem(moved, 409, "location_blocked", field="to")
    assert api("picker").get("/api/locations/TOTE-1/stock").json["parent"] == "A-03"
    # A tote standing in a blocked bin is held with it.
    into_tote = api("picker").post("/api/moves", {"item": MUG, "qty": 1, "from": "A-04", "to": "TOTE-2"})
    assert_problem(into_tote, 409, "location_blocked", field="to")


def test_stock_may_leave_a_blocked_bin_and_a_supervisor_may_adjust_in_place(api, floor):
    sup = api("supervisor")
    found = sup.post("/api/adjustments", {"item": MUG, "location": "BLOCKED", "qty": 3, "reason": "found"})
    assert found.status_code == 201, found.json
    lost = sup.post("/api/adjustments", {"item": MUG, "location": "BLOCKED", "qty": -1, "reason": "damaged"})
    assert lost.status_code == 201, lost.json
    out = api("picker").post("/api/moves", {"item": MUG, "qty": 2, "from": "BLOCKED", "to": "A-03"})
    assert out.status_code == 201, out.json
    assert stock(api, MUG) == {("A-03", None): 2, ("A-04", None): 6}


# --- A3: reason codes per movement kind ---------------------------------------------------------------

def test_a_reversal_takes_only_a_reason_code_allowed_for_its_kind(api, floor):
    move = api("picker").post("/api/moves", {"item": MUG, "qty": 2, "from": "A-04", "to": "A-03"})
    assert move.status_code == 201, move.json
    sup = api("supervisor")
    for reason in ("felt like it", "receiving_error", "found"):
        r = sup.post(f"/api/movements/{move.json['id']}/reverse", {"reason": reason})
        body = assert_problem(r, 422, "invalid_reason", field="reason")
        assert "correction" in body["expected"]
        assert "receiving_error" not in body["expected"]
    assert stock(api, MUG) == {("A-03", None): 2, ("A-04", None): 4}
    ok = sup.post(f"/api/movements/{move.json['id']}/reverse", {"reason": "correction"})
    assert ok.status_code == 201, ok.json
    assert ok.json["reason"] == "correction"


def test_a_receipt_may_be_reversed_as_a_receiving_error(api, floor):
    receipt = _receipt(api)
    got = api("receiver").post(f"/api/receipts/{receipt}/receive", {"code": MUG, "qty": 2, "location": "DOCK-1"})
    assert got.status_code == 201, got.json
    back = api("supervisor").post(f"/api/movements/{got.json['movement']['id']}/reverse",
                                  {"reason": "receiving_error"})
    assert back.status_code == 201, back.json
    assert back.json["reason"] == "receiving_error"


def test_adjustments_and_putaway_overrides_refuse_reasons_of_other_kinds(api, floor):
    adj = api("supervisor").post("/api/adjustments", {"item": MUG, "location": "A-04", "qty": 1,
                                                      "reason": "closer_to_pick"})
    body = assert_problem(adj, 422, "invalid_reason", field="reason")
    assert "damaged" in body["expected"] and "closer_to_pick" not in body["expected"]
    put = api("receiver").post("/api/putaways", {"item": YOG, "qty": 1, "from": "DOCK-1", "to": "A-03",
                                                 "lot": "L-EARLY", "reason": "damaged"})
    body = assert_problem(put, 422, "invalid_reason", field="reason")
    assert "closer_to_pick" in body["expected"]
    plain_move = api("picker").post("/api/moves", {"item": MUG, "qty": 1, "from": "A-04", "to": "A-03"})
    assert plain_move.status_code == 201 and plain_move.json["reason"] is None
    assert stock(api, YOG) == BEFORE


def test_the_reasons_offered_per_kind_come_from_one_place(app):
    from server.inventory.codes import (ADJUST_REASONS, PUTAWAY_OVERRIDE_REASONS, MoveKind, ReasonCode,
                                        reasons_for, reversal_reasons)

    assert reasons_for(MoveKind.ADJUST) == ADJUST_REASONS
    assert reasons_for(MoveKind.PUTAWAY) == PUTAWAY_OVERRIDE_REASONS
    assert reasons_for(MoveKind.MOVE) == ()
    assert reversal_reasons(MoveKind.MOVE) == (ReasonCode.CORRECTION,)
    assert ReasonCode.RECEIVING_ERROR in reversal_reasons(MoveKind.RECEIVE)
    assert all(str(r.label) for r in ReasonCode)

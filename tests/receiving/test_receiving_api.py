"""Receiving, put-away, container moves, adjustments, reversals and movement history over the API."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from server.http import run_in_transaction
from server.scanning.gs1 import gs1_check_digit
from tests.factories import FloorPlan, place, sku
from tests.helpers import assert_problem

MUG, MUG_GTIN, MUG_CASE = "SKU-MUG", "4006381333931", "MUGCASE12"
LOT_ITEM, LOT_GTIN = "SKU-LOT", "09501101530003"
PLAIN = "SKU-PLAIN"
GS = "\x1d"


def sscc(serial: str) -> str:
    base = ("3761234" + serial).rjust(17, "0")[:17]
    return base + str(gs1_check_digit(base))


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


# Home zone A with bins of known capacity (one blocked), zone B, a dock, a staging spot, three items.
# A-01 (cap 10, holds 8 mugs)  A-02 (blocked, first in the walk)  A-03 (cap 3)  A-04 (cap 20)  B-01 (no cap)
FLOOR = FloorPlan(
    locations=(place("A-01", zone="A", seq=1, capacity_units=10),
               place("A-02", zone="A", seq=0, blocked=True), place("A-03", zone="A", seq=2, capacity_units=3),
               place("A-04", zone="A", seq=3, capacity_units=20),
               place("B-01", zone="B", seq=4), place("DOCK-1", "dock"), place("STAGE-1", "staging")),
    items=(sku(MUG, "Blue mug", barcodes=[MUG_GTIN, f"{MUG_CASE}*12"], home_zone="A"),
           sku(LOT_ITEM, "Yoghurt", barcodes=[LOT_GTIN], tracks_lot=True, tracks_expiry=True),
           sku(PLAIN, "Plain box")),
    stock=((MUG, "A-01", 8),))


def stock(api, item: str) -> dict:
    r = api("picker").get(f"/api/stock?item={item}")
    assert r.status_code == 200, r.json
    return {(ln["location"], ln["lot"], ln["expiry"]): ln["qty"] for ln in r.json["locations"]}


def new_receipt(api, ref="PO-100", lines=((MUG, 5),)) -> int:
    r = api("receiver").post("/api/receipts", {"reference": ref, "supplier": "ACME",
                                               "lines": [{"item": i, "qty": q} for i, q in lines]})
    assert r.status_code == 201, r.json
    return r.json["id"]


def receive(api, receipt: int, code: str, qty: int, location: str = "DOCK-1", role="receiver", **extra):
    return api(role).post(f"/api/receipts/{receipt}/receive", {"code": code, "qty": qty, "location": location, **extra})


def upload(api, role: str, path: str, text: str):
    return api(role).post(path, data={"file": (io.BytesIO(text.encode()), "upload.csv")},
                          content_type="multipart/form-data")


# --- receipts ------------------------------------------------------------------------------------------

def test_an_expected_receipt_is_created_with_merged_lines_and_listed(api, floor):
    r = api("receiver").post("/api/receipts", {
        "reference": "PO-100", "supplier": "ACME", "expected_at": "2026-12-01T08:00:00+01:00",
        "lines": [{"item": MUG, "qty": 10}, {"item": MUG_GTIN, "qty": 5}, {"item": PLAIN, "qty": 2}]})
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["reference"], body["supplier"], body["blind"], body["status"]) == ("PO-100", "ACME", False, "open")
    assert datetime.fromisoformat(body["expected_at"]) == datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)
    assert [(ln["item"], ln["expected"], ln["received"], ln["variance"]) for ln in body["lines"]] == [
        (MUG, 15, 0, -15), (PLAIN, 2, 0, -2)]
    fetched = api("receiver").get(f"/api/receipts/{body['id']}").json
    assert fetched["expected_at"] == "2026-12-01T07:00:00+00:00"  # stored and read back in UTC
    assert {**fetched, "expected_at": None} == {**body, "expected_at": None}
    listed = api("receiver").get("/api/receipts?status=open").json["receipts"]
    assert [x["reference"] for x in listed] == ["PO-100"]
    assert api("receiver").get("/api/receipts?status=closed").json["receipts"] == []


def test_receipt_refusals(api, floor):
    new_receipt(api, "PO-1")
    again = api("receiver").post("/api/receipts", {"reference": "PO-1", "lines": [{"item": MUG, "qty": 1}]})
    assert_problem(again, 422, field="reference")
    assert_problem(api("receiver").post("/api/receipts", {"reference": "PO-2", "lines": []}), 422, field="lines")
    unknown = api("receiver").post("/api/receipts", {"reference": "PO-3", "lines": [{"item": "NOPE", "qty": 1}]})
    assert_problem(unknown, 404, field="lines.0.item")
    assert_problem(api("receiver").get("/api/receipts/9999"), 404)
    assert [x["reference"] for x in api("receiver").get("/api/receipts").json["receipts"]] == ["PO-1"]


def test_csv_import_skips_a_receipt_with_a_bad_row_and_numbers_errors_as_in_the_file(api, floor):
    text = ("reference,supplier,item,qty\n"
            "PO-1,ACME,SKU-MUG,10\n"
            f"PO-1,ACME,{MUG_GTIN},2\n"
            "\n"
            "PO-2,Beta,SKU-PLAIN,3\n"
            "PO-2,Beta,NO-SUCH-ITEM,2\n"
            "PO-3,Beta,SKU-PLAIN,many\n"
            "PO-4,,SKU-PLAIN,1\n")
    r = upload(api, "receiver", "/api/receipts/import", text)
    assert r.status_code == 200, r.json
    assert r.json["created"] == 2
    assert [e["line"] for e in r.json["errors"]] == [6, 7]
    assert "NO-SUCH-ITEM" in r.json["errors"][0]["reason"] and "qty" in r.json["errors"][1]["reason"]
    receipts = {x["reference"]: x for x in api("receiver").get("/api/receipts").json["receipts"]}
    assert set(receipts) == {"PO-1", "PO-4"}  # PO-2 had one bad row: none of it was imported
    assert [(ln["item"], ln["expected"]) for ln in receipts["PO-1"]["lines"]] == [(MUG, 12)]
    assert receipts["PO-4"]["supplier"] is None


def test_csv_import_without_the_needed_columns_reports_line_1(api, floor):
    r = upload(api, "receiver", "/api/receipts/import", "reference,item\nPO-1,SKU-MUG\n")
    assert r.status_code == 200
    assert r.json["created"] == 0 and r.json["errors"][0]["line"] == 1 and "qty" in r.json["errors"][0]["reason"]


def test_a_blind_receipt_counts_what_arrives_without_flags(api, floor):
    r = api("receiver").post("/api/receipts/blind", {"supplier": "Walk-in"})
    assert r.status_code == 201, r.json
    assert r.json["blind"] is True and r.json["lines"] == [] and r.json["reference"].startswith("BLIND-")
    second = api("receiver").post("/api/receipts/blind", {})
    assert second.status_code == 201 and second.json["reference"] != r.json["reference"]
    got = receive(api, r.json["id"], MUG, 3)
    assert got.status_code == 201, got.json
    assert got.json["flags"] == []
    assert got.json["line"] == {"item": MUG, "name": "Blue mug", "expected": 0, "received": 3, "variance": 3}
    m = got.json["movement"]
    assert (m["kind"], m["item"], m["qty"], m["from"], m["to"]) == ("receive", MUG, 3, "SUPPLIER", "DOCK-1")
    assert (m["ref_type"], m["ref_id"]) == ("receipt", r.json["id"])
    assert stock(api, MUG)[("DOCK-1", None, None)] == 3


# --- receive -------------------------------------------------------------------------------------------

def test_receive_by_gtin_puts_units_on_the_dock(api, floor):
    receipt = new_receipt(api, lines=((MUG, 10),))
    for code in (MUG_GTIN, MUG_GTIN.zfill(14), "]E0" + MUG_GTIN):
        r = receive(api, receipt, code, 2)
        assert r.status_code == 201, (code, r.json)
    assert stock(api, MUG) == {("A-01", None, None): 8, ("DOCK-1", None, None): 6}
    line = api("receiver").get(f"/api/receipts/{receipt}").json["lines"][0]
    assert (line["received"], line["variance"]) == (6, -4)


@pytest.mark.parametrize("scan", [
    "]C1" + "01" + LOT_GTIN + "10" + "LOT7" + GS + "17" + "270630",
    "]C1" + "01" + LOT_GTIN + "17" + "270630" + "10" + "LOT7",
])
def test_receive_a_gs1_scan_puts_its_lot_and_expiry_on_the_balance(api, floor, scan):
    receipt = new_receipt(api, lines=((LOT_ITEM, 4),))
    r = receive(api, receipt, scan, 4)
    assert r.status_code == 201, r.json
    assert (r.json["movement"]["lot"], r.json["movement"]["expiry"]) == ("LOT7", "2027-06-30")
    assert r.json["flags"] == []
    assert stock(api, LOT_ITEM) == {("DOCK-1", "LOT7", "2027-06-30"): 4}


def test_a_case_pack_barcode_stands_for_a_case_of_units(api, floor):
    """A case scan tells the handheld how many units it stands for (12); qty always counts units, so the
    handheld pre-fills 12 per case and a case scan never multiplies by surprise (services.receive)."""
    scanned = api("receiver").scan(MUG_CASE)
    assert scanned.status_code == 200, scanned.json
    assert (scanned.json["kind"], scanned.json["item"]["sku"], scanned.json["item"]["units"]) == ("item", MUG, 12)
    receipt = new_receipt(api, lines=((MUG, 24),))
    r = receive(api, receipt, MUG_CASE, 2 * scanned.json["item"]["units"])
    assert r.status_code == 201, r.json
    assert (r.json["movement"]["item"], r.json["movement"]["qty"]) == (MUG, 24)
    assert r.json["line"]["received"] == 24 and r.json["flags"] == []
    assert stock(api, MUG)[("DOCK-1", None, None)] == 24


def test_over_receipt_and_unexpected_items_are_flagged(api, floor):
    receipt = new_receipt(api, lines=((MUG, 5),))
    assert receive(api, receipt, MUG, 3).json["flags"] == []
    assert receive(api, receipt, MUG, 2).json["flags"] == []  # exactly as expected
    over = receive(api, receipt, MUG, 1)
    assert over.status_code == 201 and over.json["flags"] == ["over_receipt"]
    assert (over.json["line"]["received"], over.json["line"]["variance"]) == (6, 1)
    extra = receive(api, receipt, PLAIN, 2)
    assert extra.status_code == 201 and extra.json["flags"] == ["unexpected_item"]
    assert extra.json["line"] == {"item": PLAIN, "name": "Plain box", "expected": 0, "received": 2, "variance": 2}
    lines = api("receiver").get(f"/api/receipts/{receipt}").json["lines"]
    assert [(ln["item"], ln["expected"], ln["received"]) for ln in lines] == [(MUG, 5, 6), (PLAIN, 0, 2)]


def test_a_lot_tracked_item_without_its_lot_is_a_422_and_receives_nothing(api, floor):
    receipt = new_receipt(api, lines=((LOT_ITEM, 4),))
    assert_problem(receive(api, receipt, LOT_GTIN, 4), 422, field="lot")
    assert_problem(receive(api, receipt, LOT_GTIN, 4, lot="L1"), 422, field="expiry")  # it tracks expiry too
    typed = receive(api, receipt, LOT_GTIN, 4, lot="L1", expiry="2027-02-28")
    assert typed.status_code == 201, typed.json
    assert stock(api, LOT_ITEM) == {("DOCK-1", "L1", "2027-02-28"): 4}


@pytest.mark.parametrize("location", ["A-03", "B-01"])
def test_receiving_into_a_bin_is_refused(api, floor, location):
    receipt = new_receipt(api)
    r = receive(api, receipt, MUG, 1, location=location)
    assert_problem(r, 422, "not_a_receiving_location", field="location")
    assert receive(api, receipt, MUG, 1, location="stage-1").status_code == 201
    assert stock(api, MUG) == {("A-01", None, None): 8, ("STAGE-1", None, None): 1}


def test_receive_refusals_for_unknown_things(api, floor):
    receipt = new_receipt(api)
    assert_problem(receive(api, 9999, MUG, 1), 404, field="receipt_id")
    assert_problem(receive(api, receipt, MUG, 1, location="NOWHERE"), 404, field="location")
    assert_problem(receive(api, receipt, "A-03", 1), 422, field="code")  # a location is not an item
    assert_problem(receive(api, receipt, MUG, 0), 422, field="qty")


def test_receiving_onto_a_new_license_plate_creates_a_pallet_under_the_dock(api, floor):
    receipt = new_receipt(api, lines=((MUG, 10),))
    plate = sscc("000000001")
    r = receive(api, receipt, MUG, 4, license_plate=plate)
    assert r.status_code == 201, r.json
    assert r.json["location"] == plate and r.json["movement"]["to"] == plate
    again = receive(api, receipt, MUG, 2, license_plate="00" + plate)  # scanned with its AI: the same plate
    assert again.status_code == 201 and again.json["location"] == plate
    held = api("picker").get(f"/api/locations/{plate}/stock").json
    assert (held["kind"], held["parent"]) == ("pallet", "DOCK-1")
    assert [(x["item"], x["qty"]) for x in held["items"]] == [(MUG, 6)]
    assert api("picker").get("/api/locations/DOCK-1/stock").json["containers"] == [plate]
    assert stock(api, MUG)[(plate, None, None)] == 6


def test_a_bad_sscc_is_a_422_and_creates_nothing(api, floor):
    receipt = new_receipt(api)
    bad = wrong_check_digit(sscc("000000002"))
    for plate in (bad, "12345", "ABCDEFGHIJKLMNOPQR"):
        assert_problem(receive(api, receipt, MUG, 1, license_plate=plate), 422, field="license_plate")
    assert_problem(api("picker").get(f"/api/locations/{bad}/stock"), 404)
    assert ("DOCK-1", None, None) not in stock(api, MUG)


def test_a_closed_receipt_takes_nothing_more(api, floor):
    receipt = new_receipt(api, lines=((MUG, 5),))
    assert receive(api, receipt, MUG, 2).status_code == 201
    closed = api("receiver").post(f"/api/receipts/{receipt}/close")
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed" and closed.json["lines"][0]["variance"] == -3
    assert_problem(receive(api, receipt, MUG, 1), 409, "receipt_closed")
    assert_problem(api("receiver").post(f"/api/receipts/{receipt}/close"), 409, "receipt_closed")
    assert stock(api, MUG)[("DOCK-1", None, None)] == 2


# --- put-away ------------------------------------------------------------------------------------------

def suggest(api, item, qty, src="DOCK-1"):
    r = api("receiver").get(f"/api/putaway/suggestion?item={item}&qty={qty}&from={src}")
    assert r.status_code == 200, r.json
    return r.json


def test_putaway_suggestions_follow_the_rules(api, floor):
    # A bin that already holds the item and has room wins.
    assert suggest(api, MUG, 2)["suggested"] == "A-01"
    # A-01 has room for 2 only: then an empty bin in the item's home zone, big enough (A-03 holds 3).
    assert suggest(api, MUG, 5) == {"item": MUG, "qty": 5, "from": "DOCK-1", "suggested": "A-04",
                                    "why": "empty bin in the item's home zone"}
    assert suggest(api, MUG, 3)["suggested"] == "A-03"
    # Nothing in the home zone is big enough: any empty bin with room.
    assert suggest(api, MUG, 25)["suggested"] == "B-01"
    # No home zone: the first empty bin in the walk that has room; the blocked A-02 comes first but never counts.
    assert suggest(api, PLAIN, 1)["suggested"] == "A-03"
    assert suggest(api, PLAIN, 4)["suggested"] == "A-04"
    assert_problem(api("receiver").get("/api/putaway/suggestion?item=NOPE&qty=1"), 404, field="item")


def test_the_blocked_bin_is_never_suggested_even_when_it_holds_the_item(api, floor):
    from server.extensions import db
    from server.inventory.ledger import Actor
    from server.inventory.locations import find_location
    from server.inventory.moves import adjust_stock

    def hold_and_block():
        adjust_stock(item_code=PLAIN, location_code="A-02", delta=1, reason="found", actor=Actor(user_id=None))
        find_location("A-03").blocked = True
        db.session.flush()
    run_in_transaction(hold_and_block)
    assert suggest(api, PLAIN, 1)["suggested"] == "A-04"


def test_putaway_into_the_suggested_bin_or_with_a_reason(api, floor):
    receipt = new_receipt(api, lines=((MUG, 20),))
    assert receive(api, receipt, MUG, 20).status_code == 201
    client = api("receiver")

    first = client.post("/api/putaways", {"item": MUG, "qty": 5, "from": "DOCK-1", "to": "A-04"})
    assert first.status_code == 201, first.json
    assert (first.json["kind"], first.json["from"], first.json["to"], first.json["qty"]) == ("putaway", "DOCK-1", "A-04", 5)

    # Suggested for 2 more is A-01 (holds mugs, has room); B-01 is another bin: say why.
    assert suggest(api, MUG, 2)["suggested"] == "A-01"
    no_reason = client.post("/api/putaways", {"item": MUG, "qty": 2, "from": "DOCK-1", "to": "B-01"})
    assert_problem(no_reason, 422, "reason_required", field="reason")
    bad_reason = client.post("/api/putaways", {"item": MUG, "qty": 2, "from": "DOCK-1", "to": "B-01", "reason": "felt like it"})
    assert_problem(bad_reason, 422, field="reason")
    with_reason = client.post("/api/putaways", {"item": MUG, "qty": 2, "from": "DOCK-1", "to": "B-01",
                                                "reason": "closer_to_pick"})
    assert with_reason.status_code == 201 and with_reason.json["reason"] == "closer_to_pick"
    # A bin that already holds the item is fine without a reason, even if it is not the suggestion.
    topping_up = client.post("/api/putaways", {"item": MUG, "qty": 1, "from": "DOCK-1", "to": "A-04"})
    assert topping_up.status_code == 201, topping_up.json
    too_many = client.post("/api/putaways", {"item": MUG, "qty": 50, "from": "DOCK-1", "to": "A-04"})
    assert_problem(too_many, 409, "insufficient_stock")
    assert stock(api, MUG) == {("A-01", None, None): 8, ("A-04", None, None): 6, ("B-01", None, None): 2,
                               ("DOCK-1", None, None): 12}


# --- containers ----------------------------------------------------------------------------------------

def test_moving_a_license_plate_reparents_it_and_its_stock_goes_along(app, api, floor):
    from server.inventory.queries import verify_ledger

    receipt = new_receipt(api, lines=((MUG, 10),))
    plate = sscc("000000003")
    assert receive(api, receipt, MUG, 7, license_plate=plate).status_code == 201
    moved = api("picker").post("/api/container-moves", {"container": plate, "to": "STAGE-1"})
    assert moved.status_code == 201, moved.json
    assert {k: moved.json[k] for k in ("container", "from", "to")} == {"container": plate, "from": "DOCK-1",
                                                                        "to": "STAGE-1"}
    held = api("picker").get(f"/api/locations/{plate}/stock").json
    assert held["parent"] == "STAGE-1" and [(x["item"], x["qty"]) for x in held["items"]] == [(MUG, 7)]
    assert api("picker").get("/api/locations/STAGE-1/stock").json["containers"] == [plate]
    assert api("picker").get("/api/locations/DOCK-1/stock").json["containers"] == []
    assert stock(api, MUG)[(plate, None, None)] == 7
    assert verify_ledger() == []


def test_a_container_cannot_go_into_itself_or_its_child(api, floor):
    receipt = new_receipt(api)
    plate = sscc("000000004")
    assert receive(api, receipt, MUG, 1, license_plate=plate).status_code == 201
    tote = api("supervisor").post("/api/locations", {"code": "T-1", "kind": "tote", "parent": plate})
    assert tote.status_code == 201, tote.json
    assert_problem(api("picker").post("/api/container-moves", {"container": plate, "to": plate}), 422,
                   "container_cycle", field="to")
    assert_problem(api("picker").post("/api/container-moves", {"container": plate, "to": "T-1"}), 422,
                   "container_cycle", field="to")
    assert_problem(api("picker").post("/api/container-moves", {"container": "A-03", "to": "B-01"}), 422,
                   field="container")
    assert_problem(api("picker").post("/api/container-moves", {"container": plate, "to": "NOWHERE"}), 404,
                   field="to")
    assert api("picker").get(f"/api/locations/{plate}/stock").json["parent"] == "DOCK-1"


# --- adjustments ---------------------------------------------------------------------------------------

def test_adjustments_need_a_supervisor_and_a_known_reason(api, floor):
    body = {"item": MUG, "location": "A-03", "qty": 3, "reason": "found"}
    assert_problem(api("picker").post("/api/adjustments", body), 403)
    assert_problem(api("receiver").post("/api/adjustments", body), 403)
    found = api("supervisor").post("/api/adjustments", body)
    assert found.status_code == 201, found.json
    assert (found.json["kind"], found.json["from"], found.json["to"], found.json["qty"], found.json["reason"]) == (
        "adjust", "ADJUSTMENT", "A-03", 3, "found")
    lost = api("supervisor").post("/api/adjustments", {**body, "qty": -2, "reason": "lost"})
    assert lost.status_code == 201, lost.json
    assert (lost.json["from"], lost.json["to"], lost.json["qty"]) == ("A-03", "ADJUSTMENT", 2)
    assert api("admin").post("/api/adjustments", {**body, "qty": 1, "reason": "found"}).status_code == 201
    assert_problem(api("supervisor").post("/api/adjustments", {**body, "reason": "bored"}), 422, field="reason")
    assert_problem(api("supervisor").post("/api/adjustments", {**body, "qty": 0}), 422, field="qty")
    assert_problem(api("supervisor").post("/api/adjustments", {**body, "qty": -10, "reason": "lost"}), 409,
                   "insufficient_stock")
    assert_problem(api("supervisor").post("/api/adjustments", {**body, "item": LOT_ITEM}), 422, field="lot")
    assert_problem(api("supervisor").post("/api/adjustments", {**body, "location": "SUPPLIER"}), 422,
                   field="location")
    assert stock(api, MUG)[("A-03", None, None)] == 2


# --- reversals -----------------------------------------------------------------------------------------

def test_a_reversal_restores_balances_once(app, api, floor):
    from server.inventory.queries import verify_ledger

    move = api("picker").post("/api/moves", {"item": MUG, "qty": 3, "from": "A-01", "to": "B-01"})
    assert move.status_code == 201
    assert_problem(api("picker").post(f"/api/movements/{move.json['id']}/reverse", {}), 403)
    back = api("supervisor").post(f"/api/movements/{move.json['id']}/reverse", {"reason": "correction"})
    assert back.status_code == 201, back.json
    assert (back.json["from"], back.json["to"], back.json["qty"], back.json["reverses"]) == (
        "B-01", "A-01", 3, move.json["id"])
    assert stock(api, MUG) == {("A-01", None, None): 8}
    assert_problem(api("supervisor").post(f"/api/movements/{move.json['id']}/reverse", {}), 409, "already_reversed")
    assert_problem(api("supervisor").post("/api/movements/999999/reverse", {}), 404)
    assert stock(api, MUG) == {("A-01", None, None): 8}
    assert verify_ledger() == []


def test_reversing_a_receipt_takes_the_units_back_off_the_dock(api, floor):
    receipt = new_receipt(api)
    got = receive(api, receipt, MUG, 4)
    back = api("supervisor").post(f"/api/movements/{got.json['movement']['id']}/reverse", {})
    assert back.status_code == 201, back.json
    assert (back.json["from"], back.json["to"]) == ("DOCK-1", "SUPPLIER")
    assert ("DOCK-1", None, None) not in stock(api, MUG)


def test_a_reversal_takes_back_the_same_lot(app, api, floor):
    """A no-lot move is reversed from the no-lot units, even when the bin also holds dated lots."""
    from server.inventory.queries import verify_ledger

    sup = api("supervisor")
    assert sup.post("/api/adjustments", {"item": PLAIN, "location": "A-03", "qty": 2, "reason": "found"}).status_code == 201
    assert sup.post("/api/adjustments", {"item": PLAIN, "location": "B-01", "qty": 5, "reason": "found",
                                         "lot": "OLD", "expiry": "2026-01-31"}).status_code == 201
    move = api("picker").post("/api/moves", {"item": PLAIN, "qty": 2, "from": "A-03", "to": "B-01"})
    assert move.status_code == 201 and move.json["lot"] is None
    back = sup.post(f"/api/movements/{move.json['id']}/reverse", {})
    assert back.status_code == 201, back.json
    assert back.json["lot"] is None
    assert stock(api, PLAIN) == {("A-03", None, None): 2, ("B-01", "OLD", "2026-01-31"): 5}
    assert verify_ledger() == []


# --- opening stock and history -------------------------------------------------------------------------

def test_opening_stock_import_posts_ledger_entries(app, api, floor):
    from server.inventory.queries import verify_ledger

    text = ("item,location,qty,lot,expiry\n"
            f"{PLAIN},A-03,2,,\n"
            f"{LOT_ITEM},A-04,5,L-9,2027-01-31\n"
            f"{PLAIN},NOWHERE,1,,\n"
            f"{PLAIN},B-01,zero,,\n"
            f"{LOT_ITEM},B-01,1,L-1,31/01/2027\n")
    assert_problem(upload(api, "picker", "/api/stock/import", text), 403)
    r = upload(api, "supervisor", "/api/stock/import", text)
    assert r.status_code == 200, r.json
    assert r.json["created"] == 2 and [e["line"] for e in r.json["errors"]] == [4, 5, 6]
    assert stock(api, PLAIN) == {("A-03", None, None): 2}
    assert stock(api, LOT_ITEM) == {("A-04", "L-9", "2027-01-31"): 5}
    history = api("picker").get("/api/movements?kind=adjust&location=A-04").json
    assert history["total"] == 1
    entry = history["movements"][0]
    assert (entry["item"], entry["qty"], entry["from"], entry["to"], entry["reason"], entry["lot"]) == (
        LOT_ITEM, 5, "ADJUSTMENT", "A-04", "opening_balance", "L-9")
    assert verify_ledger() == []


def test_movement_history_filters_by_item_location_and_kind(api, floor):
    receipt = new_receipt(api, lines=((MUG, 6), (PLAIN, 2)))
    assert receive(api, receipt, MUG, 6).status_code == 201
    assert receive(api, receipt, PLAIN, 2).status_code == 201
    assert api("receiver").post("/api/putaways", {"item": MUG, "qty": 5, "from": "DOCK-1", "to": "A-04"}).status_code == 201
    assert api("picker").post("/api/moves", {"item": MUG, "qty": 1, "from": "A-01", "to": "A-04"}).status_code == 201

    def history(query):
        r = api("picker").get("/api/movements?" + query)
        assert r.status_code == 200, r.json
        return r.json["total"], [(m["kind"], m["item"], m["from"], m["to"], m["qty"]) for m in r.json["movements"]]

    total, all_moves = history("")
    assert total == 5  # the opening balance, two receipts, a put-away, a move; newest first
    assert all_moves[0] == ("move", MUG, "A-01", "A-04", 1) and all_moves[-1][0] == "adjust"
    assert history(f"item={PLAIN}") == (1, [("receive", PLAIN, "SUPPLIER", "DOCK-1", 2)])
    assert history(f"item={MUG_GTIN}&kind=receive") == (1, [("receive", MUG, "SUPPLIER", "DOCK-1", 6)])
    assert history("location=a-04") == (2, [("move", MUG, "A-01", "A-04", 1), ("putaway", MUG, "DOCK-1", "A-04", 5)])
    assert history("location=DOCK-1&kind=putaway") == (1, [("putaway", MUG, "DOCK-1", "A-04", 5)])
    paged = api("picker").get("/api/movements?limit=2&offset=1").json
    assert paged["total"] == 5 and len(paged["movements"]) == 2
    assert_problem(api("picker").get("/api/movements?item=NOPE"), 404, field="item")
    assert_problem(api("picker").get("/api/movements?location=NOWHERE"), 404, field="location")
    assert_problem(api("picker").get("/api/movements?kind=teleport"), 422, field="kind")


# --- roles ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["picker", "packer"])
def test_floor_roles_other_than_receiver_cannot_receive_or_put_away(api, floor, role):
    receipt = new_receipt(api)
    client = api(role)
    calls = [
        ("get", "/api/receipts", None),
        ("get", f"/api/receipts/{receipt}", None),
        ("post", "/api/receipts", {"reference": "PO-X", "lines": [{"item": MUG, "qty": 1}]}),
        ("post", "/api/receipts/blind", {}),
        ("post", f"/api/receipts/{receipt}/receive", {"code": MUG, "qty": 1, "location": "DOCK-1"}),
        ("post", f"/api/receipts/{receipt}/close", None),
        ("get", f"/api/putaway/suggestion?item={MUG}&qty=1", None),
        ("post", "/api/putaways", {"item": MUG, "qty": 1, "from": "A-01", "to": "A-04", "reason": "other"}),
    ]
    for method, path, body in calls:
        r = client.get(path) if method == "get" else client.post(path, body)
        assert_problem(r, 403)
    assert_problem(upload(api, role, "/api/receipts/import", "reference,item,qty\nPO-Y,SKU-MUG,1\n"), 403)
    # ... and nothing happened.
    receipts = api("receiver").get("/api/receipts").json["receipts"]
    assert [(x["reference"], x["status"], x["lines"][0]["received"]) for x in receipts] == [("PO-100", "open", 0)]
    assert stock(api, MUG) == {("A-01", None, None): 8}


def test_receivers_supervisors_and_admins_may_receive(api, floor):
    receipt = new_receipt(api, lines=((MUG, 9),))
    for role in ("receiver", "supervisor", "admin"):
        assert receive(api, receipt, MUG, 3, role=role).status_code == 201, role
    assert api("admin").get(f"/api/receipts/{receipt}").json["lines"][0]["received"] == 9


def test_without_a_token_it_is_401(client, floor):
    r = client.post("/api/receipts/1/receive", json={"code": MUG, "qty": 1, "location": "DOCK-1"})
    assert_problem(r, 401)


def test_a_reversal_never_splits_over_other_lots(app, api, floor):
    """The destination holds 1 unit of a dated lot and the 2 moved no-lot units: the reversal takes the 2."""
    from server.inventory.queries import verify_ledger

    sup = api("supervisor")
    assert sup.post("/api/adjustments", {"item": PLAIN, "location": "A-03", "qty": 2, "reason": "found"}).status_code == 201
    assert sup.post("/api/adjustments", {"item": PLAIN, "location": "B-01", "qty": 1, "reason": "found",
                                         "lot": "OLD", "expiry": "2026-01-31"}).status_code == 201
    move = api("picker").post("/api/moves", {"item": PLAIN, "qty": 2, "from": "A-03", "to": "B-01"})
    back = sup.post(f"/api/movements/{move.json['id']}/reverse", {})
    assert back.status_code == 201, back.json
    assert back.json["parts"] == [] and back.json["lot"] is None
    assert stock(api, PLAIN) == {("A-03", None, None): 2, ("B-01", "OLD", "2026-01-31"): 1}
    assert verify_ledger() == []

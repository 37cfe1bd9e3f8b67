"""POST /api/scan through HTTP: every kind of code a scanner can send, and the scan log (CONTRACT.md, Scanning)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import FloorPlan, place, sku
from tests.helpers import assert_problem

GS = "\x1d"
# Published GS1 examples (../shared/reference/gs1.md and tests/scanning/test_gs1.py); check digits valid.
GTIN13 = "6291041500213"
UPC_A = "036000241457"
CASE_GTIN14 = "10614141007346"
SSCC = "006141411234567890"
UNKNOWN_GTIN14 = "09501101530003"   # valid, but no item carries it
FNSKU = "X001ABCDEF"
CHANNEL_ORDER_ID = "114-3941689-8772232"
DEVICE = "HH-SCAN-0042"


def with_wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def _order(floor) -> dict:
    """An order for two widgets, and the barcodes the items were given."""
    from server.catalog.services import get_item
    from server.extensions import db
    from server.orders.models import Order, OrderLine

    widget, cola = get_item("Wid-100"), get_item("COLA-12")
    order = Order(channel="amazon", channel_order_id=CHANNEL_ORDER_ID, ship_to_name="Ann Smith",
                  ship_to_address1="1 Main St", ship_to_city="Springfield", ship_to_postal_code="12345",
                  ship_to_country="US", lines=[OrderLine(item_id=widget.id, qty=2)])
    db.session.add(order)
    db.session.flush()
    return {"order_id": order.id, "widget_barcodes": [b.code for b in widget.barcodes],
            "cola_barcodes": [b.code for b in cola.barcodes]}


# A small committed warehouse: a bin with a tote, a dock with a license-plate pallet, items, an order.
FLOOR = FloorPlan(
    locations=(place("A-01-1", zone="A"), place("TOTE-7", "tote", parent="A-01-1"), place("DOCK-1", "dock"),
               place(SSCC, "pallet", parent="DOCK-1")),
    items=(sku("Wid-100", "Widget", barcodes=[GTIN13, FNSKU]),
           sku("COLA-12", "Cola can", barcodes=[UPC_A, f"{CASE_GTIN14}*12"])),
    extra=_order)


@pytest.fixture
def picker(api):
    return api("picker")


def scan_ok(client, code: str, kind: str) -> dict:
    r = client.scan(code)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["kind"] == kind, r.json
    assert isinstance(r.json[kind], dict)
    return r.json


# --- locations and totes ---------------------------------------------------------------------------

def test_location_code_resolves_case_insensitively(picker, floor):
    for code in ("A-01-1", "a-01-1", " A-01-1 \r\n"):
        body = scan_ok(picker, code, "location")
        assert body["location"]["code"] == "A-01-1"
        assert body["location"]["zone"] == "A"
        assert body["location"]["kind"] == "bin"
        assert body["location"]["parent"] is None


def test_tote_resolves_as_kind_tote_with_the_location_it_stands_in(picker, floor):
    body = scan_ok(picker, "tote-7", "tote")
    assert body["tote"]["code"] == "TOTE-7"
    assert body["tote"]["kind"] == "tote"
    assert body["tote"]["parent"] == "A-01-1"


# --- items -----------------------------------------------------------------------------------------

def test_item_sku_resolves_case_insensitively(picker, floor):
    for code in ("Wid-100", "WID-100", "wid-100"):
        item = scan_ok(picker, code, "item")["item"]
        assert item["sku"] == "Wid-100"
        assert item["name"] == "Widget"
        assert item["barcodes"] == floor.widget_barcodes
        assert GTIN13.zfill(14) in item["barcodes"]  # GTINs are kept in their 14-digit form
        assert item["units"] == 1


def test_item_resolves_by_gtin13(picker, floor):
    item = scan_ok(picker, GTIN13, "item")["item"]
    assert item["sku"] == "Wid-100"
    assert item["units"] == 1


@pytest.mark.parametrize("code", [UPC_A, "0" + UPC_A, UPC_A.zfill(14), "]C1" + "01" + UPC_A.zfill(14),
                                  "]E0" + "0" + UPC_A],
                         ids=["upc-a-12", "ean-13-leading-0", "gtin-14", "gs1-ai-01", "aim-ean-13"])
def test_upc_a_finds_the_same_item_in_every_spelling(picker, floor, code):
    item = scan_ok(picker, code, "item")["item"]
    assert item["sku"] == "COLA-12"
    assert item["units"] == 1


def test_item_resolves_by_fnsku_in_either_case(picker, floor):
    for code in (FNSKU, FNSKU.lower()):
        assert scan_ok(picker, code, "item")["item"]["sku"] == "Wid-100"


@pytest.mark.parametrize("code", [CASE_GTIN14, "]C1" + "01" + CASE_GTIN14])
def test_case_pack_barcode_reports_the_units_it_stands_for(picker, floor, code):
    item = scan_ok(picker, code, "item")["item"]
    assert item["sku"] == "COLA-12"
    assert item["units"] == 12


def test_gs1_content_gtin_with_count_reports_that_many_units(picker, floor):
    count = 24
    body = scan_ok(picker, "]C1" + "02" + UPC_A.zfill(14) + "37" + str(count), "item")
    assert body["item"]["sku"] == "COLA-12"
    assert body["item"]["units"] == count
    assert body["gs1"] == {"02": UPC_A.zfill(14), "37": str(count)}


# --- orders and badges -----------------------------------------------------------------------------

def test_channel_order_id_resolves_to_the_order(picker, floor):
    order = scan_ok(picker, CHANNEL_ORDER_ID, "order")["order"]
    assert order["id"] == floor.order_id
    assert order["channel"] == "amazon"
    assert order["channel_order_id"] == CHANNEL_ORDER_ID
    assert order["status"] == "open"


def test_internal_order_number_resolves_to_the_order(picker, floor):
    for code in (f"ORD-{floor.order_id}", f"ord-{floor.order_id}"):
        order = scan_ok(picker, code, "order")["order"]
        assert order["id"] == floor.order_id
        assert order["channel_order_id"] == CHANNEL_ORDER_ID


def test_internal_order_number_of_a_missing_order_is_unknown(picker, floor):
    # The second is beyond any id the database can hold (PostgreSQL once answered it with a 500).
    for code in (f"ORD-{floor.order_id + 1000}", "ORD-" + "9" * 12):
        assert_problem(picker.scan(code), 404, "unknown_code", field="code")


def test_user_badge_resolves_to_the_user_without_secrets(picker, users, floor):
    packer = users["packer"]
    r = picker.scan(packer.badge_code)
    assert r.status_code == 200
    assert r.json["kind"] == "user"
    user = r.json["user"]
    assert user["id"] == packer.id
    assert user["role"] == "packer"
    assert user["name"] == packer.display_name
    leaked = [k for k in user if any(word in k.lower() for word in ("pin", "password", "hash", "badge", "token"))]
    assert leaked == []
    text = r.get_data(as_text=True)
    assert packer.pin_hash not in text and packer.password_hash not in text


def test_badge_of_a_deactivated_user_is_unknown(picker, users, floor, app):
    from server.auth import services
    from server.extensions import db
    from server.http import run_in_transaction

    packer = users["packer"]
    run_in_transaction(lambda: services.deactivate_user(db.session.merge(packer)))
    assert_problem(picker.scan(packer.badge_code), 404, "unknown_code")


# --- GS1 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["]C1" + "00" + SSCC, "00" + SSCC, GS + "00" + SSCC],
                         ids=["aim-marked", "unmarked", "fnc1-first"])
def test_sscc_in_ai_00_resolves_to_the_license_plate(picker, floor, code):
    body = scan_ok(picker, code, "location")
    assert body["location"]["code"] == SSCC
    assert body["location"]["kind"] == "pallet"
    assert body["location"]["parent"] == "DOCK-1"
    assert body["gs1"] == {"00": SSCC}


def test_gs1_matching_nothing_answers_kind_gs1_with_the_fields(picker, floor):
    body = scan_ok(picker, "]C1" + "01" + UNKNOWN_GTIN14 + "10" + "LOT-9", "gs1")
    assert body["gs1"] == {"01": UNKNOWN_GTIN14, "10": "LOT-9"}


def test_unmarked_gs1_that_parses_completely_is_read_as_gs1(picker, floor):
    body = scan_ok(picker, "01" + UNKNOWN_GTIN14 + "17" + "251231" + "10" + "AB12", "gs1")
    assert body["gs1"] == {"01": UNKNOWN_GTIN14, "17": "251231", "10": "AB12"}


@pytest.mark.parametrize("prefix, code", [("]E0", GTIN13), ("]C0", "A-01-1"), ("]A0", "WID-100"),
                                          ("]Q1", "TOTE-7"), ("]d1", FNSKU)])
def test_aim_prefix_is_stripped_before_resolving(picker, floor, prefix, code):
    bare = picker.scan(code)
    prefixed = picker.scan(prefix + code)
    assert bare.status_code == prefixed.status_code == 200
    assert prefixed.json == bare.json
    assert "gs1" not in prefixed.json


@pytest.mark.parametrize("prefix", ["]C1", "]d2", "]Q3", "]e0"])
def test_gs1_aim_prefix_marks_gs1_input(picker, floor, prefix):
    body = scan_ok(picker, prefix + "01" + GTIN13.zfill(14) + "10" + "L1", "item")
    assert body["item"]["sku"] == "Wid-100"
    assert body["item"]["lot"] == "L1"
    assert body["gs1"] == {"01": GTIN13.zfill(14), "10": "L1"}


@pytest.mark.parametrize("sep", [GS, "|"], ids=["0x1d", "pipe"])
def test_group_separator_ends_a_variable_length_field(picker, floor, sep):
    body = scan_ok(picker, "]C1" + "10" + "L-7" + sep + "01" + UPC_A.zfill(14) + "21" + "S9", "item")
    assert body["gs1"] == {"10": "L-7", "01": UPC_A.zfill(14), "21": "S9"}
    assert body["item"]["sku"] == "COLA-12"
    assert body["item"]["lot"] == "L-7"
    assert body["item"]["serial"] == "S9"


# --- check digits and refusals ---------------------------------------------------------------------

def test_codes_with_good_check_digits_are_accepted(picker, floor):
    for good in (GTIN13, UPC_A, "]C1" + "01" + GTIN13.zfill(14), "]C1" + "00" + SSCC):
        assert picker.scan(good).status_code == 200, good


@pytest.mark.parametrize("good, make_bad", [
    (GTIN13, with_wrong_check_digit),
    (UPC_A, with_wrong_check_digit),
    (GTIN13.zfill(14), lambda c: "]C1" + "01" + with_wrong_check_digit(c)),
    (SSCC, lambda c: "]C1" + "00" + with_wrong_check_digit(c)),
    (SSCC, lambda c: "00" + with_wrong_check_digit(c)),
], ids=["gtin-13", "upc-a", "gs1-ai-01", "gs1-ai-00", "unmarked-ai-00"])
def test_bad_check_digit_is_refused_naming_the_right_digit(picker, floor, good, make_bad):
    body = assert_problem(picker.scan(make_bad(good)), 422, "bad_check_digit", field="code")
    assert body["expected"] == f"check digit {good[-1]}"


@pytest.mark.parametrize("code", [
    "]C1" + "01" + "12345",                                  # GTIN too short
    "]C1" + "01" + CASE_GTIN14 + "17" + "251332",            # no 32nd day
    "]C1" + "01" + CASE_GTIN14 + "10" + "LOT~1",             # "~" is not in the GS1 character set
    "]C1" + "X1234",                                         # no such AI
], ids=["short-gtin", "bad-date", "bad-char", "unknown-ai"])
def test_malformed_gs1_is_refused(picker, floor, code):
    assert_problem(picker.scan(code), 422, "malformed_gs1", field="code")


def test_unknown_code_is_404(picker, floor):
    body = assert_problem(picker.scan("NO-SUCH-THING"), 404, "unknown_code", field="code")
    assert "NO-SUCH-THING" in body["detail"]


@pytest.mark.parametrize("send", [
    lambda c, h: c.post("/api/scan", headers=h),
    lambda c, h: c.post("/api/scan", json={}, headers=h),
    lambda c, h: c.post("/api/scan", json={"code": ""}, headers=h),
    lambda c, h: c.post("/api/scan", json={"code": "   "}, headers=h),
    lambda c, h: c.post("/api/scan", json={"code": "]C0"}, headers=h),
], ids=["no-body", "no-code", "empty-code", "blank-code", "aim-prefix-only"])
def test_missing_or_empty_code_is_invalid_input(picker, floor, send):
    assert_problem(send(picker.client, picker.headers()), 422, "invalid_input", field="code")


# --- the scan log ----------------------------------------------------------------------------------

def test_every_scan_is_logged_with_user_device_code_and_outcome(picker, users, floor, db):
    from server.scanning.models import ScanLog

    codes = ["a-01-1", CASE_GTIN14, "]C1" + "01" + UNKNOWN_GTIN14, "NO-SUCH-THING",
             with_wrong_check_digit(GTIN13), "]C1" + "01" + "12345", "   "]
    answers = [picker.client.post("/api/scan", json={"code": code},
                                  headers=picker.headers({"X-Device-Id": DEVICE})) for code in codes]
    assert {r.status_code for r in answers} >= {200, 404, 422}  # refusals are among them

    db.session.rollback()
    rows = db.session.scalars(sa.select(ScanLog).order_by(ScanLog.id)).all()
    assert [row.code for row in rows] == codes
    for row, r in zip(rows, answers):
        assert row.user_id == users["picker"].id
        assert row.device_id == DEVICE
        assert row.at is not None
        if r.status_code == 200:
            assert (row.outcome, row.kind) == ("ok", r.json["kind"])
        else:
            assert row.outcome == r.json["code"]


def test_scan_without_a_device_header_is_logged_without_device(picker, floor, db):
    from server.scanning.models import ScanLog

    picker.scan("A-01-1")
    db.session.rollback()
    row = db.session.scalars(sa.select(ScanLog)).one()
    assert row.device_id is None
    assert row.outcome == "ok"

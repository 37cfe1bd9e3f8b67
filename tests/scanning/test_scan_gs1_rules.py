"""POST /api/scan against CONTRACT.md (Scanning) on the defects of issue 6, A8: bare GTINs, UPC-E, new AIs.

An unprefixed (or non-GS1-prefixed) all-digit code of 8, 12, 13 or 14 digits with a valid check digit is a
GTIN: unknown, it is 404 unknown_code, never GS1 data read as AI 400, 10 or 9x.
"""

from __future__ import annotations

import pytest

from server.scanning.gs1 import gs1_check_digit
from tests.helpers import assert_problem
from tests.scanning.test_scan_api import (  # noqa: F401  (fixtures)
    CASE_GTIN14, FLOOR, GS, GTIN13, picker, scan_ok,
)

pytestmark = pytest.mark.rollback  # rules of the scan: each test in a rolled-back transaction


def with_check(data: str) -> str:
    return data + str(gs1_check_digit(data))


UPC_E = "04252614"                 # expands to the UPC-A below; as a GTIN-8 its check digit is wrong
UPC_E_AS_UPC_A = "042100005264"
BOTH = "01234565"                  # a valid GTIN-8 and a valid UPC-E (of 012345000065)
BOTH_AS_UPC_A = "012345000065"
GTIN8 = "96385074"

UNKNOWN_GTINS = {
    "ai-400": "4006381333931",                 # GTIN-13, once read as order number 6381333931
    "ai-10": with_check("1061414199999"),       # GTIN-14, once read as lot 614141999993
    "ai-95": "9501101530003",                   # GTIN-13, once read as company internal data (AI 95)
    "ai-96-gtin8": with_check("9638508"),       # GTIN-8, once read as AI 96
    "upc-a-400": with_check("40063813339"),     # GTIN-12 starting 400
    "gtin14-9x": with_check("9" + "1234567890123"[:12]),
}


@pytest.fixture
def more_items(app, floor):
    from server.catalog import services as catalog
    from server.http import run_in_transaction

    def build():
        catalog.create_item("UPCE-1", "Gum (UPC-E)", barcodes=[UPC_E_AS_UPC_A])
        catalog.create_item("EAN8-1", "Mints (EAN-8)", barcodes=[GTIN8])
        catalog.create_item("UPCA-2", "Soap (UPC-A)", barcodes=[BOTH_AS_UPC_A])

    run_in_transaction(build)


# --- bare GTINs are GTINs ---------------------------------------------------------------------------

@pytest.mark.parametrize("code", list(UNKNOWN_GTINS.values()), ids=list(UNKNOWN_GTINS))
def test_unknown_gtin_is_unknown_code_not_gs1_data(picker, floor, code):
    for prefix in ("", "]E0", "]I1", "]Q1", "]C0", "]d1"):  # none of them marks GS1
        body = assert_problem(picker.scan(prefix + code), 404, "unknown_code", field="code")
        assert "gs1" not in body


def test_unknown_gtin8_behind_the_ean8_prefix_is_unknown(picker, floor):
    assert_problem(picker.scan("]E4" + UNKNOWN_GTINS["ai-96-gtin8"]), 404, "unknown_code")


def test_gtin14_case_code_is_not_read_as_a_lot(picker, floor):
    body = scan_ok(picker, "]I1" + CASE_GTIN14, "item")
    assert body["item"]["sku"] == "COLA-12"
    assert body["item"]["units"] == 12
    assert "gs1" not in body and "lot" not in body["item"]


def test_gtin8_finds_its_item(picker, more_items):
    for code in (GTIN8, "]E4" + GTIN8, GTIN8.zfill(14)):
        assert scan_ok(picker, code, "item")["item"]["sku"] == "EAN8-1"


def test_gs1_marked_digits_are_still_gs1(picker, floor):
    # With ]C1 the same digits are element strings: AI 10, lot 614141007346.
    body = scan_ok(picker, "]C1" + CASE_GTIN14, "gs1")
    assert body["gs1"] == {"10": CASE_GTIN14[2:]}


def test_unprefixed_gs1_of_other_lengths_is_still_read(picker, floor):
    body = scan_ok(picker, "01" + GTIN13.zfill(14), "item")
    assert body["item"]["sku"] == "Wid-100"


# --- UPC-E ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [UPC_E, "]E0" + UPC_E], ids=["bare", "aim-e0"])
def test_upc_e_finds_the_item_of_its_upc_a(picker, more_items, code):
    body = scan_ok(picker, code, "item")
    assert body["item"]["sku"] == "UPCE-1"
    assert body["item"]["barcodes"] == [UPC_E_AS_UPC_A.zfill(14)]


def test_eight_digits_are_tried_as_gtin8_first_then_as_upc_e(picker, more_items, floor):
    assert scan_ok(picker, BOTH, "item")["item"]["sku"] == "UPCA-2"   # no GTIN-8 item: the UPC-E one
    assert scan_ok(picker, "]E0" + BOTH, "item")["item"]["sku"] == "UPCA-2"


def test_gtin8_item_wins_over_the_upc_e_reading(picker, more_items):
    from server.catalog import services as catalog
    from server.http import run_in_transaction

    run_in_transaction(lambda: catalog.create_item("EAN8-2", "Tea (EAN-8)", barcodes=[BOTH]))
    assert scan_ok(picker, BOTH, "item")["item"]["sku"] == "EAN8-2"
    assert scan_ok(picker, "]E0" + BOTH, "item")["item"]["sku"] == "UPCA-2"  # ]E0: UPC-E, not EAN-8


def test_unknown_upc_e_is_unknown_code(picker, more_items):
    assert_problem(picker.scan("01234145"), 404, "unknown_code", field="code")
    assert_problem(picker.scan("]E0" + "01234145"), 404, "unknown_code", field="code")


def test_upc_e_with_a_bad_check_digit_is_refused(picker, more_items):
    body = assert_problem(picker.scan("]E0" + UPC_E[:-1] + "5"), 422, "bad_check_digit", field="code")
    assert body["expected"] == "check digit 4"
    assert_problem(picker.scan(UPC_E[:-1] + "5"), 422, "bad_check_digit", field="code")


# --- AIs, dates and Digital Link -----------------------------------------------------------------------

@pytest.mark.parametrize("extra, fields", [
    ("7011" + "2512311200" + GS + "4321" + "1", {"7011": "2512311200", "4321": "1"}),
    ("4330" + "002500-" + GS + "7240" + "P1", {"4330": "002500-", "7240": "P1"}),
    ("8014" + "HIDRI-1" + GS + "7250" + "19991231", {"8014": "HIDRI-1", "7250": "19991231"}),
    ("715" + "NDC-1", {"715": "NDC-1"}),
])
@pytest.mark.parametrize("prefix", ["]C1", ""], ids=["marked", "unmarked"])
def test_label_with_a_newer_ai_resolves_to_its_item(picker, floor, extra, fields, prefix):
    body = scan_ok(picker, prefix + "01" + GTIN13.zfill(14) + extra, "item")
    assert body["item"]["sku"] == "Wid-100"
    assert body["gs1"] == {"01": GTIN13.zfill(14), **fields}


@pytest.mark.parametrize("ai", ["11", "12", "13"])
def test_day_00_in_production_due_and_pack_dates_is_accepted(picker, floor, ai):
    body = scan_ok(picker, "]C1" + "01" + GTIN13.zfill(14) + ai + "251200", "item")
    assert body["gs1"][ai] == "251200"


def test_empty_digital_link_path_segment_is_malformed(picker, floor):
    url = f"https://id.gs1.org/01/{GTIN13.zfill(14)}/10//AB"
    assert_problem(picker.scan(url), 422, "malformed_gs1", field="code")
    assert_problem(picker.scan("]Q1" + url), 422, "malformed_gs1", field="code")

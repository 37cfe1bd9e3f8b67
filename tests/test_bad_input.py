"""Hostile input is a 4xx problem naming what is wrong, never a 500 (issue 7, item 4).

Each case here answered 500 on one database or both (or stored garbage) before: datetimes without an offset
or at the edge of the calendar, JSON nested 1,000 deep, lone surrogates, an X-Device-Id longer than its
column, NUL characters in paths, queries and bodies, case-pack barcodes with a bad count, and 5,000 barcodes
on one item.
"""

from __future__ import annotations

import pytest

from tests.factories import FloorPlan, place, sku
from tests.helpers import assert_problem

ITEM, CASE_CODE, GTIN = "SKU-1", "MUGCASE", "09501101530003"

# Bin A-01 with 5 of SKU-1 (barcodes GTIN and MUGCASE*12), bin A-02, a dock.
FLOOR = FloorPlan(locations=(place("A-01", zone="A"), place("A-02", zone="A"), place("DOCK-1", "dock")),
                  items=(sku(ITEM, "Mug", barcodes=[GTIN, f"{CASE_CODE}*12"]),), stock=((ITEM, "A-01", 5),))


def raw_post(api, role: str, path: str, body: str, headers: dict | None = None):
    """POST a body exactly as written (the test client's json= would re-encode it)."""
    client = api(role)
    return client.client.post(path, data=body.encode("utf-8", "surrogatepass"), content_type="application/json",
                              headers=client.headers(headers, write=True))


def move(api, headers: dict | None = None, **body):
    return api("picker").post("/api/moves", {"item": ITEM, "qty": 1, "from": "A-01", "to": "A-02", **body},
                              headers=headers)


def on_hand(api) -> int:
    return api("picker").get(f"/api/stock?item={ITEM}").json["on_hand"]


# --- datetimes: an offset is required, and the calendar's edges are refused --------------------------------

EDGE_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z",
              "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "1e400"]


def test_a_receipt_time_without_an_offset_or_at_the_edge_is_refused(api, floor, subtests):
    for expected_at in ["2026-05-01T10:00:00", *EDGE_TIMES]:
        with subtests.test(expected_at=expected_at):
            r = api("receiver").post("/api/receipts", {"reference": "PO-1", "expected_at": expected_at,
                                                       "lines": [{"item": ITEM, "qty": 1}]})
            assert_problem(r, 422, field="expected_at")
    assert api("receiver").get("/api/receipts").json["receipts"] == []


def test_a_receipt_time_with_an_offset_is_stored_in_utc(api, floor):
    r = api("receiver").post("/api/receipts", {"reference": "PO-1", "expected_at": "2026-05-01T10:00:00+02:00",
                                               "lines": [{"item": ITEM, "qty": 1}]})
    assert r.status_code == 201, r.json
    assert r.json["expected_at"].startswith("2026-05-01T08:00:00")


def test_a_scan_time_without_an_offset_or_at_the_edge_is_refused(api, floor, subtests):
    for scanned_at in ["2026-05-01T10:00:00", *EDGE_TIMES, "2026-05-01T10:00:00+99:00"]:
        with subtests.test(scanned_at=scanned_at):
            assert_problem(move(api, headers={"X-Scanned-At": scanned_at}), 422, field="X-Scanned-At")
    assert on_hand(api) == 5


# --- JSON bodies: nesting and lone surrogates --------------------------------------------------------------

def test_json_nested_deeply_is_a_problem_not_a_500(api, floor, subtests):
    for depth in (100, 1000, 100_000):
        with subtests.test(depth=depth):
            assert_problem(raw_post(api, "picker", "/api/moves", '{"item":' + "[" * depth + "]" * depth + "}"),
                           400, "bad_request")


LONE_SURROGATES = [
    ("/api/moves", '{"item": "SKU-1\\ud800", "qty": 1, "from": "A-01", "to": "A-02"}', "item"),
    ("/api/moves", '{"item": "SKU-1", "qty": 1, "from": "A-01", "to": "A-02", "lot": "\\udfff"}', "lot"),
    ("/api/scan", '{"code": "\\ud800"}', "code"),
    ("/api/receipts", '{"reference": "PO\\ud800", "lines": [{"item": "SKU-1", "qty": 1}]}', "reference"),
    ("/api/receipts", '{"reference": "PO-1", "lines": [{"item": "\\ud83d", "qty": 1}]}', "lines.0.item"),
    ("/api/items", '{"sku": "SKU-2", "name": "Mug \\ud800"}', "name"),
    ("/api/items", '{"sku": "SKU-2", "name": "Mug", "barcodes": ["\\ud800"]}', "barcodes.0"),
    ("/api/locations", '{"code": "B-01", "zone": "\\ud800"}', "zone"),
]


def test_a_lone_surrogate_is_refused_naming_the_field(api, floor, subtests):
    for path, body, field in LONE_SURROGATES:
        with subtests.test(body=body):
            assert_problem(raw_post(api, "admin", path, body), 422, field=field)


def test_a_surrogate_pair_is_a_character_like_any_other(api, floor):
    r = raw_post(api, "admin", "/api/items", '{"sku": "SKU-2", "name": "Mug \\ud83d\\ude00"}')
    assert r.status_code == 201, r.json
    assert r.json["name"] == "Mug \U0001F600"


# --- headers -----------------------------------------------------------------------------------------------

def test_a_device_id_too_long_or_with_control_characters_is_refused(api, floor, subtests):
    for device in ("D" * 65, "HH-01\x07", "HH-01\t2", "HH-\x7f"):
        with subtests.test(device=device):
            assert_problem(move(api, headers={"X-Device-Id": device}), 422, field="X-Device-Id")
            assert_problem(api("picker").client.post("/api/scan", json={"code": "A-01"},
                                                     headers=api("picker").headers({"X-Device-Id": device})),
                           422, field="X-Device-Id")
    assert on_hand(api) == 5


def test_a_device_id_of_64_characters_is_recorded(api, floor):
    r = move(api, headers={"X-Device-Id": "D" * 64})
    assert r.status_code == 201, r.json
    assert r.json["device"] == "D" * 64


# --- NUL characters ---------------------------------------------------------------------------------------

def test_a_nul_in_a_path_is_a_404_and_in_a_query_a_422(api, floor, subtests):
    for path, status in [("/api/locations/%00/stock", 404), ("/api/locations/A-%0001/stock", 404),
                         ("/api/items/AB%00C", 404), ("/api/stock?item=SKU%001", 422), ("/api/items?q=%00", 422),
                         ("/api/locations?q=a%00", 422)]:
        with subtests.test(path=path):
            assert_problem(api("supervisor").get(path), status)


def test_a_nul_in_a_json_string_is_refused_naming_the_field(api, floor):
    r = raw_post(api, "picker", "/api/moves", '{"item": "SKU-1", "qty": 1, "from": "A-01\\u0000", "to": "A-02"}')
    assert_problem(r, 422, field="from")


# --- barcodes with case-pack syntax ------------------------------------------------------------------------

BAD_CASE_PACKS = ["ABCX*x", "ABCX*99999999999999999999", "X*0", "X*-1", "ABCX*1000001", "*12", "ABCX*", "A*2*3",
                  "ABCX*٣"]


def test_an_item_with_a_bad_case_pack_barcode_is_refused(api, floor, subtests):
    for spec in BAD_CASE_PACKS:
        with subtests.test(spec=spec):
            r = api("supervisor").post("/api/items", {"sku": "SKU-2", "name": "Box", "barcodes": [spec]})
            assert_problem(r, 422, field="barcodes.0")
    assert api("supervisor").get("/api/items?q=SKU-2").json["total"] == 0


def test_a_case_pack_barcode_up_to_the_largest_quantity_is_accepted(api, floor):
    r = api("supervisor").post("/api/items", {"sku": "SKU-2", "name": "Box", "barcodes": ["BOXCASE*1000000"]})
    assert r.status_code == 201, r.json
    assert r.json["barcode_details"] == [{"code": "BOXCASE", "kind": "case", "units": 1_000_000}]


def test_scanning_case_pack_syntax_is_a_miss(api, floor, subtests):
    for code in ("ABCX*x", "ABCX*99999999999999999999", "X*0", "X*-1", f"{CASE_CODE}*99999999999"):
        with subtests.test(code=code):
            assert_problem(api("picker").scan(code), 404, "unknown_code")


def test_a_gs1_count_of_more_units_than_one_scan_may_carry_is_refused(api, floor):
    r = api("picker").scan("]C1" + "02" + GTIN + "37" + "99999999")
    assert_problem(r, 422, field="code")
    r = api("picker").scan("]C1" + "02" + GTIN + "37" + "12")
    assert r.status_code == 200, r.json
    assert r.json["item"]["units"] == 12


def test_moving_by_case_pack_syntax_books_nothing(api, floor, subtests):
    for code in ("ABCX*x", f"{CASE_CODE}*99999999999999999999", "X*-1"):
        with subtests.test(code=code):
            assert_problem(move(api, item=code), 404)
    assert on_hand(api) == 5


def test_an_item_takes_at_most_50_barcodes(api, floor):
    many = [f"CODE{i:05d}" for i in range(5000)]
    r = api("supervisor").post("/api/items", {"sku": "SKU-2", "name": "Box", "barcodes": many})
    assert_problem(r, 422, field="barcodes")
    r = api("supervisor").post("/api/items", {"sku": "SKU-3", "name": "Box", "barcodes": many[:50]})
    assert r.status_code == 201, r.json
    assert len(r.json["barcodes"]) == 50


def test_an_import_row_with_a_bad_case_pack_is_reported_and_skipped(api, floor):
    import io
    csv = "sku,name,barcodes\nSKU-7,Box,ABCX*x\nSKU-8,Crate,CRATE*6\n"
    r = api("supervisor").post("/api/items/import", data={"file": (io.BytesIO(csv.encode()), "items.csv")},
                               content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.json["created"] == 1
    assert [e["line"] for e in r.json["errors"]] == [2]


# --- the supervisor pages: the same input through forms, filters and addresses -----------------------------

@pytest.fixture
def pages(app, users):
    """A client signed in to the supervisor pages as the supervisor."""
    from tests.supervisor.web import login

    client = app.test_client()
    assert login(client, users["supervisor"].username).status_code == 302
    return client


def test_a_nul_in_a_page_address_is_refused_not_a_500(pages, floor, subtests):
    for url, status in [("/items/AB%00C", 404), ("/locations/%00", 404), ("/items?q=%00", 422),
                        ("/locations?q=%00", 422), ("/movements?item=%00", 422), ("/movements?user=%00", 422),
                        ("/stock?q=%00", 422), ("/stock/locations?q=%00", 422), ("/stock/export.csv?q=%00", 422)]:
        with subtests.test(url=url):
            assert pages.get(url).status_code == status


def test_a_history_filter_at_the_edge_of_the_calendar_is_a_field_error(pages, floor, subtests):
    for query in ("to=9999-12-31", "from=9999-12-31&to=9999-12-31", "from=0001-01-01"):
        for url in (f"/movements?{query}", f"/movements/export.csv?{query}"):
            with subtests.test(url=url):
                r = pages.get(url)
                assert r.status_code == 422
                assert "1970" in r.text


@pytest.mark.parametrize("form, field", [
    ({"sku": "N-1", "name": "Mug\x00"}, None),
    ({"sku": "N-1", "name": "Mug", "weight_g": "99999999999999"}, "weight_g"),
    ({"sku": "N-1", "name": "Mug", "barcodes": "\n".join(f"C{i:05d}" for i in range(60))}, "barcodes"),
])
def test_an_item_form_with_unstorable_input_is_refused(pages, floor, form, field):
    from tests.supervisor.web import field_errors, submit, total

    r = submit(pages, "/items/new", form)
    assert r.status_code == 422, r.status_code
    if field:
        assert field_errors(r.text, field), r.text[:2000]
    assert total(pages.get("/items?q=N-1").text) == 0


def test_a_receipt_form_date_at_the_edge_of_the_calendar_is_a_field_error(pages, floor, subtests):
    from tests.supervisor.web import field_errors, submit

    for day in ("0001-01-01", "9999-12-31"):
        with subtests.test(day=day):
            r = submit(pages, "/receipts/new", {"reference": "PO-7", "expected_on": day, "lines": f"{ITEM} 2"})
            assert r.status_code == 422
            assert field_errors(r.text, "expected_on")

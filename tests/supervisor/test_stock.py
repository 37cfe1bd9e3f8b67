"""Stock pages: by item and by location (filters, paging, CSV export), item and location detail, adjust, import."""

from __future__ import annotations

import io
import re

import pytest

from server.catalog import services as catalog
from server.http import run_in_transaction
from tests.supervisor.floor import MUG_BARCODE, balance, move_ids
from tests.supervisor.web import (csrf_token, csv_rows, field_errors, flashes, import_error_lines, rows, submit,
                                  table, total)


# --- Stock by item ---------------------------------------------------------------------------------

def test_stock_by_item_lists_on_hand_reserved_available_and_locations(supervisor, floor):
    page = supervisor.get("/stock").text
    assert rows(page, "sku") == ["CUP-9", "MUG-1", "TEA-1"]
    assert table(page, "stock-table") == [
        ["CUP-9", "Paper cup", "0", "0", "0", "0"],
        ["MUG-1", "Blue mug", "16", "0", "16", "3"],
        ["TEA-1", "Green tea", "9", "0", "9", "1"],  # two lots in one bin: one location
    ]


def test_stock_by_item_searches_sku_name_and_barcode(supervisor, floor):
    assert rows(supervisor.get("/stock?q=tea").text, "sku") == ["TEA-1"]
    assert rows(supervisor.get("/stock?q=blue").text, "sku") == ["MUG-1"]
    assert rows(supervisor.get(f"/stock?q={MUG_BARCODE}").text, "sku") == ["MUG-1"]
    page = supervisor.get("/stock?q=nothing-like-this").text
    assert rows(page, "sku") == [] and total(page) == 0


def test_only_in_stock_hides_items_without_stock(supervisor, floor):
    assert rows(supervisor.get("/stock?in_stock=1").text, "sku") == ["MUG-1", "TEA-1"]


def test_a_deactivated_item_stays_listed_while_it_has_stock(supervisor, floor):
    def deactivate(*skus):
        for sku in skus:
            catalog.deactivate_item(catalog.get_item(sku))
    run_in_transaction(deactivate, "MUG-1", "CUP-9")
    page = supervisor.get("/stock").text
    assert rows(page, "sku") == ["MUG-1", "TEA-1"]
    assert 'class="stock-row inactive" data-sku="MUG-1"' in page


def test_stock_by_item_pages_fifty_at_a_time(supervisor, app):
    run_in_transaction(lambda: [catalog.create_item(f"P-{n:03d}", f"Part {n}") for n in range(1, 56)])
    first = supervisor.get("/stock?q=p-").text
    assert total(first) == 55 and len(rows(first, "sku")) == 50
    assert 'href="/stock?page=2&amp;q=p-"' in first
    second = supervisor.get("/stock?q=p-&page=2").text
    assert rows(second, "sku") == [f"P-{n:03d}" for n in range(51, 56)]


def test_a_page_number_past_the_end_is_an_empty_page_not_an_error(supervisor, floor):
    for url in ("/stock?page=99999999999999999999999", "/stock/locations?page=-3&zone=A",
                "/movements?page=99999999999999999999999", "/receipts?page=x", "/items?page=1e99"):
        assert supervisor.get(url).status_code == 200, url


def test_stock_by_item_csv_matches_the_rows_with_a_header(supervisor, floor):
    page = supervisor.get("/stock?q=u").text  # MUG-1 (mug), CUP-9 (cup): not TEA-1
    r = supervisor.get("/stock/export.csv?q=u")
    assert r.headers["Content-Disposition"].startswith('attachment; filename="stock-by-item-')
    lines = csv_rows(r)
    assert lines[0] == ["sku", "name", "unit", "on_hand", "reserved", "available", "locations"]
    assert [[c[0], c[1], c[3], c[4], c[5], c[6]] for c in lines[1:]] == table(page, "stock-table")
    assert lines[1:] == [["CUP-9", "Paper cup", "each", "0", "0", "0", "0"],
                         ["MUG-1", "Blue mug", "each", "16", "0", "16", "3"]]
    assert 'href="/stock/export.csv?q=u"' in page  # the page's export link carries its filters


def test_format_csv_on_the_page_address_exports_too(supervisor, floor):
    assert csv_rows(supervisor.get("/stock?format=csv&in_stock=1"))[1:] == csv_rows(
        supervisor.get("/stock/export.csv?in_stock=1"))[1:]
    assert len(csv_rows(supervisor.get("/stock?format=csv&in_stock=1"))) == 3


def test_the_csv_export_defuses_formulas_in_text(supervisor, app):
    run_in_transaction(lambda: catalog.create_item("F-1", "=HYPERLINK(\"http://evil\")"))
    lines = csv_rows(supervisor.get("/stock/export.csv?q=f-1"))
    assert lines[1][1] == "'=HYPERLINK(\"http://evil\")"


# --- Stock by location -----------------------------------------------------------------------------

def test_stock_by_location_lists_item_lot_and_qty_in_walking_order(supervisor, floor):
    page = supervisor.get("/stock/locations").text
    assert rows(page, "location") == ["A-01", "A-02", "A-02", "B-01", "TOTE-7"]
    cells = table(page, "stock-table")
    assert [c[0] for c in cells] == ["A-01 Bin", "A-02 Bin", "A-02 Bin", "B-01 Bin", "TOTE-7 Tote"]
    assert [(c[3], c[5], c[6], c[7]) for c in cells] == [
        ("MUG-1", "—", "—", "10"), ("TEA-1", "L1", "2027-01-31", "6"), ("TEA-1", "L2", "2026-12-31", "3"),
        ("MUG-1", "—", "—", "4"), ("MUG-1", "—", "—", "2")]
    assert cells[4][1:3] == ["B", "DOCK-1"]  # the tote stands on the dock, in the dock's zone


def test_stock_by_location_filters_by_code_and_zone(supervisor, floor):
    assert rows(supervisor.get("/stock/locations?q=a-0").text, "location") == ["A-01", "A-02", "A-02"]
    # TOTE-7 has no zone of its own: it counts in the zone of the dock it stands on.
    assert rows(supervisor.get("/stock/locations?zone=b").text, "location") == ["B-01", "TOTE-7"]
    assert rows(supervisor.get("/stock/locations?q=a-02&zone=A").text, "location") == ["A-02", "A-02"]
    assert rows(supervisor.get("/stock/locations?zone=Z").text, "location") == []
    page = supervisor.get("/stock/locations").text
    assert '<option value="A">A</option>' in page and '<option value="B">B</option>' in page


def test_stock_by_location_csv_matches_the_rows(supervisor, floor):
    page = supervisor.get("/stock/locations?zone=A").text
    lines = csv_rows(supervisor.get("/stock/locations/export.csv?zone=A"))
    assert lines[0] == ["location", "zone", "kind", "parent", "sku", "name", "lot", "expiry", "qty", "reserved",
                        "available"]
    assert [line[0] for line in lines[1:]] == rows(page, "location")
    assert lines[1:] == [["A-01", "A", "bin", "", "MUG-1", "Blue mug", "", "", "10", "0", "10"],
                         ["A-02", "A", "bin", "", "TEA-1", "Green tea", "L1", "2027-01-31", "6", "0", "6"],
                         ["A-02", "A", "bin", "", "TEA-1", "Green tea", "L2", "2026-12-31", "3", "0", "3"]]
    assert 'href="/stock/locations/export.csv?zone=A"' in page


# --- Detail pages ----------------------------------------------------------------------------------

def test_item_page_shows_stock_per_location_and_lot(supervisor, floor):
    page = supervisor.get("/items/TEA-1").text
    assert '<dd id="item-on-hand">9</dd>' in page and '<dd id="item-available">9</dd>' in page
    assert table(page, "item-stock") == [["A-02", "L1", "2027-01-31", "6", "0", "6", "Adjust"],
                                         ["A-02", "L2", "2026-12-31", "3", "0", "3", "Adjust"]]
    assert 'href="/stock/adjust?item=TEA-1&amp;location=A-02&amp;lot=L1"' in page
    assert 'id="item-no-stock"' in supervisor.get("/items/CUP-9").text


def test_location_page_shows_its_stock_and_the_containers_on_it(supervisor, floor):
    page = supervisor.get("/locations/A-02").text
    # Each item's lots first-expiry-first, as the ledger takes them.
    assert table(page, "location-stock") == [["TEA-1", "Green tea", "L2", "2026-12-31", "3", "0", "3"],
                                             ["TEA-1", "Green tea", "L1", "2027-01-31", "6", "0", "6"]]
    dock = supervisor.get("/locations/DOCK-1").text
    assert 'id="location-empty"' in dock
    assert table(dock, "location-children") == [["TOTE-7", "Tote", "2"]]


# --- Adjust stock ----------------------------------------------------------------------------------

def test_the_adjust_form_offers_the_adjustment_reasons_labelled(supervisor):
    page = supervisor.get("/stock/adjust?item=MUG-1&location=A-01").text
    assert '<option value="damaged">Damaged</option>' in page
    assert '<option value="opening_balance">Opening balance</option>' in page
    assert 'value="bin_full"' not in page  # a put-away reason, not an adjustment one
    assert re.search(r'<input[^>]* id="item"[^>]* value="MUG-1"', page)  # filled in from the link
    assert re.search(r'<input[^>]* id="location"[^>]* value="A-01"', page)


def test_an_adjustment_posts_a_ledger_entry_and_changes_the_balance(supervisor, floor, users):
    before = move_ids()
    r = submit(supervisor, "/stock/adjust", {"item": MUG_BARCODE, "location": "a-01", "qty": "-3",
                                             "reason": "damaged"})
    assert r.status_code == 302 and r.location == "/items/MUG-1#stock"
    assert flashes(supervisor.get("/items/MUG-1").text) == ["MUG-1 in A-01 changed by -3."]
    assert balance("MUG-1", "A-01") == 7
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    new = [i for i in move_ids() if i not in before]
    assert len(new) == 1
    move = db.session.get(StockMove, new[0])
    assert (move.kind.value, move.qty, move.src.code, move.dst.code, move.reason, move.user_id, move.device_id) == \
        ("adjust", 3, "A-01", "ADJUSTMENT", "damaged", users["supervisor"].id, "supervisor-web")


def test_a_positive_adjustment_with_lot_and_expiry(supervisor, floor):
    r = submit(supervisor, "/stock/adjust", {"item": "TEA-1", "location": "B-01", "qty": "5", "reason": "found",
                                             "lot": "L9", "expiry": "2027-06-30"})
    assert r.status_code == 302
    assert balance("TEA-1", "B-01", "L9") == 5
    page = supervisor.get("/items/TEA-1").text
    assert ["B-01", "L9", "2027-06-30", "5", "0", "5", "Adjust"] in table(page, "item-stock")


@pytest.mark.parametrize("data, field, message", [
    ({"qty": "0"}, "qty", "Zero changes nothing: enter a positive or negative number."),
    ({"qty": ""}, "qty", "Enter the change, like 5 or -2."),
    ({"qty": "99999999999"}, "qty", "Enter a change between -1000000 and 1000000."),
    ({"reason": ""}, "reason", "Choose a reason."),
    ({"item": "NOPE"}, "item", "No item has the SKU or barcode NOPE."),
    ({"location": "Z-99"}, "location", "There is no location Z-99."),
    ({"location": "SUPPLIER"}, "location", "SUPPLIER is not a stock location."),
    ({"qty": "-11"}, "qty", "A-01 has 10 of MUG-1 available; you asked for 11."),
    ({"item": "TEA-1"}, "lot", "TEA-1 is tracked by lot: give the lot."),
])
def test_a_refused_adjustment_says_why_on_its_field_and_books_nothing(supervisor, floor, data, field, message):
    before = move_ids()
    r = submit(supervisor, "/stock/adjust", {"item": "MUG-1", "location": "A-01", "qty": "2", "reason": "found",
                                             **data})
    assert r.status_code == 422
    assert field_errors(r.text, field) == [message]
    assert move_ids() == before
    assert balance("MUG-1", "A-01") == 10


def test_an_adjustment_needs_the_csrf_token(supervisor, floor):
    r = supervisor.post("/stock/adjust", data={"item": "MUG-1", "location": "A-01", "qty": "5", "reason": "found"})
    assert r.status_code == 400
    assert balance("MUG-1", "A-01") == 10


# --- Opening stock import --------------------------------------------------------------------------

def _upload(client, content: bytes, name="opening.csv"):
    token = csrf_token(client.get("/stock/import").text)
    return client.post("/stock/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_opening_stock_import_posts_each_line_and_reports_refusals(supervisor, floor, users):
    r = _upload(supervisor, b"item;location;qty;lot;expiry\n"
                            b"CUP-9;B-01;40;;\n"
                            b"TEA-1;A-01;2;L7;2027-05-31\n"
                            b"NOPE;A-01;1;;\n"
                            b"CUP-9;A-01;x;;\n"
                            b"TEA-1;A-01;1;;\n")
    assert r.status_code == 200
    assert '<strong id="import-created">2</strong>' in r.text
    assert import_error_lines(r.text) == [4, 5, 6]
    assert balance("CUP-9", "B-01") == 40 and balance("TEA-1", "A-01", "L7") == 2
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    newest = db.session.get(StockMove, move_ids()[0])
    assert (newest.reason, newest.user_id) == ("opening_balance", users["supervisor"].id)


def test_the_opening_stock_page_warns_that_each_line_adds(supervisor):
    page = supervisor.get("/stock/import").text
    assert "Each line adds its quantity to the location as an opening balance" in page
    assert 'aria-current="page">Stock</a>' in page

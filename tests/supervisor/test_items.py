"""Item pages: search and paging, detail, the create form (with its CSRF token), CSV import, deactivate."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from server.catalog import services
from server.catalog.models import Item
from server.extensions import db
from server.http import run_in_transaction
from tests.supervisor.web import csrf_token, field_errors, flashes, import_error_lines, rows, submit, total


@pytest.fixture
def many_items(app):
    """120 items SKU-000 … SKU-119, plus one other item the searches must not find."""
    def make():
        for n in range(120):
            services.create_item(f"SKU-{n:03d}", f"Widget {n}")
        services.create_item("OTHER-1", "Gadget", barcodes=["4006381333931"])
    run_in_transaction(make)


def test_search_pages_through_matching_items_fifty_at_a_time(supervisor, many_items):
    first = supervisor.get("/items?q=sku-").text
    assert total(first) == 120
    assert rows(first, "sku") == [f"SKU-{n:03d}" for n in range(50)]
    assert "Showing 1–50 of 120" in first
    assert 'id="page-prev"' not in first
    assert 'href="/items?page=2&amp;q=sku-"' in first

    second = supervisor.get("/items?q=sku-&page=2").text
    assert rows(second, "sku") == [f"SKU-{n:03d}" for n in range(50, 100)]
    assert 'id="page-prev"' in second and 'id="page-next"' in second

    last = supervisor.get("/items?q=sku-&page=3").text
    assert rows(last, "sku") == [f"SKU-{n:03d}" for n in range(100, 120)]
    assert "Showing 101–120 of 120" in last
    assert 'id="page-next"' not in last


def test_without_search_every_item_is_listed(supervisor, many_items):
    page = supervisor.get("/items").text
    assert total(page) == 121
    assert rows(page, "sku")[0] == "OTHER-1"


def test_search_finds_an_item_by_barcode(supervisor, many_items):
    page = supervisor.get("/items?q=4006381333931").text
    assert rows(page, "sku") == ["OTHER-1"]


def test_a_search_that_matches_nothing_says_so(supervisor, many_items):
    page = supervisor.get("/items?q=zzz").text
    assert total(page) == 0 and "Nothing found." in page


def test_a_page_number_that_is_not_a_number_shows_the_first_page(supervisor, many_items):
    assert rows(supervisor.get("/items?q=sku-&page=x").text, "sku")[0] == "SKU-000"


def test_item_detail_shows_barcodes_and_case_packs(supervisor):
    run_in_transaction(lambda: services.create_item("CUP-1", "Cup", barcodes=["4006381333931", "CUPCASE*24"],
                                                    weight_g=250, tracks_lot=True))
    page = supervisor.get("/items/cup-1").text
    assert '<h1 id="item-title">CUP-1 <span class="sub">Cup</span></h1>' in page
    assert "<code>04006381333931</code></td><td>GTIN</td><td>1</td>" in page
    assert "<code>CUPCASE</code></td><td>CASE</td><td>24</td>" in page
    assert "250 g" in page and "lots" in page


def test_an_unknown_item_is_404(supervisor):
    r = supervisor.get("/items/NOPE")
    assert r.status_code == 404
    assert "Not found" in r.text


ITEM_FORM = {"sku": "NEW-1", "name": "New thing", "unit": "each", "weight_g": "120",
             "barcodes": "4006381333931\r\nNEWCASE*12\r\n", "tracks_lot": "y"}


def test_a_supervisor_creates_an_item_through_the_form(supervisor):
    r = submit(supervisor, "/items/new", ITEM_FORM)
    assert r.status_code == 302 and r.location == "/items/NEW-1"
    assert flashes(supervisor.get(r.location).text) == ["Item NEW-1 created."]
    item, units = services.find_item_by_code("NEWCASE")
    assert (item.sku, item.name, item.weight_g, item.tracks_lot, item.tracks_serial) == \
        ("NEW-1", "New thing", 120, True, False)
    assert units == 12
    assert services.find_item_by_code("4006381333931")[0].sku == "NEW-1"


def test_a_post_without_csrf_token_is_refused_and_creates_nothing(supervisor):
    r = supervisor.post("/items/new", data=ITEM_FORM)
    assert r.status_code == 400
    assert services.find_item_by_code("NEW-1") is None


def test_a_post_with_a_forged_csrf_token_is_refused(supervisor):
    r = supervisor.post("/items/new", data={**ITEM_FORM, "csrf_token": "forged"})
    assert r.status_code == 400
    assert services.find_item_by_code("NEW-1") is None


def test_a_token_from_another_session_is_refused(supervisor, admin):
    token = csrf_token(admin.get("/items/new").text)
    r = supervisor.post("/items/new", data={**ITEM_FORM, "csrf_token": token})
    assert r.status_code == 400


def test_a_duplicate_sku_is_shown_on_the_sku_field(supervisor):
    run_in_transaction(lambda: services.create_item("NEW-1", "First"))
    r = submit(supervisor, "/items/new", ITEM_FORM)
    assert r.status_code == 422
    assert field_errors(r.text, "sku") == ["SKU NEW-1 exists already."]
    assert 'value="New thing"' in r.text  # what was typed stays in the form


def test_a_bad_gtin_is_shown_on_the_barcodes_field_and_nothing_is_kept(supervisor):
    r = submit(supervisor, "/items/new", {**ITEM_FORM, "barcodes": "4006381333932"})
    assert r.status_code == 422
    assert field_errors(r.text, "barcodes") == [
        "4006381333932 looks like a GTIN but its check digit is wrong."]
    assert db.session.scalar(sa.select(Item).where(Item.sku_key == "NEW-1")) is None


def test_a_malformed_case_pack_line_is_refused_before_saving(supervisor):
    r = submit(supervisor, "/items/new", {**ITEM_FORM, "barcodes": "GOOD\nBAD*x"})
    assert r.status_code == 422
    assert field_errors(r.text, "barcodes") == ["Line 2: write CODE, or CODE*N for a case pack of N units."]


def test_missing_fields_are_marked(supervisor):
    r = submit(supervisor, "/items/new", {"sku": "", "name": "", "unit": "each"})
    assert r.status_code == 422
    assert field_errors(r.text, "sku") == ["Enter a SKU."]
    assert field_errors(r.text, "name") == ["Enter a name."]


def _upload(client, url, content: bytes, filename="items.csv"):
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_csv_import_creates_updates_and_lists_refused_lines(supervisor):
    run_in_transaction(lambda: services.create_item("OLD-1", "Old name"))
    csv = (b"sku,name,barcodes,weight_g\n"
           b"IMP-1,Imported one,IMPCODE1,100\n"
           b"IMP-2,Imported two,,heavy\n"
           b"OLD-1,New name,,\n"
           b"IMP-3,Bad barcode,4006381333932,\n")
    r = _upload(supervisor, "/items/import", csv)
    assert r.status_code == 200
    assert '<strong id="import-created">1</strong>' in r.text
    assert '<strong id="import-updated">1</strong>' in r.text
    assert ('data-line="3"><td class="line">3</td>'
            '<td class="reason">weight_g must be a whole number, not heavy.') in r.text
    assert import_error_lines(r.text) == [3, 5]
    assert "check digit is wrong" in r.text
    assert services.get_item("IMPCODE1").name == "Imported one"
    assert services.get_item("OLD-1").name == "New name"
    assert services.find_item_by_code("IMP-2") is None


def test_csv_import_names_missing_columns(supervisor):
    r = _upload(supervisor, "/items/import", b"sku,title\nA,B\n")
    assert r.status_code == 200
    assert "The file lacks the column(s): name." in r.text


def test_an_unreadable_upload_is_explained_not_a_500(supervisor):
    r = _upload(supervisor, "/items/import", b"\xff\xfe\x00\x01garbage")
    assert r.status_code == 422
    assert "The file is not UTF-8 text." in field_errors(r.text, "file")[0]


def test_a_one_column_upload_is_read_and_its_missing_columns_named(supervisor):
    # One-column files are legal CSV (a location list can be just "code"); this one lacks sku and name.
    r = _upload(supervisor, "/items/import", b"just one column\nand no separator\n")
    assert r.status_code == 200
    assert import_error_lines(r.text) == [1]
    assert "The file lacks the column(s): name, sku." in r.text


def test_import_without_a_file_asks_for_one(supervisor):
    r = submit(supervisor, "/items/import", {}, content_type="multipart/form-data")
    assert r.status_code == 422
    assert field_errors(r.text, "file") == ["Choose a CSV file."]


def test_deactivating_an_item_hides_it_from_search(supervisor):
    run_in_transaction(lambda: services.create_item("GONE-1", "Going"))
    r = submit(supervisor, "/items/GONE-1", {}, action="/items/GONE-1/deactivate")
    assert r.status_code == 302 and r.location == "/items/GONE-1"
    page = supervisor.get(r.location).text
    assert flashes(page) == ["Item GONE-1 deactivated."]
    assert '<dd id="item-status">Inactive</dd>' in page
    assert 'id="item-deactivate"' not in page
    assert rows(supervisor.get("/items?q=gone").text, "sku") == []
    assert rows(supervisor.get("/items?q=gone&inactive=1").text, "sku") == ["GONE-1"]


def test_deactivate_without_csrf_token_is_refused(supervisor):
    run_in_transaction(lambda: services.create_item("STAY-1", "Staying"))
    assert supervisor.post("/items/STAY-1/deactivate").status_code == 400
    assert services.get_item("STAY-1").active


def test_a_sku_with_a_slash_has_a_working_detail_page(supervisor):
    run_in_transaction(lambda: services.create_item("AB/12", "Slashed"))
    assert 'href="/items/AB/12"' in supervisor.get("/items?q=ab").text
    page = supervisor.get("/items/AB/12").text
    assert '<h1 id="item-title">AB/12 <span class="sub">Slashed</span></h1>' in page
    r = submit(supervisor, "/items/AB/12", {}, action="/items/AB/12/deactivate")
    assert r.status_code == 302 and r.location == "/items/AB/12"
    assert not services.find_item_by_code("AB/12")

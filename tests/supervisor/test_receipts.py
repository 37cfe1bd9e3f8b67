"""Receipt pages: list with progress, create an expected receipt, CSV import, blind start, close."""

from __future__ import annotations

import io

import pytest

from server.http import run_in_transaction
from server.inventory.ledger import Actor
from server.receiving import services
from server.receiving.models import ReceiptStatus
from tests.supervisor.floor import MUG_BARCODE
from tests.supervisor.web import (csrf_token, field_errors, flashes, import_error_lines, rows, submit, table,
                                  total)


def _receipt(reference: str):
    import sqlalchemy as sa

    from server.extensions import db
    from server.receiving.models import Receipt
    db.session.expire_all()
    return db.session.scalar(sa.select(Receipt).where(Receipt.reference == reference))


@pytest.fixture
def receiving(floor, users):
    """PO-1 (MUG-1 ×10, TEA-1 ×5) with 4 mugs received; PO-2 (CUP-9 ×2) closed; PO-3 (CUP-9 ×1) open."""
    def make():
        po1 = services.create_receipt("PO-1", supplier="Acme", lines=[("MUG-1", 10), ("TEA-1", 5)])
        services.create_receipt("PO-2", lines=[("CUP-9", 2)])
        services.create_receipt("PO-3", lines=[("CUP-9", 1)])
        services.receive(po1, code=MUG_BARCODE, qty=4, location_code="DOCK-1",
                         actor=Actor(user_id=users["receiver"].id, device_id="HH-1"))
        services.close_receipt(_receipt("PO-2"))
        return po1.id
    return run_in_transaction(make)


def test_open_receipts_are_listed_with_progress_per_line(supervisor, receiving):
    page = supervisor.get("/receipts").text
    assert rows(page, "reference") == ["PO-3", "PO-1"]
    cells = dict(zip(rows(page, "reference"), table(page, "receipts-table")))
    assert cells["PO-1"][1] == "Acme" and cells["PO-1"][2] == "Open"
    assert cells["PO-1"][4].startswith("4 / 15")
    assert cells["PO-1"][5] == "MUG-1 4/10, TEA-1 0/5"
    assert 'id="tab-open"' in page and ">Open (2)<" in page and ">Closed (1)<" in page


def test_closed_and_all_receipts_have_their_own_tabs(supervisor, receiving):
    assert rows(supervisor.get("/receipts?status=closed").text, "reference") == ["PO-2"]
    assert rows(supervisor.get("/receipts?status=all").text, "reference") == ["PO-3", "PO-2", "PO-1"]
    assert rows(supervisor.get("/receipts?status=bogus").text, "reference") == ["PO-3", "PO-1"]


def test_the_receipt_page_shows_variance_and_what_was_received(supervisor, receiving, users):
    page = supervisor.get(f"/receipts/{receiving}").text
    assert table(page, "receipt-lines") == [["MUG-1", "Blue mug", "10", "4", "-6"],
                                            ["TEA-1", "Green tea", "5", "0", "-5"]]
    assert '<dd id="receipt-progress">4 of 15 units received</dd>' in page
    moves = table(page, "receipt-moves")
    assert [m[1:6] for m in moves] == [["MUG-1", "4", "DOCK-1", "", users["receiver"].username]]


def test_a_supervisor_creates_an_expected_receipt_from_sku_lines(supervisor, floor):
    r = submit(supervisor, "/receipts/new", {"reference": "PO-77", "supplier": "Globex", "expected_on": "2026-04-02",
                                             "lines": f"MUG-1 12\n\n{MUG_BARCODE};3\r\ntea-1, 6\n"})
    assert r.status_code == 302
    receipt = _receipt("PO-77")
    assert r.location == f"/receipts/{receipt.id}"
    assert flashes(supervisor.get(r.location).text) == ["Receipt PO-77 created."]
    assert receipt.supplier == "Globex" and receipt.status == ReceiptStatus.OPEN and not receipt.blind
    assert [(ln.item.sku, ln.expected_qty, ln.received_qty) for ln in receipt.lines] == [("MUG-1", 15, 0),
                                                                                         ("TEA-1", 6, 0)]
    assert rows(supervisor.get("/receipts").text, "reference") == ["PO-77"]


@pytest.mark.parametrize("data, field, messages", [
    ({"lines": "MUG-1\nTEA-1 x\nCUP-9 2"}, "lines",
     ["Line 1: write the SKU and the quantity, like ABC-1 12.",
      "Line 2: write the SKU and the quantity, like ABC-1 12."]),
    ({"lines": "MUG-1 0"}, "lines", ["Line 1: the quantity must be above zero."]),
    ({"lines": "MUG-1 1\nTEA-1 10000001"}, "lines", ["Line 2: the quantity must be at most 1000000."]),
    ({"lines": "MUG-1 2\n\nNOPE 3"}, "lines", ["Line 3: No item has the SKU or barcode NOPE."]),
    ({"lines": "  \n"}, "lines", ["Enter at least one line."]),
    ({"reference": ""}, "reference", ["Enter the PO or ASN number."]),
])
def test_a_refused_receipt_says_which_line_and_creates_nothing(supervisor, floor, data, field, messages):
    r = submit(supervisor, "/receipts/new", {"reference": "PO-9", "lines": "MUG-1 1", **data})
    assert r.status_code == 422
    assert field_errors(r.text, field) == messages
    assert _receipt("PO-9") is None


def test_a_duplicate_reference_is_shown_on_the_reference_field(supervisor, receiving):
    r = submit(supervisor, "/receipts/new", {"reference": "PO-1", "lines": "MUG-1 1"})
    assert r.status_code == 422
    assert field_errors(r.text, "reference") == ["Receipt PO-1 exists already."]


def _upload(client, content: bytes):
    token = csrf_token(client.get("/receipts/import").text)
    return client.post("/receipts/import", data={"csrf_token": token, "file": (io.BytesIO(content), "po.csv")},
                       content_type="multipart/form-data")


def test_csv_import_creates_receipts_and_refuses_a_receipt_with_a_bad_line(supervisor, floor):
    r = _upload(supervisor, b"reference,supplier,item,qty\n"
                            b"PO-A,Acme,MUG-1,5\n"
                            b"PO-A,Acme,TEA-1,2\n"
                            b"PO-B,Initech,CUP-9,1\n"
                            b"PO-B,Initech,NOPE,1\n"
                            b"PO-C,,CUP-9,x\n")
    assert r.status_code == 200
    assert '<strong id="import-created">1</strong>' in r.text
    assert import_error_lines(r.text) == [5, 6]
    assert "Unknown item NOPE." in r.text
    assert [(ln.item.sku, ln.expected_qty) for ln in _receipt("PO-A").lines] == [("MUG-1", 5), ("TEA-1", 2)]
    assert _receipt("PO-B") is None and _receipt("PO-C") is None
    assert 'aria-current="page">Receipts</a>' in r.text


def test_closing_a_receipt_from_the_list(supervisor, receiving):
    r = submit(supervisor, "/receipts", {}, action=f"/receipts/{receiving}/close")
    assert r.status_code == 302 and r.location == f"/receipts/{receiving}"
    page = supervisor.get(r.location).text
    assert flashes(page) == ["Receipt PO-1 closed."]
    assert '<dd id="receipt-status">Closed</dd>' in page and 'id="receipt-close"' not in page
    assert _receipt("PO-1").status == ReceiptStatus.CLOSED
    assert rows(supervisor.get("/receipts").text, "reference") == ["PO-3"]
    again = submit(supervisor, f"/receipts/{receiving}", {}, action=f"/receipts/{receiving}/close")
    assert flashes(supervisor.get(again.location).text) == ["Receipt PO-1 is closed already."]


def test_closing_needs_the_csrf_token(supervisor, receiving):
    assert supervisor.post(f"/receipts/{receiving}/close").status_code == 400
    assert _receipt("PO-1").status == ReceiptStatus.OPEN


def test_a_blind_receipt_can_be_started(supervisor, floor):
    r = submit(supervisor, "/receipts", {}, action="/receipts/blind")
    assert r.status_code == 302
    page = supervisor.get(r.location).text
    assert flashes(page)[0].startswith("Blind receipt BLIND-")
    assert "Blind (nothing expected)" in page
    assert total(supervisor.get("/receipts").text) == 1


def test_an_unknown_receipt_is_404(supervisor):
    assert supervisor.get("/receipts/424242").status_code == 404

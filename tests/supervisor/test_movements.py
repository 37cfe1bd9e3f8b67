"""Movement history: columns in warehouse time, every filter, paging, CSV export (streamed) and reversal."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from server.inventory.ledger import Actor
from server.inventory.ledger_models import StockMove
from server.inventory.moves import adjust_stock, move_stock
from tests.supervisor.floor import MUG_BARCODE, balance, move_ids
from tests.supervisor.web import csrf_token, csv_rows, field_errors, flashes, rows, submit, table, total

MOVED_AT = datetime(2026, 3, 14, 8, 0, 0, tzinfo=timezone.utc)
PICKER_SCANNED_AT = datetime(2026, 3, 14, 7, 59, 58, tzinfo=timezone.utc)


def _set_times(times: dict[int, datetime]) -> None:
    """Put movements at known instants (the ledger stamps them with now)."""
    def update():
        from server.extensions import db
        for move_id, at in times.items():
            db.session.execute(sa.update(StockMove).where(StockMove.id == move_id).values(created_at=at))
    run_in_transaction(update)


@pytest.fixture
def moved(floor, users):
    """The floor, plus the picker moving 3 MUG-1 from A-01 to B-01 on HH-9 at 08:00 UTC on 2026-03-14."""
    actor = Actor(user_id=users["picker"].id, device_id="HH-9", scanned_at=PICKER_SCANNED_AT)
    move_id = run_in_transaction(lambda: move_stock(item_code="MUG-1", qty=3, from_code="A-01", to_code="B-01",
                                                    lot=None, actor=actor)[0].id)
    _set_times({move_id: MOVED_AT})
    return move_id


def test_a_movement_row_shows_time_kind_item_qty_places_lot_reason_user_device_and_scan_time(
        app, supervisor, moved, users):
    app.config["WAREHOUSE_TIMEZONE"] = "Europe/Berlin"  # UTC+1 in March
    page = supervisor.get("/movements").text
    assert rows(page, "id") == [str(i) for i in move_ids()]
    first = table(page, "movements-table")[0]
    assert first == ["2026-03-14 09:00:00", "Move", "MUG-1", "3", "A-01", "B-01", "", "", users["picker"].username,
                     "HH-9", "2026-03-14 08:59:58", "Reverse…"]
    opening = table(page, "movements-table")[-1]
    assert opening[1:11] == ["Adjust", "MUG-1", "10", "ADJUSTMENT", "A-01", "", "Opening balance",
                             users["receiver"].username, "HH-7", "2026-03-14 09:15:30"]
    assert "Dates and times are warehouse time (Europe/Berlin)." in page


def test_filter_by_item_sku_or_barcode(supervisor, moved):
    by_sku = supervisor.get("/movements?item=tea-1").text
    assert total(by_sku) == 2
    assert {c[2] for c in table(by_sku, "movements-table")} == {"TEA-1"}
    by_barcode = supervisor.get(f"/movements?item={MUG_BARCODE}").text
    assert rows(by_barcode, "id") == [str(i) for i in move_ids(item_id=_item_id("MUG-1"))]
    assert total(by_barcode) == 4


def test_filter_by_location_matches_either_end(supervisor, moved):
    page = supervisor.get("/movements?location=b-01").text
    assert [(c[4], c[5]) for c in table(page, "movements-table")] == [("A-01", "B-01"), ("ADJUSTMENT", "B-01")]


def test_filter_by_kind_and_by_user(supervisor, moved, users):
    assert rows(supervisor.get("/movements?kind=move").text, "id") == [str(moved)]
    assert rows(supervisor.get(f"/movements?user={users['picker'].username}").text, "id") == [str(moved)]
    assert total(supervisor.get(f"/movements?user={users['receiver'].username}").text) == 5
    assert total(supervisor.get(f"/movements?user={users['receiver'].username}&kind=move").text) == 0


def test_date_filters_are_warehouse_days(app, supervisor, floor):
    """New York: 2026-03-10 runs from 04:00 UTC (EDT, -4) to 04:00 UTC the next day."""
    app.config["WAREHOUSE_TIMEZONE"] = "America/New_York"
    ids = sorted(move_ids())[:4]
    _set_times({ids[0]: datetime(2026, 3, 10, 3, 30, tzinfo=timezone.utc),   # 03-09 23:30 local
                ids[1]: datetime(2026, 3, 10, 4, 30, tzinfo=timezone.utc),   # 03-10 00:30 local
                ids[2]: datetime(2026, 3, 11, 3, 59, tzinfo=timezone.utc),   # 03-10 23:59 local
                ids[3]: datetime(2026, 3, 11, 4, 0, tzinfo=timezone.utc)})   # 03-11 00:00 local
    page = supervisor.get("/movements?from=2026-03-10&to=2026-03-10").text
    assert rows(page, "id") == [str(ids[2]), str(ids[1])]
    assert [c[0] for c in table(page, "movements-table")] == ["2026-03-10 23:59:00", "2026-03-10 00:30:00"]
    assert rows(supervisor.get("/movements?to=2026-03-09").text, "id") == [str(ids[0])]
    assert str(ids[3]) in rows(supervisor.get("/movements?from=2026-03-11").text, "id")
    assert str(ids[2]) not in rows(supervisor.get("/movements?from=2026-03-11").text, "id")


@pytest.mark.parametrize("query, field, message", [
    ("item=NOPE", "item", "No item has the SKU or barcode NOPE."),
    ("location=Z-99", "location", "There is no location Z-99."),
    ("user=nobody", "user", "There is no user nobody."),
    ("kind=teleport", "kind", "Choose a kind from the list."),
    ("from=14.03.2026", "from", None),
    ("from=2026-03-12&to=2026-03-10", "to", "The end date is before the start date."),
])
def test_a_filter_that_names_nothing_shows_an_error_and_no_rows(supervisor, floor, query, field, message):
    r = supervisor.get(f"/movements?{query}")
    assert r.status_code == 422
    errors = field_errors(r.text, field)
    assert len(errors) == 1 and (message is None or errors == [message])
    assert rows(r.text, "id") == [] and total(r.text) == 0
    assert supervisor.get(f"/movements/export.csv?{query}").status_code == 422  # never an unfiltered export


def test_movements_page_fifty_at_a_time_keeping_the_filters(supervisor, floor):
    def many():
        for _ in range(55):
            adjust_stock(item_code="CUP-9", location_code="A-01", delta=1, reason="found",
                         actor=Actor(user_id=None))
    run_in_transaction(many)
    first = supervisor.get("/movements?item=CUP-9").text
    assert total(first) == 55 and len(rows(first, "id")) == 50
    assert 'href="/movements?page=2&amp;item=CUP-9"' in first
    second = supervisor.get("/movements?item=CUP-9&page=2").text
    assert len(rows(second, "id")) == 5
    assert set(rows(first, "id")).isdisjoint(rows(second, "id"))


def test_movements_csv_matches_the_filtered_rows_with_a_header(app, supervisor, moved, users):
    app.config["WAREHOUSE_TIMEZONE"] = "Europe/Berlin"
    page = supervisor.get(f"/movements?item={MUG_BARCODE}").text
    r = supervisor.get(f"/movements/export.csv?item={MUG_BARCODE}")
    assert r.headers["Content-Disposition"].startswith('attachment; filename="movements-')
    lines = csv_rows(r)
    header = lines[0]
    assert header == ["id", "time", "kind", "sku", "name", "qty", "from", "to", "lot", "expiry", "reason",
                      "ref_type", "ref_id", "user", "device", "scanned_at", "reverses", "reversed_by"]
    data = [dict(zip(header, line)) for line in lines[1:]]
    assert [d["id"] for d in data] == rows(page, "id")
    for d, cells in zip(data, table(page, "movements-table")):
        assert d["time"][:19].replace("T", " ") == cells[0]
        assert (d["sku"], d["qty"], d["from"], d["to"], d["lot"], d["user"], d["device"]) == \
            (cells[2], cells[3], cells[4], cells[5], cells[6], cells[8], cells[9])
    assert data[0] == {"id": str(moved), "time": "2026-03-14T09:00:00+01:00", "kind": "move", "sku": "MUG-1",
                       "name": "Blue mug", "qty": "3", "from": "A-01", "to": "B-01", "lot": "", "expiry": "",
                       "reason": "", "ref_type": "", "ref_id": "", "user": users["picker"].username,
                       "device": "HH-9", "scanned_at": "2026-03-14T08:59:58+01:00", "reverses": "",
                       "reversed_by": ""}
    assert f'href="/movements/export.csv?item={MUG_BARCODE}"' in page


def test_the_export_streams_every_row_in_batches(supervisor, moved, monkeypatch):
    from server.supervisor import export
    monkeypatch.setattr(export, "BATCH_ROWS", 2)
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)  # a chunk per row
    r = supervisor.get("/movements/export.csv")
    assert r.is_streamed
    chunks = list(r.response)
    assert len(chunks) >= 7  # header + 6 movements, sent as they are read
    body = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode("utf-8-sig")
    assert [line.split(",")[0] for line in body.splitlines()[1:]] == [str(i) for i in move_ids()]
    assert supervisor.get("/movements?format=csv").get_data(as_text=True) == "\ufeff" + body


# --- Reversal --------------------------------------------------------------------------------------

def _reverse(client, move_id: int, back: str = "/movements", reason: str = "correction"):
    token = csrf_token(client.get(back).text)
    return client.post(f"/movements/{move_id}/reverse", data={"csrf_token": token, "next": back, "reason": reason})


def _reason_options(page: str) -> list[tuple[str, str]]:
    form = page[page.index('<form id="reverse-form"'):]
    select = form[form.index('<select'):form.index('</select>')]
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_reversing_a_movement_from_the_page_restores_stock_and_links_both(supervisor, moved, users):
    page = supervisor.get("/movements?item=MUG-1").text
    assert f'id="reverse-{moved}"' in page
    assert f'href="/movements/{moved}?next=/movements?item%3DMUG-1#reverse"' in page
    detail = supervisor.get(f"/movements/{moved}?next=/movements?item%3DMUG-1").text
    assert f'action="/movements/{moved}/reverse"' in detail
    assert 'name="next" type="hidden" value="/movements?item=MUG-1"' in detail
    r = _reverse(supervisor, moved, "/movements?item=MUG-1")
    assert r.status_code == 302 and r.location == "/movements?item=MUG-1"
    undo = move_ids()[0]
    page = supervisor.get(r.location).text
    assert flashes(page) == [f"Movement {moved} reversed by movement {undo}."]
    assert balance("MUG-1", "A-01") == 10 and balance("MUG-1", "B-01") == 4

    cells = {row_id: c for row_id, c in zip(rows(page, "id"), table(page, "movements-table"))}
    assert cells[str(moved)][-1] == f"Reversed by #{undo}"
    assert f'id="reverse-{moved}"' not in page
    assert cells[str(undo)][1:6] == ["Move", "MUG-1", "3", "B-01", "A-01"]
    assert cells[str(undo)][7] == "Correction" and cells[str(undo)][8] == users["supervisor"].username
    assert cells[str(undo)][-1] == f"Reverses #{moved} Reverse…"

    detail = supervisor.get(f"/movements/{moved}").text
    assert f'href="/movements/{undo}">Reversed by #{undo}</a>' in detail
    assert f'<dd id="movement-reverses"><a href="/movements/{moved}">#{moved}</a></dd>' in \
        supervisor.get(f"/movements/{undo}").text


def test_a_movement_is_reversed_once_only(supervisor, moved):
    _reverse(supervisor, moved)
    token = csrf_token(supervisor.get("/movements").text)
    r = supervisor.post(f"/movements/{moved}/reverse", data={"csrf_token": token, "reason": "correction"})
    assert r.status_code == 302 and r.location == "/movements"
    assert flashes(supervisor.get("/movements").text) == [f"Movement {moved} was reversed already."]
    assert balance("MUG-1", "A-01") == 10 and balance("MUG-1", "B-01") == 4


def test_a_reversal_the_stock_cannot_cover_is_refused(supervisor, moved):
    opening = move_ids(item_id=_item_id("MUG-1"))[-1]  # +10 into A-01; 3 of them moved on since
    r = _reverse(supervisor, opening)
    assert r.status_code == 302
    assert flashes(supervisor.get("/movements").text) == ["A-01 has 7 of MUG-1 available; you asked for 10."]
    assert balance("MUG-1", "A-01") == 7


def test_the_reversal_form_offers_only_the_reasons_allowed_for_the_movement_kind(supervisor, moved, users):
    from server.inventory.codes import MoveKind, reversal_reasons
    page = supervisor.get(f"/movements/{moved}").text
    assert _reason_options(page) == [(r.value, str(r.label)) for r in reversal_reasons(MoveKind.MOVE)]
    assert _reason_options(page)[0] == ("correction", "Correction")

    def receive():
        from server.receiving import services
        receipt = services.create_receipt("PO-9", lines=[("CUP-9", 5)])
        actor = Actor(user_id=users["receiver"].id, device_id="HH-7")
        return services.receive(receipt, code="CUP-9", qty=5, location_code="DOCK-1", actor=actor)
    run_in_transaction(receive)
    received = move_ids(kind="receive")[0]
    offered = _reason_options(supervisor.get(f"/movements/{received}").text)
    assert ("receiving_error", "Receiving error") in offered and ("damaged", "Damaged") not in offered


def test_a_reversal_with_a_reason_not_allowed_for_its_kind_is_refused(supervisor, moved):
    r = _reverse(supervisor, moved, reason="damaged")
    assert r.status_code == 302 and r.location == "/movements"
    assert flashes(supervisor.get("/movements").text) == ["Not a valid choice."]
    assert move_ids()[0] == moved and balance("MUG-1", "B-01") == 7


def test_a_reversal_needs_the_csrf_token_and_a_real_movement(supervisor, moved):
    assert supervisor.post(f"/movements/{moved}/reverse").status_code == 400
    token = csrf_token(supervisor.get("/movements").text)
    assert supervisor.post("/movements/99999/reverse", data={"csrf_token": token}).status_code == 404
    assert supervisor.get("/movements/99999").status_code == 404
    assert balance("MUG-1", "B-01") == 7


def test_a_reversal_never_redirects_off_the_site(supervisor, moved):
    token = csrf_token(supervisor.get("/movements").text)
    r = supervisor.post(f"/movements/{moved}/reverse", data={"csrf_token": token, "next": "//evil.example/"})
    assert r.status_code == 302 and r.location == "/movements"


def _item_id(sku: str) -> int:
    from server.catalog.services import get_item
    return get_item(sku).id

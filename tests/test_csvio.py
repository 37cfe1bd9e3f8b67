"""The one CSV import helper (server/csvio.py) and the imports built on it (items, locations, receipts,
opening stock): file line numbers, a savepoint per row, the error list, the JSON API's schemas per row."""

from __future__ import annotations

import io

import pytest

from tests.helpers import cheap_hash_secret


@pytest.fixture(autouse=True)
def _fast_secrets(monkeypatch):
    monkeypatch.setattr("server.auth.services.hash_secret", cheap_hash_secret)


def upload(api, path: str, text: str | bytes, role: str = "supervisor"):
    data = text.encode() if isinstance(text, str) else text
    r = api(role).post(path, data={"file": (io.BytesIO(data), "upload.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def items(api, q: str) -> dict[str, dict]:
    return {i["sku"]: i for i in api("picker").get(f"/api/items?q={q}").json["items"]}


# --- reading: line numbers as in the file ------------------------------------------------------------

def test_rows_are_numbered_by_the_line_they_start_on_quoted_newlines_and_blank_lines_counted():
    from server.csvio import read_rows

    text = ('sku,name\r\n'                      # 1
            'A-1,"two\r\nline name"\r\n'        # 2-3
            '\r\n'                              # 4
            'A-2,"three\nline\nname"\n'         # 5-7
            'A-3,plain\n')                      # 8
    assert [(line, row["sku"]) for line, row in read_rows(text.encode("utf-8-sig"))] == [
        (2, "A-1"), (5, "A-2"), (8, "A-3")]
    assert list(read_rows("sku;name\nB-1;semi colon\n"))[0] == (2, {"sku": "B-1", "name": "semi colon"})


def test_a_missing_column_is_one_error_on_line_1():
    from server.csvio import RowError, read_rows

    with pytest.raises(RowError, match="qty"):
        list(read_rows("item,location\nX,Y\n", required={"item", "location", "qty"}))


def test_an_exported_formula_escape_is_undone_and_a_nul_is_refused():
    from server.catalog.schemas import ItemIn
    from server.csvio import RowError, load_row, read_rows

    (_line, cells), = read_rows("sku,name,unit\nF-1,'=SUM(A1),'-x\n")
    assert cells == {"sku": "F-1", "name": "=SUM(A1)", "unit": "-x"}  # as our export escaped them
    with pytest.raises(RowError, match="NUL"):
        load_row(ItemIn(), 2, {"sku": "N-1", "name": "bad\x00name"})


# --- through the API, on both databases --------------------------------------------------------------

def test_item_import_reports_bad_rows_by_file_line_and_imports_the_others(api):
    text = ('sku,name,weight_g,barcodes\n'            # 1
            'M-1,"A name on\ntwo lines",10,M1CODE\n'   # 2-3
            'M-2,Heavy,heavy,\n'                       # 4
            'M-3,"Broken\nacross\nlines",-5,\n'        # 5-7
            'M-4,=1+2,,\n'                             # 8: looks like a formula; kept as text
            'M-5,"nul\x00inside",,\n'                  # 9: PostgreSQL cannot store it
            "M-6,'=HYPERLINK(x),,\n")                  # 10: as our export escapes it
    result = upload(api, "/api/items/import", text)
    assert result["created"] == 3
    assert [(e["line"], e["reason"].split(":")[0].split(" ")[0]) for e in result["errors"]] == [
        (4, "weight_g"), (5, "weight_g"), (9, "name")]
    found = items(api, "M-")
    assert sorted(found) == ["M-1", "M-4", "M-6"]
    assert found["M-1"]["name"] == "A name on\ntwo lines" and found["M-1"]["barcodes"] == ["M1CODE"]
    assert found["M-4"]["name"] == "=1+2"
    assert found["M-6"]["name"] == "=HYPERLINK(x)"


def test_a_row_is_refused_with_the_json_api_s_own_words(api):
    """The CSV row and the JSON body go through the same schema: the same refusal, word for word."""
    body = {"sku": "W-1", "name": "Too light", "weight_g": -1}
    api_detail = api("supervisor").post("/api/items", json=body).json["detail"]
    result = upload(api, "/api/items/import", "sku,name,weight_g\nW-1,Too light,-1\n")
    assert result["errors"] == [{"line": 2, "reason": api_detail}]

    api_detail = api("supervisor").post("/api/locations", json={"code": "V-1", "kind": "virtual"}).json["detail"]
    result = upload(api, "/api/locations/import", "code,kind\nV-1,virtual\n")
    assert result["errors"] == [{"line": 2, "reason": api_detail}]


def test_an_update_changes_only_the_cells_given(api):
    from server.catalog import services
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    def build():
        services.create_item("U-1", "Tracked", tracks_lot=True, unit="case")
        create_location("U-BIN", pickable=False, blocked=True, pick_sequence=7)

    run_in_transaction(build)
    result = upload(api, "/api/items/import", "sku,name,tracks_lot,unit,weight_g\nU-1,Renamed,,,250\n")
    assert (result["created"], result["updated"], result["errors"]) == (0, 1, [])
    item = items(api, "U-1")["U-1"]
    assert (item["name"], item["tracks_lot"], item["unit"], item["weight_g"]) == ("Renamed", True, "case", 250)

    result = upload(api, "/api/locations/import", "code,zone,pickable,blocked,position\nU-BIN,Z9,,no,3\n")
    assert (result["updated"], result["errors"]) == (1, [])
    from server.extensions import db
    from server.inventory.locations import find_location
    db.session.rollback()
    loc = find_location("U-BIN", include_inactive=True)
    assert (loc.pickable, loc.blocked, loc.pick_sequence, loc.position) == (False, False, 7, 3)
    assert loc.zone.code == "Z9"


def test_a_row_refused_by_the_ledger_is_rolled_back_alone(api):
    from server.catalog import services
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    def build():
        services.create_item("S-1", "Stocked")
        services.create_item("S-LOT", "Lot item", tracks_lot=True)
        create_location("S-BIN")

    run_in_transaction(build)
    text = ("item,location,qty,lot,expiry,reason\n"
            "S-1,S-BIN,4,,,damaged\n"          # the file's reason is ignored: an opening balance
            "S-LOT,S-BIN,2,,,\n"               # lot-tracked without a lot: refused by the ledger
            "S-1,S-BIN,0,,,\n"                 # an opening balance adds stock
            "S-1,S-BIN,1,,31/01/2027,\n")      # not an ISO date
    result = upload(api, "/api/stock/import", text)
    assert result["created"] == 1
    assert [e["line"] for e in result["errors"]] == [3, 4, 5]
    assert "lot" in result["errors"][0]["reason"] and "2027-03-31" in result["errors"][2]["reason"]
    stock = api("picker").get("/api/stock?item=S-1").json
    assert stock["on_hand"] == 4
    moves = api("picker").get("/api/movements?item=S-1").json["movements"]
    assert [m["reason"] for m in moves] == ["opening_balance"]
    assert api("picker").get("/api/stock?item=S-LOT").json["on_hand"] == 0


def test_a_receipt_with_one_bad_row_is_skipped_whole_and_the_culprit_named(api):
    from server.catalog import services
    from server.http import run_in_transaction

    run_in_transaction(lambda: services.create_item("R-1", "Received"))
    text = ("reference,supplier,item,qty\n"
            "PO-A,ACME,R-1,2\n"
            'PO-B,"Beta\nGmbH",R-1,1\n'   # 3-4
            "PO-B,,NOPE,1\n"              # 5: unknown item, so PO-B is not imported
            "PO-C,,R-1,0\n")              # 6: ExpectedLineIn wants at least 1
    result = upload(api, "/api/receipts/import", text, role="receiver")
    assert result["created"] == 1
    assert [e["line"] for e in result["errors"]] == [5, 6]
    assert "NOPE" in result["errors"][0]["reason"] and result["errors"][1]["reason"].startswith("qty:")
    receipts = api("receiver").get("/api/receipts").json["receipts"]
    assert [r["reference"] for r in receipts] == ["PO-A"]


# --- the JSON API's limits hold for every cell, on both databases (issue 7) ----------------------------------

LONG = "x" * 100_000


def _reasons(result) -> dict[int, str]:
    return {e["line"]: e["reason"] for e in result["errors"]}


def test_a_huge_cell_or_a_nul_is_a_row_error_naming_its_column_and_the_other_rows_go_in(api):
    """A 100,000-character name went in on SQLite and failed the whole import on PostgreSQL."""
    text = ("sku,name,home_zone\n"
            f"H-1,{LONG},\n"                 # 2: longer than ItemIn allows
            "H-2,\"nul\x00here\",\n"         # 3
            f"H-3,Fine,{LONG}\n"             # 4: a home zone no zone can have
            "H-4,Fine too,\n")               # 5
    result = upload(api, "/api/items/import", text)
    reasons = _reasons(result)
    assert result["created"] == 1 and sorted(reasons) == [2, 3, 4]
    assert reasons[2].startswith("name:") and reasons[3].startswith("name:")
    assert reasons[4].startswith("home_zone:")
    assert all(len(r) < 300 for r in reasons.values())  # no 100,000-character echo
    assert sorted(items(api, "H-")) == ["H-4"]


def test_every_import_checks_its_cells_with_the_api_schema(api):
    from server.catalog import services
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    run_in_transaction(lambda: (services.create_item("L-1", "Lot item", tracks_lot=True), create_location("L-BIN")))
    result = upload(api, "/api/locations/import", f"code,zone,parent\nZ-1,{LONG},\nZ-2,,{LONG}\nZ-3,,\n")
    assert result["created"] == 1 and [r.split(":")[0] for r in _reasons(result).values()] == ["zone", "parent"]
    result = upload(api, "/api/receipts/import", f"reference,supplier,item,qty\nPO-L,{LONG},L-1,1\n", role="receiver")
    assert result["created"] == 0 and _reasons(result)[2].startswith("supplier:")
    result = upload(api, "/api/stock/import", f"item,location,qty,lot\nL-1,L-BIN,1,{LONG}\nL-1,L-BIN,1,\x00\n")
    reasons = _reasons(result)
    assert result["created"] == 0 and reasons[2].startswith("lot:") and reasons[3].startswith("lot:")


def test_row_errors_are_worded_for_people_not_python(api):
    from server.catalog import services
    from server.http import run_in_transaction

    run_in_transaction(lambda: services.create_item("P-1", "Existing"))
    huge = "y" * 200_000  # past the csv module's field limit
    result = upload(api, "/api/items/import", f"sku,name\nP-2,{huge}\n")
    (reason,) = _reasons(result).values()
    assert reason.startswith("name:") and len(reason) < 300
    result = upload(api, "/api/items/import", "sku,name,barcodes\nP-1,Existing,P1CODE*x\n")
    (reason,) = _reasons(result).values()
    assert "invalid literal" not in reason and "int()" not in reason


def test_re_importing_opening_stock_books_it_once(api):
    from server.catalog import services
    from server.http import run_in_transaction
    from server.inventory.locations import create_location

    run_in_transaction(lambda: (services.create_item("O-1", "Opened"), create_location("O-BIN")))
    text = "item,location,qty\nO-1,O-BIN,5\n"
    assert upload(api, "/api/stock/import", text)["created"] == 1
    again = upload(api, "/api/stock/import", text)
    assert again["created"] == 0 and "opening balance already" in _reasons(again)[2]
    assert api("picker").get("/api/stock?item=O-1").json["on_hand"] == 5

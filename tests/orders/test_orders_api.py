"""The orders API (CONTRACT.md "Orders and shipments"): contract shapes over HTTP, fresh-database tier."""

from __future__ import annotations

import io

import pytest

from server.http import run_in_transaction
from tests.factories import make_item, make_location, make_stock
from tests.helpers import assert_problem
from tests.orders.reports import item_row, report


@pytest.fixture
def stock(app):
    """SKU-1 (5 units in bin A-1) and SKU-2 (no stock)."""
    def build():
        make_item("SKU-1", "Mug")
        make_item("SKU-2", "Plate")
        make_stock("SKU-1", make_location("A-1", pickable=True), 5)
    run_in_transaction(build)


def body(channel_order_id="W-1001", **extra):
    return {"channel": "shop", "channel_order_id": channel_order_id,
            "ship_to": {"name": "Ана Петрова", "address1": "Невский пр. 1", "city": "Санкт-Петербург",
                        "postal_code": "191186", "country": "RU"},
            "lines": [{"sku": "SKU-1", "qty": 2}], **extra}


def test_create_answers_201_with_the_order_and_its_computed_ship_by(api, stock):
    r = api().post("/api/orders", json=body(ordered_at="2026-05-08T10:00:00+00:00"))

    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert isinstance(order["id"], int) and order["status"] == "open"
    assert order["ship_to"]["name"] == "Ана Петрова" and order["ship_to"]["address2"] is None
    assert [(ln["sku"], ln["qty"]) for ln in order["lines"]] == [("SKU-1", 2)]
    assert order["ship_by_source"] == "computed" and order["ship_by"].startswith("2026-05-12")


def test_the_same_channel_order_again_is_409_naming_the_existing_order(api, stock):
    first = api().post("/api/orders", json=body(ship_by="2026-05-09T12:00:00Z")).get_json()

    problem = assert_problem(api().post("/api/orders", json=body()), 409, "duplicate_order")

    assert problem["order_id"] == first["id"]
    assert str(first["id"]) in problem["detail"] and "W-1001" in problem["detail"]
    assert first["ship_by_source"] == "channel"


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"lines": [{"sku": "NOPE", "qty": 1}]}, "unknown_sku", "lines.0.sku"),
    ({"ship_to": {"name": "X", "address1": "Y", "city": "Z", "postal_code": "1", "country": "XX"}},
     "invalid_input", "ship_to.country"),
    ({"lines": []}, "invalid_input", "lines"),
])
def test_bad_orders_are_422_problems_naming_the_field(api, stock, change, code, field):
    problem = assert_problem(api().post("/api/orders", json={**body(), **change}), 422, code, field=field)
    if code == "unknown_sku":
        assert "NOPE" in problem["detail"]


def test_only_supervisors_create_orders(api, stock):
    assert_problem(api("picker").post("/api/orders", json=body()), 403, "forbidden")


def test_list_filters_and_detail_shows_lines_and_history(api, stock, users):
    api().post("/api/orders", json=body("W-1", ship_by="2020-01-01T00:00:00Z"))  # overdue
    api().post("/api/orders", json=body("W-2", ship_by="2999-01-01T00:00:00Z", channel="amazon"))

    overdue = api().get("/api/orders?urgency=overdue").get_json()
    amazon = api().get("/api/orders?channel=amazon&status=open").get_json()
    assert [o["channel_order_id"] for o in overdue["orders"]] == ["W-1"] and overdue["total"] == 1
    assert [o["channel_order_id"] for o in amazon["orders"]] == ["W-2"]
    assert_problem(api().get("/api/orders?urgency=soonish"), 422)

    detail = api().get(f"/api/orders/{overdue['orders'][0]['id']}").get_json()
    assert detail["history"][0]["from_status"] is None and detail["history"][0]["to_status"] == "open"
    assert detail["history"][0]["user"] == users["supervisor"].username
    assert_problem(api().get("/api/orders/999999"), 404)


def test_cancel_releases_the_reservations_and_records_who_and_why(api, stock, db, users):
    from server.inventory import reservations
    from server.inventory.ledger_models import StockBalance

    order = api().post("/api/orders", json=body()).get_json()
    run_in_transaction(lambda: reservations.reserve(order_line_id=order["lines"][0]["id"],
                                                    item=db.session.get(StockBalance, 1).item_id, qty=2, actor=None))
    assert db.session.get(StockBalance, 1).reserved == 2

    assert_problem(api().post(f"/api/orders/{order['id']}/cancel", json={"reason": ""}), 422)
    r = api().post(f"/api/orders/{order['id']}/cancel", json={"reason": "Out of stock at supplier",
                                                               "source": "seller"})

    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["cancel_source"]) == ("cancelled", "seller")
    db.session.expire_all()
    assert db.session.get(StockBalance, 1).reserved == 0
    last = api().get(f"/api/orders/{order['id']}").get_json()["history"][-1]
    assert last["to_status"] == "cancelled" and "Out of stock at supplier" in last["note"]
    assert last["user"] == users["supervisor"].username
    assert_problem(api().post(f"/api/orders/{order['id']}/cancel", json={"reason": "again"}), 409,
                   "invalid_transition")


def test_a_channel_cancel_request_is_decided_by_a_supervisor(api, stock):
    from server.orders import services

    ids = [api().post("/api/orders", json=body(f"W-{n}")).get_json()["id"] for n in (1, 2)]
    assert_problem(api().post(f"/api/orders/{ids[0]}/channel-cancel", json={"cancel": True}), 409,
                   "no_cancel_request")
    run_in_transaction(lambda: [services.request_channel_cancel(services.get_order(i), note="buyer asked",
                                                                actor=None) for i in ids])

    kept = api().post(f"/api/orders/{ids[0]}/channel-cancel", json={"cancel": False}).get_json()
    cancelled = api().post(f"/api/orders/{ids[1]}/channel-cancel",
                           json={"cancel": True, "source": "buyer"}).get_json()

    assert (kept["status"], kept["cancel_request"]) == ("open", None)
    assert (cancelled["status"], cancelled["cancel_source"], cancelled["cancel_reason"]) == \
        ("cancelled", "buyer", "buyer asked")
    notes = [e["note"] for e in api().get(f"/api/orders/{ids[0]}").get_json()["history"]]
    assert any("declined" in n for n in notes) and any("buyer asked" in n for n in notes)


def upload(api, data: bytes, **form):
    return api().post("/api/orders/import", data={"file": (io.BytesIO(data), "orders.txt"), **form},
                      content_type="multipart/form-data")


def test_import_an_amazon_report_then_again(api, stock):
    data = report([item_row("111-1", "1", "SKU-1", 2), item_row("111-2", "2", "SKU-9"),
                   item_row("111-3", "3", "SKU-2")])

    first = upload(api, data)
    again = upload(api, data)

    assert first.status_code == 200, first.get_json()
    assert {k: first.get_json()[k] for k in ("imported", "duplicates", "errors")} == {
        "imported": 2, "duplicates": 0, "errors": [{"line": 3, "reason": "Unknown SKU SKU-9: no active item has it."}]}
    assert (again.get_json()["imported"], again.get_json()["duplicates"]) == (0, 2)
    listed = api().get("/api/orders?channel=amazon").get_json()
    assert sorted(o["channel_order_id"] for o in listed["orders"]) == ["111-1", "111-3"]


def test_a_csv_import_through_a_saved_mapping(api, stock):
    columns = {"channel_order_id": "Order", "sku": "Item", "qty": "Qty", "ship_to_name": "Name",
               "address1": "Street", "city": "Town", "postal_code": "Zip", "country": "Country",
               "ship_by": "Ship by"}
    assert_problem(upload(api, b"Order,Item\n1,SKU-1\n"), 422, field="mapping")
    saved = api().client.put("/api/orders/import-mappings/shop-export", json={"channel": "Shop", "columns": columns},
                             headers=api().headers(write=True))
    assert saved.status_code == 200, saved.get_json()
    too_long = api().client.put("/api/orders/import-mappings/" + "m" * 65, json={"channel": "Shop", "columns": columns},
                                headers=api().headers(write=True))
    assert_problem(too_long, 422, field="name")
    csv = ("Order,Item,Qty,Name,Street,Town,Zip,Country,Ship by\r\n"
           "S-1,SKU-1,1,Zoë Brontë,1 Rue X,Paris,75001,FR,2026-05-12\r\n"
           "S-1,SKU-2,3,Zoë Brontë,1 Rue X,Paris,75001,FR,2026-05-12\r\n"
           "S-2,SKU-1,x,Bob,2 Rue Y,Lyon,69001,FR,\r\n").encode()

    result = upload(api, csv, mapping="shop-export").get_json()

    assert (result["imported"], result["errors"]) == (1, [{"line": 4, "reason": "qty must be a whole number, not x."}])
    order = api().get("/api/orders?channel=shop").get_json()["orders"][0]
    assert (order["channel_order_id"], order["ship_to"]["name"], order["ship_by_source"]) == ("S-1", "Zoë Brontë",
                                                                                            "channel")
    assert [(ln["sku"], ln["qty"]) for ln in order["lines"]] == [("SKU-1", 1), ("SKU-2", 3)]
    names = [m["name"] for m in api().get("/api/orders/import-mappings").get_json()["mappings"]]
    assert names == ["shop-export"]


def test_a_large_import_is_a_job_whose_chunks_keep_orders_whole(api, stock, monkeypatch, db):
    from server.orders.models import Order

    monkeypatch.setattr("server.csvio.INLINE_ROWS", 20)
    monkeypatch.setattr("server.csvio.CHUNK_ROWS", 7)
    monkeypatch.setattr("server.csvio.CHUNK_SECONDS", 60)
    rows = [item_row(f"222-{n}", f"{n}-{k}", "SKU-1" if k else "SKU-2", 1) for n in range(15) for k in range(3)]
    rows[10]["sku"] = "SKU-9"  # line 12: order 222-3 is left out

    r = upload(api, report(rows))

    assert r.status_code == 202, r.get_json()
    job = api().get(r.headers["Location"]).get_json()
    assert (job["status"], job["done"], job["total"], job["percent"]) == ("done", 45, 45, 100)
    assert (job["result"]["imported"], [e["line"] for e in job["result"]["errors"]]) == (14, [12])
    assert job["result"]["cancel_requests"] == []
    db.session.expire_all()
    assert {len(o.lines) for o in db.session.query(Order).all()} == {3}


def test_the_supervisor_import_page_imports_a_latin_1_report_and_shows_a_large_one_progressing(app, api, stock, users,
                                                                                               monkeypatch):
    from server.jobs import queue
    from tests.supervisor.web import csrf_token, login

    page = app.test_client()
    assert login(page, users["supervisor"].username).status_code == 302
    form = page.get("/orders/import").text
    assert 'name="mapping"' in form and "Amazon unshipped-orders report" in form

    def post(data: bytes):
        token = csrf_token(page.get("/orders/import").text)
        return page.post("/orders/import", data={"file": (io.BytesIO(data), "orders.txt"), "mapping": "",
                                                 "csrf_token": token}, content_type="multipart/form-data")

    small = post(report([item_row("333-1", "1", "SKU-1", buyer="it")], encoding="latin-1"))
    assert small.status_code == 200, small.text[:300]
    assert '<strong id="import-created">1</strong>' in small.text

    monkeypatch.setattr("server.csvio.INLINE_ROWS", 2)
    queued = []
    monkeypatch.setattr(queue, "enqueue", lambda job_id, app=None: queued.append(job_id))
    large = post(report([item_row(f"333-{n}", f"{n}", "SKU-1") for n in range(2, 6)]))
    assert large.status_code == 303 and large.headers["Location"].endswith(f"/orders/import?job={queued[0]}")
    waiting = page.get(f"/orders/import?job={queued[0]}").text
    assert 'id="job-progress"' in waiting and 'id="job-total">4<' in waiting

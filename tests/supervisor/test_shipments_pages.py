"""Shipment pages: the list (day, carrier, status, late, search), a shipment's page (packages, tracking numbers,
label previews that scan, reprint, void with a reason), manifests (close the day per carrier, printable), the
Amazon confirmation file; and the guards (form token, floor roles)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.shipping.shipfloor import FLOOR, packed
from tests.supervisor.label_images import decode_svg
from tests.supervisor.test_orders_pages import floor_session
from tests.supervisor.web import csrf_token, field_errors, flashes, rows, table

pytestmark = pytest.mark.rollback

UPS = "1Z5R89390357567127"


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def shipped(floor, users):
    """Two shipped orders: a two-package order with our local carrier (labels printed at KPACK-1), and a
    one-package UPS order (scanned number) shipped after its ship-by → {"local": id, "ups": id, ...}."""
    from server.printing import services as printing
    from server.shipping import services

    crew = {"boss": make_actor(users["supervisor"]), "picker": make_actor(users["picker"], device_id="HH-1"),
            "packer": make_actor(users["packer"], device_id="PACK-1")}

    def ship():
        printer = printing.create_printer("Pack desk", host="127.0.0.1", port=9100)
        printing.assign_station("KPACK-1", printer)
        now = services.utcnow()
        order, packages = packed([("KP-MUG", 2), ("KP-BOOK", 1)], [[("KP-MUG", 2)], [("KP-BOOK", 1)]], **crew,
                                 ship_to_postal_code="43210", ship_by=now + timedelta(days=1))
        local = services.create_shipment(order, packages, carrier="local", service="nextday", actor=crew["packer"])
        late_order, late_packages = packed([("KP-MUG", 1)], [[("KP-MUG", 1)]], **crew,
                                           ship_by=now - timedelta(hours=1))
        ups = services.create_shipment(late_order, late_packages, carrier="ups", service="ground",
                                       tracking_numbers=[UPS], actor=crew["packer"])
        return {"local": local.id, "ups": ups.id, "order": order.channel_order_id,
                "late_order": late_order.channel_order_id, "tracking": [p.tracking_number for p in packages],
                "ssccs": [p.sscc for p in packages], "printer": printer.id}

    return run_in_transaction(ship)


def _post(client, action: str, page: str, data: dict | None = None):
    return client.post(action, data={**(data or {}), "csrf_token": csrf_token(client.get(page).text)})


def test_the_list_shows_today_s_shipments_filtered_by_carrier_status_lateness_and_search(supervisor, shipped):
    local, ups = str(shipped["local"]), str(shipped["ups"])
    page = supervisor.get("/shipments").text
    assert rows(page, "shipment") == [ups, local]  # newest label first
    by_id = {r[0]: r for r in table(page, "shipments-table")}
    assert by_id[local][1:2] == [shipped["order"]] and by_id[local][5] == "2"
    assert by_id[ups][6] == UPS and "late" in by_id[ups][9] and "met" in by_id[local][9]
    assert 'id="ship-by-summary" data-met="1" data-missed="1"' in page
    assert rows(supervisor.get("/shipments?carrier=ups").text, "shipment") == [ups]
    assert rows(supervisor.get("/shipments?late=1").text, "shipment") == [ups]
    assert rows(supervisor.get(f"/shipments?q={shipped['tracking'][1]}").text, "shipment") == [local]
    assert rows(supervisor.get(f"/shipments?q={shipped['late_order']}").text, "shipment") == [ups]
    assert rows(supervisor.get("/shipments?status=labelled").text, "shipment") == []
    assert rows(supervisor.get("/shipments?day=2020-01-01").text, "shipment") == []
    assert rows(supervisor.get("/shipments?day=").text, "shipment") == [ups, local]  # any day


def test_a_shipment_page_shows_its_packages_and_labels_that_scan(supervisor, shipped):
    page = supervisor.get(f"/shipments/{shipped['local']}").text
    assert 'id="shipment-status" data-status="shipped"' in page
    assert [r[1:3] for r in table(page, "packages-table")] == [list(pair) for pair in
                                                               zip(shipped["tracking"], shipped["ssccs"])]
    previews = sorted(set(__import__("re").findall(r'src="(/shipments/\d+/packages/\d+/label\.svg)"', page)))
    assert len(previews) == 2
    for n, url in enumerate(previews):
        for dpi in (203, 300):
            r = supervisor.get(f"{url}?dpi={dpi}")
            assert r.status_code == 200 and r.mimetype == "image/svg+xml"
            found = decode_svg(r.get_data(as_text=True))
            assert shipped["tracking"][n] in found, (dpi, found)
            assert any(shipped["ssccs"][n] in text for text in found), (dpi, found)
            assert any("43210" in text for text in found), (dpi, found)
    # A package of another shipment is not this shipment's label.
    assert supervisor.get(previews[0].replace(f"/shipments/{shipped['local']}/",
                                              f"/shipments/{shipped['ups']}/")).status_code == 404


def test_reprint_after_a_jam_and_void_with_a_reason(supervisor, shipped):
    from server.extensions import db
    from server.printing.models import PrintJob

    url = f"/shipments/{shipped['local']}"
    jobs = table(supervisor.get(url).text, "jobs-table")  # newest first: a slip when packed, then the labels
    assert sorted(row[1] for row in jobs) == ["Packing slip package 1", "Packing slip package 2",
                                              "Shipping label package 1", "Shipping label package 2"]
    first = db.session.scalars(sa.select(PrintJob).where(PrintJob.kind == "shipping_label")
                               .order_by(PrintJob.id)).first()
    r = _post(supervisor, f"{url}/jobs/{first.id}/reprint", url)
    assert r.status_code == 302 and flashes(supervisor.get(url).text) == ["Label sent to Pack desk again."]
    db.session.expire_all()
    again = db.session.scalars(sa.select(PrintJob).order_by(PrintJob.id.desc())).first()
    assert (again.reprint_of, again.payload, again.kind) == (first.id, first.payload, "shipping_label")
    # A job of another shipment cannot be reprinted from that one's page.
    r = _post(supervisor, f"/shipments/{shipped['ups']}/jobs/{first.id}/reprint", url)
    assert flashes(supervisor.get(r.location).text) == [f"Shipment {shipped['ups']} has no print job {first.id}."]
    reprints = sa.select(sa.func.count()).select_from(PrintJob).where(PrintJob.reprint_of.isnot(None))
    assert db.session.scalar(reprints) == 1

    r = _post(supervisor, f"{url}/void", url, {"reason": ""})
    assert r.status_code == 302 and flashes(supervisor.get(url).text) == ["Say why the label is voided."]
    r = _post(supervisor, f"{url}/void", url, {"reason": "label smudged"})
    page = supervisor.get(url).text
    assert flashes(page) == [f"Shipment {shipped['local']} voided."]
    assert 'data-status="voided"' in page and "label smudged" in page and 'id="void-form"' not in page
    assert rows(supervisor.get("/shipments").text, "shipment") == [str(shipped["ups"])]
    assert rows(supervisor.get("/shipments?status=voided").text, "shipment") == [str(shipped["local"])]


def test_closing_the_day_makes_a_printable_manifest_per_carrier(supervisor, shipped):
    r = _post(supervisor, "/manifests", "/manifests", {"carrier": "local", "day": ""})
    assert r.status_code == 302 and r.location.startswith("/manifests/")
    page = supervisor.get(r.location).text
    assert flashes(page)[0].startswith("Manifest local ") and 'class="printable"' in page
    assert rows(page, "tracking") == shipped["tracking"]
    assert 'id="manifest-shipments">1<' in page and 'id="manifest-packages">2<' in page
    assert __import__("re").findall(r'data-carrier="(\w+)">[^<]*: (\d+)<', supervisor.get("/manifests").text) == [
        ("ups", "1")]  # still waiting for its own manifest
    listed = table(supervisor.get("/manifests").text, "manifests-table")
    assert [r[1:5] for r in listed] == [["Shipfloor Local Delivery", "1", "1", "2"]]
    r = _post(supervisor, "/manifests", "/manifests", {"carrier": "local"})
    assert flashes(supervisor.get(r.location).text) == ["No Shipfloor Local Delivery shipment is waiting for a "
                                                        "manifest."]
    # On a manifest, the shipment has left: no void form any more.
    assert 'id="void-form"' not in supervisor.get(f"/shipments/{shipped['local']}").text


def test_the_confirmation_file_lists_the_day_s_amazon_shipments(supervisor, shipped):
    r = supervisor.get("/shipments/confirmation.txt")
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="amazon-ship-confirmation-')
    lines = [line.split("\t") for line in r.get_data(as_text=True).splitlines()]
    assert lines[0][:3] == ["order-id", "order-item-id", "quantity"]
    assert sorted(line[6] for line in lines[1:]) == sorted([*shipped["tracking"], UPS])


def test_the_shipping_pages_refuse_a_post_without_the_form_token_and_a_floor_worker(app, supervisor, users,
                                                                                   shipped):
    url = f"/shipments/{shipped['local']}"
    assert supervisor.post(f"{url}/void", data={"reason": "x"}).status_code == 400
    assert supervisor.post("/manifests", data={"carrier": "local"}).status_code == 400
    packer, token = floor_session(app, users["packer"])
    for path in ("/shipments", url, "/manifests", "/shipments/confirmation.txt"):
        assert packer.get(path).status_code == 403, path
    assert packer.post(f"{url}/void", data={"reason": "x", "csrf_token": token}).status_code == 403
    assert 'data-status="shipped"' in supervisor.get(url).text
    assert field_errors(supervisor.get(url).text, "reason") == []


def test_the_uploaded_button_marks_the_day_s_amazon_shipments_once_and_only_for_a_supervisor(app, supervisor,
                                                                                          users, shipped):
    from server.extensions import db
    from server.shipping.models import Shipment

    def confirmed() -> list[bool]:
        db.session.expire_all()
        return [s.confirmed_at is not None for s in db.session.scalars(sa.select(Shipment).order_by(Shipment.id))]

    page = supervisor.get("/shipments").text
    assert 'id="confirmation-uploaded"' in page and "data-confirm=" in page
    packer, token = floor_session(app, users["packer"])
    assert packer.post("/shipments/confirmation", data={"csrf_token": token}).status_code == 403
    assert supervisor.post("/shipments/confirmation").status_code == 400  # no form token
    assert confirmed() == [False, False]

    r = _post(supervisor, "/shipments/confirmation", "/shipments")
    assert r.status_code == 302 and r.location.startswith("/shipments?day=")
    assert flashes(supervisor.get(r.location).text) == ["2 shipments marked as uploaded to Amazon."]
    assert confirmed() == [True, True]
    r = _post(supervisor, "/shipments/confirmation", "/shipments")
    assert flashes(supervisor.get(r.location).text) == ["0 shipments marked as uploaded to Amazon."]

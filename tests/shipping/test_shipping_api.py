"""The shipping endpoints over HTTP (CONTRACT.md: GET /api/shipments, labels.zpl; POST /api/scan kinds package
and shipment), on a fresh database: roles, answers, problems, and the dock scan."""

from __future__ import annotations

import re

import pytest

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.helpers import assert_problem
from tests.shipping.shipfloor import FLOOR, packed

UPS = ["1Z5R89390357567127", "1Z879E930346834440"]


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def order_id(floor, users):
    crew = {"boss": make_actor(users["supervisor"]), "picker": make_actor(users["picker"]),
            "packer": make_actor(users["packer"])}
    return run_in_transaction(lambda: packed([("KP-MUG", 2), ("KP-BOOK", 1)], [[("KP-MUG", 2)], [("KP-BOOK", 1)]],
                                             **crew)[0].id)


def test_create_list_and_labels_zpl(api, order_id):
    assert_problem(api("picker").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                                         "tracking_numbers": UPS}), 403)
    r = api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                              "tracking_numbers": ["1z5r 8939 0357 5671 27", UPS[0]]})
    assert_problem(r, 422, "invalid_tracking")  # the same label twice
    r = api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                              "tracking_numbers": ["1Z5R89390357567128", UPS[1]]})
    assert_problem(r, 422, "invalid_tracking", field="tracking_numbers")
    r = api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                              "tracking_numbers": UPS})
    assert r.status_code == 201, r.json
    shipment = r.json
    assert (shipment["order"], shipment["tracking_numbers"], shipment["status"]) == (order_id, UPS, "shipped")
    assert [p["number"] for p in shipment["packages"]] == [1, 2]

    listed = api("picker").get("/api/shipments").json["shipments"]
    assert {k: listed[0][k] for k in ("id", "order", "tracking_numbers", "status")} == {
        "id": shipment["id"], "order": order_id, "tracking_numbers": UPS, "status": "shipped"}

    r = api("picker").get(f"/api/shipments/{shipment['id']}/labels.zpl")
    assert r.status_code == 200 and r.mimetype == "application/zpl"
    labels = re.findall(rb"\^XA.*?\^XZ", r.data, re.S)
    assert len(labels) == 2 and UPS[0].encode() in labels[0] and UPS[1].encode() in labels[1]
    r300 = api("picker").get(f"/api/shipments/{shipment['id']}/labels.zpl?dpi=300")
    assert r300.status_code == 200 and r300.data != r.data and r300.data.count(b"^XA") == 2
    assert_problem(api("picker").get(f"/api/shipments/{shipment['id']}/labels.zpl?dpi=250"), 422)
    assert_problem(api("picker").get("/api/shipments/999999/labels.zpl"), 404)
    assert_problem(api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                                         "tracking_numbers": UPS}), 409, "not_ready_to_ship")


def test_scan_finds_packages_and_shipments_and_a_dock_scan_loads(app, api, order_id):
    app.config["SHIP_ON"] = "dock"
    quotes = api("packer").get(f"/api/shipping/rates?order={order_id}").json["quotes"]
    assert quotes and quotes == sorted(quotes, key=lambda q: q["cents"])
    assert sum(q["suggested"] for q in quotes) == 1
    shipment = api("packer").post("/api/shipments", {"order": order_id, "carrier": "local",
                                                     "service": "nextday"}).json
    assert shipment["status"] == "labelled", shipment
    first, second = shipment["packages"]

    by_sscc = api("picker").scan(first["sscc"]).json
    assert by_sscc["kind"] == "package" and by_sscc["package"]["id"] == first["id"]
    assert by_sscc["package"]["order"]["id"] == order_id and by_sscc["package"]["shipment"]["id"] == shipment["id"]
    gs1 = api("picker").scan("]C100" + second["sscc"]).json
    assert (gs1["kind"], gs1["package"]["id"], gs1["gs1"]["00"]) == ("package", second["id"], second["sscc"])
    by_tracking = api("picker").scan(second["tracking_number"].lower()).json
    assert by_tracking["package"]["id"] == second["id"]
    assert api("picker").scan(f"SHP-{shipment['id']}").json["shipment"]["tracking_numbers"] == \
        shipment["tracking_numbers"]
    assert_problem(api("picker").scan("1Z410E7W0392751591"), 404, "unknown_code")  # valid, but not ours

    assert api("packer").post(f"/api/packages/{first['id']}/load").json["status"] == "loaded"
    assert api("picker").get(f"/api/shipments/{shipment['id']}").json["status"] == "labelled"
    # The handheld's Load screen sends what the scanner read off the label: a bin or a stranger is refused.
    assert_problem(api("packer").post("/api/packages/load", {"code": "KA-1"}), 422, "not_a_package", field="code")
    assert_problem(api("packer").post("/api/packages/load", {"code": "NOTHING-HERE"}), 404, "unknown_code")
    loaded = api("packer").post("/api/packages/load", {"code": "]C100" + second["sscc"]}).json
    assert (loaded["id"], loaded["status"], loaded["shipment_status"]) == (second["id"], "shipped", "shipped")
    assert api("picker").get(f"/api/shipments/{shipment['id']}").json["status"] == "shipped"


def test_void_reship_and_the_confirmation_file(api, order_id):
    first = api("packer").post("/api/shipments", {"order": order_id, "carrier": "local", "service": "nextday"}).json
    r = api("packer").post(f"/api/shipments/{first['id']}/void", {"reason": "printer jam"})
    assert r.status_code == 200 and r.json["status"] == "voided"
    assert_problem(api("packer").post(f"/api/shipments/{first['id']}/void", {"reason": "again"}), 409,
                   "cannot_void")
    again = api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "2day",
                                                  "tracking_numbers": UPS}).json
    assert again["status"] == "shipped"

    assert_problem(api("packer").get("/api/shipping/confirmation.txt"), 403)
    r = api("supervisor").get("/api/shipping/confirmation.txt")
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"
    rows = [line.split("\t") for line in r.get_data(as_text=True).splitlines()]
    assert rows[0][:3] == ["order-id", "order-item-id", "quantity"]
    assert sorted((row[2], row[4], row[6]) for row in rows[1:]) == [("1", "UPS", UPS[1]), ("2", "UPS", UPS[0])]
    assert api("supervisor").post("/api/shipping/confirmation", {}).json == {"confirmed": 1, "shipments": 1}
    assert_problem(api("packer").post(f"/api/shipments/{again['id']}/void", {"reason": "late"}), 409, "cannot_void")
    manifest = api("supervisor").post("/api/manifests", {"carrier": "ups"})
    assert manifest.status_code == 201 and manifest.json["shipments"] == 1

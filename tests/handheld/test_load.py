"""The dock's Load screen at 360x640: each package label scanned as it goes on the truck; with ship-at-dock
the shipment ships when its last package is loaded; a scan with the network cut queues and lands once."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.handheld.steps import fresh_session, sign_in, wedge_scan
from tests.packing.packfloor import FLOOR
from tests.shipping.shipfloor import packed


def _labelled_order(floor) -> dict:
    from flask import current_app

    from server.shipping import services

    current_app.config["SHIP_ON"] = "dock"  # labelled now, shipped when loaded
    FLOOR.extra(floor)
    order, packages = packed([("KP-MUG", 2), ("KP-BOOK", 1)], [[("KP-MUG", 2)], [("KP-BOOK", 1)]],
                             boss=floor.actor, picker=floor.actor, packer=floor.actor)
    shipment = services.create_shipment(order, packages, carrier="local", service="nextday", actor=floor.actor)
    return {"order": order.channel_order_id, "shipment": shipment.id,
            "labels": [(p.sscc, p.tracking_number) for p in packages]}


@pytest.fixture
def floor_plan():
    return dataclasses.replace(FLOOR, by="supervisor", extra=_labelled_order)


def test_packages_scanned_at_the_dock_load_and_the_last_one_ships(floor, page, context, live_server, users, app):
    from server.extensions import db
    from server.shipping.models import Shipment

    assert app.config["SHIP_ON"] == "dock"
    (first_sscc, first_tracking), (second_sscc, second_tracking) = floor["labels"]
    sign_in(page, live_server, users["packer"])
    page.locator("#tile-load").click()
    expect(page.locator("#load-screen")).to_have_attribute("data-step", "package")

    wedge_scan(page, "KA-1")  # a bin label on the dock wall
    expect(page.locator("#error-overlay")).to_be_visible()
    page.locator("#error-ok").click()

    wedge_scan(page, "]C100" + first_sscc)  # the SSCC barcode, as a GS1-128 scan
    expect(page.locator("#outcome")).to_have_text(f"Loaded package 1 of order {floor['order']} ({first_tracking}).")

    context.set_offline(True)  # the truck is outside the Wi-Fi
    wedge_scan(page, second_tracking)
    expect(page.locator("#outcome")).to_contain_text("saved as loaded on this device")
    expect(page.locator("#loaded-count")).to_have_text("2")
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=15_000)

    fresh_session()
    shipment = db.session.get(Shipment, floor["shipment"])
    assert shipment.status.value == "shipped" and all(p.status.value == "shipped" for p in shipment.packages)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shipment)) == 1

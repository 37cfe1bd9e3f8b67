"""The handheld pack screen at 360x640: a pack-station label, a tote, a wrong item refused loudly, a case pack
counting 12, the suggested box tapped, the scale's reading as the weight, the local carrier tapped: shipped."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect

from tests.handheld.steps import sign_in, wedge_scan
from tests.packing.packfloor import CASE, FLOOR, MUG_GTIN, picked, tote_of


def _picked_order(floor) -> dict:
    from server.orders.services import create_order

    FLOOR.extra(floor)
    ship_to = {"name": "Sam Lee", "address1": "5 Broad St", "city": "Columbus", "state": "OH",
               "postal_code": "43215", "country": "US"}
    order = create_order({"channel": "amazon", "channel_order_id": "HH-PACK-1", "ship_to": ship_to,
                          "lines": [{"sku": "KP-MUG", "qty": 1}, {"sku": "KP-CAN", "qty": 12}]}, actor=floor.actor)
    picked(order, boss=floor.actor, picker=floor.actor)
    return {"tote": tote_of(order)}


@pytest.fixture
def floor_plan():
    return dataclasses.replace(FLOOR, by="supervisor", extra=_picked_order)


@pytest.mark.parametrize("carrier", ["local", "ups"])
def test_a_packer_packs_and_ships_an_order_on_the_handheld(floor, page, live_server, users, carrier):
    sign_in(page, live_server, users["packer"])
    page.locator("#tile-pack").click()
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "order")
    wedge_scan(page, "KPACK-1")
    expect(page.locator("#pack-station")).to_have_text("Pack station KPACK-1: slips and labels print there.")
    wedge_scan(page, floor["tote"])
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "item")
    expect(page.locator("#pack-left")).to_have_text("13 of 13 units left to pack")

    wedge_scan(page, "KP-BOOK")
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-detail")).to_have_text(
        "Wrong item: KP-BOOK is not in order HH-PACK-1. Still to pack: KP-MUG ×1, KP-CAN ×12.")
    page.locator("#error-ok").click()

    wedge_scan(page, MUG_GTIN)
    expect(page.locator("#outcome")).to_have_text("Packed 1 × KP-MUG into package 1.")
    wedge_scan(page, CASE)
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "box")
    suggested = page.locator('#pack-boxes [data-box="BX-M"]')
    expect(suggested).to_contain_text("suggested")
    suggested.click()
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "weight")
    wedge_scan(page, "4.97 kg")  # the scale types into the scan field
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "ship")
    if carrier == "local":  # ours makes the tracking number and the label
        local = page.locator('#pack-quotes [data-carrier="local"]')
        expect(local).to_have_count(1)
        local.click()
    else:  # UPS's own label is on the box: tap the service, then scan its tracking number
        page.locator('#pack-quotes [data-carrier="ups"]').first.click()
        expect(page.locator("#prompt")).to_have_text("Scan the tracking number on the UPS label of package 1")
        wedge_scan(page, "1Z5R89390357567128")  # one digit off: the check digit refuses it
        expect(page.locator("#error-overlay")).to_be_visible()
        page.locator("#error-ok").click()
        expect(page.locator("#pack-screen")).to_have_attribute("data-step", "ship")
        page.locator('#pack-quotes [data-carrier="ups"]').first.click()
        wedge_scan(page, "1Z5R89390357567127")
    expect(page.locator("#pack-screen")).to_have_attribute("data-step", "done")
    expect(page.locator("#outcome")).to_contain_text(f"Shipped with {carrier}: ")
    if carrier == "ups":
        expect(page.locator("#outcome")).to_contain_text("1Z5R89390357567127")

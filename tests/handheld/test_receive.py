"""Receiving on the handheld against the real API: expected and blind receipts, case packs, flags."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.handheld.steps import (CASE_GTIN14, GTIN13, open_task, set_qty, sign_in, start_blind_receipt,
                                  stock_by_location, wedge_scan)


@pytest.fixture
def receipt(floor):
    """PO-4711 expects 10 Blue mugs."""
    from server.receiving.services import create_receipt
    return run_in_transaction(lambda: create_receipt("PO-4711", supplier="Mugs Ltd",
                                                     lines=[("SKU-1001", 10)]).id)


@pytest.fixture
def receiving(page, live_server, users):
    sign_in(page, live_server, users["receiver"])
    open_task(page, "receive", "receive")
    return page


def outcome(page):
    return page.locator("#outcome")


def test_receiving_against_a_receipt_shows_progress_then_an_amber_over_receipt(receipt, receiving, api):
    page = receiving
    choice = page.locator("#receipt-list button", has_text="PO-4711")
    expect(choice).to_contain_text("Mugs Ltd")
    choice.click()
    expect(page.locator("#prompt")).to_have_text("Scan the dock or staging location")
    wedge_scan(page, "dock-1")
    expect(page.locator("#location-code")).to_have_text("DOCK-1")
    expect(page.locator("#prompt")).to_have_text("Scan an item")

    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    expect(page.locator("#qty")).to_have_value("1")
    for _ in range(3):
        page.locator("#qty-plus").click()
    expect(page.locator("#qty")).to_have_value("4")
    wedge_scan(page, GTIN13)  # the same item again counts one more
    expect(page.locator("#qty")).to_have_value("5")
    page.locator("#qty-minus").click()
    expect(page.locator("#qty")).to_have_value("4")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.locator("#confirm").click()
    expect(outcome(page)).to_have_text("Received 4 × SKU-1001. 4 of 10 on this receipt.")
    expect(outcome(page)).to_have_attribute("data-state", "ok")
    expect(page.locator("#item-card")).to_be_hidden()
    expect(page.locator("#receipt-lines")).to_contain_text("4 of 10")

    wedge_scan(page, GTIN13)
    set_qty(page, 7)
    page.locator("#confirm").click()
    expect(outcome(page)).to_have_attribute("data-state", "warn")
    expect(outcome(page)).to_contain_text("11 received, 10 expected")
    expect(page.locator("#receipt-lines tr[data-state=over]")).to_contain_text("11 of 10")
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 11}

    page.locator("#close-receipt").click()
    expect(page.locator("#confirm-text")).to_contain_text("PO-4711")
    page.locator("#confirm-yes").click()
    expect(outcome(page)).to_have_text("Receipt PO-4711 closed.")
    expect(page.locator("#pick-step")).to_be_visible()
    expect(page.locator("#receipt-list")).not_to_contain_text("PO-4711")
    r = api("receiver").get(f"/api/receipts/{receipt}")
    assert r.json["status"] == "closed"


def test_a_case_pack_scan_defaults_to_its_units_and_receives_that_many(floor, receiving, api):
    page = receiving
    start_blind_receipt(page)
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, CASE_GTIN14)
    expect(page.locator("#item-name")).to_have_text("Cola can")
    expect(page.locator("#item-code")).to_contain_text("12 per scan")
    expect(page.locator("#qty")).to_have_value("12")
    page.locator("#confirm").click()
    expect(outcome(page)).to_have_text("Received 12 × COLA-12. 12 on this receipt.")
    assert stock_by_location(api, "COLA-12") == {"DOCK-1": 12}


def test_an_item_not_on_the_receipt_is_flagged_amber(receipt, receiving, api):
    page = receiving
    page.locator("#receipt-list button", has_text="PO-4711").click()
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, CASE_GTIN14)
    page.locator("#confirm").click()
    expect(outcome(page)).to_have_attribute("data-state", "warn")
    expect(outcome(page)).to_contain_text("not on this receipt")


def test_wrong_scans_show_the_red_overlay_and_change_nothing(receipt, receiving, api):
    page = receiving
    page.locator("#receipt-list button", has_text="PO-4711").click()
    wedge_scan(page, GTIN13)  # an item where the dock is wanted
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-detail")).to_contain_text("is not a location")
    page.locator("#error-ok").click()
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, "A-01-01")  # a bin where the item is wanted: refused, still receiving into the dock
    expect(page.locator("#error-detail")).to_contain_text("A-01-01 is a location")
    page.locator("#error-ok").click()
    expect(page.locator("#location-code")).to_have_text("DOCK-1")
    assert stock_by_location(api, "SKU-1001") == {}


def test_a_storage_bin_is_refused_at_the_scan_with_the_reason(receipt, receiving, api):
    page = receiving
    page.locator("#receipt-list button", has_text="PO-4711").click()
    wedge_scan(page, "A-01-01")
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-detail")).to_have_text(
        "A-01-01 (Bin) cannot receive goods. Scan a dock or staging location, or a pallet standing on one.")
    page.locator("#error-ok").click()
    expect(page.locator("#location-code")).to_be_hidden()  # nothing kept
    expect(page.locator("#outcome")).to_be_hidden()
    expect(page.locator("#prompt")).to_have_text("Scan the dock or staging location")
    wedge_scan(page, "TOTE-9")  # a tote standing on the dock receives
    expect(page.locator("#location-code")).to_have_text("TOTE-9")
    expect(page.locator("#outcome")).to_have_text("Receiving into TOTE-9.")


def test_a_picker_does_not_see_the_receiving_tiles(page, live_server, users):
    sign_in(page, live_server, users["picker"])
    expect(page.locator("#tile-receive")).to_be_hidden()
    expect(page.locator("#tile-putaway")).to_be_hidden()
    expect(page.locator("#tile-move")).to_be_visible()
    expect(page.locator("#tile-lookup")).to_be_visible()

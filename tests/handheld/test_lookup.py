"""The lookup screen: a wedge scan of a location or an item shows what it is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.handheld.steps import GTIN13, sign_in, wedge_scan


@pytest.fixture
def lookup(page, live_server, users, floor):
    sign_in(page, live_server, users["picker"])
    page.locator("#tile-lookup").click()
    expect(page.locator("#lookup-screen")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    return page


def facts(page) -> dict[str, str]:
    terms = page.locator("#result-facts dt").all_inner_texts()
    values = page.locator("#result-facts dd").all_inner_texts()
    return dict(zip(terms, values))


def test_scanning_a_location_shows_it(lookup):
    wedge_scan(lookup, "a-01-02")
    expect(lookup.locator("#lookup-result")).to_be_visible()
    expect(lookup.locator("#result-kind")).to_have_text("Location")
    shown = facts(lookup)
    assert shown["Code"] == "A-01-02" and shown["Zone"] == "A", shown
    expect(lookup.locator("#result-code")).to_contain_text("a-01-02")
    expect(lookup.locator("#scan")).to_be_focused()


def test_scanning_an_item_barcode_shows_the_item(lookup):
    wedge_scan(lookup, GTIN13)
    expect(lookup.locator("#result-kind")).to_have_text("Item")
    shown = facts(lookup)
    assert shown["SKU"] == "SKU-1001" and shown["Name"] == "Blue mug", shown
    assert GTIN13 in shown["Barcodes"]


def test_an_unknown_code_shows_the_red_overlay_and_blocks_the_next_scan(lookup):
    wedge_scan(lookup, "NOT-A-THING")
    expect(lookup.locator("#error-overlay")).to_be_visible()
    expect(lookup.locator("#error-detail")).to_contain_text("NOT-A-THING")
    wedge_scan(lookup, "A-01-02")  # refused until the error is tapped away
    expect(lookup.locator("#lookup-result")).to_be_hidden()
    lookup.locator("#error-ok").click()
    expect(lookup.locator("#error-overlay")).to_be_hidden()
    wedge_scan(lookup, "A-01-02")
    expect(lookup.locator("#result-kind")).to_have_text("Location")

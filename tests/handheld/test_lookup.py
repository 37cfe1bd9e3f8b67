"""The lookup screen: a wedge scan of a location or an item shows what it is."""

from __future__ import annotations

from datetime import date

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


# --- what a worker needs: where an item is, what a bin holds, GS1 data in words ---------------------

LOT_GTIN = "09506000134352"  # GS1's example GTIN, valid check digit


@pytest.fixture
def stocked(floor):
    """A lot-tracked yoghurt in two bins (two lots), and mugs beside the first lot."""
    from server.catalog.services import create_item
    from server.http import run_in_transaction
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    def build():
        create_item("YOG-1", "Yoghurt", barcodes=[LOT_GTIN], tracks_lot=True, tracks_expiry=True)
        found = {"reason": "found", "actor": Actor(user_id=None)}
        adjust_stock(item_code="YOG-1", location_code="A-01-01", delta=5, lot="L-A",
                     expiry=date(2027, 12, 31), **found)
        adjust_stock(item_code="YOG-1", location_code="A-01-02", delta=3, lot="L-B",
                     expiry=date(2028, 1, 15), **found)
        adjust_stock(item_code="SKU-1001", location_code="A-01-01", delta=2, **found)
    run_in_transaction(build)


def stock_lines(page) -> list[str]:
    expect(page.locator("#stock")).to_be_visible()
    return page.locator("#stock-lines li").all_inner_texts()


def test_an_item_shows_its_bins_with_quantity_lot_and_expiry(stocked, lookup):
    wedge_scan(lookup, LOT_GTIN)
    expect(lookup.locator("#result-kind")).to_have_text("Item")
    expect(lookup.locator("#stock-lines li")).to_have_count(2)
    first, second = stock_lines(lookup)
    for text, words in ((first, ("A-01-01", "5", "L-A", "Dec 31, 2027")),
                        (second, ("A-01-02", "3", "L-B", "Jan 15, 2028"))):
        assert all(w in text for w in words), (text, words)
    expect(lookup.locator("#stock-total")).to_contain_text("8")


def test_a_bin_shows_its_contents(stocked, lookup):
    wedge_scan(lookup, "A-01-01")
    expect(lookup.locator("#result-kind")).to_have_text("Location")
    expect(lookup.locator("#stock-lines li")).to_have_count(2)
    lines = stock_lines(lookup)
    assert "2" in lines[0] and "SKU-1001" in lines[0] and "Blue mug" in lines[0], lines
    assert all(w in lines[1] for w in ("5", "YOG-1", "Yoghurt", "L-A", "Dec 31, 2027")), lines


def test_an_empty_bin_says_so(stocked, lookup):
    wedge_scan(lookup, "A-01-03")
    expect(lookup.locator("#stock-note")).to_have_text("Nothing here.")
    expect(lookup.locator("#stock-lines li")).to_have_count(0)


def test_offline_the_lookup_says_plainly_that_it_needs_the_network(stocked, lookup, context):
    context.set_offline(True)
    wedge_scan(lookup, "A-01-01")
    expect(lookup.locator("#lookup-offline")).to_be_visible()
    expect(lookup.locator("#lookup-offline")).to_contain_text("No connection")
    expect(lookup.locator("#error-overlay")).to_be_hidden()  # not the worker's mistake: no red screen
    context.set_offline(False)
    expect(lookup.locator("#net-status")).to_have_text("Online")
    wedge_scan(lookup, "A-01-02")  # another code: the same one this soon counts as a double trigger
    expect(lookup.locator("#lookup-offline")).to_be_hidden()
    expect(lookup.locator("#stock-lines li")).to_have_count(1)


WIDEST_ELEMENT = """() => Math.max(...[...document.querySelectorAll('body *')]
    .filter((el) => el.getClientRects().length).map((el) => el.getBoundingClientRect().right))"""


@pytest.mark.parametrize("gtin", [GTIN13.rjust(14, "0"), LOT_GTIN], ids=["known-item", "unknown-gtin"])
def test_a_gs1_label_fits_the_screen_with_dates_as_dates(floor, lookup, gtin):
    # Expiry day 00 means the last day of that month; 11 is the production date.
    code = f"]C101{gtin}11270105" f"17271200" f"10LOT-2027-ABCDEFGHIJ\x1d21SERIAL0123456789ABCD"
    wedge_scan(lookup, code.replace("\x1d", "|"))
    expect(lookup.locator("#lookup-result")).to_be_visible()
    shown = facts(lookup)
    assert shown["(17) Expiry date"] == "Dec 31, 2027", shown
    assert shown["(11) Production date"] == "Jan 5, 2027", shown
    assert shown["(10) Batch / lot"] == "LOT-2027-ABCDEFGHIJ", shown
    assert lookup.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert lookup.evaluate(WIDEST_ELEMENT) <= 360
    result = lookup.locator("#lookup-result").element_handle()
    assert lookup.evaluate("(el) => el.scrollWidth <= el.clientWidth", result)  # long text wraps inside


def test_a_scan_made_before_the_page_was_ready_is_not_lost(lookup, live_server):
    # Before the scripts run, Enter submits the scan field's form the browser's way: the page comes back as
    # ?scan=CODE (form.submit() does exactly that, past the scripts' own handler).
    lookup.locator("#scan").fill("A-01-02")
    lookup.evaluate("document.getElementById('scan-form').submit()")
    expect(lookup.locator("#result-kind")).to_have_text("Location")
    assert facts(lookup)["Code"] == "A-01-02"
    assert "scan=" not in lookup.url  # a reload does not scan it again

    # A link from anywhere else scans nothing.
    lookup.goto(live_server + "/hh/lookup?scan=A-01-02")
    expect(lookup.locator("#lookup-screen")).to_be_visible()
    lookup.wait_for_function("!location.search.includes('scan=')")
    expect(lookup.locator("#lookup-result")).to_be_hidden()

"""Rules the scan-step engine gives every screen: lot choice, no silent "From" change, a beep per
accepted scan, the primary action on screen at 360x640 (issue 6: A1, A5, A9, A10)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.handheld.steps import (GTIN13, open_task, set_qty, sign_in, start_blind_receipt, stock_by_location,
                                  wedge_scan)

MILK_GTIN = "09506000134352"  # GS1 example GTIN, valid check digit

# Count the tones the page plays: 2500 Hz is the good-read beep, 400 Hz starts the error buzz.
TONE_SPY = """
(() => {
  window.__tones = [];
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  const make = Ctx.prototype.createOscillator;
  Ctx.prototype.createOscillator = function () {
    const osc = make.call(this);
    const set = osc.frequency.setValueAtTime.bind(osc.frequency);
    osc.frequency.setValueAtTime = (v, at) => { window.__tones.push(v); return set(v, at); };
    return osc;
  };
})();
"""
GOOD_BEEP = 2500


@pytest.fixture
def two_lots(floor):
    """A-01-01 holds two lots of a lot-tracked milk: L-LATE (5, Feb 2027) and L-SOON (4, Dec 2026)."""
    from server.catalog.services import create_item
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    def build():
        create_item("MILK-1", "Milk 1 l", barcodes=[MILK_GTIN], tracks_lot=True, tracks_expiry=True)
        for lot, qty, expiry in (("L-LATE", 5, date(2027, 2, 1)), ("L-SOON", 4, date(2026, 12, 1))):
            adjust_stock(item_code="MILK-1", location_code="A-01-01", delta=qty, reason="found", lot=lot,
                         expiry=expiry, actor=Actor(user_id=None))
    run_in_transaction(build)


def lots_by_location(api, item: str) -> dict[tuple[str, str], int]:
    from tests.handheld.steps import fresh_session
    fresh_session()
    r = api("supervisor").get(f"/api/stock?item={item}")
    return {(line["location"], line["lot"]): line["qty"] for line in r.json["locations"]}


@pytest.fixture
def moving_milk(two_lots, page, live_server, users):
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")
    wedge_scan(page, "A-01-01")
    wedge_scan(page, MILK_GTIN)
    return page


@pytest.mark.both_backends
def test_moving_by_plain_gtin_from_a_two_lot_bin_asks_which_lot_and_moves_that_one(moving_milk, api):
    page = moving_milk
    choice = page.locator("#lot-choice")
    expect(choice).to_be_visible()
    expect(page.locator("#prompt")).to_have_text("Which lot? Tap it or scan its label")
    buttons = page.locator("#lot-list button")
    expect(buttons).to_have_count(2)
    # First to expire first, and marked.
    expect(buttons.nth(0)).to_contain_text("L-SOON")
    expect(buttons.nth(0)).to_contain_text("Dec 1, 2026")  # a date as people read it
    expect(buttons.nth(0)).to_be_in_viewport()  # the question is on screen at 360x640, not below the fold
    expect(buttons.nth(0)).to_contain_text("4 here")
    expect(buttons.nth(0)).to_contain_text("Expires first")
    expect(page.locator("#lot-list button[data-first=true]")).to_have_count(1)
    wedge_scan(page, "A-01-02")  # no write before the lot is known: a bin here is a wrong scan
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-overlay")).to_contain_text("A-01-02 is a location")
    page.locator("#error-ok").click()

    page.locator("#lot-list button[data-lot=L-LATE]").click()
    expect(choice).to_be_hidden()
    expect(page.locator("#item-lot")).to_contain_text("Lot L-LATE")
    expect(page.locator("#prompt")).to_have_text("Scan where it goes")
    set_qty(page, 3)
    wedge_scan(page, "A-01-02")
    expect(page.locator("#outcome")).to_have_text("Moved 3 × MILK-1 from A-01-01 to A-01-02.")
    assert lots_by_location(api, "MILK-1") == {("A-01-01", "L-LATE"): 2, ("A-01-01", "L-SOON"): 4,
                                                ("A-01-02", "L-LATE"): 3}


def test_scanning_the_lot_label_picks_that_lot(moving_milk, api):
    page = moving_milk
    expect(page.locator("#lot-choice")).to_be_visible()
    wedge_scan(page, f"01{MILK_GTIN}10L-SOON")
    expect(page.locator("#lot-choice")).to_be_hidden()
    expect(page.locator("#item-lot")).to_contain_text("Lot L-SOON")
    wedge_scan(page, "A-01-03")
    expect(page.locator("#outcome")).to_have_text("Moved 1 × MILK-1 from A-01-01 to A-01-03.")
    assert lots_by_location(api, "MILK-1")[("A-01-03", "L-SOON")] == 1


@pytest.fixture
def on_dock(floor):
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock
    run_in_transaction(lambda: adjust_stock(item_code="SKU-1001", location_code="DOCK-1", delta=8, reason="found",
                                            actor=Actor(user_id=None)))


@pytest.mark.parametrize("task", ["move", "putaway"])
def test_a_bin_scanned_where_an_item_is_expected_is_refused_and_from_stays(task, on_dock, page, live_server,
                                                                           users, api):
    sign_in(page, live_server, users["receiver"])
    open_task(page, task, task)
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    wedge_scan(page, "A-01-02")  # a bin where the item is expected
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-detail")).to_contain_text("A-01-02 is a location")
    page.locator("#error-ok").click()
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    expect(page.locator("#prompt")).to_have_text("Scan an item")
    # With the item in hand, the next bin is where it goes, and From is still the dock.
    wedge_scan(page, GTIN13)
    wedge_scan(page, "A-01-01")
    expect(page.locator("#outcome")).to_contain_text("A-01-01")
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 7, "A-01-01": 1}


def test_every_accepted_scan_beeps(on_dock, page, live_server, users):
    page.add_init_script(TONE_SPY)
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")

    def beeps():
        return page.evaluate("window.__tones").count(GOOD_BEEP)

    before = beeps()
    wedge_scan(page, "DOCK-1")  # "From"
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    page.wait_for_function(f"window.__tones.filter(t => t === {GOOD_BEEP}).length > {before}")
    wedge_scan(page, GTIN13)  # the item
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    page.wait_for_function(f"window.__tones.filter(t => t === {GOOD_BEEP}).length > {before + 1}")
    wedge_scan(page, "DOCK-1")  # not accepted: refused with the buzz, no good beep
    expect(page.locator("#error-overlay")).to_be_visible()
    page.locator("#error-ok").click()
    assert beeps() == before + 2
    page.locator("#qty").click()  # a tap between two scans of one code: two scans, not a double trigger
    page.locator("#qty").press("Enter")
    wedge_scan(page, GTIN13)  # the same item again counts up
    expect(page.locator("#qty")).to_have_value("2")
    page.wait_for_function(f"window.__tones.filter(t => t === {GOOD_BEEP}).length > {before + 2}")


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])


PRIMARY = ["#qty-minus", "#qty", "#qty-plus", "#cancel-item"]


@pytest.mark.parametrize("task", ["move", "putaway"])
def test_the_quantity_and_cancel_stay_inside_360x640(task, on_dock, page, live_server, users):
    sign_in(page, live_server, users["receiver"])
    open_task(page, task, task)
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-items")).to_contain_text("8 × SKU-1001")
    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    if task == "putaway":
        expect(page.locator("#suggested")).to_have_text("A-01-01")
    for selector in PRIMARY:
        assert in_viewport(page, selector), selector
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_receive_and_cancel_stay_inside_360x640(floor, page, live_server, users):
    sign_in(page, live_server, users["receiver"])
    open_task(page, "receive", "receive")
    start_blind_receipt(page)
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    for selector in ["#confirm", *PRIMARY]:
        assert in_viewport(page, selector), selector
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_a_lot_required_answer_shows_the_lots_and_sends_the_chosen_one(floor, page, live_server, users, api):
    """The bin held one lot when the item was scanned; a second arrived before the write: the server's
    422 lot_required lists them, and the move goes out once a lot is chosen."""
    from server.catalog.services import create_item
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    def put(lot, qty, expiry):
        run_in_transaction(lambda: adjust_stock(item_code="MILK-1", location_code="A-01-01", delta=qty,
                                                reason="found", lot=lot, expiry=expiry, actor=Actor(user_id=None)))
    run_in_transaction(lambda: create_item("MILK-1", "Milk 1 l", barcodes=[MILK_GTIN], tracks_lot=True,
                                           tracks_expiry=True))
    put("L-LATE", 5, date(2027, 2, 1))
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")
    wedge_scan(page, "A-01-01")
    wedge_scan(page, MILK_GTIN)
    expect(page.locator("#prompt")).to_have_text("Scan where it goes")  # one lot here: nothing to ask
    put("L-SOON", 4, date(2026, 12, 1))
    wedge_scan(page, "A-01-02")
    expect(page.locator("#lot-choice")).to_be_visible()
    expect(page.locator("#lot-list button[data-first=true]")).to_contain_text("L-SOON")
    page.locator("#lot-list button[data-lot=L-SOON]").click()
    expect(page.locator("#outcome")).to_have_text("Moved 1 × MILK-1 from A-01-01 to A-01-02.")
    assert lots_by_location(api, "MILK-1") == {("A-01-01", "L-LATE"): 5, ("A-01-01", "L-SOON"): 3,
                                                ("A-01-02", "L-SOON"): 1}


def test_undo_steps_back_one_scan(on_dock, page, live_server, users):
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")
    expect(page.locator("#undo")).to_be_hidden()
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#prompt")).to_have_text("Scan an item")
    page.locator("#undo").click()
    expect(page.locator("#prompt")).to_have_text("Scan the location, tote or pallet to move from")
    expect(page.locator("#from-code")).to_be_hidden()
    expect(page.locator("#undo")).to_be_hidden()
    wedge_scan(page, "A-01-01")
    expect(page.locator("#from-code")).to_have_text("A-01-01")
    wedge_scan(page, GTIN13)
    page.locator("#cancel-item").click()  # the item in hand is dropped, From stays
    expect(page.locator("#item-card")).to_be_hidden()
    expect(page.locator("#from-code")).to_have_text("A-01-01")
    expect(page.locator("#prompt")).to_have_text("Scan an item")

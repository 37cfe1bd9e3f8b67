"""Put away and move on the handheld against the real API: suggestion, reasons, containers, refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.handheld.steps import (GTIN13, fresh_session, open_task, set_qty, sign_in, stock_by_location,
                                  wedge_scan)


@pytest.fixture
def on_dock(floor):
    """8 Blue mugs received into DOCK-1, waiting to be put away."""
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    def build():
        adjust_stock(item_code="SKU-1001", location_code="DOCK-1", delta=8, reason="found", actor=Actor(user_id=None))
    run_in_transaction(build)


def last_movement(kind: str) -> dict:
    from server.extensions import db
    from server.inventory.ledger_models import StockMove
    from server.inventory.queries import movement_out
    fresh_session()
    move = db.session.scalars(sa.select(StockMove).where(StockMove.kind == kind).order_by(StockMove.id.desc())).first()
    return {**movement_out(move), "reason": getattr(move.reason, "value", move.reason)}


@pytest.fixture
def putting_away(on_dock, page, live_server, users):
    sign_in(page, live_server, users["receiver"])
    open_task(page, "putaway", "putaway")
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    expect(page.locator("#from-items")).to_contain_text("8 × SKU-1001")
    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    return page


def test_putting_away_into_the_suggested_bin_takes_one_scan(putting_away, api):
    page = putting_away
    set_qty(page, 5)
    expect(page.locator("#suggested")).to_have_text("A-01-01")
    expect(page.locator("#prompt")).to_have_text("Scan the bin to confirm")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    wedge_scan(page, "a-01-01")
    expect(page.locator("#outcome")).to_have_text("Put away 5 × SKU-1001 in A-01-01.")
    expect(page.locator("#reason-overlay")).to_be_hidden()
    expect(page.locator("#prompt")).to_have_text("Scan an item")  # next item from the same dock
    expect(page.locator("#from-items")).to_contain_text("3 × SKU-1001")
    assert stock_by_location(api, "SKU-1001") == {"A-01-01": 5, "DOCK-1": 3}
    assert last_movement("putaway")["reason"] is None


def test_another_bin_asks_why_and_posts_the_reason(putting_away, api):
    page = putting_away
    expect(page.locator("#suggested")).to_have_text("A-01-01")
    wedge_scan(page, "A-01-02")
    expect(page.locator("#reason-overlay")).to_be_visible()
    expect(page.locator("#reason-detail")).to_have_text("Suggested A-01-01, scanned A-01-02.")
    wedge_scan(page, "A-01-01")  # scans wait while the question is open
    expect(page.locator("#reason-overlay")).to_be_visible()
    page.locator("#reason-overlay [data-reason=bin_full]").click()
    expect(page.locator("#outcome")).to_have_text("Put away 1 × SKU-1001 in A-01-02.")
    assert stock_by_location(api, "SKU-1001") == {"A-01-02": 1, "DOCK-1": 7}
    assert last_movement("putaway")["reason"] == "bin_full"


def test_cancelling_the_reason_puts_nothing_away(putting_away, api):
    page = putting_away
    expect(page.locator("#suggested")).to_have_text("A-01-01")
    wedge_scan(page, "A-01-03")
    page.locator("#reason-cancel").click()
    expect(page.locator("#reason-overlay")).to_be_hidden()
    expect(page.locator("#item-card")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    wedge_scan(page, "A-01-01")
    expect(page.locator("#outcome")).to_have_text("Put away 1 × SKU-1001 in A-01-01.")
    assert stock_by_location(api, "SKU-1001") == {"A-01-01": 1, "DOCK-1": 7}


@pytest.fixture
def moving(on_dock, page, live_server, users):
    sign_in(page, live_server, users["picker"])
    open_task(page, "move", "move")
    return page


def test_moving_items_between_locations(moving, api):
    page = moving
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    expect(page.locator("#from-items")).to_contain_text("TOTE-9")
    wedge_scan(page, GTIN13)
    page.locator("#qty-plus").click()
    page.locator("#qty-plus").click()
    expect(page.locator("#qty")).to_have_value("3")
    expect(page.locator("#prompt")).to_have_text("Scan where it goes")
    wedge_scan(page, "A-01-02")
    expect(page.locator("#outcome")).to_have_text("Moved 3 × SKU-1001 from DOCK-1 to A-01-02.")
    assert stock_by_location(api, "SKU-1001") == {"A-01-02": 3, "DOCK-1": 5}

    wedge_scan(page, GTIN13)  # still from DOCK-1
    set_qty(page, 9)
    wedge_scan(page, "A-01-03")
    expect(page.locator("#error-overlay")).to_be_visible()
    expect(page.locator("#error-title")).to_have_text("Not enough stock")
    page.locator("#error-ok").click()
    expect(page.locator("#qty")).to_have_value("9")  # still in hand: fix the quantity, scan again
    set_qty(page, 5)
    wedge_scan(page, "A-01-03")
    expect(page.locator("#outcome")).to_have_text("Moved 5 × SKU-1001 from DOCK-1 to A-01-03.")
    assert stock_by_location(api, "SKU-1001") == {"A-01-02": 3, "A-01-03": 5}


def test_a_tote_as_first_scan_moves_the_whole_container(moving, api):
    page = moving
    wedge_scan(page, "TOTE-9")
    expect(page.locator("#container-code")).to_have_text("TOTE-9")
    expect(page.locator("#prompt")).to_have_text("Scan where TOTE-9 goes")
    wedge_scan(page, "A-01-01")
    expect(page.locator("#outcome")).to_have_text("Moved TOTE-9 to A-01-01.")
    expect(page.locator("#prompt")).to_have_text("Scan the location, tote or pallet to move from")
    fresh_session()
    r = api("picker").get("/api/locations/A-01-01/stock")
    assert r.json["containers"] == ["TOTE-9"]


def test_a_container_can_be_unpacked_instead(moving, api):
    page = moving
    wedge_scan(page, "TOTE-9")
    page.locator("#unpack").click()
    expect(page.locator("#from-code")).to_have_text("TOTE-9")
    expect(page.locator("#prompt")).to_have_text("Scan an item")

"""Receive online, then put away and move with the network cut: the queue drains once, stock is exact."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.handheld.steps import (GTIN13, fresh_session, movements_by_kind, open_task, set_qty, sign_in,
                                  start_blind_receipt, stock_by_location, wedge_scan)

DRAIN_TIMEOUT_MS = 20000  # the `online` event replays at once; the 5 s timer is the fallback


def queue_count(page):
    return page.locator("#queue-count")


@pytest.mark.both_backends
def test_writes_queued_offline_land_once_when_the_network_returns(floor, page, context, live_server, users, api):
    sign_in(page, live_server, users["receiver"])

    # Online: receive 6 mugs into the dock on a blind receipt.
    open_task(page, "receive", "receive")
    start_blind_receipt(page)
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, GTIN13)
    set_qty(page, 6)
    page.locator("#confirm").click()
    expect(page.locator("#outcome")).to_have_text("Received 6 × SKU-1001. 6 on this receipt.")
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 6}

    # Put away 4: the suggestion comes while online...
    page.locator("#home-link").click()
    open_task(page, "putaway", "putaway")
    wedge_scan(page, "DOCK-1")
    wedge_scan(page, GTIN13)
    set_qty(page, 4)
    expect(page.locator("#target")).to_have_attribute("data-qty", "4")  # the server answered for 4
    expect(page.locator("#target")).to_have_attribute("data-state", "ready")
    expect(page.locator("#suggested")).to_have_text("A-01-01")
    bin_x = page.locator("#suggested").inner_text()
    # The shell is cached by the service worker, so pages still open without a network.
    assert page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        return Boolean(await caches.match('/hh/move')) && Boolean(await caches.match('/hh/'));
    }""")

    # ...then the Wi-Fi drops before the bin is scanned.
    context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("Offline")
    wedge_scan(page, bin_x)
    expect(page.locator("#outcome")).to_have_attribute("data-state", "queued")
    expect(page.locator("#outcome")).to_contain_text("No connection")
    expect(queue_count(page)).to_have_text("1")
    expect(page.locator("#prompt")).to_have_text("Scan an item")  # the worker carries on

    # Still offline: move 2 from that bin to another, on a page opened offline.
    page.locator("#home-link").click()
    open_task(page, "move", "move")
    expect(queue_count(page)).to_have_text("1")
    wedge_scan(page, bin_x)
    expect(page.locator("#from-code")).to_have_text(bin_x)
    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")  # recognised from the earlier online scan
    page.locator("#qty-plus").click()
    expect(page.locator("#qty")).to_have_value("2")
    wedge_scan(page, "A-01-02")
    expect(page.locator("#outcome")).to_have_attribute("data-state", "queued")
    expect(page.locator("#outcome")).to_contain_text("2 × SKU-1001 to A-01-02")
    expect(queue_count(page)).to_have_text("2")
    expect(page.locator("#queue-badge")).to_have_attribute("data-state", "waiting")
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 6}  # nothing reached the server yet
    assert movements_by_kind() == {"receive": 1}

    # The network returns: the queue drains in order, each write once.
    context.set_offline(False)
    expect(queue_count(page)).to_have_text("0", timeout=DRAIN_TIMEOUT_MS)
    expect(page.locator("#queue-badge")).to_have_attribute("data-state", "empty")
    expect(page.locator("#net-status")).to_have_text("Online")
    expect(page.locator("#refused-overlay")).to_be_hidden()

    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 2, bin_x: 2, "A-01-02": 2}
    assert movements_by_kind() == {"receive": 1, "putaway": 1, "move": 1}
    from server.inventory.queries import verify_ledger
    fresh_session()
    assert verify_ledger() == []

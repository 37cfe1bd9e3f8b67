"""Receiving with no connection (issue 6, A6): the open receipts are on the device after a fresh page
load, and a blind receipt started offline is created once when the queue replays, with its lines."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.handheld.steps import GTIN13, fresh_session, open_task, set_qty, sign_in, stock_by_location, wedge_scan

DRAIN_TIMEOUT_MS = 20000


@pytest.fixture
def receipt(floor):
    from server.receiving.services import create_receipt
    return run_in_transaction(lambda: create_receipt("PO-4711", supplier="Mugs Ltd", lines=[("SKU-1001", 10)]).id)


def receipts(api) -> list[dict]:
    fresh_session()
    r = api("supervisor").get("/api/receipts")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["receipts"]


@pytest.mark.both_backends
def test_receiving_offline_from_a_fresh_page_load(receipt, page, context, live_server, users, api):
    sign_in(page, live_server, users["receiver"])
    open_task(page, "receive", "receive")
    expect(page.locator("#receipt-list button", has_text="PO-4711")).to_be_visible()
    page.wait_for_function("""async () => {
        await navigator.serviceWorker.ready;
        return Boolean(await caches.match('/hh/receive'));
    }""")

    context.set_offline(True)
    page.reload()
    expect(page.locator("#net-status")).to_have_text("Offline")
    expect(page.locator("#receipts-cached")).to_be_visible()
    expect(page.locator("#receipt-list button", has_text="PO-4711")).to_be_visible()

    page.locator("#blind-start").click()
    expect(page.locator("#outcome")).to_have_attribute("data-state", "queued")
    expect(page.locator("#receipt-ref")).to_have_text("New blind receipt (not sent yet)")
    expect(page.locator("#prompt")).to_have_text("Scan the dock or staging location")
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#location-code")).to_have_text("DOCK-1")
    for qty in (3, 2):
        wedge_scan(page, GTIN13)
        set_qty(page, qty)
        page.locator("#confirm").click()
        expect(page.locator("#outcome")).to_have_attribute("data-state", "queued")
    expect(page.locator("#queue-count")).to_have_text("3")
    assert [r for r in receipts(api) if r["blind"]] == []

    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=DRAIN_TIMEOUT_MS)
    expect(page.locator("#refused-overlay")).to_be_hidden()
    blind = [r for r in receipts(api) if r["blind"]]
    assert len(blind) == 1, blind  # created once, and both receives landed on it
    assert [(ln["item"], ln["received"]) for ln in blind[0]["lines"]] == [("SKU-1001", 5)]
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 5}
    # The screen now shows the receipt the server made, with its totals.
    expect(page.locator("#receipt-ref")).to_have_text(blind[0]["reference"])
    expect(page.locator("#receipt-lines")).to_contain_text("SKU-1001")

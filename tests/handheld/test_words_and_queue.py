"""Words on the handheld and what the worker sees of the offline queue.

The "No connection … saved on this device" line goes once its write has gone (sent, or refused and
discarded); queued writes that land are announced to the screens; the refused-write dialog names the
action; plurals follow the count; problem titles are for people.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.handheld.steps import GTIN13, open_task, set_qty, sign_in, stock_by_location, wedge_scan

DRAIN_TIMEOUT_MS = 20000  # the `online` event replays at once; the 5 s timer is the fallback
API_JS = "/hh/static/js/api.js"  # the page's own module instance: same URL, same queue


@pytest.fixture
def moving(floor, page, live_server, users):
    """8 mugs on DOCK-1; the receiver has scanned DOCK-1 and a mug on the Move screen."""
    from server.http import run_in_transaction
    from server.inventory.ledger import Actor
    from server.inventory.moves import adjust_stock

    run_in_transaction(lambda: adjust_stock(item_code="SKU-1001", location_code="DOCK-1", delta=8,
                                            reason="found", actor=Actor(user_id=None)))
    sign_in(page, live_server, users["receiver"])
    open_task(page, "move", "move")
    wedge_scan(page, "DOCK-1")
    expect(page.locator("#from-code")).to_have_text("DOCK-1")
    wedge_scan(page, GTIN13)
    expect(page.locator("#item-name")).to_have_text("Blue mug")
    return page


def move_offline(page, context, qty: int, to: str) -> None:
    """Set the quantity, lose the network, scan the target: the move waits on the device."""
    set_qty(page, qty)
    context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("Offline")
    wedge_scan(page, to)
    expect(page.locator("#outcome")).to_have_attribute("data-state", "queued")
    expect(page.locator("#outcome")).to_contain_text("No connection")
    expect(page.locator("#queue-count")).to_have_text("1")


def record_events(page, *names: str) -> None:
    page.evaluate("""(names) => { window.seen = [];
        for (const name of names) document.addEventListener(`shipfloor:${name}`,
            (e) => window.seen.push({ name, ...e.detail })); }""", list(names))


def test_the_saved_on_this_device_line_goes_once_the_write_is_sent(moving, context, api):
    page = moving
    record_events(page, "landed")
    move_offline(page, context, 3, "A-01-02")
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=DRAIN_TIMEOUT_MS)
    expect(page.locator("#outcome")).to_be_hidden()
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 5, "A-01-02": 3}
    # Screens learn that the queued write landed, with the server's answer (e.g. to refresh totals).
    landed = page.evaluate("window.seen")
    assert [(e["name"], e["path"], e["label"], e["data"]["qty"]) for e in landed] == [
        ("landed", "/api/moves", "Move 3 × SKU-1001 from DOCK-1 to A-01-02", 3)]


def refused_offline(page, context, qty: int = 50, to: str = "A-01-02"):
    """Queue a move of more than the dock holds; back online, the server refuses it and nobody waits for it."""
    move_offline(page, context, qty, to)
    context.set_offline(False)
    overlay = page.locator("#refused-overlay")
    expect(overlay).to_be_visible(timeout=DRAIN_TIMEOUT_MS)
    return overlay


def test_the_refused_write_dialog_names_the_action(moving, context):
    page = moving
    overlay = refused_offline(page, context)
    expect(page.locator("#refused-title")).to_have_text(
        "Saved scan refused: Move 50 × SKU-1001 from DOCK-1 to A-01-02")
    expect(overlay).not_to_contain_text("/api/")
    expect(overlay).not_to_contain_text("POST")
    expect(page.locator("#refused-detail")).not_to_be_empty()


def test_the_saved_on_this_device_line_goes_when_the_refused_write_is_discarded(moving, context, api):
    page = moving
    record_events(page, "discarded")
    overlay = refused_offline(page, context)
    expect(page.locator("#outcome")).to_be_visible()  # still on the device until someone decides
    page.locator("#refused-discard").click()
    expect(page.locator("#confirm-overlay")).to_be_visible()
    page.locator("#confirm-yes").click()
    expect(overlay).to_be_hidden()
    expect(page.locator("#queue-count")).to_have_text("0")
    expect(page.locator("#outcome")).to_be_hidden()
    assert page.evaluate("window.seen.map((e) => [e.name, e.path])") == [["discarded", "/api/moves"]]
    assert stock_by_location(api, "SKU-1001") == {"DOCK-1": 8}


def test_a_write_queued_without_a_label_is_described_from_what_it_sends(floor, page, context, live_server,
                                                                        users):
    """Entries queued by an older page version carry no label: the dialog reads the action from the request."""
    sign_in(page, live_server, users["receiver"])
    context.set_offline(True)
    page.evaluate("""async (url) => { const { api } = await import(url);
        const body = { item: "SKU-1001", qty: 4, from: "DOCK-1", to: "A-01-03" };
        await api.enqueueWrite("POST", "/api/putaways", body); }""", API_JS)
    context.set_offline(False)
    expect(page.locator("#refused-overlay")).to_be_visible(timeout=DRAIN_TIMEOUT_MS)  # nothing on the dock
    expect(page.locator("#refused-title")).to_have_text(
        "Saved scan refused: Put away 4 × SKU-1001 from DOCK-1 in A-01-03")


def queue_offline(page, n: int) -> None:
    page.evaluate("""async ([url, n]) => { const { api } = await import(url);
        const body = { container: "TOTE-9", to: "A-01-01" };
        for (let i = 0; i < n; i++) await api.enqueueWrite("POST", "/api/container-moves", body); }""", [API_JS, n])


@pytest.mark.parametrize(("waiting", "says"), [(1, "1 scan is still waiting to be sent."),
                                                (2, "2 scans are still waiting to be sent.")])
def test_signing_out_counts_the_waiting_scans_in_words(floor, page, context, live_server, users, waiting,
                                                        says):
    sign_in(page, live_server, users["receiver"])
    context.set_offline(True)
    queue_offline(page, waiting)
    expect(page.locator("#queue-count")).to_have_text(str(waiting))
    page.locator("#logout").click()
    expect(page.locator("#confirm-overlay")).to_be_visible()
    expect(page.locator("#confirm-text")).to_contain_text(says)
    page.locator("#confirm-no").click()
    expect(page.locator("#home-screen")).to_be_visible()


def test_plural_messages_follow_the_count(floor, page, live_server, users):
    sign_in(page, live_server, users["receiver"])
    said = page.evaluate("""async () => { const { t } = await import('/hh/static/js/i18n.js');
        return [0, 1, 2, 21].map((n) => t("receipt_items", { n })); }""")
    assert said == ["0 items", "1 item", "2 items", "21 items"]


def problem(page, **body):
    """Make the next scan answer this problem, as some server or proxy might."""
    page.route("**/api/scan", lambda route: route.fulfill(
        status=body.get("status", 422), content_type="application/problem+json", body=json.dumps(body)))


@pytest.mark.parametrize(("answer", "title"), [
    ({"code": "invalid_input", "title": "Invalid input", "detail": "The scan was empty."}, "Check and try again"),
    ({"code": "odd_new_thing", "title": "ODD_NEW_THING", "detail": "Something odd."}, "Problem"),
    ({"code": "odd_new_thing", "title": "Bin is being counted", "detail": "Wait."}, "Bin is being counted"),
], ids=["known-code", "code-like-title", "readable-title"])
def test_problem_titles_are_for_people(floor, page, live_server, users, answer, title):
    sign_in(page, live_server, users["picker"])
    open_task(page, "lookup", "lookup")
    problem(page, **answer)
    wedge_scan(page, "A-01-01")
    expect(page.locator("#error-overlay")).to_be_visible()
    # As displayed (CSS text-transform included), not just the text in the DOM.
    expect(page.locator("#error-title")).to_have_text(title, use_inner_text=True)
    expect(page.locator("#error-detail")).to_have_text(answer["detail"])


@pytest.mark.parametrize(("locked_for", "says"), [(0.5, "Wait 1 second or"), (1.5, "Wait 2 seconds or")])
def test_the_sign_in_lock_says_how_long_in_words(app, monkeypatch, locked_for, says):
    """The handheld shows the server's words when a badge is locked out: "Wait 1 second", not "1 seconds"."""
    from datetime import datetime, timedelta, timezone

    from server.auth import throttle
    from server.auth.models import LoginThrottle
    from server.errors import TooManyAttempts
    from server.http import run_in_transaction

    now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(throttle, "utcnow", lambda: now)
    attempt = throttle.Attempt(account="badge:ann", address="127.0.0.1", device="hh-1")
    locked = next(c for c in attempt.counters() if c["scope"] == "account_source")
    run_in_transaction(lambda: throttle.db.session.add(
        LoginThrottle(**locked, failures=4, last_failure_at=now,
                      locked_until=now + timedelta(seconds=locked_for))))
    with pytest.raises(TooManyAttempts) as refused:
        run_in_transaction(throttle.charge, attempt)
    assert says in refused.value.detail

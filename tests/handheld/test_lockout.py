"""Issue 7 in Chromium: wrong PINs slow their source only, and a supervisor unlocks a locked worker."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.handheld.steps import PIN, wedge_scan
from tests.supervisor.web import PASSWORD

DESKTOP = {"width": 1280, "height": 800}


def _supervisor_page(browser, live_server, supervisor):
    """The supervisor's own browser (another context: another cookie jar), on the filled sign-in form."""
    office = browser.new_context(viewport=DESKTOP)
    sv = office.new_page()
    sv.goto(live_server + "/login")
    sv.fill("#username", supervisor.username)
    sv.fill("#password", PASSWORD)
    return sv


def _enter_pin(page, pin: str) -> None:
    page.locator("#pin").fill(pin)
    page.locator("#pin").press("Enter")


def test_wrong_pins_on_the_wifi_do_not_stop_ana_or_the_supervisor(page, browser, live_server, users):
    from server.http import run_in_transaction
    from tests.helpers import make_user

    ana = run_in_transaction(lambda: make_user("picker", username="ana", pin=PIN))
    # Someone on the same address (the warehouse Wi-Fi) tries 12 unknown badges, a new device id each time.
    for n in range(12):
        r = requests.post(live_server + "/api/auth/badge-login", timeout=30,
                          json={"badge": f"NOBODY-{n}", "pin": "0000", "device_id": f"rogue-device-{n:03d}"})
        assert r.status_code == 401

    sv = _supervisor_page(browser, live_server, users["supervisor"])
    page.goto(live_server + "/hh/")
    wedge_scan(page, ana.badge_code)
    expect(page.locator("#pin")).to_be_visible()
    page.locator("#pin").fill(PIN)
    # At the same time: both are sent before either answer is awaited.
    sv.click("#login-submit", no_wait_after=True)
    page.locator("#pin").press("Enter")

    expect(page.locator("#home-screen")).to_be_visible()
    expect(page.locator("#user-name")).to_have_text(ana.display_name)
    expect(sv).to_have_url(live_server + "/dashboard")
    expect(sv.locator("#signed-in-user")).to_have_text(users["supervisor"].display_name)
    sv.context.close()


def test_a_supervisor_unlocks_a_worker_locked_by_their_own_wrong_pins(page, browser, live_server, users):
    picker = users["picker"]
    page.goto(live_server + "/hh/")
    wedge_scan(page, picker.badge_code)
    for _ in range(4):
        _enter_pin(page, "0000")
        expect(page.locator("#error-overlay")).to_be_visible()
        page.locator("#error-ok").click()
    _enter_pin(page, PIN)  # the right PIN, but this handheld is locked for this badge now
    expect(page.locator("#error-detail")).to_contain_text("ask a supervisor")
    page.locator("#error-ok").click()

    sv = _supervisor_page(browser, live_server, users["supervisor"])
    sv.click("#login-submit")
    expect(sv).to_have_url(live_server + "/dashboard")
    sv.click("#nav-users")
    sv.click(f"#user-{picker.id} .username a")
    expect(sv.locator("#locks-table .lock-row").first).to_be_visible()
    sv.click("#unlock")
    expect(sv.locator("#flash")).to_contain_text(f"{picker.username} can sign in again.")
    expect(sv.locator("#audit-table .audit-row").first).to_contain_text("Unlocked")
    sv.context.close()

    expect(page.locator("#scan")).to_be_visible()
    wedge_scan(page, picker.badge_code)
    _enter_pin(page, PIN)
    expect(page.locator("#home-screen")).to_be_visible()
    expect(page.locator("#user-name")).to_have_text(picker.display_name)

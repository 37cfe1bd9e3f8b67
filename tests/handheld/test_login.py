"""Badge + PIN sign-in in a real Chromium against the real app (live server, both databases)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.handheld.steps import open_task, sign_in, wedge_scan

def test_wedge_badge_scan_and_pin_reach_the_home_screen(page, live_server, users):
    picker = users["picker"]
    page.goto(live_server + "/hh/")
    expect(page.locator("#login-screen")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()  # the scanner types into the field without a tap

    wedge_scan(page, picker.badge_code)

    expect(page.locator("#pin-step")).to_be_visible()
    expect(page.locator("#badge-step")).to_be_hidden()
    expect(page.locator("#pin")).to_be_focused()
    page.locator("#pin").fill("1234")
    page.locator("#pin-submit").click()

    expect(page.locator("#home-screen")).to_be_visible()
    expect(page.locator("#login-screen")).to_be_hidden()
    expect(page.locator("#user-name")).to_have_text(picker.display_name)
    expect(page.locator("#user-role")).to_have_text("Picker")
    session = page.evaluate("JSON.parse(localStorage.getItem('shipfloor.session'))")
    assert session["token"] and session["user"]["role"] == "picker"

    # A reload keeps the worker signed in (the session is checked with GET /api/me).
    page.reload()
    expect(page.locator("#home-screen")).to_be_visible()
    expect(page.locator("#user-name")).to_have_text(picker.display_name)


def test_wrong_pin_shows_the_red_overlay_with_the_server_detail(page, live_server, users, client):
    picker = users["picker"]
    # What the server says for a wrong PIN, asked directly, so the page is checked against it.
    expected = client.post(
        "/api/auth/badge-login", json={"badge": "NO-SUCH-BADGE", "pin": "0000", "device_id": "probe-device"})
    assert expected.status_code == 401, expected.get_data(as_text=True)
    detail = expected.get_json()["detail"]

    page.goto(live_server + "/hh/")
    wedge_scan(page, picker.badge_code)
    page.locator("#pin").fill("9999")
    page.locator("#pin").press("Enter")

    overlay = page.locator("#error-overlay")
    expect(overlay).to_be_visible()
    expect(page.locator("#error-detail")).to_have_text(detail)
    assert _is_red(overlay.evaluate("el => getComputedStyle(el).backgroundColor"))
    expect(page.locator("#home-screen")).to_be_hidden()

    # A wedge Enter must not dismiss it unread; a tap does, and the PIN can be tried again.
    page.locator("#error-ok").click()
    expect(overlay).to_be_hidden()
    expect(page.locator("#pin")).to_be_visible()
    page.locator("#pin").fill("1234")
    page.locator("#pin").press("Enter")
    expect(page.locator("#home-screen")).to_be_visible()


def _is_red(css: str) -> bool:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return r > 150 and g < 80 and b < 80


@pytest.mark.parametrize("screen", ["login", "home", "lookup", "receive", "putaway", "move"])
def test_no_horizontal_scrolling_at_360x640(page, live_server, users, screen, tmp_path):
    assert page.viewport_size == {"width": 360, "height": 640}
    if screen == "login":
        page.goto(live_server + "/hh/")
        expect(page.locator("#login-screen")).to_be_visible()
    else:
        sign_in(page, live_server, users["supervisor"])
        if screen != "home":
            open_task(page, screen, screen)
    page.screenshot(path=str(tmp_path / f"{screen}.png"))
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{screen} scrolls sideways: {width}px wide"

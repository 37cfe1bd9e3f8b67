"""A real browser (Debian's Chromium through Playwright) on the supervisor pages of a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.supervisor.web import PASSWORD

DESKTOP = {"width": 1280, "height": 800}


def _sign_in(page, base: str, user) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


def test_a_supervisor_signs_in_and_sees_the_dashboard(live_server, users, page):
    supervisor = users["supervisor"]
    _sign_in(page, live_server, supervisor)
    expect(page).to_have_url(live_server + "/dashboard")
    expect(page.locator("#signed-in-user")).to_have_text(supervisor.display_name)
    expect(page.locator("#nav")).to_be_visible()
    expect(page.locator("#nav-users")).to_have_count(0)
    expect(page.locator("#card-users .count")).to_have_text("5")


def test_wrong_password_in_the_browser_shows_the_message(live_server, users, page):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + "/login")
    page.fill("#username", users["supervisor"].username)
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    expect(page.locator("#flash")).to_contain_text("Name or password is wrong.")
    expect(page.locator("#signed-in-user")).to_have_count(0)


def test_an_admin_creates_an_item_and_signs_out_in_the_browser(live_server, users, page):
    _sign_in(page, live_server, users["admin"])
    page.click("#nav-items")
    page.click("#item-new")
    page.fill("#sku", "WEB-1")
    page.fill("#name", "Made in the browser")
    page.fill("#barcodes", "WEBCODE\nWEBCASE*6")
    page.check("#tracks_expiry")
    page.click("#item-submit")
    expect(page).to_have_url(live_server + "/items/WEB-1")
    expect(page.locator("#flash")).to_have_text("Item WEB-1 created.")
    expect(page.locator(".barcode-row")).to_have_count(2)

    page.click("#nav-items")
    page.fill("#q", "web")
    page.click("#search-submit")
    expect(page).to_have_url(re.compile(r"/items\?q=web"))
    expect(page.locator("tr.item-row")).to_have_count(1)

    page.click("#logout-submit")
    expect(page).to_have_url(live_server + "/login")
    expect(page.locator("#flash")).to_have_text("You are signed out.")
    page.goto(live_server + "/items")
    expect(page).to_have_url(re.compile(r"/login\?next=/items$"))

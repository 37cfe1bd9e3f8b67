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
    expect(page.locator("#nav-users")).to_have_count(1)  # floor workers: unlock, PIN reset
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


def test_a_supervisor_adjusts_stock_and_reverses_it_in_the_browser(live_server, users, page):
    from tests.supervisor import floor
    floor.build(users)
    _sign_in(page, live_server, users["supervisor"])
    page.click("#nav-stock")
    expect(page.locator("tr.stock-row[data-sku='MUG-1'] td.on-hand")).to_have_text("16")
    page.click("#tab-adjust")
    page.fill("#item", "MUG-1")
    page.fill("#location", "A-01")
    page.fill("#qty", "-2")
    page.select_option("#reason", "damaged")
    page.click("#adjust-submit")
    expect(page).to_have_url(live_server + "/items/MUG-1#stock")
    expect(page.locator("#flash")).to_have_text("MUG-1 in A-01 changed by -2.")
    expect(page.locator("#item-on-hand")).to_have_text("14")

    page.click("#item-movements")
    newest = page.locator("tr.move-row").first
    expect(newest.locator("td.reason")).to_have_text("Damaged")
    newest.locator("a", has_text="Reverse").click()
    # An adjustment's reversal is a correction: the form offers nothing else.
    expect(page.locator("#reason option")).to_have_text(["Correction"])
    page.once("dialog", lambda dialog: dialog.accept())  # "Reverse movement …? … puts the 2 units back."
    page.click("#reverse-submit")
    expect(page).to_have_url(live_server + "/movements?item=MUG-1")
    expect(page.locator("#flash")).to_contain_text("reversed by movement")
    expect(page.locator("tr.move-row").nth(1).locator("a.reversed-by")).to_be_visible()
    page.goto(live_server + "/items/MUG-1")
    expect(page.locator("#item-on-hand")).to_have_text("16")

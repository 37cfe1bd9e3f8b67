"""THE ACCEPTANCE TEST of the live dashboard (issue 12): a supervisor has /dashboard open at 1366x768 with the
order counts, the seller metrics and the day's forecast above the fold; a shipment made through the API shows on
the page within 2 s without a reload: today's shipped count goes up by one and the order leaves its urgency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from server.http import run_in_transaction
from tests.factories import make_actor
from tests.shipping.shipfloor import FLOOR, packed
from tests.supervisor.web import PASSWORD

VIEWPORT = {"width": 1366, "height": 768}
UPS = "1Z5R89390357567127"
LIVE_WITHIN_MS = 2000  # the acceptance: within 2 s


@pytest.fixture
def floor_plan():
    return FLOOR


@pytest.fixture
def order_id(floor, users):
    """An order due in 90 minutes (due within 2 h), picked and packed: ready for its label."""
    crew = {"boss": make_actor(users["supervisor"]), "picker": make_actor(users["picker"]),
            "packer": make_actor(users["packer"])}
    due = datetime.now(UTC) + timedelta(minutes=90)
    return run_in_transaction(lambda: packed([("KP-MUG", 1)], [[("KP-MUG", 1)]], ship_by=due, **crew)[0].id)


def test_a_shipment_made_through_the_api_shows_on_the_open_dashboard_within_2_s(live_server, page, users, api,
                                                                                 order_id):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size(VIEWPORT)
    page.goto(live_server + "/login?next=/dashboard")
    page.fill("#username", users["supervisor"].username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(live_server + "/dashboard")

    shipped, due_soon = page.locator("#shipped-today .count"), page.locator("#urgency-due_2h .count")
    expect(shipped).to_have_text("0")
    expect(due_soon).to_have_text("1")
    for above_the_fold in ("#urgency-overdue", "#shipped-late", "#metric-lsr_10-rate", "#metric-vtr_30-rate",
                           "#forecast-misses", "#team-packers"):
        box = page.locator(above_the_fold).bounding_box()
        assert box["y"] + box["height"] <= VIEWPORT["height"], above_the_fold
    assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORT["width"]
    page.evaluate("window.dashboardMarker = 'set before the shipment'")
    loads = page.evaluate("performance.getEntriesByType('navigation').length")

    r = api("packer").post("/api/shipments", {"order": order_id, "carrier": "ups", "service": "ground",
                                              "tracking_numbers": [UPS]})
    assert r.status_code == 201, r.json
    expect(shipped).to_have_text("1", timeout=LIVE_WITHIN_MS)
    expect(due_soon).to_have_text("0", timeout=LIVE_WITHIN_MS)

    assert page.evaluate("window.dashboardMarker") == "set before the shipment"  # the same page: no reload
    assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
    expect(page.locator("#live-updated")).to_contain_text("Updated")
    expect(page.locator("#live-error")).to_be_hidden()
    assert errors == []

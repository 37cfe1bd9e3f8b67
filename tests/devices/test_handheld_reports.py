"""The handheld's side in Chromium (issue 12, 4): a screen opened is reported to the dashboard, a scan the screen
refuses is logged as an error scan with what the step expected — counted once — and a write left waiting in the
queue is reported with its count and age."""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.factories import FloorPlan, place, sku
from tests.handheld.steps import GTIN13, fresh_session, open_task, sign_in, wedge_scan

FLOOR = FloorPlan(locations=(place("A-01-01", zone="A"), place("A-01-02", zone="A")), items=(sku("SKU-1001", "Blue mug", barcodes=[GTIN13]),))


def is_post_to(path: str, **fields):
    def match(response) -> bool:
        request = response.request
        return (request.method == "POST" and request.url.endswith(path)
                and all((request.post_data_json or {}).get(k) == v for k, v in fields.items()))
    return match


def test_a_screen_reports_itself_and_logs_the_scans_it_refuses(floor, page, live_server, users):
    from server.dashboard.people import throughput_today
    from server.db import utcnow
    from server.devices.models import DeviceReport
    from server.extensions import db
    from server.scanning.models import ScanLog

    picker = users["picker"]
    sign_in(page, live_server, picker)
    with page.expect_response(is_post_to("/api/devices/report", screen="move")) as reported:
        open_task(page, "move", "move")
    assert reported.value.status == 204
    device = page.evaluate("localStorage.getItem('shipfloor.device')")

    # Move starts with where from: an item there is refused by the screen, after /api/scan said what it is.
    with page.expect_response(is_post_to("/api/scans/refusals")) as logged:
        wedge_scan(page, GTIN13)
    assert logged.value.status == 201
    expect(page.locator("#error-overlay")).to_be_visible()

    fresh_session()
    report = db.session.get(DeviceReport, device)
    assert (report.user_id, report.screen, report.queued, report.refused) == (picker.id, "move", 0, 0)
    rows = db.session.execute(sa.select(ScanLog.code, ScanLog.kind, ScanLog.outcome, ScanLog.screen,
                                        ScanLog.expected, ScanLog.device_id).order_by(ScanLog.id)).all()
    assert [tuple(r) for r in rows] == [(GTIN13, "item", "ok", "move", None, device),
                                        (GTIN13, "item", "wrong_kind", "move", "location, tote", device)]
    (ana,) = [p for p in throughput_today(utcnow(), UTC) if p["user"] == picker.username]
    assert (ana["scans"], ana["error_scans"]) == (1, 1)
    fresh_session()

    # A move the server cannot take now (503) waits in the queue: the next report says so, and since when.
    page.locator("#error-ok").click()
    page.route("**/api/moves", lambda route: route.fulfill(
        status=503, content_type="application/problem+json",
        body='{"type": "/problems/busy", "title": "Busy", "status": 503, "code": "busy", "detail": "Busy"}'))
    for code in ("A-01-01", GTIN13):
        wedge_scan(page, code)
    expect(page.locator("#move-screen")).to_have_attribute("data-step", "to")
    with page.expect_response(is_post_to("/api/devices/report", queued=1, refused=0)) as waiting:
        wedge_scan(page, "A-01-02")
    expect(page.locator("#queue-count")).to_have_text("1")
    oldest = waiting.value.request.post_data_json["oldest_queued_at"]
    report = db.session.get(DeviceReport, device)
    assert (report.queued, report.refused, report.oldest_queued_at.isoformat(timespec="milliseconds")) == (
        1, 0, oldest.replace("Z", "+00:00"))
    fresh_session()

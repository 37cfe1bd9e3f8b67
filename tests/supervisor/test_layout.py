"""Every supervisor page fits the window: no sideways scroll on a 768 px tablet or a 1366 px laptop.

The pages are found by walking the app's URL map, so a page added later is measured too (or the test
names the URL argument it cannot fill). The data is the demo warehouse plus a receipt being received,
a blind receipt and a reversed movement, so lists and details show real widths.
"""

from __future__ import annotations

import re
import pytest
from playwright.sync_api import expect

VIEWPORTS = ({"width": 768, "height": 1024}, {"width": 1366, "height": 768})
# Endpoints that answer no HTML page: files, the site icon and CSV downloads.
NOT_PAGES = ("supervisor.static", "supervisor.favicon", "supervisor.stock_export",
             "supervisor.stock_locations_export", "supervisor.movements_export",
             "supervisor.job_progress",  # JSON polled by jobs.js
             "supervisor.orders_export", "supervisor.batches_export", "supervisor.pickers_export",
             "supervisor.rates_export", "supervisor.received_label",  # (an SVG drawing)
             "supervisor.label_preview", "supervisor.shipment_label_preview",  # label drawings (SVG)
             "supervisor.shipments_confirmation",  # Amazon's tab-separated file
             "supervisor.count_tasks_export", "supervisor.count_approvals_export", "supervisor.count_ira_export",
             "supervisor.count_ira_weeks_export", "supervisor.count_adjustments_export",
             "supervisor.replenishment_export", "supervisor.replenishment_feed",
             "supervisor.dashboard_live",  # JSON polled by dashboard.js
             *(f"supervisor.dashboard_{name}_export" for name in ("people", "hourly", "due", "devices", "waiting",
                                                                  "printers", "misses", "metrics")))


def _seed() -> dict[str, object]:
    """The demo warehouse and a little activity; returns a value for each URL argument of the pages."""
    import sqlalchemy as sa

    from server.auth.models import User
    from server.demo import seed_demo
    from server.extensions import db
    from server.http import run_in_transaction
    from server.inventory import ledger
    from server.inventory.codes import MoveKind
    from server.inventory.ledger_models import StockMove
    from server.orders.models import Order
    from server.packing.models import BoxType, Package
    from server.picking.batching import build_batch
    from server.receiving import services as receiving
    from server.shipping.models import Manifest

    def activity():
        seed_demo()
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        actor = ledger.Actor(user_id=admin.id, device_id="HH-LAYOUT-TEST-0001")
        receipt = receiving.create_receipt(
            "PO-2026-000123-LONG-REFERENCE", supplier="Northwind Traders International Wholesale GmbH & Co. KG",
            lines=[(f"SKU-{1000 + n}", 12 * (n + 1)) for n in range(8)])
        for n in range(3):
            receiving.receive(receipt, code=f"SKU-{1000 + n}", qty=5 + n, location_code="DOCK-1", actor=actor)
        receiving.start_blind_receipt(supplier="Walk-in delivery")
        # The demo's own movements may not be reversible any more (its month of picks took from the opening
        # stock): the first unit received here is.
        first = db.session.scalar(sa.select(StockMove).where(StockMove.kind == MoveKind.RECEIVE)
                                  .order_by(StockMove.id).limit(1))
        undo = ledger.reverse_move(first, actor=actor)[0]  # its page shows both links and the reversal form
        batch = build_batch(size=8, actor=actor)  # allocates the demo's open orders first
        # An order short of stock: its page shows the shortage table and every form.
        short = db.session.scalar(sa.select(Order.id).where(Order.short_units > 0).order_by(Order.id).limit(1))
        # The demo's shipment in the most packages: its page shows every package and label preview.
        shipment_id = db.session.scalar(sa.select(Package.shipment_id).where(Package.shipment_id.isnot(None))
                                        .group_by(Package.shipment_id).order_by(sa.func.count().desc()).limit(1))
        return {"sku": "SKU-1015", "code": "STAGE-1", "move_id": undo.id, "receipt_id": receipt.id,
                "user_id": admin.id, "order_id": short or batch.orders[0].order_id, "batch_id": batch.id,
                "box_id": db.session.scalar(sa.select(BoxType.id).limit(1)), "shipment_id": shipment_id,
                "manifest_id": db.session.scalar(sa.select(Manifest.id).limit(1))}

    return run_in_transaction(activity)


def _pages(app, values: dict[str, object]) -> list[str]:
    """The path of every GET page of the supervisor blueprint, its URL arguments filled from values."""
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("supervisor.") or "GET" not in rule.methods:
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        missing = rule.arguments - values.keys()
        assert not missing, f"no test value for {sorted(missing)} of {rule.rule}: add one to _seed()"
        paths.append(rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1])
    return sorted(set(paths))


def _overflow(page) -> dict:
    """The page's scroll width against the window's, and the first elements that stick out."""
    return page.evaluate("""() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 3)
          .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (typeof e.className === 'string' && e.className ? '.' + e.className : ''))})""")


def test_no_supervisor_page_scrolls_sideways(app, live_server, page, tmp_path):
    values = _seed()
    paths = _pages(app, values)
    assert "/movements" in paths and "/users" in paths and f"/receipts/{values['receipt_id']}" in paths

    too_wide = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.goto(live_server + "/login")
        m = _overflow(page)
        if m["scroll"] > m["inner"]:
            too_wide.append((viewport["width"], "/login (signed out)", m))
    page.fill("#username", "admin")
    page.fill("#password", "shipfloor-admin")
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        for path in paths:
            response = page.goto(live_server + path)
            assert response.status == 200, (path, response.status)
            m = _overflow(page)
            if m["scroll"] > m["inner"]:
                too_wide.append((viewport["width"], path, m))
            # What the window shows, to look at when this fails (in the test's tmp_path).
            name = path.strip("/").replace("/", "_") or "root"
            page.screenshot(path=str(tmp_path / f"{viewport['width']}-{name}.png"))
    assert not too_wide, "pages wider than the window:\n" + "\n".join(map(str, too_wide))

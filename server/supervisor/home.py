"""The dashboard that starts a supervisor's day, and the site icon browsers ask for."""

from __future__ import annotations

from pathlib import Path

from flask import render_template, send_file

from ..auth import queries as users
from ..catalog import queries as catalog
from ..inventory import queries as stock
from ..orders import queries as orders
from ..receiving import queries as receiving
from . import clock
from .pages import bp

# The handheld's app icon serves as the site icon too: one drawing to keep.
FAVICON = Path(__file__).resolve().parents[2] / "handheld_web" / "static" / "icons" / "icon-192.png"
FAVICON_MAX_AGE = 24 * 3600


@bp.get("/dashboard")
def dashboard():
    """Show the counts that start a supervisor's day."""
    counts = {"items": catalog.count_active_items(), "locations": stock.count_locations(),
              "open_orders": orders.count_open_orders(), "users": users.count_active_users(),
              "on_hand": stock.units_on_hand(), "open_receipts": receiving.receipt_counts()["open"],
              "movements_today": stock.count_movements_since(clock.day_start(clock.today()))}
    return render_template("supervisor/dashboard.html", counts=counts, today=clock.today().isoformat())


@bp.get("/favicon.ico")
def favicon():
    """Answer the browser's request for the site icon (a PNG: every current browser takes one)."""
    return send_file(FAVICON, mimetype="image/png", max_age=FAVICON_MAX_AGE)

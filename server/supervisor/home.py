"""The site icon browsers ask for (the dashboard that starts a supervisor's day lives in dashboard.py)."""

from __future__ import annotations

from pathlib import Path

from flask import send_file

from .pages import bp

# The handheld's app icon serves as the site icon too: one drawing to keep.
FAVICON = Path(__file__).resolve().parents[2] / "handheld_web" / "static" / "icons" / "icon-192.png"
FAVICON_MAX_AGE = 24 * 3600


@bp.get("/favicon.ico")
def favicon():
    """Answer the browser's request for the site icon (a PNG: every current browser takes one)."""
    return send_file(FAVICON, mimetype="image/png", max_age=FAVICON_MAX_AGE)

"""Handheld web UI: the pages and static files floor staff use on phones and rugged scanners."""

from flask import Blueprint

bp = Blueprint(
    "handheld",
    __name__,
    url_prefix="/hh",
    static_folder="static",
    static_url_path="/static",
    template_folder="templates",
)

from handheld_web import views  # noqa: E402,F401  (routes attach themselves to bp)

"""Supervisor pages, assembled: importing the page modules attaches their routes to the blueprint.

The blueprint and what the pages share live in pages.py; each page module imports from there, never
from here, so the package has no import cycle.
"""

from __future__ import annotations

from . import (auth, boxes, counts, dashboard, home, items, jobs, labels, locations, movements,  # noqa: F401
               order_imports, orders, picking, printers, receipts, replenishment, returns, shipments,
               stock, users)  # (the routes attach to bp)
from .pages import bp

__all__ = ["bp"]

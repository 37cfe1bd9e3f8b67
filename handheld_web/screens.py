"""The handheld's screens, defined once: the home tiles, who sees each, and which API writes it makes.

The roles are the constants the API routes check (expanded the way the role check expands them), so a
tile can never show to a role the server would refuse; tests/handheld/test_screens.py holds them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from server.auth.guard import ANY_ROLE, allowed_roles
from server.auth.models import RECEIVING_ROLES, Role


@dataclass(frozen=True)
class Screen:
    name: str  # also the page module (static/js/screens/<name>.js) and the tile id (#tile-<name>)
    title: object  # a lazy translation
    icon: str
    roles: frozenset[Role]  # who the server lets do this screen's writes
    endpoint: str | None = None  # None: not built yet, shown as "coming soon"
    writes: tuple[str, ...] = ()  # API endpoints the screen posts to

    def out(self) -> dict:
        return {
            "name": self.name,
            "title": str(self.title),
            "icon": self.icon,
            "url": url_for(self.endpoint) if self.endpoint else None,
            "roles": sorted(r.value for r in self.roles),
        }


def _screen(name, title, icon, roles, endpoint=None, writes=()) -> Screen:
    return Screen(name, title, icon, allowed_roles(roles), endpoint, tuple(writes))


# In tile order.
SCREENS: tuple[Screen, ...] = (
    _screen("lookup", _l("Look up"), "search", ANY_ROLE, "handheld.lookup"),
    _screen("receive", _l("Receive"), "inbox", RECEIVING_ROLES, "handheld.receive",
            ("receiving.start_blind", "receiving.receive", "receiving.close_receipt")),
    _screen("putaway", _l("Put away"), "shelf", RECEIVING_ROLES, "handheld.putaway", ("receiving.post_putaway",)),
    _screen("move", _l("Move"), "arrows", ANY_ROLE, "handheld.move", ("stock.post_moves", "stock.post_container_move")),
    _screen("pick", _l("Pick"), "cart", (Role.PICKER,), "handheld.pick",
            ("picking.post_cart", "picking.post_pick", "picking.post_short", "picking.post_skip")),
    _screen("pack", _l("Pack"), "box", (Role.PACKER,), "handheld.pack",
            ("packing.post_start", "packing.post_scan", "packing.post_package", "packing.post_close",
             "shipping.post_shipment")),
    _screen("load", _l("Load"), "truck", (Role.PACKER,), "handheld.load", ("shipping.post_load_by_label",)),
    _screen("count", _l("Count"), "list", (Role.PICKER,), "handheld.count",
            ("counts.post_entry", "counts.post_empty", "counts.post_finish")),
    _screen("returns", _l("Returns"), "inbox", RECEIVING_ROLES, "handheld.returns",
            ("returns.start_return", "returns.add_line", "returns.close_return")),
)


def screens_out() -> list[dict]:
    """The screen list as the home page renders it into JSON."""
    return [s.out() for s in SCREENS]


def page_endpoints() -> tuple[str, ...]:
    return tuple(s.endpoint for s in SCREENS if s.endpoint)

"""Say what a scanned code is: location, item, tote, order, user badge, or parsed GS1 data."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from ..auth.models import User
from ..catalog import services as catalog
from ..catalog.models import Item
from ..errors import DomainError, InvalidInput, NotFound
from ..extensions import db
from ..inventory import locations
from ..inventory.codes import LocationKind
from ..inventory.models import Location
from ..orders.models import Order
from . import gs1

ORDER_CODE = re.compile(r"^ORD-?(\d{1,12})$", re.IGNORECASE)
MAX_ORDER_ID = 2**31 - 1


class UnknownCode(NotFound):
    code, title = "unknown_code", "Unknown code"


class BadCheckDigit(InvalidInput):
    code, title = "bad_check_digit", "Bad check digit"


class MalformedGS1(InvalidInput):
    code, title = "malformed_gs1", "Malformed GS1 barcode"


def _gs1_problem(err: gs1.GS1Error) -> DomainError:
    cls = BadCheckDigit if isinstance(err, gs1.BadCheckDigit) else MalformedGS1
    return cls(str(err), field="code", expected=err.expected)


def item_view(item: Item, units: int = 1) -> dict:
    return {"sku": item.sku, "name": item.name, "unit": item.unit, "units": units,
            "barcodes": [b.code for b in item.barcodes], "tracks_lot": item.tracks_lot,
            "tracks_expiry": item.tracks_expiry, "tracks_serial": item.tracks_serial}


def location_view(loc: Location) -> dict:
    return {**locations.location_out(loc), "blocked": loc.blocked, "pickable": loc.pickable}


def _find_exact(code: str) -> dict | None:
    """Look the whole code up as each kind of thing we print or stock."""
    loc = locations.find_location(code)
    if loc is not None and loc.kind != LocationKind.VIRTUAL:
        kind = "tote" if loc.kind == LocationKind.TOTE else "location"
        return {"kind": kind, kind: location_view(loc)}
    found = catalog.find_item_by_code(code)
    if found is not None:
        return {"kind": "item", "item": item_view(*found)}
    order = _find_order(code)
    if order is not None:
        return {"kind": "order", "order": {"id": order.id, "channel": order.channel,
                                           "channel_order_id": order.channel_order_id,
                                           "status": order.status.value}}
    user = db.session.scalar(sa.select(User).where(User.badge_code == code, User.active))
    if user is not None:
        return {"kind": "user", "user": {"id": user.id, "name": user.display_name, "role": user.role.value}}
    return None


def _find_order(code: str) -> Order | None:
    match = ORDER_CODE.match(code)
    if match:
        order_id = int(match.group(1))
        # Ids are 32-bit integers: a larger number would make PostgreSQL refuse the query (a 500).
        return db.session.get(Order, order_id) if order_id <= MAX_ORDER_ID else None
    return db.session.scalar(sa.select(Order).where(Order.channel_order_id == code).limit(1))


def _resolve_gs1(fields: dict[str, str]) -> dict:
    """Name what GS1 data points at: a license plate or package by SSCC, an item by GTIN."""
    described = gs1.describe(fields)
    base = {"gs1": fields}
    if "00" in fields:
        plate = locations.find_location(fields["00"])
        if plate is not None:
            kind = "tote" if plate.kind == LocationKind.TOTE else "location"
            return {"kind": kind, kind: location_view(plate), **base}
    gtin = fields.get("01") or fields.get("02")
    if gtin:
        found = catalog.find_item_by_code(gtin)
        if found is not None:
            item, units = found
            view = item_view(item, units * int(described.get("count") or 1) if "02" in fields else units)
            for key in ("lot", "expiry", "serial", "best_before"):
                if described.get(key):
                    view[key] = described[key]
            return {"kind": "item", "item": view, **base}
    return {"kind": "gs1", **base}


def resolve_code(raw: str, *, gs_substitutes=None) -> dict:
    """Resolve one scan as CONTRACT.md's POST /api/scan describes; raise a problem otherwise."""
    if gs_substitutes is None:  # the configured wedge substitutes for the GS1 separator
        gs_substitutes = current_app.config.get("SCAN_GS_SUBSTITUTES", ("|",)) if has_app_context() else ("|",)
    parsed = gs1.parse_scan(raw, substitutes=gs_substitutes)
    payload = parsed.payload
    if not payload.strip():
        raise InvalidInput(_("The scan was empty."), field="code")
    if parsed.is_gs1_marked:
        try:
            return _resolve_gs1(gs1.parse_element_strings(payload))
        except gs1.GS1Error as err:
            raise _gs1_problem(err) from None
    found = _find_exact(payload.strip())
    if found is not None:
        return found
    if gs1.looks_like_gtin(payload) and not gs1.is_valid_gs1_key(payload):
        raise BadCheckDigit(
            _("%(code)s has a wrong check digit: probably a misread. Scan it again.", code=payload),
            field="code", expected=f"check digit {gs1.gs1_check_digit(payload[:-1])}")
    # Wedge scanners often drop the ]C1 prefix: accept unmarked GS1 that parses completely.
    try:
        fields = gs1.parse_element_strings(payload)
    except gs1.BadCheckDigit as err:
        raise _gs1_problem(err) from None
    except gs1.GS1Error:
        fields = None
    if fields:
        return _resolve_gs1(fields)
    raise UnknownCode(_("%(code)s is not a known location, item, tote, order or badge.", code=payload),
                      field="code", expected="a location, item, tote, order or badge barcode")

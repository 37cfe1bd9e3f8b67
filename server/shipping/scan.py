"""What a scan at the pack station or the dock may name for shipping: a package (by its SSCC, bare or as GS1
AI 00, or by its tracking number) or a shipment (SHP-<id>). Registered with the scan resolver
(server/scanning/resolve.py register_resolver), which asks only after every other kind missed; a code that
cannot be one of ours is answered without a query."""

from __future__ import annotations

import re

import sqlalchemy as sa

from flask_babel import gettext as _

from ..errors import InvalidInput
from ..extensions import db
from ..orders.models import Order
from ..packing.models import Package, PackageStatus
from .models import Shipment
from .sscc import is_sscc
from .tracking import detect_tracking

class NotAPackage(InvalidInput):
    code, title = "not_a_package", "Not a package label"


SHIPMENT_CODE = re.compile(r"^SHP-?(\d{1,9})$", re.IGNORECASE)


def _order_view(order: Order) -> dict:
    return {"id": order.id, "channel": order.channel, "channel_order_id": order.channel_order_id,
            "status": order.status.value}


def _shipment_view(shipment: Shipment, packages: list[Package]) -> dict:
    return {"id": shipment.id, "code": f"SHP-{shipment.id}", "order": shipment.order_id, "carrier": shipment.carrier,
            "service": shipment.service, "status": shipment.status.value,
            "tracking_numbers": [p.tracking_number for p in packages]}


def _package_answer(condition) -> dict | None:
    package = db.session.scalars(sa.select(Package).where(condition, Package.status != PackageStatus.VOIDED)
                                 .order_by(Package.id.desc()).limit(1)).first()
    if package is None:
        return None
    order = db.session.get(Order, package.order_id)
    shipment = db.session.get(Shipment, package.shipment_id) if package.shipment_id else None
    view = {"id": package.id, "number": package.number, "status": package.status.value, "sscc": package.sscc,
            "tracking_number": package.tracking_number, "weight_g": package.weight_g, "order": _order_view(order),
            "shipment": _shipment_view(shipment, shipment.packages) if shipment else None}
    return {"kind": "package", "package": view}


def resolve_scan(code: str | None, gs1_fields: dict | None) -> dict | None:
    """The answer for a package or shipment the scan names, or None."""
    if gs1_fields is not None:
        sscc = gs1_fields.get("00")
        return _package_answer(Package.sscc == sscc) if sscc else None
    match = SHIPMENT_CODE.match(code)
    if match:
        shipment = db.session.get(Shipment, int(match.group(1)))
        return {"kind": "shipment", "shipment": _shipment_view(shipment, shipment.packages)} if shipment else None
    if is_sscc(code):
        return _package_answer(Package.sscc == code)
    tracking = detect_tracking(code)
    return _package_answer(Package.tracking_number == tracking[1]) if tracking else None


def package_from_code(code: str) -> Package:
    """The package a scanned label names (SSCC, AI 00 or tracking number), through the scan resolver, so a
    dock scan reads exactly what POST /api/scan reads; anything else is refused."""
    from ..scanning.resolve import resolve_code  # the resolver imports nothing of ours: no cycle, kept local
    answer = resolve_code(code)
    if answer.get("kind") != "package":
        raise NotAPackage(_("%(code)s is not a package label: scan the SSCC or tracking barcode.",
                            code=code.strip()), field="code", expected="a package label (SSCC or tracking number)")
    return db.session.get(Package, answer["package"]["id"])

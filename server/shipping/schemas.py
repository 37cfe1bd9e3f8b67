"""The shipping API's request and response shapes (docs/shipping.md), and the answers built from models."""

from __future__ import annotations

import sqlalchemy as sa
from apiflask import Schema
from apiflask.fields import Boolean, Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

from ..extensions import db
from ..orders.models import Order
from ..packing.models import Package
from .models import Shipment, ShipmentStatus

MAX_ID = 2**31 - 1


# --- input -----------------------------------------------------------------------------------------------

class ShipmentIn(Schema):
    order = Integer(required=True, strict=True, validate=Range(1, MAX_ID), metadata={"description": "order id"})
    carrier = String(required=True, validate=Length(1, 32), metadata={"description": "local, ups, usps, fedex, dhl, amzl"})
    service = String(required=True, validate=Length(1, 64), metadata={"description": "the rate card's service code"})
    tracking_numbers = List(String(validate=Length(1, 64)), load_default=None, validate=Length(max=99), metadata={
        "description": "an external carrier's numbers as scanned or typed, one per package in package order"})
    packages = List(Integer(strict=True, validate=Range(1, MAX_ID)), load_default=None, validate=Length(1, 99),
                    metadata={"description": "package ids; left out: every packed package of the order"})
    station = String(load_default=None, validate=Length(1, 64),
                     metadata={"description": "pack station whose printer prints the labels (default: the packages')"})


class VoidIn(Schema):
    reason = String(required=True, validate=Length(1, 200))


class ShipmentQuery(Schema):
    limit = Integer(load_default=50, validate=Range(1, 500))
    status = String(load_default=None, validate=OneOf([s.value for s in ShipmentStatus]))
    order = Integer(load_default=None, validate=Range(1, MAX_ID))


class LabelsQuery(Schema):
    dpi = Integer(load_default=None, validate=OneOf([203, 300]))


class RatesQuery(Schema):
    order = Integer(required=True, validate=Range(1, MAX_ID))
    ship_date = Date(load_default=None)


class DayQuery(Schema):
    day = Date(load_default=None, metadata={"description": "warehouse-local day; default today"})


class DayIn(Schema):
    day = Date(load_default=None)


class ManifestIn(Schema):
    carrier = String(required=True, validate=Length(1, 32))
    day = Date(load_default=None)


# --- output ----------------------------------------------------------------------------------------------

class LoadIn(Schema):
    # As POST /api/scan takes it: GS1 input may carry the GS separator (0x1D).
    code = String(required=True, validate=Length(1, 512),
                  metadata={"description": "exactly what the scanner sent from the package label"})


class PackageOut(Schema):
    id = Integer()
    number = Integer()
    status = String()
    sscc = String(allow_none=True)
    tracking_number = String(allow_none=True)
    weight_g = Integer(allow_none=True)
    loaded_at = DateTime(allow_none=True)
    order = String(metadata={"description": "the order's channel order id"})
    shipment_status = String(allow_none=True)


class ShipmentOut(Schema):
    id = Integer()
    order = Integer()
    order_ref = String(metadata={"description": "the channel's order id"})
    carrier = String()
    service = String()
    status = String()
    tracking_numbers = List(String())
    packages = List(Nested(PackageOut))
    rate_cents = Integer(allow_none=True)
    currency = String(allow_none=True)
    promised_delivery = Date(allow_none=True)
    label_created_at = DateTime()
    shipped_at = DateTime(allow_none=True)
    ship_by_met = Boolean(allow_none=True)
    voided_at = DateTime(allow_none=True)
    void_reason = String(allow_none=True)
    manifest_id = Integer(allow_none=True)
    confirmed_at = DateTime(allow_none=True)


class ShipmentList(Schema):
    shipments = List(Nested(ShipmentOut))


class QuoteOut(Schema):
    carrier = String()
    service = String()
    service_name = String()
    cents = Integer()
    currency = String()
    transit_days = Integer()
    delivery_date = Date()
    meets_promise = Boolean()
    suggested = Boolean()
    issues_tracking = Boolean(metadata={"description": "true: the carrier makes the tracking numbers and labels; "
                                                      "false: scan the numbers off the carrier's own labels"})
    reasons = List(String())
    zone = String()
    billed_weight = Integer()
    unit = String()


class QuoteList(Schema):
    quotes = List(Nested(QuoteOut))


class ConfirmedOut(Schema):
    confirmed = Integer(metadata={"description": "shipments marked confirmed now (not before)"})
    shipments = Integer()


class ManifestOut(Schema):
    id = Integer()
    carrier = String()
    day = Date()
    number = Integer()
    closed_at = DateTime(allow_none=True)
    shipments = Integer()


def shipments_out(shipments: list[Shipment]) -> list[dict]:
    """The answers of several shipments with two queries (their packages, their orders)."""
    ids = [s.id for s in shipments]
    packages: dict[int, list[Package]] = {i: [] for i in ids}
    if ids:
        for package in db.session.scalars(sa.select(Package).where(Package.shipment_id.in_(ids))
                                          .order_by(Package.number)):
            packages[package.shipment_id].append(package)
    refs = dict(db.session.execute(sa.select(Order.id, Order.channel_order_id)
                                   .where(Order.id.in_({s.order_id for s in shipments}))).all()) if ids else {}
    return [_shipment_out(s, packages[s.id], refs.get(s.order_id)) for s in shipments]


def _shipment_out(s: Shipment, packages: list[Package], order_ref: str | None) -> dict:
    return {"id": s.id, "order": s.order_id, "order_ref": order_ref, "carrier": s.carrier, "service": s.service,
            "status": s.status.value, "tracking_numbers": [p.tracking_number for p in packages],
            "packages": [{"id": p.id, "number": p.number, "status": p.status.value, "sscc": p.sscc,
                          "tracking_number": p.tracking_number, "weight_g": p.weight_g, "loaded_at": p.loaded_at}
                         for p in packages],
            **{key: getattr(s, key) for key in ("rate_cents", "currency", "promised_delivery", "label_created_at",
                                                "shipped_at", "ship_by_met", "voided_at", "void_reason",
                                                "manifest_id", "confirmed_at")}}


def shipment_out(shipment: Shipment) -> dict:
    return shipments_out([shipment])[0]

"""What the orders API takes and gives (CONTRACT.md "Orders and shipments"), and the flat row an order import
validates with the same field rules."""

from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache

from apiflask import Schema
from apiflask.fields import Boolean, DateTime, File, Integer, List, Nested, String
from apiflask.validators import FileSize, Length, OneOf, Range
from babel import Locale
from flask import current_app
from flask_babel import lazy_gettext
from marshmallow import ValidationError, fields
from marshmallow import Schema as PlainSchema

from ..schemas import MAX_QTY, ImportError_, Instant, PageQuery, no_control_characters
from .models import CancelSource, OrderStatus
from .ship_by import end_of_day, zone
from .urgency import Urgency

# ISO 3166-1 alpha-2: the two-letter regions CLDR names, without its pseudo-regions (unknown, EU, UN...).
COUNTRIES = frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha()) - {
    "ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}
MAX_LINES = 500


def valid_country(value: str) -> None:
    if value.upper() not in COUNTRIES:
        raise ValidationError(str(lazy_gettext("Not an ISO 3166 alpha-2 country code, such as US or DE.")))


def text(size: int, *, required: bool = False, **kw) -> String:
    """A text field of at most `size` characters (its column), without control characters."""
    rules = [Length(1 if required else 0, size), no_control_characters]
    if required:
        return String(required=True, validate=rules, **kw)
    return String(load_default=None, allow_none=True, validate=rules, **kw)


def country(**kw) -> String:
    return String(validate=valid_country, **kw)  # the list of codes is the length rule too


def units(minimum: int = 1, **kw) -> Integer:
    return Integer(validate=Range(minimum, MAX_QTY), **kw)


class ShipToIn(Schema):
    name = text(120, required=True)
    address1 = text(200, required=True)
    address2 = text(200)
    address3 = text(200)
    city = text(100, required=True)
    state = text(64)
    postal_code = text(20, required=True)
    country = country(required=True)
    phone = text(40)


class LineIn(Schema):
    sku = text(64, required=True)
    qty = units(required=True)
    channel_line_id = text(64, metadata={"description": "The channel's line id (Amazon's order-item-id)"})
    product_name = text(500)


class OrderIn(Schema):
    channel = text(32, required=True, metadata={"description": "e.g. amazon, shop"})
    channel_order_id = text(64, required=True)
    ship_to = Nested(ShipToIn, required=True)
    lines = List(Nested(LineIn), required=True, validate=Length(1, MAX_LINES))
    ship_by = Instant(load_default=None, metadata={"description": "The channel's latest ship date; computed from "
                                                                  "the handling time when absent"})
    ordered_at = Instant(load_default=None, metadata={"description": "Purchase time (default: now)"})
    deliver_by = Instant(load_default=None)
    customer_name = text(120)
    customer_email = text(254)
    service_level = text(40)


class LineOut(Schema):
    id = Integer()
    sku = String()
    name = String()
    product_name = String(allow_none=True)
    channel_line_id = String(allow_none=True)
    qty = Integer()
    qty_picked = Integer()


class ShipToOut(Schema):
    name = String()
    address1 = String()
    address2 = String(allow_none=True)
    address3 = String(allow_none=True)
    city = String()
    state = String(allow_none=True)
    postal_code = String()
    country = String()
    phone = String(allow_none=True)


class CancelRequestOut(Schema):
    requested_at = DateTime()
    note = String(allow_none=True)


class EventOut(Schema):
    at = DateTime()
    from_status = String(allow_none=True)
    to_status = String()
    user = String(allow_none=True)
    device_id = String(allow_none=True)
    note = String(allow_none=True)


class OrderOut(Schema):
    id = Integer()
    channel = String()
    channel_order_id = String()
    status = String()
    customer_name = String(allow_none=True)
    customer_email = String(allow_none=True)
    ship_to = Nested(ShipToOut)
    service_level = String(allow_none=True)
    ordered_at = DateTime()
    ship_by = DateTime(allow_none=True)
    ship_by_source = String()
    deliver_by = DateTime(allow_none=True)
    short_units = Integer()
    cancel_request = Nested(CancelRequestOut, allow_none=True,
                            metadata={"description": "The channel says cancelled: a supervisor decides"})
    cancel_source = String(allow_none=True)
    cancel_reason = String(allow_none=True)
    lines = List(Nested(LineOut))
    created_at = DateTime()


class OrderDetailOut(OrderOut):
    history = List(Nested(EventOut))


class OrderPage(Schema):
    orders = List(Nested(OrderOut))
    total = Integer()


class OrderQuery(PageQuery):
    status = String(load_default=None, validate=OneOf([s.value for s in OrderStatus]))
    channel = String(load_default=None, validate=Length(1, 32))
    urgency = String(load_default=None, validate=OneOf([u.value for u in Urgency]))


class CancelIn(Schema):
    reason = String(required=True, validate=[Length(1, 200), no_control_characters])
    source = String(load_default=CancelSource.SELLER.value, validate=OneOf([s.value for s in CancelSource]),
                    metadata={"description": "seller (counts toward the cancel rate), buyer or channel"})


class ChannelCancelDecisionIn(Schema):
    cancel = Boolean(required=True, metadata={"description": "true: cancel the order; false: keep it"})
    reason = String(load_default=None, validate=[Length(0, 200), no_control_characters])
    source = String(load_default=CancelSource.CHANNEL.value,
                    validate=OneOf([CancelSource.CHANNEL.value, CancelSource.BUYER.value]))


class OrderImportUpload(Schema):
    file = File(required=True, validate=FileSize(max="20 MiB"))
    format = String(load_default=None, validate=OneOf(["amazon", "csv"]),
                    metadata={"description": "default: sniffed (a tab-separated header with order-id → amazon)"})
    mapping = String(load_default=None, validate=Length(1, 64),
                     metadata={"description": "a saved column mapping's name (a CSV file)"})


class CancelRequestFlagged(Schema):
    id = Integer()
    channel_order_id = String()
    note = String()


class OrderImportResult(Schema):
    imported = Integer(metadata={"description": "orders created"})
    duplicates = Integer(metadata={"description": "orders known already (skipped)"})
    updated = Integer(metadata={"description": "known open orders that got a new line item"})
    errors = List(Nested(ImportError_))
    cancel_requests = List(Nested(CancelRequestFlagged),
                           metadata={"description": "orders flagged for a supervisor's cancel decision"})


# Our order fields a mapping may name (our field → their column header).
MAPPING_FIELDS = ("channel_order_id", "channel_line_id", "sku", "qty", "product_name", "ordered_at", "ship_by",
                  "deliver_by", "customer_name", "customer_email", "ship_to_name", "address1", "address2",
                  "address3", "city", "state", "postal_code", "country", "phone", "service_level", "cancel")
MAPPING_REQUIRED = ("channel_order_id", "sku", "qty", "ship_to_name", "address1", "city", "postal_code", "country")


class MappingIn(Schema):
    channel = text(32, required=True)
    columns = fields.Dict(keys=String(validate=OneOf(MAPPING_FIELDS)),
                          values=String(validate=[Length(1, 100), no_control_characters]), required=True,
                          metadata={"description": "our field → the file's column header"})


class MappingOut(Schema):
    name = String()
    channel = String()
    columns = fields.Dict()
    updated_at = DateTime()


class MappingList(Schema):
    mappings = List(Nested(MappingOut))


# --- one row of an order import ------------------------------------------------------------------------

class FileTime(fields.Field):
    """A time in an import file: ISO 8601 with an offset, or without one (the warehouse's local time), or a
    bare date (a deadline: the end of that local day; a purchase: its start)."""

    def __init__(self, *, deadline: bool = False, **kw):
        super().__init__(**kw)
        self.deadline = deadline

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        tz = zone(current_app.config.get("WAREHOUSE_TIMEZONE") or "UTC")
        raw = str(value).strip()
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
        except ValueError:
            raise ValidationError(str(lazy_gettext("Not a date or time such as 2026-05-01T10:00:00+02:00."))) \
                from None
        if len(raw) == 10:  # a bare date
            if self.deadline:
                return end_of_day(moment.date(), tz)
            moment = datetime.combine(moment.date(), time(0))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return Instant().deserialize(moment.isoformat())


def _row_fields() -> dict:
    return {
        "channel_order_id": text(64, required=True), "channel_line_id": text(64), "sku": text(64),
        "qty": units(0, load_default=None), "product_name": text(500),
        "ordered_at": FileTime(load_default=None), "ship_by": FileTime(deadline=True, load_default=None),
        "deliver_by": FileTime(deadline=True, load_default=None),
        "customer_name": text(120), "customer_email": text(254), "ship_to_name": text(120),
        "address1": text(200), "address2": text(200), "address3": text(200), "city": text(100),
        "state": text(64), "postal_code": text(20), "country": country(load_default=None),
        "phone": text(40), "service_level": text(40), "cancel": Boolean(load_default=False),
    }


@lru_cache(maxsize=128)
def row_schema(columns: tuple[tuple[str, str], ...]) -> PlainSchema:
    """The row schema reading each of our fields from the file's column (our field, their header): a refused
    cell is reported under the name the file gives its column."""
    headers = dict(columns)
    made = _row_fields()
    for name, fld in made.items():
        fld.data_key = headers.get(name, name)
    return PlainSchema.from_dict(made, name="OrderRowIn")()

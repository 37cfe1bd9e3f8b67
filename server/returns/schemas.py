"""The returns domain's request and response schemas."""

from apiflask import Schema
from apiflask.fields import DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf

from ..inventory.schemas import UNITS
from .models import Condition, Disposition


class ReturnIn(Schema):
    code = String(load_default=None, validate=Length(0, 64),
                  metadata={"description": "The channel order id, a tracking number, the order id or an RMA"})
    rma = String(load_default=None, validate=Length(1, 64))
    note = String(load_default=None, validate=Length(1, 300))


class ReturnLineIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(required=True, strict=True, validate=UNITS)
    condition = String(required=True, validate=OneOf([c.value for c in Condition]))
    disposition = String(required=True, validate=OneOf([d.value for d in Disposition]))
    location = String(load_default=None, validate=Length(1, 64),
                      metadata={"description": "The bin (restock) or a blocked location (quarantine)"})
    lot = String(load_default=None, validate=Length(0, 40),
                 metadata={"description": "The lot on the returned units, if any"})


class ReturnLineOut(Schema):
    id = Integer()
    item = String()
    name = String()
    qty = Integer()
    lot = String()
    condition = String()
    disposition = String()
    location = String(allow_none=True)
    movement_id = Integer(allow_none=True)
    refund_exported_at = DateTime(allow_none=True)


class ReturnOut(Schema):
    id = Integer()
    order_id = Integer(allow_none=True)
    channel_order_id = String(allow_none=True)
    rma = String(allow_none=True)
    tracking_number = String(allow_none=True)
    status = String()
    received_at = DateTime()
    lines = List(Nested(ReturnLineOut))


class RefundList(Schema):
    lines = List(Nested(ReturnLineOut))


class RefundExportOut(Schema):
    count = Integer()
    csv = String()

"""The receiving domain's request and response schemas: receipts, receiving scans and put-away."""

from apiflask import Schema
from apiflask.fields import Boolean, Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf

from ..inventory.codes import PUTAWAY_OVERRIDE_REASONS
from ..inventory.schemas import LOT_DESCRIPTION, UNITS, MovementOut
from ..schemas import Instant


class ReceiptLineOut(Schema):
    item = String()
    name = String()
    expected = Integer()
    received = Integer()
    variance = Integer()


class ReceiptOut(Schema):
    id = Integer()
    reference = String()
    supplier = String(allow_none=True)
    blind = Boolean()
    status = String()
    expected_at = DateTime(allow_none=True)
    created_at = DateTime()
    lines = List(Nested(ReceiptLineOut))


class ReceiptList(Schema):
    receipts = List(Nested(ReceiptOut))


class ReceiptQuery(Schema):
    status = String(load_default=None, validate=OneOf(["open", "closed"]))


class ExpectedLineIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(required=True, strict=True, validate=UNITS)


class ReceiptIn(Schema):
    reference = String(required=True, validate=Length(1, 64))
    supplier = String(load_default=None, validate=Length(1, 120))
    expected_at = Instant(load_default=None)
    lines = List(Nested(ExpectedLineIn), required=True, validate=Length(min=1))


class BlindIn(Schema):
    supplier = String(load_default=None, validate=Length(1, 120))


class ReceiveIn(Schema):
    code = String(required=True, validate=Length(1, 512), metadata={"description": "the item scan, as sent"})
    qty = Integer(required=True, strict=True, validate=UNITS,
                  metadata={"description": "units received (a case-pack scan does not multiply it)"})
    location = String(required=True, validate=Length(1, 64))
    lot = String(load_default=None, validate=Length(1, 40))
    expiry = Date(load_default=None)
    license_plate = String(load_default=None, validate=Length(1, 24))


class ReceiveOut(Schema):
    movement = Nested(MovementOut)
    line = Nested(ReceiptLineOut)
    flags = List(String())
    location = String()


class SuggestionQuery(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(load_default=1, validate=UNITS)
    from_ = String(load_default=None, data_key="from", validate=Length(1, 64))


class SuggestionOut(Schema):
    item = String()
    qty = Integer()
    from_ = String(data_key="from", attribute="from", allow_none=True)
    suggested = String(allow_none=True)
    why = String()


class PutawayIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(required=True, strict=True, validate=UNITS)
    from_ = String(required=True, data_key="from", validate=Length(1, 64))
    to = String(required=True, validate=Length(1, 64))
    lot = String(allow_none=True, validate=Length(1, 40), metadata={"description": LOT_DESCRIPTION})
    reason = String(load_default=None, validate=Length(1, 32), metadata={
        "description": "why not the suggested bin: " + ", ".join(PUTAWAY_OVERRIDE_REASONS)})
    suggested = String(load_default=None, validate=Length(1, 64),
                       metadata={"description": "the bin the handheld showed when the scan was made"})


class ReceiptRowIn(ExpectedLineIn):
    """One row of the receipts CSV: a line of ReceiptIn with its receipt's reference and supplier."""

    reference = ReceiptIn._declared_fields["reference"]
    supplier = ReceiptIn._declared_fields["supplier"]

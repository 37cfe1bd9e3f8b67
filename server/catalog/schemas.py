from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length

from ..schemas import whole


class BarcodeOut(Schema):
    code = String()
    kind = String()
    units = Integer()


class ItemOut(Schema):
    sku = String()
    name = String()
    unit = String()
    barcodes = List(String())
    barcode_details = List(Nested(BarcodeOut), attribute="barcodes_detail")
    weight_g = Integer(allow_none=True)
    tracks_lot = Boolean()
    tracks_expiry = Boolean()
    tracks_serial = Boolean()
    active = Boolean()


class ItemPage(Schema):
    items = List(Nested(ItemOut))
    total = Integer()


class ItemIn(Schema):
    sku = String(required=True, validate=Length(1, 64))
    name = String(required=True, validate=Length(1, 200))
    unit = String(load_default="each", validate=Length(1, 16))
    barcodes = List(String(validate=Length(1, 70)), load_default=list)
    weight_g = Integer(load_default=None, validate=whole())
    length_mm = Integer(load_default=None, validate=whole())
    width_mm = Integer(load_default=None, validate=whole())
    height_mm = Integer(load_default=None, validate=whole())
    value_cents = Integer(load_default=None, validate=whole())
    tracks_lot = Boolean(load_default=False)
    tracks_expiry = Boolean(load_default=False)
    tracks_serial = Boolean(load_default=False)

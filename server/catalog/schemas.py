from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..schemas import MAX_QTY, whole

# An item has a handful of barcodes (each GTIN, case packs, an internal code): a list longer than this is a
# mistake, and thousands of them once took a request past the server's timeout.
MAX_BARCODES = 50


def split_barcode_spec(spec: str) -> tuple[str, int]:
    """`CODE` → (CODE, 1); `CODE*N` → (CODE, N): a case-pack code standing for N units, 1 ≤ N ≤ MAX_QTY.

    ValueError (with a message for the floor) for anything else: `ABC*x`, `ABC*0`, `ABC*-1`, a count beyond
    MAX_QTY, `*12` without a code, or a second `*`.
    """
    code, star, count = spec.partition("*")
    if not star:
        return code, 1
    if code.strip() and count.isascii() and count.isdigit() and 1 <= int(count) <= MAX_QTY:
        return code, int(count)
    largest = format(MAX_QTY, ",")
    raise ValueError(_("%(spec)s: a barcode is CODE, or CODE*N for a case pack of N units (1 to %(max)s).",
                       spec=spec[:70], max=largest))


def _barcode_spec(spec: str) -> None:
    try:
        split_barcode_spec(spec)
    except ValueError as err:
        raise ValidationError(str(err)) from None


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
    barcodes = List(String(validate=[Length(1, 70), _barcode_spec]), load_default=list,
                    validate=Length(max=MAX_BARCODES), metadata={
                        "description": f"each CODE, or CODE*N for a case pack of N units; at most {MAX_BARCODES}"})
    weight_g = Integer(load_default=None, validate=whole())
    length_mm = Integer(load_default=None, validate=whole())
    width_mm = Integer(load_default=None, validate=whole())
    height_mm = Integer(load_default=None, validate=whole())
    value_cents = Integer(load_default=None, validate=whole())
    tracks_lot = Boolean(load_default=False)
    tracks_expiry = Boolean(load_default=False)
    tracks_serial = Boolean(load_default=False)

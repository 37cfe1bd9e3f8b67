"""The inventory domain's request and response schemas: locations, stock, moves and movement history."""

from apiflask import Schema
from apiflask.fields import Boolean, Date, DateTime, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

from ..schemas import PageQuery, whole
from . import queries
from .codes import ADJUST_REASONS, MAX_QTY, LocationKind, MoveKind, ReasonCode
from .ledger_models import NO_LOT, StockMove

# A quantity of units in a request: a positive whole number up to MAX_QTY.
UNITS = Range(min=1, max=MAX_QTY, error=f"qty must be a whole number from 1 to {MAX_QTY:,}")


class LocationOut(Schema):
    code = String()
    zone = String(allow_none=True)
    kind = String()
    parent = String(allow_none=True)


class LocationPage(Schema):
    locations = List(Nested(LocationOut))
    total = Integer()


class LocationQuery(PageQuery):
    kind = String(load_default=None, validate=OneOf([k.value for k in LocationKind]))


class LocationIn(Schema):
    code = String(required=True, validate=Length(1, 64))
    kind = String(load_default="bin", validate=OneOf([k.value for k in LocationKind if k != "virtual"]))
    zone = String(load_default=None, validate=Length(1, 16))
    parent = String(load_default=None, validate=Length(1, 64))
    aisle = Integer(load_default=None, validate=whole())
    bay = Integer(load_default=None, validate=whole())
    level = String(load_default=None, validate=Length(1, 4))
    position = Integer(load_default=None, validate=whole())
    x = Float(load_default=None)
    y = Float(load_default=None)
    pick_sequence = Integer(load_default=None, validate=whole())
    capacity_units = Integer(load_default=None, validate=whole(1))
    pickable = Boolean(load_default=True)
    blocked = Boolean(load_default=False)
    mixed_items_allowed = Boolean(load_default=True)


class StockQuery(Schema):
    item = String(required=True, validate=Length(1, 512))


class StockLine(Schema):
    location = String()
    qty = Integer()
    reserved = Integer()
    lot = String(allow_none=True)
    expiry = String(allow_none=True)


class StockOut(Schema):
    item = String()
    name = String()
    on_hand = Integer()
    reserved = Integer()
    available = Integer()
    locations = List(Nested(StockLine))


class MovementOut(Schema):
    id = Integer()
    kind = String()
    item = String()
    qty = Integer()
    from_ = String(data_key="from", attribute="from")
    to = String()
    lot = String(allow_none=True)
    expiry = String(allow_none=True)
    reason = String(allow_none=True)
    ref_type = String(allow_none=True)
    ref_id = Integer(allow_none=True)
    reverses = Integer(allow_none=True)
    user = String(allow_none=True)
    device = String(allow_none=True)
    scanned_at = DateTime(allow_none=True)
    at = DateTime()


class MoveOut(MovementOut):
    parts = List(Nested(MovementOut), metadata={"description": "one movement per lot when a move took several"})


LOT_DESCRIPTION = ("the lot to take; null: the units without a lot; left out: the only lot the source holds "
                   "(a source holding several answers 422 lot_required with a `lots` list of those on hand)")


def lot_asked(body: dict) -> str | None:
    """The lot a write names: left out → None (the ledger decides), null → NO_LOT (units without a lot)."""
    if "lot" not in body:
        return None
    return NO_LOT if body["lot"] is None else body["lot"]


class MoveIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(required=True, strict=True, validate=UNITS)
    from_ = String(required=True, data_key="from", validate=Length(1, 64))
    to = String(required=True, validate=Length(1, 64))
    lot = String(allow_none=True, validate=Length(1, 40), metadata={"description": LOT_DESCRIPTION})
    fefo = Boolean(load_default=False, metadata={"description": (
        "without a lot: take the source's lots first-expiry-first instead of asking which (for integrations "
        "that want the automatic choice)")})


class ContainerMoveIn(Schema):
    container = String(required=True, validate=Length(1, 64))
    to = String(required=True, validate=Length(1, 64))


class ContainerMoveOut(Schema):
    id = Integer()
    container = String()
    from_ = String(data_key="from", attribute="from", allow_none=True)
    to = String()


class AdjustIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    location = String(required=True, validate=Length(1, 64))
    qty = Integer(required=True, strict=True, validate=Range(-MAX_QTY, MAX_QTY),
                  metadata={"description": "signed change: +found, -lost"})
    reason = String(required=True, validate=Length(1, 32),
                    metadata={"description": "a reason code: " + ", ".join(ADJUST_REASONS)})
    lot = String(allow_none=True, validate=Length(1, 40), metadata={"description": LOT_DESCRIPTION})
    expiry = Date(load_default=None)


class MovementPage(Schema):
    movements = List(Nested(MovementOut))
    total = Integer()


class MovementQuery(Schema):
    item = String(load_default=None)
    location = String(load_default=None)
    kind = String(load_default=None, validate=OneOf([k.value for k in MoveKind]))
    limit = Integer(load_default=100, validate=Range(1, 1000))
    offset = Integer(load_default=0, validate=whole())


class ReverseIn(Schema):
    reason = String(load_default=ReasonCode.CORRECTION.value, validate=Length(1, 32), metadata={
        "description": "a reason code allowed for reversing the movement's kind: correction for every kind, "
                       "receiving_error for a receipt, count_variance for a count"})


def move_response(moved: list[StockMove], *, by: str | None) -> dict:
    """A write's movements as one answer, from the objects in hand (nothing is read again); by: the user's name."""
    first = queries.movement_out(moved[0], by=by)
    first["qty"] = sum(m.qty for m in moved)
    first["lot"] = first["lot"] if len(moved) == 1 else None
    first["parts"] = [queries.movement_out(m, by=by) for m in moved] if len(moved) > 1 else []
    return first

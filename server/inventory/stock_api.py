"""Stock, moves, container moves, adjustments and movement history over the API."""

from __future__ import annotations

from datetime import datetime

from apiflask import Schema
from apiflask.fields import Date, DateTime, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range
from flask import g, request
from flask_babel import gettext as _

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..catalog import services as catalog
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..schemas import CsvUpload, ImportResult
from . import ledger, moves, queries
from .codes import MoveKind
from .ledger import Actor
from .ledger_models import StockMove
from .locations import get_location

bp = APIBlueprint("stock", __name__, url_prefix="/api", tag="Locations and stock")


def actor_from_request() -> Actor:
    """The signed-in user, their device, and the device's scan time (X-Scanned-At, ISO 8601)."""
    scanned_at = None
    raw = request.headers.get("X-Scanned-At")
    if raw:
        try:
            scanned_at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(_("X-Scanned-At must be an ISO 8601 time."), field="X-Scanned-At") from None
        if scanned_at.tzinfo is None:
            raise InvalidInput(_("X-Scanned-At needs a time zone offset."), field="X-Scanned-At")
    return Actor(user_id=g.current_user_id, device_id=request.headers.get("X-Device-Id"), scanned_at=scanned_at)


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


class MoveIn(Schema):
    item = String(required=True, validate=Length(1, 512))
    qty = Integer(required=True, strict=True, validate=Range(min=1, error="qty must be a positive whole number"))
    from_ = String(required=True, data_key="from", validate=Length(1, 64))
    to = String(required=True, validate=Length(1, 64))
    lot = String(load_default=None, validate=Length(1, 40))


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
    qty = Integer(required=True, strict=True, metadata={"description": "signed change: +found, -lost"})
    reason = String(required=True, validate=Length(1, 32))
    lot = String(load_default=None, validate=Length(1, 40))
    expiry = Date(load_default=None)


class MovementPage(Schema):
    movements = List(Nested(MovementOut))
    total = Integer()


class MovementQuery(Schema):
    item = String(load_default=None)
    location = String(load_default=None)
    kind = String(load_default=None, validate=OneOf([k.value for k in MoveKind]))
    limit = Integer(load_default=100, validate=Range(1, 1000))
    offset = Integer(load_default=0, validate=Range(0))


class ReverseIn(Schema):
    reason = String(load_default="correction", validate=Length(1, 32))


def move_response(moved: list[StockMove]) -> dict:
    first = queries.movement_out(moved[0])
    first["qty"] = sum(m.qty for m in moved)
    first["lot"] = first["lot"] if len(moved) == 1 else None
    first["parts"] = [queries.movement_out(m) for m in moved] if len(moved) > 1 else []
    return first


@bp.get("/stock")
@require_role(*ANY_ROLE)
@bp.input(StockQuery, location="query", arg_name="query")
@bp.output(StockOut)
@bp.doc(summary="On hand, reserved and available stock of an item, per location and lot")
def get_stock(query):
    return queries.stock_for_item(catalog.get_item(query["item"], field="item"))


@bp.get("/locations/<code>/stock")
@require_role(*ANY_ROLE)
@bp.doc(summary="What a location holds")
def get_location_stock(code: str):
    return queries.stock_in_location(get_location(code, field="location"))


@bp.write("/moves", roles=ANY_ROLE, body=MoveIn, out=MoveOut, status=201,
          summary="Move available stock from one location to another")
def post_moves(body):
    moved = moves.move_stock(item_code=body["item"], qty=body["qty"], from_code=body["from_"], to_code=body["to"],
                             lot=body["lot"], actor=actor_from_request())
    return move_response(moved)


@bp.write("/container-moves", roles=ANY_ROLE, body=ContainerMoveIn, out=ContainerMoveOut, status=201,
          summary="Move a whole tote, cart, pallet or license plate with its contents")
def post_container_move(body):
    log = moves.move_container(container_code=body["container"], to_code=body["to"], actor=actor_from_request())
    from .models import Location
    src = db.session.get(Location, log.from_parent_id) if log.from_parent_id else None
    return {"id": log.id, "container": body["container"].upper(), "from": src.code if src else None,
            "to": db.session.get(Location, log.to_parent_id).code}


@bp.write("/adjustments", roles=Role.SUPERVISOR, body=AdjustIn, out=MoveOut, status=201,
          summary="Add or remove stock with a reason code (supervisors)")
def post_adjustment(body):
    moved = moves.adjust_stock(item_code=body["item"], location_code=body["location"], delta=body["qty"],
                               reason=body["reason"], lot=body["lot"], expiry=body["expiry"],
                               actor=actor_from_request())
    return move_response(moved)


@bp.write("/stock/import", roles=Role.SUPERVISOR, files=CsvUpload, out=ImportResult,
          summary="Import opening stock for go-live from CSV (item, location, qty, lot, expiry)")
def import_stock(files):
    return moves.import_opening_stock(files["file"].read(), actor=actor_from_request())


@bp.get("/movements")
@require_role(*ANY_ROLE)
@bp.input(MovementQuery, location="query", arg_name="query")
@bp.output(MovementPage)
@bp.doc(summary="Movement history, newest first")
def list_movements(query):
    item_id = catalog.get_item(query["item"], field="item").id if query["item"] else None
    loc_id = get_location(query["location"], field="location").id if query["location"] else None
    rows, total = queries.movement_history(item_id=item_id, location_id=loc_id, kind=query["kind"],
                                           limit=query["limit"], offset=query["offset"])
    return {"movements": [queries.movement_out(m) for m in rows], "total": total}


@bp.write("/movements/<int:move_id>/reverse", roles=Role.SUPERVISOR, body=ReverseIn, out=MoveOut, status=201,
          summary="Correct a wrong movement with a linked reversal (supervisors)")
def reverse_movement(move_id: int, body):
    move = db.session.get(StockMove, move_id)
    if move is None:
        raise NotFound(_("There is no movement %(id)d.", id=move_id), field="move_id")
    return move_response(ledger.reverse_move(move, actor=actor_from_request(), reason=body["reason"]))

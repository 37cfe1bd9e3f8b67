"""Stock, moves, container moves, adjustments and movement history over the API."""

from __future__ import annotations

from ..api import APIBlueprint
from ..auth.guard import ANY_ROLE, require_role
from ..auth.models import Role
from ..catalog import services as catalog
from ..extensions import db
from ..csvio import import_upload
from ..schemas import CsvUpload, ImportResult
from . import ledger, moves, queries
from .actors import acting_user_name, actor_from_request
from .locations import get_location
from .schemas import (
    AdjustIn, ContainerMoveIn, ContainerMoveOut, MoveIn, MovementPage, MovementQuery, MoveOut, ReverseIn, StockOut,
    StockQuery, lot_asked, move_response,
)

bp = APIBlueprint("stock", __name__, url_prefix="/api", tag="Locations and stock")


@bp.get("/stock")
@require_role(*ANY_ROLE)
@bp.input(StockQuery, location="query", arg_name="query")
@bp.output(StockOut)
@bp.doc(summary="On hand, reserved and available stock of an item, per location and lot",
        responses={404: "No item has that SKU or barcode"})
def get_stock(query):
    return queries.stock_for_item(catalog.get_item(query["item"], field="item"))


@bp.get("/locations/<code>/stock")
@require_role(*ANY_ROLE)
@bp.doc(summary="What a location holds")
def get_location_stock(code: str):
    return queries.stock_in_location(get_location(code, field="location"))


# deferred_lock: a move writes only through the ledger, which claims the write lock itself; on SQLite the
# lock is not held while the request is parsed and its item and locations are looked up.
@bp.write("/moves", roles=ANY_ROLE, body=MoveIn, out=MoveOut, status=201, deferred_lock=True,
          summary="Move available stock from one location to another")
def post_moves(body):
    moved = moves.move_stock(item_code=body["item"], qty=body["qty"], from_code=body["from_"], to_code=body["to"],
                             lot=lot_asked(body), fefo=body["fefo"], actor=actor_from_request())
    return move_response(moved, by=acting_user_name())


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
                               reason=body["reason"], lot=lot_asked(body), expiry=body["expiry"],
                               actor=actor_from_request())
    return move_response(moved, by=acting_user_name())


@bp.write("/stock/import", roles=Role.SUPERVISOR, files=CsvUpload, out=ImportResult, queued=True,
          summary="Import opening stock for go-live from CSV (item, location, qty, lot, expiry)")
def import_stock(files):
    return import_upload(moves.OPENING_STOCK_IMPORT, files["file"].read(),
                         params=moves.actor_params(actor_from_request()))


@bp.get("/movements")
@require_role(*ANY_ROLE)
@bp.input(MovementQuery, location="query", arg_name="query")
@bp.output(MovementPage)
@bp.doc(summary="Movement history, newest first", responses={404: "No such item or location"})
def list_movements(query):
    item_id = catalog.get_item(query["item"], field="item").id if query["item"] else None
    loc_id = get_location(query["location"], field="location").id if query["location"] else None
    rows, total = queries.movement_history(item_id=item_id, location_id=loc_id, kind=query["kind"],
                                           limit=query["limit"], offset=query["offset"])
    return {"movements": [queries.movement_out(m) for m in rows], "total": total}


@bp.write("/movements/<int:move_id>/reverse", roles=Role.SUPERVISOR, body=ReverseIn, out=MoveOut, status=201,
          summary="Correct a wrong movement with a linked reversal (supervisors)")
def reverse_movement(move_id: int, body):
    move = ledger.reverse_move(queries.get_move(move_id), actor=actor_from_request(), reason=body["reason"])
    return move_response(move, by=acting_user_name())

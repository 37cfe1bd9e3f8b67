"""Floor moves and supervisor adjustments, from scanned codes to ledger postings."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..catalog import services as catalog
from ..csvio import CsvImport, CsvRow, RowError
from ..errors import InvalidInput
from ..extensions import db
from . import ledger
from .codes import MoveKind, ReasonCode, VirtualLocation
from .ledger import Actor
from .ledger_models import NO_LOT, StockMove
from .locations import get_location, get_locations
from .schemas import AdjustIn


def move_stock(*, item_code: str, qty: int, from_code: str, to_code: str, lot: str | None,
               actor: Actor, fefo: bool = False) -> list[StockMove]:
    """Move available stock between two physical locations (CONTRACT.md POST /api/moves).

    lot: a lot, NO_LOT for the units without one, None to let the ledger take the only lot there (or,
    with fefo, lots first-expiry-first).

    Six statements here, all reads before the first write: 1. the item (by GTIN or SKU), 2. both locations
    with their zone and parent; then the ledger's 3. INSERT … SELECT of the missing destination rows,
    4. SELECT … FOR UPDATE of the source and destination rows, 5. one UPDATE of both balances (executemany)
    and 6. one INSERT of the movements. The answer is built from these objects, nothing is read again.
    """
    item = catalog.get_item(item_code, field="item")
    places = get_locations({"from": from_code, "to": to_code})
    src = ledger.require_physical(places["from"], "from")
    dst = ledger.require_physical(places["to"], "to")
    return ledger.post_move(kind=MoveKind.MOVE, item=item, qty=qty, src=src, dst=dst, lot=lot, fefo=fefo,
                            actor=actor)


def move_container(*, container_code: str, to_code: str, actor: Actor):
    places = get_locations({"container": container_code, "to": to_code})
    return ledger.move_container(places["container"], to=places["to"], actor=actor)


def adjust_stock(*, item_code: str, location_code: str, delta: int, reason: str, actor: Actor,
                 lot: str | None = None, expiry: date | None = None) -> list[StockMove]:
    """Add (delta > 0) or remove (delta < 0) stock with a reason code; supervisors only.

    Taking stock away without a lot from a location holding several lots asks which (lot_required).
    """
    ledger.check_reason(MoveKind.ADJUST, reason)  # input first (422), then what it names (404)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise InvalidInput(_("An adjustment changes stock by a whole number other than zero."), field="qty")
    item = catalog.get_item(item_code, field="item")
    loc = ledger.require_physical(get_location(location_code, field="location"), "location")
    if item.tracks_lot and not lot:
        raise InvalidInput(_("%(sku)s is tracked by lot: give the lot.", sku=item.sku), field="lot")
    outside = ledger.virtual(VirtualLocation.ADJUSTMENT)
    src, dst = (outside, loc) if delta > 0 else (loc, outside)
    return ledger.post_move(kind=MoveKind.ADJUST, item=item, qty=abs(delta), src=src, dst=dst, lot=lot,
                            expiry=expiry if delta > 0 else None, reason=reason, actor=actor)


def _opening_stock_saver(params: dict):
    """Go-live: post opening balances from CSV (item, location, qty, lot, expiry) as ledger entries; each row
    is the API's AdjustIn with the reason opening_balance. params: user_id and device_id of who posts them.
    An item, location and lot that has an opening balance already is refused: re-importing a file (or
    resuming a job) never books the stock twice."""
    actor = Actor(user_id=params.get("user_id"), device_id=params.get("device_id"))

    def save(rows: list[CsvRow]) -> str:
        body = rows[0].values
        if body["qty"] < 1:
            raise RowError(_("%(col)s must be at least %(min)d.", col="qty", min=1))
        if _has_opening_balance(body["item"], body["location"], body.get("lot")):
            raise RowError(_("%(item)s at %(loc)s has an opening balance already: correct it with an adjustment.",
                             item=body["item"], loc=body["location"]))
        adjust_stock(item_code=body["item"], location_code=body["location"], delta=body["qty"],
                     reason=body["reason"], lot=body.get("lot"), expiry=body["expiry"], actor=actor)
        return "created"

    return save


OPENING_STOCK_IMPORT = CsvImport("import_opening_stock", AdjustIn, _opening_stock_saver,
                                 required=frozenset({"item", "location", "qty"}),
                                 fixed={"reason": ReasonCode.OPENING_BALANCE.value})


def _has_opening_balance(item_code: str, location_code: str, lot: str | None) -> bool:
    item = catalog.get_item(item_code, field="item")  # not found: the row's error, as adjust_stock says it
    loc = get_location(location_code, field="location")
    return db.session.scalar(sa.select(StockMove.id).where(
        StockMove.item_id == item.id, StockMove.dst_id == loc.id, StockMove.lot == (lot or NO_LOT),
        StockMove.kind == MoveKind.ADJUST, StockMove.reason == ReasonCode.OPENING_BALANCE.value).limit(1)) is not None


def actor_params(actor: Actor) -> dict:
    """An actor as a job's params (plain JSON values)."""
    return {"user_id": actor.user_id, "device_id": actor.device_id}


def import_opening_stock(data: bytes | str, *, actor: Actor) -> dict:
    """Post opening balances from CSV (OPENING_STOCK_IMPORT) in the caller's transaction."""
    return OPENING_STOCK_IMPORT.run(data, actor_params(actor))

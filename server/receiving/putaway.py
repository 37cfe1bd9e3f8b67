"""Put away: suggest a bin for received stock, confirm by scanning it, ask why when another bin is used."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..catalog import services as catalog
from ..catalog.models import Item
from ..errors import InvalidInput
from ..extensions import db
from ..inventory import ledger
from ..inventory.codes import PUTAWAY_OVERRIDE_REASONS, LocationKind, MoveKind
from ..inventory.ledger import Actor
from ..inventory.ledger_models import StockBalance
from ..inventory.locations import get_location, get_locations, walking_order
from ..inventory.models import Location

STORAGE_KINDS = (LocationKind.BIN, LocationKind.SHELF, LocationKind.PALLET_POSITION)


class ReasonRequired(InvalidInput):
    code, title = "reason_required", "Why another bin?"


def _usable_bins():
    return sa.select(Location).where(Location.kind.in_(STORAGE_KINDS), Location.active,
                                     Location.blocked.is_(False))


def _units_in(location_id) -> sa.ScalarSelect:
    # An alias: the "holding" query joins stock_balances too, and SQLAlchemy would otherwise
    # auto-correlate the subquery's stock_balances to the outer row (no FROM left: an error).
    inner = aliased(StockBalance)
    return (sa.select(sa.func.coalesce(sa.func.sum(inner.qty), 0))
            .where(inner.location_id == location_id).scalar_subquery())


def suggest_bin(item: Item, qty: int, *, exclude_id: int | None = None) -> tuple[Location | None, str]:
    """A bin already holding the item with room, else an empty bin in the item's home zone, else any empty bin."""
    holding = (_usable_bins()
               .join(StockBalance, sa.and_(StockBalance.location_id == Location.id, StockBalance.item_id == item.id,
                                           StockBalance.qty > 0))
               .where(sa.or_(Location.capacity_units.is_(None),
                             Location.capacity_units - _units_in(Location.id) >= qty))
               .order_by(*walking_order()))
    if exclude_id:
        holding = holding.where(Location.id != exclude_id)
    found = db.session.scalars(holding.limit(1)).first()
    if found:
        return found, _("already holds this item and has room")
    empty = (_usable_bins().where(_units_in(Location.id) == 0)
             .where(sa.or_(Location.capacity_units.is_(None), Location.capacity_units >= qty))
             .order_by(*walking_order()))
    if item.home_zone_id:
        found = db.session.scalars(empty.where(Location.zone_id == item.home_zone_id).limit(1)).first()
        if found:
            return found, _("empty bin in the item's home zone")
    found = db.session.scalars(empty.limit(1)).first()
    if found:
        return found, _("empty bin")
    return None, _("no bin with room: choose one and give a reason")


def suggestion(*, item_code: str, qty: int, from_code: str | None) -> dict:
    item = catalog.get_item(item_code, field="item")
    src = get_location(from_code, field="from") if from_code else None
    loc, why = suggest_bin(item, qty, exclude_id=src.id if src else None)
    return {"item": item.sku, "qty": qty, "from": src.code if src else None,
            "suggested": loc.code if loc else None, "why": why}


def confirm_putaway(*, item_code: str, qty: int, from_code: str, to_code: str, actor: Actor,
                    lot: str | None = None, reason: str | None = None, shown: str | None = None) -> list:
    """Put stock away into the scanned bin; a bin other than the suggestion needs a reason.

    `shown` is the bin the handheld showed when the scan was made: a put-away queued offline and
    replayed later is judged against what the worker saw, not against a suggestion made since.
    """
    ledger.check_reason(MoveKind.PUTAWAY, reason)  # input first (422), then what it names (404)
    item = catalog.get_item(item_code, field="item")
    places = get_locations({"from": from_code, "to": to_code})
    src = ledger.require_physical(places["from"], "from")
    # A blocked bin is refused before asking why it was chosen: no reason makes it take stock.
    dst = ledger.require_open(ledger.require_physical(places["to"], "to"))
    suggested, _why = suggest_bin(item, qty, exclude_id=src.id)
    already_holds = db.session.scalar(sa.select(StockBalance.id).where(
        StockBalance.location_id == dst.id, StockBalance.item_id == item.id, StockBalance.qty > 0).limit(1))
    was_shown = shown is not None and shown.strip().upper() == dst.code_key
    if (suggested is None or suggested.id != dst.id) and not already_holds and not was_shown and reason is None:
        raise ReasonRequired(
            _("%(to)s is not the suggested bin%(s)s. Say why you use it.", to=dst.code,
              s=_(" (%(code)s)", code=suggested.code) if suggested else ""),
            field="reason", expected=", ".join(PUTAWAY_OVERRIDE_REASONS))
    return ledger.post_move(kind=MoveKind.PUTAWAY, item=item, qty=qty, src=src, dst=dst, lot=lot,
                            reason=reason, actor=actor)

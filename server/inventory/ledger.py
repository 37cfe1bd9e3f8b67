"""THE LEDGER: the only writer of stock balances (DESIGN decision 4, STYLE §2).

Every change of stock is one or more immutable StockMove rows plus the matching balance updates, in
the caller's transaction. Balances exist for physical locations only; the outside world (SUPPLIER,
CUSTOMER, ADJUSTMENT, SCRAP) is virtual. Concurrency recipe (DESIGN decision 4): missing balance rows
are created with INSERT … ON CONFLICT DO NOTHING, then every row a write touches is locked in id order
with SELECT … FOR UPDATE (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..catalog.models import Item
from ..extensions import db
from .codes import MoveKind, VirtualLocation
from .errors import (AlreadyReversed, ContainerCycle, InsufficientStock, InvalidQuantity, MixedItemsNotAllowed,
                     NotPhysical)
from .ledger_models import NO_LOT, ContainerMove, StockBalance, StockMove
from .models import Location


@dataclass(frozen=True)
class Actor:
    """Who made a movement, on which device, and when the scan happened on that device."""

    user_id: int | None
    device_id: str | None = None
    scanned_at: datetime | None = None


def virtual(name: VirtualLocation) -> Location:
    loc = db.session.scalar(sa.select(Location).where(Location.code_key == name.value))
    if loc is None:  # migrations seed them; a database built otherwise gets them on first use
        from .locations import create_location
        loc = create_location(name.value, kind="virtual", pickable=False)
    return loc


def _check_qty(qty) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise InvalidQuantity(_("The quantity must be a whole number above zero."), field="qty",
                              expected="a positive whole number")
    return qty


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _ensure_balances(item_id: int, location_id: int, lots: dict[str, date | None]) -> None:
    """Create missing balance rows (qty 0) without racing a concurrent writer doing the same."""
    if not lots:
        return
    stmt = _insert(StockBalance.__table__).values([
        {"item_id": item_id, "location_id": location_id, "lot": lot, "expiry": expiry, "qty": 0, "reserved": 0,
         "updated_at": sa.func.now()}
        for lot, expiry in sorted(lots.items())
    ]).on_conflict_do_nothing(index_elements=["item_id", "location_id", "lot"])
    db.session.execute(stmt)


def _lock(ids: set[int]) -> dict[int, StockBalance]:
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(StockBalance).where(StockBalance.id.in_(ids)).order_by(StockBalance.id)
        .with_for_update().execution_options(populate_existing=True)).all()
    return {r.id: r for r in rows}


def _fefo_order():
    # First expiry first; lots without expiry after dated ones; then lot and row for a stable order.
    return (StockBalance.expiry.is_(None), StockBalance.expiry, StockBalance.lot, StockBalance.id)


def post_move(*, kind: MoveKind, item: Item, qty: int, src: Location, dst: Location, actor: Actor,
              lot: str | None = None, expiry: date | None = None, serial: str | None = None,
              reason: str | None = None, ref_type: str | None = None, ref_id: int | None = None,
              use_reserved: bool = False, reverses: StockMove | None = None,
              exact_lot: bool = False) -> list[StockMove]:
    """Move qty units of item from src to dst; return the movements (one per lot taken).

    Without a lot, lots are taken first-expiry-first. Only available (unreserved) stock moves unless
    use_reserved (picking consumes its own reservation). With exact_lot, lot=None means the units
    without a lot, never other lots (a reversal takes back exactly what was moved). Nothing is committed here.
    """
    qty = _check_qty(qty)
    if src.id == dst.id:
        raise InvalidQuantity(_("From and to are the same location."), field="to",
                              expected="a location other than the source")
    lot = lot.strip() if lot else (NO_LOT if exact_lot else None)

    # 1. Read (without locks) which lots the source has, to know which destination rows we need.
    if src.is_virtual:
        candidates = {lot or NO_LOT: expiry}
    else:
        stmt = sa.select(StockBalance.id, StockBalance.lot, StockBalance.expiry).where(
            StockBalance.item_id == item.id, StockBalance.location_id == src.id, StockBalance.qty > 0)
        if lot is not None:
            stmt = stmt.where(StockBalance.lot == lot)
        candidates = {row.lot: row.expiry for row in db.session.execute(stmt)}
    if not dst.is_virtual:
        _check_mixing(item, dst)
        _ensure_balances(item.id, dst.id, candidates)

    # 2. Lock every row this write touches, in id order, so two writers never wait on each other in a cycle.
    location_ids = [loc.id for loc in (src, dst) if not loc.is_virtual]
    wanted = set(db.session.scalars(sa.select(StockBalance.id).where(
        StockBalance.item_id == item.id, StockBalance.location_id.in_(location_ids),
        StockBalance.lot.in_(list(candidates)))))
    locked = _lock(wanted)

    # 3. Decide which lots to take, from the locked (current) values.
    if src.is_virtual:
        parts = [(None, lot or NO_LOT, expiry, qty)]
    else:
        source_rows = sorted((r for r in locked.values() if r.location_id == src.id),
                             key=lambda r: (r.expiry is None, r.expiry or date.max, r.lot, r.id))
        free = sum(r.qty - (0 if use_reserved else r.reserved) for r in source_rows)
        if free < qty:
            raise InsufficientStock(
                _("%(loc)s has %(n)d of %(sku)s available%(lot)s; you asked for %(qty)d.", loc=src.code, n=free,
                  sku=item.sku, qty=qty, lot=_(" in lot %(lot)s", lot=lot) if lot else ""),
                field="qty", expected=f"at most {free}")
        parts, left = [], qty
        for row in source_rows:
            take = min(left, row.qty - (0 if use_reserved else row.reserved))
            if take > 0:
                parts.append((row, row.lot, row.expiry, take))
                left -= take
            if left == 0:
                break

    # 4. Apply: balances and movement rows together.
    moves = []
    for row, part_lot, part_expiry, n in parts:
        if row is not None:
            row.qty -= n
            if use_reserved:
                row.reserved = max(0, row.reserved - n)
        if not dst.is_virtual:
            target = next(r for r in locked.values() if r.location_id == dst.id and r.lot == part_lot)
            target.qty += n
            if target.expiry is None:
                target.expiry = part_expiry
        move = StockMove(kind=kind, item_id=item.id, qty=n, src_id=src.id, dst_id=dst.id, lot=part_lot,
                         expiry=part_expiry, serial=serial, reason=reason, ref_type=ref_type, ref_id=ref_id,
                         reverses_id=reverses.id if reverses else None, user_id=actor.user_id,
                         device_id=actor.device_id, scanned_at=actor.scanned_at)
        db.session.add(move)
        moves.append(move)
    db.session.flush()
    return moves


def _check_mixing(item: Item, dst: Location) -> None:
    if dst.mixed_items_allowed:
        return
    other = db.session.scalar(sa.select(StockBalance.item_id).where(
        StockBalance.location_id == dst.id, StockBalance.item_id != item.id, StockBalance.qty > 0).limit(1))
    if other is not None:
        raise MixedItemsNotAllowed(_("%(loc)s holds another item and takes one item only.", loc=dst.code),
                                   field="to")


def reverse_move(move: StockMove, *, actor: Actor, reason: str | None = None) -> list[StockMove]:
    """Correct a wrong movement with its mirror image, linked to it; the original is never edited."""
    if db.session.scalar(sa.select(StockMove.id).where(StockMove.reverses_id == move.id)):
        raise AlreadyReversed(_("Movement %(id)d was reversed already.", id=move.id))
    item = db.session.get(Item, move.item_id)
    src, dst = db.session.get(Location, move.dst_id), db.session.get(Location, move.src_id)
    return post_move(kind=move.kind, item=item, qty=move.qty, src=src, dst=dst, lot=move.lot, exact_lot=True,
                     expiry=move.expiry, serial=move.serial, reason=reason or "correction", ref_type="reversal",
                     ref_id=move.id, actor=actor, reverses=move)


def move_container(container: Location, *, to: Location, actor: Actor) -> ContainerMove:
    """Move a tote, cart, pallet or license plate with all it holds: re-parent it, log it."""
    if not container.is_container:
        raise NotPhysical(_("%(code)s is not a tote, cart, pallet or carton.", code=container.code),
                          field="container")
    if to.is_virtual:
        raise NotPhysical(_("%(code)s is not a place on the floor.", code=to.code), field="to")
    # Lock the container row: two people moving the same pallet at once must not both win silently.
    db.session.execute(sa.select(Location.id).where(Location.id == container.id).with_for_update())
    walker = to
    while walker is not None:
        if walker.id == container.id:
            raise ContainerCycle(_("%(c)s cannot be put inside %(to)s.", c=container.code, to=to.code), field="to")
        walker = walker.parent
    log = ContainerMove(container_id=container.id, from_parent_id=container.parent_id, to_parent_id=to.id,
                        user_id=actor.user_id, device_id=actor.device_id)
    container.parent = to
    db.session.add(log)
    db.session.flush()
    return log


def require_physical(loc: Location, field: str) -> Location:
    if loc.is_virtual:
        raise NotPhysical(_("%(code)s is not a stock location.", code=loc.code), field=field,
                          expected="a bin, dock, staging location or container")
    return loc

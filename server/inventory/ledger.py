"""THE LEDGER: the only writer of stock balances (DESIGN decision 4, STYLE §2).

Every change of stock is one or more immutable StockMove rows plus the matching balance updates, in
the caller's transaction. Balances exist for physical locations only; the outside world (SUPPLIER,
CUSTOMER, ADJUSTMENT, SCRAP) is virtual. Concurrency recipe (DESIGN decision 4): missing balance rows
are created with INSERT … ON CONFLICT DO NOTHING, then every row a write touches is locked in id order
with SELECT … FOR UPDATE (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from ..catalog.models import Item
from ..db import claim_write_lock
from ..extensions import db
from .codes import MAX_QTY, MoveKind, ReasonCode, VirtualLocation, reasons_for, reversal_reasons
from .errors import (AlreadyReversed, ContainerCycle, InsufficientStock, InvalidQuantity, InvalidReason,
                     LocationBlocked, LotRequired, MixedItemsNotAllowed, NotPhysical)
from .ledger_models import NO_LOT, ContainerMove, StockBalance, StockMove
from .locations import create_location
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
        loc = create_location(name.value, kind="virtual", pickable=False)
    return loc


def _check_qty(qty) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise InvalidQuantity(_("The quantity must be a whole number above zero."), field="qty",
                              expected="a positive whole number")
    if qty > MAX_QTY:  # every writer, CSV imports included: the API schemas say the same
        raise InvalidQuantity(_("At most %(max)d units at a time.", max=MAX_QTY), field="qty",
                              expected=f"at most {MAX_QTY}")
    return qty


# --- the rules every writer goes through ---------------------------------------------------------------

# Kinds that change stock where it lies (a supervisor's adjustment, a count): allowed in a blocked location.
IN_PLACE_KINDS = frozenset({MoveKind.ADJUST, MoveKind.COUNT})


def first_expiry_first(balance: StockBalance) -> tuple:
    """THE order lots leave a location in: earliest expiry first, lots without expiry last, then by lot."""
    return (balance.expiry is None, balance.expiry or date.max, balance.lot, balance.id)


def first_to_expire(balances, *, movable=lambda b: b.qty - b.reserved) -> StockBalance | None:
    """The balance (of one item in one place) to take first: first-expiry-first among those with stock to
    take, if it has an expiry at all (undated lots have no "first to expire")."""
    first = min((b for b in balances if movable(b) > 0), key=first_expiry_first, default=None)
    return first if first is not None and first.expiry is not None else None


def lot_out(lot: str) -> str | None:
    """A balance's or movement's lot as the API shows it: null for the units without a lot."""
    return lot if lot != NO_LOT else None


def require_open(loc: Location, *, field: str = "to") -> Location:
    """Refuse stock arriving in a blocked location, or in a container standing in one (quarantine, hold)."""
    held = loc
    while held is not None and not held.blocked:
        held = held.parent
    if held is not None:
        detail = (_("%(code)s is blocked: nothing may be put into it. Choose another location.", code=loc.code)
                  if held is loc else
                  _("%(code)s stands in %(held)s, which is blocked: nothing may be put into it.",
                    code=loc.code, held=held.code))
        raise LocationBlocked(detail, field=field, expected="a location that is not blocked")
    return loc


def check_reason(kind: MoveKind, reason: str | None, *, reversing: StockMove | None = None) -> None:
    """A reason must be one of the codes allowed for the movement's kind (or for reversing its kind)."""
    allowed = reversal_reasons(reversing.kind) if reversing is not None else reasons_for(kind)
    if reason is None:
        if kind == MoveKind.ADJUST:
            raise InvalidReason(_("An adjustment needs a reason."), field="reason", expected=", ".join(allowed))
        return
    if reason in allowed:
        return
    if not allowed:
        raise InvalidReason(_("This movement takes no reason."), field="reason", expected="no reason")
    raise InvalidReason(_("“%(reason)s” is not a reason allowed here. Choose one of: %(labels)s.", reason=reason,
                          labels=", ".join(str(r.label) for r in allowed)),
                        field="reason", expected=", ".join(allowed))


def _check_mixing(item: Item, dst: Location) -> None:
    if dst.mixed_items_allowed:
        return
    other = db.session.scalar(sa.select(StockBalance.item_id).where(
        StockBalance.location_id == dst.id, StockBalance.item_id != item.id, StockBalance.qty > 0).limit(1))
    if other is not None:
        raise MixedItemsNotAllowed(_("%(loc)s holds another item and takes one item only.", loc=dst.code),
                                   field="to")


def _choose_lots(rows: list[StockBalance], *, src: Location, item: Item, lot: str | None, fefo: bool,
                 movable) -> list[StockBalance]:
    """The source rows a write may take from, first-expiry-first.

    A lot named (or NO_LOT) was filtered already. Without one, a location holding one lot with stock gives
    it; holding several, the worker must say which (lot_required, listing them) unless the caller asked
    for first-expiry-first.
    """
    rows = sorted(rows, key=first_expiry_first)
    with_stock = [r for r in rows if movable(r) > 0]
    if lot is not None or fefo or len(with_stock) <= 1:
        return rows
    first = first_to_expire(with_stock, movable=movable)
    raise LotRequired(
        _("%(loc)s holds %(n)d lots of %(sku)s. Scan or choose the lot you take.", loc=src.code,
          n=len(with_stock), sku=item.sku),
        field="lot", expected="one of the lots listed",
        lots=[{"lot": lot_out(r.lot), "expiry": r.expiry.isoformat() if r.expiry else None, "qty": r.qty,
               "available": movable(r), "first_expiry": r is first}
              for r in with_stock])


# --- balance rows: create what is missing, then lock in id order (DESIGN decision 4) ------------------

def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


BALANCE_COLUMNS = ("item_id", "location_id", "lot", "expiry", "qty", "reserved", "updated_at")


def _ensure_balances(item_id: int, location_id: int, lots: dict[str, date | None]) -> None:
    """Create missing balance rows (qty 0) without racing a concurrent writer doing the same."""
    stmt = _insert(StockBalance.__table__).values([
        {"item_id": item_id, "location_id": location_id, "lot": lot, "expiry": expiry, "qty": 0, "reserved": 0,
         "updated_at": sa.func.now()}
        for lot, expiry in sorted(lots.items())
    ]).on_conflict_do_nothing(index_elements=["item_id", "location_id", "lot"])
    db.session.execute(stmt)


@functools.cache
def _bin_to_bin_statements(dialect: str, with_lot: bool):
    """The two statements of a write between physical locations, built once with bound parameters.

    Building these statements cost more than running them (≈3 ms a move); the values travel as
    parameters: item_id, src_id, dst_id and, with_lot, lot.
    1. INSERT … SELECT: a destination row (qty 0) for each lot the source holds, copying its expiry.
    2. SELECT … FOR UPDATE of the source rows with stock and their destination rows, in id order.
    """
    src_row = aliased(StockBalance)
    source = sa.select(src_row).where(src_row.item_id == sa.bindparam("item_id"),
                                      src_row.location_id == sa.bindparam("src_id"), src_row.qty > 0)
    if with_lot:
        source = source.where(src_row.lot == sa.bindparam("lot"))
    columns = source.with_only_columns(src_row.item_id, sa.bindparam("dst_id", type_=sa.Integer), src_row.lot,
                                       src_row.expiry, sa.literal(0, sa.Integer), sa.literal(0, sa.Integer),
                                       sa.func.now())
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(StockBalance.__table__)
    ensure = insert.from_select(BALANCE_COLUMNS, columns).on_conflict_do_nothing(
        index_elements=["item_id", "location_id", "lot"])
    mine = StockBalance.item_id == sa.bindparam("item_id")
    at_source = sa.and_(mine, StockBalance.location_id == sa.bindparam("src_id"), StockBalance.qty > 0,
                        StockBalance.lot == sa.bindparam("lot") if with_lot else sa.true())
    at_target = sa.and_(mine, StockBalance.location_id == sa.bindparam("dst_id"),
                        StockBalance.lot.in_(source.with_only_columns(src_row.lot)))
    lock = (sa.select(StockBalance).where(sa.or_(at_source, at_target)).order_by(StockBalance.id)
            .with_for_update().execution_options(populate_existing=True))
    return ensure, lock


def _lock(*conditions) -> list[StockBalance]:
    """SELECT … FOR UPDATE the rows matching any condition, in id order (current values, not cached ones)."""
    return list(db.session.scalars(
        sa.select(StockBalance).where(sa.or_(*conditions)).order_by(StockBalance.id)
        .with_for_update().execution_options(populate_existing=True)))


def _lock_for_move(item: Item, src: Location, dst: Location, lot: str | None, expiry: date | None
                   ) -> list[StockBalance]:
    """Create the destination rows this write may need, then lock them and the source rows together."""
    mine = StockBalance.item_id == item.id
    if src.is_virtual and dst.is_virtual:  # outside to outside (a return scrapped on arrival): no balances
        return []
    if src.is_virtual:  # stock arriving from outside: one destination row
        _ensure_balances(item.id, dst.id, {lot or NO_LOT: expiry})
        return _lock(sa.and_(mine, StockBalance.location_id == dst.id, StockBalance.lot == (lot or NO_LOT)))
    if dst.is_virtual:  # stock leaving for the outside: the source rows only
        return _lock(sa.and_(mine, StockBalance.location_id == src.id, StockBalance.qty > 0,
                             StockBalance.lot == lot if lot is not None else sa.true()))
    ensure, lock = _bin_to_bin_statements(db.session.get_bind().dialect.name, lot is not None)
    params = {"item_id": item.id, "src_id": src.id, "dst_id": dst.id, "lot": lot}
    db.session.execute(ensure, params)
    return list(db.session.scalars(lock, params))


def _target_row(locked: list[StockBalance], item: Item, dst: Location, lot: str, expiry: date | None
                ) -> StockBalance:
    found = next((r for r in locked if r.location_id == dst.id and r.lot == lot), None)
    if found is None:  # a lot that reached the source after our INSERT (PostgreSQL, read committed): add it
        _ensure_balances(item.id, dst.id, {lot: expiry})
        found = _lock(sa.and_(StockBalance.item_id == item.id, StockBalance.location_id == dst.id,
                              StockBalance.lot == lot))[0]
        locked.append(found)
    return found


# --- the one writer -------------------------------------------------------------------------------------

def post_move(*, kind: MoveKind, item: Item, qty: int, src: Location, dst: Location, actor: Actor,
              lot: str | None = None, expiry: date | None = None, serial: str | None = None,
              reason: str | None = None, ref_type: str | None = None, ref_id: int | None = None,
              use_reserved: bool = False, reverses: StockMove | None = None, fefo: bool = False,
              into_blocked: bool = False) -> list[StockMove]:
    """Move qty units of item from src to dst; return the movements (one per lot taken).

    lot names a lot, or is NO_LOT for the units without one, or None: then a source holding one lot with
    stock gives it, and one holding several refuses (lot_required) unless fefo asks for first-expiry-first.
    Only available (unreserved) stock moves unless use_reserved (picking consumes its own reservation).
    into_blocked: the units go into a blocked location on purpose (a returned unit put in quarantine).
    Nothing is committed here.
    """
    # Every check that needs no lock comes before the first write statement.
    qty = _check_qty(qty)
    if src.id == dst.id:
        raise InvalidQuantity(_("From and to are the same location."), field="to",
                              expected="a location other than the source")
    check_reason(kind, reason, reversing=reverses)
    lot = lot.strip() if lot is not None else None
    claim_write_lock(db.session)  # from here on, what we read about balances stays true until the commit
    if not dst.is_virtual:
        if kind not in IN_PLACE_KINDS and reverses is None and not into_blocked:
            require_open(dst)
        _check_mixing(item, dst)

    locked = _lock_for_move(item, src, dst, lot, expiry)

    if src.is_virtual:
        parts = [(None, lot or NO_LOT, expiry, qty)]
    else:
        def movable(r: StockBalance) -> int:
            return r.qty - (0 if use_reserved else r.reserved)

        source_rows = _choose_lots([r for r in locked if r.location_id == src.id and r.qty > 0], src=src,
                                   item=item, lot=lot, fefo=fefo, movable=movable)
        free = sum(movable(r) for r in source_rows)
        if free < qty:
            raise InsufficientStock(
                _("%(loc)s has %(n)d of %(sku)s available%(lot)s; you asked for %(qty)d.", loc=src.code, n=free,
                  sku=item.sku, qty=qty, lot=_(" in lot %(lot)s", lot=lot) if lot else
                  _(" without a lot") if lot == NO_LOT and item.tracks_lot else ""),
                field="qty", expected=f"at most {free}")
        parts, left = [], qty
        for row in source_rows:
            take = min(left, movable(row))
            if take > 0:
                parts.append((row, row.lot, row.expiry, take))
                left -= take
            if left == 0:
                break

    moves = []
    for row, part_lot, part_expiry, n in parts:
        if row is not None:
            row.qty -= n
            if use_reserved:
                row.reserved = max(0, row.reserved - n)
        if not dst.is_virtual:
            target = _target_row(locked, item, dst, part_lot, part_expiry)
            target.qty += n
            if target.expiry is None and part_expiry is not None:
                target.expiry = part_expiry
        # The related objects are set, not only their ids, so the answer is built without reading them again.
        move = StockMove(kind=kind, item=item, qty=n, src=src, dst=dst, lot=part_lot, expiry=part_expiry,
                         serial=serial, reason=reason, ref_type=ref_type, ref_id=ref_id,
                         reverses_id=reverses.id if reverses else None, user_id=actor.user_id,
                         device_id=actor.device_id, scanned_at=actor.scanned_at)
        db.session.add(move)
        moves.append(move)
    db.session.flush()
    return moves


def reverse_move(move: StockMove, *, actor: Actor, reason: str | None = None) -> list[StockMove]:
    """Correct a wrong movement with its mirror image, linked to it; the original is never edited."""
    if db.session.scalar(sa.select(StockMove.id).where(StockMove.reverses_id == move.id)):
        raise AlreadyReversed(_("Movement %(id)d was reversed already.", id=move.id))
    # Exactly the lot that moved (NO_LOT included): a reversal never takes other lots.
    return post_move(kind=move.kind, item=move.item, qty=move.qty, src=move.dst, dst=move.src, lot=move.lot,
                     expiry=move.expiry, serial=move.serial, reason=reason or ReasonCode.CORRECTION,
                     ref_type="reversal", ref_id=move.id, actor=actor, reverses=move)


def move_container(container: Location, *, to: Location, actor: Actor) -> ContainerMove:
    """Move a tote, cart, pallet or license plate with all it holds: re-parent it, log it."""
    if not container.is_container:
        raise NotPhysical(_("%(code)s is not a tote, cart, pallet or carton.", code=container.code),
                          field="container")
    if to.is_virtual:
        raise NotPhysical(_("%(code)s is not a place on the floor.", code=to.code), field="to")
    claim_write_lock(db.session)
    walker = to
    while walker is not None:
        if walker.id == container.id:
            raise ContainerCycle(_("%(c)s cannot be put inside %(to)s.", c=container.code, to=to.code), field="to")
        walker = walker.parent
    require_open(to)
    # Lock the container row: two people moving the same pallet at once must not both win silently.
    db.session.execute(sa.select(Location.id).where(Location.id == container.id).with_for_update())
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

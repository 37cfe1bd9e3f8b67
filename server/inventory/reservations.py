"""Reservations: units of a balance row promised to an order line (DESIGN decision 5). THE stock rule for promises.

available = qty - reserved on every balance row, and balance.reserved is always the sum of the row's
reservations, kept so in the same transaction as every change. Order lines are named by id only: the
inventory knows nothing of orders or picking (tests/test_import_graph.py).

Where a reservation may come from (a "source"): a bin, shelf or pallet position that is pickable, active and
not blocked (nor standing in something blocked). Docks, staging, pack stations and containers (totes on a
cart, pallets, cartons) never are: stock there is "where stock might be" (stock_elsewhere), not stock to pick.

Concurrency: the recipe of post_move (ledger.py). claim_write_lock first, then every balance row a write
touches is locked in id order with SELECT … FOR UPDATE (PostgreSQL; SQLite has one writer at a time), and
reservations are read again after their balance row is locked: a reservation only changes under its
balance row's lock, so what is read then stays true until the commit.

The actor arguments are for the callers' records: a reservation names no user (the order's history says who
allocated, the PICK movement who picked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..catalog.models import Item
from ..db import claim_write_lock
from ..extensions import db
from .codes import CONTAINER_KINDS, LocationKind, MoveKind
from .errors import InsufficientStock, InvalidQuantity, NotPhysical
from .ledger import Actor, _check_qty, _ensure_balances, _lock, post_move
from .ledger_models import Reservation, StockBalance, StockMove
from .locations import walking_order
from .models import Location

# The kinds of location stock is picked from; everything else physical only holds stock on its way.
SOURCE_KINDS = frozenset({LocationKind.BIN, LocationKind.SHELF, LocationKind.PALLET_POSITION})
_CHUNK = 5000  # ids per IN list: SQLite and psycopg cap the parameters of one statement


def is_source(loc=Location, parent=None):
    """SQL condition: loc (Location or an alias) is a place reservations may take stock from.

    parent: an outer-joined alias of loc's parent; a bin standing in a blocked location is blocked too.
    """
    condition = sa.and_(loc.kind.in_(sorted(SOURCE_KINDS)), loc.pickable, loc.active, sa.not_(loc.blocked))
    if parent is not None:
        condition = sa.and_(condition, sa.or_(parent.id.is_(None), sa.not_(parent.blocked)))
    return condition


@dataclass
class _Source:
    """A locked balance row at a source location, with the location's place in the walking order."""

    balance: StockBalance
    location_id: int
    walk: tuple

    @property
    def free(self) -> int:
        return self.balance.qty - self.balance.reserved


def _lock_sources(item_ids: Iterable[int]) -> dict[int, list[_Source]]:
    """Lock (id order) the balance rows of these items with unreserved units in source locations."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    parent = aliased(Location)
    stmt = (sa.select(StockBalance, Location.id, Location.pick_sequence, Location.code_key)
            .join(Location, StockBalance.location_id == Location.id)
            .outerjoin(parent, Location.parent_id == parent.id)
            .where(StockBalance.item_id.in_(ids), StockBalance.qty > StockBalance.reserved, is_source(Location, parent))
            .order_by(StockBalance.id)
            .with_for_update(of=StockBalance)
            .execution_options(populate_existing=True))
    pools: dict[int, list[_Source]] = defaultdict(list)
    for balance, loc_id, seq, key in db.session.execute(stmt):
        pools[balance.item_id].append(_Source(balance, loc_id, (seq is None, seq or 0, key)))
    return pools


def _choose(pool: list[_Source], qty: int, exclude: frozenset[int]) -> list[tuple[_Source, int]]:
    """Which rows to take qty units from: first-expiry-first, then the row covering the most of what is
    left (fewest stops), then walking order. Never more than a row's free units."""
    plan, left = [], qty
    candidates = [s for s in pool if s.location_id not in exclude and s.free > 0]
    while left > 0 and candidates:
        best = min(candidates, key=lambda s: (s.balance.expiry is None, s.balance.expiry or date.max,
                                              -min(s.free, left), s.walk, s.balance.id))
        take = min(best.free, left)
        plan.append((best, take))
        left -= take
        candidates.remove(best)
    return plan


@dataclass(frozen=True)
class Request:
    """Reserve up to qty units of item_id for order_line_id, not from the excluded locations."""

    order_line_id: int
    item_id: int
    qty: int
    exclude_location_ids: frozenset[int] = frozenset()


def reserve_many(requests: Sequence[Request], *, actor: Actor | None) -> dict[int, list[Reservation]]:
    """Serve the requests in the order given (the caller's priority), each up to the units available then.

    One lock of every candidate row for all the items at once, so allocating a thousand orders is a handful
    of statements. Returns the reservations made or topped up, by order line id (missing: nothing).
    """
    requests = [r for r in requests if r.qty > 0]
    if not requests:
        return {}
    claim_write_lock(db.session)
    pools = _lock_sources(r.item_id for r in requests)
    taken: list[tuple[int, _Source, int]] = []
    for req in requests:
        for source, n in _choose(pools.get(req.item_id, []), req.qty, req.exclude_location_ids):
            source.balance.reserved += n
            taken.append((req.order_line_id, source, n))
    if not taken:
        return {}
    # One row per (line, balance): top up a reservation the line holds there already.
    lines = {line_id for line_id, _source, _n in taken}
    existing = {(r.order_line_id, r.balance_id): r for r in db.session.scalars(
        sa.select(Reservation).where(Reservation.balance_id.in_(sorted({t[1].balance.id for t in taken})))
        .execution_options(populate_existing=True)) if r.order_line_id in lines}
    made: dict[int, list[Reservation]] = defaultdict(list)
    for line_id, source, n in taken:
        reservation = existing.get((line_id, source.balance.id))
        if reservation is None:
            reservation = existing[(line_id, source.balance.id)] = Reservation(
                order_line_id=line_id, balance_id=source.balance.id, qty=0)
            db.session.add(reservation)
        reservation.qty += n
        if reservation not in made[line_id]:
            made[line_id].append(reservation)
    db.session.flush()
    return dict(made)


def reserve(*, order_line_id: int, item: Item | int, qty: int, exclude_location_ids: Iterable[int] = (),
            actor: Actor | None) -> list[Reservation]:
    """Reserve up to qty available units of item for the order line from source locations (see the module's
    docstring), never more than is available; → what was reserved (maybe less than qty, maybe nothing)."""
    item_id = item if isinstance(item, int) else item.id
    request = Request(order_line_id, item_id, qty, frozenset(exclude_location_ids))
    return reserve_many([request], actor=actor).get(order_line_id, [])


# --- changing reservations: always under the lock of their balance rows --------------------------------

def _lock_balances(balance_ids: Iterable[int]) -> dict[int, StockBalance]:
    ids = sorted(set(balance_ids))
    return {b.id: b for b in _lock(StockBalance.id.in_(ids))} if ids else {}


def _reload(known: Iterable[tuple[int, int, int]]) -> list[Reservation]:
    """The reservations known as (id, balance id, order line id), as they are now that their balance rows are
    locked; one gone meanwhile is left out. The id alone is not enough: SQLite hands a deleted row's id to the
    next reservation made (a picked one re-created in the tote), and that one is not the one meant."""
    meant = {res_id: (balance_id, line_id) for res_id, balance_id, line_id in known}
    if not meant:
        return []
    rows = db.session.scalars(sa.select(Reservation).where(Reservation.id.in_(sorted(meant)))
                              .order_by(Reservation.id).execution_options(populate_existing=True))
    return [r for r in rows if meant[r.id] == (r.balance_id, r.order_line_id)]


def _known(reservation: Reservation) -> tuple[int, int, int]:
    return reservation.id, reservation.balance_id, reservation.order_line_id


def _take_off(reservation: Reservation, balance: StockBalance, n: int) -> None:
    """Release n units of the reservation; a reservation reaching 0 is deleted."""
    reservation.qty -= n
    balance.reserved -= n
    if reservation.qty == 0:
        db.session.delete(reservation)


def release(reservations: Iterable[Reservation] | None = None, *, order_line_ids: Iterable[int] | None = None,
            actor: Actor | None) -> int:
    """Free these reservations, or every reservation of these order lines (in bins and in totes alike);
    → the units released."""
    claim_write_lock(db.session)
    if order_line_ids is not None:
        line_ids = sorted(set(order_line_ids))
        if not line_ids:
            return 0
        rows = db.session.execute(sa.select(Reservation.id, Reservation.balance_id, Reservation.order_line_id)
                                  .where(Reservation.order_line_id.in_(line_ids))).all()
    else:
        rows = [_known(r) for r in reservations or ()]
    balances = _lock_balances(balance_id for _id, balance_id, _line in rows)
    released = 0
    for reservation in _reload(rows):
        released += reservation.qty
        _take_off(reservation, balances[reservation.balance_id], reservation.qty)
    db.session.flush()
    return released


def shrink(reservation: Reservation, *, to_qty: int, actor: Actor | None) -> int:
    """Cut a reservation down to to_qty units (0 deletes it), e.g. a short pick found fewer units in the bin;
    → the units released (0 if it held no more than to_qty)."""
    if isinstance(to_qty, bool) or not isinstance(to_qty, int) or to_qty < 0:
        raise InvalidQuantity(_("The quantity must be a whole number, zero or more."), field="qty",
                              expected="a whole number ≥ 0")
    claim_write_lock(db.session)
    known = _known(reservation)
    balance = _lock_balances([reservation.balance_id])[reservation.balance_id]
    current = _reload([known])
    if not current or current[0].qty <= to_qty:
        return 0
    released = current[0].qty - to_qty
    _take_off(current[0], balance, released)
    db.session.flush()
    return released


def pick_reserved(reservation: Reservation, *, qty: int, to: Location, actor: Actor,
                  scanned_at: datetime | None = None, ref_type: str = "pick_task", ref_id: int | None = None
                  ) -> list[StockMove]:
    """Pick qty reserved units into `to` (a tote): a PICK movement through the ledger, and the promise goes
    along: the units stay reserved for the same order line on the tote's balance row (packing consumes
    them there), so they are never available twice.

    The reservation passed keeps what is left in the bin (deleted at 0). If fewer than qty units are still
    reserved in it (another device picked them, or a short pick shrank it), nothing moves:
    InsufficientStock (409 insufficient_stock).
    """
    qty = _check_qty(qty)
    if to.is_virtual:
        raise NotPhysical(_("%(code)s is not a place on the floor.", code=to.code), field="to",
                          expected="a tote or another physical location")
    known = _known(reservation)
    claim_write_lock(db.session)
    source = db.session.get(StockBalance, reservation.balance_id)
    if source is None or source.location_id == to.id:
        raise InvalidQuantity(_("From and to are the same location."), field="to",
                              expected="a location other than the source")
    # Lock the bin's row and the tote's row together, in id order, before anything reads the reservation.
    _ensure_balances(source.item_id, to.id, {source.lot: source.expiry})
    locked = {b.location_id: b for b in _lock(
        sa.and_(StockBalance.id == source.id),
        sa.and_(StockBalance.item_id == source.item_id, StockBalance.location_id == to.id,
                StockBalance.lot == source.lot))}
    current = _reload([known])
    held = current[0].qty if current else 0
    if held < qty:
        bin_code = db.session.get(Location, source.location_id).code
        raise InsufficientStock(
            _("Only %(n)d of these units are still reserved for this pick in %(loc)s; you asked for %(qty)d.",
              n=held, loc=bin_code, qty=qty), field="qty", expected=f"at most {held}")
    item, src = db.session.get(Item, source.item_id), db.session.get(Location, source.location_id)
    when = scanned_at or actor.scanned_at
    moves = post_move(kind=MoveKind.PICK, item=item, qty=qty, src=src, dst=to, lot=source.lot,
                      actor=Actor(actor.user_id, actor.device_id, when), ref_type=ref_type, ref_id=ref_id,
                      use_reserved=True)
    # post_move took qty off the bin row's reserved; the reservation follows the units.
    bin_reservation = current[0]
    bin_reservation.qty -= qty
    if bin_reservation.qty == 0:
        db.session.delete(bin_reservation)
    tote_row = locked[to.id]
    tote_row.reserved += qty
    in_tote = db.session.scalar(sa.select(Reservation).where(
        Reservation.order_line_id == bin_reservation.order_line_id, Reservation.balance_id == tote_row.id))
    if in_tote is None:
        in_tote = Reservation(order_line_id=bin_reservation.order_line_id, balance_id=tote_row.id, qty=0)
        db.session.add(in_tote)
    in_tote.qty += qty
    db.session.flush()
    return moves


def pack_reserved(reservation: Reservation, *, qty: int, to: Location, actor: Actor, ref_type: str = "package",
                  ref_id: int | None = None) -> list[StockMove]:
    """Pack qty units a reservation holds in a tote into `to` (a package's carton): a PACK movement through
    the ledger that consumes the promise. The units in the carton are the order's by the package itself, so
    nothing stays reserved for them; the reservation passed keeps what is left in the tote (deleted at 0).

    If fewer than qty units are still reserved in it (packed meanwhile by another station), nothing moves:
    InsufficientStock (409 insufficient_stock).
    """
    qty = _check_qty(qty)
    if not to.is_container:
        raise NotPhysical(_("%(code)s is not a carton.", code=to.code), field="to", expected="a carton")
    known = _known(reservation)
    claim_write_lock(db.session)
    source = _lock_balances([reservation.balance_id]).get(reservation.balance_id)
    current = _reload([known])
    held = current[0].qty if current else 0
    if source is None or held < qty:
        where = db.session.get(Location, source.location_id).code if source is not None else "?"
        raise InsufficientStock(
            _("Only %(n)d of these units are still waiting to be packed in %(loc)s; you asked for %(qty)d.",
              n=held, loc=where, qty=qty), field="qty", expected=f"at most {held}")
    item, src = db.session.get(Item, source.item_id), db.session.get(Location, source.location_id)
    moves = post_move(kind=MoveKind.PACK, item=item, qty=qty, src=src, dst=to, lot=source.lot, actor=actor,
                      ref_type=ref_type, ref_id=ref_id, use_reserved=True)
    # post_move took qty off the tote row's reserved: the reservation shrinks by as much.
    current[0].qty -= qty
    if current[0].qty == 0:
        db.session.delete(current[0])
    db.session.flush()
    return moves


def unpack_reserved(*, order_line_id: int, item: Item, lot: str, qty: int, src: Location, to: Location,
                    actor: Actor, ref_type: str = "package", ref_id: int | None = None) -> list[StockMove]:
    """Undo packing: qty units of a carton go back into `to` (the order's tote) and are promised to the order
    line there again, as picking left them (the reservation is re-made or topped up on the tote's row)."""
    qty = _check_qty(qty)
    claim_write_lock(db.session)
    moves = post_move(kind=MoveKind.MOVE, item=item, qty=qty, src=src, dst=to, lot=lot, actor=actor,
                      ref_type=ref_type, ref_id=ref_id)
    (row,) = _lock(sa.and_(StockBalance.item_id == item.id, StockBalance.location_id == to.id,
                           StockBalance.lot == lot))
    row.reserved += qty
    held = db.session.scalar(sa.select(Reservation).where(Reservation.order_line_id == order_line_id,
                                                          Reservation.balance_id == row.id))
    if held is None:
        held = Reservation(order_line_id=order_line_id, balance_id=row.id, qty=0)
        db.session.add(held)
    held.qty += qty
    db.session.flush()
    return moves


# --- reading ---------------------------------------------------------------------------------------------

def reservations_of(order_line_ids: Iterable[int]) -> list[Reservation]:
    """The reservations of these order lines (in bins and in totes), by line, then oldest first."""
    ids = sorted(set(order_line_ids))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Reservation).where(Reservation.order_line_id.in_(ids))
                                   .order_by(Reservation.order_line_id, Reservation.id)))


def reserved_by_line(order_line_ids: Iterable[int] | sa.Select, *, picked: bool | None = None) -> dict[int, int]:
    """Units reserved per order line (lines without any are missing). order_line_ids: ids, or a SELECT of them
    (a thousand orders' lines as bound parameters cost more to send than the query to run). picked: True only
    units already in containers (totes), False only those still in their locations, None both."""
    stmt = (sa.select(Reservation.order_line_id, sa.func.sum(Reservation.qty))
            .group_by(Reservation.order_line_id))
    if picked is not None:
        in_container = Location.kind.in_(sorted(CONTAINER_KINDS))
        stmt = (stmt.join(StockBalance, Reservation.balance_id == StockBalance.id)
                .join(Location, StockBalance.location_id == Location.id)
                .where(in_container if picked else sa.not_(in_container)))
    if isinstance(order_line_ids, sa.Select):
        return {line_id: int(total) for line_id, total in
                db.session.execute(stmt.where(Reservation.order_line_id.in_(order_line_ids)))}
    ids = sorted(set(order_line_ids))
    stmt = stmt.where(Reservation.order_line_id.in_(sa.bindparam("ids", expanding=True)))
    totals: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):  # a backlog of many thousand lines stays within bind limits
        totals.update((line_id, int(total)) for line_id, total in
                      db.session.execute(stmt, {"ids": ids[start:start + _CHUNK]}))
    return totals


def in_containers(reservations: Iterable[Reservation]) -> set[int]:
    """Ids of those reservations whose units are in a container (picked into a tote), not in a location."""
    ids = sorted({r.id for r in reservations})
    if not ids:
        return set()
    return set(db.session.scalars(
        sa.select(Reservation.id).join(StockBalance, Reservation.balance_id == StockBalance.id)
        .join(Location, StockBalance.location_id == Location.id)
        .where(Reservation.id.in_(ids), Location.kind.in_(sorted(CONTAINER_KINDS)))))


def stock_elsewhere(item_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Where unreserved units of these items are that no reservation may take: docks and staging (receiving),
    containers, blocked, inactive or non-pickable locations; most units first.
    → {item_id: [{"location", "kind", "qty"}]}"""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    parent = aliased(Location)
    rows = db.session.execute(
        sa.select(StockBalance.item_id, Location.code, Location.kind,
                  sa.func.sum(StockBalance.qty - StockBalance.reserved).label("free"))
        .join(Location, StockBalance.location_id == Location.id)
        .outerjoin(parent, Location.parent_id == parent.id)
        .where(StockBalance.item_id.in_(ids), StockBalance.qty > StockBalance.reserved,
               Location.kind != LocationKind.VIRTUAL, sa.not_(is_source(Location, parent)))
        .group_by(StockBalance.item_id, Location.id)
        .order_by(StockBalance.item_id, sa.desc("free"), *walking_order()))
    out: dict[int, list[dict]] = defaultdict(list)
    for item_id, code, kind, free in rows:
        out[item_id].append({"location": code, "kind": LocationKind(kind).value, "qty": int(free)})
    return dict(out)

"""Read-side of the ledger: stock per item and per location, movement history, and verification."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..catalog.models import Item
from ..catalog.queries import item_matches
from ..errors import get_or_404
from ..extensions import db
from .codes import LocationKind, MoveKind
from .ledger import first_expiry_first, first_to_expire, lot_out
from .ledger_models import NO_LOT, Reservation, StockBalance, StockMove
from .locations import walking_order
from .models import Location, Zone


def stock_for_item(item: Item) -> dict:
    """On hand, reserved and available of one item, in total and per physical location and lot."""
    rows = db.session.execute(
        sa.select(StockBalance, Location.code).join(Location, StockBalance.location_id == Location.id)
        .where(StockBalance.item_id == item.id, StockBalance.qty > 0)
        .order_by(*walking_order(), StockBalance.lot)
    ).all()
    on_hand = sum(b.qty for b, _ in rows)
    reserved = sum(b.reserved for b, _ in rows)
    return {"item": item.sku, "name": item.name, "on_hand": on_hand, "reserved": reserved,
            "available": on_hand - reserved,
            "locations": [{"location": code, "qty": b.qty, "reserved": b.reserved, "lot": lot_out(b.lot),
                           "expiry": b.expiry.isoformat() if b.expiry else None} for b, code in rows]}


def stock_in_location(loc: Location) -> dict:
    """What one location holds, and which containers stand in it.

    Each item's lots come first-expiry-first, the one to take first marked (first_expiry), as the ledger
    would choose them.
    """
    rows = db.session.execute(
        sa.select(StockBalance, Item.sku, Item.name).join(Item, StockBalance.item_id == Item.id)
        .where(StockBalance.location_id == loc.id, StockBalance.qty > 0).order_by(Item.sku_key)
    ).all()
    by_item: dict[str, list] = {}
    for row in rows:
        by_item.setdefault(row.sku, []).append(row)
    firsts = {first.id for lines in by_item.values()
              if (first := first_to_expire([b for b, _sku, _name in lines])) is not None}
    children = db.session.scalars(sa.select(Location.code).where(Location.parent_id == loc.id,
                                                                 Location.active)).all()
    return {"location": loc.code, "kind": loc.kind.value, "parent": loc.parent.code if loc.parent else None,
            "containers": list(children),
            "items": [{"item": sku, "name": name, "qty": b.qty, "reserved": b.reserved,
                       "available": b.qty - b.reserved, "lot": lot_out(b.lot),
                       "expiry": b.expiry.isoformat() if b.expiry else None, "first_expiry": b.id in firsts}
                      for lines in by_item.values()
                      for b, sku, name in sorted(lines, key=lambda line: first_expiry_first(line[0]))]}


def movement_history(*, item_id: int | None = None, location_id: int | None = None, kind: str | None = None,
                     user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
                     limit: int = 100, offset: int = 0):
    """Movements newest first, filtered; returns (rows, total)."""
    stmt = sa.select(StockMove)
    if item_id:
        stmt = stmt.where(StockMove.item_id == item_id)
    if location_id:
        stmt = stmt.where(sa.or_(StockMove.src_id == location_id, StockMove.dst_id == location_id))
    if kind:
        stmt = stmt.where(StockMove.kind == kind)
    if user_id:
        stmt = stmt.where(StockMove.user_id == user_id)
    if since:
        stmt = stmt.where(StockMove.created_at >= since)
    if until:
        stmt = stmt.where(StockMove.created_at < until)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(StockMove.id.desc()).limit(limit).offset(offset)).all()
    return rows, total


def movement_out(m: StockMove, *, by: str | None = None) -> dict:
    """A movement as the API shows it; by: the user's name when the caller has it (a write just made)."""
    return {"id": m.id, "kind": m.kind.value, "item": m.item.sku, "qty": m.qty, "from": m.src.code,
            "to": m.dst.code, "lot": lot_out(m.lot), "expiry": m.expiry.isoformat() if m.expiry else None,
            "reason": m.reason, "ref_type": m.ref_type, "ref_id": m.ref_id, "reverses": m.reverses_id,
            "user": by if by is not None or m.user_id is None else m.user.username, "device": m.device_id,
            "scanned_at": m.scanned_at, "at": m.created_at}


def verify_ledger() -> list[dict]:
    """Recompute every physical balance from the ledger; return the differences (empty = ok).

    Runs as two grouped scans in the database, so a million movements take seconds, not minutes.
    """
    virtual_ids = set(db.session.scalars(sa.select(Location.id).where(Location.kind == LocationKind.VIRTUAL)))
    flows = sa.union_all(
        sa.select(StockMove.item_id.label("item_id"), StockMove.dst_id.label("loc"), StockMove.lot.label("lot"),
                  StockMove.qty.label("delta")),
        sa.select(StockMove.item_id, StockMove.src_id, StockMove.lot, -StockMove.qty),
    ).subquery()
    expected: dict[tuple, int] = defaultdict(int)
    for item_id, loc, lot, total in db.session.execute(
            sa.select(flows.c.item_id, flows.c.loc, flows.c.lot, sa.func.sum(flows.c.delta))
            .group_by(flows.c.item_id, flows.c.loc, flows.c.lot)):
        if loc not in virtual_ids:
            expected[(item_id, loc, lot)] = int(total)
    actual = {(b.item_id, b.location_id, b.lot): b.qty for b in db.session.execute(
        sa.select(StockBalance.item_id, StockBalance.location_id, StockBalance.lot, StockBalance.qty))}
    problems = []
    for key in sorted(set(expected) | set(actual)):
        want, have = expected.get(key, 0), actual.get(key, 0)
        if want != have:
            problems.append({"item_id": key[0], "location_id": key[1], "lot": key[2],
                             "ledger": want, "balance": have})
    # Promises: a row's reserved is the sum of its reservations, and no promise exceeds the units there.
    reserved = dict(db.session.execute(sa.select(Reservation.balance_id, sa.func.sum(Reservation.qty))
                                       .group_by(Reservation.balance_id)).all())
    for bid, item_id, loc, lot, qty, res in db.session.execute(sa.select(
            StockBalance.id, StockBalance.item_id, StockBalance.location_id, StockBalance.lot, StockBalance.qty,
            StockBalance.reserved)):
        promised = int(reserved.get(bid, 0))
        if promised != res or promised > qty:
            problems.append({"item_id": item_id, "location_id": loc, "lot": lot,
                             "reservations": promised, "reserved": res, "balance": qty})
    return problems


# --- Lists for the supervisor pages and their CSV exports ------------------------------------------
# Column selects, not ORM objects: a page shows one slice of a statement and its CSV export streams the
# whole of the same statement, so the two always agree. Lots read NULL where a balance has none.

def _lot_column(column):
    return sa.func.nullif(column, NO_LOT)


def count_locations() -> int:
    """Active physical locations (the outside world's virtual ones are not counted)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Location).where(
        Location.active, Location.kind != LocationKind.VIRTUAL)) or 0


def units_on_hand() -> int:
    """Units on the floor: balances exist for physical locations only."""
    # qty > 0 changes no sum; it lets the partial index ix_stock_balances_in_stock answer instead of every row.
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.qty), 0))
                             .where(StockBalance.qty > 0)) or 0


def count_movements_since(moment: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)
                             .where(StockMove.created_at >= moment)) or 0


def zone_codes() -> list[str]:
    return list(db.session.scalars(sa.select(Zone.code).distinct().order_by(Zone.code)))


def stock_by_item_rows(q: str | None = None, *, in_stock_only: bool = False):
    """Items with on hand, reserved, available and the number of locations holding them, by SKU.

    Active items are all listed (zero stock shows as 0); a deactivated item is listed while it still has stock.
    """
    agg = (sa.select(StockBalance.item_id,
                     sa.func.sum(StockBalance.qty).label("on_hand"),
                     sa.func.sum(StockBalance.reserved).label("reserved"),
                     sa.func.count(sa.distinct(StockBalance.location_id)).label("locations"))
           .where(StockBalance.qty > 0).group_by(StockBalance.item_id).subquery())
    on_hand = sa.func.coalesce(agg.c.on_hand, 0)
    reserved = sa.func.coalesce(agg.c.reserved, 0)
    stmt = (sa.select(Item.sku, Item.name, Item.unit, Item.active, on_hand.label("on_hand"),
                      reserved.label("reserved"), (on_hand - reserved).label("available"),
                      sa.func.coalesce(agg.c.locations, 0).label("locations"))
            .outerjoin(agg, agg.c.item_id == Item.id)
            .where(sa.or_(Item.active, agg.c.on_hand > 0)))
    if in_stock_only:
        stmt = stmt.where(agg.c.on_hand > 0)
    if q:
        stmt = stmt.where(item_matches(q))
    return stmt.order_by(Item.sku_key)


def stock_by_location_rows(q: str | None = None, *, zone: str | None = None):
    """What each physical location holds: one row per item and lot, locations in walking order.

    A container without a zone of its own (a tote parked on a dock) counts in the zone it stands in.
    """
    parent, parent_zone = aliased(Location), aliased(Zone)
    zone_code = sa.func.coalesce(Zone.code, parent_zone.code)
    stmt = (sa.select(Location.code.label("location"), zone_code.label("zone"), Location.kind,
                      parent.code.label("parent"), Item.sku, Item.name, _lot_column(StockBalance.lot).label("lot"),
                      StockBalance.expiry, StockBalance.qty, StockBalance.reserved,
                      (StockBalance.qty - StockBalance.reserved).label("available"))
            .select_from(StockBalance)
            .join(Location, StockBalance.location_id == Location.id)
            .join(Item, StockBalance.item_id == Item.id)
            .outerjoin(Zone, Location.zone_id == Zone.id)
            .outerjoin(parent, Location.parent_id == parent.id)
            .outerjoin(parent_zone, parent.zone_id == parent_zone.id)
            .where(StockBalance.qty > 0, Location.kind != LocationKind.VIRTUAL))
    if q:
        stmt = stmt.where(Location.code_key.like(f"%{q.strip().upper()}%"))
    if zone:
        stmt = stmt.where(zone_code == zone.strip().upper())
    return stmt.order_by(*walking_order(), Item.sku_key, StockBalance.lot)


def units_in(location_ids: list[int]) -> dict[int, int]:
    """Units held directly in each of these locations."""
    if not location_ids:
        return {}
    return dict(db.session.execute(
        sa.select(StockBalance.location_id, sa.func.sum(StockBalance.qty))
        .where(StockBalance.location_id.in_(location_ids)).group_by(StockBalance.location_id)).all())


def stock_waiting(kinds) -> list[dict]:
    """Goods waiting in the active locations of these kinds (docks, staging): per location holding any, the
    units on it and on the pallets (license plates) standing on it, and when the oldest of them arrived;
    longest waiting first. Carts and totes parked there hold picks, not goods waiting.

    The oldest arrival, first in first out: a balance's units are the last ones moved in, so the oldest of them
    came with the move in at which the running total of moves in, newest first, reaches the balance."""
    place = aliased(Location)  # where the goods wait: the location itself, or the one its pallet stands on
    place_id = sa.case((Location.kind == LocationKind.PALLET, Location.parent_id), else_=Location.id)
    held = (sa.select(StockBalance.id, StockBalance.item_id, StockBalance.location_id, StockBalance.lot,
                      StockBalance.qty, place.id.label("place_id"))
            .join(Location, Location.id == StockBalance.location_id)
            .join(place, place.id == place_id)
            .where(StockBalance.qty > 0, place.kind.in_(list(kinds)), place.active)
            .cte("held"))
    newest_first = (StockMove.created_at.desc(), StockMove.id.desc())
    arrivals = (sa.select(held.c.id.label("balance_id"), held.c.qty, StockMove.qty.label("moved"),
                          StockMove.created_at,
                          sa.func.sum(StockMove.qty).over(partition_by=held.c.id, order_by=newest_first)
                          .label("since_newest"))
                .join(StockMove, sa.and_(StockMove.dst_id == held.c.location_id, StockMove.item_id == held.c.item_id,
                                         StockMove.lot == held.c.lot))
                .subquery())
    oldest = (sa.select(arrivals.c.balance_id, sa.func.min(arrivals.c.created_at).label("oldest_at"))
              .where(arrivals.c.since_newest - arrivals.c.moved < arrivals.c.qty)
              .group_by(arrivals.c.balance_id).subquery())
    oldest_at = sa.func.min(oldest.c.oldest_at)
    rows = db.session.execute(
        sa.select(place.code, place.kind, sa.func.sum(held.c.qty), oldest_at)
        .select_from(held).join(place, place.id == held.c.place_id)
        .outerjoin(oldest, oldest.c.balance_id == held.c.id)
        .group_by(place.id, place.code, place.kind).order_by(oldest_at.is_(None), oldest_at, place.code))
    return [{"location": code, "kind": kind.value, "units": int(units), "oldest_at": at}
            for code, kind, units, at in rows]


def movement_rows(*, item_id: int | None = None, location_id: int | None = None, kind: str | None = None,
                  user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
                  ref: tuple[str, int] | None = None, move_id: int | None = None):
    """Movements newest first, filtered as movement_history filters them.

    Returns (rows statement, count statement). Each row names the item, both locations, the user and
    the movement that reversed it (reversed_by), if any.
    """
    src, dst, undo = aliased(Location), aliased(Location), aliased(StockMove)
    conditions = []
    if move_id:
        conditions.append(StockMove.id == move_id)
    if item_id:
        conditions.append(StockMove.item_id == item_id)
    if location_id:
        conditions.append(sa.or_(StockMove.src_id == location_id, StockMove.dst_id == location_id))
    if kind:
        conditions.append(StockMove.kind == kind)
    if user_id:
        conditions.append(StockMove.user_id == user_id)
    if since:
        conditions.append(StockMove.created_at >= since)
    if until:
        conditions.append(StockMove.created_at < until)
    if ref:
        conditions.extend([StockMove.ref_type == ref[0], StockMove.ref_id == ref[1]])
    rows = (sa.select(StockMove.id, StockMove.created_at, StockMove.kind, Item.sku, Item.name, StockMove.qty,
                      src.code.label("src"), dst.code.label("dst"), _lot_column(StockMove.lot).label("lot"),
                      StockMove.expiry, StockMove.reason, StockMove.ref_type, StockMove.ref_id,
                      User.username.label("user"), StockMove.device_id, StockMove.scanned_at,
                      StockMove.reverses_id, undo.id.label("reversed_by"))
            .select_from(StockMove)
            .join(Item, StockMove.item_id == Item.id)
            .join(src, StockMove.src_id == src.id)
            .join(dst, StockMove.dst_id == dst.id)
            .outerjoin(User, StockMove.user_id == User.id)
            .outerjoin(undo, undo.reverses_id == StockMove.id)  # reverses_id is unique: one row at most
            .where(*conditions)
            .order_by(StockMove.id.desc()))
    return rows, sa.select(StockMove.id).where(*conditions)


def movement_row(move_id: int):
    """One movement as movement_rows shows it, or None."""
    rows, _count = movement_rows(move_id=move_id)
    return db.session.execute(rows).first()


def get_move(move_id: int) -> StockMove:
    return get_or_404(StockMove, move_id, _("There is no movement %(id)d.", id=move_id), "move_id")


def label_locations(kinds, *, zone: str | None = None, q: str | None = None, first: str | None = None,
                    last: str | None = None):
    """Active locations of these kinds to print labels for, in walking order (id, code): in a zone, codes
    containing q, and codes from `first` to `last` (inclusive, any letter case; either end may be open)."""
    stmt = sa.select(Location.id, Location.code).where(Location.active, Location.kind.in_(list(kinds)))
    if zone:
        stmt = stmt.where(Location.zone_id.in_(sa.select(Zone.id).where(Zone.code == zone.strip().upper())))
    if q:
        stmt = stmt.where(Location.code_key.contains(q.strip().upper(), autoescape=True))
    if first:
        stmt = stmt.where(Location.code_key >= first.strip().upper())
    if last:
        stmt = stmt.where(Location.code_key <= last.strip().upper())
    return stmt.order_by(*walking_order())


def pick_moves(since: datetime, until: datetime) -> sa.Select:
    """The ledger's pick movements of [since, until) as (user_id, at, units): who picked, when the movement was
    booked, how many units — a SELECT for reports to aggregate. Reversals are left out: a correction is not work
    done (a pick made in parts is one movement per part)."""
    return (sa.select(StockMove.user_id.label("user_id"), StockMove.created_at.label("at"),
                      StockMove.qty.label("units"))
            .where(StockMove.kind == MoveKind.PICK, _not_a_reversal(), StockMove.user_id.is_not(None),
                   StockMove.created_at >= since, StockMove.created_at < until))


def _not_a_reversal():
    """StockMove.reverses_id IS NULL, written so that SQLite does not answer it from the unique index on reverses_id:
    without planner statistics (nothing runs ANALYZE) it takes that index, in which every movement but the
    reversals sits under NULL, for a selective one, and walks the whole ledger (~300 ms at 500,000 rows,
    bench/dashboard.py) instead of the time range. Ids are positive: COALESCE(reverses_id, 0) = 0 is the same rows."""
    return sa.func.coalesce(StockMove.reverses_id, 0) == 0

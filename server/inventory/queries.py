"""Read-side of the ledger: stock per item and per location, movement history, and verification."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from ..catalog.models import Item
from ..extensions import db
from .codes import LocationKind
from .ledger_models import NO_LOT, StockBalance, StockMove
from .models import Location


def _lot_out(lot: str) -> str | None:
    return lot if lot != NO_LOT else None


def stock_for_item(item: Item) -> dict:
    """On hand, reserved and available of one item, in total and per physical location and lot."""
    rows = db.session.execute(
        sa.select(StockBalance, Location.code).join(Location, StockBalance.location_id == Location.id)
        .where(StockBalance.item_id == item.id, StockBalance.qty > 0)
        .order_by(Location.pick_sequence.is_(None), Location.pick_sequence, Location.code_key, StockBalance.lot)
    ).all()
    on_hand = sum(b.qty for b, _ in rows)
    reserved = sum(b.reserved for b, _ in rows)
    return {"item": item.sku, "name": item.name, "on_hand": on_hand, "reserved": reserved,
            "available": on_hand - reserved,
            "locations": [{"location": code, "qty": b.qty, "reserved": b.reserved, "lot": _lot_out(b.lot),
                           "expiry": b.expiry.isoformat() if b.expiry else None} for b, code in rows]}


def stock_in_location(loc: Location) -> dict:
    """What one location holds, and which containers stand in it."""
    rows = db.session.execute(
        sa.select(StockBalance, Item.sku, Item.name).join(Item, StockBalance.item_id == Item.id)
        .where(StockBalance.location_id == loc.id, StockBalance.qty > 0).order_by(Item.sku_key, StockBalance.lot)
    ).all()
    children = db.session.scalars(sa.select(Location.code).where(Location.parent_id == loc.id,
                                                                 Location.active)).all()
    return {"location": loc.code, "kind": loc.kind.value, "parent": loc.parent.code if loc.parent else None,
            "containers": list(children),
            "items": [{"item": sku, "name": name, "qty": b.qty, "reserved": b.reserved,
                       "available": b.qty - b.reserved, "lot": _lot_out(b.lot),
                       "expiry": b.expiry.isoformat() if b.expiry else None} for b, sku, name in rows]}


def balance_qty(item_id: int, location_id: int, lot: str = NO_LOT) -> int:
    return db.session.scalar(sa.select(StockBalance.qty).where(
        StockBalance.item_id == item_id, StockBalance.location_id == location_id, StockBalance.lot == lot)) or 0


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


def movement_out(m: StockMove) -> dict:
    return {"id": m.id, "kind": m.kind.value, "item": m.item.sku, "qty": m.qty, "from": m.src.code,
            "to": m.dst.code, "lot": _lot_out(m.lot), "expiry": m.expiry.isoformat() if m.expiry else None,
            "reason": m.reason, "ref_type": m.ref_type, "ref_id": m.ref_id, "reverses": m.reverses_id,
            "user": m.user.username if m.user else None, "device": m.device_id,
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
    from .ledger_models import Reservation
    reserved = dict(db.session.execute(sa.select(Reservation.balance_id, sa.func.sum(Reservation.qty))
                                       .group_by(Reservation.balance_id)).all())
    for bid, item_id, loc, lot, res in db.session.execute(sa.select(
            StockBalance.id, StockBalance.item_id, StockBalance.location_id, StockBalance.lot,
            StockBalance.reserved)):
        if int(reserved.get(bid, 0)) != res:
            problems.append({"item_id": item_id, "location_id": loc, "lot": lot,
                             "reservations": int(reserved.get(bid, 0)), "reserved": res})
    return problems

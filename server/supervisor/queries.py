"""Read-only look-ups the supervisor pages need and no domain service offers yet.

The stock and movement lists are built as column selects (no ORM objects): the page shows one slice
of a statement, and the CSV export streams the whole of the same statement, so the two always agree.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from ..auth.models import User
from ..catalog.models import Item, ItemBarcode
from ..catalog.services import find_item_by_code, sku_key
from ..extensions import db
from ..inventory.codes import LocationKind
from ..inventory.ledger_models import StockBalance, StockMove
from ..inventory.models import Location, Zone
from ..orders.models import Order, OrderStatus
from ..receiving.models import Receipt, ReceiptLine, ReceiptStatus
from . import clock

CLOSED_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.CANCELLED)


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def page_of(stmt, *, limit: int, offset: int, count_stmt=None) -> tuple[list, int]:
    """One page of a statement's rows and the total count of its rows."""
    total = _count(count_stmt if count_stmt is not None else stmt)
    return db.session.execute(stmt.limit(limit).offset(offset)).all(), total


def dashboard_counts() -> dict[str, int]:
    """Count items, locations, open orders, active users, units on hand, open receipts, today's movements."""
    return {
        "items": _count(sa.select(Item.id).where(Item.active)),
        "locations": _count(sa.select(Location.id).where(Location.active,
                                                         Location.kind != LocationKind.VIRTUAL)),
        "open_orders": _count(sa.select(Order.id).where(Order.status.not_in(CLOSED_ORDER_STATUSES))),
        "users": _count(sa.select(User.id).where(User.active)),
        # Balances exist for physical locations only (the outside world is virtual), so this is the floor.
        "on_hand": db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.qty), 0))) or 0,
        "open_receipts": _count(sa.select(Receipt.id).where(Receipt.status == ReceiptStatus.OPEN)),
        "movements_today": _count(sa.select(StockMove.id).where(
            StockMove.created_at >= clock.day_start(clock.today()))),
    }


def item_by_sku(sku: str) -> Item | None:
    """Find an item by SKU, inactive ones included (the detail page shows both)."""
    return db.session.scalar(sa.select(Item).where(Item.sku_key == sku_key(sku)))


def item_for_filter(code: str) -> Item | None:
    """The item a history filter names: its SKU (inactive items too: history outlives them) or a barcode."""
    item = item_by_sku(code.strip())
    if item is None:
        found = find_item_by_code(code)
        item = found[0] if found else None
    return item


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_by_name(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def zone_codes() -> list[str]:
    return list(db.session.scalars(sa.select(Zone.code).distinct().order_by(Zone.code)))


# --- Stock by item ---------------------------------------------------------------------------------

def _item_matches(q: str):
    like = f"%{q.strip().upper()}%"
    by_code = sa.select(ItemBarcode.item_id).where(ItemBarcode.code.like(like))
    return sa.or_(Item.sku_key.like(like), sa.func.upper(Item.name).like(like), Item.id.in_(by_code))


def stock_by_item(q: str | None = None, *, in_stock_only: bool = False):
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
        stmt = stmt.where(_item_matches(q))
    return stmt.order_by(Item.sku_key)


# --- Stock by location -----------------------------------------------------------------------------

def stock_by_location(q: str | None = None, *, zone: str | None = None):
    """What each physical location holds: one row per item and lot, locations in walking order.

    A container without a zone of its own (a tote parked on a dock) counts in the zone it stands in.
    """
    parent, parent_zone = aliased(Location), aliased(Zone)
    zone_code = sa.func.coalesce(Zone.code, parent_zone.code)
    stmt = (sa.select(Location.code.label("location"), zone_code.label("zone"), Location.kind,
                      parent.code.label("parent"), Item.sku, Item.name, StockBalance.lot, StockBalance.expiry,
                      StockBalance.qty, StockBalance.reserved,
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
    return stmt.order_by(Location.pick_sequence.is_(None), Location.pick_sequence, Location.code_key,
                         Item.sku_key, StockBalance.lot)


def units_in(location_ids: list[int]) -> dict[int, int]:
    """Units held directly in each of these locations."""
    if not location_ids:
        return {}
    return dict(db.session.execute(
        sa.select(StockBalance.location_id, sa.func.sum(StockBalance.qty))
        .where(StockBalance.location_id.in_(location_ids)).group_by(StockBalance.location_id)).all())


# --- Movement history ------------------------------------------------------------------------------

def movements(*, item_id: int | None = None, location_id: int | None = None, kind: str | None = None,
              user_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
              ref: tuple[str, int] | None = None):
    """Movements newest first, filtered as inventory.queries.movement_history filters them.

    Returns (rows statement, count statement). Each row names the item, both locations, the user and
    the movement that reversed it (reversed_by), if any.
    """
    src, dst, undo = aliased(Location), aliased(Location), aliased(StockMove)
    conditions = []
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
                      src.code.label("src"), dst.code.label("dst"), StockMove.lot, StockMove.expiry,
                      StockMove.reason, StockMove.ref_type, StockMove.ref_id, User.username.label("user"),
                      StockMove.device_id, StockMove.scanned_at, StockMove.reverses_id,
                      undo.id.label("reversed_by"))
            .select_from(StockMove)
            .join(Item, StockMove.item_id == Item.id)
            .join(src, StockMove.src_id == src.id)
            .join(dst, StockMove.dst_id == dst.id)
            .outerjoin(User, StockMove.user_id == User.id)
            .outerjoin(undo, undo.reverses_id == StockMove.id)  # reverses_id is unique: one row at most
            .where(*conditions)
            .order_by(StockMove.id.desc()))
    return rows, sa.select(StockMove.id).where(*conditions)


# --- Receipts --------------------------------------------------------------------------------------

def receipts(status: str | None):
    """Receipts newest first, with their lines and items loaded (the list shows each line's progress)."""
    stmt = (sa.select(Receipt).options(selectinload(Receipt.lines).selectinload(ReceiptLine.item))
            .order_by(Receipt.id.desc()))
    if status:
        stmt = stmt.where(Receipt.status == status)
    return stmt


def receipt_page(status: str | None, *, limit: int, offset: int) -> tuple[list[Receipt], int]:
    stmt = receipts(status)
    total = _count(sa.select(Receipt.id).where(Receipt.status == status) if status else sa.select(Receipt.id))
    return list(db.session.scalars(stmt.limit(limit).offset(offset))), total


def receipt_counts() -> dict[str, int]:
    counts = dict(db.session.execute(sa.select(Receipt.status, sa.func.count()).group_by(Receipt.status)).all())
    return {status.value: counts.get(status, 0) for status in ReceiptStatus}

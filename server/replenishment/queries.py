"""What replenishment reads: the quantity a sales channel may sell, and the items at or below their reorder point.

available to sell = on hand in pickable bins (reservations.is_source: pickable, active, not blocked nor standing
    in something blocked) − reserved there, never negative. Stock on docks, in totes or in quarantine is not
    promised: the channel must never sell what a picker cannot take off a shelf now.
inventory position = on hand anywhere physical and not held (blocked) − reserved + on order (open, non-blind
    receipts' expected units not yet received) — the reference's on hand + on order − allocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..catalog.models import Item
from ..extensions import db
from ..inventory.ledger_models import StockBalance
from ..inventory.models import Location
from ..inventory.reservations import is_source
from ..receiving.models import Receipt, ReceiptLine, ReceiptStatus
from .models import ReplenishmentParams


def available_to_sell() -> list[tuple[str, int]]:
    """(sku, quantity) of every item, by SKU: what the channel may sell now (0 for inactive items)."""
    parent = aliased(Location)
    free = (sa.select(StockBalance.item_id, sa.func.sum(StockBalance.qty - StockBalance.reserved).label("free"))
            .join(Location, Location.id == StockBalance.location_id)
            .outerjoin(parent, parent.id == Location.parent_id)
            .where(is_source(Location, parent))
            .group_by(StockBalance.item_id).subquery())
    rows = db.session.execute(
        sa.select(Item.sku, Item.active, sa.func.coalesce(free.c.free, 0))
        .outerjoin(free, free.c.item_id == Item.id).order_by(Item.sku_key))
    return [(sku, max(0, int(qty)) if active else 0) for sku, active, qty in rows]


@dataclass(frozen=True)
class LowStockRow:
    item_id: int
    sku: str
    name: str
    on_hand: int
    reserved: int
    on_order: int
    daily_demand: float
    lead_time_days: float
    safety_stock: int
    reorder_point: int

    @property
    def position(self) -> int:
        return self.on_hand - self.reserved + self.on_order

    @property
    def below_by(self) -> int:
        """Units short of the reorder point (0 when exactly at it: still time to reorder)."""
        return self.reorder_point - self.position


LOW_STOCK_COLUMNS = ("sku", "name", "on_hand", "reserved", "on_order", "inventory_position", "daily_demand",
                     "lead_time_days", "safety_stock", "reorder_point", "below_by")


def low_stock_csv_row(row: LowStockRow) -> tuple:
    return (row.sku, row.name, row.on_hand, row.reserved, row.on_order, row.position, row.daily_demand,
            row.lead_time_days, row.safety_stock, row.reorder_point, row.below_by)


def _usable_stock() -> sa.Subquery:
    parent = aliased(Location)
    return (sa.select(StockBalance.item_id, sa.func.sum(StockBalance.qty).label("on_hand"),
                      sa.func.sum(StockBalance.reserved).label("reserved"))
            .join(Location, Location.id == StockBalance.location_id)
            .outerjoin(parent, parent.id == Location.parent_id)
            # qty > 0 changes no sum (reserved <= qty); it reads the partial index ix_stock_balances_in_stock, not the
            # ~100,000 rows at 0 that cartons and totes leave behind (800 → 3 ms on SQLite, bench/dashboard.py).
            .where(StockBalance.qty > 0, sa.not_(Location.blocked),
                   sa.or_(parent.id.is_(None), sa.not_(parent.blocked)))
            .group_by(StockBalance.item_id).subquery())


def _on_order() -> sa.Subquery:
    outstanding = sa.func.sum(sa.case((ReceiptLine.expected_qty > ReceiptLine.received_qty,
                                       ReceiptLine.expected_qty - ReceiptLine.received_qty), else_=0))
    return (sa.select(ReceiptLine.item_id, outstanding.label("on_order"))
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
            .where(Receipt.status == ReceiptStatus.OPEN, sa.not_(Receipt.blind))
            .group_by(ReceiptLine.item_id).subquery())


def _low_stock_rows() -> sa.Select:
    stock, ordered = _usable_stock(), _on_order()
    position = (sa.func.coalesce(stock.c.on_hand, 0) - sa.func.coalesce(stock.c.reserved, 0)
                + sa.func.coalesce(ordered.c.on_order, 0))
    return (sa.select(Item.id, Item.sku, Item.name, sa.func.coalesce(stock.c.on_hand, 0),
                      sa.func.coalesce(stock.c.reserved, 0), sa.func.coalesce(ordered.c.on_order, 0),
                      ReplenishmentParams.daily_demand, ReplenishmentParams.lead_time_days,
                      ReplenishmentParams.safety_stock, ReplenishmentParams.reorder_point)
            .join(ReplenishmentParams, ReplenishmentParams.item_id == Item.id)
            .outerjoin(stock, stock.c.item_id == Item.id)
            .outerjoin(ordered, ordered.c.item_id == Item.id)
            .where(Item.active, ReplenishmentParams.reorder_point.is_not(None),
                   position <= ReplenishmentParams.reorder_point)
            .order_by((ReplenishmentParams.reorder_point - position).desc(), Item.sku_key))


def count_low_stock() -> int:
    """How many items low_stock() lists in all."""
    rows = _low_stock_rows().order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows)) or 0


def low_stock(*, limit: int | None = None) -> list[LowStockRow]:
    """Active items whose inventory position is at or below their computed reorder point, furthest below first."""
    stmt = _low_stock_rows()
    if limit is not None:
        stmt = stmt.limit(limit)
    return [LowStockRow(item_id=r[0], sku=r[1], name=r[2], on_hand=int(r[3]), reserved=int(r[4]),
                        on_order=int(r[5]), daily_demand=r[6] or 0.0, lead_time_days=r[7],
                        safety_stock=r[8] or 0, reorder_point=r[9]) for r in db.session.execute(stmt)]


def params_of(item_id: int) -> ReplenishmentParams | None:
    return db.session.get(ReplenishmentParams, item_id)


FEED_HEADER = ("sku", "price", "quantity")


def quantity_feed_text() -> str:
    """The Amazon Price & Quantity file (amazon-fbm.md §3): tab-delimited, price blank (unchanged), MFN quantity."""
    lines = ["\t".join(FEED_HEADER)]
    lines += [f"{_tsv(sku)}\t\t{qty}" for sku, qty in available_to_sell()]
    return "\n".join(lines) + "\n"


def _tsv(value: str) -> str:
    # A tab or line break inside a SKU would shift the columns: SKUs never hold them, but never trust it.
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")

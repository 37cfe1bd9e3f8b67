"""Read-only look-ups of the catalogue for pages and reports (services.py holds the writes and scans)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import Item, ItemBarcode
from .services import find_item_by_code, sku_key


def item_by_sku(sku: str) -> Item | None:
    """Find an item by SKU, inactive ones included (detail pages and history outlive a deactivation)."""
    return db.session.scalar(sa.select(Item).where(Item.sku_key == sku_key(sku)))


def item_by_sku_or_code(code: str) -> Item | None:
    """The item a filter names: its SKU (inactive items too) or one of its barcodes."""
    item = item_by_sku(code)
    if item is None:
        found = find_item_by_code(code)
        item = found[0] if found else None
    return item


def item_matches(q: str):
    """An SQL condition on Item: its SKU, name or one of its barcodes contains q (any case; % and _ literal)."""
    text = q.strip().upper()
    by_code = sa.select(ItemBarcode.item_id).where(ItemBarcode.code.contains(text, autoescape=True))
    return sa.or_(Item.sku_key.contains(text, autoescape=True),
                  sa.func.upper(Item.name).contains(text, autoescape=True), Item.id.in_(by_code))


def count_active_items() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Item).where(Item.active)) or 0


def label_items(*, q: str | None = None, first: str | None = None, last: str | None = None):
    """Active items to print labels for, by SKU (id, code: the SKU): SKU, name or barcode containing q, and
    SKUs from `first` to `last` (inclusive, any letter case; either end may be open)."""
    stmt = sa.select(Item.id, Item.sku.label("code")).where(Item.active)
    if q:
        stmt = stmt.where(item_matches(q))
    if first:
        stmt = stmt.where(Item.sku_key >= sku_key(first))
    if last:
        stmt = stmt.where(Item.sku_key <= sku_key(last))
    return stmt.order_by(Item.sku_key)

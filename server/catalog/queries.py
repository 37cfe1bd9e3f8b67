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
    """An SQL condition on Item: its SKU, name or one of its barcodes contains q (any case)."""
    like = f"%{q.strip().upper()}%"
    by_code = sa.select(ItemBarcode.item_id).where(ItemBarcode.code.like(like))
    return sa.or_(Item.sku_key.like(like), sa.func.upper(Item.name).like(like), Item.id.in_(by_code))


def count_active_items() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Item).where(Item.active)) or 0

"""Read-only look-ups the supervisor pages need and no domain service offers yet."""

from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import User
from ..catalog.models import Item
from ..catalog.services import sku_key
from ..extensions import db
from ..inventory.codes import LocationKind
from ..inventory.models import Location
from ..orders.models import Order, OrderStatus

CLOSED_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.CANCELLED)


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def dashboard_counts() -> dict[str, int]:
    """Count active items, physical locations, orders not yet shipped or cancelled, and active users."""
    return {
        "items": _count(sa.select(Item.id).where(Item.active)),
        "locations": _count(sa.select(Location.id).where(Location.active, Location.kind != LocationKind.VIRTUAL)),
        "open_orders": _count(sa.select(Order.id).where(Order.status.not_in(CLOSED_ORDER_STATUSES))),
        "users": _count(sa.select(User.id).where(User.active)),
    }


def item_by_sku(sku: str) -> Item | None:
    """Find an item by SKU, inactive ones included (the detail page shows both)."""
    return db.session.scalar(sa.select(Item).where(Item.sku_key == sku_key(sku)))


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.active.desc(), User.username)))


def user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)

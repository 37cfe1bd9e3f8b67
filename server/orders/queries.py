"""Read-only look-ups of orders for pages and reports."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import Order
from .status import CLOSED_ORDER_STATUSES


def count_open_orders() -> int:
    """Orders not yet shipped or cancelled."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                             .where(Order.status.not_in(CLOSED_ORDER_STATUSES))) or 0

"""Reading returns: their answers, the supervisor's list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..inventory.models import Location
from ..orders.models import Order
from .models import Return, ReturnLine


def line_out(line: ReturnLine) -> dict:
    location = db.session.get(Location, line.location_id) if line.location_id else None
    return {"id": line.id, "item": line.item.sku, "name": line.item.name, "qty": line.qty, "lot": line.lot,
            "condition": line.condition.value, "disposition": line.disposition.value,
            "location": location.code if location else None, "movement_id": line.move_id,
            "refund_exported_at": line.refund_exported_at}


def return_out(ret: Return) -> dict:
    order = db.session.get(Order, ret.order_id) if ret.order_id else None
    return {"id": ret.id, "order_id": ret.order_id, "channel_order_id": order.channel_order_id if order else None,
            "rma": ret.rma, "tracking_number": ret.tracking_number, "status": ret.status.value,
            "received_at": ret.received_at, "lines": [line_out(ln) for ln in ret.lines]}


def recent_returns(limit: int = 100) -> list[dict]:
    """The latest returns with their lines, newest first (the supervisor page)."""
    rets = db.session.scalars(sa.select(Return).options(selectinload(Return.lines).selectinload(ReturnLine.item))
                              .order_by(Return.received_at.desc(), Return.id.desc()).limit(limit))
    return [return_out(r) for r in rets]


def refund_ready_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ReturnLine.id))
                             .where(ReturnLine.refund_ready, ReturnLine.refund_exported_at.is_(None)))

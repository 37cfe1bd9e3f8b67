"""Read-only look-ups of orders for pages and reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..auth.models import User
from ..catalog.models import Item
from ..extensions import db
from ..inventory.codes import CONTAINER_KINDS
from ..inventory.ledger_models import NO_LOT, Reservation, StockBalance
from ..inventory.models import Location
from ..inventory.reservations import reserved_by_line
from .models import Order, OrderEvent, OrderLine, OrderStatus
from .status import CLOSED_ORDER_STATUSES

# The list's status filter: an OrderStatus value, or one of these two.
NOT_CLOSED = "not_closed"
ALL_STATUSES = "all"


def count_open_orders() -> int:
    """Orders not yet shipped or cancelled."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                             .where(Order.status.not_in(CLOSED_ORDER_STATUSES))) or 0


def channels() -> list[str]:
    """The channels orders came from, for the list's filter."""
    return list(db.session.scalars(sa.select(Order.channel).distinct().order_by(Order.channel)))


@dataclass(frozen=True)
class OrderFilter:
    """What the order list shows. ship_by_from/ship_by_until bound ship_by as [from, until) in UTC; with
    no_ship_by_too an order without a ship-by deadline is in the range as well (urgency "later")."""

    status: str = NOT_CLOSED
    channel: str | None = None
    ship_by_from: datetime | None = None
    ship_by_until: datetime | None = None
    no_ship_by_too: bool = False
    short_only: bool = False
    cancel_requests_only: bool = False
    q: str | None = None


def _contains(column, q: str):
    # LIKE is case-blind for ASCII on SQLite only; upper() on both sides finds "müller" as "MÜLLER" on
    # PostgreSQL, and the plain test finds Cyrillic or Chinese typed as stored on either.
    return sa.or_(column.contains(q, autoescape=True), sa.func.upper(column).contains(q.upper(), autoescape=True))


def order_rows(f: OrderFilter):
    """Orders matching the filter, ship-by first (orders without one last): one row each with its line and
    unit counts. A select statement: the page takes one page of it, the export streams all of it."""
    lines = (sa.select(OrderLine.order_id, sa.func.count().label("lines"),
                       sa.func.sum(OrderLine.qty).label("units"),
                       sa.func.sum(OrderLine.qty_picked).label("picked"))
             .group_by(OrderLine.order_id).subquery())
    stmt = (sa.select(Order.id, Order.channel, Order.channel_order_id, Order.customer_name, Order.ship_to_name,
                      Order.ship_to_city, Order.ship_to_country, Order.status, Order.service_level,
                      Order.ordered_at, Order.ship_by, Order.ship_by_source, Order.short_units,
                      Order.channel_cancel_requested_at,
                      sa.func.coalesce(lines.c.lines, 0).label("lines"),
                      sa.func.coalesce(lines.c.units, 0).label("units"),
                      sa.func.coalesce(lines.c.picked, 0).label("picked"))
            .outerjoin(lines, lines.c.order_id == Order.id))
    if f.status == NOT_CLOSED:
        stmt = stmt.where(Order.status.not_in(CLOSED_ORDER_STATUSES))
    elif f.status != ALL_STATUSES:
        stmt = stmt.where(Order.status == OrderStatus(f.status))
    if f.channel:
        stmt = stmt.where(Order.channel == f.channel)
    if f.ship_by_from is not None or f.ship_by_until is not None:
        within = sa.and_(Order.ship_by >= f.ship_by_from if f.ship_by_from is not None else sa.true(),
                         Order.ship_by < f.ship_by_until if f.ship_by_until is not None else sa.true())
        stmt = stmt.where(sa.or_(within, Order.ship_by.is_(None)) if f.no_ship_by_too else within)
    if f.short_only:
        stmt = stmt.where(Order.short_units > 0)
    if f.cancel_requests_only:
        stmt = stmt.where(Order.channel_cancel_requested_at.is_not(None))
    if f.q:
        stmt = stmt.where(sa.or_(_contains(Order.channel_order_id, f.q), _contains(Order.customer_name, f.q),
                                 _contains(Order.ship_to_name, f.q)))
    return stmt.order_by(Order.ship_by.is_(None), Order.ship_by, Order.id)


def _reservation_rows(line_ids: Iterable[int]):
    return db.session.execute(
        sa.select(Reservation.id, Reservation.order_line_id, Reservation.qty, Location.code.label("location"),
                  Location.kind, StockBalance.lot, StockBalance.expiry, Item.sku)
        .join(StockBalance, Reservation.balance_id == StockBalance.id)
        .join(Location, StockBalance.location_id == Location.id)
        .join(Item, StockBalance.item_id == Item.id)
        .where(Reservation.order_line_id.in_(list(line_ids)))
        .order_by(Reservation.order_line_id, Location.pick_sequence, Location.code_key, Reservation.id)).all()


def order_detail(order: Order) -> dict:
    """An order's lines (SKU, qty, picked, reserved, short) and its reservations (location, lot, qty).

    Picked units stay reserved in their tote until packing: a line is short by what is neither picked nor
    reserved in a location to pick from.
    """
    line_ids = [line.id for line in order.lines]
    reservations = _reservation_rows(line_ids) if line_ids else []
    reserved, to_pick = reserved_by_line(line_ids), reserved_by_line(line_ids, picked=False)
    lines = [{"id": line.id, "sku": line.item.sku, "name": line.product_name or line.item.name,
              "channel_line_id": line.channel_line_id, "qty": line.qty, "picked": line.qty_picked,
              "reserved": reserved.get(line.id, 0),
              "short": max(line.qty - line.qty_picked - to_pick.get(line.id, 0), 0)} for line in order.lines]
    return {"lines": lines,
            "reservations": [{"sku": r.sku, "location": r.location, "lot": r.lot if r.lot != NO_LOT else None,
                              "expiry": r.expiry, "qty": r.qty, "in_container": r.kind in CONTAINER_KINDS}
                             for r in reservations]}


def order_history(order_id: int):
    """The order's status changes and channel cancel events, oldest first, with who made them."""
    return db.session.execute(
        sa.select(OrderEvent.id, OrderEvent.from_status, OrderEvent.to_status, OrderEvent.note,
                  OrderEvent.created_at, OrderEvent.device_id, User.username.label("user"))
        .outerjoin(User, OrderEvent.user_id == User.id)
        .where(OrderEvent.order_id == order_id).order_by(OrderEvent.created_at, OrderEvent.id)).all()

"""Read-only look-ups of orders for pages and reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

import sqlalchemy as sa

from ..auth.models import User
from ..catalog.models import Item
from ..db import utcnow
from ..extensions import db
from ..inventory.codes import CONTAINER_KINDS
from ..inventory.ledger_models import NO_LOT, Reservation, StockBalance
from ..inventory.models import Location
from ..inventory.reservations import reserved_by_line
from .models import CancelSource, Order, OrderEvent, OrderLine, OrderStatus
from .status import CLOSED_ORDER_STATUSES
from .urgency import includes_missing, urgency_bounds

# The list's status filter: an OrderStatus value, or one of these two.
NOT_CLOSED = "not_closed"
ALL_STATUSES = "all"
# Not closed, said as IN (…) rather than NOT IN (shipped, cancelled): the status index then finds the few
# thousand open orders among 50,000 closed ones instead of every order in a ship-by range.
_OPEN_STATUSES = tuple(s for s in OrderStatus if s not in CLOSED_ORDER_STATUSES)


def count_open_orders() -> int:
    """Orders not yet shipped or cancelled."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order)
                             .where(Order.status.not_in(CLOSED_ORDER_STATUSES))) or 0


def channels() -> list[str]:
    """The channels orders came from, for the list's filter."""
    return list(db.session.scalars(sa.select(Order.channel).distinct().order_by(Order.channel)))


@dataclass(frozen=True)
class OrderFilter:
    """Which orders a list shows (the supervisor's page and the API's list).

    status: an OrderStatus value, NOT_CLOSED or ALL_STATUSES; None: not closed, or every status when a metric
    is given. urgency: an orders.urgency class, measured at `now` in the warehouse's time zone `tz`. metric: a
    seller metric's key (server/dashboard/metrics.py): the orders behind its number at `now`.
    """

    status: str | None = None
    channel: str | None = None
    urgency: str | None = None
    now: datetime | None = None
    tz: tzinfo | str = "UTC"
    short_only: bool = False
    cancel_requests_only: bool = False
    q: str | None = None
    metric: str | None = None


# The orders behind a seller metric's number, by the metric's key: fn(now) → a condition on Order. The metrics
# register them (server/dashboard/metrics.py): their rules read shipments, which orders may not import.
MetricCondition = Callable[[datetime], sa.ColumnElement[bool]]
_metric_conditions: dict[str, MetricCondition] = {}


def register_metric(key: str, condition: MetricCondition) -> None:
    """Let OrderFilter(metric=key) select the orders behind that metric's number."""
    _metric_conditions[key] = condition


def metric_keys() -> list[str]:
    """The metrics an order list can be filtered by, in the order they were registered."""
    return list(_metric_conditions)


def _contains(column, q: str):
    # LIKE is case-blind for ASCII on SQLite only; upper() on both sides finds "müller" as "MÜLLER" on
    # PostgreSQL, and the plain test finds Cyrillic or Chinese typed as stored on either.
    return sa.or_(column.contains(q, autoescape=True),
                  sa.func.upper(column).contains(q.upper(), autoescape=True))


def order_conditions(f: OrderFilter) -> list:
    """The SQL conditions on Order that select the filter's orders."""
    conditions = []
    status = f.status or (ALL_STATUSES if f.metric else NOT_CLOSED)
    if status == NOT_CLOSED:
        conditions.append(Order.status.in_(_OPEN_STATUSES))
    elif status != ALL_STATUSES:
        conditions.append(Order.status == OrderStatus(status))
    if f.channel:
        conditions.append(Order.channel == f.channel)
    if f.urgency:
        start, end = urgency_bounds(f.urgency, now=f.now or utcnow(), tz=f.tz)
        within = sa.and_(Order.ship_by >= start if start is not None else sa.true(),
                         Order.ship_by < end if end is not None else sa.true())
        conditions.append(sa.or_(within, Order.ship_by.is_(None)) if includes_missing(f.urgency) else within)
    if f.short_only:
        conditions.append(Order.short_units > 0)
    if f.cancel_requests_only:
        conditions.append(Order.channel_cancel_requested_at.is_not(None))
    if f.q:
        conditions.append(sa.or_(_contains(Order.channel_order_id, f.q), _contains(Order.customer_name, f.q),
                                 _contains(Order.ship_to_name, f.q)))
    if f.metric:
        if f.metric not in _metric_conditions:
            raise ValueError(f"no seller metric {f.metric!r} (known: {', '.join(_metric_conditions)})")
        conditions.append(_metric_conditions[f.metric](f.now or utcnow()))
    return conditions


def count_orders(filters: Mapping[str, OrderFilter]) -> dict[str, int]:
    """How many orders each filter selects, by the same key: one statement, a count subquery a filter."""
    return dict(zip(filters, count_where(*(order_conditions(f) for f in filters.values()))))


def count_where(*condition_lists: list) -> tuple[int, ...]:
    """How many orders meet each list of conditions, in one statement: a count subquery each, so that a NOT
    EXISTS among the conditions stays in a WHERE, where the databases plan it as an anti-join."""
    if not condition_lists:
        return ()
    counts = [sa.select(sa.func.count()).select_from(Order).where(*conditions).scalar_subquery()
              for conditions in condition_lists]
    return tuple(int(n or 0) for n in db.session.execute(sa.select(*counts)).one())


def count_by_status() -> dict[OrderStatus, int]:
    """Orders of each status, every status present (0 when none)."""
    counts = dict(db.session.execute(sa.select(Order.status, sa.func.count()).group_by(Order.status)).all())
    return {status: counts.get(status, 0) for status in OrderStatus}


def cancel_counts(*, since: datetime, until: datetime, channel: str | None = None) -> tuple[int, int]:
    """(orders placed in [since, until), of them cancelled by the seller): the pre-fulfilment cancel rate."""
    placed = placed_between(since, until, channel)
    return count_where(placed, [*placed, seller_cancelled()])


def placed_between(since: datetime, until: datetime, channel: str | None = None) -> list:
    """Orders placed (ordered_at) in [since, until), of one channel or all."""
    conditions = [Order.ordered_at >= since, Order.ordered_at < until]
    return conditions + [Order.channel == channel] if channel else conditions


def seller_cancelled():
    """Cancelled, and by the seller (buyer requests and the channel's own cancellations don't count)."""
    return sa.and_(Order.status == OrderStatus.CANCELLED, Order.cancel_source == CancelSource.SELLER)


def seller_cancelled_orders(since: datetime, until: datetime):
    """A condition on Order: placed in [since, until) and cancelled by the seller (the cancel rate's numerator)."""
    return sa.and_(*placed_between(since, until), seller_cancelled())


def most_urgent_first() -> tuple:
    """The lists' order: earliest ship-by first, orders without one last."""
    return Order.ship_by.is_(None), Order.ship_by, Order.id


def order_ids(f: OrderFilter):
    """The ids of the filter's orders: what a list counts (no per-row columns to compute)."""
    return sa.select(Order.id).where(*order_conditions(f))


def order_rows(f: OrderFilter):
    """The filter's orders, most urgent first, one row each with its line, unit and picked counts.
    A select statement: the page takes one page of it, the export streams all of it."""
    lines = (sa.select(OrderLine.order_id, sa.func.count().label("lines"),
                       sa.func.sum(OrderLine.qty).label("units"),
                       sa.func.sum(OrderLine.qty_picked).label("picked"))
             .group_by(OrderLine.order_id).subquery())
    return (sa.select(Order.id, Order.channel, Order.channel_order_id, Order.customer_name, Order.ship_to_name,
                      Order.ship_to_city, Order.ship_to_country, Order.status, Order.service_level,
                      Order.ordered_at, Order.ship_by, Order.ship_by_source, Order.short_units,
                      Order.channel_cancel_requested_at,
                      sa.func.coalesce(lines.c.lines, 0).label("lines"),
                      sa.func.coalesce(lines.c.units, 0).label("units"),
                      sa.func.coalesce(lines.c.picked, 0).label("picked"))
            .outerjoin(lines, lines.c.order_id == Order.id)
            .where(*order_conditions(f)).order_by(*most_urgent_first()))


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


def open_work_due_before(until: datetime):
    """Orders not shipped or cancelled with a ship-by before `until` (overdue ones too), most urgent first
    (ship-by, purchase time, id: the batch selection's ranking), each with its purchase time, status, units and
    units picked."""
    return db.session.execute(
        sa.select(Order.id, Order.ship_by, Order.ordered_at, Order.status,
                  sa.func.coalesce(sa.func.sum(OrderLine.qty), 0).label("units"),
                  sa.func.coalesce(sa.func.sum(OrderLine.qty_picked), 0).label("picked"))
        .outerjoin(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.status.in_(_OPEN_STATUSES), Order.ship_by < until)
        .group_by(Order.id, Order.ship_by, Order.ordered_at, Order.status)
        .order_by(Order.ship_by, Order.ordered_at, Order.id)).all()


def orders_by_id(order_ids: Iterable[int]) -> list:
    """These orders in the order given (id, channel, channel_order_id, status, ship_by, units, picked); an id that
    names no order is left out."""
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(Order.id, Order.channel, Order.channel_order_id, Order.status, Order.ship_by,
                  sa.func.coalesce(sa.func.sum(OrderLine.qty), 0).label("units"),
                  sa.func.coalesce(sa.func.sum(OrderLine.qty_picked), 0).label("picked"))
        .outerjoin(OrderLine, OrderLine.order_id == Order.id).where(Order.id.in_(ids))
        .group_by(Order.id, Order.channel, Order.channel_order_id, Order.status, Order.ship_by)).all()
    found = {r.id: r for r in rows}
    return [found[i] for i in ids if i in found]


def count_open_due_between(edges: list[datetime]) -> list[int]:
    """Orders not shipped nor cancelled with a ship-by in each interval [edges[i], edges[i + 1]) (edges ascending):
    len(edges) − 1 counts, in one GROUP BY statement."""
    if len(edges) < 2:
        return []
    bucket = sa.case(*((Order.ship_by < end, n) for n, end in enumerate(edges[1:])))
    due = (sa.select(bucket.label("bucket"))
           .where(Order.status.in_(_OPEN_STATUSES), Order.ship_by >= edges[0], Order.ship_by < edges[-1])
           .subquery())
    counts = dict(db.session.execute(sa.select(due.c.bucket, sa.func.count()).group_by(due.c.bucket)).all())
    return [int(counts.get(n, 0)) for n in range(len(edges) - 1)]

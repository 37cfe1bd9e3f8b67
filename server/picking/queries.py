"""Read-only look-ups of picking for pages and reports: batches, their tasks and totes, who picks what, and
picks per hour per picker."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..auth.models import ApiToken, Role, TokenKind, User
from ..catalog.models import Item
from ..errors import get_or_404
from ..extensions import db
from ..inventory.codes import CONTAINER_KINDS
from ..inventory.ledger_models import Reservation, StockBalance
from ..inventory.models import Location, Zone
from ..orders.models import Order, OrderLine
from ..orders.queries import OrderFilter, order_rows
from ..orders.status import CLOSED_ORDER_STATUSES
from ..scanning.models import ScanLog
from .batching import ACTIVE_BATCH_STATUSES
from .models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus
from .services import TO_PICK

# A task is done once picked or found short (services.TO_PICK are still to pick; cancelled ones don't count).
DONE_TASKS = (TaskStatus.PICKED, TaskStatus.SHORT)
# The batch list's status filter: a BatchStatus value, or one of these two.
ACTIVE = "active"
ALL_STATUSES = "all"


def batch_code(batch_id: int | None) -> str:
    """The code a batch goes by on the floor (PickBatch.code), from its id."""
    return f"B{batch_id:06d}" if batch_id else ""


def _current_batch_of(order_id_column):
    """The order's latest batch that was not cancelled (None when it is on none): a scalar subquery."""
    return (sa.select(sa.func.max(BatchOrder.batch_id))
            .join(PickBatch, BatchOrder.batch_id == PickBatch.id)
            .where(BatchOrder.order_id == order_id_column, PickBatch.status != BatchStatus.CANCELLED)
            .scalar_subquery())


def order_rows_with_batch(f: OrderFilter):
    """The order list (orders.queries.order_rows) with each order's current batch id (batch_id)."""
    return order_rows(f).add_columns(_current_batch_of(Order.id).label("batch_id"))


def zones() -> list[Zone]:
    """The zones a batch may be limited to, by code."""
    return list(db.session.scalars(sa.select(Zone).order_by(Zone.code)))


# --- Batches -----------------------------------------------------------------------------------------

def batch_rows(status: str = ACTIVE):
    """Batches, newest first, with their zone, cart, picker, order count and tasks done of total."""
    orders = (sa.select(BatchOrder.batch_id, sa.func.count().label("orders"))
              .group_by(BatchOrder.batch_id).subquery())
    tasks = (sa.select(PickTask.batch_id,
                       sa.func.count().filter(PickTask.status != TaskStatus.CANCELLED).label("total"),
                       sa.func.count().filter(PickTask.status.in_(DONE_TASKS)).label("done"),
                       sa.func.sum(PickTask.qty).filter(PickTask.status != TaskStatus.CANCELLED).label("units"))
             .group_by(PickTask.batch_id).subquery())
    cart = aliased(Location)
    stmt = (sa.select(PickBatch.id, PickBatch.status, PickBatch.sort_later, PickBatch.route_m,
                      PickBatch.created_at, PickBatch.released_at, PickBatch.started_at, PickBatch.finished_at,
                      Zone.code.label("zone"), cart.code.label("cart"), User.username.label("picker"),
                      sa.func.coalesce(orders.c.orders, 0).label("orders"),
                      sa.func.coalesce(tasks.c.done, 0).label("tasks_done"),
                      sa.func.coalesce(tasks.c.total, 0).label("tasks_total"),
                      sa.func.coalesce(tasks.c.units, 0).label("units"))
            .outerjoin(Zone, PickBatch.zone_id == Zone.id)
            .outerjoin(cart, PickBatch.cart_id == cart.id)
            .outerjoin(User, PickBatch.picker_id == User.id)
            .outerjoin(orders, orders.c.batch_id == PickBatch.id)
            .outerjoin(tasks, tasks.c.batch_id == PickBatch.id))
    if status == ACTIVE:
        stmt = stmt.where(PickBatch.status.in_(ACTIVE_BATCH_STATUSES))
    elif status != ALL_STATUSES:
        stmt = stmt.where(PickBatch.status == BatchStatus(status))
    return stmt.order_by(PickBatch.id.desc())


def batch_counts() -> dict[str, int]:
    """Batches per status value."""
    return {s.value if hasattr(s, "value") else s: n for s, n in db.session.execute(
        sa.select(PickBatch.status, sa.func.count()).group_by(PickBatch.status))}


def get_batch(batch_id: int) -> PickBatch:
    """The batch with this id, or NotFound."""
    return get_or_404(PickBatch, batch_id, _("There is no batch %(id)d.", id=batch_id), "batch_id")


def batch_summary(batch_id: int):
    """One batch as batch_rows shows it, or None."""
    return db.session.execute(batch_rows(ALL_STATUSES).where(PickBatch.id == batch_id)).first()


def _task_rows():
    return (sa.select(PickTask.id, PickTask.batch_id, PickTask.sequence, PickTask.status, PickTask.qty,
                      PickTask.qty_picked, PickTask.tote_number, PickTask.lot, PickTask.picked_at,
                      PickTask.scanned_at, PickTask.device_id, Location.code.label("location"),
                      Item.sku, Item.name, User.username.label("picker"), Order.id.label("order_id"),
                      Order.channel_order_id)
            .join(Location, PickTask.location_id == Location.id)
            .join(Item, PickTask.item_id == Item.id)
            .join(OrderLine, PickTask.order_line_id == OrderLine.id)
            .join(Order, OrderLine.order_id == Order.id)
            .outerjoin(User, PickTask.picked_by == User.id))


def batch_tasks(batch_id: int):
    """A batch's pick tasks in walking order (their route sequence)."""
    return db.session.execute(_task_rows().where(PickTask.batch_id == batch_id)
                              .order_by(PickTask.sequence, PickTask.id)).all()


def batch_totes(batch_id: int):
    """A batch's tote slots: the order in each, its bound tote, and tasks done of total."""
    tote = aliased(Location)
    tasks = (sa.select(PickTask.tote_number, OrderLine.order_id,
                       sa.func.count().filter(PickTask.status != TaskStatus.CANCELLED).label("total"),
                       sa.func.count().filter(PickTask.status.in_(DONE_TASKS)).label("done"),
                       sa.func.coalesce(sa.func.sum(PickTask.qty_picked), 0).label("picked"))
             .join(OrderLine, PickTask.order_line_id == OrderLine.id)
             .where(PickTask.batch_id == batch_id)
             .group_by(PickTask.tote_number, OrderLine.order_id).subquery())
    return db.session.execute(
        sa.select(BatchOrder.tote_number, tote.code.label("tote"), Order.id.label("order_id"),
                  Order.channel_order_id, Order.status, Order.ship_by,
                  sa.func.coalesce(tasks.c.done, 0).label("done"),
                  sa.func.coalesce(tasks.c.total, 0).label("total"),
                  sa.func.coalesce(tasks.c.picked, 0).label("picked"))
        .join(Order, BatchOrder.order_id == Order.id)
        .outerjoin(tote, BatchOrder.tote_id == tote.id)
        .outerjoin(tasks, sa.and_(tasks.c.order_id == Order.id, tasks.c.tote_number == BatchOrder.tote_number))
        .where(BatchOrder.batch_id == batch_id)
        .order_by(BatchOrder.tote_number, Order.id)).all()


def order_picks(order_id: int):
    """Every pick task of an order's lines (any batch), in batch and route order, with its tote."""
    tote = aliased(Location)
    slot = aliased(BatchOrder)
    return db.session.execute(
        _task_rows().add_columns(tote.code.label("tote"), PickBatch.status.label("batch_status"))
        .join(PickBatch, PickTask.batch_id == PickBatch.id)
        .outerjoin(slot, sa.and_(slot.batch_id == PickTask.batch_id, slot.order_id == Order.id))
        .outerjoin(tote, slot.tote_id == tote.id)
        .where(Order.id == order_id)
        .order_by(PickTask.batch_id, PickTask.sequence, PickTask.id)).all()


# --- People ------------------------------------------------------------------------------------------

def pickers_at_work(now: datetime) -> list[dict]:
    """Who is picking what: pickers signed in on a handheld, and anyone holding a batch being picked, with
    their current batch, its picks left and their last pick time."""
    signed_in = db.session.execute(
        sa.select(ApiToken.user_id, sa.func.max(ApiToken.created_at).label("since"))
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.kind == TokenKind.DEVICE, ApiToken.revoked_at.is_(None),
               sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
               User.active, User.role == Role.PICKER)
        .group_by(ApiToken.user_id)).all()
    since = {row.user_id: row.since for row in signed_in}
    left = (sa.select(PickTask.batch_id, sa.func.count().label("left"))
            .where(PickTask.status.in_(TO_PICK)).group_by(PickTask.batch_id).subquery())
    batches = db.session.execute(
        sa.select(PickBatch.picker_id, PickBatch.id, PickBatch.started_at,
                  sa.func.coalesce(left.c.left, 0).label("left"))
        .outerjoin(left, left.c.batch_id == PickBatch.id)
        .where(PickBatch.status == BatchStatus.PICKING, PickBatch.picker_id.is_not(None))
        .order_by(PickBatch.id)).all()
    current = {row.picker_id: row for row in batches}  # the newest batch a picker holds
    user_ids = set(since) | set(current)
    if not user_ids:
        return []
    last_pick = dict(db.session.execute(
        sa.select(PickTask.picked_by, sa.func.max(PickTask.picked_at))
        .where(PickTask.picked_by.in_(user_ids)).group_by(PickTask.picked_by)).all())
    people = db.session.execute(sa.select(User.id, User.username, User.display_name)
                                .where(User.id.in_(user_ids)).order_by(User.username)).all()
    return [{"user": p.username, "name": p.display_name, "signed_in_at": since.get(p.id),
             "batch_id": current[p.id].id if p.id in current else None,
             "picks_left": current[p.id].left if p.id in current else 0,
             "last_pick_at": last_pick.get(p.id)} for p in people]


def picks_per_picker(since: datetime, until: datetime) -> list[dict]:
    """Per picker, the picks made in [since, until): units, lines, first and last pick, lines per hour
    (first to last pick; None for a single pick) and the scans the scan log refused them meanwhile."""
    rows = db.session.execute(
        sa.select(PickTask.picked_by, User.username, User.display_name,
                  sa.func.count().label("lines"),
                  sa.func.coalesce(sa.func.sum(PickTask.qty_picked), 0).label("units"),
                  sa.func.min(PickTask.picked_at).label("first"), sa.func.max(PickTask.picked_at).label("last"))
        .join(User, PickTask.picked_by == User.id)
        .where(PickTask.picked_at >= since, PickTask.picked_at < until, PickTask.status.in_(DONE_TASKS))
        .group_by(PickTask.picked_by, User.username, User.display_name)
        .order_by(User.username)).all()
    if not rows:
        return []
    errors = dict(db.session.execute(
        sa.select(ScanLog.user_id, sa.func.count())
        .where(ScanLog.user_id.in_([r.picked_by for r in rows]), ScanLog.at >= since, ScanLog.at < until,
               ScanLog.outcome != "ok")
        .group_by(ScanLog.user_id)).all())
    out = []
    for r in rows:
        hours = (r.last - r.first).total_seconds() / 3600 if r.first and r.last else 0
        out.append({"user": r.username, "name": r.display_name, "lines": r.lines, "units": int(r.units),
                    "first": r.first, "last": r.last,
                    "lines_per_hour": round(r.lines / hours, 1) if hours else None,
                    "errors": errors.get(r.picked_by, 0)})
    return out


def pick_points_due_before(until: datetime) -> dict[int, tuple[tuple[float, float], ...]]:
    """Where a picker walks for each open order due before `until`: the floor points (x, y) of the bins with
    units reserved for it (units already picked sit reserved in a tote, not a bin), by order id."""
    rows = db.session.execute(
        sa.select(OrderLine.order_id, Location.x, Location.y).distinct()
        .join(Reservation, Reservation.order_line_id == OrderLine.id)
        .join(StockBalance, StockBalance.id == Reservation.balance_id)
        .join(Location, Location.id == StockBalance.location_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.ship_by < until, Order.status.not_in(CLOSED_ORDER_STATUSES),
               Location.kind.not_in(CONTAINER_KINDS), Location.x.is_not(None), Location.y.is_not(None))).all()
    points: dict[int, list] = {}
    for order_id, x, y in rows:
        points.setdefault(order_id, []).append((x, y))
    return {order_id: tuple(sorted(p)) for order_id, p in points.items()}

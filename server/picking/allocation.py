"""Allocation (issue 8, item 3): reserve stock for open orders, the most urgent ship-by first.

An order is allocated when every unit of its lines has a reservation behind it; one that cannot be fully
reserved stays open with Order.short_units > 0 (shown as short) and keeps what it got, so a later receipt or
put-away only has to cover the rest on the next run. The stock rule itself (which bins, how much) is
server/inventory/reservations.py; this module decides who comes first and keeps the orders' status.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ..db import claim_write_lock
from ..extensions import db
from ..inventory import reservations
from ..inventory.ledger import Actor
from ..inventory.ledger_models import Reservation
from ..orders.errors import InvalidTransition
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.status import change_status


@dataclass
class AllocationResult:
    """What one allocation run did: orders looked at, those now fully allocated, those still short."""

    orders: int = 0
    allocated: list[int] = field(default_factory=list)
    short: list[int] = field(default_factory=list)
    reserved_units: int = 0


def priority(order: Order) -> tuple:
    """THE allocation order: earliest ship-by first (orders without one last), then purchase time, then id."""
    return (order.ship_by is None, order.ship_by or order.ordered_at, order.ordered_at, order.id)


def _missing(lines, line_ids: sa.Select | None = None) -> dict[int, int]:
    """Units of each line (an OrderLine or a row with its id and qty) with no reservation behind them, in a bin
    or picked into a tote. line_ids: a SELECT of (at least) these lines' ids, to read them by."""
    reserved = reservations.reserved_by_line(line.id for line in lines) if line_ids is None else \
        reservations.reserved_by_line(line_ids)
    return {line.id: max(0, line.qty - reserved.get(line.id, 0)) for line in lines}


def allocate(order_ids: list[int] | None = None, *, actor: Actor | None) -> AllocationResult:
    """Reserve what open orders miss (all of them, or just these), most urgent first; idempotent.

    Orders are locked (id order) before any balance row, as every writer of orders and stock does: an order
    being cancelled meanwhile is left alone. Each order's short_units is set; a fully reserved one becomes
    allocated (its history says who). All reads are batched: a thousand orders take a handful of statements.
    """
    claim_write_lock(db.session)
    conditions = [Order.status == OrderStatus.OPEN]
    if order_ids is not None:
        if not order_ids:
            return AllocationResult()
        conditions.append(Order.id.in_(sorted(set(order_ids))))
    orders = list(db.session.scalars(sa.select(Order).where(*conditions).order_by(Order.id)
                                     .with_for_update(of=Order).execution_options(populate_existing=True)))
    if not orders:
        return AllocationResult()
    orders.sort(key=priority)
    # The lines as plain rows (a thousand orders' lines as objects cost more than all the rest).
    rank = {order.id: n for n, order in enumerate(orders)}
    of_these = sa.select(OrderLine.id).join(Order, Order.id == OrderLine.order_id).where(*conditions)
    lines = sorted((row for row in db.session.execute(
        of_these.with_only_columns(OrderLine.id, OrderLine.order_id, OrderLine.item_id, OrderLine.qty))
        if row.order_id in rank), key=lambda row: (rank[row.order_id], row.id))
    missing = _missing(lines, of_these)
    reservations.reserve_many([reservations.Request(line.id, line.item_id, missing[line.id])
                               for line in lines if missing[line.id]], actor=actor)
    still = _missing(lines, of_these)
    short = dict.fromkeys(rank, 0)
    for line in lines:
        short[line.order_id] += still[line.id]
    result = AllocationResult(orders=len(orders), reserved_units=sum(missing.values()) - sum(still.values()))
    for order in orders:
        order.short_units = short[order.id]
        if order.short_units:
            result.short.append(order.id)
        else:
            change_status(order, OrderStatus.ALLOCATED, actor=actor)
            result.allocated.append(order.id)
    db.session.flush()
    return result


def shortage(order: Order) -> list[dict]:
    """What the order misses, per item, and where unreserved units of it are that allocation may not take
    (docks and staging while receiving, containers, blocked or unpickable locations).
    → [{"sku", "name", "missing", "elsewhere": [{"location", "kind", "qty"}]}], lines' order."""
    missing = _missing(order.lines)
    by_item: dict[int, dict] = {}
    for line in order.lines:
        if missing[line.id]:
            entry = by_item.setdefault(line.item_id, {"sku": line.item.sku, "name": line.item.name, "missing": 0})
            entry["missing"] += missing[line.id]
    elsewhere = reservations.stock_elsewhere(by_item)
    return [{**entry, "elsewhere": elsewhere.get(item_id, [])} for item_id, entry in by_item.items()]


def _lock_order(order: Order) -> None:
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)


def release_order(order: Order, *, actor: Actor | None) -> int:
    """Unallocate: free every reservation of the order whose units are still in their locations; an allocated
    order goes back to open (not short: nothing was tried since). Units already picked into a tote keep theirs,
    so an order being picked is refused (cancel it, or cancel its batch). → units released."""
    claim_write_lock(db.session)
    _lock_order(order)
    if order.status not in (OrderStatus.OPEN, OrderStatus.ALLOCATED):
        raise InvalidTransition(_("Order %(order)s is %(status)s: only an open or allocated order can give back "
                                  "its stock.", order=order.channel_order_id, status=order.status.label))
    held = reservations.reservations_of(line.id for line in order.lines)
    picked = reservations.in_containers(held)
    released = reservations.release([r for r in held if r.id not in picked], actor=actor)
    order.short_units = 0
    change_status(order, OrderStatus.OPEN, actor=actor, note=_("Stock released"))
    db.session.flush()
    return released


def reallocate_line(order_line: OrderLine, *, exclude_location_ids=(), actor: Actor | None) -> list[Reservation]:
    """Reserve what the line misses again (after a short pick), not from the excluded locations; the order's
    short_units follows. → the reservations made or topped up (empty: the order is now short)."""
    claim_write_lock(db.session)
    need = _missing([order_line])[order_line.id]
    made = reservations.reserve(order_line_id=order_line.id, item=order_line.item_id, qty=need,
                                exclude_location_ids=exclude_location_ids, actor=actor) if need else []
    order = order_line.order
    order.short_units = sum(_missing(order.lines).values())
    db.session.flush()
    return made

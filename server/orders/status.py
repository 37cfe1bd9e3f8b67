"""The order status machine, in one place: which changes are allowed, and the history row each one leaves."""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..inventory.ledger import Actor
from .errors import InvalidTransition
from .models import Order, OrderEvent, OrderStatus

S = OrderStatus
# Forward through the floor; back to open when a batch is cancelled or stock is released; cancelled from
# anything not yet shipped. Packed and shipped are set by packing and shipping (issue 9); an order that cannot
# ship goes back to open from the pack bench (packing/unpack.py).
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.OPEN: frozenset({S.ALLOCATED, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.OPEN, S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PICKED, S.ALLOCATED, S.OPEN, S.CANCELLED}),
    S.PICKED: frozenset({S.PACKED, S.PICKING, S.OPEN, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.OPEN, S.CANCELLED}),
    S.SHIPPED: frozenset({S.PACKED}),  # its label voided before it left (server/shipping/services.py)
    S.CANCELLED: frozenset(),
}
CLOSED_ORDER_STATUSES = (S.SHIPPED, S.CANCELLED)


def change_status(order: Order, to: OrderStatus, *, actor: Actor | None, note: str | None = None) -> OrderEvent | None:
    """Move the order to `to` and record who and when; the same status again is a no-op (returns None).

    The caller holds whatever lock makes the change safe (the ledger's write lock for stock-related changes).
    """
    to = OrderStatus(to)
    if order.status == to:
        return None
    if to not in ALLOWED[order.status]:
        raise InvalidTransition(_("Order %(order)s is %(status)s; it cannot become %(to)s.",
                                  order=order.channel_order_id, status=order.status.label, to=to.label))
    return record_event(order, to, actor=actor, note=note)


def record_event(order: Order, to: OrderStatus, *, actor: Actor | None, note: str | None = None) -> OrderEvent:
    """Write a history row (also for events that keep the status, e.g. a channel's cancel request)."""
    event = OrderEvent(order=order, from_status=order.status, to_status=to, note=note[:300] if note else None,
                       user_id=actor.user_id if actor else None, device_id=actor.device_id if actor else None)
    order.status = to
    db.session.add(event)
    return event

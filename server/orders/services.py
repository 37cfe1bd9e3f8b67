"""Order rules: creating an order (API and imports), cancelling one (its stock released), and a channel's
cancel requests, which a supervisor decides — an order is never cancelled silently.

Services flush, never commit: the request (or the import's savepoint) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..catalog.queries import item_by_sku
from ..db import claim_write_lock, utcnow
from ..errors import InvalidInput, get_or_404
from ..extensions import db
from ..inventory.ledger import Actor
from .errors import DuplicateOrder, InvalidTransition, NoCancelRequest, UnknownSku
from .models import CancelSource, Order, OrderLine, OrderStatus, ShipBySource
from .ship_by import WarehouseCalendar
from .status import CLOSED_ORDER_STATUSES, change_status, record_event

MAX_REASON = 200  # Order.cancel_reason / channel_cancel_note

# Run when an order is cancelled, after its status changed and before its reservations are released:
# picking registers one (cancel the order's open pick tasks) without orders importing picking.
CancelHook = Callable[[Order, Actor | None], None]
_cancel_hooks: list[CancelHook] = []


def on_cancel(fn: CancelHook) -> CancelHook:
    """Register fn(order, actor) to run in the cancelling transaction (usable as a decorator)."""
    if fn not in _cancel_hooks:
        _cancel_hooks.append(fn)
    return fn


def calendar() -> WarehouseCalendar:
    return WarehouseCalendar.from_config(current_app.config)


def find_order(channel: str, channel_order_id: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.channel == channel,
                                                    Order.channel_order_id == channel_order_id))


def get_order(order_id: int) -> Order:
    return get_or_404(Order, order_id, _("No order %(id)d.", id=order_id))


def line_item(sku: str, index: int):
    """The active item a line orders; UnknownSku (422, naming the SKU; `line_index` = index) otherwise."""
    item = item_by_sku(sku)
    if item is None or not item.active:
        error = UnknownSku(_("Unknown SKU %(sku)s: no active item has it.", sku=sku), field=f"lines.{index}.sku")
        error.line_index = index
        raise error
    return item


def create_order(data: dict, *, actor: Actor | None, source: str = "api") -> Order:
    """Create an open order from the API's shape (OrderIn): its lines' SKUs must be active items.

    Ship-by: the channel's deadline when the data gives one (ship_by_source channel), else the warehouse
    calendar's from the purchase time (computed). The same channel and channel order id again: 409 naming
    the existing order. The history starts with a "created" row saying who and from where.
    """
    channel, channel_order_id = data["channel"].strip().lower(), data["channel_order_id"].strip()
    existing = find_order(channel, channel_order_id)
    if existing is not None:
        raise DuplicateOrder(_("Order %(ref)s from %(channel)s exists already (order %(id)d).",
                               ref=channel_order_id, channel=channel, id=existing.id), order_id=existing.id)
    lines, seen_line_ids = [], set()
    for index, line in enumerate(data["lines"]):
        line_id = line.get("channel_line_id") or None
        if line_id is not None and line_id in seen_line_ids:
            raise InvalidInput(_("Line id %(id)s appears twice in the order.", id=line_id),
                               field=f"lines.{index}.channel_line_id")
        seen_line_ids.add(line_id)
        lines.append(OrderLine(item=line_item(line["sku"], index), qty=line["qty"], channel_line_id=line_id,
                               product_name=line.get("product_name")))
    ordered_at = data.get("ordered_at") or utcnow()
    ship_to = data["ship_to"]
    order = Order(
        channel=channel, channel_order_id=channel_order_id,
        customer_name=data.get("customer_name"), customer_email=data.get("customer_email"),
        ship_to_name=ship_to["name"], ship_to_address1=ship_to["address1"],
        ship_to_address2=ship_to.get("address2"), ship_to_address3=ship_to.get("address3"),
        ship_to_city=ship_to["city"], ship_to_state=ship_to.get("state"),
        ship_to_postal_code=ship_to["postal_code"], ship_to_country=ship_to["country"].upper(),
        ship_to_phone=ship_to.get("phone"), service_level=data.get("service_level"),
        ordered_at=ordered_at, deliver_by=data.get("deliver_by"), lines=lines)
    if data.get("ship_by") is not None:
        order.ship_by, order.ship_by_source = data["ship_by"], ShipBySource.CHANNEL
    else:
        order.ship_by, order.ship_by_source = calendar().ship_by(ordered_at), ShipBySource.COMPUTED
    db.session.add(order)
    # The first history row: from no status to open (status is unset until then).
    record_event(order, OrderStatus.OPEN, actor=actor, note=_("Created (%(source)s).", source=source))
    db.session.flush()
    return order


def add_line(order: Order, line: dict, *, actor: Actor | None, index: int = 0) -> OrderLine:
    """A line the channel added to a known order: only while the order is open (nothing reserved or picked
    for it yet); otherwise the caller reports it, as an import does, rather than changing work in progress."""
    if order.status != OrderStatus.OPEN:
        raise InvalidTransition(_("Order %(ref)s is %(status)s: its new line %(line)s is not added.",
                                  ref=order.channel_order_id, status=order.status.label,
                                  line=line.get("channel_line_id") or line["sku"]))
    new = OrderLine(order=order, item=line_item(line["sku"], index), qty=line["qty"],
                    channel_line_id=line.get("channel_line_id") or None, product_name=line.get("product_name"))
    db.session.add(new)
    record_event(order, order.status, actor=actor, note=_("Line %(line)s added by the channel (%(sku)s x%(qty)d).",
                                                          line=new.channel_line_id or "", sku=line["sku"],
                                                          qty=line["qty"]))
    db.session.flush()
    return new


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason for the cancellation."), field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("The reason is longer than %(n)d characters.", n=MAX_REASON), field="reason")
    return reason


def cancel_order(order: Order, *, reason: str, source: CancelSource | str, actor: Actor | None) -> Order:
    """Cancel an order that is not shipped: the registered hooks run (picking cancels its open tasks), every
    reservation of its lines is released, and the history says who, when, why and on whose behalf (seller
    cancellations count toward the channel's pre-fulfilment cancel rate, buyer ones don't)."""
    from ..inventory.reservations import release

    reason, source = _reason(reason), CancelSource(source)
    claim_write_lock(db.session)
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(_("Order %(ref)s is cancelled already.", ref=order.channel_order_id))
    change_status(order, OrderStatus.CANCELLED, actor=actor, note=f"{source.label}: {reason}")
    order.cancel_source, order.cancel_reason = source, reason
    order.channel_cancel_requested_at = order.channel_cancel_note = None  # decided
    for hook in _cancel_hooks:
        hook(order, actor)
    release(order_line_ids=[line.id for line in order.lines], actor=actor)
    db.session.flush()
    return order


def request_channel_cancel(order: Order, *, note: str, actor: Actor | None,
                           at: datetime | None = None) -> bool:
    """The channel says the order is cancelled (a cancel flag, or a later full report without it): flag it
    for a supervisor's decision. False when it is closed or flagged already (nothing written)."""
    if order.status in CLOSED_ORDER_STATUSES or order.channel_cancel_requested_at is not None:
        return False
    note = note.strip()[:MAX_REASON]
    order.channel_cancel_requested_at, order.channel_cancel_note = at or utcnow(), note
    record_event(order, order.status, actor=actor, note=_("Channel cancel request: %(note)s", note=note))
    return True


def decide_channel_cancel(order: Order, *, cancel: bool, actor: Actor | None, reason: str | None = None,
                          source: CancelSource | str = CancelSource.CHANNEL) -> Order:
    """A supervisor's decision on the channel's cancel request: cancel the order (source channel, or buyer
    when the buyer asked), or keep it and clear the request. Both are recorded in the history."""
    if order.channel_cancel_requested_at is None:
        raise NoCancelRequest(_("Order %(ref)s has no cancel request from its channel.", ref=order.channel_order_id))
    if cancel:
        return cancel_order(order, reason=reason or order.channel_cancel_note or _("Cancelled by the channel."),
                            source=source, actor=actor)
    note = _("Channel cancel request declined: the order stays.")
    if reason and reason.strip():
        note = f"{note} {_reason(reason)}"
    order.channel_cancel_requested_at = order.channel_cancel_note = None
    record_event(order, order.status, actor=actor, note=note)
    db.session.flush()
    return order


# --- reading orders (the API's list and detail) ---------------------------------------------------------

def search_orders(*, status: str | None = None, channel: str | None = None, urgency: str | None = None,
                  q: str | None = None, limit: int = 50, offset: int = 0,
                  now: datetime | None = None) -> tuple[list[Order], int]:
    """Orders matching the filters, most urgent first (ship-by, then id), and how many match in all.

    urgency: overdue / due_2h / due_today / later by orders/urgency.py, in the warehouse's time zone."""
    from . import queries

    stmt = sa.select(Order).where(*queries.order_conditions(queries.OrderFilter(
        status=status or queries.ALL_STATUSES, channel=channel.strip().lower() if channel else None,
        urgency=urgency, now=now or utcnow(), tz=calendar().timezone, q=q.strip() if q else None)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(*queries.most_urgent_first()).limit(limit).offset(offset)).all()
    return list(rows), total


def order_out(order: Order) -> dict:
    return {
        "id": order.id, "channel": order.channel, "channel_order_id": order.channel_order_id,
        "status": order.status.value, "customer_name": order.customer_name, "customer_email": order.customer_email,
        "ship_to": {"name": order.ship_to_name, "address1": order.ship_to_address1,
                    "address2": order.ship_to_address2, "address3": order.ship_to_address3,
                    "city": order.ship_to_city, "state": order.ship_to_state,
                    "postal_code": order.ship_to_postal_code, "country": order.ship_to_country,
                    "phone": order.ship_to_phone},
        "service_level": order.service_level, "ordered_at": order.ordered_at, "ship_by": order.ship_by,
        "ship_by_source": order.ship_by_source.value, "deliver_by": order.deliver_by,
        "short_units": order.short_units,
        "cancel_request": ({"requested_at": order.channel_cancel_requested_at, "note": order.channel_cancel_note}
                           if order.channel_cancel_requested_at else None),
        "cancel_source": order.cancel_source.value if order.cancel_source else None,
        "cancel_reason": order.cancel_reason,
        "lines": [{"id": line.id, "sku": line.item.sku, "name": line.item.name, "product_name": line.product_name,
                   "channel_line_id": line.channel_line_id, "qty": line.qty, "qty_picked": line.qty_picked}
                  for line in order.lines],
        "created_at": order.created_at,
    }


def order_detail_out(order: Order) -> dict:
    """The order with its history, oldest first: who (user name), on which device, when, why."""
    from ..auth.models import User

    user_ids = {e.user_id for e in order.events if e.user_id}
    names = dict(db.session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    history = [{"at": e.created_at, "from_status": e.from_status.value if e.from_status else None,
                "to_status": e.to_status.value, "user": names.get(e.user_id), "device_id": e.device_id,
                "note": e.note} for e in order.events]
    return {**order_out(order), "history": history}

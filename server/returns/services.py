"""Customer returns: find what came back (order, tracking number or RMA), grade each unit, dispose of it through
the ledger (restock, quarantine, scrap), and hand the refund-ready lines to whoever refunds the customer."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..catalog import services as catalog
from ..db import utcnow
from ..errors import DomainError, InvalidInput, NotFound, get_or_404
from ..extensions import db
from ..inventory import ledger
from ..inventory.codes import MoveKind, VirtualLocation
from ..inventory.ledger import Actor
from ..inventory.locations import get_location
from ..orders.models import Order
from ..packing.models import Package
from .models import Condition, Disposition, Return, ReturnLine, ReturnStatus

# Where quarantined units go when the receiver names no location (a blocked location: never sellable).
DEFAULT_QUARANTINE = "QUARANTINE"


class ReturnClosed(DomainError):
    status, code, title = 409, "return_closed", "Return closed"


def _find_order(code: str) -> tuple[Order | None, str | None]:
    """The order a scanned code names: its channel order id, a package's tracking number, or its own id
    (#12 or 12). Returns the order and the tracking number when that is what matched."""
    order = db.session.scalar(sa.select(Order).where(Order.channel_order_id == code).order_by(Order.id).limit(1))
    if order is not None:
        return order, None
    package = db.session.scalar(sa.select(Package).where(Package.tracking_number == code).limit(1))
    if package is not None:
        return db.session.get(Order, package.order_id), code
    digits = code.removeprefix("#")
    if digits.isdigit() and len(digits) < 12:
        return db.session.get(Order, int(digits)), None
    return None, None


def start_return(code: str | None, *, rma: str | None = None, note: str | None = None, actor: Actor) -> Return:
    """Open a return for the order a code names (channel order id, tracking number, order id), or for an RMA
    alone. A known RMA (given as rma or scanned as code) gives back its return: scanning the label twice
    opens nothing twice."""
    code, rma = (code or "").strip() or None, (rma or "").strip() or None
    if code is None and rma is None:
        raise InvalidInput(_("Scan the return label, the order or the tracking number, or give an RMA."),
                           field="code", expected="an order id, tracking number or RMA")
    for known in (rma, code):
        if known is not None:
            existing = db.session.scalar(sa.select(Return).where(Return.rma == known))
            if existing is not None:
                return existing
    order = tracking = None
    if code is not None:
        order, tracking = _find_order(code)
        if order is None:
            raise NotFound(_("No order, tracking number or RMA matches %(code)s.", code=code), field="code")
    ret = Return(order_id=order.id if order else None, rma=rma, tracking_number=tracking, note=note,
                 received_by=actor.user_id)
    db.session.add(ret)
    db.session.flush()
    return ret


def get_return(return_id: int) -> Return:
    return get_or_404(Return, return_id, _("No return %(id)d.", id=return_id), "return")


def _order_line(ret: Return, item, qty: int):
    """The order line an item comes back against; more units back than were ordered is refused."""
    if ret.order_id is None:
        return None
    order = db.session.get(Order, ret.order_id)
    line = next((ln for ln in order.lines if ln.item_id == item.id), None)
    if line is None:
        raise InvalidInput(_("%(sku)s is not on order %(order)s.", sku=item.sku, order=order.channel_order_id),
                           field="item", expected="an item of the order")
    back = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ReturnLine.qty), 0))
                             .where(ReturnLine.order_line_id == line.id))
    if back + qty > line.qty:
        raise InvalidInput(_("Order %(order)s had %(n)d of %(sku)s; %(back)d came back already.",
                             order=order.channel_order_id, n=line.qty, sku=item.sku, back=back),
                           field="qty", expected=f"at most {line.qty - back}")
    return line


def _destination(disposition: Disposition, condition: Condition, location: str | None):
    if disposition == Disposition.SCRAP:
        return ledger.virtual(VirtualLocation.SCRAP)
    if disposition == Disposition.RESTOCK:
        if condition != Condition.SELLABLE:
            raise InvalidInput(_("Only a sellable unit goes back to a bin: quarantine or scrap it."),
                               field="disposition", expected="quarantine or scrap")
        if not location:
            raise InvalidInput(_("Scan the bin the units go back to."), field="location", expected="a bin")
        return ledger.require_physical(get_location(location), "location")
    code = location or current_app.config.get("RETURNS_QUARANTINE_LOCATION", DEFAULT_QUARANTINE)
    loc = ledger.require_physical(get_location(code), "location")
    if not loc.blocked:  # quarantined units must never be picked or sold
        raise InvalidInput(_("%(code)s is not blocked: quarantine goes into a blocked location.", code=loc.code),
                           field="location", expected="a blocked (quarantine) location")
    return loc


def add_line(ret: Return, *, item_code: str, qty: int, condition: str, disposition: str,
             location: str | None = None, lot: str | None = None, actor: Actor) -> ReturnLine:
    """Grade units of one item and dispose of them: restock (sellable only) is a RETURN movement from CUSTOMER
    into the bin, quarantine one into a blocked location, scrap a SCRAP movement from CUSTOMER to SCRAP (no
    stock added). The movement's id stays on the line."""
    if ret.status != ReturnStatus.OPEN:
        raise ReturnClosed(_("This return is closed."), field="return")
    condition, disposition = Condition(condition), Disposition(disposition)
    item = catalog.get_item(item_code, field="item")
    order_line = _order_line(ret, item, qty)
    dst = _destination(disposition, condition, location)
    kind = MoveKind.SCRAP if disposition == Disposition.SCRAP else MoveKind.RETURN
    moves = ledger.post_move(kind=kind, item=item, qty=qty, src=ledger.virtual(VirtualLocation.CUSTOMER), dst=dst,
                             lot=lot, ref_type="return", ref_id=ret.id, actor=actor,
                             into_blocked=disposition == Disposition.QUARANTINE)
    line = ReturnLine(ret=ret, order_line_id=order_line.id if order_line else None, item=item, qty=qty,
                      lot=moves[0].lot, condition=condition, disposition=disposition,
                      location_id=None if dst.is_virtual else dst.id, move_id=moves[0].id,
                      created_by=actor.user_id)
    db.session.add(line)
    db.session.flush()
    return line


def close_return(ret: Return) -> Return:
    if ret.status == ReturnStatus.OPEN:
        ret.status, ret.closed_at = ReturnStatus.CLOSED, utcnow()
        db.session.flush()
    return ret


def _refund_ready():
    return (sa.select(ReturnLine).where(ReturnLine.refund_ready, ReturnLine.refund_exported_at.is_(None))
            .order_by(ReturnLine.id))


def refund_ready_lines() -> list[ReturnLine]:
    """Lines waiting for the customer's refund: graded, not yet exported."""
    return list(db.session.scalars(_refund_ready()))


REFUND_COLUMNS = ("return_id", "rma", "channel", "order_id", "order_item_id", "sku", "qty", "condition",
                  "disposition", "received_at")


def export_refunds() -> list[tuple]:
    """The refund-ready lines as rows of REFUND_COLUMNS, marked exported (locked first: two exports never hand
    out a line twice)."""
    lines = list(db.session.scalars(_refund_ready().with_for_update()))
    rows, now = [], utcnow()
    for line in lines:
        ret = line.ret
        order = db.session.get(Order, ret.order_id) if ret.order_id else None
        order_line = next((ln for ln in order.lines if ln.id == line.order_line_id), None) if order else None
        rows.append((ret.id, ret.rma or "", order.channel if order else "",
                     order.channel_order_id if order else "",
                     (order_line.channel_line_id or "") if order_line else "", line.item.sku, line.qty,
                     line.condition.value, line.disposition.value, ret.received_at.isoformat()))
        line.refund_exported_at = now
    db.session.flush()
    return rows


def refund_csv(rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REFUND_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()

"""The counts API's shapes (docs/counts-api.md). A counter's answers carry no expected quantity, balance or
delta: blind counts; only the supervisor's Variance shape has them."""

from __future__ import annotations

import sqlalchemy as sa
from apiflask import Schema
from apiflask.fields import Boolean, Date, Integer, List, Nested, String
from apiflask.validators import Length, Range

from ..catalog.models import Item
from ..extensions import db
from ..inventory.codes import MAX_QTY
from ..inventory.ledger import lot_out
from .models import CountEntry, CountTask, CountVariance


# --- input -----------------------------------------------------------------------------------------------

class EntryIn(Schema):
    item = String(required=True, validate=Length(1, 512),
                  metadata={"description": "exactly what the scanner sent: SKU, barcode or GS1"})
    qty = Integer(load_default=None, strict=True, validate=Range(0, MAX_QTY),
                  metadata={"description": "units counted; left out: the scanned barcode's units"})
    lot = String(load_default=None, validate=Length(1, 40))


class EmptyIn(Schema):
    pass


class TaskIn(Schema):
    location = String(required=True, validate=Length(1, 64))
    item = String(load_default=None, validate=Length(1, 512), metadata={"description": "left out: the whole bin"})


class ListIn(Schema):
    day = Date(load_default=None, metadata={"description": "left out: today"})
    target_minutes = Integer(required=True, strict=True, validate=Range(1, 24 * 60))


# --- output ------------------------------------------------------------------------------------------------

class ItemRef(Schema):
    sku = String()
    name = String()


class EntryOut(Schema):
    id = Integer()
    sku = String()
    name = String()
    lot = String(allow_none=True)
    qty = Integer()
    unexpected = Boolean()


class CountTaskOut(Schema):
    id = Integer()
    location = String()
    item = Nested(ItemRef, allow_none=True)
    reason = String()
    status = String()
    empty_confirmed = Boolean()
    entries = List(Nested(EntryOut), metadata={"description": "your own entries on this task"})


class FinishOut(Schema):
    task_id = Integer()
    status = String(metadata={"description": "posted, recount or approval"})
    next = Nested(CountTaskOut, allow_none=True)


class VarianceOut(Schema):
    id = Integer()
    task_id = Integer()
    location = String()
    sku = String()
    lot = String(allow_none=True)
    expected_qty = Integer()
    counted_qty = Integer()
    delta = Integer()
    value_cents = Integer()
    status = String()
    adjustment_move_id = Integer(allow_none=True)


class ClassesOut(Schema):
    A = Integer()
    B = Integer()
    C = Integer()


class ListOut(Schema):
    id = Integer()
    day = Date()
    target_minutes = Integer()
    tasks = Integer()


def task_out(task: CountTask, user_id: int | None) -> dict:
    """A task as its counter sees it: the bin, the item if any, and what they counted themselves."""
    rows = db.session.execute(
        sa.select(CountEntry, Item.sku, Item.name).join(Item, Item.id == CountEntry.item_id)
        .where(CountEntry.task_id == task.id, CountEntry.user_id == user_id).order_by(CountEntry.id)).all()
    return {"id": task.id, "location": task.location.code,
            "item": {"sku": task.item.sku, "name": task.item.name} if task.item else None,
            "reason": task.reason.value, "status": task.status.value, "empty_confirmed": task.empty_confirmed,
            "entries": [{"id": e.id, "sku": sku, "name": name, "lot": lot_out(e.lot), "qty": e.qty,
                         "unexpected": e.unexpected} for e, sku, name in rows]}


def variance_out(variance: CountVariance) -> dict:
    task = db.session.get(CountTask, variance.task_id)
    return {"id": variance.id, "task_id": variance.task_id, "location": task.location.code,
            "sku": variance.item.sku, "lot": lot_out(variance.lot), "expected_qty": variance.expected_qty,
            "counted_qty": variance.counted_qty, "delta": variance.delta, "value_cents": variance.value_cents,
            "status": variance.status.value, "adjustment_move_id": variance.adjustment_move_id}

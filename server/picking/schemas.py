"""The picking API's request and response shapes (docs/picking-api.md), and the answers built from models.

An answer is built with a handful of queries for the whole batch (barcodes, totes, orders, expiries), never
one per task: a batch of 20 orders has 40-odd tasks and the handheld asks for it after every scan it replays.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from apiflask import Schema
from apiflask.fields import Boolean, DateTime, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range

from ..catalog.models import Item, ItemBarcode
from ..extensions import db
from ..inventory.codes import MAX_QTY
from ..inventory.ledger import lot_out
from ..inventory.ledger_models import StockBalance
from ..inventory.models import Location, Zone
from ..orders.models import Order, OrderLine
from ..auth.models import User
from .models import BatchStatus, PickBatch, PickTask, TaskStatus

TO_PICK = (TaskStatus.OPEN, TaskStatus.SKIPPED)


# --- input -----------------------------------------------------------------------------------------------

class CartIn(Schema):
    cart = String(required=True, validate=Length(1, 64), metadata={"description": "the scanned cart code"})


class PickIn(Schema):
    location = String(required=True, validate=Length(1, 64), metadata={"description": "the scanned bin"})
    item = String(required=True, validate=Length(1, 512),
                  metadata={"description": "exactly what the scanner sent: SKU, barcode or GS1"})
    qty = Integer(load_default=None, strict=True, validate=Range(1, MAX_QTY), metadata={
        "description": "base units picked; left out: the units of the scanned barcode (a case pack counts its units)"})
    tote = String(required=True, validate=Length(1, 64), metadata={"description": "the scanned tote"})
    lot = String(load_default=None, validate=Length(1, 40))
    expiry = String(load_default=None, validate=Length(10, 10),
                    metadata={"description": "ISO date naming the lot of a lot-tracked item"})


class ShortIn(Schema):
    found = Integer(required=True, strict=True, validate=Range(0, MAX_QTY),
                    metadata={"description": "units found in the bin (0: empty)"})
    tote = String(load_default=None, validate=Length(1, 64), metadata={"description": "required when found > 0"})


class SkipIn(Schema):
    pass


class BatchIn(Schema):
    size = Integer(load_default=None, strict=True, validate=Range(1, 50))
    zone = String(load_default=None, validate=Length(1, 16))
    sort_later = Boolean(load_default=False)


class BatchQuery(Schema):
    status = String(load_default=None, validate=OneOf([s.value for s in BatchStatus]))
    limit = Integer(load_default=100, validate=Range(1, 500))


# --- output ----------------------------------------------------------------------------------------------

class PickBarcodeOut(Schema):
    code = String()
    units = Integer()


class TaskItemOut(Schema):
    sku = String()
    name = String()
    tracks_lot = Boolean()
    tracks_expiry = Boolean()
    barcodes = List(Nested(PickBarcodeOut))


class OrderRef(Schema):
    id = Integer()
    channel = String()
    channel_order_id = String()
    ship_by = DateTime(allow_none=True)


class TaskOut(Schema):
    id = Integer()
    sequence = Integer()
    status = String()
    location = String()
    zone = String(allow_none=True)
    item = Nested(TaskItemOut)
    lot = String(allow_none=True)
    expiry = String(allow_none=True)
    qty = Integer()
    qty_picked = Integer()
    qty_left = Integer()
    tote_number = Integer()
    tote = String(allow_none=True)
    order = Nested(OrderRef)


class ProgressOut(Schema):
    tasks = Integer()
    tasks_left = Integer()
    units = Integer()
    units_left = Integer()
    totes = Integer()
    totes_done = Integer()


class ToteOut(Schema):
    number = Integer()
    code = String(allow_none=True)
    orders = List(Nested(OrderRef))
    done = Boolean()


class BatchSummaryOut(Schema):
    id = Integer()
    code = String()
    status = String()
    zone = String(allow_none=True)
    sort_later = Boolean()
    cart = String(allow_none=True)
    picker = String(allow_none=True)
    route_m = Float(allow_none=True)
    created_at = DateTime()
    released_at = DateTime(allow_none=True)
    started_at = DateTime(allow_none=True)
    finished_at = DateTime(allow_none=True)
    totes = List(Nested(ToteOut))
    progress = Nested(ProgressOut)


class BatchOut(BatchSummaryOut):
    tasks = List(Nested(TaskOut))
    next = Nested(TaskOut, allow_none=True)


class BatchList(Schema):
    batches = List(Nested(BatchSummaryOut))


class BatchRef(Schema):
    id = Integer()
    status = String()


class PickAnswer(Schema):
    task = Nested(TaskOut)
    next = Nested(TaskOut, allow_none=True)
    progress = Nested(ProgressOut)
    batch = Nested(BatchRef)
    order_status = String()


class CountRequestRef(Schema):
    id = Integer()
    location = String()
    item = String(allow_none=True)


class ShortAnswer(PickAnswer):
    new_tasks = List(Nested(TaskOut))
    missing = Integer()
    count_request = Nested(CountRequestRef)


# --- answers built from models -----------------------------------------------------------------------------

class _BatchView:
    """Everything a batch's answer shows, read in a few queries."""

    def __init__(self, batch: PickBatch):
        self.batch = batch
        self.tasks = list(db.session.scalars(sa.select(PickTask).where(PickTask.batch_id == batch.id)
                                             .order_by(PickTask.sequence, PickTask.id)))
        order_ids = [bo.order_id for bo in batch.orders]
        self.orders = {o.id: o for o in db.session.scalars(sa.select(Order).where(Order.id.in_(order_ids)))}
        self.order_of_line = dict(db.session.execute(sa.select(OrderLine.id, OrderLine.order_id).where(
            OrderLine.id.in_({t.order_line_id for t in self.tasks} or {0}))).all())
        loc_ids = {t.location_id for t in self.tasks} | {bo.tote_id for bo in batch.orders if bo.tote_id}
        self.locations = {row.id: row for row in db.session.execute(
            sa.select(Location.id, Location.code, Zone.code.label("zone"))
            .outerjoin(Zone, Zone.id == Location.zone_id).where(Location.id.in_(loc_ids or {0})))}
        item_ids = {t.item_id for t in self.tasks} or {0}
        self.items = {i.id: i for i in db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))}
        self.barcodes: dict[int, list[dict]] = defaultdict(list)
        for item_id, code, units in db.session.execute(sa.select(ItemBarcode.item_id, ItemBarcode.code,
                                                                 ItemBarcode.units)
                                                       .where(ItemBarcode.item_id.in_(item_ids))
                                                       .order_by(ItemBarcode.id)):
            self.barcodes[item_id].append({"code": code, "units": units})
        self.expiry = {(r.item_id, r.location_id, r.lot): r.expiry for r in db.session.execute(
            sa.select(StockBalance.item_id, StockBalance.location_id, StockBalance.lot, StockBalance.expiry)
            .where(StockBalance.item_id.in_(item_ids),
                   StockBalance.location_id.in_({t.location_id for t in self.tasks} or {0}),
                   StockBalance.expiry.is_not(None)))}
        self.tote_of_order = {bo.order_id: bo.tote_id for bo in batch.orders}

    def order_ref(self, order_id: int) -> dict:
        o = self.orders.get(order_id)
        if o is None:
            o = db.session.get(Order, order_id)
        return {"id": o.id, "channel": o.channel, "channel_order_id": o.channel_order_id, "ship_by": o.ship_by}

    def task(self, t: PickTask) -> dict:
        item = self.items.get(t.item_id) or db.session.get(Item, t.item_id)
        loc = self.locations.get(t.location_id)
        order_id = self.order_of_line.get(t.order_line_id) or db.session.get(OrderLine, t.order_line_id).order_id
        tote_id = self.tote_of_order.get(order_id)
        expiry = self.expiry.get((t.item_id, t.location_id, t.lot))
        return {"id": t.id, "sequence": t.sequence, "status": t.status.value,
                "location": loc.code if loc else t.location.code, "zone": loc.zone if loc else None,
                "item": {"sku": item.sku, "name": item.name, "tracks_lot": item.tracks_lot,
                         "tracks_expiry": item.tracks_expiry, "barcodes": self.barcodes.get(item.id, [])},
                "lot": lot_out(t.lot), "expiry": expiry.isoformat() if expiry else None,
                "qty": t.qty, "qty_picked": t.qty_picked, "qty_left": t.qty - t.qty_picked if t.status in TO_PICK
                else 0, "tote_number": t.tote_number,
                "tote": self.locations[tote_id].code if tote_id in self.locations else None,
                "order": self.order_ref(order_id)}

    def next_task(self) -> PickTask | None:
        return next((t for t in self.tasks if t.status in TO_PICK), None)

    def totes(self) -> list[dict]:
        by_number: dict[int, list] = defaultdict(list)
        for bo in self.batch.orders:
            by_number[bo.tote_number].append(bo)
        open_totes = {t.tote_number for t in self.tasks if t.status in TO_PICK}
        return [{"number": n, "code": self.locations[bos[0].tote_id].code if bos[0].tote_id in self.locations
                 else None, "orders": [self.order_ref(bo.order_id) for bo in bos], "done": n not in open_totes}
                for n, bos in sorted(by_number.items())]

    def progress(self) -> dict:
        left = [t for t in self.tasks if t.status in TO_PICK]
        live = [t for t in self.tasks if t.status != TaskStatus.CANCELLED]
        totes = self.totes()
        return {"tasks": len(live), "tasks_left": len(left), "units": sum(t.qty for t in live),
                "units_left": sum(t.qty - t.qty_picked for t in left), "totes": len(totes),
                "totes_done": sum(1 for t in totes if t["done"])}

    def summary(self) -> dict:
        b = self.batch
        names = dict(db.session.execute(sa.select(User.id, User.username).where(User.id == b.picker_id)).all()) \
            if b.picker_id else {}
        cart = db.session.get(Location, b.cart_id) if b.cart_id else None
        zone = db.session.get(Zone, b.zone_id) if b.zone_id else None
        return {"id": b.id, "code": b.code, "status": b.status.value, "zone": zone.code if zone else None,
                "sort_later": b.sort_later, "cart": cart.code if cart else None, "picker": names.get(b.picker_id),
                "route_m": b.route_m, "created_at": b.created_at, "released_at": b.released_at,
                "started_at": b.started_at, "finished_at": b.finished_at, "totes": self.totes(),
                "progress": self.progress()}


def batch_out(batch: PickBatch, *, tasks: bool = True) -> dict:
    """A batch as the API shows it: with its tasks in walking order and the next one, or as a summary."""
    view = _BatchView(batch)
    out = view.summary()
    if tasks:
        out["tasks"] = [view.task(t) for t in view.tasks]
        nxt = view.next_task()
        out["next"] = view.task(nxt) if nxt else None
    return out


def pick_answer(task: PickTask, **extra) -> dict:
    """The answer to a pick, short or skip: the task, the next one and the progress, in one round trip."""
    view = _BatchView(task.batch)
    nxt = view.next_task()
    order = db.session.get(Order, view.order_of_line.get(task.order_line_id))
    out = {"task": view.task(task), "next": view.task(nxt) if nxt else None, "progress": view.progress(),
           "batch": {"id": task.batch.id, "status": task.batch.status.value}, "order_status": order.status.value}
    if "new_tasks" in extra:
        out["new_tasks"] = [view.task(t) for t in extra.pop("new_tasks")]
    count = extra.pop("count_request", None)
    if count is not None:
        loc = db.session.get(Location, count.location_id)
        item = db.session.get(Item, count.item_id) if count.item_id else None
        out["count_request"] = {"id": count.id, "location": loc.code, "item": item.sku if item else None}
    return out | extra

"""The pick flow: release and cancel batches, bind a cart to a batch, confirm, short and skip pick tasks.

Every stock change goes through the reservations (server/inventory/reservations.py) and so the ledger; every
order status change through orders.status.change_status. Nothing here commits. Retries of the same scan are
answered by the HTTP layer's Idempotency-Key table before any of this runs; a second handheld confirming the
same task waits on the task's row lock and then finds it picked.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..counts.models import CountRequestReason
from ..counts.services import request_count
from ..db import claim_write_lock, utcnow
from ..extensions import db
from ..inventory import reservations
from ..inventory.codes import LocationKind
from ..inventory.ledger import Actor
from ..inventory.ledger_models import Reservation, StockBalance
from ..inventory.locations import code_key, find_location
from ..inventory.models import Location
from ..orders import services as orders_services
from ..orders.models import Order, OrderLine, OrderStatus
from ..orders.status import change_status
from ..scanning.resolve import resolve_code
from . import allocation
from .batching import ACTIVE_BATCH_STATUSES
from .errors import (
    BatchStateError, CartInUse, CartTooSmall, NotACart, NothingToPick, NotYourBatch, PickLotRequired, TaskClosed,
    TooMany, UnknownCart, WrongItem, WrongLocation, WrongLot, WrongTote,
)
from .models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus

TO_PICK = (TaskStatus.OPEN, TaskStatus.SKIPPED)


# --- batches ---------------------------------------------------------------------------------------------

def release_batch(batch: PickBatch, *, actor: Actor) -> PickBatch:
    """Put a draft batch on the floor: any picker scanning a cart may now get it."""
    if batch.status != BatchStatus.DRAFT:
        raise BatchStateError(_("Batch %(code)s is %(status)s; only a draft batch can be released.",
                                code=batch.code, status=batch.status.label))
    batch.status, batch.released_at = BatchStatus.RELEASED, utcnow()
    db.session.flush()
    return batch


def cancel_batch(batch: PickBatch, *, actor: Actor) -> PickBatch:
    """Cancel a batch: its open tasks are cancelled and its orders go back to allocated.

    Reservations stay with their order lines (the next batch picks them). Units already picked stay in the
    totes, still reserved for their lines: the supervisor empties the totes back into bins or sends them on."""
    if batch.status not in ACTIVE_BATCH_STATUSES:
        raise BatchStateError(_("Batch %(code)s is %(status)s already.", code=batch.code, status=batch.status.label))
    claim_write_lock(db.session)
    for task in batch.tasks:
        if task.status in TO_PICK:
            task.status = TaskStatus.CANCELLED
    batch.status, batch.finished_at = BatchStatus.CANCELLED, utcnow()
    db.session.flush()
    for order in _orders_of(batch):
        _off_the_floor(order, actor=actor, note=_("Batch %(code)s cancelled", code=batch.code))
    db.session.flush()
    return batch


def _off_the_floor(order: Order, *, actor: Actor | None, note: str) -> None:
    """An order whose batch ended (done or cancelled) before all of it was picked, and that no other active
    batch is picking (zone batches): back to allocated, to be batched again, or — when units have no stock
    behind them (a short pick) — back to open and short, so the next allocation run tops it up."""
    if order.status != OrderStatus.PICKING or _on_active_batch(order.id):
        return
    if order.short_units:
        change_status(order, OrderStatus.OPEN, actor=actor,
                      note=_("%(note)s; %(n)d short, waiting for stock", note=note, n=order.short_units))
    else:
        change_status(order, OrderStatus.ALLOCATED, actor=actor, note=note)


def _orders_of(batch: PickBatch) -> list[Order]:
    ids = [bo.order_id for bo in batch.orders]
    return list(db.session.scalars(sa.select(Order).where(Order.id.in_(ids)).order_by(Order.id))) if ids else []


def _on_active_batch(order_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        BatchOrder.order_id == order_id, BatchOrder.batch_id == PickBatch.id,
        PickBatch.status.in_(ACTIVE_BATCH_STATUSES)))))


def current_batch(actor: Actor) -> PickBatch | None:
    """The batch this picker is picking, if any."""
    return db.session.scalar(sa.select(PickBatch).where(PickBatch.picker_id == actor.user_id,
                                                        PickBatch.status == BatchStatus.PICKING)
                             .order_by(PickBatch.started_at.desc(), PickBatch.id.desc()).limit(1))


def _totes_of(cart: Location) -> list[Location]:
    return list(db.session.scalars(sa.select(Location).where(
        Location.parent_id == cart.id, Location.kind == LocationKind.TOTE, Location.active)
        .order_by(Location.code_key)))


def _next_released_batch() -> PickBatch | None:
    """The most urgent released batch (earliest ship-by among its orders), locked so two pickers never get
    the same one: on PostgreSQL a batch another picker is taking is skipped; SQLite writes one at a time."""
    urgency = (sa.select(BatchOrder.batch_id, sa.func.min(sa.func.coalesce(Order.ship_by, Order.ordered_at))
                         .label("due"))
               .join(Order, Order.id == BatchOrder.order_id).group_by(BatchOrder.batch_id).subquery())
    ids = db.session.scalars(sa.select(PickBatch.id).join(urgency, urgency.c.batch_id == PickBatch.id)
                             .where(PickBatch.status == BatchStatus.RELEASED)
                             .order_by(urgency.c.due, PickBatch.id).limit(20)).all()
    for batch_id in ids:
        batch = db.session.scalar(sa.select(PickBatch).where(PickBatch.id == batch_id,
                                                             PickBatch.status == BatchStatus.RELEASED)
                                  .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if batch is not None:
            return batch
    return None


def start_batch_on_cart(cart_code: str, *, actor: Actor) -> PickBatch:
    """Bind the scanned cart and its totes to the picker's batch in progress, else to the most urgent
    released batch; its orders start picking."""
    cart = find_location(cart_code)
    if cart is None:
        raise UnknownCart(_("%(code)s is not a known cart.", code=cart_code), field="cart")
    if cart.kind != LocationKind.CART:
        raise NotACart(_("%(code)s is not a cart: scan the cart's label.", code=cart.code), field="cart",
                       expected="a cart")
    claim_write_lock(db.session)
    mine = current_batch(actor)
    if mine is not None:
        if mine.cart_id == cart.id:
            return mine  # the same cart scanned again (a restarted handheld): carry on
        own_cart = db.session.get(Location, mine.cart_id)
        raise CartInUse(_("You are picking batch %(batch)s on %(cart)s: scan that cart.", batch=mine.code,
                          cart=own_cart.code if own_cart else "?"), field="cart",
                        expected=own_cart.code if own_cart else None)
    other = db.session.scalar(sa.select(PickBatch).where(PickBatch.cart_id == cart.id,
                                                         PickBatch.status == BatchStatus.PICKING))
    if other is not None:
        raise CartInUse(_("%(cart)s is on batch %(batch)s, being picked.", cart=cart.code, batch=other.code),
                        field="cart")
    batch = _next_released_batch()
    if batch is None:
        raise NothingToPick(_("Nothing is released to pick. Ask your supervisor."), field="cart")
    totes = _totes_of(cart)
    needed = max((bo.tote_number for bo in batch.orders), default=0)
    if len(totes) < needed:
        raise CartTooSmall(_("Batch %(batch)s needs %(n)d totes; %(cart)s has %(m)d.", batch=batch.code, n=needed,
                             cart=cart.code, m=len(totes)), field="cart", expected=str(needed))
    used = [t.id for t in totes[:needed]]
    full = db.session.scalar(sa.select(Location.code).join(StockBalance, StockBalance.location_id == Location.id)
                             .where(Location.id.in_(used), StockBalance.qty > 0).order_by(Location.code).limit(1))
    if full is not None:
        raise CartInUse(_("%(tote)s still holds units: empty it or take another cart.", tote=full), field="cart")
    for bo in batch.orders:
        bo.tote_id = totes[bo.tote_number - 1].id
    batch.cart_id, batch.picker_id, batch.device_id = cart.id, actor.user_id, actor.device_id
    batch.status, batch.started_at = BatchStatus.PICKING, utcnow()
    for order in _orders_of(batch):
        if order.status == OrderStatus.ALLOCATED:
            change_status(order, OrderStatus.PICKING, actor=actor, note=_("Batch %(code)s", code=batch.code))
    db.session.flush()
    return batch


# --- tasks -----------------------------------------------------------------------------------------------

def _locked_task(task: PickTask, actor: Actor) -> PickTask:
    """The task as it is now, locked (a second handheld on the same task waits here), on the caller's batch."""
    claim_write_lock(db.session)
    task = db.session.scalar(sa.select(PickTask).where(PickTask.id == task.id).with_for_update()
                             .execution_options(populate_existing=True))
    if task.status not in TO_PICK:
        raise TaskClosed(_("This pick is %(status)s already.", status=task.status.label), field="task")
    batch = task.batch
    if batch.status != BatchStatus.PICKING or batch.picker_id != actor.user_id:
        raise NotYourBatch(_("This task is on batch %(batch)s, which is not yours to pick.", batch=batch.code),
                           field="task")
    return task


def _tote_of(task: PickTask) -> Location:
    tote_id = db.session.scalar(sa.select(BatchOrder.tote_id).join(OrderLine, OrderLine.order_id == BatchOrder.order_id)
                                .where(BatchOrder.batch_id == task.batch_id, OrderLine.id == task.order_line_id))
    return db.session.get(Location, tote_id)


def _check_tote(task: PickTask, tote_code: str | None) -> Location:
    tote = _tote_of(task)
    if tote_code is None or code_key(tote_code) != tote.code_key:
        raise WrongTote(_("Put it in tote %(tote)s (tote %(n)d).", tote=tote.code, n=task.tote_number),
                        field="tote", expected=tote.code)
    return tote


def _balance_expiry(task: PickTask) -> str | None:
    expiry = db.session.scalar(sa.select(StockBalance.expiry).where(
        StockBalance.item_id == task.item_id, StockBalance.location_id == task.location_id,
        StockBalance.lot == task.lot))
    return expiry.isoformat() if expiry else None


def _check_lot(task: PickTask, scanned: dict, lot: str | None, expiry: str | None) -> None:
    """A lot-tracked item's lot: from the GS1 scan (AI 10), the body, or the expiry that names the task's lot."""
    if not (task.lot or scanned.get("tracks_lot")):
        return
    lot = scanned.get("lot") or lot
    if lot is None:
        expiry = scanned.get("expiry") or expiry
        if expiry is not None and task.lot and str(expiry) == _balance_expiry(task):
            return
        raise PickLotRequired(_("Scan or enter the lot of %(sku)s: lot %(lot)s.", sku=task.item.sku, lot=task.lot),
                              field="lot", expected=task.lot)
    if lot.strip().upper() != task.lot.upper():
        raise WrongLot(_("This is lot %(got)s; take lot %(lot)s.", got=lot, lot=task.lot), field="lot",
                       expected=task.lot)


def _reservation(task: PickTask) -> Reservation | None:
    return db.session.get(Reservation, task.reservation_id) if task.reservation_id else None


def _take(task: PickTask, qty: int, tote: Location, actor: Actor) -> None:
    """Move qty reserved units of the task into the tote and count them on the task and the order line."""
    reservation = _reservation(task)
    if reservation is None:  # released under us (the order was cancelled): nothing is promised any more
        raise TaskClosed(_("This pick is no longer needed."), field="task")
    reservations.pick_reserved(reservation, qty=qty, to=tote, actor=actor, scanned_at=actor.scanned_at,
                               ref_type="pick_task", ref_id=task.id)
    task.qty_picked += qty
    line = db.session.get(OrderLine, task.order_line_id)
    line.qty_picked += qty
    task.picked_by, task.device_id, task.picked_at = actor.user_id, actor.device_id, utcnow()
    task.scanned_at = actor.scanned_at


def confirm_pick(task: PickTask, *, location_code: str, item_code: str, qty: int | None, tote_code: str,
                 lot: str | None = None, expiry: str | None = None, actor: Actor) -> PickTask:
    """Confirm units of a pick task: the scanned bin, item (and lot) and tote must be the task's."""
    task = _locked_task(task, actor)
    if code_key(location_code) != task.location.code_key:
        raise WrongLocation(_("Wrong location: go to %(loc)s.", loc=task.location.code), field="location",
                            expected=task.location.code)
    scan = resolve_code(item_code)
    scanned = scan.get("item") or {}
    if scan.get("kind") != "item" or scanned.get("sku", "").upper() != task.item.sku.upper():
        raise WrongItem(_("Wrong item: take %(sku)s, %(name)s.", sku=task.item.sku, name=task.item.name),
                        field="item", expected=task.item.sku)
    _check_lot(task, scanned, lot, expiry)
    units = qty if qty is not None else int(scanned.get("units") or 1)
    left = task.qty - task.qty_picked
    if units > left:
        raise TooMany(_("Only %(n)d more to pick here.", n=left), field="qty", expected=f"at most {left}")
    tote = _check_tote(task, tote_code)
    _take(task, units, tote, actor)
    if task.qty_picked == task.qty:
        task.status = TaskStatus.PICKED
    _settle(task, actor)
    return task


def short_pick(task: PickTask, *, found: int, tote_code: str | None, actor: Actor) -> dict:
    """The bin had fewer than the task asks: pick what was found, ask for a count of the bin, and reserve the
    rest from other bins (new tasks at the end of the route) or leave the order short."""
    task = _locked_task(task, actor)
    left = task.qty - task.qty_picked
    if found >= left:
        raise TooMany(_("Found %(found)d of %(n)d: that is not short, confirm the pick.", found=found, n=left),
                      field="found", expected=f"at most {left - 1}")
    if found > 0:
        _take(task, found, _check_tote(task, tote_code), actor)
    reservation = _reservation(task)
    if reservation is not None:
        reservations.shrink(reservation, to_qty=0, actor=actor)
    task.status = TaskStatus.SHORT
    missing = task.qty - task.qty_picked
    on_record = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockBalance.qty), 0)).where(
        StockBalance.item_id == task.item_id, StockBalance.location_id == task.location_id)) or 0
    count = request_count(task.location, task.item, reason=CountRequestReason.SHORT_PICK,
                          note=_("Pick task %(task)d: expected %(n)d, found %(found)d",
                                 task=task.id, n=left, found=found),
                          expected_qty=on_record, pick_task_id=task.id, actor=actor)
    line = db.session.get(OrderLine, task.order_line_id)
    before = {r.id: r.qty for r in reservations.reservations_of([line.id])}
    made = allocation.reallocate_line(line, exclude_location_ids=[task.location_id], actor=actor)
    # A reservation may be topped up where the line holds one already: only the units added are new work.
    added = {r.id: r.qty - before.get(r.id, 0) for r in made if r.qty > before.get(r.id, 0)}
    new_tasks = _append_tasks(task, added)
    _settle(task, actor)
    return {"task": task, "new_tasks": new_tasks, "missing": max(0, missing - sum(added.values())),
            "count_request": count}


def _append_tasks(short: PickTask, added: dict[int, int]) -> list[PickTask]:
    """Units newly reserved for a short line (reservation id → units) as tasks at the end of the route, in
    walking order."""
    if not added:
        return []
    rows = db.session.execute(sa.select(Reservation.id, StockBalance.location_id, StockBalance.lot)
                              .join(StockBalance, StockBalance.id == Reservation.balance_id)
                              .join(Location, Location.id == StockBalance.location_id)
                              .where(Reservation.id.in_(list(added)))
                              .order_by(Location.pick_sequence.is_(None), Location.pick_sequence, Location.code_key))
    last = _last_sequence(short.batch_id)
    tasks = []
    for n, (reservation_id, location_id, lot) in enumerate(rows, start=1):
        task = PickTask(batch_id=short.batch_id, order_line_id=short.order_line_id, reservation_id=reservation_id,
                        item_id=short.item_id, location_id=location_id, lot=lot, qty=added[reservation_id],
                        tote_number=short.tote_number, sequence=last + n, status=TaskStatus.OPEN)
        db.session.add(task)
        tasks.append(task)
    db.session.flush()
    return tasks


def _last_sequence(batch_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.max(PickTask.sequence)).where(PickTask.batch_id == batch_id)) or 0


def skip_task(task: PickTask, *, actor: Actor) -> PickTask:
    """Put a task at the end of the route: it is still to pick, shown last."""
    task = _locked_task(task, actor)
    task.sequence = _last_sequence(task.batch_id) + 1
    task.status = TaskStatus.SKIPPED
    db.session.flush()
    return task


def _settle(task: PickTask, actor: Actor) -> None:
    """After a task changed: its order is picked when every line is; the batch is done when no task is left."""
    db.session.flush()
    order = db.session.get(Order, db.session.get(OrderLine, task.order_line_id).order_id)
    unpicked = db.session.scalar(sa.select(sa.func.count()).select_from(OrderLine).where(
        OrderLine.order_id == order.id, OrderLine.qty_picked < OrderLine.qty))
    if unpicked == 0 and order.status == OrderStatus.PICKING:
        change_status(order, OrderStatus.PICKED, actor=actor)
    _finish_if_done(task.batch, actor)


def _finish_if_done(batch: PickBatch, actor: Actor | None) -> None:
    left = db.session.scalar(sa.select(sa.func.count()).select_from(PickTask).where(
        PickTask.batch_id == batch.id, PickTask.status.in_(TO_PICK)))
    if left == 0 and batch.status == BatchStatus.PICKING:
        batch.status, batch.finished_at = BatchStatus.DONE, utcnow()
        db.session.flush()
        for order in _orders_of(batch):
            _off_the_floor(order, actor=actor, note=_("Batch %(code)s done", code=batch.code))
    db.session.flush()


def cancel_tasks_of_order(order: Order, actor: Actor | None = None, **_ignored) -> int:
    """orders.services.cancel_order's hook: the order's open tasks are cancelled; batches left with nothing
    to pick finish (picking) or are cancelled (not yet started)."""
    tasks = list(db.session.scalars(sa.select(PickTask).join(OrderLine, OrderLine.id == PickTask.order_line_id)
                                    .where(OrderLine.order_id == order.id, PickTask.status.in_(TO_PICK))))
    batches = {t.batch_id: t.batch for t in tasks}
    for task in tasks:
        task.status = TaskStatus.CANCELLED
    db.session.flush()
    for batch in batches.values():
        if batch.status == BatchStatus.PICKING:
            _finish_if_done(batch, actor)
        elif batch.status in (BatchStatus.DRAFT, BatchStatus.RELEASED) and not any(
                t.status in TO_PICK for t in batch.tasks):
            batch.status, batch.finished_at = BatchStatus.CANCELLED, utcnow()
    db.session.flush()
    return len(tasks)


# Loaded with the app (the picking API imports this module): a cancelled order's open picks are cancelled too.
orders_services.on_cancel(cancel_tasks_of_order)

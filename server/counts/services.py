"""Count requests: ask for a bin (and item) to be counted. The counts issue schedules and works them."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..catalog.models import Item
from ..catalog.services import find_item_by_code
from ..db import claim_write_lock, utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..inventory.codes import MoveKind, ReasonCode, VirtualLocation
from ..inventory.ledger import Actor, post_move, require_physical, virtual
from ..inventory.ledger_models import NO_LOT, StockBalance, StockMove
from ..inventory.models import Location
from .errors import CountLotRequired, CountTaskClosed, NothingCounted, RecountExcluded, VarianceDecided
from .models import (
    CountEntry, CountList, CountRequest, CountRequestReason, CountRequestStatus, CountTask, CountTaskReason,
    CountTaskStatus, CountVariance, ItemClass, VarianceStatus,
)


def request_count(location, item, *, reason: CountRequestReason, note: str | None = None,
                  expected_qty: int | None = None, pick_task_id: int | None = None,
                  actor: Actor | None = None) -> CountRequest:
    """Ask for a count of `item` (None: everything) in `location`; an open request for the same bin and item
    is the one answered (one count settles both), with this note added."""
    item_id = item.id if item is not None else None
    open_one = db.session.scalar(sa.select(CountRequest).where(
        CountRequest.location_id == location.id, CountRequest.status == CountRequestStatus.OPEN,
        CountRequest.item_id.is_(None) if item_id is None else CountRequest.item_id == item_id)
        .order_by(CountRequest.id).limit(1))
    if open_one is not None:
        if note:
            open_one.note = "; ".join(filter(None, [open_one.note, note]))[:300]
        db.session.flush()
        return open_one
    request = CountRequest(location_id=location.id, item_id=item_id, reason=CountRequestReason(reason),
                           note=note[:300] if note else None, expected_qty=expected_qty, pick_task_id=pick_task_id,
                           requested_by=actor.user_id if actor else None)
    db.session.add(request)
    db.session.flush()
    return request


# --- ABC classes ----------------------------------------------------------------------------------------

CLASSES = ("A", "B", "C")
# Requests and recounts come before the day's scheduled bins: they answer a known doubt.
_TASK_PRIORITY = {CountTaskReason.SHORT_PICK: 0, CountTaskReason.SUPERVISOR: 0, CountTaskReason.AD_HOC: 1,
                  CountTaskReason.RECOUNT: 1, CountTaskReason.SCHEDULED: 2}


def classify_items(*, splits=(0.8, 0.15, 0.05), days: int = 90, actor: Actor | None = None) -> dict[str, int]:
    """Rank active items by picked units × unit value over the last `days` days; the top `splits[0]` of the
    cumulative value is A, the next `splits[1]` B, the rest (and everything never picked) C."""
    since = utcnow() - timedelta(days=days)
    picked = dict(db.session.execute(
        sa.select(StockMove.item_id, sa.func.sum(StockMove.qty))
        .where(StockMove.kind == MoveKind.PICK, StockMove.created_at >= since).group_by(StockMove.item_id)).all())
    items = db.session.scalars(sa.select(Item).where(Item.active)).all()
    ranked = sorted(((picked.get(i.id, 0) * (i.value_cents or 0), picked.get(i.id, 0), i) for i in items),
                    key=lambda r: (-r[0], -r[1], r[2].id))
    total = sum(r[0] for r in ranked)
    existing = {c.item_id: c for c in db.session.scalars(sa.select(ItemClass))}
    result = dict.fromkeys(CLASSES, 0)
    now, cumulative = utcnow(), 0
    for value, units, item in ranked:
        share = cumulative / total if total else 1.0  # the share ranked above this item
        cls = "A" if value and share < splits[0] else "B" if value and share < splits[0] + splits[1] else "C"
        cumulative += value
        row = existing.get(item.id) or ItemClass(item_id=item.id)
        row.abc_class, row.units_per_day, row.value_per_day_cents = cls, units / days, value / days
        row.computed_at = now
        db.session.add(row)
        result[cls] += 1
    db.session.flush()
    return result


def _class_of(item_id: int) -> str:
    # Unclassified items are held to the strictest tolerance: nobody has ranked them yet.
    return db.session.scalar(sa.select(ItemClass.abc_class).where(ItemClass.item_id == item_id)) or "A"


# --- tasks and day lists ----------------------------------------------------------------------------------

def create_task(location: Location, *, item: Item | None = None, reason: CountTaskReason = CountTaskReason.AD_HOC,
                actor: Actor | None = None, request: CountRequest | None = None, due_on: date | None = None,
                count_list: CountList | None = None, abc_class: str | None = None) -> CountTask:
    """A count of `item` (None: everything) in `location`, for any counter."""
    require_physical(location, "location")
    task = CountTask(location_id=location.id, item_id=item.id if item else None, reason=CountTaskReason(reason),
                     abc_class=abc_class or (_class_of(item.id) if item else None), due_on=due_on,
                     count_list_id=count_list.id if count_list else None, request_id=request.id if request else None,
                     created_by=actor.user_id if actor else None)
    db.session.add(task)
    db.session.flush()
    return task


def _tasks_for_open_requests(*, count_list: CountList | None = None, day: date | None = None) -> list[CountTask]:
    """Turn open count requests (short picks, supervisors) that have no task yet into tasks."""
    has_task = sa.select(CountTask.id).where(CountTask.request_id == CountRequest.id).exists()
    requests = db.session.scalars(sa.select(CountRequest).where(
        CountRequest.status == CountRequestStatus.OPEN, ~has_task).order_by(CountRequest.id)).all()
    return [create_task(r.location, item=r.item, reason=CountTaskReason(r.reason.value), request=r, due_on=day,
                        count_list=count_list) for r in requests]


def _bins_with_stock() -> dict[int, str]:
    """Physical bins holding stock, each with the best class among its items."""
    rows = db.session.execute(
        sa.select(StockBalance.location_id, sa.func.min(sa.func.coalesce(ItemClass.abc_class, "C")))
        .join(ItemClass, ItemClass.item_id == StockBalance.item_id, isouter=True)
        .where(StockBalance.qty > 0).group_by(StockBalance.location_id)).all()
    return dict(rows)


def build_count_list(day: date, *, target_minutes: int, actor: Actor | None = None) -> CountList:
    """The day's bins to count: open requests first, then bins whose class interval has passed since their
    last count (A before B before C, longest-uncounted first), as many as fit in `target_minutes`."""
    config = current_app.config
    frequency = config.get("COUNT_FREQUENCY_DAYS") or {"A": 30, "B": 90, "C": 365}
    seconds = int(config.get("COUNT_SECONDS_PER_BIN", 90))
    capacity = max(1, target_minutes * 60 // seconds)
    count_list = CountList(day=day, target_minutes=target_minutes, created_by=actor.user_id if actor else None)
    db.session.add(count_list)
    db.session.flush()
    tasks = _tasks_for_open_requests(count_list=count_list, day=day)
    open_bins = set(db.session.scalars(sa.select(CountTask.location_id).where(
        CountTask.status.in_((CountTaskStatus.OPEN, CountTaskStatus.RECOUNT, CountTaskStatus.APPROVAL)))))
    last_counted = dict(db.session.execute(
        sa.select(CountTask.location_id, sa.func.max(CountTask.closed_at))
        .where(CountTask.status == CountTaskStatus.POSTED).group_by(CountTask.location_id)).all())
    due = []
    for location_id, cls in _bins_with_stock().items():
        if location_id in open_bins:
            continue
        last = last_counted.get(location_id)
        if last is None or (day - last.date()).days >= int(frequency.get(cls, 365)):
            due.append((cls, last.date() if last else date.min, location_id))
    for cls, _last, location_id in sorted(due)[:max(0, capacity - len(tasks))]:
        tasks.append(create_task(db.session.get(Location, location_id), reason=CountTaskReason.SCHEDULED,
                                 actor=actor, due_on=day, count_list=count_list, abc_class=cls))
    return count_list


def next_task(actor: Actor) -> CountTask | None:
    """The next open count for this counter: one they started, then requests and recounts, then the oldest
    scheduled one; never a recount of their own count."""
    _tasks_for_open_requests(day=date.today())
    mine = sa.select(CountEntry.id).where(CountEntry.task_id == CountTask.id,
                                          CountEntry.user_id == actor.user_id).exists()
    priority = sa.case(*((CountTask.reason == r, p) for r, p in _TASK_PRIORITY.items()), else_=3)
    return db.session.scalar(sa.select(CountTask).where(
        CountTask.status == CountTaskStatus.OPEN,
        sa.or_(CountTask.excluded_user_id.is_(None), CountTask.excluded_user_id != actor.user_id))
        .order_by(sa.case((mine, 0), else_=1), priority, CountTask.due_on.is_(None), CountTask.due_on, CountTask.id)
        .limit(1))


# --- the counter's entries ----------------------------------------------------------------------------------

def get_item_with_units(code: str) -> tuple[Item, int]:
    found = find_item_by_code(code)
    if found is None:
        raise NotFound(_("No item has the SKU or barcode %(code)s.", code=code), field="item")
    return found


def _ledger_mark() -> int:
    return db.session.scalar(sa.select(sa.func.max(StockMove.id))) or 0


def _require_counter(task: CountTask, actor: Actor) -> None:
    if task.status != CountTaskStatus.OPEN:
        raise CountTaskClosed(_("This count is closed already."), field="task_id")
    if task.excluded_user_id is not None and task.excluded_user_id == actor.user_id:
        raise RecountExcluded(_("You counted this bin first: another counter recounts it."), field="task_id")


def record_count(task: CountTask, *, item_code: str, qty: int | None, lot: str | None = None,
                 actor: Actor) -> CountEntry:
    """Record what the counter counted (qty None: the scanned barcode's units); the ledger mark is taken now
    so movements after it are not corrected twice. An item not on record in the bin is kept as unexpected."""
    _require_counter(task, actor)
    item, units = get_item_with_units(item_code)
    qty = units if qty is None else qty
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
        raise InvalidInput(_("The quantity must be a whole number, zero or more."), field="qty")
    lot = (lot or "").strip()
    if item.tracks_lot and not lot:
        raise CountLotRequired(_("%(sku)s is tracked by lot: scan or type the lot.", sku=item.sku), field="lot")
    on_record = db.session.scalar(sa.select(StockBalance.id).where(
        StockBalance.item_id == item.id, StockBalance.location_id == task.location_id, StockBalance.qty > 0).limit(1))
    entry = CountEntry(task_id=task.id, user_id=actor.user_id, device_id=actor.device_id, item_id=item.id,
                       lot=lot if item.tracks_lot else NO_LOT, qty=qty, ledger_mark=_ledger_mark(),
                       unexpected=on_record is None or (task.item_id is not None and task.item_id != item.id),
                       scanned_at=actor.scanned_at)
    db.session.add(entry)
    db.session.flush()
    return entry


def confirm_empty(task: CountTask, *, actor: Actor) -> CountTask:
    """The counter found the bin (or the task's item in it) empty."""
    _require_counter(task, actor)
    task.empty_confirmed = True
    db.session.flush()
    return task


# --- variances ------------------------------------------------------------------------------------------------

def _balance_at(item_id: int, location_id: int, lot: str, mark: int) -> int:
    """The balance of (item, bin, lot) as it stood at ledger mark `mark`: now, minus what moved since."""
    now = db.session.scalar(sa.select(StockBalance.qty).where(
        StockBalance.item_id == item_id, StockBalance.location_id == location_id, StockBalance.lot == lot)) or 0
    later = sa.and_(StockMove.item_id == item_id, StockMove.lot == lot, StockMove.id > mark)
    came = db.session.scalar(sa.select(sa.func.sum(StockMove.qty)).where(later, StockMove.dst_id == location_id)) or 0
    went = db.session.scalar(sa.select(sa.func.sum(StockMove.qty)).where(later, StockMove.src_id == location_id)) or 0
    return now - came + went


def within_tolerance(cls: str, *, expected: int, delta: int, value_cents: int) -> bool:
    """Within the class's tolerance: |delta| at most max(qty, pct × expected), and its value at most the cap."""
    tolerance = (current_app.config.get("COUNT_TOLERANCE") or {}).get(cls) or {}
    allowed = max(int(tolerance.get("qty", 0)), math.floor(float(tolerance.get("pct", 0)) * expected))
    return abs(delta) <= allowed and value_cents <= int(tolerance.get("value_cents", 0))


def _counted(task: CountTask) -> dict[tuple[int, str], list[tuple[int, int, int]]]:
    """Per (item, lot): each counter's (last entry id, counted qty, expected at their last entry's mark).
    Every counter's entries are kept and compared; none overwrites another's."""
    per_user: dict[tuple[int, str, int | None], list[CountEntry]] = defaultdict(list)
    for entry in db.session.scalars(sa.select(CountEntry).where(CountEntry.task_id == task.id)
                                    .order_by(CountEntry.id)):
        per_user[(entry.item_id, entry.lot, entry.user_id)].append(entry)
    counted = defaultdict(list)
    for (item_id, lot, _user), entries in per_user.items():
        mark = max(e.ledger_mark for e in entries)
        counted[(item_id, lot)].append((entries[-1].id, sum(e.qty for e in entries),
                                        _balance_at(item_id, task.location_id, lot, mark)))
    return counted


def _post_adjustment(variance: CountVariance, location: Location, actor: Actor | None) -> StockMove:
    adjustment, item = virtual(VirtualLocation.ADJUSTMENT), db.session.get(Item, variance.item_id)
    src, dst = (adjustment, location) if variance.delta > 0 else (location, adjustment)
    move = post_move(kind=MoveKind.COUNT, item=item, qty=abs(variance.delta), src=src, dst=dst, lot=variance.lot,
                     reason=ReasonCode.COUNT_VARIANCE, ref_type="count_variance", ref_id=variance.id,
                     actor=actor or Actor(None))[0]
    variance.adjustment_move_id = move.id
    db.session.flush()
    return move


def _open_recount(task: CountTask, *, excluded_user_id: int | None, actor: Actor | None) -> CountTask:
    recount = create_task(task.location, item=task.item, reason=CountTaskReason.RECOUNT, actor=actor,
                          abc_class=task.abc_class)
    recount.recount_of_id, recount.excluded_user_id = task.id, excluded_user_id
    task.status = CountTaskStatus.RECOUNT
    db.session.flush()
    return recount


def finish_task(task: CountTask, *, actor: Actor) -> dict:
    """Compare the counts with the record at each count's ledger mark. All within tolerance: posted (the
    small differences adjusted); beyond on a first count: a recount by someone else; beyond on a recount
    (or the counters disagree there): a supervisor's approval."""
    claim_write_lock(db.session)
    db.session.execute(sa.select(CountTask.id).where(CountTask.id == task.id).with_for_update())
    db.session.refresh(task)
    _require_counter(task, actor)
    counted = _counted(task)
    if not counted and not task.empty_confirmed:
        raise NothingCounted(_("Scan what the bin holds, or confirm it is empty."), field="task_id")
    mark = max((e[0] for rows in counted.values() for e in rows), default=None)
    mark = _ledger_mark() if mark is None else db.session.get(CountEntry, mark).ledger_mark
    # What the record holds that nobody counted was counted as zero (a bin count, or the task's item).
    on_record = sa.select(StockBalance.item_id, StockBalance.lot).where(
        StockBalance.location_id == task.location_id, StockBalance.qty != 0)
    if task.item_id is not None:
        on_record = on_record.where(StockBalance.item_id == task.item_id)
    for item_id, lot in db.session.execute(on_record).all():
        if (item_id, lot) not in counted:
            counted[(item_id, lot)] = [(0, 0, _balance_at(item_id, task.location_id, lot, mark))]

    is_recount = task.reason == CountTaskReason.RECOUNT
    beyond_any, variances = False, []
    for (item_id, lot), counts in sorted(counted.items()):
        _last, qty, expected = max(counts)  # the latest counter's count is the one recorded
        item = db.session.get(Item, item_id)
        delta = qty - expected
        if delta == 0 and expected == 0 and len(counts) == 1:
            continue
        value = abs(delta) * (item.value_cents or 0)
        disagree = len({c[1] - c[2] for c in counts}) > 1  # two counters, two different answers
        within = not disagree and within_tolerance(task.abc_class or _class_of(item_id), expected=expected,
                                                   delta=delta, value_cents=value)
        variance = CountVariance(task_id=task.id, item_id=item_id, lot=lot, expected_qty=expected, counted_qty=qty,
                                 delta=delta, value_cents=value,
                                 status=VarianceStatus.WITHIN if within else
                                 VarianceStatus.PENDING if is_recount else VarianceStatus.RECOUNT)
        db.session.add(variance)
        variances.append(variance)
        beyond_any |= not within
    db.session.flush()
    for variance in variances:
        if variance.status == VarianceStatus.WITHIN and variance.delta:
            _post_adjustment(variance, task.location, actor)
    task.closed_at = utcnow()
    recount = None
    if not beyond_any:
        task.status = CountTaskStatus.POSTED
    elif is_recount:
        task.status = CountTaskStatus.APPROVAL
    else:
        counter = db.session.scalar(sa.select(CountEntry.user_id).where(CountEntry.task_id == task.id)
                                    .order_by(CountEntry.id.desc()).limit(1))
        recount = _open_recount(task, excluded_user_id=counter or actor.user_id, actor=actor)
    if task.request_id is not None:
        db.session.get(CountRequest, task.request_id).status = CountRequestStatus.DONE
    db.session.flush()
    return {"task_id": task.id, "status": task.status.value, "recount_task_id": recount.id if recount else None}


# --- a supervisor's decision -------------------------------------------------------------------------------------

def _decide(variance: CountVariance, status: VarianceStatus, actor: Actor) -> CountVariance:
    """Exactly once: a conditional update on a pending variance without adjustment; a second decision (even at
    the same moment: the row lock makes it wait and re-check) finds nothing to update."""
    claim_write_lock(db.session)
    done = db.session.execute(
        sa.update(CountVariance).where(CountVariance.id == variance.id,
                                       CountVariance.status == VarianceStatus.PENDING,
                                       CountVariance.adjustment_move_id.is_(None))
        .values(status=status, decided_by=actor.user_id, decided_at=utcnow())
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise VarianceDecided(_("This variance was decided already."), field="variance_id")
    db.session.refresh(variance)
    return variance


def _settle_task(task: CountTask) -> None:
    undecided = db.session.scalar(sa.select(sa.func.count()).select_from(CountVariance).where(
        CountVariance.task_id == task.id, CountVariance.status == VarianceStatus.PENDING))
    if not undecided and task.status == CountTaskStatus.APPROVAL:
        task.status = CountTaskStatus.POSTED
    db.session.flush()


def approve(variance: CountVariance, *, actor: Actor) -> StockMove:
    """Post the variance's count adjustment through the ledger: exactly its delta (movements after the count
    are in the record already), once."""
    variance = _decide(variance, VarianceStatus.APPROVED, actor)
    task = db.session.get(CountTask, variance.task_id)
    move = _post_adjustment(variance, task.location, actor)
    _settle_task(task)
    return move


def reject(variance: CountVariance, *, actor: Actor) -> CountTask:
    """Send the bin back for a recount (by someone other than the last counter); nothing posts."""
    variance = _decide(variance, VarianceStatus.REJECTED, actor)
    task = db.session.get(CountTask, variance.task_id)
    counter = db.session.scalar(sa.select(CountEntry.user_id).where(CountEntry.task_id == task.id)
                                .order_by(CountEntry.id.desc()).limit(1))
    recount = _open_recount(task, excluded_user_id=counter, actor=actor)
    _settle_task(task)
    return recount

"""Read-only views of the counts for the supervisor pages: the day's tasks, the approval queue, inventory record
accuracy (IRA) by class and by week, and the value of the adjustments. Supervisors see expected quantities here;
nothing in this module answers a counter."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..catalog.models import Item
from ..extensions import db
from ..inventory.ledger_models import StockMove
from ..inventory.models import Location
from .models import (CountEntry, CountList, CountTask, CountTaskReason, CountTaskStatus, CountVariance,
                     VarianceStatus)

CLASSES = ("A", "B", "C")
ALL = "all"
IRA_WINDOWS = (7, 30, 90)  # days, today included
WEEKS_SHOWN = 12  # the weekly tables: this week and the eleven before it
ACTIVE_STATUSES = (CountTaskStatus.OPEN, CountTaskStatus.RECOUNT, CountTaskStatus.APPROVAL)
# A first count has been made (and compared) once its task left "open" for one of these.
COUNTED_STATUSES = (CountTaskStatus.RECOUNT, CountTaskStatus.APPROVAL, CountTaskStatus.POSTED)


def day_list(day: date) -> CountList | None:
    """The newest count list built for day, if any."""
    return db.session.scalar(sa.select(CountList).where(CountList.day == day).order_by(CountList.id.desc()).limit(1))


def task_rows(day: date) -> list[dict]:
    """The tasks to show on the counts page: everything still open (to count, recount, approve) and the tasks of
    day's lists or due that day, whatever their status; the bin's walking order first."""
    listed = sa.select(CountList.id).where(CountList.day == day)
    stmt = (sa.select(CountTask.id, CountTask.status, CountTask.reason, CountTask.abc_class, CountTask.due_on,
                      CountTask.recount_of_id, Location.code.label("location"), Item.sku, Item.name)
            .join(Location, Location.id == CountTask.location_id)
            .outerjoin(Item, Item.id == CountTask.item_id)
            .where(sa.or_(CountTask.status.in_(ACTIVE_STATUSES), CountTask.due_on == day,
                          CountTask.count_list_id.in_(listed)))
            .order_by(CountTask.status, Location.code, CountTask.id))
    tasks = [dict(r._mapping) for r in db.session.execute(stmt)]
    counters = _counters([t["id"] for t in tasks])
    for t in tasks:
        t["counter"] = ", ".join(counters.get(t["id"], ()))
    return tasks


def _counters(task_ids: list[int]) -> dict[int, list[str]]:
    """Who counted each task (display names, first counter first)."""
    if not task_ids:
        return {}
    stmt = (sa.select(CountEntry.task_id, User.display_name, sa.func.min(CountEntry.id).label("first"))
            .join(User, User.id == CountEntry.user_id).where(CountEntry.task_id.in_(task_ids))
            .group_by(CountEntry.task_id, User.display_name).order_by("first"))
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name, _first in db.session.execute(stmt):
        names[task_id].append(name)
    return names


def get_variance(variance_id: int) -> CountVariance:
    return db.get_or_404(CountVariance, variance_id)


def pending_variances() -> list[dict]:
    """The approval queue: variances still beyond tolerance after the recount, oldest first, with the first
    count (the recounted task's) next to the recount."""
    task = aliased(CountTask)
    earlier = aliased(CountVariance)  # the same item and lot in the task this one recounted
    later_task = aliased(CountTask)
    later = aliased(CountVariance)  # ... or in the recount of this one, when the queue holds the first count
    later_qty = (sa.select(later.counted_qty).join(later_task, later_task.id == later.task_id)
                 .where(later_task.recount_of_id == CountVariance.task_id, later.item_id == CountVariance.item_id,
                        later.lot == CountVariance.lot)
                 .order_by(later.id.desc()).limit(1).scalar_subquery())
    stmt = (sa.select(CountVariance.id, CountVariance.task_id, CountVariance.lot, CountVariance.expected_qty,
                      CountVariance.counted_qty, CountVariance.delta, CountVariance.value_cents,
                      CountVariance.created_at, task.recount_of_id, task.abc_class, Location.code.label("location"),
                      Item.sku, Item.name, earlier.counted_qty.label("earlier_qty"), later_qty.label("later_qty"))
            .join(task, task.id == CountVariance.task_id)
            .join(Location, Location.id == task.location_id)
            .join(Item, Item.id == CountVariance.item_id)
            .outerjoin(earlier, sa.and_(earlier.task_id == task.recount_of_id,
                                        earlier.item_id == CountVariance.item_id, earlier.lot == CountVariance.lot))
            .where(CountVariance.status == VarianceStatus.PENDING)
            .order_by(CountVariance.created_at, CountVariance.id))
    rows = []
    for r in db.session.execute(stmt):
        row = dict(r._mapping)
        if row["recount_of_id"] is not None:  # the queue holds the recount: the first count is the earlier one
            row["first_count"], row["recount"] = row["earlier_qty"], row["counted_qty"]
        else:
            row["first_count"], row["recount"] = row["counted_qty"], row["later_qty"]
        rows.append(row)
    return rows


def pending_variance_totals() -> dict[str, int]:
    """Variances waiting for a supervisor's approval: how many, and their value (|delta| × unit value)."""
    count, value = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(CountVariance.value_cents), 0))
        .where(CountVariance.status == VarianceStatus.PENDING)).one()
    return {"count": int(count), "value_cents": int(value)}


# --- Inventory record accuracy ---------------------------------------------------------------------

def _first_counts(since: datetime) -> list[tuple[str | None, datetime, bool]]:
    """(class, counted at, hit) of every first count (not a recount) made since `since`: a hit when all its
    variances were within tolerance (ref. warehouse-ops §4.4, record IRA). Counted at = its last entry (the
    task's closing time for an empty bin confirmed without entries)."""
    last_entry = (sa.select(CountEntry.task_id, sa.func.max(CountEntry.counted_at).label("at"))
                  .group_by(CountEntry.task_id).subquery())
    counted_at = sa.func.coalesce(last_entry.c.at, CountTask.closed_at)
    beyond = sa.exists().where(CountVariance.task_id == CountTask.id, CountVariance.status != VarianceStatus.WITHIN)
    stmt = (sa.select(CountTask.abc_class, counted_at.label("counted_at"), beyond.label("beyond"))
            .outerjoin(last_entry, last_entry.c.task_id == CountTask.id)
            .where(CountTask.reason != CountTaskReason.RECOUNT, CountTask.status.in_(COUNTED_STATUSES),
                   counted_at >= since))
    return [(cls, at, not miss) for cls, at, miss in db.session.execute(stmt)]


def _ratio(hits: int, counts: int) -> dict:
    return {"hits": hits, "counts": counts, "pct": round(100.0 * hits / counts, 1) if counts else None}


def ira_by_class(today: date, day_start) -> list[dict]:
    """Record IRA (hits ÷ counts) per class and for all, over the last 7/30/90 days (today included).
    day_start(d) is the UTC instant the warehouse day d begins."""
    starts = {days: day_start(today - timedelta(days=days - 1)) for days in IRA_WINDOWS}
    counts = _first_counts(min(starts.values()))
    table = []
    for cls in (*CLASSES, ALL):
        row = {"class": cls}
        for days, since in starts.items():
            mine = [hit for c, at, hit in counts if at >= since and (cls == ALL or c == cls)]
            row[days] = _ratio(sum(mine), len(mine))
        table.append(row)
    return table


def _weeks(today: date) -> list[date]:
    """The Mondays of the weeks shown, oldest first (this week last)."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS_SHOWN - 1, -1, -1)]


def _monday(moment: datetime, local) -> date:
    day = local(moment).date()
    return day - timedelta(days=day.weekday())


def ira_by_week(today: date, day_start, local) -> list[dict]:
    """Record IRA per warehouse week (Monday first) for all classes and each class, oldest week first.
    local(moment) turns a stored UTC time into warehouse time."""
    weeks = _weeks(today)
    tally = {w: {cls: [0, 0] for cls in (*CLASSES, ALL)} for w in weeks}
    for cls, at, hit in _first_counts(day_start(weeks[0])):
        week = tally.get(_monday(at, local))
        if week is None:
            continue
        for key in {cls, ALL} & week.keys():
            week[key][0] += hit
            week[key][1] += 1
    return [{"week": w, **{cls: _ratio(*tally[w][cls]) for cls in (*CLASSES, ALL)}} for w in weeks]


def adjustment_value_by_week(today: date, day_start, local) -> list[dict]:
    """Count adjustments posted per warehouse week: how many and the sum of their |value| in cents."""
    weeks = _weeks(today)
    tally = {w: [0, 0] for w in weeks}
    stmt = (sa.select(CountVariance.value_cents, StockMove.created_at)
            .join(StockMove, StockMove.id == CountVariance.adjustment_move_id)
            .where(StockMove.created_at >= day_start(weeks[0])))
    for value, at in db.session.execute(stmt):
        week = tally.get(_monday(at, local))
        if week is not None:
            week[0] += 1
            week[1] += abs(value or 0)
    return [{"week": w, "adjustments": n, "value_cents": cents} for w, (n, cents) in tally.items()]

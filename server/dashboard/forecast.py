"""The day's forecast (issue 12, item 6): which orders will miss their ship-by at today's pace, and how many
pickers and packers it would take to make the rest.

Work left: every open order (not shipped, not cancelled) whose ship-by falls before the end of the warehouse's
local day, overdue ones included, with its units still to pick (ordered − picked) and whether it is packed.

Rates, measured today (from the start of the local day to `now`), pooled over people:
- pick units per picker-hour, from the ledger's pick movements (who, when, units: a pick made in parts is one
  movement a part; the same record as the people table's picked units, server/dashboard/people.py);
- pack orders per packer-hour, from packages (who packed, when the order's first package was opened and its last
  closed: an order counts once per packer);
- active time: each person's events in time order. An event's time runs from the same person's previous event,
  or from its own start when that is known and later (the person waited in between), to its end; a time over
  ACTIVE_GAP (15 min) is a break: neither it nor the event's units count. So a person's day is the spans of their
  activity with the gaps over 15 min removed, and a rate is the units (orders) of the counted events over the
  counted hours;
- fewer than MIN_PICKED_UNITS (20) counted units, or MIN_PACKED_ORDERS (5) counted orders today: that stage runs
  at its configured default (FORECAST_PICK_UNITS_PER_HOUR, FORECAST_PACK_ORDERS_PER_HOUR) and the basis says
  "default rates";
- people now: the distinct pickers (packers) with a pick (pack) in the last PEOPLE_WINDOW (30 min).

Prediction (`predict_misses`, pure): from max(now, shift start), a two-stage pipeline. Pickers take the orders in
the order the floor picks them (`PickSequence`: the orders on a cart first, then batch after batch as the batch
selection builds them — most urgent first, then those due with them that add the least walking; that selection
gets noticeably more small orders through before the end of a shift than plain ship-by order would: against the
simulated day of the acceptance test, 202 predicted misses for 210 simulated, where ship-by order says 247), each
as soon as they are free, needing units left / pick rate. Packers take the orders as their picks finish, needing
1 / pack rate each. A pick or a pack started before the end of the shift is finished; none starts after it. An
order misses when its pack finishes after its ship-by, or when it is not packed by the end of the shift — so an
overdue order always misses, packed or not: it has not shipped by its ship-by.

People needed: the orders that can still make it are those that do not miss with HEAD_COUNT_CAP (50) pickers and
packers. pickers_needed is the smallest count (by bisection, to the cap) with which none of them misses while
packing is not the limit (the cap of packers); packers_needed the smallest count with that many pickers. Making
every order that can means picking the whole list, so these runs take the orders in ship-by order (building the
batches only costs time there). No order that can still make it (nothing left, or the shift is over): 0 and 0.
The batches are built only as far as the prediction reads them: no further than the current team picks today.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from flask import current_app

from ..extensions import db
from ..inventory import queries as inventory_queries
from ..orders import queries as order_queries
from ..orders.models import OrderStatus
from ..orders.ship_by import parse_cutoff
from ..orders.urgency import start_of_tomorrow
from ..packing import queries as packing_queries
from ..picking import queries as picking_queries
from ..picking.batching import DEFAULT_BATCH_SIZE
from ..picking.selection import LOOK_AHEAD, Candidate, choose_batch

ACTIVE_GAP = timedelta(minutes=15)
PEOPLE_WINDOW = timedelta(minutes=30)
MIN_PICKED_UNITS = 20
MIN_PACKED_ORDERS = 5
HEAD_COUNT_CAP = 50
MEASURED, DEFAULTS = "measured today", "default rates"


@dataclass(frozen=True)
class OrderWork:
    """One order's work left: units still to pick, whether it is on a cart now, whether it is packed."""

    order_id: int
    ship_by: datetime
    units_left: int
    ordered_at: datetime | None = None
    picking: bool = False
    packed: bool = False


@dataclass
class DayForecast:
    now: datetime
    end_of_shift: datetime
    due_today: int                  # open orders with ship-by before the end of today (overdue ones too)
    predicted_misses: int
    miss_order_ids: list[int]
    pick_units_per_hour: float      # per picker
    pack_orders_per_hour: float     # per packer
    pickers_now: int
    packers_now: int
    pickers_needed: int
    packers_needed: int
    basis: str                      # MEASURED, or DEFAULTS when either rate is its configured default


def measured_rate(events: Iterable[tuple[object, datetime | None, datetime, int]],
                  gap: timedelta = ACTIVE_GAP) -> tuple[int, float]:
    """(units, hours) of (person, started or None, finished, units) events, counted as the module says."""
    last: dict[object, datetime] = {}
    units, seconds = 0, 0.0
    for person, started, at, n in sorted(events, key=lambda e: (str(e[0]), e[2])):
        since = max((t for t in (last.get(person), started) if t is not None), default=None)
        if since is not None and at - since <= gap:
            units, seconds = units + n, seconds + (at - since).total_seconds()
        last[person] = at
    return units, seconds / 3600


class PickSequence:
    """The orders in the order the floor would pick them: those needing no pick (picked, packed) or on a cart
    first, then batch after batch as selection.choose_batch builds them from the orders with units reserved in
    bins (`points`: each order's bins; without `points`, in ship-by order), then those with nothing reserved to
    pick (not allocated yet, or short); each group most urgent first. Built a batch at a time, as far as read."""

    def __init__(self, work: Iterable[OrderWork], points: Mapping[int, tuple] | None = None, *,
                 size: int = DEFAULT_BATCH_SIZE, now: datetime | None = None):
        self.orders = sorted(work, key=_rank)
        needs_pick = [w for w in self.orders if not (w.picking or w.units_left <= 0 or w.packed)]
        self._read = [w for w in self.orders if w.picking or w.units_left <= 0 or w.packed]
        if points is None:
            self._read += needs_pick
            needs_pick, self._last = [], []
        else:
            self._last = [w for w in needs_pick if not points.get(w.order_id)]
        self._by_id = {w.order_id: w for w in needs_pick}
        self._pending = (Candidate(order_id=w.order_id, ship_by=w.ship_by, ordered_at=w.ordered_at or w.ship_by,
                                   units=w.units_left, points=points[w.order_id])
                         for w in needs_pick if points.get(w.order_id))
        self._pool: list[Candidate] = []
        self._size, self._now = size, now

    def _next_batch(self) -> bool:
        # choose_batch reads only the LOOK_AHEAD * size most urgent candidates: hand it those, topped up in order.
        self._pool += itertools.islice(self._pending, LOOK_AHEAD * self._size - len(self._pool))
        if not self._pool:
            self._read += self._last
            self._last = []
            return False
        chosen = set(choose_batch(self._pool, size=self._size, now=self._now))
        self._read += [self._by_id[c.order_id] for c in self._pool if c.order_id in chosen]
        self._pool = [c for c in self._pool if c.order_id not in chosen]
        return True

    def __iter__(self) -> Iterator[OrderWork]:
        i = 0
        while i < len(self._read) or self._next_batch() or i < len(self._read):
            yield self._read[i]
            i += 1


def _rank(w: OrderWork) -> tuple:
    return w.ship_by, w.ordered_at or w.ship_by, w.order_id      # selection.rank_key's order


def predict_misses(sequence: PickSequence, *, now: datetime, shift_start: datetime, shift_end: datetime,
                   pickers: int, packers: int, pick_rate: float, pack_rate: float) -> list[int]:
    """The ids of the orders that miss their ship-by with this team and these rates, most urgent first."""
    begin = max(now, shift_start)
    free = [begin] * pickers
    ready: list[tuple[datetime, int, OrderWork]] = []      # (pick finished, place in the sequence, order)
    for place, w in enumerate(sequence):
        if w.packed:
            continue
        if w.units_left <= 0:
            ready.append((begin, place, w))
        elif free and free[0] < shift_end:
            done = heapq.heappop(free) + timedelta(hours=w.units_left / pick_rate)
            heapq.heappush(free, done)
            ready.append((done, place, w))
        else:
            break                               # nobody starts another pick today: the rest are not picked
    ready.sort(key=lambda r: r[:2])
    packed: dict[int, datetime] = {}
    benches = [begin] * packers
    for picked, _place, w in ready:
        start = max(benches[0], picked) if benches else shift_end
        if start >= shift_end:
            continue
        heapq.heappop(benches)
        packed[w.order_id] = start + timedelta(hours=1 / pack_rate)
        heapq.heappush(benches, packed[w.order_id])
    return [w.order_id for w in sequence.orders
            if w.ship_by < now or (not w.packed and (w.order_id not in packed or packed[w.order_id] > w.ship_by))]


def people_needed(sequence: PickSequence, *, now: datetime, shift_start: datetime, shift_end: datetime,
                  pick_rate: float, pack_rate: float, cap: int = HEAD_COUNT_CAP) -> tuple[int, int]:
    """(pickers, packers): the smallest team with which no order that can still make it misses (see the module).

    Searched by bisection: more people never make an order miss that fewer people made (tested)."""
    def makes_them(pickers: int, packers: int) -> bool:
        return not wanted & set(predict_misses(sequence, now=now, shift_start=shift_start, shift_end=shift_end,
                                               pickers=pickers, packers=packers, pick_rate=pick_rate,
                                               pack_rate=pack_rate))

    def fewest(lo: int, enough) -> int:
        hi = cap                                # enough(cap) holds: that is what "can still make it" means
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if enough(mid) else (mid + 1, hi)
        return lo

    unavoidable = set(predict_misses(sequence, now=now, shift_start=shift_start, shift_end=shift_end, pickers=cap,
                                     packers=cap, pick_rate=pick_rate, pack_rate=pack_rate))
    wanted = {w.order_id for w in sequence.orders if not w.packed and w.order_id not in unavoidable}
    if not wanted:
        return 0, 0
    pickers = fewest(0, lambda n: makes_them(n, cap))
    return pickers, fewest(0, lambda n: makes_them(pickers, n))


def shift_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """Today's shift (config SHIFT_START and SHIFT_END, local HH:MM) as aware UTC instants."""
    today = now.astimezone(tz).date()
    start, end = (datetime.combine(today, parse_cutoff(current_app.config[key]), tzinfo=tz).astimezone(UTC)
                  for key in ("SHIFT_START", "SHIFT_END"))
    return start, end


def _rate(events: list, minimum: int, default: float) -> tuple[float, bool]:
    units, hours = measured_rate(events)
    if units >= minimum and hours > 0:
        return units / hours, True
    return float(default), False


def forecast_day(now: datetime, tz: tzinfo) -> DayForecast:
    """Forecast today's misses at the measured pace, and the team that would make every order that still can."""
    now = now.astimezone(UTC)
    day_start = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz).astimezone(UTC)
    since = min(day_start, now - PEOPLE_WINDOW)
    picks = [(m.user_id, None, m.at, int(m.units))
             for m in db.session.execute(inventory_queries.pick_moves(since, now))]
    packs = [(p.packed_by, p.started_at, p.packed_at, 1)
             for p in packing_queries.orders_packed_by_person(since, now)]
    config = current_app.config
    pick_rate, pick_measured = _rate([e for e in picks if e[2] >= day_start], MIN_PICKED_UNITS,
                                     config["FORECAST_PICK_UNITS_PER_HOUR"])
    pack_rate, pack_measured = _rate([e for e in packs if e[2] >= day_start], MIN_PACKED_ORDERS,
                                     config["FORECAST_PACK_ORDERS_PER_HOUR"])
    pickers_now = len({e[0] for e in picks if e[2] > now - PEOPLE_WINDOW})
    packers_now = len({e[0] for e in packs if e[2] > now - PEOPLE_WINDOW})

    tomorrow = start_of_tomorrow(now, tz)
    work = [OrderWork(order_id=r.id, ship_by=r.ship_by, ordered_at=r.ordered_at,
                      units_left=max(int(r.units) - int(r.picked), 0), picking=r.status == OrderStatus.PICKING,
                      packed=r.status == OrderStatus.PACKED)
            for r in order_queries.open_work_due_before(tomorrow)]
    size = int(config.get("PICK_BATCH_SIZE") or DEFAULT_BATCH_SIZE)
    sequence = PickSequence(work, picking_queries.pick_points_due_before(tomorrow), size=size, now=now)
    shift_start, shift_end = shift_bounds(now, tz)
    timing = dict(now=now, shift_start=shift_start, shift_end=shift_end, pick_rate=pick_rate, pack_rate=pack_rate)
    missed = predict_misses(sequence, pickers=pickers_now, packers=packers_now, **timing)
    # Making every order that can, the whole list is picked: ship-by order does (the batches' order costs time).
    pickers_needed, packers_needed = people_needed(PickSequence(work), **timing)
    return DayForecast(now=now, end_of_shift=shift_end, due_today=len(work), predicted_misses=len(missed),
                       miss_order_ids=missed, pick_units_per_hour=round(pick_rate, 1),
                       pack_orders_per_hour=round(pack_rate, 1), pickers_now=pickers_now,
                       packers_now=packers_now, pickers_needed=pickers_needed, packers_needed=packers_needed,
                       basis=MEASURED if pick_measured and pack_measured else DEFAULTS)

"""Which orders go into the next pick batch (issue 8, item 4): "chosen from the most urgent orders so that the
walk stays short". Pure: no Flask, no database; the caller hands in candidates read from its own queries.

Policy ``ship_by`` (the default):

1. Candidates are ranked by urgency: ship-by deadline, then purchase time, then order id (ties deterministic).
2. The *marginal deadline* W is the deadline of the last order a pure ship-by batch of ``size`` would take.
   Every order due before W is in the batch: a shorter walk never delays a more urgent order.
3. The remaining places are filled from the orders due at W (with a ship-by deadline of end of day, a whole
   day's orders share one deadline, so there is a real choice), choosing each time the order that adds the
   least walking to the batch, ties by rank. When W is not yet due soon (two hours or more away), deadlines up
   to ``TIE_WINDOW`` after W count as equally urgent, so that a deadline a few seconds off (a channel's own
   latest-ship-date against our end-of-day one) does not split a group. An overdue or due-soon deadline is
   never traded for a shorter walk: at such a W only orders due exactly at W compete.

The added walking is a cheap estimate on the single-block layout (``routing.Layout``): the cross-aisle walk
to the outermost pick aisles and back, plus per pick aisle the cheapest of walking it end to end or entering it
from the front or the back cross aisle as deep as its farthest pick. It is incremental per aisle, so choosing
from 1,000 candidates takes milliseconds; the batch's real route comes from ``routing.route_order`` later.

Policy ``fifo``: first in, first out by purchase time, then order id (the baseline of bench/late_shipments.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..orders.urgency import DUE_SOON
from .routing import Layout, layout_from_points

POLICIES = ("ship_by", "fifo")
TIE_WINDOW = timedelta(hours=1)
NO_DEADLINE = datetime.max.replace(tzinfo=UTC)

Point = tuple[float, float]


@dataclass(frozen=True)
class Candidate:
    order_id: int
    ship_by: datetime | None
    ordered_at: datetime
    units: int
    points: tuple[Point, ...]   # floor (x, y) of the bins its reservations sit in, metres from the depot


def rank_key(c: Candidate) -> tuple:
    """Most urgent first: deadline (none = last), purchase time, order id."""
    return (c.ship_by or NO_DEADLINE, c.ordered_at, c.order_id)


def fifo_key(c: Candidate) -> tuple:
    return (c.ordered_at, c.order_id)


class _Walk:
    """The walking estimate of a set of pick aisles, kept per aisle so adding an order costs O(its aisles)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.depth = layout.back_y - layout.front_y
        self.spans: dict[int, tuple[float, float]] = {}   # aisle -> (lowest, highest) pick y
        self.first: int | None = None                      # the leftmost and rightmost pick aisles
        self.last: int | None = None

    def aisles_of(self, points: Sequence[Point]) -> dict[int, tuple[float, float]]:
        """Each point in its nearest aisle, merged to (lowest, highest) y per aisle."""
        xs, spans = self.layout.aisle_x, {}
        for x, y in points:
            i = bisect_left(xs, x)
            if i == len(xs) or (i > 0 and x - xs[i - 1] <= xs[i] - x):
                i -= 1
            y = min(max(float(y), self.layout.front_y), self.layout.back_y)
            lo, hi = spans.get(i, (y, y))
            spans[i] = (min(lo, y), max(hi, y))
        return spans

    def _aisle(self, span: tuple[float, float] | None) -> float:
        if span is None:
            return 0.0
        lo, hi = span
        return min(self.depth, 2 * (hi - self.layout.front_y), 2 * (self.layout.back_y - lo))

    def _across(self, first: int | None, last: int | None) -> float:
        """Along the front cross aisle from the depot to the outermost pick aisles and back."""
        if first is None:
            return 0.0
        xs, depot = self.layout.aisle_x, self.layout.depot[0]
        return 2 * (max(xs[last], depot) - min(xs[first], depot))

    def added(self, spans: dict[int, tuple[float, float]]) -> float:
        extra = 0.0
        for aisle, (lo, hi) in spans.items():
            old = self.spans.get(aisle)
            merged = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))
            extra += self._aisle(merged) - self._aisle(old)
        if spans:
            first, last = min(spans), max(spans)
            if self.first is not None:
                first, last = min(first, self.first), max(last, self.last)
            extra += self._across(first, last) - self._across(self.first, self.last)
        return extra

    def add(self, spans: dict[int, tuple[float, float]]) -> None:
        for aisle, (lo, hi) in spans.items():
            old = self.spans.get(aisle)
            self.spans[aisle] = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))
        if self.spans:
            self.first, self.last = min(self.spans), max(self.spans)


def choose_batch(candidates: Sequence[Candidate], *, size: int, now: datetime, policy: str = "ship_by",
                 layout: Layout | None = None) -> list[int]:
    """The order ids of the next batch of at most ``size`` orders, most urgent first (module docstring).

    ``layout`` defaults to a single block inferred from the candidates' points (depot at (0, 0))."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError("the batch size must be a whole number of at least 1")
    if policy not in POLICIES:
        raise ValueError(f"unknown batch policy {policy!r} (one of {', '.join(POLICIES)})")
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if policy == "fifo":
        return [c.order_id for c in sorted(candidates, key=fifo_key)[:size]]
    ranked = sorted(candidates, key=rank_key)
    if len(ranked) <= size:
        return [c.order_id for c in ranked]
    marginal = ranked[size - 1].ship_by or NO_DEADLINE
    urgent = marginal < now + DUE_SOON
    last_tied = marginal if urgent or marginal == NO_DEADLINE else marginal + TIE_WINDOW

    def deadline(c: Candidate) -> datetime:
        return c.ship_by or NO_DEADLINE

    batch = [c for c in ranked if deadline(c) < marginal]
    pool = [c for c in ranked[len(batch):] if deadline(c) <= last_tied]
    if layout is None:
        points = [p for c in batch + pool for p in c.points]
        if not points:   # nowhere to walk: rank decides
            return [c.order_id for c in ranked[:size]]
        layout = layout_from_points(points)
    walk = _Walk(layout)
    for c in batch:
        walk.add(walk.aisles_of(c.points))
    if not batch:   # the seed: the most urgent order opens the batch
        seed = pool.pop(0)
        walk.add(walk.aisles_of(seed.points))
        batch.append(seed)
    spans = {c.order_id: walk.aisles_of(c.points) for c in pool}
    rank = {c.order_id: i for i, c in enumerate(pool)}
    while len(batch) < size and pool:
        best = min(pool, key=lambda c: (walk.added(spans[c.order_id]), rank[c.order_id]))
        pool.remove(best)
        walk.add(spans[best.order_id])
        batch.append(best)
    return [c.order_id for c in sorted(batch, key=rank_key)]

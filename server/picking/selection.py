"""Which orders go into the next pick batch (issue 8, item 4): "chosen from the most urgent orders so that the
walk stays short". Pure: no Flask, no database; the caller hands in candidates read from its own queries.

Policy ``ship_by`` (the default):

1. Candidates are ranked by urgency: ship-by deadline, then purchase time, then order id (ties deterministic).
2. The *marginal deadline* W is the deadline of the last order a pure ship-by batch of ``size`` would take.
   Every order due before W is in the batch: a shorter walk never delays a more urgent order.
3. The remaining places are filled from the orders due at W (with a ship-by deadline of end of day, a whole
   day's orders share one deadline, so there is a real choice), choosing each time the order that adds the
   least walking to the batch, ties by rank. Only the ``LOOK_AHEAD * size`` most urgent candidates compete, so
   an order out of the way is passed over for a few batches at most (it soon becomes the seed) and the choice
   costs the same with 100 or 10,000 open orders. When W is not yet due soon (two hours or more away), deadlines up
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
LOOK_AHEAD = 12   # the pool: the most urgent LOOK_AHEAD * size candidates, so a far-off order waits a few batches
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
    """The walking estimate of a set of pick aisles, kept per aisle: what an order adds inside the aisles changes
    only when an aisle it uses changes, and what it adds along the cross aisle is two comparisons."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.depth = layout.back_y - layout.front_y
        self.spans: dict[int, tuple[float, float]] = {}   # aisle -> (lowest, highest) pick y
        self.left = self.right = layout.depot[0]           # the cross-aisle walk reaches x = left .. right

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
        """Walking inside one aisle: end to end, or in and out from the front or the back cross aisle."""
        if span is None:
            return 0.0
        lo, hi = span
        return min(self.depth, 2 * (hi - self.layout.front_y), 2 * (self.layout.back_y - lo))

    def reach(self, spans: dict[int, tuple[float, float]]) -> tuple[float, float]:
        """How far left and right of the depot the cross-aisle walk to these pick aisles goes (x)."""
        xs, depot = self.layout.aisle_x, self.layout.depot[0]
        return (min(xs[min(spans)], depot), max(xs[max(spans)], depot)) if spans else (depot, depot)

    def inside(self, spans: dict[int, tuple[float, float]]) -> float:
        """The walking that `spans` adds inside the aisles."""
        extra = 0.0
        for aisle, (lo, hi) in spans.items():
            old = self.spans.get(aisle)
            merged = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))
            extra += self._aisle(merged) - self._aisle(old)
        return extra

    def across(self, reach: tuple[float, float]) -> float:
        """The walking that reaching `reach` adds along the front cross aisle (there and back)."""
        left, right = reach
        return 2 * (max(0.0, right - self.right) + max(0.0, self.left - left))

    def add(self, spans: dict[int, tuple[float, float]]) -> list[int]:
        """Take the spans into the batch; the aisles whose span changed."""
        changed = []
        for aisle, (lo, hi) in spans.items():
            old = self.spans.get(aisle)
            new = (lo, hi) if old is None else (min(lo, old[0]), max(hi, old[1]))
            if new != old:
                self.spans[aisle] = new
                changed.append(aisle)
        left, right = self.reach(spans)
        self.left, self.right = min(self.left, left), max(self.right, right)
        return changed


def _deadline(c: Candidate) -> datetime:
    return c.ship_by or NO_DEADLINE


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
    marginal = _deadline(ranked[size - 1])
    urgent = marginal < now + DUE_SOON
    last_tied = marginal if urgent or marginal == NO_DEADLINE else marginal + TIE_WINDOW
    must = next(i for i, c in enumerate(ranked) if _deadline(c) >= marginal)   # all due before W: < size
    batch = ranked[:must]
    pool = [c for c in ranked[must:LOOK_AHEAD * size] if _deadline(c) <= last_tied]
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
    spans = [walk.aisles_of(c.points) for c in pool]
    reach = [walk.reach(s) for s in spans]
    inside = [walk.inside(s) for s in spans]
    users: dict[int, list[int]] = {}   # aisle -> the pool's candidates (by index) that pick in it
    for k, s in enumerate(spans):
        for aisle in s:
            users.setdefault(aisle, []).append(k)
    left = list(range(len(pool)))      # indices in rank order, so min() breaks ties by rank
    while len(batch) < size and left:
        best = min(left, key=lambda k: inside[k] + walk.across(reach[k]))
        left.remove(best)
        batch.append(pool[best])
        for aisle in walk.add(spans[best]):
            for k in users[aisle]:
                inside[k] = walk.inside(spans[k])
    return [c.order_id for c in sorted(batch, key=rank_key)]

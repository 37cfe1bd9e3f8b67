"""Pick-route sequencing in a single-block warehouse (issue 8, item 4). Pure: no Flask, no database.

A single block is a row of parallel pick aisles between a front and a back cross aisle; the depot sits on
the front cross aisle. A stop is a place in an aisle: (aisle index, y), with front_y <= y <= back_y. Walking
goes along aisles and cross aisles, never through the racks, so between two stops in different aisles the
picker walks to the front or the back cross aisle, whichever is shorter (`Layout.distance`).

Routes:
- `s_shape_order`: the traversal policy (the baseline): every aisle with a pick is walked end to end,
  alternately up and down, left to right; with an odd number of aisles the last one is a return trip.
- `route_order`: the sequence we use: exact for up to 9 distinct places; above, the best of S-shape,
  largest-gap and nearest-neighbour starts, each improved by 2-opt and Or-opt on the aisle metric. One start
  is the S-shape order and only improvements are accepted, so it is never longer than S-shape.
- `exact_order`: Held–Karp dynamic programming, exact, for small stop sets (the tests and the bench use it
  as the reference).

An order is a list of indices into the stops; the route starts and ends at the depot, which is not listed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

Point = tuple[float, float]


@dataclass(frozen=True)
class Layout:
    aisle_x: tuple[float, ...]        # x of each aisle's centre line, left to right
    front_y: float = 0.0              # y of the front cross aisle (the depot's side)
    back_y: float = 20.0              # y of the back cross aisle
    depot_x: float | None = None      # x of the depot on the front cross aisle (default: the first aisle)

    def __post_init__(self):
        if not self.aisle_x:
            raise ValueError("a layout needs at least one aisle")
        if list(self.aisle_x) != sorted(self.aisle_x):
            raise ValueError("aisle_x must run left to right")
        if self.back_y <= self.front_y:
            raise ValueError("the back cross aisle must lie behind the front one")

    @classmethod
    def regular(cls, aisles: int, *, spacing: float = 3.0, length: float = 20.0,
                depot_x: float | None = None) -> "Layout":
        """`aisles` aisles `spacing` apart (centre to centre), each `length` long between the cross aisles."""
        return cls(tuple(i * spacing for i in range(aisles)), 0.0, float(length), depot_x)

    @property
    def depot(self) -> Point:
        return (self.aisle_x[0] if self.depot_x is None else self.depot_x, self.front_y)

    def point(self, stop: tuple[int, float]) -> Point:
        aisle, y = stop
        if not 0 <= aisle < len(self.aisle_x):
            raise ValueError(f"no aisle {aisle}")
        if not self.front_y <= y <= self.back_y:
            raise ValueError(f"y {y} lies outside the aisle ({self.front_y}..{self.back_y})")
        return (self.aisle_x[aisle], float(y))

    def distance(self, p: Point, q: Point) -> float:
        """Shortest walk between two points that each lie in an aisle or on a cross aisle."""
        (x1, y1), (x2, y2) = p, q
        if x1 == x2:
            return abs(y1 - y2)
        via_front = (y1 - self.front_y) + (y2 - self.front_y)
        via_back = (self.back_y - y1) + (self.back_y - y2)
        return abs(x1 - x2) + min(via_front, via_back)


def layout_from_points(points: Sequence[Point], *, depot: Point = (0.0, 0.0), aisle_gap: float = 0.5,
                       cross_aisle: float = 1.2) -> Layout:
    """A single-block layout inferred from location floor coordinates (metres from the depot): every distinct
    x (within `aisle_gap`) is an aisle; the front cross aisle runs through the depot, or `cross_aisle` in
    front of the lowest location if that lies lower; the back one `cross_aisle` behind the farthest location."""
    if not points:
        raise ValueError("no points to infer a layout from")
    xs: list[float] = []
    for x in sorted(p[0] for p in points):
        if not xs or x - xs[-1] > aisle_gap:
            xs.append(x)
    ys = [p[1] for p in points]
    front = min(depot[1], min(ys) - cross_aisle)
    return Layout(tuple(xs), front, max(ys) + cross_aisle, depot[0])


def stops_from_points(layout: Layout, points: Sequence[Point]) -> list[tuple[int, float]]:
    """Each point as a stop: in the aisle nearest its x, at its y (kept between the cross aisles)."""
    stops = []
    for x, y in points:
        aisle = min(range(len(layout.aisle_x)), key=lambda a: abs(layout.aisle_x[a] - x))
        stops.append((aisle, min(max(float(y), layout.front_y), layout.back_y)))
    return stops


def _points(layout: Layout, stops: Sequence[tuple[int, float]]) -> list[Point]:
    """The depot first, then the stops' points."""
    return [layout.depot] + [layout.point(s) for s in stops]


def _matrix(layout: Layout, pts: list[Point]) -> list[list[float]]:
    return [[layout.distance(p, q) for q in pts] for p in pts]


def _tour_length(d: list[list[float]], tour: list[int]) -> float:
    return sum(d[tour[i - 1]][tour[i]] for i in range(len(tour)))  # closed: tour[-1] -> tour[0]


def route_length(layout: Layout, stops: Sequence[tuple[int, float]], order: Sequence[int]) -> float:
    """Walking distance from the depot through the stops in `order` and back to the depot."""
    pts = _points(layout, stops)
    walk = [pts[0]] + [pts[i + 1] for i in order] + [pts[0]]
    return sum(layout.distance(walk[i], walk[i + 1]) for i in range(len(walk) - 1))


def s_shape_order(layout: Layout, stops: Sequence[tuple[int, float]]) -> list[int]:
    by_aisle: dict[int, list[int]] = {}
    for i, (aisle, _y) in enumerate(stops):
        by_aisle.setdefault(aisle, []).append(i)
    order: list[int] = []
    for n, aisle in enumerate(sorted(by_aisle)):
        up = n % 2 == 0 or n == len(by_aisle) - 1   # the odd last aisle is a return trip: up and back
        order += sorted(by_aisle[aisle], key=lambda i: stops[i][1], reverse=not up)
    return order


def largest_gap_order(layout: Layout, stops: Sequence[tuple[int, float]]) -> list[int]:
    """Largest gap: the first and last pick aisles are traversed; in every aisle between, the stops before the
    largest gap are picked from the front cross aisle on the way out, the rest from the back on the way back."""
    by_aisle: dict[int, list[int]] = {}
    for i, (aisle, _y) in enumerate(stops):
        by_aisle.setdefault(aisle, []).append(i)
    aisles = sorted(by_aisle)
    if len(aisles) == 1:
        return sorted(by_aisle[aisles[0]], key=lambda i: stops[i][1])
    front_part: dict[int, list[int]] = {}
    back_part: dict[int, list[int]] = {}
    for a in aisles[1:-1]:
        ids = sorted(by_aisle[a], key=lambda i: stops[i][1])
        ys = [layout.front_y] + [stops[i][1] for i in ids] + [layout.back_y]
        gap = max(range(len(ys) - 1), key=lambda k: ys[k + 1] - ys[k])  # stops[:gap] from the front
        front_part[a], back_part[a] = ids[:gap], ids[gap:]
    order = sorted(by_aisle[aisles[0]], key=lambda i: stops[i][1])          # first aisle, up
    # out along the back: the back parts, aisle by aisle to the right, each entered and left at the back
    for a in aisles[1:-1]:
        order += sorted(back_part[a], key=lambda i: stops[i][1], reverse=True)
    order += sorted(by_aisle[aisles[-1]], key=lambda i: stops[i][1], reverse=True)  # last aisle, down
    for a in reversed(aisles[1:-1]):                                       # home along the front
        order += sorted(front_part[a], key=lambda i: stops[i][1])
    return order


def _nearest_neighbour(d: list[list[float]]) -> list[int]:
    n = len(d)
    tour, left = [0], set(range(1, n))
    while left:
        last = tour[-1]
        nxt = min(left, key=lambda j: (d[last][j], j))
        tour.append(nxt)
        left.remove(nxt)
    return tour


def _improve(d: list[list[float]], tour: list[int], eps: float = 1e-9) -> list[int]:
    """2-opt and Or-opt (segments of 1–3, either direction) until neither improves. The depot stays first."""
    tour = list(tour)
    n = len(tour)
    if n < 4:
        return tour
    improved = True
    while improved:
        improved = False
        # 2-opt: reverse tour[i..j]
        for i in range(1, n - 1):
            a, b = tour[i - 1], tour[i]
            for j in range(i + 1, n):
                c, e = tour[j], tour[(j + 1) % n]
                delta = d[a][c] + d[b][e] - d[a][b] - d[c][e]
                if delta < -eps:
                    tour[i:j + 1] = reversed(tour[i:j + 1])
                    a, b = tour[i - 1], tour[i]
                    improved = True
        # Or-opt: move a segment of 1..3 stops elsewhere, possibly reversed
        for length in (1, 2, 3):
            i = 1
            while i + length <= n:
                seg = tour[i:i + length]
                p, nx = tour[i - 1], tour[(i + length) % n]
                gain = d[p][seg[0]] + d[seg[-1]][nx] - d[p][nx]
                rest = tour[:i] + tour[i + length:]
                best, where, rev = eps, None, False
                for k in range(len(rest)):
                    u, v = rest[k], rest[(k + 1) % len(rest)]
                    base = d[u][v]
                    fwd = gain - (d[u][seg[0]] + d[seg[-1]][v] - base)
                    bwd = gain - (d[u][seg[-1]] + d[seg[0]][v] - base)
                    if fwd > best:
                        best, where, rev = fwd, k, False
                    if bwd > best:
                        best, where, rev = bwd, k, True
                if where is not None:
                    ins = seg[::-1] if rev else seg
                    tour = rest[:where + 1] + ins + rest[where + 1:]
                    improved = True
                i += 1
    return tour


def improve_order(layout: Layout, stops: Sequence[tuple[int, float]], order: Sequence[int]) -> list[int]:
    """`order` improved by 2-opt and Or-opt on the aisle metric; never longer than `order`."""
    d = _matrix(layout, _points(layout, stops))
    tour = _improve(d, [0] + [i + 1 for i in order])
    return [i - 1 for i in tour[1:]]


def route_order(layout: Layout, stops: Sequence[tuple[int, float]], *, restarts: int = 0,
                seed: int = 0, exact_up_to: int = 9) -> list[int]:
    """Our pick sequence. Lines at the same place are one stop; up to `exact_up_to` stops the exact optimum
    (Held–Karp); above, the shortest of several improved starts (S-shape, largest gap, nearest neighbour, and
    `restarts` random ones). Never longer than the S-shape order."""
    if len(stops) <= 1:
        return list(range(len(stops)))
    same: dict[tuple[int, float], list[int]] = {}   # lines at one place are one stop
    for i, stop in enumerate(stops):
        same.setdefault((stop[0], float(stop[1])), []).append(i)
    if len(same) < len(stops):
        places = list(same)
        return [i for k in route_order(layout, places, restarts=restarts, seed=seed) for i in same[places[k]]]
    if len(stops) <= exact_up_to:
        return exact_order(layout, stops, max_stops=exact_up_to)
    d = _matrix(layout, _points(layout, stops))
    starts = [[0] + [i + 1 for i in s_shape_order(layout, stops)],
              [0] + [i + 1 for i in largest_gap_order(layout, stops)],
              _nearest_neighbour(d)]
    rng = random.Random(seed)
    for _ in range(restarts):
        rest = list(range(1, len(d)))
        rng.shuffle(rest)
        starts.append([0] + rest)
    best = min((_improve(d, s) for s in starts), key=lambda t: _tour_length(d, t))
    return [i - 1 for i in best[1:]]


def exact_order(layout: Layout, stops: Sequence[tuple[int, float]], max_stops: int = 13) -> list[int]:
    """The shortest order (Held–Karp dynamic programming, O(2^n n^2)); for small stop sets only."""
    n = len(stops)
    if n > max_stops:
        raise ValueError(f"{n} stops is too many for the exact solver (at most {max_stops})")
    if n <= 1:
        return list(range(n))
    d = _matrix(layout, _points(layout, stops))
    full = (1 << n) - 1
    inf = float("inf")
    cost = [[inf] * n for _ in range(1 << n)]   # cost[set][j]: depot -> all of set, ending at stop j
    back = [[-1] * n for _ in range(1 << n)]
    for j in range(n):
        cost[1 << j][j] = d[0][j + 1]
    for s in range(1, 1 << n):
        row = cost[s]
        for j in range(n):
            c = row[j]
            if c == inf or not (s >> j) & 1:
                continue
            dj = d[j + 1]
            for k in range(n):
                if (s >> k) & 1:
                    continue
                t = s | (1 << k)
                nc = c + dj[k + 1]
                if nc < cost[t][k]:
                    cost[t][k] = nc
                    back[t][k] = j
    last = min(range(n), key=lambda j: cost[full][j] + d[j + 1][0])
    order, s = [], full
    while last != -1:
        order.append(last)
        s, last = s & ~(1 << last), back[s][last]
    return order[::-1]

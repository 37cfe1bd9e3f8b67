"""Late-shipment rate of ship-by-driven batching against first-in-first-out batching (issue 8, acceptance).

A simulated fortnight (Monday 2026-05-18 to Sunday 2026-05-31, America/New_York) on the demo warehouse's bins
(server/demo.py). Everything is seeded, and both policies see the same arrivals at every load.

Orders
- Arrive around the clock: a Poisson-like count per day (normal approximation) with a weekday weight (a Monday
  peak), spread by an hour-of-day profile (quiet at night, busy midday and in the evening): `WEEKDAY_WEIGHT`,
  `HOURLY_PROFILE` (assumptions, shaped on typical web-shop traffic). The load is the mean number of orders per
  calendar day. Arrivals are drawn once at `--max-load` and thinned for each load, so a load always sees the
  same orders, a subset of a higher load's.
- 1-5 lines (`LINES`), 1-3 units a line (`UNITS`), SKUs drawn with a Zipf-like popularity over the demo bins,
  one SKU a bin, the popular ones scattered (no slotting).
- Ship-by from server/orders/ship_by.py `WarehouseCalendar`: handling time 2 business days, cut-off 14:00,
  weekends closed and one holiday in the fortnight (Memorial Day, Monday 2026-05-25, the second Monday's peak).
- Arrivals start four days early (warm-up, so the first Monday begins with a normal backlog) and go on two days
  after the fortnight. Only orders purchased inside the fortnight are counted.

The team (fixed: `--pickers`, `--packers`) works business days 08:00-16:30 local; a trip or a pack started
before the end of the shift is finished. A picker who is free takes the next batch of up to `--batch-size`
orders from the orders that have arrived and are not in a batch (waveless release), chosen by
server/picking/selection.py `choose_batch` with policy "ship_by" or "fifo"; the trip is routed by
server/picking/routing.py `route_order`. Packers pack orders in the order their batches come back (the same
for both policies: only the batching differs). An order is late when it is packed (ship-confirmed, amazon-fbm.md
§5) after its ship-by deadline.

Pick times (per line and per trip) come from the split of picker time in ../shared/reference/warehouse-ops.md §3
(travel 50 %, search 20 %, extract 15 %, setup 10 %, other 5 %), applied to single-order trips on this layout:
with T = the mean walking time of one order on its own trip at `--walk-speed` m/s (an assumption: 1.0 m/s pushing
a cart), a line costs (20 + 15) / 50 * T / mean lines (search + extract), an extra unit of a line another
extract, a trip's setup 10 / 50 * T, binding each further tote `--tote-seconds`, and everything is divided by
0.95 for the other 5 %. Packing (`--pack-seconds` an order plus `--pack-unit-seconds` a further unit) is an
assumption until packing (next issue) is measured. The figures used are in the JSON ("times").

`run_floor` records every trip (picker, start, end, stops in walking order) and every pack (packer, start, end):
the day forecast's acceptance test (tests/dashboard/test_forecast.py) stops a simulated day at 10:30, writes that
floor into the database and compares the forecast with the day's end.

Output: for each load of a sweep the late-shipment rate of each policy; the highest load (orders/day, to
`--step`) each keeps under 4 % (the sweep, then bisection between its points); and the ship-by rate at the
first load where fifo reaches 4 %. JSON to bench/results/late_shipments-*.json.

    .venv/bin/python bench/late_shipments.py                 # about a minute
    .venv/bin/python bench/late_shipments.py --loads 200,300 --no-search --seed 2
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fmt_table, machine_info, write_results  # noqa: E402
from bench.routing import demo_layout  # noqa: E402
from server.orders.ship_by import WarehouseCalendar  # noqa: E402
from server.picking.routing import route_length, route_order  # noqa: E402
from server.picking.selection import Candidate, choose_batch  # noqa: E402

TIMEZONE = "America/New_York"
FIRST_DAY = date(2026, 5, 18)              # a Monday
DAYS = 14
HOLIDAY = date(2026, 5, 25)                # Memorial Day, a Monday
WARM_UP_DAYS, TAIL_DAYS = 4, 2
SHIFT = (clock(8, 0), clock(16, 30))
LATE_LIMIT = 0.04                          # amazon-fbm.md §5: late shipment rate under 4 %
POLICIES = ("fifo", "ship_by")

WEEKDAY_WEIGHT = (1.40, 1.10, 1.00, 0.95, 0.90, 0.75, 0.90)   # Monday .. Sunday; a Monday peak
HOURLY_PROFILE = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 5.5,
                  6.0, 6.0, 5.5, 5.5, 5.5, 6.0, 6.5, 7.0, 7.5, 7.0, 5.0, 3.0)
LINES = ((1, 0.55), (2, 0.25), (3, 0.12), (4, 0.05), (5, 0.03))
UNITS = ((1, 0.85), (2, 0.10), (3, 0.05))
ZIPF_EXPONENT = 0.8

# warehouse-ops.md §3: travel 50 %, search 20 %, extract 15 %, setup 10 %, other 5 %
TRAVEL, SEARCH, EXTRACT, SETUP, OTHER = 0.50, 0.20, 0.15, 0.10, 0.05


@dataclass
class Order:
    id: int
    at: float                     # purchase time, epoch seconds
    mark: float                   # in the run when mark < load / max load (nested loads, same arrivals)
    stops: list                   # (aisle, y) per line
    units: list                   # units per line
    ship_by: float
    counted: bool                 # purchased inside the fortnight
    candidate: Candidate | None = None


@dataclass(frozen=True)
class Times:
    line: float
    unit: float
    trip: float
    tote: float
    pack: float
    pack_unit: float
    speed: float
    other: float = OTHER

    def trip_seconds(self, walk_m: float, lines: int, units: int, orders: int) -> float:
        work = walk_m / self.speed + lines * self.line + (units - lines) * self.unit \
            + self.trip + (orders - 1) * self.tote
        return work / (1 - self.other)

    def pack_seconds(self, units: int) -> float:
        return self.pack + (units - 1) * self.pack_unit


def weighted(rng: random.Random, table) -> int:
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


def epoch(local_day: date, at: clock, tz: ZoneInfo) -> float:
    return datetime.combine(local_day, at, tzinfo=tz).timestamp()


class Shifts:
    """The team's working hours as epoch intervals; `open_at(t)`: t, or the start of the next shift."""

    def __init__(self, calendar: WarehouseCalendar, first: date, last: date):
        tz = ZoneInfo(calendar.timezone)
        self.spans = []
        day = first
        while day <= last:
            if day.weekday() not in calendar.non_working_weekdays and day not in calendar.holidays:
                self.spans.append((epoch(day, SHIFT[0], tz), epoch(day, SHIFT[1], tz)))
            day += timedelta(days=1)
        self.starts = [s for s, _ in self.spans]

    def open_at(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.spans[i][1]:
            return t
        if i + 1 >= len(self.spans):
            raise RuntimeError("the simulation ran past its calendar; raise the horizon")
        return self.starts[i + 1]


def make_world(args):
    layout, places = demo_layout()
    rng = random.Random(args.seed)
    popularity = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(places))]
    bins = list(places)
    rng.shuffle(bins)                                     # popular SKUs anywhere: no slotting

    def draw_lines(rng: random.Random) -> tuple[list, list]:
        stops = [bins[i] for i in rng.choices(range(len(bins)), popularity, k=weighted(rng, LINES))]
        return stops, [weighted(rng, UNITS) for _ in stops]

    calendar = WarehouseCalendar(timezone=TIMEZONE, handling_days=2, cutoff=clock(14, 0), holidays={HOLIDAY})
    tz = ZoneInfo(TIMEZONE)
    orders, start = [], FIRST_DAY - timedelta(days=WARM_UP_DAYS)
    for d in range(WARM_UP_DAYS + DAYS + TAIL_DAYS):
        day = start + timedelta(days=d)
        lam = args.max_load * WEEKDAY_WEIGHT[day.weekday()] / statistics.mean(WEEKDAY_WEIGHT)
        for _ in range(max(0, round(rng.gauss(lam, lam ** 0.5)))):
            hour = rng.choices(range(24), HOURLY_PROFILE)[0]
            local = datetime.combine(day, clock(hour), tzinfo=tz) + timedelta(seconds=rng.uniform(0, 3600))
            stops, units = draw_lines(rng)
            purchased = local.astimezone(UTC)
            orders.append(Order(id=0, at=purchased.timestamp(), mark=rng.random(), stops=stops, units=units,
                                ship_by=calendar.ship_by(purchased).timestamp(),
                                counted=FIRST_DAY <= day < FIRST_DAY + timedelta(days=DAYS)))
    orders.sort(key=lambda o: o.at)
    for i, o in enumerate(orders, 1):
        o.id = i
        o.candidate = Candidate(order_id=i, ship_by=datetime.fromtimestamp(o.ship_by, UTC),
                                ordered_at=datetime.fromtimestamp(o.at, UTC), units=sum(o.units),
                                points=tuple(layout.point(s) for s in o.stops))
    last = start + timedelta(days=WARM_UP_DAYS + DAYS + TAIL_DAYS + 60)
    # drawn apart from the arrivals, so that the times do not depend on the loads swept
    sample = [draw_lines(random.Random(f"calibration-{args.seed}-{k}"))[0] for k in range(2000)]
    return (layout, calendar, orders, Shifts(calendar, start, last)), calibrate(layout, sample, args)


def calibrate(layout, sample: list[list], args) -> Times:
    """Per-line and per-trip times from the reference's split of picker time, on single-order trips."""
    walk = statistics.mean(route_length(layout, stops, route_order(layout, stops)) for stops in sample)
    lines = statistics.mean(len(stops) for stops in sample)
    travel = walk / args.walk_speed
    return Times(line=(SEARCH + EXTRACT) / TRAVEL * travel / lines, unit=EXTRACT / TRAVEL * travel / lines,
                 trip=SETUP / TRAVEL * travel, tote=args.tote_seconds, pack=args.pack_seconds,
                 pack_unit=args.pack_unit_seconds, speed=args.walk_speed)


@dataclass
class Trip:
    """One picker's trip: its batch's stops in walking order, as (order id, line index)."""
    picker: int
    start: float
    end: float
    stops: list


@dataclass
class FloorRun:
    """What happened on the floor, event by event: the trips, and each order's pick end and pack."""
    orders: list                  # the orders of the run (those under the load), by purchase time
    trips: list                   # Trip, in the order they started
    picked: dict                  # order id -> end of its trip
    packs: dict                   # order id -> (packer, start, done)
    walked: float = 0.0
    busy: float = 0.0             # picker seconds on trips
    max_backlog: int = 0


def run_floor(world, times: Times, load: float, policy: str, args, until: float | None = None) -> FloorRun:
    """Simulate the floor at `load` with `policy` and record every trip and pack. With `until` (epoch seconds),
    no trip or pack starts at or after it: what is not packed by then stays unpacked (the forecast's test)."""
    layout, _calendar, all_orders, shifts = world
    orders = [o for o in all_orders if o.mark < load / args.max_load]
    by_id = {o.id: o for o in orders}
    run = FloorRun(orders=orders, trips=[], picked={}, packs={})
    backlog: dict[int, Candidate] = {}
    pickers = [(shifts.open_at(orders[0].at), p) for p in range(args.pickers)] if orders else []
    heapq.heapify(pickers)
    nxt = 0
    while pickers:
        t, p = heapq.heappop(pickers)
        opened = shifts.open_at(t)
        if opened > t:                                    # off shift: wait in line for the next one
            heapq.heappush(pickers, (opened, p))
            continue
        if until is not None and t >= until:
            continue                                      # the run ends: this picker starts nothing more
        while nxt < len(orders) and orders[nxt].at <= t:
            backlog[orders[nxt].id] = orders[nxt].candidate
            nxt += 1
        if not backlog:
            if nxt < len(orders):
                heapq.heappush(pickers, (orders[nxt].at, p))
            continue                                      # nothing left to arrive: this picker is done
        run.max_backlog = max(run.max_backlog, len(backlog))
        ids = choose_batch(list(backlog.values()), size=args.batch_size, policy=policy, layout=layout,
                           now=datetime.fromtimestamp(t, UTC))
        lines = [(i, k) for i in ids for k in range(len(by_id[i].stops))]
        stops = [by_id[i].stops[k] for i, k in lines]
        route = route_order(layout, stops)
        walk = route_length(layout, stops, route)
        units = sum(u for i in ids for u in by_id[i].units)
        took = times.trip_seconds(walk, len(stops), units, len(ids))
        for i in ids:
            del backlog[i]
            run.picked[i] = t + took
        run.trips.append(Trip(picker=p, start=t, end=t + took, stops=[lines[j] for j in route]))
        run.walked, run.busy = run.walked + walk, run.busy + took
        heapq.heappush(pickers, (t + took, p))
    packers = [(0.0, k) for k in range(args.packers)]
    for o in sorted((o for o in orders if o.id in run.picked), key=lambda o: (run.picked[o.id], o.id)):
        free, k = heapq.heappop(packers)
        start = shifts.open_at(max(free, run.picked[o.id]))
        if until is not None and start >= until:
            heapq.heappush(packers, (free, k))
            continue
        done = start + times.pack_seconds(sum(o.units))
        run.packs[o.id] = (k, start, done)
        heapq.heappush(packers, (done, k))
    return run


def simulate(world, times: Times, load: float, policy: str, args) -> dict:
    run = run_floor(world, times, load, policy, args)
    orders = run.orders
    packing = sum(done - start for _k, start, done in run.packs.values())
    counted = sum(o.counted for o in orders)
    late = sum(o.counted and run.packs[o.id][2] > o.ship_by for o in orders)
    batches = len(run.trips)
    return {"load": load, "policy": policy, "orders": len(orders), "counted": counted, "late": late,
            "late_rate": late / counted if counted else 0.0, "batches": batches,
            "orders_per_batch": len(orders) / batches if batches else 0.0,
            "walk_per_order_m": run.walked / len(orders) if orders else 0.0,
            "picker_hours": run.busy / 3600, "packer_hours": packing / 3600, "max_backlog": run.max_backlog}


class Runner:
    """Runs (load, policy) once and remembers it."""

    def __init__(self, world, times, args):
        self.world, self.times, self.args, self.runs = world, times, args, {}

    def __call__(self, load: int, policy: str) -> dict:
        if (load, policy) not in self.runs:
            self.runs[(load, policy)] = simulate(self.world, self.times, load, policy, self.args)
        return self.runs[(load, policy)]

    def passes(self, load: int, policy: str) -> bool:
        return self(load, policy)["late_rate"] < LATE_LIMIT


def highest_passing(run: Runner, policy: str, loads: list[int], step: int) -> tuple[int | None, int | None]:
    """(the highest load under 4 %, the lowest load found at or over 4 % above it), to `step`: the sweep's last
    passing point, then bisection towards the next point of the sweep. None where the sweep has no such load."""
    passing = [load for load in loads if run.passes(load, policy)]
    if not passing:
        return None, min(loads)
    lo = max(passing)
    above = [load for load in loads if load > lo]
    if not above:
        return lo, None                                   # passes everywhere swept: at least this
    hi = min(above)
    while hi - lo > step:
        mid = lo + max(1, (hi - lo) // (2 * step)) * step
        if run.passes(mid, policy):
            lo = mid
        else:
            hi = mid
    return lo, hi


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--loads", default="300,400,500,600",
                   help="orders per calendar day swept, comma-separated")
    p.add_argument("--max-load", type=float, default=1000.0,
                   help="arrivals are drawn once at this load and thinned for each load (same seed, same orders)")
    p.add_argument("--step", type=int, default=10, help="precision of the highest load under 4 %%")
    p.add_argument("--no-search", action="store_true", help="only the sweep, no bisection")
    p.add_argument("--pickers", type=int, default=2)
    p.add_argument("--packers", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--walk-speed", type=float, default=1.0, help="m/s pushing a cart (assumption)")
    p.add_argument("--tote-seconds", type=float, default=5.0, help="binding each further tote (a scan)")
    p.add_argument("--pack-seconds", type=float, default=60.0, help="packing an order of one unit")
    p.add_argument("--pack-unit-seconds", type=float, default=10.0, help="each further unit")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", help="write the JSON here instead of bench/results/")
    return p


def main(argv=None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    loads = sorted({int(x) for x in args.loads.split(",") if x.strip()})
    if not loads or loads[0] <= 0 or loads[-1] > args.max_load:
        p.error(f"loads must lie between 1 and --max-load ({args.max_load:g})")
    t0 = time.perf_counter()
    world, times = make_world(args)
    run = Runner(world, times, args)
    sweep = [[run(load, policy) for policy in POLICIES] for load in loads]
    limits = {policy: (None, None) if args.no_search else highest_passing(run, policy, loads, args.step)
              for policy in POLICIES}
    fifo_fails = limits["fifo"][1]
    at_fifo_fail = None if fifo_fails is None or args.no_search else {
        "load": fifo_fails, "fifo": run(fifo_fails, "fifo")["late_rate"],
        "ship_by": run(fifo_fails, "ship_by")["late_rate"]}
    results = {
        "machine": machine_info(), "args": vars(args),
        "calendar": {"timezone": TIMEZONE, "fortnight": [FIRST_DAY.isoformat(),
                                                         (FIRST_DAY + timedelta(days=DAYS - 1)).isoformat()],
                     "holiday": HOLIDAY.isoformat(), "handling_days": 2, "cutoff": "14:00",
                     "shift": [SHIFT[0].isoformat("minutes"), SHIFT[1].isoformat("minutes")]},
        "times": asdict(times),
        "sweep": [{"load": load, "fifo": f, "ship_by": s} for load, (f, s) in zip(loads, sweep)],
        "highest_load_under_4pct": {policy: lo for policy, (lo, _hi) in limits.items()},
        "lowest_load_over_4pct": {policy: hi for policy, (_lo, hi) in limits.items()},
        "at_fifo_failing_load": at_fifo_fail,
        "runs": [r for _k, r in sorted(run.runs.items())],
    }
    rows = [[load, f"{f['late_rate']:.2%}", f"{s['late_rate']:.2%}", f"{f['walk_per_order_m']:.1f}",
             f"{s['walk_per_order_m']:.1f}", f"{f['orders_per_batch']:.1f}", f"{s['orders_per_batch']:.1f}",
             f"{f['picker_hours']:.0f}", f"{s['picker_hours']:.0f}", f["counted"]]
            for load, (f, s) in zip(loads, sweep)]
    print(fmt_table(["orders/day", "late fifo", "late ship_by", "m/order fifo", "m/order ship_by",
                     "orders/batch fifo", "ship_by", "picker h fifo", "ship_by", "counted"], rows))
    print(f"\npick times (s): line {times.line:.1f}, extra unit {times.unit:.1f}, trip setup {times.trip:.1f}, "
          f"tote {times.tote:.0f}, pack {times.pack:.0f} + {times.pack_unit:.0f}/unit; "
          f"{args.pickers} pickers, {args.packers} packers, batches of {args.batch_size}")
    if not args.no_search:
        print("highest load under 4 %: " + ", ".join(
            f"{policy} {'none of the sweep' if lo is None else f'{lo} orders/day'}"
            + (" (passes the whole sweep)" if lo is not None and hi is None else "")
            for policy, (lo, hi) in limits.items()))
    if at_fifo_fail:
        print(f"at the load where fifo passes 4 % ({at_fifo_fail['load']} orders/day: fifo "
              f"{at_fifo_fail['fifo']:.2%}), ship_by gives {at_fifo_fail['ship_by']:.2%}")
    results["seconds_total"] = time.perf_counter() - t0
    print(f"{len(run.runs)} simulated fortnights in {results['seconds_total']:.1f} s")
    path = write_results("late_shipments", results, args.out)
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

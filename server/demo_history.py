"""The demo's past: a month of orders picked, packed and shipped before today, so that the dashboard's seller
metrics, charts and lists mean something at first start.

What the month holds (deterministic: a seeded generator, times at fixed offsets from the command's `now`):
- 15-25 orders placed every day for the last 32 days up to 60 hours ago (the demo's open orders are the last 60
  hours), mostly Amazon, 1-3 lines, a few items much more popular than the rest (so ABC classes mean something);
  ship-by from the warehouse calendar;
- each order worked on a business day, on or before its ship-by day: a pick batch of up to 8 orders on a cart
  (Ana and Ben take turns), packed by Cleo at PACK-1 (a quarter of the multi-line orders in one package per
  line), labelled and shipped: 3 in 4 with our local carrier, the others UPS on that day's closed manifest;
- 5 orders shipped the business day after their ship-by (about 1 %): 1 due in the last 10 days, 4 before. With
  the 3 orders the demo leaves overdue today, the late shipment rates are about 2.5 % (10 days) and 1.5 % (30
  days): green;
- 6 cancellations before anything was picked: 2 by the seller and 1 at the buyer's request placed in the last 7
  days (the 7-day cancel rate is about 1 %, green), 1 seller, 1 buyer and 1 channel cancellation before that;
- one UPS number mistyped (its check digit fails) in the last 30 days: the valid tracking rate is about 99.8 %.

Why written straight into the tables: a shipped order costs ~50 ms through the real pick, pack and label services
(routing, carton locations, rate cards, labels), so 600 of them would make `flask demo` last half a minute. The
rows are what those services leave behind (tests/test_demo.py compares a month-old order with one shipped
through them), ids from INSERT … RETURNING so PostgreSQL's sequences stay right. The ledger holds: the opening
stock (server/demo.py) includes what the month took, so today's balances are the same as without a past.

Work that the services can do cheaply (today's picks and packs, the cycle counts of the last weeks) goes through
them, and `happened_between` dates it afterwards.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from .catalog.models import Item
from .db import Base, UTCDateTime, utcnow
from .extensions import db
from .inventory.codes import LocationKind, MoveKind, VirtualLocation
from .inventory.ledger import virtual
from .inventory.ledger_models import NO_LOT, StockBalance, StockMove
from .inventory.locations import code_key, default_warehouse
from .inventory.models import Location
from .orders.models import CancelSource, Order, OrderEvent, OrderLine, OrderStatus, ShipBySource
from .orders.ship_by import WarehouseCalendar, end_of_day, is_business_day
from .packing.models import BoxType, Package, PackageLine, PackageStatus
from .picking.models import BatchOrder, BatchStatus, PickBatch, PickTask, TaskStatus
from .shipping.models import Manifest, Shipment, ShipmentStatus
from .shipping.sequences import take_serials
from .shipping.sscc import DEMO_GS1_PREFIX, sscc_for
from .shipping.tracking import local_tracking_number, ups_check_digit

HISTORY_DAYS = 32  # orders placed from this many days ago: their ship-by dates fill the 30-day windows
OPEN_BACKLOG = timedelta(hours=60)  # the demo's open orders were placed in the last 60 hours
ORDERS_PER_DAY = (15, 25)
# (ship-by at least … and less than … before now, orders): 1 in the 10-day window, 4 more in the 30-day one
LATE = ((timedelta(days=1), timedelta(days=9), 1), (timedelta(days=11), timedelta(days=29), 4))
# (who, why, placed at least … and less than … before now, orders)
CANCELLED = ((CancelSource.SELLER, "Damaged in the bin, no other stock", OPEN_BACKLOG, timedelta(days=6), 2),
             (CancelSource.BUYER, "Buyer asked to cancel", OPEN_BACKLOG, timedelta(days=6), 1),
             (CancelSource.SELLER, "Listing error: wrong colour", timedelta(days=9), timedelta(days=29), 1),
             (CancelSource.BUYER, "Buyer asked to cancel", timedelta(days=9), timedelta(days=29), 1),
             (CancelSource.CHANNEL, "Payment not completed", timedelta(days=9), timedelta(days=29), 1))
UPS_ACCOUNT = "5R8939"  # carriers.md's example shipper; service 03 (ground)
UPS_SHARE, SPLIT_SHARE, SECOND_DAY_SHARE = 0.25, 0.25, 0.3
FIRST_BATCH, LAST_ORDER = time(8, 10), time(14, 45)
PICK_SECONDS, PACK_SECONDS = 75, 80  # per stop, per order


@dataclass
class Line:
    item_id: int
    qty: int
    bin_id: int
    lot: str
    expiry: date | None


@dataclass
class PastOrder:
    n: int  # its number in the demo (channel order id, customer)
    ordered_at: datetime
    lines: list[Line]
    ship_by: datetime | None = None
    work_day: date | None = None
    ready_at: datetime | None = None  # allocated
    cancel: tuple[CancelSource, str, datetime] | None = None
    late: bool = False


@dataclass
class Past:
    """The month's orders (cancelled ones included) and the units they took from each (item, bin, lot)."""

    orders: list[PastOrder]
    taken: Counter = field(default_factory=Counter)


# --- dating work done through the services ------------------------------------------------------------------

def _stamp_columns() -> list[tuple[sa.Table, list[sa.Column]]]:
    return [(t, cols) for t in Base.metadata.sorted_tables
            if (cols := [c for c in t.columns if isinstance(c.type, UTCDateTime)])]


@contextlib.contextmanager
def happened_between(first: datetime, last: datetime) -> Iterator[None]:
    """Date the work done inside the block between `first` and `last`.

    The services stamp their rows with utcnow() and take no clock, so the demo does its past work now and moves
    the stamps right after, in the same transaction: every time the block wrote (any UTCDateTime value between
    the block's start and end) is mapped linearly onto [first, last], so events keep their order and spacing.
    A deadline set in the block (a ship-by, a sign-in's expiry) lies after its end and is left alone."""
    start = utcnow()
    yield
    db.session.flush()
    end = utcnow()
    scale = (last - first) / (end - start) if end > start else 0

    def moved(value):
        return first + (value - start) * scale if value is not None and start <= value <= end else value

    for table, cols in _stamp_columns():
        keys = list(table.primary_key.columns)
        hit = sa.or_(*(c.between(start, end) for c in cols))
        rows = db.session.execute(sa.select(*keys, *cols).where(hit)).all()
        if not rows:
            continue
        stmt = (table.update().where(*(k == sa.bindparam(f"k_{k.name}") for k in keys))
                .values({c.name: sa.bindparam(f"v_{c.name}", type_=c.type) for c in cols}))
        db.session.execute(stmt, [{**{f"k_{k.name}": row[i] for i, k in enumerate(keys)},
                                   **{f"v_{c.name}": moved(row[len(keys) + i]) for i, c in enumerate(cols)}}
                                  for row in rows])
    db.session.expire_all()  # objects loaded in the block carry the undated times


# --- the plan -------------------------------------------------------------------------------------------------

class Calendar:
    """The warehouse calendar's days and local times."""

    def __init__(self, calendar: WarehouseCalendar, now: datetime):
        self.rules, self.tz = calendar, ZoneInfo(calendar.timezone)
        self.now, self.today = now, now.astimezone(self.tz).date()

    def at(self, day: date, t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=self.tz).astimezone(self.now.tzinfo)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def business(self, day: date) -> bool:
        return is_business_day(day, self.rules.non_working_weekdays, self.rules.holidays)

    def next_business(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.business(day):
            day += timedelta(days=1)
        return day

    def end_of(self, day: date) -> datetime:
        return end_of_day(day, self.tz)


def popularity(item_ids: list[int]) -> list[float]:
    """A long tail, the same every time: the item ranked r sells about 1 / (r + 8) as often."""
    ranks = list(range(len(item_ids)))
    random.Random(3).shuffle(ranks)
    return [1 / (r + 8) for r in ranks]


def draw_lines(rng: random.Random, homes: dict, item_ids: list[int], weights: list[float]) -> list[Line]:
    """1-3 distinct items, each from its home bin (and lot), 1 or 2 units."""
    want = 1 if rng.random() < 0.6 else 2 if rng.random() < 0.75 else 3
    chosen: list[int] = []
    while len(chosen) < want:
        item_id = rng.choices(item_ids, weights)[0]
        if item_id not in chosen:
            chosen.append(item_id)
    return [Line(i, 1 if rng.random() < 0.8 else 2, *homes[i]) for i in chosen]


def _work_day(order: PastOrder, cal: Calendar, rng: random.Random) -> None:
    """When the order is allocated and the business day it is picked, packed and shipped."""
    day, local = cal.day_of(order.ordered_at), order.ordered_at.astimezone(cal.tz).time()
    if not cal.business(day) or local >= LAST_ORDER:
        day = cal.next_business(day)
    ship_by_day = cal.day_of(order.ship_by)
    if order.late:
        day = cal.next_business(ship_by_day)
    elif rng.random() < SECOND_DAY_SHARE and cal.next_business(day) <= ship_by_day:
        day = cal.next_business(day)
    order.work_day = day
    order.ready_at = max(order.ordered_at + timedelta(minutes=10), cal.at(day, time(7, 40)))


def plan(items: list, homes: dict, *, now: datetime, calendar: WarehouseCalendar, seed: int = 7) -> Past:
    """The month before today: orders, when each was worked, the late and the cancelled ones.

    homes: item id → (bin id, lot, expiry) of its home bin, where the month's picks come from."""
    rng, cal = random.Random(seed), Calendar(calendar, now)
    item_ids = [item.id for item in items if item.id in homes]  # the few without stock never sell
    weights = popularity(item_ids)
    placed: list[PastOrder] = []
    for back in range(HISTORY_DAYS, 0, -1):
        day = cal.today - timedelta(days=back)
        for _k in range(rng.randint(*ORDERS_PER_DAY)):
            ordered_at = cal.at(day, time(0)) + timedelta(seconds=rng.randrange(86400))
            lines = draw_lines(rng, homes, item_ids, weights)
            if ordered_at < now - OPEN_BACKLOG:
                placed.append(PastOrder(0, ordered_at, lines, ship_by=calendar.ship_by(ordered_at)))
    placed.sort(key=lambda o: o.ordered_at)
    for n, order in enumerate(placed):
        order.n = n

    for source, reason, newest, oldest, count in CANCELLED:
        window = [o for o in placed if o.cancel is None and newest <= now - o.ordered_at < oldest]
        for order in rng.sample(window, count):
            order.cancel = (source, reason, order.ordered_at + timedelta(minutes=rng.randint(40, 300)))
    for newest, oldest, count in LATE:
        due = [o for o in placed if o.cancel is None and not o.late and newest <= now - o.ship_by < oldest
               and cal.next_business(cal.day_of(o.ship_by)) < cal.today]
        for order in rng.sample(due, count):
            order.late = True

    past = Past([])
    for order in placed:
        if order.cancel is None:
            _work_day(order, cal, rng)
            if order.work_day >= cal.today:
                continue  # still open: the demo's own open orders stand for these
            for line in order.lines:
                past.taken[(line.item_id, line.bin_id, line.lot)] += line.qty
        past.orders.append(order)
    return past


def plan_today(rng: random.Random, homes: dict, items: list, *, count: int, first_n: int, now: datetime,
               calendar: WarehouseCalendar) -> tuple[list[PastOrder], Counter]:
    """Today's orders (worked through the services this morning): placed yesterday afternoon and evening, the
    channel's latest ship date the end of today."""
    cal = Calendar(calendar, now)
    item_ids = [item.id for item in items if item.id in homes]  # the few without stock never sell
    weights = popularity(item_ids)
    start = cal.at(cal.today - timedelta(days=1), time(12))
    orders, taken = [], Counter()
    for k in range(count):
        lines = draw_lines(rng, homes, item_ids, weights)
        orders.append(PastOrder(first_n + k, start + timedelta(minutes=20 * k), lines,
                                ship_by=cal.end_of(cal.today)))
        for line in lines:
            taken[(line.item_id, line.bin_id, line.lot)] += line.qty
    return orders, taken


# --- writing it -----------------------------------------------------------------------------------------------

@dataclass
class Floor:
    """Who and what the month's work used: user ids by name, carts, the pack station, items, bins, boxes."""

    users: dict[str, int]
    carts: list[tuple[int, list[int]]]  # (cart id, its tote ids): Ana's batches on the first, Ben's on the second
    station: int
    items: dict[int, Item]
    bins: dict[int, Location]
    boxes: list[BoxType]  # smallest first


@dataclass
class _Work:
    """One shipped order of the month: its ids and the times of its picks, packages and shipment."""

    order: PastOrder
    oid: int = 0
    line_ids: list[int] = field(default_factory=list)
    batch: int = 0  # index into the day's batches
    tote: int = 0
    picked: dict[int, datetime] = field(default_factory=dict)  # line index → pick time
    packages: list[tuple[list[int], datetime]] = field(default_factory=list)  # (line indexes, packed at)
    shipped_at: datetime | None = None
    ups: bool = False


@dataclass
class _Batch:
    picker: int
    device: str
    cart: int
    totes: list[int]
    started_at: datetime
    finished_at: datetime
    stops: list[tuple[_Work, int, datetime]]  # (order, line index, picked at) in walking order
    works: list[_Work]


def _box(floor: Floor, lines: list[Line]) -> tuple[BoxType, int]:
    """The smallest box holding the lines' items with room to spare, and the package's weight in grams."""
    items = [(floor.items[ln.item_id], ln.qty) for ln in lines]
    volume = sum((i.length_mm or 100) * (i.width_mm or 100) * (i.height_mm or 50) * q for i, q in items)
    weight = sum((i.weight_g or 100) * q for i, q in items)
    box = next((b for b in floor.boxes if b.length_mm * b.width_mm * b.height_mm >= 1.3 * volume
                and (b.max_weight_g or weight) >= weight), floor.boxes[-1])
    return box, weight + box.tare_g


def _route_m(bins: list[Location]) -> float:
    """From the depot along the bins in pick sequence and back, at right angles."""
    points = [(0.0, 0.0), *((b.x or 0.0, b.y or 0.0) for b in bins), (0.0, 0.0)]
    return round(sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(points, points[1:])), 1)


def ups_number(serial: int) -> str:
    body = f"{UPS_ACCOUNT}03{serial:07d}"
    return f"1Z{body}{ups_check_digit(body)}"


def _schedule(works: list[_Work], floor: Floor, cal: Calendar, rng: random.Random) -> list[_Batch]:
    """Each work day's orders in batches of up to 8 as they became ready, Ana and Ben taking turns; Cleo packs
    each order a few minutes after its batch is back, one at a time."""
    pickers = [(floor.users["ana"], "demo-hh-1"), (floor.users["ben"], "demo-hh-2")]
    by_day: dict[date, list[_Work]] = defaultdict(list)
    for work in works:
        by_day[work.order.work_day].append(work)
    batches = []
    for day in sorted(by_day):
        ready = sorted(by_day[day], key=lambda w: (w.order.ready_at, w.order.ship_by, w.order.n))
        start = packer_free = cal.at(day, FIRST_BATCH)
        for turn, first in enumerate(range(0, len(ready), 8)):
            chunk = ready[first:first + 8]
            start = max(start, max(w.order.ready_at for w in chunk) + timedelta(minutes=5))
            (picker, device), (cart, totes) = pickers[turn % 2], floor.carts[turn % 2]
            walk = sorted(((w, k) for w in chunk for k in range(len(w.order.lines))),
                          key=lambda s: (floor.bins[s[0].order.lines[s[1]].bin_id].pick_sequence or 0, s[0].oid))
            at, stops = start, []
            for work, k in walk:
                at += timedelta(seconds=PICK_SECONDS + rng.randint(-20, 30))
                stops.append((work, k, at))
                work.picked[k] = at
            finished = at + timedelta(minutes=1)
            for tote, work in enumerate(chunk, start=1):
                work.batch, work.tote = len(batches), tote
                lines = list(range(len(work.order.lines)))
                split = len(lines) > 1 and rng.random() < SPLIT_SHARE
                packed = max(finished + timedelta(minutes=3), packer_free)
                for contents in ([[k] for k in lines] if split else [lines]):
                    packed += timedelta(seconds=PACK_SECONDS + rng.randint(-20, 40))
                    work.packages.append((contents, packed))
                work.shipped_at = packer_free = packed + timedelta(seconds=20)
                work.ups = rng.random() < UPS_SHARE
            batches.append(_Batch(picker, device, cart, totes, start, finished, stops, chunk))
            start = finished + timedelta(minutes=rng.randint(10, 40))
    return batches


def _insert(model, rows: list[dict]) -> list[int]:
    """INSERT … RETURNING id of many rows at once, the ids in the rows' order."""
    if not rows:
        return []
    table = model.__table__
    return list(db.session.scalars(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def _move(kind: MoveKind, line: Line, src: int, dst: int, ref: tuple[str, int], user: int, device: str,
          at: datetime) -> dict:
    return {"kind": kind, "item_id": line.item_id, "qty": line.qty, "src_id": src, "dst_id": dst, "lot": line.lot,
            "expiry": line.expiry, "ref_type": ref[0], "ref_id": ref[1], "user_id": user, "device_id": device,
            "created_at": at}


def _columns(identity: dict) -> dict:
    """An order's channel, ids, buyer and address as columns (the API's shape nests the address)."""
    out = {k: v for k, v in identity.items() if k != "ship_to"}
    return out | {f"ship_to_{k}": v for k, v in identity["ship_to"].items()}


def write(past: Past, floor: Floor, customer: Callable[[int], dict], *, now: datetime,
          calendar: WarehouseCalendar) -> dict[str, int]:
    """Write the month: orders, lines and their history; batches, tasks, cartons, packages, shipments, the daily
    UPS manifests; the pick, pack and ship movements. → rows written, by kind."""
    rng, cal = random.Random(11), Calendar(calendar, now)
    admin, sam, cleo = floor.users["admin"], floor.users["sam"], floor.users["cleo"]
    who = {o.n: _columns(customer(o.n)) for o in past.orders}
    order_ids = _insert(Order, [
        {**who[o.n], "status": OrderStatus.CANCELLED if o.cancel else OrderStatus.SHIPPED,
         "ordered_at": o.ordered_at, "ship_by": o.ship_by, "ship_by_source": ShipBySource.COMPUTED,
         "short_units": 0, "cancel_source": o.cancel[0] if o.cancel else None,
         "cancel_reason": o.cancel[1] if o.cancel else None, "created_at": o.ordered_at, "updated_at": o.ordered_at}
        for o in past.orders])
    line_ids = iter(_insert(OrderLine, [
        {"order_id": oid, "item_id": ln.item_id, "qty": ln.qty, "qty_picked": 0 if o.cancel else ln.qty,
         "channel_line_id": f"{60000000000000 + o.n * 10 + k}" if who[o.n]["channel"] == "amazon" else None,
         "product_name": None}
        for o, oid in zip(past.orders, order_ids) for k, ln in enumerate(o.lines)]))
    works, events = [], []

    def event(oid, was, to, at, user, device=None, note=None):
        events.append({"order_id": oid, "from_status": was, "to_status": to, "user_id": user, "device_id": device,
                       "note": note, "created_at": at})

    created = _("Created (%(source)s).", source="demo")
    for o, oid in zip(past.orders, order_ids):
        ids = [next(line_ids) for _ln in o.lines]
        event(oid, None, OrderStatus.OPEN, o.ordered_at, admin, "demo-seed", created)
        if o.cancel:
            source, reason, at = o.cancel
            event(oid, OrderStatus.OPEN, OrderStatus.CANCELLED, at, sam, None, f"{source.label}: {reason}")
        else:
            works.append(_Work(o, oid, ids))

    batches = _schedule(works, floor, cal, rng)
    batch_ids = _insert(PickBatch, [
        {"status": BatchStatus.DONE, "cart_id": b.cart, "picker_id": b.picker, "device_id": b.device,
         "sort_later": False, "route_m": _route_m([floor.bins[w.order.lines[k].bin_id] for w, k, _at in b.stops]),
         "created_by": admin, "created_at": b.started_at - timedelta(minutes=4),
         "released_at": b.started_at - timedelta(minutes=4), "started_at": b.started_at,
         "finished_at": b.finished_at} for b in batches])
    db.session.execute(sa.insert(BatchOrder.__table__), [
        {"batch_id": batch_ids[w.batch], "order_id": w.oid, "tote_number": w.tote,
         "tote_id": batches[w.batch].totes[w.tote - 1]} for w in works])
    task_ids = iter(_insert(PickTask, [
        {"batch_id": bid, "order_line_id": w.line_ids[k], "reservation_id": None,
         "item_id": w.order.lines[k].item_id, "location_id": w.order.lines[k].bin_id, "lot": w.order.lines[k].lot,
         "qty": w.order.lines[k].qty, "qty_picked": w.order.lines[k].qty, "tote_number": w.tote, "sequence": seq,
         "status": TaskStatus.PICKED, "picked_by": b.picker, "device_id": b.device, "picked_at": at,
         "scanned_at": None}
        for bid, b in zip(batch_ids, batches) for seq, (w, k, at) in enumerate(b.stops, start=1)]))
    moves = []
    for bid, b in zip(batch_ids, batches):
        for w, k, at in b.stops:
            moves.append(_move(MoveKind.PICK, w.order.lines[k], w.order.lines[k].bin_id, b.totes[w.tote - 1],
                               ("pick_task", next(task_ids)), b.picker, b.device, at))
        for w in b.works:
            event(w.oid, OrderStatus.OPEN, OrderStatus.ALLOCATED, w.order.ready_at, admin, "demo-seed")
            event(w.oid, OrderStatus.ALLOCATED, OrderStatus.PICKING, b.started_at, b.picker, b.device,
                  _("Batch %(code)s", code=f"B{bid:06d}"))
            event(w.oid, OrderStatus.PICKING, OrderStatus.PICKED, max(w.picked.values()), b.picker, b.device)
            event(w.oid, OrderStatus.PICKED, OrderStatus.PACKED, w.packages[-1][1], cleo, "demo-pack-1",
                  _("%(n)d package(s)", n=len(w.packages)))
            event(w.oid, OrderStatus.PACKED, OrderStatus.SHIPPED, w.shipped_at, cleo, "demo-pack-1")

    # Shipments before their packages (the day's UPS ones on its closed manifest), packages before their cartons.
    ups_days = sorted({cal.day_of(w.shipped_at) for w in works if w.ups})
    manifests = dict(zip(ups_days, _insert(Manifest, [
        {"carrier": "ups", "day": d, "number": 1, "closed_at": cal.at(d, time(17)), "closed_by": sam,
         "created_at": cal.at(d, time(17))} for d in ups_days])))
    shipment_ids = _insert(Shipment, [
        {"order_id": w.oid, "carrier": "ups" if w.ups else "local", "service": "ground" if w.ups else "nextday",
         "status": ShipmentStatus.SHIPPED, "label_created_at": w.shipped_at, "shipped_at": w.shipped_at,
         "ship_by_met": w.shipped_at <= w.order.ship_by,
         "manifest_id": manifests[cal.day_of(w.shipped_at)] if w.ups else None,
         "confirmed_at": (cal.at(cal.day_of(w.shipped_at), time(18)) if who[w.order.n]["channel"] == "amazon"
                          else None),
         "created_by": cleo, "created_at": w.shipped_at} for w in works])
    ssccs = iter(take_serials("sscc", sum(len(w.packages) for w in works)))
    local = iter(take_serials("local", sum(len(w.packages) for w in works if not w.ups)))
    ups = iter(range(2000000, 3000000))
    typo = rng.choice([sid for sid, w in zip(shipment_ids, works) if w.ups and w.shipped_at > now - timedelta(25)])
    packages = []  # (row, work, line indexes, shipment id)
    for sid, w in zip(shipment_ids, works):
        for number, (contents, packed_at) in enumerate(w.packages, start=1):
            box, weight = _box(floor, [w.order.lines[k] for k in contents])
            tracking = ups_number(next(ups)) if w.ups else local_tracking_number(next(local))
            if sid == typo:  # typed by hand, one digit off: the check digit fails
                tracking = tracking[:-1] + str((int(tracking[-1]) + 1) % 10)
            packages.append(({"order_id": w.oid, "number": number, "status": PackageStatus.SHIPPED,
                              "station_id": floor.station, "box_type_id": box.id, "length_mm": box.length_mm,
                              "width_mm": box.width_mm, "height_mm": box.height_mm, "weight_g": weight,
                              "sscc": sscc_for(next(ssccs), DEMO_GS1_PREFIX), "shipment_id": sid,
                              "tracking_number": tracking, "packed_by": cleo, "packed_at": packed_at,
                              "created_at": packed_at - timedelta(seconds=PACK_SECONDS - 10)}, w, contents, sid))
    package_ids = _insert(Package, [p[0] for p in packages])
    warehouse_id = default_warehouse().id
    carton_ids = _insert(Location, [
        {"warehouse_id": warehouse_id, "parent_id": floor.station, "code": f"PKG-{pid}",
         "code_key": code_key(f"PKG-{pid}"), "kind": LocationKind.CARTON, "pickable": False, "blocked": False,
         "mixed_items_allowed": True, "active": False, "created_at": row["created_at"]}  # shipped: gone
        for pid, (row, *_rest) in zip(package_ids, packages)])
    table = Package.__table__
    db.session.execute(table.update().where(table.c.id == sa.bindparam("pid"))
                       .values(container_id=sa.bindparam("carton")),
                       [{"pid": p, "carton": c} for p, c in zip(package_ids, carton_ids)])
    customer_id, contents_rows = virtual(VirtualLocation.CUSTOMER).id, []
    for pid, carton, (row, w, contents, sid) in zip(package_ids, carton_ids, packages):
        tote = batches[w.batch].totes[w.tote - 1]
        for k in contents:
            line = w.order.lines[k]
            contents_rows.append({"package_id": pid, "order_line_id": w.line_ids[k], "item_id": line.item_id,
                                  "lot": line.lot, "qty": line.qty})
            moves.append(_move(MoveKind.PACK, line, tote, carton, ("package", pid), cleo, "demo-pack-1",
                               row["packed_at"] - timedelta(seconds=30)))
            moves.append(_move(MoveKind.SHIP, line, carton, customer_id, ("shipment", sid), cleo, "demo-pack-1",
                               w.shipped_at))
    db.session.execute(sa.insert(PackageLine.__table__), contents_rows)
    db.session.execute(sa.insert(StockMove.__table__), sorted(moves, key=lambda m: m["created_at"]))
    # The bins hold what the month left (the totes and cartons it passed through are empty again), as the ledger
    # would have booked it move by move.
    took, last_pick = Counter(), {}
    for b in batches:
        for w, k, at in b.stops:
            line = w.order.lines[k]
            took[(line.item_id, line.bin_id, line.lot)] += line.qty
            last_pick[(line.item_id, line.bin_id, line.lot)] = at
    table = StockBalance.__table__
    db.session.execute(table.update().where(table.c.item_id == sa.bindparam("i"), table.c.location_id == sa.bindparam("l"),
                                            table.c.lot == sa.bindparam("b_lot"))
                       .values(qty=table.c.qty - sa.bindparam("n"), updated_at=sa.bindparam("at")),
                       [{"i": i, "l": loc, "b_lot": lot, "n": n, "at": last_pick[(i, loc, lot)]}
                        for (i, loc, lot), n in took.items()])
    events.sort(key=lambda e: e["created_at"])
    db.session.execute(sa.insert(OrderEvent.__table__), events)
    last = {e["order_id"]: e["created_at"] for e in events}
    table = Order.__table__
    db.session.execute(table.update().where(table.c.id == sa.bindparam("oid")).values(updated_at=sa.bindparam("at")),
                       [{"oid": oid, "at": at} for oid, at in last.items()])
    return {"orders": len(order_ids), "shipments": len(shipment_ids), "packages": len(package_ids),
            "batches": len(batch_ids), "moves": len(moves), "events": len(events)}


# --- cycle counts of the last weeks, through the count services -----------------------------------------------

COUNT_DAYS = (25, 20, 15, 10, 5, 2)  # days back (the business day on or before), four bins counted each
# per count day: (its index among the day's four, what the counter finds): "within" a unit off a C item (posted
# within tolerance), "beyond" a unit off an A item (a recount agrees; approved the next business day),
# "waiting" the same, still waiting for a supervisor
COUNT_SLIPS = {0: ((1, "beyond"),), 1: ((2, "within"),), 3: ((0, "beyond"), (3, "within")), 5: ((2, "waiting"),)}


def seed_counts(users: dict[str, int], openings: list, *, now: datetime, calendar: WarehouseCalendar) -> int:
    """Cycle counts of the last weeks: ABC classes from the month's picks first, then four bins counted on each of
    six days, mostly right; the slips of COUNT_SLIPS. → first counts made."""
    from .counts.models import CountTask, CountTaskReason, CountVariance, ItemClass, VarianceStatus
    from .counts.services import approve, classify_items, create_task, finish_task, record_count
    from .inventory.ledger import Actor

    cal, rng = Calendar(calendar, now), random.Random(13)
    boss, counter = Actor(users["sam"], "demo-office"), Actor(users["dev"], "demo-hh-3")
    recounter = Actor(users["ben"], "demo-hh-2")
    classify_items(actor=boss)
    classes = dict(db.session.execute(sa.select(ItemClass.item_id, ItemClass.abc_class)).all())
    pool = {cls: [o for o in openings if classes.get(o.item.id) == cls and (cls != "C" or o.item.value_cents <= 5000)]
            for cls in "AC"}
    everyone = list(openings)
    rng.shuffle(everyone)
    used, made = set(), 0
    for index, back in enumerate(COUNT_DAYS):
        day = cal.today - timedelta(days=back)
        while not cal.business(day):
            day -= timedelta(days=1)
        slips = dict(COUNT_SLIPS.get(index, ()))
        to_approve = []
        with happened_between(cal.at(day, time(13, 30)), cal.at(day, time(14, 40))):
            for k in range(4):
                slip = slips.get(k)
                source = pool["C"] if slip == "within" else pool["A"] if slip else everyone
                o = next(o for o in source if o.location.id not in used)
                used.add(o.location.id)
                lot = o.lot or NO_LOT
                expected = db.session.scalar(sa.select(StockBalance.qty).where(
                    StockBalance.item_id == o.item.id, StockBalance.location_id == o.location.id,
                    StockBalance.lot == lot))
                counted = expected - 1 if slip else expected
                task = create_task(o.location, item=o.item, reason=CountTaskReason.SCHEDULED, actor=boss, due_on=day)
                record_count(task, item_code=o.item.sku, qty=counted, lot=o.lot, actor=counter)
                recount_id = finish_task(task, actor=counter)["recount_task_id"]
                made += 1
                if recount_id:
                    recount = db.session.get(CountTask, recount_id)
                    record_count(recount, item_code=o.item.sku, qty=counted, lot=o.lot, actor=recounter)
                    finish_task(recount, actor=recounter)
                    if slip == "beyond":
                        to_approve += db.session.scalars(sa.select(CountVariance).where(
                            CountVariance.task_id == recount_id, CountVariance.status == VarianceStatus.PENDING))
        if to_approve:
            next_day = cal.next_business(day)
            with happened_between(cal.at(next_day, time(9)), cal.at(next_day, time(9, 5))):
                for variance in to_approve:
                    approve(variance, actor=boss)
    return made
